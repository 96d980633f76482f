"""The data of the map page: one JSON-ready dict built from the GeoDataFrames of a run.

:func:`page_data` is the only entry point; it is made of one step per part of the
page (metrics, areas, assets, gaps, welcoming stages, relations, meta). Geometry is
converted to WGS84 and rounded here; texts stay as they are (they are escaped when
the dict is serialised, by :func:`abcd_map.render.escape.to_js`).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from functools import lru_cache
from typing import Any, Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import hours, privacy, schema, settings
from ..analyse.coverage import open_time_key
from ..geo import assign_areas
from ..metrics import DATA_SHARE_COLUMN, RESIDENTS_WITH_DATA_COLUMN, main_distance, map_metric_columns, open_prefix
from ..publication import PUBLIC_PERSON_FIELDS, TEAM_MARK, TEAM_WORK_FIELDS, WELCOMING_STAGE
from ..welcoming import stale_contact
from ._style import (COVERAGE_CLASSES, COVERAGE_FILL_OPACITY, NODATA_COLOUR, category_info, count_label,
                     has_no_data, labels, metric_label, safe_colour, shown_by_default)

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
    "wijzigingen": {  # abcd_map.compare.CHANGE_LAYER (--vergelijk)
        "label": "Wat is er veranderd sinds de vorige uitvoer",
        "style": "knowledge",
        "fields": [("naam", "Naam"), ("wijziging", "Wijziging"), ("reden", "Wat")],
    },
}

MODE_TEXT = {
    # shown after the mode's label ("Publiek (veilig om te delen)"), so it does not repeat it
    "publiek": "personen staan er alleen op met hun toestemming; "
    "verder tellen ze alleen mee in aantallen per buurt.",
    "team": "niet delen. Met personen en contactgegevens.",
}

#: Lines of the relation layer, by relation type (colour-blind safe).
RELATION_COLOURS = {"partner_van": "#0072B2", "verwijst_naar": "#D55E00",
                    "signaleert_aan": "#CC79A7", "brengt_mensen_naar": "#009E73"}

#: Asset columns the map shows (besides categorie and geometry), in popup order.
_ASSET_FIELDS = [
    "naam", "soort", "label", "omschrijving", "doelgroepen", "inloop", "wanneer",
    "openingstijden", "beheerder", "contactpersoon", "telefoon", "email", "website",
    "adres", "laatste_contact", "bron", "fase", "capaciteit", "herkomst", "osm_id",
]
#: Page columns that place an asset (kept for a person in publiek, with :data:`PUBLIC_PERSON_FIELDS`).
_LOCATION_COLUMNS = ("lat", "lon", "buurt", "_group")
#: Asset columns a publiek page never carries (the gate removes them already; this is the page's own check).
_TEAM_ONLY_COLUMNS = ("laatste_contact", "contact_oud", "bron", "notities", "contactpersoon")
#: Opening-time masks per asset (see :func:`opening_masks`).
_TIME_COLUMNS = ("dagen", "dagdelen", "dagen_onbekend", "dagdelen_onbekend")
#: Group of the assets that are not shown by default (benches, picnic tables ...).
SMALL_GROUP = "klein"
#: Group of the other assets not shown by default (offices, banks, artwork ...): still assets.
OTHER_GROUP = "overig"


# --------------------------------------------------------------------------- the page
def page_data(
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
    open_coverage: pd.DataFrame | None = None,
) -> dict:
    """Everything the page's script draws, as one JSON-ready dict.

    Parameters
    ----------
    buurten, wijken
        Area tables (EPSG:28992) with coverage columns (``dekking_*``, percent).
        Rows without geometry are skipped.
    assets
        Asset table, already filtered for ``mode`` by :mod:`abcd_map.privacy`.
    metrics
        Coverage columns offered in the metric switch (list, or dict column ->
        Dutch label); default every coverage column of ``buurten``
        (see :func:`abcd_map.metrics.coverage_columns`).
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
    open_coverage
        Welcoming-place coverage per opening time by buurtcode
        (:func:`abcd_map.analyse.coverage.open_time_coverage`): the buurt colours while
        the page's day/part-of-day filter is set (see :func:`open_coverage_data`).
    """
    buurten = _areas(buurten)
    wijken = _areas(wijken)
    metric_list = first_metric(_metric_list(buurten if buurten is not None else pd.DataFrame(), metrics), meta)
    metric_keys = [m["key"] for m in metric_list]
    buurt_data, bounds = _buurt_data(buurten, wijken, metric_keys)
    wijk_data, wijk_bounds = _wijk_data(wijken, metric_keys)
    asset_table = _asset_data(assets, buurten, meta_date(meta), mode=_rows_mode(meta, mode))
    bounds = _bounds(bounds if bounds is not None else wijk_bounds, asset_table)
    doelgroep_labels = labels("doelgroep")
    used_groups = _used_target_groups(asset_table)
    return {
        "meta": _meta(meta, mode),
        "metrics": metric_list,
        "classes": COVERAGE_CLASSES,
        "fill_opacity": COVERAGE_FILL_OPACITY,
        "nodata_colour": NODATA_COLOUR,
        "buurten": buurt_data,
        "wijken": wijk_data,
        "count_columns": _count_columns(buurten),
        "assets": asset_table,
        "categories": _categories(asset_table),
        "category_fallback": category_info("onbekend") | {"label": "Overig"},
        "labels": {"doelgroep": doelgroep_labels, "fase": labels("fase"), "soort": labels("soort"),
                   "relatie": labels("relatie")},
        "fase_colours": {c: safe_colour(schema.colour("fase", c)) for c in schema.codes("fase")},
        "relation_colours": dict(RELATION_COLOURS),
        "filter_doelgroepen": [{"code": c, "label": t} for c, t in doelgroep_labels.items()
                               if c in used_groups and c != "iedereen"],
        "gaps": _gap_data(gaps),
        "relations": _relation_data(relations),
        "welcoming": _welcoming_data(welcoming),
        "open_coverage": open_coverage_data(open_coverage, buurten, meta),
        "days": day_names(),
        "day_parts": day_parts(),
        "bounds": [[bounds[1], bounds[0]], [bounds[3], bounds[2]]] if bounds is not None else None,
        "wijk_label_zoom": 0 if len(wijk_data["geo"]["features"]) <= 12 else 13,
    }


def group_counts(asset_table: dict) -> Counter:
    """How many assets each layer group of the page data has (``cat:<code>`` or ``klein``)."""
    return Counter(asset_column(asset_table, "_group"))


# --------------------------------------------------------------------------- compact columns
# The asset table travels as columns: {"n": rows, "cols": {"latlon": [[lat, lon], ...], name: column, ...}}.
# A column is a plain list of values, or {"v": values, "k": distinct values, "at": row numbers}: with "k" the values
# are indices into "k" (-1: none), with "at" only those rows have a value (the others none).
# map.js (decodeColumn) reads them back; so does asset_column here.
def encode_column(values: Sequence) -> list | dict:
    """A column of JSON-ready values in its compact page form (see the comment above)."""
    s = pd.Series(list(values), dtype=object)
    present = s.notna().to_numpy()
    out: dict[str, Any] = {}
    if 2 * int(present.sum()) < len(s):
        out["at"] = np.flatnonzero(present).tolist()
        s = s[present]
    kinds = {type(v) for v in s if v is not None}
    if kinds in ({str}, {bool}) and 2 * s.nunique() <= len(s):
        codes, uniques = pd.factorize(s)
        out["k"] = list(uniques)
        out["v"] = codes.tolist()
    else:
        out["v"] = s.tolist()
    return out if len(out) > 1 else out["v"]


def decode_column(column: list | dict, n: int) -> list:
    """The plain list of ``n`` values of a compact column (:func:`encode_column`)."""
    if isinstance(column, list):
        return column
    values = column["v"]
    if "k" in column:
        keys = column["k"]
        values = [None if i < 0 else keys[i] for i in values]
    if "at" not in column:
        return list(values)
    out: list = [None] * n
    for i, v in zip(column["at"], values):
        out[i] = v
    return out


def asset_column(asset_table: dict, name: str) -> list:
    """One column of the page's asset table as a plain list; empty when it is not there."""
    cols = asset_table["cols"]
    if name in ("lat", "lon") and "latlon" in cols:
        j = 0 if name == "lat" else 1
        return [p[j] for p in cols["latlon"]]
    if name not in cols:
        return []
    return decode_column(cols[name], asset_table["n"])


