"""Geometry plumbing shared by the analyses: working CRS, usable rows, point in area.

This module sits at the bottom of the import graph: it imports only
:mod:`abcd_map.settings` (and geopandas/shapely), so any module may use it.

Point in area
-------------
:func:`assign_areas` is the one rule for "which area is this point in": the
*first area in table order* whose polygon intersects the point. A point on the
boundary between two areas therefore belongs to the one that comes first in the
area table; a point outside every area, or without geometry, gets NaN.
"""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from . import settings


def has_geometry(frame: gpd.GeoDataFrame | gpd.GeoSeries) -> np.ndarray:
    """Boolean array: the rows whose geometry is present and not empty."""
    geom = frame.geometry if isinstance(frame, gpd.GeoDataFrame) else frame
    return (geom.notna() & ~geom.is_empty).to_numpy()


def to_working_crs(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``frame`` in the working CRS (``settings.crs``); unchanged when it has no CRS or is empty."""
    if frame.crs is not None and str(frame.crs) != settings.crs and len(frame):
        return frame.to_crs(settings.crs)
    return frame


def with_geometry(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The rows of ``frame`` that have a geometry, in the working CRS.

    Parameters
    ----------
    frame : GeoDataFrame
        An area or asset table; rows without geometry (kept by the loaders so that
        their residents count in totals) are left out here.

    Returns
    -------
    GeoDataFrame
        The same columns and index labels, fewer rows, CRS ``settings.crs``.
    """
    return to_working_crs(frame[has_geometry(frame)])


def assign_areas(points: gpd.GeoDataFrame | gpd.GeoSeries, areas: gpd.GeoDataFrame,
                 code: str = "buurtcode") -> pd.Series:
    """The code of the area each point lies in.

    Parameters
    ----------
    points : GeoDataFrame or GeoSeries
        Points (other geometries work too: any overlap counts). Projected to the
        CRS of ``areas`` when both have a CRS and they differ.
    areas : GeoDataFrame
        Area table; rows without geometry are skipped.
    code : str
        Column of ``areas`` to return (``buurtcode``, ``wijkcode``, ``buurtnaam`` ...).

    Returns
    -------
    Series
        Indexed like ``points``, named ``code``: the value of the first area (in
        table order) whose polygon intersects the point — boundary included — and
        NaN for points outside every area or without geometry.
    """
    geom = points.geometry if isinstance(points, gpd.GeoDataFrame) else points
    usable = areas[has_geometry(areas)]
    if geom.crs is not None and usable.crs is not None and geom.crs != usable.crs:
        geom = geom.to_crs(usable.crs)
    ok = np.flatnonzero(has_geometry(geom))
    point_pos, area_pos = usable.sindex.query(geom.to_numpy()[ok], predicate="intersects")
    first = pd.Series(area_pos).groupby(point_pos).min()  # first area in table order
    values = usable[code].iloc[first.to_numpy()]
    result = pd.Series(values.array, index=ok[first.index.to_numpy()], name=code)
    result = result.reindex(np.arange(len(geom)))
    result.index = points.index
    return result


@lru_cache(maxsize=None)
def _wgs84_to_rd_transformer() -> Transformer:
    return Transformer.from_crs(settings.crs_wgs84, settings.crs, always_xy=True)


def wgs84_to_rd(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """RD New x and y (metres, ``settings.crs``) of WGS84 longitudes and latitudes (arrays or numbers)."""
    x, y = _wgs84_to_rd_transformer().transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x), np.asarray(y)


def share_inside(areas: gpd.GeoDataFrame, extent: shapely.Geometry | None) -> pd.Series:
    """Share (0-1) of each area's surface that lies inside ``extent`` (NaN without polygon).

    Indexed like ``areas``; all 0 when ``extent`` is None or empty. Used to tell
    whether an OpenStreetMap extract covers a buurt (``settings.osm_extent_min_share``).
    """
    geoms = areas.geometry
    area = geoms.area
    if extent is None or extent.is_empty:
        return pd.Series(np.where(geoms.isna(), np.nan, 0.0), index=areas.index, name="osm_aandeel")
    shapely.prepare(extent)
    inside = geoms.intersection(extent).area
    share = (inside / area).where(area > 0)
    return share.clip(0, 1).rename("osm_aandeel")
