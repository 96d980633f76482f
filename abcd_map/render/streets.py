"""The streets behind an overview sheet: the walking network's edges as plain lines.

Kept apart from :mod:`abcd_map.render.static` so that making the lines (in the gate, for a
:class:`~abcd_map.publication.Publication`) does not load matplotlib. The lines are OpenStreetMap
street geometry only: no attribute, nothing about a person.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from .. import settings


def street_lines(network: Any, area: Any = None) -> gpd.GeoSeries:
    """The streets and paths of a walking network as lines, for the background of a sheet.

    Parameters
    ----------
    network
        An :class:`abcd_map.analyse.network.Network` (``x``, ``y``, ``u``, ``v`` and
        ``connector``; connector edges, which join islands, are left out).
    area
        A (Multi)Polygon in EPSG:28992: only the parts of streets inside it; default all.

    Returns
    -------
    geopandas.GeoSeries
        LineStrings in EPSG:28992 (no attributes: nothing but street geometry).
    """
    keep = ~np.asarray(getattr(network, "connector", np.zeros(len(network.u), dtype=bool)), dtype=bool)
    u, v = np.asarray(network.u)[keep], np.asarray(network.v)[keep]
    coords = np.stack([np.column_stack([network.x[u], network.y[u]]),
                       np.column_stack([network.x[v], network.y[v]])], axis=1)
    lines = shapely.linestrings(coords) if len(coords) else np.array([], dtype=object)
    if area is not None and len(lines):
        lines = lines[shapely.intersects(lines, area)]
        lines = shapely.intersection(lines, area)
        lines = lines[~shapely.is_empty(lines)]
    return gpd.GeoSeries(lines, crs=settings.crs)
