"""The wijkprofiel: a printable "sociale foto" per wijk (A4 PDF and HTML), from a Publication only.

:func:`write_reports` writes ``rapport-<wijkcode>.pdf`` and ``.html`` per wijk and
``rapport-alles.pdf``/``.html`` for the whole selection. Every figure comes from the
publication's tables (the same as ``buurten.csv``, ``wijken.csv`` and
``gemeenten.csv``) and is printed with one formatter,
:func:`abcd_map.render.report_doc.dutch_number`; an unknown value prints as
"onbekend", never as 0. Because the writer gets the Publication only, the report
shows no more of a person than the mode allows; in team mode every page says
"TEAM — niet delen".
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from . import metrics, schema, settings
from .publication import TEAM_MARK, Publication, require_publication
from .render import report_charts as charts
from .render._style import metric_label
from .render.report_doc import NO_DATA, UNKNOWN, Block, Document, dutch_number, is_missing, text_table
from .render.report_html import render_html
from .render.report_pdf import render_pdf

#: Need indicators from CBS Kerncijfers (``--cbs-kerncijfers``), with their Dutch labels.
NEED_LABELS = {
    "cbs_pct_65_plus": "65 jaar of ouder (%)",
    "cbs_pct_laag_inkomen": "Inwoners met laag inkomen (%)",
    "cbs_pct_huishoudens_laag_inkomen": "Huishoudens met laag inkomen (%)",
    "cbs_bijstand": "Bijstand (uitkeringen)",
    "cbs_pct_jeugdzorg": "Jongeren met jeugdzorg (%)",
    "cbs_wmo_per_1000": "Wmo-voorzieningen per 1.000 inwoners",
    "cbs_eenpersoonshuishoudens": "Eenpersoonshuishoudens",
}
AGE_LABELS = {"p_00_14": "0-14 jaar", "p_15_24": "15-24 jaar", "p_25_44": "25-44 jaar", "p_45_64": "45-64 jaar",
              "p_65_plus": "65 jaar of ouder"}
#: How many welcoming and hand-collected places the main part lists (the rest: appendix).
MAX_LISTED = 15


@dataclass
class Area:
    """The subject of one report: a wijk (rows = its buurten) or the whole selection (rows = wijken)."""

    code: str
    name: str
    rows: gpd.GeoDataFrame
    row_kind: str  # "buurt" or "wijk"
    totals: list[tuple[str, pd.Series]]  # the area itself first (when known), then its gemeente(n)
    buurten: gpd.GeoDataFrame
    gemeente_buurten: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    assets: gpd.GeoDataFrame | None = None

    @property
    def row_names(self) -> list[str]:
        """The names of the rows, numbered as on the map."""
        col = f"{self.row_kind}naam"
        return [str(v) if not is_missing(v) else str(c) for v, c in zip(self.rows.get(col, self.rows.index),
                                                                          self.rows[f"{self.row_kind}code"])]


# --------------------------------------------------------------------------- formatting

def decimals(column: str) -> int:
    """Decimals a column is printed with: counts none, distances in km two, everything else one."""
    if metrics.is_count_column(column) or column == "personen":
        return 0
    return 2 if str(column).endswith("_km") else 1


def unit(column: str) -> str:
    """The unit printed after a figure of ``column`` ("%", " km" or nothing)."""
    col = str(column)
    if metrics.is_coverage_column(col) or col.startswith("p_") or col.endswith("_pct") or "_pct_" in col:
        return "%"
    return " km" if col.endswith("_km") else ""


def fmt(row: pd.Series | dict | None, column: str) -> str:
    """The figure ``row[column]`` as printed: Dutch number with unit; "onbekend" when missing."""
    if row is None or column not in row:
        return UNKNOWN
    value = row[column]
    if isinstance(value, str) and value.strip() and not _is_number(value):
        return value  # text such as "< 5"
    return dutch_number(value, decimals(column), unit(column))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def weighted(frame: pd.DataFrame, column: str) -> float:
    """The resident-weighted mean of ``column`` over the rows that know both; NaN when none do."""
    if column not in frame or "inwoners" not in frame:
        return float("nan")
    values = pd.to_numeric(frame[column], errors="coerce")
    weights = pd.to_numeric(frame["inwoners"], errors="coerce")
    ok = values.notna() & weights.notna() & (weights > 0)
    return float(np.average(values[ok], weights=weights[ok])) if ok.any() else float("nan")


def _sum_known(frame: pd.DataFrame, column: str) -> float:
    """The sum of ``column`` when every row knows it; NaN otherwise."""
    if column not in frame or not len(frame):
        return float("nan")
    values = pd.to_numeric(frame[column], errors="coerce")
    return float(values.sum()) if values.notna().all() else float("nan")


# --------------------------------------------------------------------------- areas

def _assets_with_buurt(publication: Publication) -> gpd.GeoDataFrame:
    """The shown assets that are not persons, with the buurt (code, name, wijk) they lie in."""
    assets = publication.assets
    if assets is None or not len(assets) or "geometry" not in assets:
        return gpd.GeoDataFrame(columns=["naam", "buurtcode", "buurtnaam", "wijkcode", "geometry"],
                                geometry="geometry", crs=settings.crs)
    places = assets[assets["soort"].astype(str).ne("persoon")] if "soort" in assets else assets
    places = places[places.geometry.notna()].to_crs(settings.crs)
    areas = publication.buurten[[c for c in ("buurtcode", "buurtnaam", "wijkcode", "geometry")
                                 if c in publication.buurten]]
    areas = areas[areas.geometry.notna()].to_crs(settings.crs)
    joined = gpd.sjoin(places, areas, how="left", predicate="within").drop(columns="index_right")
    return joined[~joined.index.duplicated()]


def _gemeente_rows(publication: Publication, codes: list[str]) -> list[tuple[str, pd.Series]]:
    gm = publication.gemeenten
    if gm is None or not len(gm) or "gemeentecode" not in gm:
        return []
    rows = gm[gm["gemeentecode"].isin(codes)]
    return [(f"Gemeente {r.get('gemeentenaam', r['gemeentecode'])}", r) for _, r in rows.iterrows()]


def report_areas(publication: Publication) -> list[Area]:
    """One :class:`Area` per wijk of the publication, then one for the whole selection (code ``alles``)."""
    buurten, wijken = publication.buurten, publication.wijken
    assets = _assets_with_buurt(publication)
    gm_codes = list(dict.fromkeys(buurten.get("gemeentecode", pd.Series(dtype=str)).dropna().astype(str)))
    per_gm = {c: buurten[buurten["gemeentecode"].astype(str) == c] for c in gm_codes}
    out = []
    for _, wijk in wijken.iterrows():
        code = str(wijk["wijkcode"])
        rows = buurten[buurten["wijkcode"].astype(str) == code]
        gm = [str(c) for c in rows.get("gemeentecode", pd.Series(dtype=str)).dropna().unique()]
        name = str(wijk.get("wijknaam") or code)
        out.append(Area(code, name, rows.reset_index(drop=True), "buurt",
                        [(name if name.lower().startswith("wijk") else f"Wijk {name}", wijk)]
                        + _gemeente_rows(publication, gm), rows,
                        {c: per_gm[c] for c in gm if c in per_gm},
                        assets[assets["wijkcode"].astype(str) == code] if "wijkcode" in assets else assets))
    place = str(publication.meta.get("gebied") or "het hele gebied")
    out.append(Area("alles", place, wijken.reset_index(drop=True), "wijk", _gemeente_rows(publication, gm_codes),
                    buurten, per_gm, assets))
    return out


# --------------------------------------------------------------------------- the whole report

def write_reports(publication: Publication, folder: str | Path) -> list[Path]:
    """Write ``rapport-<wijkcode>.pdf``/``.html`` per wijk and ``rapport-alles.pdf``/``.html``.

    Parameters
    ----------
    publication
        What the run's mode may show (:func:`abcd_map.publication.publish`).
    folder
        Where to write (created when needed).

    Returns
    -------
    list of Path
        The files written, PDF and HTML per report.
    """
    publication = require_publication(publication)
    files: list[Path] = []
    for area in report_areas(publication):
        written = write_report(publication, area, folder)
        files += [written.pdf, written.html]
    return files


@dataclass(frozen=True)
class WrittenReport:
    """The files of one report and its page counts (main part, and with the appendix)."""

    pdf: Path
    html: Path
    pages: int
    total_pages: int


def write_report(publication: Publication, area: Area, folder: str | Path) -> WrittenReport:
    """Write the PDF and HTML of one area (see :func:`report_areas`) into ``folder``."""
    publication = require_publication(publication)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    doc = build_document(publication, area)
    pdf, pages, total = render_pdf(doc, folder / f"rapport-{area.code}.pdf")
    return WrittenReport(pdf, render_html(doc, folder / f"rapport-{area.code}.html"), pages, total)


def build_document(publication: Publication, area: Area) -> Document:
    """The report of one area as a :class:`Document` (the same blocks for PDF and HTML)."""
    meta = publication.meta
    title = f"Wijkprofiel {area.name}" if area.row_kind == "buurt" else f"Gebiedsprofiel {area.name}"
    subtitle = " · ".join(x for x in (f"{title} ({area.code})" if area.code != "alles" else title,
                                      f"gemaakt {meta.get('datum', '')}", f"modus {publication.mode}") if x)
    doc = Document(title=title, subtitle=subtitle, team_mark=TEAM_MARK if publication.is_team else "",
                   fictional=bool(meta.get("fictief")),
                   footer=f"abcd-map {meta.get('versie', '')} · cijfers uit buurten.csv, wijken.csv en gemeenten.csv "
                          "van dezelfde run")
    doc.add("title", title)
    if publication.is_team:
        doc.add("p", f"{TEAM_MARK}: dit rapport bevat werkgegevens van het team. Alleen voor eigen gebruik.")
    for section in (_glance, _map_section, _assets_section, _coverage_section, _distance_section, _need_section,
                    _welcoming_section, _changes_section, _places_section, _sources_section):
        section(doc, publication, area)
    _appendix(doc, area)
    return doc


# --------------------------------------------------------------------------- sections

def _glance(doc: Document, publication: Publication, area: Area) -> None:
    """Residents, households, assets, coverage, age profile and need: the area beside its gemeente."""
    doc.add("h2", "In één oogopslag")
    main = publication.main_distance
    cov = metrics.coverage_column(main)
    scopes = [(label, row, _scope_buurten(area, label, row)) for label, row in area.totals]
    if not scopes:
        doc.add("p", "Geen cijfers voor het gebied als geheel (geen wijk- of gemeentetabel).")
        return
    lines: list[tuple[str, list[str]]] = [
        ("Inwoners", [fmt(r, "inwoners") for _, r, _b in scopes]),
        ("Huishoudens (som van de buurten)", [dutch_number(_sum_known(b, "huishoudens")) for _, _r, b in scopes]),
        ("Assets (zonder personen)", [fmt(r, "aantal_assets") for _, r, _b in scopes]),
        ("Assets per 1.000 inwoners", [fmt(r, "per_1000_inwoners") for _, r, _b in scopes]),
        ("Personen (talenten)", [fmt(r, "personen") if "personen" in r else UNKNOWN for _, r, _b in scopes]),
        (f"Inwoners binnen {metrics.distance_text(main)} m van een ontmoetingsplek",
         [fmt(r, cov) for _, r, _b in scopes]),
    ]
    lines += [(f"Leeftijd {label} (%, gewogen)", [dutch_number(weighted(b, col), 1, "%") for _, _r, b in scopes])
              for col, label in AGE_LABELS.items() if col in area.buurten]
    lines += [(f"{label} (gemiddelde over de buurten, gewogen)",
               [dutch_number(weighted(b, col), 1, unit(col)) for _, _r, b in scopes])
              for col, label in NEED_LABELS.items() if col in area.buurten and ("pct" in col or col.endswith("_1000"))]
    table = pd.DataFrame([[name, *vals] for name, vals in lines], columns=["", *[s[0] for s in scopes]])
    doc.blocks.append(text_table(table, ("l",) + ("r",) * len(scopes)))
    doc.add("note", "Leeftijden en behoefte zijn gemiddelden van de buurten, gewogen naar het aantal inwoners. "
                    "'onbekend' = geen gegevens (niet 0). Personen onder de drempel staan als '< N'.")


def _scope_buurten(area: Area, label: str, row: pd.Series) -> pd.DataFrame:
    """The buurten a total row is about: the area's own, or its gemeente's (within the selection)."""
    code = str(row.get("gemeentecode", "")) if label.startswith("Gemeente") else ""
    return area.gemeente_buurten.get(code, area.buurten) if code else area.buurten


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _numbered(area: Area) -> list[str]:
    return [str(i + 1) for i in range(len(area.rows))]


def _map_section(doc: Document, publication: Publication, area: Area) -> None:
    """The map: rows coloured by main coverage, white spots, gaps, welcoming places, numbers, scale bar."""
    doc.add("h2", "Kaart")
    cov = metrics.coverage_column(publication.main_distance)
    rows = area.rows[area.rows.geometry.notna() & ~area.rows.geometry.is_empty] if len(area.rows) else area.rows
    if not len(rows):
        doc.add("p", "Geen kaart: de gebieden hebben geen geometrie in het bronbestand.")
        return
    places = area.assets
    if places is not None and "ontmoetingsplek" in places:
        places = places[places["ontmoetingsplek"].fillna(False).astype(bool)]
    sources = "Bronnen: " + "; ".join(str(s) for s in publication.meta.get("bronnen") or [])
    source = "\n".join(textwrap.wrap(sources, 38)[:8])
    layers = publication.layers

    def draw(ax) -> None:
        charts.draw_area_map(ax, rows, cov, spots=layers.get("witte_vlekken"), gaps=layers.get("kennisgaten"),
                             places=places, numbers=_numbered(area), metric_title=metric_label(cov)["label"],
                             source=source)

    doc.add("figure", f"Kaart van {area.name}", draw=draw, height=4.2)
    doc.add("note", f"Kleur: aandeel inwoners binnen {metrics.distance_text(publication.main_distance)} m lopen van "
                    "een ontmoetingsplek. Rood gearceerd: witte vlek (woningen buiten loopafstand). Paars gestippeld: "
                    f"kennisgat (we weten er niets). Ster: ontmoetingsplek. Nummers: de {area.row_kind}en in de "
                    "tabellen hieronder.")


def _category_columns(frame: pd.DataFrame) -> list[str]:
    return [f"aantal_{c}" for c in schema.codes("categorie") if f"aantal_{c}" in frame]


def _assets_reading(area: Area, ref: tuple[str, pd.Series] | None) -> str:
    """One sentence: the number of assets in the area and per 1,000 residents, against the gemeente."""
    subject = area.totals[0][1] if area.totals and area.row_kind == "buurt" else ref[1] if ref else None
    reading = f"In {area.name} zijn {fmt(subject, 'aantal_assets')} assets bekend, {fmt(subject, 'per_1000_inwoners')}" \
              " per 1.000 inwoners"
    if ref is not None and area.row_kind == "buurt":
        reading += f"; in de {_lower_first(ref[0])} is dat {fmt(ref[1], 'per_1000_inwoners')} per 1.000 inwoners"
    return reading + "."


def _assets_section(doc: Document, publication: Publication, area: Area) -> None:
    """Assets per ABCD category per row, per 1,000 residents, against the gemeente."""
    doc.add("h2", "Assets per ABCD-categorie")
    cats = _category_columns(area.rows)
    if not cats or not len(area.rows):
        doc.add("p", "Geen aantallen per categorie: er zijn geen assets bekend in dit gebied.")
        return
    ref = area.totals[-1] if area.totals else None
    doc.add("p", _assets_reading(area, ref))
    labels = {c: schema.label("categorie", c.removeprefix("aantal_")) for c in cats}
    residents = pd.to_numeric(area.rows.get("inwoners"), errors="coerce").replace(0, np.nan)
    parts = {labels[c]: (pd.to_numeric(area.rows[c], errors="coerce") / residents * 1000).to_numpy() for c in cats}
    colours = {labels[c]: schema.colour("categorie", c.removeprefix("aantal_")) for c in cats}
    names = [f"{i}. {n}" for i, n in zip(_numbered(area), area.row_names)]
    ref_value = pd.to_numeric(pd.Series([ref[1].get("per_1000_inwoners")]), errors="coerce").iloc[0] if ref else None

    def draw(ax) -> None:
        charts.draw_stacked_bars(ax, names, parts, colours, ref_value, ref[0] if ref else "",
                                 "assets per 1.000 inwoners")

    if any(np.nansum(v) > 0 for v in parts.values()):
        doc.add("figure", "Assets per 1.000 inwoners", draw=draw, height=max(1.5, 0.17 * len(names) + 0.7))
    else:
        doc.add("note", f"Geen grafiek: geen enkele {area.row_kind} heeft assets en een bekend aantal inwoners.")
    cols = cats + [c for c in ("aantal_assets", "per_1000_inwoners") if c in area.rows]
    short = {c: c.removeprefix("aantal_").replace("_", " ") for c in cats}
    heads = [short.get(c, "assets totaal" if c == "aantal_assets" else "per 1.000 inw.") for c in cols]
    doc.blocks += _area_table(area, cols, heads, max_columns=8)
    doc.add("note", "Rijen 'Wijk' en 'Gemeente' komen uit wijken.csv en gemeenten.csv. Personen tellen hier niet mee.")


#: At most this many figures side by side in a table; wider tables are split (so headers never overlap).
MAX_COLUMNS = 6


def _area_table(area: Area, cols: list[str], heads: list[str], with_totals: bool = True,
                cell: Callable[[pd.Series, str], str] = fmt, max_columns: int | None = None) -> list[Block]:
    """Tables of ``cols`` per row (numbered as on the map), with the area and gemeente rows below.

    More than :data:`MAX_COLUMNS` figures are split over several tables with the same rows.
    """
    blocks, step = [], max_columns or MAX_COLUMNS
    for start in range(0, len(cols), step):
        part, names = cols[start:start + step], heads[start:start + step]
        records = [[nr, name, *[cell(r, c) for c in part]]
                   for nr, name, (_, r) in zip(_numbered(area), area.row_names, area.rows.iterrows())]
        if with_totals:
            records += [["", label, *[cell(r, c) for c in part]] for label, r in area.totals]
        frame = pd.DataFrame(records, columns=["nr", area.row_kind, *names])
        blocks.append(text_table(frame, ("r", "l") + ("r",) * len(part)))
    return blocks


def _coverage_section(doc: Document, publication: Publication, area: Area) -> None:
    """Coverage per row at each distance and per lens, with a reading and a bar chart of the main figure."""
    doc.add("h2", "Bereik: wie woont er op loopafstand?")
    cols = metrics.coverage_columns(area.rows.columns)
    main = metrics.coverage_column(publication.main_distance)
    if not cols or main not in area.rows:
        doc.add("p", "Geen dekkingscijfers: er zijn geen ontmoetingsplekken of geen inwonersaantallen bekend.")
        return
    doc.add("p", _coverage_reading(area, main, publication.main_distance))
    missing = _without_data(area)
    if missing:
        doc.add("p", f"Let op: voor {len(missing)} van de {len(area.rows)} {area.row_kind}en zijn er geen gegevens over "
                     f"plekken ({', '.join(missing[:6])}{' ...' if len(missing) > 6 else ''}), bijvoorbeeld omdat ze "
                     "buiten het OpenStreetMap-bestand vallen. Daar staat 'onbekend' of 'geen gegevens', niet 0.")
    values = pd.to_numeric(area.rows[main], errors="coerce").to_numpy()
    ref = area.totals[-1] if area.totals else None
    ref_value = pd.to_numeric(pd.Series([ref[1].get(main)]), errors="coerce").iloc[0] if ref else None
    names = [f"{i}. {n}" for i, n in zip(_numbered(area), area.row_names)]

    def draw(ax) -> None:
        charts.draw_bars(ax, names, values, ref_value, ref[0] if ref else "", metric_label(main)["question"] + " (%)",
                         xmax=105)

    if np.isfinite(values).any():
        doc.add("figure", metric_label(main)["label"], draw=draw, height=max(1.5, 0.17 * len(names) + 0.7))
    heads = [metric_label(c)["label"].replace(" binnen ", " ≤ ").replace("Ontmoetingsplekken", "Ontmoetingsplek")
             for c in cols]
    doc.blocks += (_area_table(area, cols, heads))
    doc.add("note", "Aandeel inwoners (%) binnen zoveel meter lopen over het straten- en padennetwerk. Een "
                    "categorie of lens telt alleen assets uit die categorie of voor die doelgroep.")


def _without_data(area: Area) -> list[str]:
    """Names of the rows whose figures rest on no data about places (``gegevens`` is not ``ok``)."""
    if "gegevens" not in area.rows:
        return []
    flags = area.rows["gegevens"].astype(str).str.strip()
    return [n for n, f in zip(area.row_names, flags) if f not in ("ok", "", "nan", "None")]


def _coverage_reading(area: Area, column: str, distance: float) -> str:
    """'In X woont 31,0% van de inwoners binnen 500 m van een ontmoetingsplek; in de gemeente is dat 58,0%.'"""
    d = metrics.distance_text(distance)
    if not area.totals:
        return f"Per {area.row_kind} het aandeel inwoners binnen {d} m van een ontmoetingsplek: zie de tabel."
    label, subject = area.totals[0]
    where = area.name if area.row_kind == "buurt" else f"de {_lower_first(label)}"
    text = f"In {where} woont {fmt(subject, column)} van de inwoners binnen {d} m van een ontmoetingsplek"
    known, residents = subject.get("inwoners_met_gegevens"), subject.get("inwoners")
    if not is_missing(known) and not is_missing(residents) and float(known) < float(residents):
        text += f" (gemeten over {fmt(subject, 'inwoners_met_gegevens')} van de {fmt(subject, 'inwoners')} inwoners)"
    if len(area.totals) > 1:
        text += f"; in de {_lower_first(area.totals[-1][0])} is dat {fmt(area.totals[-1][1], column)}"
    values = pd.to_numeric(area.rows[column], errors="coerce")
    if values.notna().any():
        low = int(values.idxmin())
        text += f". Het laagst is het in {area.row_names[low]} ({fmt(area.rows.iloc[low], column)})"
    return text + "."


def _facilities(frame: pd.DataFrame) -> list[str]:
    return [c[len("afstand_"):-len("_km")] for c in frame.columns
            if str(c).startswith("afstand_") and str(c).endswith("_km")]


def _distance_section(doc: Document, publication: Publication, area: Area) -> None:
    """The mean walking distance to the nearest facility per row, beside CBS's figure when given."""
    doc.add("h2", "Afstand tot voorzieningen")
    facilities = _facilities(area.rows)
    if not facilities:
        doc.add("p", "Geen afstanden: deze run heeft geen voorzieningen uit OpenStreetMap gemeten.")
        return
    with_cbs = {v for v in facilities if f"cbs_afstand_{v}_km" in area.rows}
    heads = [f"{v} (wij / CBS)" if v in with_cbs else f"{v} (wij)" for v in facilities]

    def pair(row: pd.Series, v: str) -> str:
        ours = fmt(row, f"afstand_{v}_km")
        return f"{ours} / {fmt(row, f'cbs_afstand_{v}_km')}".replace(" km /", " /") if v in with_cbs else ours

    doc.add("p", _distance_reading(area, facilities))
    doc.blocks += _area_table(area, facilities, heads, cell=pair)
    doc.add("note", "Wij: gemiddelde loopafstand in km over het netwerk volgens OpenStreetMap. CBS: afstand over de "
                    "weg volgens CBS Kerncijfers wijken en buurten. 'onbekend': geen gegevens of door CBS "
                    "geheimgehouden.")


