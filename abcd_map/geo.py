"""Small geometry helpers shared by the loaders and the analysis.

This module sits at the bottom (it imports only :mod:`abcd_map.settings`), so
that a loader and an analysis step can share a piece without importing each
other: :func:`osm_extent_share` used to live in :mod:`abcd_map.load.osm` and
was imported from there by :mod:`abcd_map.analyse.coverage`.
"""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from . import settings

__all__ = ["osm_extent_share", "wgs84_to_rd"]


@lru_cache(maxsize=None)
def _wgs84_to_rd_transformer() -> Transformer:
    return Transformer.from_crs(settings.crs_wgs84, settings.crs, always_xy=True)


def wgs84_to_rd(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """RD New x and y (metres, ``settings.crs``) of WGS84 longitudes and latitudes.

    Parameters
    ----------
    lon, lat
        Degrees (arrays of equal length, or numbers).

    Returns
    -------
    (ndarray, ndarray)
        x and y as float arrays.
    """
    x, y = _wgs84_to_rd_transformer().transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x), np.asarray(y)


def osm_extent_share(buurten: gpd.GeoDataFrame, extent: BaseGeometry | None) -> pd.Series:
    """Share (0-1) of each buurt's area that lies inside the OSM extent (NaN without polygon).

    Compare with ``settings.osm_extent_min_share`` to mark buurten "geen OSM-gegevens".

    Parameters
    ----------
    buurten
        Area table (EPSG:28992).
    extent
        Where the OSM extract has data (:attr:`abcd_map.load.osm.OsmData.extent`).

    Returns
    -------
    Series
        ``osm_aandeel``, aligned with ``buurten.index``.
    """
    geoms = buurten.geometry
    area = geoms.area
    if extent is None or extent.is_empty:
        return pd.Series(np.where(geoms.isna(), np.nan, 0.0), index=buurten.index, name="osm_aandeel")
    shapely.prepare(extent)
    inside = geoms.intersection(extent).area
    share = (inside / area).where(area > 0)
    return share.clip(0, 1).rename("osm_aandeel")
