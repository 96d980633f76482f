"""The interactive HTML map: one self-contained file that opens offline.

Built on ``offlinefolium`` (folium 0.20 with its JavaScript/CSS inlined). Only
Leaflet, Leaflet.markercluster and the grouped layer control are included; no
jQuery, Bootstrap or icon fonts. The data travel as one JSON object
(``<script type="application/json" id="abcd-data">``, made by
:func:`abcd_map.render.escape.to_js`); our own
script (``assets/map.js``) draws popups, tooltips, the legend, the metric
switch, search and filters from it with ``textContent``, so no text from an
input file is ever interpreted as HTML or JavaScript.
"""

from __future__ import annotations

import os
import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Sequence

import geopandas as gpd
import numpy as np
import offlinefolium
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from offlinefolium.map import Layer
from offlinefolium.plugins import GroupedLayerControl, MarkerCluster
from offlinefolium.template import Template

from .. import hours, schema, settings
from ..export import write_atomic
from ..welcoming import stale_contact
from .escape import escape_html, to_js

ASSETS_DIR = Path(__file__).with_name("assets")

_LEAFLET_JS = ("leaflet", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js")
_LEAFLET_CSS = ("leaflet_css", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css")

#: Colour classes of the coverage choropleth (share of residents, percent).
COVERAGE_CLASSES = [
    {"max": 25, "colour": "#ffffcc", "label": "0–25%: weinig inwoners binnen loopafstand"},
    {"max": 50, "colour": "#a1dab4", "label": "25–50%: minder dan de helft"},
    {"max": 75, "colour": "#41b6c4", "label": "50–75%: meer dan de helft"},
    {"max": 100, "colour": "#225ea8", "label": "75–100%: (bijna) iedereen binnen loopafstand"},
]
NODATA_COLOUR = "#e6e6e6"

#: Known gap layers: label, style and which properties their tooltip shows.
GAP_LAYERS: dict[str, dict[str, Any]] = {
    "witte_vlekken": {
        "label": "Witte vlekken: niets binnen loopafstand",
        "style": "white",
        "fields": [("buurtnaam", "Buurt"), ("inwoners_geschat", "Inwoners (geschat)")],
    },
    "kennisgaten": {
        "label": "Kennisgaten: hier weten we (nog) niets",
        "style": "knowledge",
        "fields": [("buurtnaam", "Buurt"), ("reden", "Reden")],
    },
    "loopgebied": {
        "label": "Loopgebied: binnen loopafstand van een ontmoetingsplek",
        "style": "walk",
        "fields": [("afstand_m", "Loopafstand (m)"), ("afstand_methode", "Gemeten")],
        "show": False,
    },
}

#: Optional background map (only drawn when switched on, and then only with internet).
BACKGROUND_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
BACKGROUND_ATTRIBUTION = "&copy; OpenStreetMap-bijdragers"
BACKGROUND_LABEL = "Achtergrondkaart OpenStreetMap (alleen met internet)"

MODE_TEXT = {
    "publiek": "veilig om te delen. Personen staan er alleen op met hun toestemming; "
    "verder tellen ze alleen mee in aantallen per buurt.",
    "team": "alleen voor eigen gebruik, niet delen. Met personen en contactgegevens.",
}

#: Asset columns the map shows (besides categorie and geometry), in popup order.
_ASSET_FIELDS = [
    "naam", "soort", "label", "omschrijving", "doelgroepen", "inloop", "wanneer",
    "openingstijden", "beheerder", "contactpersoon", "telefoon", "email", "website",
    "adres", "laatste_contact", "bron", "fase", "capaciteit", "herkomst", "osm_id",
]
#: Opening-time masks per asset (see :func:`opening_masks`).
_TIME_COLUMNS = ("dagen", "dagdelen", "dagen_onbekend", "dagdelen_onbekend")
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")
#: Coverage columns are ``[<prefix>_]dekking_<afstand>m``; the prefix is an ABCD category,
#: a lens (data/lenses.csv) or ``open_<dag>[_<dagdeel>]`` (see abcd_map.pipeline).
_METRIC = re.compile(r"^(?:(?P<prefix>[a-z_]+?)_)?dekking_(?P<dist>[0-9.]+)m$")


# --------------------------------------------------------------------------- folium elements
class AbcdMap(offlinefolium.Map):
    """A folium Map with only Leaflet's own assets plus abcd-map's data, CSS and script."""

    default_js = [_LEAFLET_JS]
    default_css = [_LEAFLET_CSS]

    def __init__(self, data: dict, page_title: str, **kwargs: Any):
        super().__init__(tiles=None, **kwargs)
        self.abcd_data = data
        self.page_title = page_title

    def render(self, **kwargs: Any) -> None:
        super().render(**kwargs)
        header = self.get_root().header
        # After Leaflet and plugins (added while rendering), so our CSS wins and L exists.
        header.add_child(_Raw(f"<title>{escape_html(self.page_title)}</title>"), name="abcd_title")
        header.add_child(_Raw(f"<style>{_asset_text('map.css')}</style>"), name="abcd_css")
        # JSON in a non-executed script block: parsed with JSON.parse (faster than a JS literal).
        header.add_child(_Raw(f'<script type="application/json" id="abcd-data">{to_js(self.abcd_data)}</script>'),
                         name="abcd_data")
        header.add_child(_Raw(f"<script>{_asset_text('map.js')}</script>"), name="abcd_js")


class _Raw(Element):
    """Literal HTML (branca's Element would run its text through Jinja)."""

    def __init__(self, text: str):
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:  # noqa: D102
        return self._text


class _JsLayer(Layer):
    """A layer made by one of the ``ABCD.*`` factories in map.js."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = ABCD.{{ this.factory }}({{ this.arg|tojavascript }});"
        "{% endmacro %}"
    )

    def __init__(self, factory: str, arg: Any, name: str, show: bool = True):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "AbcdLayer"
        if not re.fullmatch(r"[A-Za-z]+", factory):
            raise ValueError(factory)
        self.factory = factory
        self.arg = arg


class _Call(MacroElement):
    """``ABCD.<fn>(<parent>[, arg]);`` in the map script."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "ABCD.{{ this.fn }}({{ this._parent.get_name() }}{% if this.arg is not none %}, "
        "{{ this.arg|tojavascript }}{% endif %});"
        "{% endmacro %}"
    )

    def __init__(self, fn: str, arg: Any = None):
        super().__init__()
        self._name = "AbcdCall"
        if not re.fullmatch(r"[A-Za-z]+", fn):
            raise ValueError(fn)
        self.fn = fn
        self.arg = arg


# --------------------------------------------------------------------------- helpers
@lru_cache(maxsize=None)
def _asset_text(name: str) -> str:
    return (ASSETS_DIR / name).read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def _icon_svg(icon: str) -> str:
    path = ASSETS_DIR / "icons" / f"{icon}.svg"
    if not path.is_file():
        path = ASSETS_DIR / "icons" / "ster.svg"
    svg = path.read_text(encoding="utf-8").strip()
    return svg.replace('xmlns="http://www.w3.org/2000/svg" ', "")


def _safe_colour(colour: str, default: str = "#666666") -> str:
    return colour if isinstance(colour, str) and _HEX.match(colour) else default


def _category_info(code: str) -> dict[str, str]:
    vocab = schema.vocabulary()
    row = vocab[(vocab["field"] == "categorie") & (vocab["code"] == code)]
    icon = row.iloc[0]["icon"] if not row.empty and row.iloc[0]["icon"] else "ster"
    colour = _safe_colour(schema.colour("categorie", code))
    marker = f'<div class="abcd-pin" style="background:{colour}">{_icon_svg(icon)}</div>'
    return {"code": code, "label": schema.label("categorie", code), "colour": colour, "marker_html": marker}


def _labels(field: str) -> dict[str, str]:
    return {c: schema.label(field, c) for c in schema.codes(field)}


def metric_label(column: str) -> dict[str, str]:
    """Dutch label, question and short text for a coverage column such as ``dekking_500m``.

    Column names follow ``[<prefix>_]dekking_<afstand>m`` with prefix an ABCD category
    (``cultuur_dekking_500m``), a lens (``senioren_dekking_300m``) or an opening time
    (``open_zondag_middag_dekking_500m``).
    """
    from ..analyse.coverage import lenses

    m = _METRIC.match(column)
    if not m:
        text = column.replace("_", " ")
        return {"label": text, "question": f"Aandeel inwoners: {text}", "short": ""}
    dist, prefix = m.group("dist"), m.group("prefix") or ""
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
    if prefix.startswith("open_"):
        when = " ".join(prefix.split("_")[1:])
        return {"label": f"Open op {when}: binnen {dist} m", "short": short,
                "question": f"Aandeel inwoners met een ontmoetingsplek die op {when} open is, binnen {dist} m"}
    return {"label": f"Ontmoetingsplekken binnen {dist} m", "short": short,
            "question": f"Aandeel inwoners met een ontmoetingsplek binnen {dist} m lopen"}


def _metric_list(buurten: pd.DataFrame, metrics: Sequence[str] | Mapping[str, str] | None) -> list[dict]:
    if metrics is None:
        keys = [c for c in buurten.columns if _METRIC.match(c)]
        given: Mapping[str, str] = {}
    elif isinstance(metrics, Mapping):
        keys, given = list(metrics), metrics
    else:
        keys, given = list(metrics), {}
    out = []
    for key in keys:
        if key not in buurten.columns:
            continue
        info = metric_label(key)
        if key in given:
            info["label"] = str(given[key])
        out.append({"key": key, **info})
    return out


def _column_values(series: pd.Series, digits: int = 1) -> list:
    """A column as JSON-ready Python values (None for missing); numbers rounded to ``digits``."""
    if pd.api.types.is_bool_dtype(series):
        return [bool(v) for v in series]
    if pd.api.types.is_numeric_dtype(series):
        arr = series.to_numpy(dtype=float, na_value=np.nan)
        return [None if np.isnan(v) else (int(v) if float(v).is_integer() else round(float(v), digits)) for v in arr]
    if pd.api.types.is_datetime64_any_dtype(series):
        return [None if pd.isna(v) else v.strftime("%d-%m-%Y") for v in series]
    obj = series.astype(object)
    return [None if (v is None or (not isinstance(v, (list, dict)) and pd.isna(v)) or v == "") else
            (v if isinstance(v, (bool, int, float)) else str(v)) for v in obj]


def _table(df: pd.DataFrame, columns: Sequence[str], keep_empty: bool = False) -> dict:
    """Column names + row lists; columns that are empty throughout are left out unless ``keep_empty``."""
    cols, values = [], []
    for c in columns:
        if c not in df.columns:
            continue
        v = _column_values(df[c], 5 if c in ("lat", "lon") else 1)
        if keep_empty or any(x is not None for x in v):
            cols.append(c)
            values.append(v)
    return {"cols": cols, "rows": [list(r) for r in zip(*values)] if cols else [[] for _ in range(len(df))]}


def _round_geoms(geoms: np.ndarray) -> np.ndarray:
    """WGS84 geometries on a 1e-5 degree grid (about 1 m), then exact decimals."""
    geoms = shapely.set_precision(geoms, settings.map_precision)
    digits = max(0, int(round(-np.log10(settings.map_precision))))
    return shapely.transform(geoms, lambda xy: np.round(xy, digits))


def simplify_areas(areas: gpd.GeoDataFrame, tolerance: float | None = None) -> gpd.GeoSeries:
    """Simplify a set of neighbouring polygons together, as a coverage, and round for the map.

    Shared edges are simplified once (``shapely.coverage_simplify``), so no gaps
    or overlaps appear between neighbours. Returns WGS84 geometries rounded to
    ``settings.map_precision`` degrees, indexed like ``areas``.
    """
    tolerance = settings.map_simplify_tolerance if tolerance is None else tolerance
    geoms = areas.geometry.values
    if len(geoms) and tolerance > 0:
        geoms = shapely.coverage_simplify(geoms, tolerance, simplify_boundary=True)
    out = gpd.GeoSeries(geoms, index=areas.index, crs=areas.crs).to_crs(settings.crs_wgs84)
    return gpd.GeoSeries(_round_geoms(out.values), index=areas.index, crs=settings.crs_wgs84)


def _feature_collection(geoms: Sequence, props: Sequence[dict]) -> dict:
    feats = []
    for g, p in zip(geoms, props):
        if g is None or g.is_empty:
            continue
        feats.append({"type": "Feature", "properties": p, "geometry": shapely.geometry.mapping(g)})
    return {"type": "FeatureCollection", "features": feats}


def _with_geometry(gdf: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    if gdf is None or len(gdf) == 0:
        return gdf
    ok = gdf.geometry.notna() & ~gdf.geometry.is_empty
    out = gdf[ok]
    if out.crs is None:
        out = out.set_crs(settings.crs)
    return out.to_crs(settings.crs)


# --------------------------------------------------------------------------- opening times
#: Parts of the day offered in the map's time filter (names and hours from data/dutch_hours.csv).
DAY_PARTS = ("ochtend", "middag", "avond")


def day_names() -> list[str]:
    """Dutch weekday names, Monday first, from ``data/dutch_hours.csv`` (via :mod:`abcd_map.hours`)."""
    return [hours.day_name(day) for day in range(7)]


def day_parts() -> list[dict[str, str]]:
    """The filter's parts of the day with their hours, e.g. ``{"code": "middag", "label": "middag (12–18 uur)"}``."""
    out = []
    for code in DAY_PARTS:
        start, end = hours.part_window(code)
        out.append({"code": code, "label": f"{code} ({start // 60}–{end // 60} uur)"})
    return out


def _mask(states: list[bool | None], want: bool | None) -> int:
    return sum(1 << i for i, s in enumerate(states) if s is want)


@lru_cache(maxsize=4096)
def opening_masks(oh: str | None) -> tuple[int | None, int | None, int | None, int | None]:
    """When a place with OSM hours ``oh`` is open, as bit masks for the map's time filter.

    Evaluated with :func:`abcd_map.hours.is_open`. Returns ``(dagen, dagdelen,
    dagen_onbekend, dagdelen_onbekend)``: bit ``d`` of ``dagen`` is set when open at
    some time on weekday ``d`` (0 = Monday); bit ``3 * d + p`` of ``dagdelen`` when open
    in part ``p`` of :data:`DAY_PARTS` on that day. The ``*_onbekend`` masks mark where
    the hours say neither open nor closed (None when there are none). Unknown hours
    (``oh`` None) give ``(None, None, None, None)``.

    Examples
    --------
    >>> opening_masks("We 10:00-12:00")[:2]
    (4, 64)
    """
    if oh is None:
        return None, None, None, None
    days = [hours.is_open(oh, d) for d in range(7)]
    parts = [hours.is_open(oh, d, p) for d in range(7) for p in DAY_PARTS]
    if all(s is None for s in days):
        return None, None, None, None
    return (_mask(days, True), _mask(parts, True), _mask(days, None) or None, _mask(parts, None) or None)


# --------------------------------------------------------------------------- data
def _asset_data(assets: gpd.GeoDataFrame | None, buurten: gpd.GeoDataFrame | None,
                today: date | None = None) -> tuple[dict, list[str]]:
    """Asset table for the page: only the columns the map shows, plus lat/lon, buurt and days."""
    assets = _with_geometry(assets)
    if assets is None or len(assets) == 0:
        return {"cols": [], "rows": []}, []
    assets = assets[assets.geometry.geom_type == "Point"].copy()
    if buurten is not None and len(buurten) and "buurtnaam" in buurten.columns:
        joined = gpd.sjoin(assets[["geometry"]], buurten[["buurtnaam", "geometry"]], how="left", predicate="within")
        joined = joined[~joined.index.duplicated()]
        assets["buurt"] = joined["buurtnaam"].reindex(assets.index)
    wgs = assets.geometry.to_crs(settings.crs_wgs84)
    digits = max(0, int(round(-np.log10(settings.map_precision))))
    assets["lat"] = np.round(wgs.y.to_numpy(), digits)
    assets["lon"] = np.round(wgs.x.to_numpy(), digits)
    cats = assets["categorie"].astype(object).where(assets["categorie"].notna(), "onbekend") \
        if "categorie" in assets.columns else pd.Series("onbekend", index=assets.index)
    assets["categorie"] = cats.astype(str)
    if "standaard_zichtbaar" in assets.columns:
        visible = assets["standaard_zichtbaar"].astype(object).map(
            lambda v: True if v is None or (not isinstance(v, str) and pd.isna(v)) else schema.parse_bool(v) is not False)
    else:
        visible = pd.Series(True, index=assets.index)
    assets["_group"] = np.where(visible.to_numpy(dtype=bool), "cat:" + assets["categorie"], "klein")
    masks = pd.DataFrame([opening_masks(oh) for oh in hours.resolve_hours(assets)["oh"]],
                         columns=list(_TIME_COLUMNS), index=assets.index, dtype=object)
    for col in _TIME_COLUMNS:
        assets[col] = masks[col]
    if "inloop" in assets.columns:
        assets["inloop"] = assets["inloop"].astype(object).map(lambda v: True if v is True or v is np.True_ else False)
    stale = None
    if "laatste_contact" in assets.columns:
        when = pd.to_datetime(assets["laatste_contact"], errors="coerce")
        # on asset popups only a known old date is flagged: most OSM places never had contact
        stale = stale_contact(when, today=today, unknown_is_stale=False)
        assets["laatste_contact"] = when
        assets["contact_oud"] = stale
    cols = ["lat", "lon", "categorie", "_group", "buurt", *_TIME_COLUMNS, "contact_oud"] + _ASSET_FIELDS
    groups = list(dict.fromkeys(assets["_group"]))
    table = _table(assets, cols)
    for required in ("lat", "lon", "categorie", "_group"):
        assert required in table["cols"]
    return table, groups


def _area_data(buurten: gpd.GeoDataFrame | None, wijken: gpd.GeoDataFrame | None,
               metric_keys: list[str]) -> tuple[dict, dict, list[dict], Any]:
    """Buurt and wijk geometry + tables for the page."""
    count_cols = []
    if buurten is not None and len(buurten):
        count_cols = [c for c in buurten.columns if c.startswith("aantal_")]
        b = buurten.copy()
        if "gegevens" in b.columns:
            b["gegevens"] = ~b["gegevens"].astype(object).map(lambda v: str(v).strip().lower().startswith("geen"))
        if "wijknaam" not in b.columns and wijken is not None and "wijknaam" in wijken.columns and "wijkcode" in b.columns:
            b["wijknaam"] = b["wijkcode"].map(dict(zip(wijken["wijkcode"], wijken["wijknaam"])))
        geo = simplify_areas(b)
        cols = ["buurtcode", "buurtnaam", "wijkcode", "wijknaam", "inwoners", "gegevens", "personen",
                *metric_keys, *count_cols]
        buurt_geo = _feature_collection(geo.values, [{"i": i} for i in range(len(b))])
        buurt_table = _table(b, cols, keep_empty=True)
        bounds = geo.total_bounds
    else:
        buurt_geo, buurt_table, bounds = _feature_collection([], []), {"cols": [], "rows": []}, None
    if wijken is not None and len(wijken):
        geo = simplify_areas(wijken)
        label_pts = gpd.GeoSeries(shapely.point_on_surface(wijken.geometry.values), crs=wijken.crs) \
            .to_crs(settings.crs_wgs84)
        props = [{"wijkcode": None if pd.isna(code) else str(code), "label": [round(p.y, 5), round(p.x, 5)]}
                 for code, p in zip(wijken["wijkcode"], label_pts)]
        wijk_geo = _feature_collection(geo.values, props)
        wijk_table = _table(wijken.assign(wijkcode=wijken["wijkcode"].astype(str)),
                            ["wijkcode", "wijknaam", "inwoners", *metric_keys], keep_empty=True)
        if bounds is None:
            bounds = geo.total_bounds
    else:
        wijk_geo, wijk_table = _feature_collection([], []), {"cols": [], "rows": []}
    counts = []
    for c in count_cols:
        code = c[len("aantal_"):]
        text = schema.label("categorie", code) if code in schema.codes("categorie") else code.replace("_", " ")
        counts.append({"key": c, "label": f"Aantal: {text}"})
    return ({"geo": buurt_geo, "table": buurt_table}, {"geo": wijk_geo, "table": wijk_table}, counts, bounds)


def _gap_data(gaps: Mapping[str, gpd.GeoDataFrame] | None) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for name, gdf in (gaps or {}).items():
        gdf = _with_geometry(gdf)
        if gdf is None or len(gdf) == 0:
            continue
        known = GAP_LAYERS.get(name)
        if known:
            label, style, fields = known["label"], known["style"], known["fields"]
        else:
            label, style = str(name).replace("_", " ").capitalize(), "knowledge"
            fields = [(c, c.replace("_", " ")) for c in gdf.columns if c != gdf.geometry.name][:6]
        fields = [(k, v) for k, v in fields if k in gdf.columns]
        geoms = shapely.simplify(gdf.geometry.values, 2.0, preserve_topology=True)
        wgs = _round_geoms(gpd.GeoSeries(geoms, crs=gdf.crs).to_crs(settings.crs_wgs84).values)
        table = _table(gdf, [k for k, _ in fields])
        props = [dict(zip(table["cols"], row)) for row in table["rows"]]
        out[str(name)] = {"label": label, "style": style, "geo": _feature_collection(wgs, props),
                          "fields": [{"key": k, "label": v} for k, v in fields]}
    return out


def _welcoming_data(welcoming: gpd.GeoDataFrame | None) -> dict | None:
    """Points of the welcoming-stage layer (kwartiermaken): stage, contact and freshness per place."""
    welcoming = _with_geometry(welcoming)
    if welcoming is None or len(welcoming) == 0:
        return None
    w = welcoming[welcoming.geometry.geom_type == "Point"].copy()
    if w.empty:
        return None
    wgs = w.geometry.to_crs(settings.crs_wgs84)
    digits = max(0, int(round(-np.log10(settings.map_precision))))
    w["lat"] = np.round(wgs.y.to_numpy(), digits)
    w["lon"] = np.round(wgs.x.to_numpy(), digits)
    stages = list(schema.codes("fase"))
    fase = w["fase"].astype(object).where(w["fase"].isin(stages), "onbekend") if "fase" in w else "onbekend"
    w["fase"] = fase
    if "laatste_contact" in w:
        w["laatste_contact"] = pd.to_datetime(w["laatste_contact"], errors="coerce")
    if "contact_verouderd" in w:
        w["contact_verouderd"] = w["contact_verouderd"].astype(object).map(lambda v: v is True or v is np.True_)
    table = _table(w, ["lat", "lon", "naam", "soort", "categorie", "beheerder", "fase", "laatste_contact",
                       "maanden_sinds_contact", "contact_verouderd"], keep_empty=True)
    counts = w["fase"].value_counts()
    months = settings.stale_contact_months
    return {
        "table": table,
        "stages": [{"code": c, "label": schema.label("fase", c), "colour": _safe_colour(schema.colour("fase", c)),
                    "n": int(counts.get(c, 0))} for c in stages],
        "stale_months": months,
        "stale_label": f"contact ouder dan {months} maanden (of nooit vastgelegd)",
    }


def _relation_data(relations: gpd.GeoDataFrame | None) -> dict | None:
    relations = _with_geometry(relations)
    if relations is None or len(relations) == 0:
        return None
    wgs = _round_geoms(relations.geometry.to_crs(settings.crs_wgs84).values)
    table = _table(relations, ["van_naam", "naar_naam", "relatie"])
    return _feature_collection(wgs, [dict(zip(table["cols"], row)) for row in table["rows"]])


def _meta_date(meta: Mapping[str, Any] | None) -> date | None:
    """The date of the data (``meta['datum']``, a date or an ISO text), or None."""
    value = (meta or {}).get("datum")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return date.fromisoformat(value.strip())
    return None


def _meta(meta: Mapping[str, Any] | None, mode: str) -> dict:
    meta = dict(meta or {})
    modus = str(meta.get("modus") or mode)
    notes = meta.get("notes") or []
    if isinstance(notes, str):
        notes = [notes]
    afstand = meta.get("afstand", settings.default_distance)
    if isinstance(afstand, (int, float)) and not isinstance(afstand, bool):
        afstand = f"{afstand:g} m"
    datum = _meta_date(meta) or meta.get("datum") or ""
    if hasattr(datum, "strftime"):
        datum = datum.strftime("%d-%m-%Y")
    return {
        "title": str(meta.get("title") or "ABCD-kaart"),
        "gebied": str(meta.get("gebied") or ""),
        "datum": str(datum),
        "bronnen": [str(s) for s in (meta.get("bronnen") or [])],
        "modus": modus if modus in MODE_TEXT else "publiek",
        "modus_label": schema.label("modus", modus),
        "modus_uitleg": MODE_TEXT.get(modus, MODE_TEXT["publiek"]),
        "fictief": bool(meta.get("fictief", False)),
        "afstand": str(afstand or ""),
        "notes": [str(n) for n in notes],
    }


# --------------------------------------------------------------------------- public API
def render_map(
    buurten: gpd.GeoDataFrame | None,
    wijken: gpd.GeoDataFrame | None,
    assets: gpd.GeoDataFrame | None,
    *,
    metrics: Sequence[str] | Mapping[str, str] | None = None,
    gaps: Mapping[str, gpd.GeoDataFrame] | None = None,
    relations: gpd.GeoDataFrame | None = None,
    welcoming: gpd.GeoDataFrame | None = None,
    meta: Mapping[str, Any] | None = None,
    mode: str = "publiek",
    online_background: bool = True,
) -> offlinefolium.Map:
    """Build the interactive, offline HTML map.

    Parameters
    ----------
    buurten, wijken
        Area tables (EPSG:28992) with coverage columns (``dekking_*``, percent).
        Rows without geometry are skipped.
    assets
        Asset table, already filtered for ``mode`` by :mod:`abcd_map.privacy`.
    metrics
        Coverage columns offered in the metric switch (list, or dict column ->
        Dutch label); default every ``dekking_*`` column of ``buurten``.
    gaps
        Gap layers by name (``witte_vlekken``, ``kennisgaten``, ...).
    relations
        LineStrings with ``van_naam``, ``naar_naam``, ``relatie``.
    welcoming
        Welcoming stages (kwartiermaken) as made by :func:`abcd_map.welcoming.welcoming_table`
        plus Point geometry: naam, fase, laatste_contact, maanden_sinds_contact,
        contact_verouderd. Drawn as an overlay that is off by default.
    meta
        title, gebied, datum, bronnen, modus, fictief, afstand, notes.
    mode
        'publiek' or 'team' (shown on the map; privacy is decided upstream).
    online_background
        Offer an OpenStreetMap background layer, off by default; the map never loads
        a tile unless the user switches it on (and then needs internet).

    Returns
    -------
    offlinefolium.Map
        Save it with :func:`save_map`.
    """
    buurten = _with_geometry(buurten)
    wijken = _with_geometry(wijken)
    if buurten is not None:
        buurten = buurten.reset_index(drop=True)
    if wijken is not None:
        wijken = wijken.reset_index(drop=True)
    metric_list = _metric_list(buurten if buurten is not None else pd.DataFrame(), metrics)
    metric_keys = [m["key"] for m in metric_list]
    buurt_data, wijk_data, count_cols, bounds = _area_data(buurten, wijken, metric_keys)
    asset_table, groups = _asset_data(assets, buurten, _meta_date(meta))
    gap_data = _gap_data(gaps)
    welcoming_data = _welcoming_data(welcoming)
    relation_data = _relation_data(relations)
    info = _meta(meta, mode)

    present = [g[4:] for g in groups if g.startswith("cat:")]
    order = list(schema.codes("categorie"))
    cat_codes = [c for c in order if c in present] + sorted(c for c in present if c not in order)
    hidden_cats = sorted({r[asset_table["cols"].index("categorie")] for r in asset_table["rows"]
                          if r[asset_table["cols"].index("_group")] == "klein"}) if asset_table["cols"] else []
    categories = [_category_info(c) for c in dict.fromkeys(cat_codes + hidden_cats)]

    if bounds is None and asset_table["rows"]:
        lat = [r[0] for r in asset_table["rows"]]
        lon = [r[1] for r in asset_table["rows"]]
        bounds = [min(lon), min(lat), max(lon), max(lat)]
    leaflet_bounds = [[bounds[1], bounds[0]], [bounds[3], bounds[2]]] if bounds is not None else None
    centre = ([(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2] if bounds is not None else [52.1, 5.1])
    doelgroep_labels = _labels("doelgroep")
    used_groups: set[str] = set()
    if "doelgroepen" in asset_table["cols"]:
        j = asset_table["cols"].index("doelgroepen")
        for r in asset_table["rows"]:
            used_groups.update(s.strip() for s in str(r[j] or "").split(";") if s.strip())
    n_wijken = len(wijk_data["geo"]["features"])

    data = {
        "meta": info,
        "metrics": metric_list,
        "classes": COVERAGE_CLASSES,
        "nodata_colour": NODATA_COLOUR,
        "buurten": buurt_data,
        "wijken": wijk_data,
        "count_columns": count_cols,
        "assets": asset_table,
        "categories": categories,
        "category_fallback": _category_info("onbekend") | {"label": "Overig"},
        "labels": {"doelgroep": doelgroep_labels, "fase": _labels("fase"), "soort": _labels("soort"),
                   "relatie": _labels("relatie")},
        "fase_colours": {c: _safe_colour(schema.colour("fase", c)) for c in schema.codes("fase")},
        "relation_colours": {"partner_van": "#0072B2", "verwijst_naar": "#D55E00",
                             "signaleert_aan": "#CC79A7", "brengt_mensen_naar": "#009E73"},
        "filter_doelgroepen": [{"code": c, "label": l} for c, l in doelgroep_labels.items()
                               if c in used_groups and c != "iedereen"],
        "gaps": gap_data,
        "relations": relation_data,
        "welcoming": welcoming_data,
        "days": day_names(),
        "day_parts": day_parts(),
        "bounds": leaflet_bounds,
        "wijk_label_zoom": 0 if n_wijken <= 12 else 13,
    }

    m = AbcdMap(data, info["title"], location=centre, zoom_start=13, zoom_control="bottomleft",
                control_scale=True, **{"maxZoom": 19, "minZoom": 7, "zoomSnap": 0.5})
    m.add_child(_Call("start"))
    area_layers = []
    if buurt_data["geo"]["features"]:
        area_layers.append(_JsLayer("buurtLayer", None, _layer_name("Buurten (kleur: dekking)")).add_to(m))
    if wijk_data["geo"]["features"]:
        area_layers.append(_JsLayer("wijkLayer", None, _layer_name("Wijkgrenzen en wijknamen")).add_to(m))
    asset_layers = []
    counts = pd.Series([r[asset_table["cols"].index("_group")] for r in asset_table["rows"]]
                       if asset_table["rows"] else [], dtype=object).value_counts()
    for cat in categories:
        group = f"cat:{cat['code']}"
        if group not in counts:
            continue
        layer = _cluster(m, cat["label"], cat["colour"], int(counts[group]), show=True)
        layer.add_child(_Call("fillAssets", {"group": group, "categorie": cat["code"]}))
        asset_layers.append(layer)
    if "klein" in counts:
        layer = _cluster(m, "Kleine plekken (bankjes, picknicktafels …)", "#777777", int(counts["klein"]), show=False)
        layer.add_child(_Call("fillAssets", {"group": "klein", "categorie": None}))
        asset_layers.append(layer)
    gap_layers = [_JsLayer("gapLayer", key, _layer_name(g["label"], swatch=g["style"]),
                           show=GAP_LAYERS.get(key, {}).get("show", True)).add_to(m)
                  for key, g in gap_data.items()]
    rel_layers = []
    if relation_data:
        rel_layers.append(_JsLayer("relationLayer", None, _layer_name("Relaties tussen plekken en mensen"),
                                   show=False).add_to(m))
    stage_layers = []
    if welcoming_data:
        stage_layers.append(_JsLayer("stageLayer", None, _layer_name(
            "Gastvrijheid (kwartiermaken)", count=len(welcoming_data["table"]["rows"])), show=False).add_to(m))
    background = []
    if online_background:
        # off by default: the map draws without it; switched on, it needs internet
        background.append(offlinefolium.TileLayer(
            tiles=BACKGROUND_TILES, attr=BACKGROUND_ATTRIBUTION, name=_layer_name(BACKGROUND_LABEL),
            overlay=True, show=False, max_zoom=19, max_native_zoom=19).add_to(m))
    groups_ctl = {
        "Gebieden": area_layers,
        "Plekken en mensen (ABCD)": asset_layers,
        "Witte vlekken en kennisgaten": gap_layers,
        "Kwartiermaken": stage_layers,
        "Verbindingen": rel_layers,
        "Achtergrond": background,
    }
    groups_ctl = {escape_html(k): v for k, v in groups_ctl.items() if v}
    if groups_ctl:
        GroupedLayerControl(groups_ctl, exclusive_groups=False, collapsed=False, position="topright").add_to(m)
    m.add_child(_Call("finish"))
    return m


def _layer_name(text: str, colour: str | None = None, count: int | None = None, swatch: str | None = None) -> str:
    """HTML of a layer-control entry; the text is escaped (the control uses innerHTML).

    ``colour`` adds a round dot (asset layers), ``swatch`` a gap-style swatch (``white``, ``knowledge``):
    the layer list is the legend of these layers.
    """
    dot = f'<span class="abcd-swatch-dot" style="background:{_safe_colour(colour)}"></span>' if colour else ""
    if swatch and re.fullmatch(r"[a-z]+", swatch):
        dot += f'<span class="abcd-swatch abcd-gap-{swatch}"></span>'
    n = f' <span class="abcd-n">({count})</span>' if count is not None else ""
    return f"{dot}{escape_html(text)}{n}"


def _cluster(m: offlinefolium.Map, label: str, colour: str, count: int, show: bool) -> MarkerCluster:
    layer = MarkerCluster(name=_layer_name(label, colour, count), show=show, overlay=True, control=True,
                          show_coverage_on_hover=False, max_cluster_radius=40,
                          disable_clustering_at_zoom=17, spiderfy_on_max_zoom=True, chunked_loading=True)
    layer.add_to(m)
    return layer


def map_html(m: offlinefolium.Map) -> str:
    """The complete HTML page of a map."""
    return m.get_root().render()


def save_map(m: offlinefolium.Map, path: str | os.PathLike) -> Path:
    """Write the map as one self-contained HTML file, atomically.

    The page is written to a temporary file in the same folder and then moved
    into place with ``os.replace``, so a reader never sees half a file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, map_html(m))
    return path


# --------------------------------------------------------------------------- one map per wijk
def file_slug(code: object) -> str:
    """A safe file-name part for a wijk code (the same in maps and overviews)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", str(code)).strip("_") or "wijk"


def render_per_wijk(
    buurten: gpd.GeoDataFrame,
    wijken: gpd.GeoDataFrame,
    assets: gpd.GeoDataFrame | None,
    out_dir: str | os.PathLike,
    *,
    metrics: Sequence[str] | Mapping[str, str] | None = None,
    gaps: Mapping[str, gpd.GeoDataFrame] | None = None,
    relations: gpd.GeoDataFrame | None = None,
    welcoming: gpd.GeoDataFrame | None = None,
    meta: Mapping[str, Any] | None = None,
    mode: str = "publiek",
    margin: float | None = None,
    overviews: bool = False,
) -> list[Path]:
    """One map per wijk plus an ``index.html`` linking them.

    Each map shows the wijk's buurten, and the assets, gaps, relations and welcoming stages within
    ``margin`` metres of the wijk (default ``settings.default_distance``), so
    places just across the border stay visible. Files are written atomically.

    With ``overviews``, each wijk also gets a static overview for handouts
    (``overzicht-<wijkcode>.png`` and ``.pdf``), linked from the index.

    Returns
    -------
    list of Path
        ``index.html`` first, then per wijk ``wijk-<wijkcode>.html`` (and its overviews).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    margin = settings.default_distance if margin is None else margin
    buurten = _with_geometry(buurten)
    wijken = _with_geometry(wijken)
    assets = _with_geometry(assets)
    relations = _with_geometry(relations)
    welcoming = _with_geometry(welcoming)
    meta = dict(meta or {})
    base_title = str(meta.get("title") or "ABCD-kaart")
    written: list[Path] = []
    entries: list[tuple[str, str, Any, str]] = []
    for _, wijk in wijken.iterrows():
        code = wijk["wijkcode"]
        name = str(wijk.get("wijknaam") or code)
        wb = buurten[buurten["wijkcode"] == code]
        if wb.empty:
            continue
        area = shapely.buffer(wijk.geometry, margin)

        def near(g: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
            return g[g.geometry.intersects(area)]

        wa = near(assets) if assets is not None and len(assets) else assets
        wg = {k: near(_with_geometry(v)) for k, v in (gaps or {}).items() if v is not None and len(v)}
        wr = near(relations) if relations is not None and len(relations) else None
        ww = near(welcoming) if welcoming is not None and len(welcoming) else None
        wmeta = meta | {"title": f"{base_title} — {name}", "gebied": name}
        m = render_map(wb, wijken[wijken["wijkcode"] == code], wa, metrics=metrics, gaps=wg, relations=wr,
                       welcoming=ww, meta=wmeta, mode=mode)
        fname = f"wijk-{file_slug(code)}.html"
        written.append(save_map(m, out_dir / fname))
        if overviews:
            from .static import static_overview

            stem = out_dir / f"overzicht-{file_slug(code)}"
            written += static_overview(buurten, wijken, assets, wijkcode=code, path_png=stem.with_suffix(".png"),
                                       path_pdf=stem.with_suffix(".pdf"), meta=meta)
        entries.append((fname, name, wijk.get("inwoners"), str(code)))
    index = out_dir / "index.html"
    write_atomic(index, _index_html(base_title, meta, entries, overviews))
    return [index, *written]


def _index_html(title: str, meta: Mapping[str, Any], entries: list[tuple[str, str, Any, str]],
                overviews: bool = False) -> str:
    rows = []
    for fname, name, inwoners, code in sorted(entries, key=lambda e: e[1].lower()):
        n = "" if inwoners is None or pd.isna(inwoners) else f"{int(inwoners):,}".replace(",", ".") + " inwoners"
        stem = fname.replace("wijk-", "overzicht-", 1).removesuffix(".html")
        prints = "".join(f' · <a href="{escape_html(stem)}.{ext}">{ext.upper()}</a>' for ext in ("png", "pdf")
                         if overviews)
        rows.append(f'<li><a href="{escape_html(fname)}">{escape_html(name)}</a>{prints} '
                    f'<span class="code">{escape_html(code)}</span> <span class="n">{escape_html(n)}</span></li>')
    fictief = '<p class="fictief">FICTIEF: alle namen en plekken zijn verzonnen.</p>' if meta.get("fictief") else ""
    sources = "; ".join(str(s) for s in (meta.get("bronnen") or []))
    return (
        "<!DOCTYPE html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\">"
        f"<title>{escape_html(title)}: kaarten per wijk</title>"
        "<style>body{font:17px/1.5 system-ui,sans-serif;max-width:50em;margin:2em auto;padding:0 1em;color:#1a1a1a}"
        "li{margin:.3em 0}.code,.n{color:#666;font-size:.85em}.fictief{color:#fff;background:#b2182b;"
        "display:inline-block;padding:.2em .6em;border-radius:4px;font-weight:700}</style></head><body>"
        f"{fictief}<h1>{escape_html(title)}</h1><p>Kies een wijk:</p><ul>{''.join(rows)}</ul>"
        f"<p class=\"n\">Bronnen: {escape_html(sources)}</p></body></html>\n"
    )