def _distance_reading(area: Area, facilities: list[str]) -> str:
    """One line: the mean distance to the first facility the area knows, and where CBS's figures are."""
    subject = area.totals[0][1] if area.totals else None
    known = [v for v in facilities if fmt(subject, f"afstand_{v}_km") != UNKNOWN]
    if not known:
        text = f"Voor {area.name} als geheel is de gemiddelde afstand onbekend (te weinig buurten met gegevens)"
    else:
        v = known[0]
        text = (f"Gemiddeld wonen de inwoners van {area.name} op {fmt(subject, f'afstand_{v}_km')} lopen van de "
                f"dichtstbijzijnde {v}")
    if any(f"cbs_afstand_{v}_km" in area.rows for v in facilities):
        text += f"; de CBS-cijfers (over de weg) staan per {area.row_kind} ernaast"
    return text + "."


def _need_section(doc: Document, publication: Publication, area: Area) -> None:
    """Need indicators (CBS) per row and the rows that combine high need with low supply."""
    doc.add("h2", "Behoefte tegenover aanbod")
    need = [c for c in NEED_LABELS if c in area.rows][:MAX_COLUMNS]
    if need:
        doc.blocks += _area_table(area, need, [NEED_LABELS[c] for c in need], with_totals=False)
        doc.add("note", "Behoefte-indicatoren uit CBS Kerncijfers wijken en buurten (--cbs-kerncijfers); alle cbs_-kolommen "
                        "staan in buurten.csv.")
    if "rang" not in area.rows or pd.to_numeric(area.rows["rang"], errors="coerce").isna().all():
        doc.add("p", f"Geen rangorde per {area.row_kind}: die wordt per buurt gemaakt (uit de behoefte-indicatoren of "
                     "het aandeel 65+ tegenover de dekking); zie de wijkrapporten.")
        return
    ranked = area.rows.assign(_r=pd.to_numeric(area.rows["rang"], errors="coerce")).sort_values("_r")
    names = dict(zip(area.rows.index, area.row_names))
    high = [names[i] for i, d in ranked["duiding"].items() if str(d).startswith("hoge behoefte, lage")]
    doc.add("p", (f"{len(high)} buurt(en) combineren hoge behoefte met lage dekking: {', '.join(high)}."
                  if high else f"Geen buurt in {area.name} combineert hoge behoefte met lage dekking."))
    frame = pd.DataFrame([[fmt(r, "rang"), names[i], fmt(r, "behoefte_index") if "behoefte_index" in r else UNKNOWN,
                           fmt(r, metrics.coverage_column(publication.main_distance)),
                           r.get("duiding") if not is_missing(r.get("duiding")) else UNKNOWN]
                          for i, r in ranked.iterrows()],
                         columns=["rang", "buurt", "behoefte-index", "dekking", "duiding"])
    doc.blocks.append(text_table(frame, ("r", "l", "r", "r", "l")))
    doc.add("note", "Rang 1 = hoogste behoefte bij de laagste dekking (binnen de hele run). Behoefte-index: "
                    "gemiddelde z-score, 0 = gemiddeld, hoger = meer behoefte.")


