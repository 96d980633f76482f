"""How figures and places look on every output: colour classes, category colours, Dutch labels.

Shared by the HTML map (:mod:`abcd_map.render.map`) and the static overviews
(:mod:`abcd_map.render.static`), so both draw the same classes with the same words.
Imports point one way: both import this module, it imports neither.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .. import metrics, schema
from ..analyse.coverage import lenses

ASSETS_DIR = Path(__file__).with_name("assets")

#: Colour classes of the coverage choropleth (share of residents, percent). The lowest class is a
#: dark rust (at least 3:1 against the map background, drawn at :data:`COVERAGE_FILL_OPACITY`)
#: with a dark outline, so the worst-covered buurten never look like empty map; the others
#: are YlGnBu. Lightness rises from rust to the light green, so colour-blind readers tell them apart.
COVERAGE_CLASSES = [
    {"max": 25, "colour": "#993404", "outline": "#1a1a1a", "label": "0–25%: weinig inwoners binnen loopafstand"},
    {"max": 50, "colour": "#a1dab4", "label": "25–50%: minder dan de helft"},
    {"max": 75, "colour": "#41b6c4", "label": "50–75%: meer dan de helft"},
    {"max": 100, "colour": "#225ea8", "label": "75–100%: (bijna) iedereen binnen loopafstand"},
]
#: Classes of "our walking distance minus CBS's road distance" (km); diverging, colour-blind safe (PuOr).
DIFFERENCE_CLASSES = [
    {"max": -0.5, "colour": "#5e3c99", "label": "wij meer dan 500 m korter dan CBS"},
    {"max": -0.1, "colour": "#b2abd2", "label": "wij 100–500 m korter"},
    {"max": 0.1, "colour": "#f7f7f7", "label": "ongeveer gelijk (binnen 100 m)"},
    {"max": 0.5, "colour": "#fdb863", "label": "wij 100–500 m langer"},
    {"max": 1e9, "colour": "#e66101", "label": "wij meer dan 500 m langer dan CBS"},
]
NODATA_COLOUR = "#e6e6e6"
#: Fill opacity of the coverage classes on the HTML map (the map's background shows through).
COVERAGE_FILL_OPACITY = 0.7
#: Background of the HTML map where no buurt is drawn (``.leaflet-container`` in ``assets/map.css``).
MAP_BACKGROUND = "#eef0ec"
NODATA_LABEL = "geen gegevens"

_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")


def class_colour(value: float) -> str:
    """The colour of a coverage share (percent) in :data:`COVERAGE_CLASSES`; NaN is no data."""
    if value != value:  # NaN
        return NODATA_COLOUR
    for c in COVERAGE_CLASSES:
        if value <= c["max"]:
            return c["colour"]
    return COVERAGE_CLASSES[-1]["colour"]


def safe_colour(colour: object, default: str = "#666666") -> str:
    """``colour`` if it is a ``#rrggbb`` text (safe in a style attribute), else ``default``."""
    return colour if isinstance(colour, str) and _HEX.match(colour) else default


def has_no_data(values: pd.Series) -> pd.Series:
    """True where the ``gegevens`` column says there are no data (``'geen OSM-gegevens'``, ...)."""
    return values.astype(object).map(lambda v: str(v).strip().lower().startswith("geen")).astype(bool)


def shown_by_default(values: pd.Series) -> pd.Series:
    """True where ``standaard_zichtbaar`` does not say no; a missing value counts as shown."""
    return values.astype(object).map(
        lambda v: True if v is None or (not isinstance(v, str) and pd.isna(v)) else schema.parse_bool(v) is not False
    ).astype(bool)


def default_metric(columns: list[str] | pd.Index) -> str | None:
    """The coverage column a map is coloured by when none is chosen: the first one."""
    return next(iter(metrics.coverage_columns(columns)), None)


