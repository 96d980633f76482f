"""Distance to the nearest facility per buurt, the way CBS publishes it (but on foot).

CBS publishes, per buurt, the mean distance of all residents to the nearest
huisartsenpraktijk, grote supermarkt, kinderdagverblijf and basisschool (KWB
columns ``g_afs_hp``, ``g_afs_gs``, ``g_afs_kv``, ``g_afs_sc``, in km). This module
computes the same figure from OpenStreetMap, plus one CBS does not have: the
nearest welcoming place (ontmoetingsplek). Which OSM tags make a facility is data:
``data/voorzieningen.csv`` (one row per facility and OSM tag, with the caveats of
each definition in ``toelichting``).

How the figure is measured
--------------------------
* Residents stand at the points of :func:`abcd_map.analyse.coverage.resident_points`
  (their weights add up to the buurt's residents).
* Each point's distance to the nearest facility is the walking distance of
  :func:`abcd_map.analyse.network.point_distances`: one multi-source Dijkstra run
  from all facilities of a type, points and facilities snapped to the network,
  straight lines for points too far from it. CBS measures over roads usable by
  cars; on foot the walk is often shorter (paths, no one-way streets).
* The buurt's figure is the resident-weighted mean over its points, in km.

Unknown is never 0
------------------
* A buurt without resident points, without residents or with unknown residents
  gets NaN.
* A point's distance is **unknown** when no facility was found within
  ``max_distance`` (when given), and, when the data ``extent`` is given, when the
  nearest facility found lies farther away than the point's straight-line distance
  to the edge of the extent (a point outside the extent has distance 0 to it). The
  reason: a facility beyond the edge of the extract is at least that far away in a
  straight line, so at least that far on foot; a facility found *within* that
  distance is certainly the nearest, one found farther away may not be.
  (A walk that would be shorter through streets outside the extract is not seen.)
* A buurt's mean rests on its known points only. ``afstand_<v>_basis_pct`` says
  which share (percent) of its residents that is; below
  :data:`MIN_KNOWN_SHARE` (half) the buurt gets NaN.
"""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import settings
from ..errors import InputError, InputProblem, note
from .coverage import resident_points
from .network import Network, point_distances

#: Share of a buurt's residents whose distance must be known for the buurt to get a figure.
MIN_KNOWN_SHARE = 0.5
#: Separator of ``key=value`` pairs in an asset's ``osm_tag`` (as written by classify).
_TAG_SEPARATOR = "|"


@lru_cache(maxsize=None)
def facility_table() -> pd.DataFrame:
    """The facility definitions (``data/voorzieningen.csv``), one row per facility and OSM tag."""
    return pd.read_csv(settings.data_path("voorzieningen.csv"), dtype=str, keep_default_na=False)


def facility_codes(table: pd.DataFrame | None = None) -> list[str]:
    """Facility codes in table order (``huisarts``, ``supermarkt`` ...)."""
    table = facility_table() if table is None else table
    return list(dict.fromkeys(table["voorziening"]))


def distance_column(voorziening: str) -> str:
    """Name of the distance column of a facility: ``afstand_<voorziening>_km``."""
    return f"afstand_{voorziening}_km"


def basis_column(voorziening: str) -> str:
    """Name of the column with the share of residents a distance rests on."""
    return f"afstand_{voorziening}_basis_pct"


def parse_osm_tag(text: object) -> dict[str, str]:
    """``"amenity=school | isced:level=1"`` -> ``{"amenity": "school", "isced:level": "1"}``."""
    out: dict[str, str] = {}
    if not isinstance(text, str):
        return out
    for part in text.split(_TAG_SEPARATOR):
        key, sep, value = part.partition("=")
        if sep and key.strip():
            out.setdefault(key.strip(), value.strip())
    return out


def _condition_holds(tags: dict[str, str], condition: str) -> bool:
    """True when the place names none of the condition's keys, or one of its key=value pairs."""
    pairs = [p.split("=", 1) for p in condition.split("|") if "=" in p]
    named = [(k.strip(), v.strip()) for k, v in pairs if k.strip() in tags]
    if not named:
        return True
    return any(v in [x.strip() for x in tags[k].split(";")] for k, v in named)


def _osm_mask(tags: pd.Series, key: str, value: str, condition: str) -> np.ndarray:
    return np.array([t.get(key) == value and _condition_holds(t, condition) for t in tags], dtype=bool)


def select_facilities(assets: gpd.GeoDataFrame, voorziening: str,
                      table: pd.DataFrame | None = None) -> gpd.GeoDataFrame:
    """Assets that are a facility of one type, by their OSM tag or an asset column.

    Parameters
    ----------
    assets : GeoDataFrame
        Asset table; OSM rows need ``osm_tag`` (from :func:`abcd_map.classify_places`).
    voorziening : str
        A facility code of ``data/voorzieningen.csv``.
    table : DataFrame, optional
        Facility definitions; default :func:`facility_table`.

    Returns
    -------
    GeoDataFrame
        The matching assets with a point location (EPSG:28992); persons never count.
    """
    table = facility_table() if table is None else table
    rows = table[table["voorziening"] == voorziening]
    if rows.empty:
        raise InputError(InputProblem(file="voorzieningen.csv", message=f"onbekende voorziening '{voorziening}'",
                                      value=voorziening, expected=", ".join(facility_codes(table))))
    mask = _facility_mask(assets, rows)
    if "soort" in assets.columns:
        mask &= (assets["soort"] != "persoon").to_numpy()
    return _as_points(assets[mask])