def _welcoming_section(doc: Document, publication: Publication, area: Area) -> None:
    """Welcoming places by stage: publiek counts only; team the places whose contact is stale."""
    doc.add("h2", "Gastvrijheid (kwartiermaken)")
    table = publication.tables.get("gastvrijheid")
    if table is None or not len(table):
        doc.add("p", "Geen gegevens over gastvrijheidsfasen: de eigen lijst heeft geen kolom 'fase'.")
        return
    if not publication.is_team:
        counts = pd.DataFrame({"fase": table["fase_label"], "aantal plekken": table["aantal"].map(dutch_number)})
        doc.add("p", "Aantal plekken per fase in het hele gebied van deze run (publiek: alleen aantallen; een plek "
                     "heet 'gastvrij' als hij ontvangend is).")
        doc.blocks.append(text_table(counts, ("l", "r")))
        return
    ids = set(area.assets["id"].astype(str)) if area.assets is not None and "id" in area.assets else set()
    rows = table[table["id"].astype(str).isin(ids)] if area.code != "alles" else table
    stale = rows[rows["contact_verouderd"].fillna(False).astype(bool)] if "contact_verouderd" in rows else rows
    doc.add("p", f"{len(stale)} van de {len(rows)} plekken in {area.name} hadden langer dan "
                 f"{settings.stale_contact_months} maanden geen contact (of nooit).")
    if len(stale):
        frame = pd.DataFrame({"naam": stale["naam"], "fase": stale["fase_label"],
                              "laatste contact": stale["laatste_contact"].map(_date_text),
                              "maanden": stale["maanden_sinds_contact"].map(dutch_number)})
        doc.blocks.append(text_table(frame.head(MAX_LISTED), ("l", "l", "l", "r")))