def _row_names(asset_table: dict) -> list[str]:
    """Column names of the asset rows: ``latlon`` read as ``lat`` and ``lon``."""
    return [n for c in asset_table["cols"] for n in (("lat", "lon") if c == "latlon" else (c,))]


def asset_rows(asset_table: dict) -> dict:
    """The page's asset table as ``{"cols": names, "rows": row lists}`` (for reading it back, e.g. in tests)."""
    names = _row_names(asset_table)
    columns = [asset_column(asset_table, c) for c in names]
    return {"cols": names, "rows": [list(r) for r in zip(*columns)] if names else []}


def _areas(gdf: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    out = with_geometry(gdf)
    return out.reset_index(drop=True) if out is not None else None


def _bounds(bounds: Any, asset_table: dict) -> Any:
    """``[minlon, minlat, maxlon, maxlat]`` of the areas, else of the assets, else None."""
    if bounds is not None and not np.all(np.isfinite(np.asarray(bounds, dtype=float))):
        bounds = None  # no area with a drawable polygon
    if bounds is None and asset_table["n"]:
        lat, lon = asset_column(asset_table, "lat"), asset_column(asset_table, "lon")
        bounds = [min(lon), min(lat), max(lon), max(lat)]
    return bounds


def _used_target_groups(asset_table: dict) -> set[str]:
    used: set[str] = set()
    for value in asset_column(asset_table, "doelgroepen"):
        used.update(s.strip() for s in str(value or "").split(";") if s.strip())
    return used


def _categories(asset_table: dict) -> list[dict[str, str]]:
    """Categories with assets on the page: vocabulary order, unknown codes after; hidden-only ones last."""
    groups = asset_column(asset_table, "_group")
    present = [g[4:] for g in dict.fromkeys(groups) if g.startswith("cat:")]
    order = list(schema.codes("categorie"))
    codes = [c for c in order if c in present] + sorted(c for c in present if c not in order)
    hidden = sorted({cat for cat, group in zip(asset_column(asset_table, "categorie"), groups)
                     if group in (SMALL_GROUP, OTHER_GROUP)})
    return [category_info(c) for c in dict.fromkeys(codes + hidden)]


# --------------------------------------------------------------------------- tables and geometry
def with_geometry(gdf: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    """The rows with a geometry, in ``settings.crs`` (a table without CRS is taken to be in it)."""
    if gdf is None or len(gdf) == 0:
        return gdf
    ok = gdf.geometry.notna() & ~gdf.geometry.is_empty
    out = gdf[ok]
    if out.crs is None:
        out = out.set_crs(settings.crs)
    return out.to_crs(settings.crs)


def _drawable(gdf: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    """The rows with a geometry (see :func:`with_geometry`), or None when there are none."""
    out = with_geometry(gdf)
    return out if out is not None and len(out) else None


def _column_values(series: pd.Series, digits: int = 1) -> list:
    """A column as JSON-ready Python values (None for missing); numbers rounded to ``digits``."""
    if pd.api.types.is_bool_dtype(series):
        return [bool(v) for v in series]
    if pd.api.types.is_numeric_dtype(series):
        arr = series.to_numpy(dtype=float, na_value=np.nan)
        return [None if np.isnan(v) else (int(v) if float(v).is_integer() else round(float(v), digits)) for v in arr]
    if pd.api.types.is_datetime64_any_dtype(series):
        return [None if pd.isna(v) else v.strftime("%d-%m-%Y") for v in series]
    return [_plain_value(v) for v in series.astype(object)]


def _plain_value(v: Any) -> Any:
    """One value of a text/object column: None when missing or empty, else a number, bool or text."""
    if v is None or (not isinstance(v, (list, dict)) and pd.isna(v)) or v == "":
        return None
    return v if isinstance(v, (bool, int, float)) else str(v)


def _columns(df: pd.DataFrame, columns: Sequence[str], keep_empty: bool = False) -> dict[str, list]:
    """JSON-ready values by column name; columns that are empty throughout are left out unless ``keep_empty``."""
    out = {}
    for c in columns:
        if c not in df.columns:
            continue
        v = _column_values(df[c], 5 if c in ("lat", "lon") else 1)
        if keep_empty or any(x is not None for x in v):
            out[c] = v
    return out


def _table(df: pd.DataFrame, columns: Sequence[str], keep_empty: bool = False) -> dict:
    """Column names + row lists; columns that are empty throughout are left out unless ``keep_empty``."""
    values = _columns(df, columns, keep_empty)
    cols = list(values)
    return {"cols": cols, "rows": [list(r) for r in zip(*values.values())] if cols else [[] for _ in range(len(df))]}


def _digits() -> int:
    """Decimals of a WGS84 coordinate on the map's grid (``settings.map_precision``)."""
    return max(0, int(round(-np.log10(settings.map_precision))))


def _round_geoms(geoms: np.ndarray) -> np.ndarray:
    """WGS84 geometries on a 1e-5 degree grid (about 1 m), then exact decimals."""
    geoms = shapely.set_precision(geoms, settings.map_precision)
    digits = _digits()
    return shapely.transform(geoms, lambda xy: np.round(xy, digits))


def _with_lat_lon(points: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy of point rows with rounded WGS84 ``lat`` and ``lon`` columns."""
    points = points[points.geometry.geom_type == "Point"].copy()
    wgs = points.geometry.to_crs(settings.crs_wgs84)
    digits = _digits()
    points["lat"] = np.round(wgs.y.to_numpy(), digits)
    points["lon"] = np.round(wgs.x.to_numpy(), digits)
    return points


def _only_true(values: pd.Series) -> pd.Series:
    """True only where a value is the boolean True (text such as 'ja' has been parsed upstream)."""
    return values.astype(object).map(lambda v: v is True or v is np.True_)


def simplify_areas(areas: gpd.GeoDataFrame, tolerance: float | None = None) -> gpd.GeoSeries:
    """Simplify a set of neighbouring polygons together, as a coverage, and round for the map.

    Shared edges are simplified once (``shapely.coverage_simplify``), so no gaps
    or overlaps appear between neighbours. Returns WGS84 geometries rounded to
    ``settings.map_precision`` degrees, indexed like ``areas``.
    """
    tolerance = settings.map_simplify_tolerance if tolerance is None else tolerance
    geoms = areas.geometry.values
    if len(geoms) and tolerance > 0:
        simple = shapely.coverage_simplify(geoms, tolerance, simplify_boundary=True)
        # a sliver smaller than the tolerance vanishes: keep it as it is (else the map has no bounds)
        geoms = np.where(shapely.is_empty(simple) & ~shapely.is_empty(geoms) & ~shapely.is_missing(geoms),
                         geoms, simple)
    out = gpd.GeoSeries(geoms, index=areas.index, crs=areas.crs).to_crs(settings.crs_wgs84).values
    rounded = _round_geoms(out)
    lost = shapely.is_empty(rounded) & ~shapely.is_empty(out) & ~shapely.is_missing(out)
    if lost.any():  # a sliver below the 1 m grid: draw it unsnapped rather than not at all
        rounded[lost] = shapely.transform(out[lost], lambda xy: np.round(xy, _digits() + 2))
    return gpd.GeoSeries(rounded, index=areas.index, crs=settings.crs_wgs84)


def _feature_collection(geoms: Sequence, props: Sequence[dict]) -> dict:
    """A GeoJSON FeatureCollection of the drawable geometries (missing and empty ones left out).

    Coordinates are written by GEOS (``shapely.to_geojson``) and read back by ``json``: both
    in C, so the cost per vertex stays small on large layers.
    """
    geoms = np.asarray(geoms, dtype=object)
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms)) if len(geoms) else np.zeros(0, bool)
    shapes = json.loads("[" + ",".join(shapely.to_geojson(geoms[keep])) + "]") if keep.any() else []
    props = [p for p, k in zip(props, keep) if k]
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": p, "geometry": g} for g, p in zip(shapes, props)]}


def _empty_layer() -> dict:
    return {"geo": _feature_collection([], []), "table": {"cols": [], "rows": []}}


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


# --------------------------------------------------------------------------- metrics
def _metric_list(buurten: pd.DataFrame, chosen: Sequence[str] | Mapping[str, str] | None) -> list[dict]:
    """The metric switch: key, label, question and short text per coverage column on the map."""
    if chosen is None:
        keys, given = map_metric_columns(buurten.columns), {}
    elif isinstance(chosen, Mapping):
        keys, given = list(chosen), chosen
    else:
        keys, given = list(chosen), {}
    out = []
    for key in keys:
        if key not in buurten.columns:
            continue
        info = metric_label(key)
        if key in given:
            info["label"] = str(given[key])
        out.append({"key": key, **info})
    return out


def first_metric(metric_list: list[dict], meta: Mapping[str, Any] | None) -> list[dict]:
    """The metric list with the one the run was asked for first: the lens, else the opening time.

    A map built with ``--lens senioren`` opens on ``senioren_dekking_*``, one built with
    ``--dag zondag --dagdeel middag`` on ``open_zondag_middag_dekking_*`` (the first such
    column); otherwise the order stays as it is.
    """
    options = dict((meta or {}).get("opties") or {})
    lens = (meta or {}).get("lens") or options.get("lens")
    day = options.get("dag")
    wanted = [f"{lens}_dekking_"] if lens else []
    if day:
        wanted.append(open_prefix(str(day), options.get("dagdeel") or None) + "_dekking_")
    for start in wanted:
        hit = next((m for m in metric_list if str(m["key"]).startswith(start)), None)
        if hit is not None:
            return [hit] + [m for m in metric_list if m is not hit]
    return metric_list


# --------------------------------------------------------------------------- coverage per opening time
#: Parts of the day in :func:`open_coverage_data` ("" the whole day), in the order of its lists.
OPEN_PARTS = ("", *DAY_PARTS)


def open_coverage_data(table: pd.DataFrame | None, buurten: pd.DataFrame | None,
                       meta: Mapping[str, Any] | None = None) -> dict | None:
    """Coverage by the welcoming places open at each day and part of the day, for the time filter.

    Returns ``{"afstand": "500 m", "parts": ["", "ochtend", "middag", "avond"],
    "days": {"0": [{buurtcode: percent}, ...one per part], ..., "6": [...], "*": [...]}}``:
    day ``"0"`` is Monday, ``"*"`` some day of the week (its whole-day entry is empty);
    a buurt without figures is left out. None without a table or buurten.
    """
    if table is None or buurten is None or not len(table) or "buurtcode" not in buurten.columns:
        return None
    codes = [str(c) for c in buurten["buurtcode"]]
    table = table.set_axis([str(c) for c in table.index]).reindex(codes)
    days: dict[str, list[dict[str, float]]] = {}
    for day in [*map(str, range(7)), "*"]:
        days[day] = []
        for part in OPEN_PARTS:
            key = open_time_key(day, part)
            values = table[key] if key in table.columns else pd.Series(np.nan, index=table.index)
            days[day].append({c: round(float(v), 1) for c, v in values.items() if pd.notna(v)})
    distance = main_distance((meta or {}).get("afstanden")) or (meta or {}).get("hoofdafstand")
    return {"afstand": _distance_text(distance) if distance else "", "parts": list(OPEN_PARTS), "days": days}


# --------------------------------------------------------------------------- areas
def _buurt_data(buurten: gpd.GeoDataFrame | None, wijken: gpd.GeoDataFrame | None,
                metric_keys: list[str]) -> tuple[dict, Any]:
    """Buurt geometry (properties: row number) and table, and the WGS84 bounds of the buurten."""
    if buurten is None or not len(buurten):
        return _empty_layer(), None
    b = buurten.copy()
    if "gegevens" in b.columns:
        b["gegevens"] = ~has_no_data(b["gegevens"])
    if "wijknaam" not in b.columns and wijken is not None and "wijknaam" in wijken.columns and "wijkcode" in b.columns:
        b["wijknaam"] = b["wijkcode"].map(dict(zip(wijken["wijkcode"], wijken["wijknaam"])))
    geo = simplify_areas(b)
    cols = ["buurtcode", "buurtnaam", "wijkcode", "wijknaam", "inwoners", "gegevens", RESIDENTS_WITH_DATA_COLUMN,
            DATA_SHARE_COLUMN, "personen", *metric_keys, *_count_keys(b)]
    return ({"geo": _feature_collection(geo.values, [{"i": i} for i in range(len(b))]),
             "table": _table(b, cols, keep_empty=True)}, geo.total_bounds)


def _wijk_data(wijken: gpd.GeoDataFrame | None, metric_keys: list[str]) -> tuple[dict, Any]:
    """Wijk geometry (properties: code and label point) and table, and the WGS84 bounds of the wijken."""
    if wijken is None or not len(wijken):
        return _empty_layer(), None
    geo = simplify_areas(wijken)
    label_pts = gpd.GeoSeries(shapely.point_on_surface(wijken.geometry.values), crs=wijken.crs) \
        .to_crs(settings.crs_wgs84)
    props = [{"wijkcode": None if pd.isna(code) else str(code), "label": [round(p.y, 5), round(p.x, 5)]}
             for code, p in zip(wijken["wijkcode"], label_pts)]
    table = _table(wijken.assign(wijkcode=wijken["wijkcode"].astype(str)),
                   ["wijkcode", "wijknaam", "inwoners", RESIDENTS_WITH_DATA_COLUMN, *metric_keys], keep_empty=True)
    return {"geo": _feature_collection(geo.values, props), "table": table}, geo.total_bounds


def _count_keys(buurten: pd.DataFrame | None) -> list[str]:
    return [c for c in buurten.columns if c.startswith("aantal_")] if buurten is not None and len(buurten) else []


def _count_columns(buurten: pd.DataFrame | None) -> list[dict]:
    """The count columns (``aantal_<categorie>``) offered in the buurt popups, with Dutch labels."""
    return [{"key": c, "label": count_label(c)} for c in _count_keys(buurten)]


# --------------------------------------------------------------------------- assets
def _asset_data(assets: gpd.GeoDataFrame | None, buurten: gpd.GeoDataFrame | None,
                today: date | None = None, mode: str = privacy.PUBLIC) -> dict:
    """Asset table for the page (compact columns, see :func:`encode_column`): only the columns the map
    shows, plus lat/lon, buurt, group and days.

    In publiek see :func:`_public_rows`: a person's row holds only the public person fields.
    """
    assets = _drawable(assets)
    if assets is None:
        return {"n": 0, "cols": {}}
    assets = _with_lat_lon(assets)
    names = _buurt_names(assets, buurten)
    if names is not None:
        assets["buurt"] = names
    assets["categorie"] = (assets["categorie"].astype(object).where(assets["categorie"].notna(), "onbekend")
                           if "categorie" in assets.columns else pd.Series("onbekend", index=assets.index)).astype(str)
    visible = shown_by_default(assets["standaard_zichtbaar"]) if "standaard_zichtbaar" in assets.columns \
        else pd.Series(True, index=assets.index)
    small = assets["kleine_plek"].map(lambda v: v is True or v is np.True_).to_numpy(dtype=bool) \
        if "kleine_plek" in assets.columns else ~visible.to_numpy(dtype=bool)
    assets["_group"] = np.where(small, SMALL_GROUP,
                                np.where(visible.to_numpy(dtype=bool), "cat:" + assets["categorie"], OTHER_GROUP))
    masks = pd.DataFrame([opening_masks(oh) for oh in hours.resolve_hours(assets)["oh"]],
                         columns=list(_TIME_COLUMNS), index=assets.index, dtype=object)
    for col in _TIME_COLUMNS:
        assets[col] = masks[col]
    if "inloop" in assets.columns:
        assets["inloop"] = _only_true(assets["inloop"])
    if "laatste_contact" in assets.columns:
        when = pd.to_datetime(assets["laatste_contact"], errors="coerce")
        assets["laatste_contact"] = when
        # on asset popups only a known old date is flagged: most OSM places never had contact
        assets["contact_oud"] = stale_contact(when, today=today, unknown_is_stale=False)
    cols = ["lat", "lon", "categorie", "_group", "buurt", *_TIME_COLUMNS, "contact_oud"] + _ASSET_FIELDS
    if mode != privacy.TEAM:
        assets = _public_rows(assets)
    columns = _columns(assets, cols)
    for required in ("lat", "lon", "categorie", "_group"):
        assert required in columns
    # places as [lat, lon] pairs (not two columns): the leak scan (abcd_map.leakscan) pairs adjacent numbers
    latlon = [[y, x] for y, x in zip(columns.pop("lat"), columns.pop("lon"))]
    return {"n": len(assets), "cols": {"latlon": latlon} | {c: encode_column(v) for c, v in columns.items()}}


def _rows_mode(meta: Mapping[str, Any] | None, mode: str) -> str:
    """The mode the asset rows are shown in: team only when ``mode`` and the meta's ``modus`` (if any) both say so."""
    team = mode == privacy.TEAM and str((meta or {}).get("modus") or mode) == privacy.TEAM
    return privacy.TEAM if team else privacy.PUBLIC


def _public_rows(assets: pd.DataFrame) -> pd.DataFrame:
    """What a publiek page shows of the assets (product brief, privacy).

    A person: only :data:`~abcd_map.publication.PUBLIC_PERSON_FIELDS` (name, kind, category,
    short description, target groups) and where (lat/lon, buurt); so no empty 'Inloop' or
    'Open op' rows either. A place or organisation: no team working data (last contact,
    source, notes, contact person) and a welcoming stage only when it is ``ontvangend``
    (shown as "gastvrij"). The privacy gate (:func:`abcd_map.publication.gate_assets`)
    has removed these already; this makes the page hold to it whatever it is given.
    """
    out = assets.drop(columns=[c for c in (*_TEAM_ONLY_COLUMNS, *TEAM_WORK_FIELDS)
                               if c != "fase" and c in assets.columns])
    if "fase" in out.columns:
        out["fase"] = out["fase"].astype(object).where(out["fase"].eq(WELCOMING_STAGE), None)
    person = privacy.is_person(out).to_numpy()
    if person.any():
        keep = {*PUBLIC_PERSON_FIELDS, *_LOCATION_COLUMNS, out.geometry.name}
        for col in [c for c in out.columns if c not in keep]:
            out[col] = out[col].astype(object)
            out.loc[person, col] = None
    return out


def _buurt_names(points: gpd.GeoDataFrame, buurten: gpd.GeoDataFrame | None) -> pd.Series | None:
    """The name of the buurt each point lies in (None outside every buurt, or without buurt names)."""
    if buurten is None or not len(buurten) or "buurtnaam" not in buurten.columns:
        return None
    return assign_areas(points, buurten, code="buurtnaam")


# --------------------------------------------------------------------------- other layers
def _gap_data(gaps: Mapping[str, gpd.GeoDataFrame] | None) -> dict[str, dict]:
    """Gap layers by name: label, style, tooltip fields and simplified WGS84 geometry."""
    out: dict[str, dict] = {}
    for name, gdf in (gaps or {}).items():
        gdf = _drawable(gdf)
        if gdf is None:
            continue
        label, style, fields = _gap_style(name, gdf)
        geoms = _screen_simplify(gdf.geometry.values)
        wgs = gpd.GeoSeries(geoms, crs=gdf.crs).to_crs(settings.crs_wgs84).values
        # only drawn: coordinates rounded one by one (no validity repair as in _round_geoms; linear time)
        wgs = shapely.transform(wgs, lambda xy: np.round(xy, _digits()))
        table = _table(gdf, [k for k, _ in fields])
        props = [dict(zip(table["cols"], row)) for row in table["rows"]]
        out[str(name)] = {"label": label, "style": style, "geo": _feature_collection(wgs, props),
                          "fields": [{"key": k, "label": v} for k, v in fields]}
    return out


def _screen_simplify(geoms: np.ndarray) -> np.ndarray:
    """Gap geometries simplified to what their raster knows (``settings.gap_simplify_tolerance``).

    Plain Douglas-Peucker (fast); the few shapes it would make invalid are simplified
    again with their topology kept.
    """
    tolerance = settings.gap_simplify_tolerance
    simple = shapely.simplify(geoms, tolerance, preserve_topology=False)
    bad = ~shapely.is_valid(simple) | (shapely.is_empty(simple) & ~shapely.is_empty(geoms))
    if bad.any():
        simple[bad] = shapely.simplify(geoms[bad], tolerance, preserve_topology=True)
    return simple


def _gap_style(name: str, gdf: gpd.GeoDataFrame) -> tuple[str, str, list[tuple[str, str]]]:
    """Label, style and (column, Dutch label) tooltip fields of a gap layer; unknown layers get defaults."""
    known = GAP_LAYERS.get(name)
    if known:
        label, style, fields = known["label"], known["style"], known["fields"]
    else:
        label, style = str(name).replace("_", " ").capitalize(), "knowledge"
        fields = [(c, c.replace("_", " ")) for c in gdf.columns if c != gdf.geometry.name][:6]
    return label, style, [(k, v) for k, v in fields if k in gdf.columns]


def _welcoming_data(welcoming: gpd.GeoDataFrame | None) -> dict | None:
    """Points of the welcoming-stage layer (kwartiermaken): stage, contact and freshness per place."""
    w = _drawable(welcoming)
    w = _with_lat_lon(w) if w is not None else None
    if w is None or w.empty:
        return None
    stages = list(schema.codes("fase"))
    w["fase"] = w["fase"].astype(object).where(w["fase"].isin(stages), "onbekend") if "fase" in w else "onbekend"
    if "laatste_contact" in w:
        w["laatste_contact"] = pd.to_datetime(w["laatste_contact"], errors="coerce")
    if "contact_verouderd" in w:
        w["contact_verouderd"] = _only_true(w["contact_verouderd"])
    table = _table(w, ["lat", "lon", "naam", "soort", "categorie", "beheerder", "fase", "laatste_contact",
                       "maanden_sinds_contact", "contact_verouderd"], keep_empty=True)
    counts = w["fase"].value_counts()
    months = settings.stale_contact_months
    return {
        "table": table,
        "stages": [{"code": c, "label": schema.label("fase", c), "colour": safe_colour(schema.colour("fase", c)),
                    "n": int(counts.get(c, 0))} for c in stages],
        "stale_months": months,
        "stale_label": f"contact ouder dan {months} maanden (of nooit vastgelegd)",
    }


def _relation_data(relations: gpd.GeoDataFrame | None) -> dict | None:
    """Relation lines (van_naam, naar_naam, relatie) as a WGS84 feature collection."""
    relations = _drawable(relations)
    if relations is None:
        return None
    wgs = _round_geoms(relations.geometry.to_crs(settings.crs_wgs84).values)
    table = _table(relations, ["van_naam", "naar_naam", "relatie"])
    return _feature_collection(wgs, [dict(zip(table["cols"], row)) for row in table["rows"]])


# --------------------------------------------------------------------------- meta
def meta_date(meta: Mapping[str, Any] | None) -> date | None:
    """The date of the data (``meta['datum']``, a date or an ISO text), or None."""
    value = (meta or {}).get("datum")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return date.fromisoformat(value.strip())
    return None


def _meta(meta: Mapping[str, Any] | None, mode: str) -> dict:
    """Title, area, date, sources, mode and notes as the page shows them (all text)."""
    meta = dict(meta or {})
    modus = str(meta.get("modus") or mode)
    notes = meta.get("notes") or []
    return {
        "title": str(meta.get("title") or "ABCD-kaart"),
        "gebied": str(meta.get("gebied") or ""),
        "datum": _date_text(meta),
        "bronnen": [str(s) for s in (meta.get("bronnen") or [])],
        "modus": modus if modus in MODE_TEXT else "publiek",
        "modus_label": schema.label("modus", modus),
        "modus_uitleg": MODE_TEXT.get(modus, MODE_TEXT["publiek"]),
        # the mark every team output carries (the list's CSV and print page too)
        "let_op": TEAM_MARK if modus == "team" else "",
        "fictief": bool(meta.get("fictief", False)),
        "afstand": _distance_text(meta.get("afstand", settings.default_distance)),
        "notes": [str(n) for n in ([notes] if isinstance(notes, str) else notes)],
        # a per-wijk map links back to its index page (a file name in the same folder)
        "terug": str(meta.get("terug") or ""),
    }


def _date_text(meta: Mapping[str, Any]) -> str:
    """``meta['datum']`` as ``dd-mm-jjjj`` when it is a date (or ISO text), else as given."""
    datum = meta_date(meta) or meta.get("datum") or ""
    return str(datum.strftime("%d-%m-%Y") if hasattr(datum, "strftime") else datum)


def _distance_text(afstand: Any) -> str:
    """A walking distance for the page: a number becomes ``'500 m'``, a text stays as it is."""
    if isinstance(afstand, (int, float)) and not isinstance(afstand, bool):
        afstand = f"{afstand:g} m"
    return str(afstand or "")