def _facility_mask(assets: pd.DataFrame, rows: pd.DataFrame) -> np.ndarray:
    """Assets that match any of a facility's rows (an asset column, or an OSM tag and its condition)."""
    mask = np.zeros(len(assets), dtype=bool)
    tags = assets["osm_tag"].map(parse_osm_tag) if "osm_tag" in assets.columns else None
    for row in rows.itertuples():
        if row.asset_kolom:
            col = assets[row.asset_kolom] if row.asset_kolom in assets.columns else pd.Series(False, index=assets.index)
            mask |= col.where(col.notna(), False).astype(bool).to_numpy()
        elif row.osm_key and tags is not None:
            mask |= _osm_mask(tags, row.osm_key, row.osm_value, row.osm_voorwaarde)
    if tags is None and (rows["osm_key"] != "").any():
        note(f"De assets hebben geen kolom osm_tag: '{rows['label_nl'].iloc[0]}' is niet te herkennen.")
    return mask


def _as_points(found: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Rows with a location, as points in EPSG:28992."""
    found = _working_crs(found)
    geom = found.geometry
    found = found[(geom.notna() & ~geom.is_empty).to_numpy()]
    if len(found) and not (found.geometry.geom_type == "Point").all():
        found = found.set_geometry(found.geometry.representative_point())
    return found


def _working_crs(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The frame in EPSG:28992 (unchanged when it has no CRS or is already there)."""
    if frame.crs is not None and str(frame.crs) != settings.crs and len(frame):
        return frame.to_crs(settings.crs)
    return frame


def _known(dist: np.ndarray, x: np.ndarray, y: np.ndarray, extent) -> np.ndarray:
    """Which distances are known: finite and, with an extent, not beyond its edge."""
    known = np.isfinite(dist)
    if extent is None or extent.is_empty or not known.any():
        return known
    idx = np.flatnonzero(known)  # only a found distance needs the edge
    d = dist[idx]
    boundary = extent.boundary
    shapely.prepare(boundary)
    pts = shapely.points(x[idx], y[idx])
    near = shapely.dwithin(boundary, pts, d)  # the edge may be nearer than the facility: measure it
    far_enough = ~near
    far_enough[near] = d[near] <= shapely.distance(boundary, pts[near])
    known[idx] = np.where(shapely.contains_xy(extent, x[idx], y[idx]), far_enough, d <= 0.0)
    return known


def _area_codes(areas: pd.DataFrame) -> pd.Index:
    index = pd.Index(areas["buurtcode"]).drop_duplicates()
    index.name = "buurtcode"
    return index


def nearest_distance(areas: gpd.GeoDataFrame, points: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame,
                     network: Network | None, *, extent=None, max_distance: float | None = None,
                     name: str = "voorziening") -> pd.DataFrame:
    """Resident-weighted mean distance (km) to the nearest facility, per buurt.

    Parameters
    ----------
    areas : GeoDataFrame
        Area table with ``buurtcode`` (every code gets a row).
    points : GeoDataFrame
        Resident points (``buurtcode``, ``inwoners``, Point geometry), from
        :func:`abcd_map.analyse.coverage.resident_points`.
    facilities : GeoDataFrame
        Facility points (e.g. from :func:`select_facilities`).
    network : Network or None
        Walking network; without it distances are straight lines.
    extent : shapely geometry, optional
        Where the OSM data has data (EPSG:28992); see the module notes for the rule.
    max_distance : float, optional
        Furthest walk (m) searched; a point with no facility within it is unknown.
    name : str
        Facility code used in the column names.

    Returns
    -------
    DataFrame indexed by ``buurtcode`` with ``afstand_<name>_km`` (NaN when unknown)
    and ``afstand_<name>_basis_pct`` (share of the residents the mean rests on).
    """
    codes = _area_codes(areas)
    points, facilities = _working_crs(points), _working_crs(facilities)
    x = points.geometry.x.to_numpy() if len(points) else np.array([])
    y = points.geometry.y.to_numpy() if len(points) else np.array([])
    weight = pd.to_numeric(points["inwoners"], errors="coerce").to_numpy(dtype=float)
    fx = facilities.geometry.x.to_numpy() if len(facilities) else np.array([])
    fy = facilities.geometry.y.to_numpy() if len(facilities) else np.array([])
    dist, _ = point_distances(x, y, fx, fy, max_distance, network)
    known = _known(dist, x, y, extent)
    frame = pd.DataFrame({"buurtcode": points["buurtcode"].to_numpy(), "w": weight,
                          "w_known": np.where(known, weight, 0.0),
                          "wd": np.where(known, weight * np.where(known, dist, 0.0), 0.0)})
    # built-in aggregations only (a lambda per buurt cost 0.3 s at 361 buurten x 5 facilities)
    sums = frame.groupby("buurtcode").agg(w=("w", "sum"), n=("w", "count"), w_known=("w_known", "sum"),
                                          wd=("wd", "sum")).reindex(codes)
    total = sums["w"].where((sums["n"] > 0) & (sums["w"] > 0))
    share = (sums["w_known"] / total).clip(upper=1.0)  # rounding may add up to a hair above 1
    mean_km = (sums["wd"] / sums["w_known"].where(sums["w_known"] > 0)) / 1000.0
    out = pd.DataFrame(index=codes)
    out[distance_column(name)] = mean_km.where(share >= MIN_KNOWN_SHARE)
    out[basis_column(name)] = 100.0 * share
    out.attrs[f"aantal_{name}"] = len(facilities)
    return out


def nearest_for_facilities(areas: gpd.GeoDataFrame, assets: gpd.GeoDataFrame, network: Network | None,
                           facilities_table: pd.DataFrame | None = None, *,
                           points: gpd.GeoDataFrame | None = None, extent=None,
                           max_distance: float | None = None,
                           voorzieningen: list[str] | None = None) -> pd.DataFrame:
    """Distance to the nearest facility of every type of ``data/voorzieningen.csv``, per buurt.

    Parameters
    ----------
    areas : GeoDataFrame
        Area table (``buurtcode``, ``inwoners``).
    assets : GeoDataFrame
        Asset table; OSM rows need ``osm_tag`` (the output of ``classify_places``).
    network : Network or None
        Walking network.
    facilities_table : DataFrame, optional
        Facility definitions; default :func:`facility_table`.
    points : GeoDataFrame, optional
        Resident points; computed with ``resident_points(areas, network, extent=extent)``.
    extent, max_distance
        As in :func:`nearest_distance`.
    voorzieningen : list of str, optional
        Only these facility codes (default: all).

    Returns
    -------
    DataFrame indexed by ``buurtcode`` with ``afstand_<v>_km`` and
    ``afstand_<v>_basis_pct`` for every facility; ``attrs['aantal']`` maps each
    facility to the number of places found.
    """
    table = facility_table() if facilities_table is None else facilities_table
    wanted = facility_codes(table) if voorzieningen is None else list(voorzieningen)
    if points is None:
        points = resident_points(areas, network, extent=extent)
    out = pd.DataFrame(index=_area_codes(areas))
    counts: dict[str, int] = {}
    for code in wanted:
        found = select_facilities(assets, code, table)
        counts[code] = len(found)
        if found.empty:
            note(f"Geen '{table.loc[table['voorziening'] == code, 'label_nl'].iloc[0]}' gevonden: "
                 "de afstand daarheen is onbekend.")
        part = nearest_distance(areas, points, found, network, extent=extent, max_distance=max_distance,
                                name=code)
        out = out.join(part)
    out.attrs["aantal"] = counts
    return out


def summarise_nearest(buurt_table: pd.DataFrame, areas: pd.DataFrame, by: str = "wijkcode") -> pd.DataFrame:
    """Resident-weighted mean of the buurt distances per wijk (or gemeente).

    Each buurt weighs with the residents its figure rests on (``inwoners`` x
    ``basis_pct``). A wijk's figure is empty when those residents are less than
    :data:`MIN_KNOWN_SHARE` of all the wijk's residents.

    Parameters
    ----------
    buurt_table : DataFrame
        Output of :func:`nearest_for_facilities` (indexed by or with ``buurtcode``).
    areas : DataFrame
        Area table with ``buurtcode``, ``inwoners`` and the column ``by``.
    by : str
        ``wijkcode`` or ``gemeentecode``.

    Returns
    -------
    DataFrame indexed by ``by`` with ``inwoners`` and, per facility,
    ``afstand_<v>_km`` and ``afstand_<v>_basis_pct``.
    """
    table = buurt_table if buurt_table.index.name == "buurtcode" else buurt_table.set_index("buurtcode")
    ref = pd.DataFrame(areas.drop(columns="geometry", errors="ignore")).drop_duplicates("buurtcode")
    ref = ref.set_index("buurtcode").reindex(table.index)
    group = ref[by]
    residents = pd.to_numeric(ref["inwoners"], errors="coerce")
    total = residents.groupby(group).sum(min_count=1)
    out = pd.DataFrame({"inwoners": total})
    out.index.name = by
    for col in table.columns:
        if not (col.startswith("afstand_") and col.endswith("_km")):
            continue
        basis = col.removesuffix("_km") + "_basis_pct"
        value = pd.to_numeric(table[col], errors="coerce")
        share = pd.to_numeric(table[basis], errors="coerce") / 100.0 if basis in table.columns else 1.0
        weight = (residents * share).where(value.notna(), 0.0)
        known = weight.groupby(group).sum()
        mean = (value.fillna(0.0) * weight).groupby(group).sum() / known.where(known > 0)
        covered = known / total.where(total > 0)
        out[col] = mean.where(covered >= MIN_KNOWN_SHARE)
        out[basis] = 100.0 * covered
    return out