def _changes_section(doc: Document, publication: Publication, area: Area) -> None:
    """What changed since the previous output (``--vergelijk``): assets and coverage per buurt."""
    changes = publication.changes
    if not changes:
        return
    doc.add("h2", "Wat is er veranderd")
    assets = changes.get("wijzigingen_assets")
    ids = set(area.assets["id"].astype(str)) if area.assets is not None and "id" in area.assets else set()
    if assets is not None and len(assets):
        mine = assets if area.code == "alles" else assets[assets["id"].astype(str).isin(ids)]
        per_asset = mine.drop_duplicates(["wijziging", "id"])["wijziging"].value_counts()
        gone = int(assets.drop_duplicates(["wijziging", "id"])["wijziging"].eq("weg").sum())
        doc.add("p", f"Sinds de vorige uitvoer in {area.name}: {int(per_asset.get('erbij', 0))} plekken erbij en "
                     f"{int(per_asset.get('veranderd', 0))} veranderd; in het hele gebied {gone} weg.")
        rows = mine[mine["wijziging"] != "weg"].head(MAX_LISTED)
        if len(rows):
            frame = pd.DataFrame({"wijziging": rows["wijziging"], "naam": rows["naam"],
                                  "veld": rows.get("veld", ""), "nu": rows.get("nu", "")})
            doc.blocks.append(text_table(frame, ("l", "l", "l", "l")))
    else:
        doc.add("p", "Geen plekken erbij, weg of veranderd sinds de vorige uitvoer.")
    _coverage_changes(doc, changes.get("wijzigingen_dekking"), area)


