"""Gap layers: where people live beyond walking distance, and where we know nothing.

White spots (witte vlekken)
---------------------------
Residents are spread over resident points (see :mod:`abcd_map.analyse.coverage`).
Every point whose walk to the nearest selected asset is longer than the distance
is *uncovered*. Each uncovered point is given a disc of ``settings.white_spot_buffer``
metres (about half the spacing of street nodes), the discs are merged per buurt
(traced on a raster, :mod:`abcd_map.analyse.raster`: linear in the points), clipped to
the buurt (and to the OSM extent), and split into separate polygons.
The residents of a polygon are estimated as the sum of the weights of the
uncovered points inside it. Buurten without OSM data are never white spots; in a
``gedeeltelijk`` buurt only the part inside the data can be one (its resident points
lie there, see :mod:`abcd_map.analyse.coverage`).

Walking areas (loopgebied)
--------------------------
The streets reachable within the distance from the nearest selected asset, as a
band of ``settings.walking_area_width`` metres on either side: the part of an edge
that is reachable is cut at the exact distance (the band is traced on a raster from
points along the streets, :mod:`abcd_map.analyse.raster`). Holes smaller than
``settings.walking_area_fill`` (a block enclosed by reachable streets) are filled. Without a network it is a disc of
the distance around each asset (straight line, labelled so).

Knowledge gaps
--------------
A buurt is a knowledge gap when no asset from any source lies in it
(``niets bekend``), or when it has hand-collected assets but none of them has had
contact in the last ``settings.stale_contact_months`` months (``contact
verouderd``; an unknown contact date counts as not recent). With an OSM extent,
buurten without data are never knowledge gaps (nothing is known *because the data
ends*), and the gap of a ``gedeeltelijk`` buurt is its part inside the data.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import schema, settings
from ..welcoming import stale_contact
from ..geo import assign_areas, with_geometry
from .coverage import DATA_WITH_FIGURES, areas_with_data, data_status, resident_points, select_assets
from .network import Network, point_distances
from .raster import cell_size, disc_union

#: Values of ``reden`` in :func:`knowledge_gaps`.
REASON_NOTHING = "niets bekend"
REASON_STALE = "contact verouderd"


def white_spots(buurten: gpd.GeoDataFrame, assets: gpd.GeoDataFrame, network: Network | None = None,
                distance: float | None = None, *, selection=None, lens: str | None = None, extent=None,
                points: gpd.GeoDataFrame | None = None, buffer: float | None = None) -> gpd.GeoDataFrame:
    """Inhabited areas beyond walking distance of every selected asset.

    Parameters
    ----------
    buurten, assets : GeoDataFrame
        Area and asset tables.
    network : Network, optional
        Walking network (straight lines without it).
    distance : float
        Walking distance in metres (default ``settings.default_distance``).
    selection, lens : see :func:`abcd_map.analyse.coverage.select_assets`.
    extent : shapely geometry, optional
        Where the OSM extract has data; white spots are clipped to it.
    points : GeoDataFrame, optional
        Resident points (from :func:`resident_points`).
    buffer : float
        Radius of the disc around each uncovered point (default ``settings.white_spot_buffer``).

    Returns
    -------
    GeoDataFrame with ``buurtcode``, ``buurtnaam``, ``inwoners_geschat``, ``oppervlakte_ha``
    and Polygon geometry (EPSG:28992), largest number of residents first.
    """
    distance = settings.default_distance if distance is None else float(distance)
    buffer = settings.white_spot_buffer if buffer is None else float(buffer)
    b = with_geometry(buurten).drop_duplicates("buurtcode")
    status = data_status(b, extent)
    b = b[status.reindex(b["buurtcode"]).isin(DATA_WITH_FIGURES).to_numpy()]
    empty = gpd.GeoDataFrame({"buurtcode": pd.Series(dtype=object), "buurtnaam": pd.Series(dtype=object),
                              "inwoners_geschat": pd.Series(dtype=float),
                              "oppervlakte_ha": pd.Series(dtype=float)},
                             geometry=gpd.GeoSeries([], crs=settings.crs), crs=settings.crs)
    if b.empty:
        return empty
    pts = points if points is not None else resident_points(b, network, extent=extent)
    pts = pts[pts["buurtcode"].isin(b["buurtcode"]).to_numpy()]
    w = pd.to_numeric(pts["inwoners"], errors="coerce").to_numpy(dtype=float)
    pts = pts[np.isfinite(w) & (w > 0)]
    if pts.empty:
        return empty
    sel = select_assets(assets, selection, lens)
    dist, _ = point_distances(pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy(),
                              sel.geometry.x.to_numpy(), sel.geometry.y.to_numpy(), distance, network)
    out_pts = pts[~(dist <= distance)]
    if out_pts.empty:
        return empty
    group, codes = pd.factorize(out_pts["buurtcode"], sort=True)
    merged = disc_union(out_pts.geometry.x.to_numpy(), out_pts.geometry.y.to_numpy(), buffer, group, len(codes))
    geom_by_code = b.set_index("buurtcode").geometry
    areas = geom_by_code.reindex(codes).to_numpy()
    clipped = shapely.intersection(merged, areas)
    if extent is not None:  # a buurt wholly inside the data needs no second cut
        cut = ~shapely.covers(extent, areas)
        clipped[cut] = shapely.intersection(clipped[cut], extent)
    spots = gpd.GeoDataFrame({"buurtcode": np.asarray(codes)}, geometry=clipped, crs=settings.crs)
    spots = spots.explode(index_parts=False, ignore_index=True)
    spots = spots[(spots.geom_type == "Polygon") & ~spots.is_empty & (spots.area > 0)].reset_index(drop=True)
    if spots.empty:
        return empty
    spots["inwoners_geschat"] = _residents_per_spot(out_pts, spots)
    spots["oppervlakte_ha"] = spots.area / 10_000.0
    names = b.set_index("buurtcode")["buurtnaam"] if "buurtnaam" in b.columns else pd.Series(dtype=object)
    spots["buurtnaam"] = spots["buurtcode"].map(names)
    spots = spots.sort_values("inwoners_geschat", ascending=False, kind="stable").reset_index(drop=True)
    spots.attrs.update({"afstand": distance, "aantal_assets": len(sel)})
    return spots[["buurtcode", "buurtnaam", "inwoners_geschat", "oppervlakte_ha", "geometry"]]


def _residents_per_spot(points: gpd.GeoDataFrame, spots: gpd.GeoDataFrame) -> np.ndarray:
    """Sum of ``inwoners`` of the points inside each spot of their own buurt (a point counts once).

    The spots ask a tree of the points (each spot prepared once), which is far cheaper than
    asking the spots' tree for every point.
    """
    spot, pt = shapely.STRtree(points.geometry.values).query(spots.geometry.values, predicate="intersects")
    same = spots["buurtcode"].to_numpy()[spot] == points["buurtcode"].to_numpy()[pt]
    spot, pt = spot[same], pt[same]
    order = np.lexsort((spot, pt))  # the first spot of each point
    spot, pt = spot[order], pt[order]
    first = np.r_[True, pt[1:] != pt[:-1]]
    weight = points["inwoners"].to_numpy(dtype=float)[pt[first]]
    return np.bincount(spot[first], weights=weight, minlength=len(spots))


def knowledge_gaps(buurten: gpd.GeoDataFrame, assets: gpd.GeoDataFrame, *, months: int | None = None,
                   today=None, extent=None) -> gpd.GeoDataFrame:
    """Buurten where nothing is known, or where every hand-collected contact is stale.

    Parameters
    ----------
    extent : geometry, optional
        Where the OSM data ends: buurten without data are left out, the geometry of a
        ``gedeeltelijk`` buurt is cut to it (its assets are counted in the whole buurt).
    months : int
        A contact older than this is stale (default ``settings.stale_contact_months``).
    today : date-like, optional
        Reference date (default: today).

    Returns
    -------
    GeoDataFrame with ``buurtcode``, ``buurtnaam``, ``reden`` (``niets bekend`` or
    ``contact verouderd``), ``aantal_assets`` and geometry.
    """
    months = settings.stale_contact_months if months is None else int(months)
    today = pd.Timestamp.today().normalize() if today is None else pd.Timestamp(today)
    b = with_geometry(buurten).drop_duplicates("buurtcode")
    a = with_geometry(assets)
    codes = b["buurtcode"]
    if len(a):
        code = assign_areas(a, b).to_numpy()
        hand = (a["herkomst"] == schema.ORIGIN_HAND).to_numpy() if "herkomst" in a.columns \
            else np.zeros(len(a), dtype=bool)
        contact = a["laatste_contact"] if "laatste_contact" in a.columns else pd.Series(pd.NaT, index=a.index)
        recent = ~stale_contact(contact, today=today, months=months, unknown_is_stale=True).to_numpy(dtype=bool)
        df = pd.DataFrame({"buurtcode": code, "hand": hand, "recent": hand & recent}).dropna(subset=["buurtcode"])
        per = df.groupby("buurtcode").agg(n=("hand", "size"), hand=("hand", "sum"), recent=("recent", "sum"))
    else:
        per = pd.DataFrame({"n": [], "hand": [], "recent": []})
    per = per.reindex(codes).fillna(0)
    reason = np.select([per["n"] == 0, (per["hand"] > 0) & (per["recent"] == 0)],
                       [REASON_NOTHING, REASON_STALE], "")
    out = b.assign(reden=reason, aantal_assets=per["n"].astype(np.int64).to_numpy())
    out = out[out["reden"] != ""]
    if extent is not None:
        cut = areas_with_data(out, extent).set_index("buurtcode").geometry
        out = out[out["buurtcode"].isin(cut.index).to_numpy()]
        out = out.assign(geometry=cut.reindex(out["buurtcode"]).to_numpy())
    cols = ["buurtcode"] + (["buurtnaam"] if "buurtnaam" in out.columns else []) + \
        ["reden", "aantal_assets", "geometry"]
    out = gpd.GeoDataFrame(out[cols].reset_index(drop=True), geometry="geometry", crs=settings.crs)
    out.attrs.update({"peildatum": today, "maanden": months})
    return out


def _reachable_share(dist: np.ndarray, length: np.ndarray, distance: float) -> np.ndarray:
    """Share of each edge walkable from the end at ``dist`` (cut at ``distance``); -1 if that end is out of reach."""
    with np.errstate(invalid="ignore"):
        share = np.clip((distance - dist) / np.where(length > 0, length, 1.0), 0.0, 1.0)
    return np.where(np.isfinite(dist) & (dist <= distance), share, -1.0)


def _reachable_segments(network: Network, dist: np.ndarray, distance: float) -> tuple[np.ndarray, np.ndarray]:
    """The reachable part of every street as segments (start and end points), each stretch of street once.

    Per unique edge (:attr:`Network.edges`): the whole edge when the parts walkable from
    its two ends meet, else the part from each end that is in reach. Parallel edges and
    the second, overlapping piece of a whole edge add nothing to the band around them.
    """
    a, b, length = network.edges
    share_a = _reachable_share(dist[a], length, distance)
    share_b = _reachable_share(dist[b], length, distance)
    whole = (share_a >= 1) | (share_b >= 1) | ((share_a >= 0) & (share_b >= 0) & (share_a + share_b >= 1))
    start = np.column_stack([network.x[a], network.y[a]])
    end = np.column_stack([network.x[b], network.y[b]])
    starts, ends = [start[whole]], [end[whole]]
    for share, p, q in ((share_a, start, end), (share_b, end, start)):
        part = ~whole & (share >= 0)
        starts.append(p[part])
        ends.append(p[part] + (q[part] - p[part]) * share[part, None])
    return np.concatenate(starts), np.concatenate(ends)


def _samples(start: np.ndarray, end: np.ndarray, spacing: float) -> np.ndarray:
    """Points along each segment, both ends included, at most ``spacing`` apart."""
    n = np.ceil(np.hypot(*(end - start).T) / spacing).astype(np.int64) + 1
    seg = np.repeat(np.arange(len(n)), n)
    t = (np.arange(len(seg)) - np.repeat(np.cumsum(n) - n, n)) / np.maximum(n - 1, 1)[seg]
    return start[seg] + (end[seg] - start[seg]) * t[:, None]


def _band(start: np.ndarray, end: np.ndarray, width: float):
    """The area within ``width`` of the segments, without holes under ``settings.walking_area_fill`` m².

    Traced on a raster (:func:`abcd_map.analyse.raster.disc_union`) from points along the
    segments one grid cell apart: the band's edge bulges between two points by less than
    ``cell² / (8 · width)``.
    """
    if not len(start):
        return shapely.Polygon()
    ends = np.concatenate([start, end])
    cell = cell_size(width, *np.ptp(ends, axis=0))
    pts = _samples(start, end, cell)
    return disc_union(pts[:, 0], pts[:, 1], width, max_hole=settings.walking_area_fill, cell=cell)[0]


def walking_areas(assets: gpd.GeoDataFrame, network: Network | None, distance: float | None = None, *,
                  width: float | None = None) -> gpd.GeoDataFrame:
    """Where one can walk to the nearest of ``assets`` within ``distance`` metres.

    Returns one (multi)polygon row with ``afstand_m`` and ``afstand_methode``
    ('netwerk' or 'hemelsbreed'); an empty frame when there are no assets.
    """
    distance = settings.default_distance if distance is None else float(distance)
    width = settings.walking_area_width if width is None else float(width)
    cols = {"afstand_m": [], "afstand_methode": []}
    if assets is None or len(assets) == 0:
        return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs=settings.crs), crs=settings.crs)
    xs, ys = assets.geometry.x.to_numpy(), assets.geometry.y.to_numpy()
    if network is None or network.n_nodes == 0:
        area = shapely.union_all(shapely.buffer(shapely.points(xs, ys), distance))
        method = "hemelsbreed"
    else:
        start, end = _reachable_segments(network, network.distances_from(xs, ys, limit=distance), distance)
        area = _band(start, end, width)
        method = "netwerk"
    return gpd.GeoDataFrame({"afstand_m": [distance], "afstand_methode": [method]},
                            geometry=[area], crs=settings.crs)