def metric_label(column: str) -> dict[str, str]:
    """Dutch label, question and short text for a coverage column such as ``dekking_500m``.

    Column names are made and parsed by :mod:`abcd_map.metrics`:
    ``[<prefix>_]dekking_<afstand>m`` with prefix an ABCD category
    (``cultuur_dekking_500m``), a lens (``senioren_dekking_300m``) or an opening time
    (``open_zondag_middag_dekking_500m``).

    Parameters
    ----------
    column
        A column name; one that is not a coverage column gets its own name as label.

    Returns
    -------
    dict
        ``label``, ``question`` and ``short`` (Dutch).
    """
    facility = metrics.parse_difference_column(column)
    if facility is not None:
        name = facility.replace("_", " ")
        return {"label": f"Verschil met CBS: {name}", "short": f"verschil met CBS ({name})", "unit": "km",
                "classes": DIFFERENCE_CLASSES,
                "question": f"Onze loopafstand min de afstand van CBS over de weg tot de dichtstbijzijnde {name} "
                            "(km; negatief = wij korter)"}
    parsed = metrics.parse_coverage_column(column)
    if parsed is None:
        text = column.replace("_", " ")
        return {"label": text, "question": f"Aandeel inwoners: {text}", "short": ""}
    prefix, distance = parsed
    dist = metrics.distance_text(distance)
    short = f"binnen {dist} m"
    if prefix in schema.codes("categorie"):
        cat = schema.label("categorie", prefix)
        return {"label": f"{cat} binnen {dist} m", "short": short,
                "question": f"Aandeel inwoners met iets uit '{cat.lower()}' binnen {dist} m lopen"}
    table = lenses()
    if prefix in table.index:
        group = str(table.loc[prefix, "label_nl"])
        return {"label": f"{group}: ontmoetingsplek binnen {dist} m", "short": short,
                "question": f"Aandeel {group.lower()} met een ontmoetingsplek voor hen binnen {dist} m lopen"}
    opening = metrics.parse_open_prefix(prefix)
    if opening is not None:
        # one Dutch word: "zondagmiddag", not "zondag middag"
        when = "".join(w.replace("_", " ") for w in opening if w)
        return {"label": f"Open op {when}: binnen {dist} m", "short": short,
                "question": f"Aandeel inwoners met een ontmoetingsplek die op {when} open is, binnen {dist} m"}
    return {"label": f"Ontmoetingsplekken binnen {dist} m", "short": short,
            "question": f"Aandeel inwoners met een ontmoetingsplek binnen {dist} m lopen"}


def count_label(column: str) -> str:
    """Dutch label of a count column: ``aantal_cultuur`` -> ``'Aantal: Cultuur en verhalen'``."""
    code = column.removeprefix("aantal_")
    text = schema.label("categorie", code) if code in schema.codes("categorie") else code.replace("_", " ")
    return f"Aantal: {text}"


def labels(field: str) -> dict[str, str]:
    """Code -> Dutch label of one vocabulary field (``doelgroep``, ``fase`` ...)."""
    return {c: schema.label(field, c) for c in schema.codes(field)}


@lru_cache(maxsize=None)
def asset_text(name: str) -> str:
    """The text of a file in ``render/assets`` (``map.js``, ``map.css``)."""
    return (ASSETS_DIR / name).read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def icon_svg(icon: str) -> str:
    """Inline SVG of a category icon (``render/assets/icons``); the star for an unknown icon."""
    path = ASSETS_DIR / "icons" / f"{icon}.svg"
    if not path.is_file():
        path = ASSETS_DIR / "icons" / "ster.svg"
    svg = path.read_text(encoding="utf-8").strip()
    return svg.replace('xmlns="http://www.w3.org/2000/svg" ', "")


def category_info(code: str) -> dict[str, str]:
    """Code, Dutch label, colour and map-pin HTML of an ABCD category."""
    vocab = schema.vocabulary()
    row = vocab[(vocab["field"] == "categorie") & (vocab["code"] == code)]
    icon = row.iloc[0]["icon"] if not row.empty and row.iloc[0]["icon"] else "ster"
    colour = safe_colour(schema.colour("categorie", code))
    marker = f'<div class="abcd-pin" style="background:{colour}">{icon_svg(icon)}</div>'
    return {"code": code, "label": schema.label("categorie", code), "colour": colour, "marker_html": marker}