def _coverage_changes(doc: Document, table: pd.DataFrame | None, area: Area) -> None:
    """Coverage per buurt then and now, for the buurten of the area."""
    if table is None or not len(table):
        return
    codes = set(area.buurten["buurtcode"].astype(str)) if "buurtcode" in area.buurten else set()
    mine = table[table["buurtcode"].astype(str).isin(codes)] if area.code != "alles" else table
    if not len(mine):
        return
    frame = pd.DataFrame({"buurt": mine["buurtnaam"], "afstand": mine["afstand_m"].map(lambda v: f"{v:g} m"),
                          "toen": mine["dekking_toen"].map(lambda v: dutch_number(v, 1, "%")),
                          "nu": mine["dekking_nu"].map(lambda v: dutch_number(v, 1, "%")),
                          "verschil": mine["verschil"].map(lambda v: dutch_number(v, 1))})
    doc.add("p", "Aandeel inwoners binnen loopafstand van een ontmoetingsplek, toen en nu (procentpunten verschil).")
    doc.blocks.append(text_table(frame.head(MAX_LISTED), ("l", "r", "r", "r", "r")))


def _date_text(value: object) -> str:
    return "nooit" if is_missing(value) else pd.Timestamp(value).date().isoformat()


def _place_rows(places: pd.DataFrame) -> pd.DataFrame:
    """Name, category, buurt, opening times and inloop of places, as printed."""
    def col(name: str) -> pd.Series:
        return places[name] if name in places else pd.Series(index=places.index, dtype=object)

    times = col("openingstijden").where(col("openingstijden").map(lambda v: not is_missing(v)), col("wanneer"))
    times = times.map(lambda v: UNKNOWN if is_missing(v) else str(v))
    inloop = col("inloop").map(lambda v: UNKNOWN if is_missing(v) else ("ja" if bool(v) else "nee"))
    return pd.DataFrame({"naam": col("naam"), "categorie": col("categorie").map(
        lambda c: UNKNOWN if is_missing(c) else schema.label("categorie", str(c))),
        "buurt": col("buurtnaam"), "open": times, "inloop": inloop}).sort_values(["buurt", "naam"], na_position="last")


def _places_section(doc: Document, publication: Publication, area: Area) -> None:
    """Welcoming places and hand-collected places of the area, the rest in the appendix."""
    doc.add("h2", "Ontmoetingsplekken en eigen plekken")
    places = area.assets if area.assets is not None else pd.DataFrame()
    if not len(places):
        doc.add("p", f"Geen plekken bekend in {area.name}: er is geen OpenStreetMap-bestand of eigen lijst voor dit "
                     "gebied, of er ligt niets in.")
        return
    welcoming = places["ontmoetingsplek"].fillna(False).astype(bool) if "ontmoetingsplek" in places else False
    own = places["herkomst"].astype(str).ne("OpenStreetMap") if "herkomst" in places else False
    chosen = places[welcoming | own]
    if not len(chosen):
        doc.add("p", "Geen ontmoetingsplekken of eigen plekken in dit gebied; alle plekken staan in de bijlage.")
        return
    rows = _place_rows(chosen)
    doc.add("p", f"{len(rows)} ontmoetingsplekken en plekken uit de eigen lijst"
                 + (f"; de eerste {MAX_LISTED} hieronder, alle in de bijlage." if len(rows) > MAX_LISTED else "."))
    doc.blocks.append(text_table(rows.head(MAX_LISTED), ("l",) * 5))


def _sources_section(doc: Document, publication: Publication, area: Area) -> None:
    """Sources with their dates, the mode, and how to read the figures."""
    meta = publication.meta
    doc.add("h2", "Bronnen en leeswijzer")
    sources = [str(s) for s in meta.get("bronnen") or []] or ["geen bronnen vermeld"]
    doc.add("p", "Bronnen: " + "; ".join(sources) + ".")
    files = [f"{k}: {v.get('bestand')} ({v.get('datum', 'datum onbekend')})"
             for k, v in dict(meta.get("invoer") or {}).items() if isinstance(v, dict)]
    if files:
        doc.add("p", "Invoerbestanden: " + "; ".join(files) + ".")
    mode = ("team: alleen voor eigen gebruik, niet delen" if publication.is_team
            else "publiek: veilig om te delen; personen alleen als aantal of met toestemming")
    doc.add("p", f"Modus {mode}. Gemaakt op {meta.get('datum', UNKNOWN)} met loopafstand {meta.get('afstand', '')}.")
    doc.add("note", "Leeswijzer: alle cijfers staan ook in buurten.csv, wijken.csv en gemeenten.csv van dezelfde "
                    "run. 'onbekend' of 'geen gegevens' betekent dat we het niet weten, niet dat het 0 is. OpenStreetMap "
                    "is nooit compleet: een lage dekking kan ook betekenen dat plekken nog niet op de kaart staan. "
                    f"Percentages zijn aandelen van de inwoners; {NO_DATA} bij buurten zonder inwoners of zonder "
                    "OSM-gegevens.")


def _appendix(doc: Document, area: Area) -> None:
    """All places of the area (outside the page count)."""
    places = area.assets if area.assets is not None else pd.DataFrame()
    doc.appendix.append(Block("h2", f"Bijlage: alle plekken in {area.name}"))
    if not len(places):
        doc.appendix.append(Block("p", "Geen plekken bekend in dit gebied."))
        return
    doc.appendix.append(Block("p", f"{len(places)} plekken (zonder personen), per buurt."))
    doc.appendix.append(text_table(_place_rows(places), ("l",) * 5))
