"""OpenStreetMap: places and the walking network from a local file (or Overpass).

:func:`load_osm` reads ``.osm``, ``.osm.bz2`` and ``.osm.pbf`` with pyosmium in
one pass (node locations cached by osmium, untagged nodes never reach Python)
and builds

- **places**: nodes, ways and multipolygon relations that carry a place key
  (every value of :data:`WHOLE_KEYS`; for the other keys of
  ``data/osm_tags.csv`` only the values listed there), one Point each in
  EPSG:28992 (the node, or the representative point of the way/relation);
- **the walking network**: one edge per pair of consecutive nodes of every way
  people walk on, length in metres computed in RD New; node ids are OSM ids;
  no simplification;
- **the extent**: where the extract has data. In this order: the ``extent``
  argument (``--osm-gebied``: a polygon file or a box ``minlon,minlat,maxlon,maxlat``),
  the file's ``<bounds>`` (header box of a PBF), else **inferred from the data**:
  an extract made with ``osmium extract -b`` (strategy ``complete_ways``) or most
  exports also holds the complete ways of every route touching its box (kilometres
  of route roads without side streets), which are not data coverage. The rule
  (:func:`_inferred_extent`, parameters ``settings.osm_infer_*``): 100 m cells in
  which at least 4 distinct ways that are not members of a route relation have a
  node (buildings, land use, side streets, paths), opened with a 3 x 3 window,
  holes filled, components under 10% of the largest dropped. When nothing is dense
  enough (a tiny file) the walking ways buffered by ``settings.osm_extent_buffer``.
  Overpass: the query area. Places and walking edges further than
  ``settings.osm_clip_margin`` (100 m) outside the extent are dropped, an edge when
  one of its ends is; the margin keeps a facility just across the edge reachable.
- **joining**: parts of the walking network within ``settings.network_join_tolerance``
  (15 m) of the main network (pedestrian squares whose outline shares no node with
  the streets, paths stopping short of a street) are joined to it by connector
  edges (:func:`abcd_map.analyse.network.join_components`); a note counts what was
  joined and what stays apart.

Which ways are walkable (:func:`is_walkable`):

- ``highway`` in :data:`WALK_HIGHWAYS`. ``cycleway`` is **kept**: Dutch
  fietspaden nearly always have a footpath or verge beside them, or are
  walked on where there is none, and many paths between neighbourhoods are
  tagged cycleway only (osmnx's own ``walk`` filter drops them all, which cuts
  Dutch neighbourhoods apart). ``steps`` and ``track`` are kept (people walk
  them). Dropped: motorways and trunk roads (and links), bridleways, indoor
  corridors, platforms, busways, and ways under construction, proposed or
  abandoned.
- ``foot=no`` drops a way; ``access=no|private`` drops it unless ``foot`` is
  yes, designated or permissive.
"""

from __future__ import annotations

import json
import tempfile
from array import array
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import osmium
import shapely
from osmium.osm import NODE
from scipy import ndimage
from shapely.geometry.base import BaseGeometry
from shapely.ops import linemerge, polygonize

from .. import settings
from ..analyse.network import JoinReport, Network, join_components
from ..errors import InputError, InputProblem, OfflineError, note
from ..geo import wgs84_to_rd

__all__ = ["EXTENT_FROM_BOUNDS", "EXTENT_FROM_OPTION", "EXTENT_FROM_QUERY", "EXTENT_FROM_WALKWAYS",
           "EXTENT_INFERRED", "INFO_KEYS", "WALK_HIGHWAYS", "WHOLE_KEYS", "OsmData", "fetch_osm_online",
           "is_place", "is_walkable", "load_osm", "osmnx_street_graph", "place_pairs", "read_extent",
           "tag_columns"]


#: Keys whose every value makes a place (classify reports values it has no row for).
WHOLE_KEYS = ("amenity", "leisure", "shop", "club", "office", "healthcare", "social_facility")
#: Tag keys kept as separate columns of the places table (besides ``tags`` as JSON).
INFO_KEYS = (
    "name", "religion", "denomination", "sport", "garden:type", "social_facility:for",
    "opening_hours", "website", "contact:website", "phone", "contact:phone", "email",
    "contact:email", "wheelchair", "operator", "description",
    "addr:street", "addr:housenumber", "addr:postcode", "addr:city",
)
#: highway values of ways people walk on (see module notes).
WALK_HIGHWAYS = frozenset({
    "footway", "path", "pedestrian", "living_street", "residential", "service",
    "unclassified", "road", "tertiary", "tertiary_link", "secondary", "secondary_link",
    "primary", "primary_link", "cycleway", "steps", "track",
})
_FOOT_ALLOWED = frozenset({"yes", "designated", "permissive"})
_ACCESS_CLOSED = frozenset({"no", "private"})
#: Relation types whose members make an area.
_AREA_RELATIONS = frozenset({"multipolygon", "boundary"})
_TYPE_NAMES = {"n": "node", "w": "way", "r": "relation"}


@dataclass
class OsmData:
    """What :func:`load_osm` returns (all geometry in EPSG:28992)."""

    places: gpd.GeoDataFrame
    network: Network
    extent: BaseGeometry
    source: str = ""
    #: How ``extent`` was found (one of the ``EXTENT_*`` texts, Dutch).
    extent_source: str = ""


# --------------------------------------------------------------------------- tag rules

@lru_cache(maxsize=None)
def place_pairs() -> dict[str, frozenset[str]]:
    """key -> values loaded as places for keys outside WHOLE_KEYS (from data/osm_tags.csv)."""
    table = pd.read_csv(settings.data_path("osm_tags.csv"), dtype=str, keep_default_na=False)
    table = table[~table["key"].isin(WHOLE_KEYS) & (table["ruis"] != "ja")]
    return {k: frozenset(g["value"]) for k, g in table.groupby("key")}


@lru_cache(maxsize=None)
def tag_columns() -> tuple[str, ...]:
    """Tag keys that become columns of the places table."""
    keys = list(WHOLE_KEYS) + sorted(place_pairs())
    return tuple(dict.fromkeys(keys + list(INFO_KEYS)))


def is_place(tags: Any) -> bool:
    """True if a tag mapping carries a place key (see module notes)."""
    for key in WHOLE_KEYS:
        if key in tags:
            return True
    for key, values in place_pairs().items():
        val = tags.get(key)
        if val is not None and val in values:
            return True
    return False


def is_walkable(tags: Any) -> bool:
    """True if a way with these tags belongs to the walking network."""
    if tags.get("highway") not in WALK_HIGHWAYS:
        return False
    foot = tags.get("foot")
    if foot == "no":
        return False
    return not (tags.get("access") in _ACCESS_CLOSED and foot not in _FOOT_ALLOWED)


# --------------------------------------------------------------------------- reading

@dataclass
class _Raw:
    """What one pass over an OSM file collects (coordinates in WGS84)."""

    # places: type letter, id, tags, geometry parts
    place_type: list[str] = field(default_factory=list)
    place_id: list[int] = field(default_factory=list)
    place_tags: list[dict] = field(default_factory=list)
    place_geom: list[Any] = field(default_factory=list)   # (lon, lat) | coords list | relation members
    # walkable ways: node refs and coordinates
    walk_refs: list[list[int]] = field(default_factory=list)
    walk_lon: list[list[float]] = field(default_factory=list)
    walk_lat: list[list[float]] = field(default_factory=list)
    way_coords: dict[int, list[tuple[float, float]]] = field(default_factory=dict)
    way_refs: dict[int, list[int]] = field(default_factory=dict)
    bounds: tuple[float, float, float, float] | None = None
    missing_nodes: int = 0
    # nodes of every way (only when the extent is inferred from the data): way id, lon, lat
    # (typed arrays: 8 bytes a value, not a Python object, for large files)
    density: bool = False
    dens_way: array = field(default_factory=lambda: array("q"))
    dens_lon: array = field(default_factory=lambda: array("d"))
    dens_lat: array = field(default_factory=lambda: array("d"))
    route_ways: set[int] = field(default_factory=set)


def _way_nodes(way) -> tuple[list[int], list[float], list[float], int]:
    refs, lons, lats, missing = [], [], [], 0
    for n in way.nodes:
        loc = n.location
        if loc.valid():
            refs.append(n.ref)
            lons.append(loc.lon)
            lats.append(loc.lat)
        else:
            missing += 1
    return refs, lons, lats, missing


def _read_file(path: Path, density: bool = True) -> _Raw:
    """One pass with pyosmium: places, walkable ways, and refs of possible relation members.

    With ``density`` and no header box, the nodes of every way and the ways of route
    relations are collected too (for :func:`_inferred_extent`).
    """
    raw = _Raw()
    # only nodes with a place key reach Python; node locations are cached by osmium first
    keys = tuple(dict.fromkeys(WHOLE_KEYS + tuple(place_pairs())))
    fp = osmium.FileProcessor(str(path)).with_locations().with_filter(
        osmium.filter.KeyFilter(*keys).enable_for(NODE))
    box = fp.header.box()
    if box.valid():
        raw.bounds = (box.bottom_left.lon, box.bottom_left.lat, box.top_right.lon, box.top_right.lat)
    raw.density = density and raw.bounds is None
    relations = []
    for obj in fp:
        if obj.is_node():
            _add_node(raw, obj)
        elif obj.is_way():
            if raw.density:
                _add_density(raw, obj)
            _add_way(raw, obj)
        elif obj.is_relation() and obj.tags.get("type") == "route":
            raw.route_ways.update(m.ref for m in obj.members if m.type == "w")
        elif obj.is_relation() and obj.tags.get("type") in _AREA_RELATIONS and is_place(obj.tags):
            members = [(m.ref, m.role) for m in obj.members if m.type == "w"]
            relations.append((obj.id, dict(obj.tags), members))
    if relations:
        _relation_members(raw, relations, fp.node_location_storage)
    return raw


def _add_node(raw: _Raw, node) -> None:
    """A node with a place key becomes a place."""
    if is_place(node.tags) and node.location.valid():
        raw.place_type.append("n")
        raw.place_id.append(node.id)
        raw.place_tags.append(dict(node.tags))
        raw.place_geom.append((node.location.lon, node.location.lat))


def _add_density(raw: _Raw, way) -> None:
    """Remember the located nodes of any way (for inferring the extent)."""
    for n in way.nodes:
        loc = n.location
        if loc.valid():
            raw.dens_way.append(way.id)
            raw.dens_lon.append(loc.lon)
            raw.dens_lat.append(loc.lat)


def _add_way(raw: _Raw, way) -> None:
    """A walkable way joins the network, a place way becomes a place; other ways may be relation members."""
    tags = way.tags
    walk = is_walkable(tags)
    place = is_place(tags)
    if not (walk or place):
        if "building" not in tags:
            # possible member of a multipolygon relation (read later in the file)
            raw.way_refs[way.id] = [n.ref for n in way.nodes]
        return
    refs, lons, lats, missing = _way_nodes(way)
    raw.missing_nodes += missing
    if walk:
        raw.walk_refs.append(refs)
        raw.walk_lon.append(lons)
        raw.walk_lat.append(lats)
    coords = list(zip(lons, lats))
    raw.way_coords[way.id] = coords
    if place and coords:
        raw.place_type.append("w")
        raw.place_id.append(way.id)
        raw.place_tags.append(dict(tags))
        raw.place_geom.append(coords)


def _relation_members(raw: _Raw, relations: list, storage) -> None:
    """Add multipolygon relations as places with the coordinates of their member ways."""
    dropped = 0
    for rel_id, tags, members in relations:
        parts = []
        for ref, role in members:
            coords = raw.way_coords.get(ref)
            if coords is None and ref in raw.way_refs:
                try:
                    coords = [(loc.lon, loc.lat) for loc in (storage.get(r) for r in raw.way_refs[ref])]
                except Exception:  # a node outside the extract
                    coords = None
            if coords is None:
                parts = None
                break
            parts.append((role, coords))
        if not parts:
            dropped += 1
            continue
        raw.place_type.append("r")
        raw.place_id.append(rel_id)
        raw.place_tags.append(tags)
        raw.place_geom.append(parts)
    if dropped:
        note(f"OpenStreetMap: {dropped} gebieden (multipolygoon-relaties) vallen deels buiten het "
             "uittreksel en zijn overgeslagen.")


# --------------------------------------------------------------------------- geometry

def _way_point(coords: list[tuple[float, float]]) -> BaseGeometry:
    """Representative point of a way in WGS84: polygon if closed, line otherwise."""
    if len(coords) >= 4 and coords[0] == coords[-1]:
        poly = shapely.Polygon(coords)
        if not poly.is_valid:
            poly = shapely.make_valid(poly)
        if not poly.is_empty and poly.area > 0:
            return poly.representative_point()
    if len(coords) == 1:
        return shapely.Point(coords[0])
    return shapely.LineString(coords).representative_point()


def _relation_point(parts: list[tuple[str, list]]) -> BaseGeometry | None:
    """Representative point of a multipolygon relation (outer rings merged and polygonized)."""
    outer = [shapely.LineString(c) for role, c in parts if role != "inner" and len(c) >= 2]
    inner = [shapely.LineString(c) for role, c in parts if role == "inner" and len(c) >= 2]
    polys = list(polygonize(linemerge(outer))) if outer else []
    if not polys:
        return None
    geom = shapely.union_all(polys)
    holes = list(polygonize(linemerge(inner))) if inner else []
    if holes:
        geom = geom.difference(shapely.union_all(holes))
    geom = shapely.make_valid(geom)
    return None if geom.is_empty else geom.representative_point()


def _places_frame(types: list[str], ids: list[int], tags: list[dict],
                  lon: np.ndarray, lat: np.ndarray) -> gpd.GeoDataFrame:
    """Places table (see :func:`load_osm`) from parallel lists; lon/lat in WGS84."""
    n = len(ids)
    kind = pd.Series([_TYPE_NAMES[t] for t in types], dtype="str")
    num = np.asarray(ids, dtype="int64")
    data = pd.DataFrame({
        "osm_id": kind + "/" + pd.Series(num).astype(str),
        "osm_type": kind,
        "osm_numeric_id": num,
    })
    tag_frame = pd.DataFrame.from_records(tags, columns=list(tag_columns())) if n else \
        pd.DataFrame(columns=list(tag_columns()))
    for col in tag_columns():
        data[col] = tag_frame[col].astype("str").where(tag_frame[col].notna(), None).astype("str") \
            if n else pd.Series(dtype="str")
    data["tags"] = pd.Series([json.dumps(t, ensure_ascii=False, sort_keys=True) for t in tags], dtype="str")
    x, y = wgs84_to_rd(lon, lat) if n else (np.empty(0), np.empty(0))
    gdf = gpd.GeoDataFrame(data, geometry=gpd.points_from_xy(x, y), crs=settings.crs)
    return gdf


def _network_from_ways(refs: list[list[int]], lons: list[list[float]],
                       lats: list[list[float]]) -> Network:
    """Network of consecutive node pairs of each way, lengths in RD New metres."""
    sizes = np.fromiter((len(r) for r in refs), dtype=np.int64, count=len(refs))
    if sizes.sum() == 0:
        empty_i, empty_f = np.empty(0, dtype=np.int64), np.empty(0, dtype=float)
        return Network(empty_i, empty_f, empty_f, empty_i, empty_i, empty_f)
    all_ids = np.fromiter((r for way in refs for r in way), dtype=np.int64, count=int(sizes.sum()))
    all_lon = np.fromiter((c for way in lons for c in way), dtype=float, count=int(sizes.sum()))
    all_lat = np.fromiter((c for way in lats for c in way), dtype=float, count=int(sizes.sum()))
    # edges: consecutive positions within one way
    ends = np.cumsum(sizes)
    is_last = np.zeros(len(all_ids), dtype=bool)
    is_last[ends[sizes > 0] - 1] = True
    first = np.flatnonzero(~is_last)
    node_ids, first_pos, inverse = np.unique(all_ids, return_index=True, return_inverse=True)
    x, y = wgs84_to_rd(all_lon[first_pos], all_lat[first_pos])
    u = inverse[first]
    v = inverse[first + 1]
    keep = u != v
    u, v = u[keep], v[keep]
    length = np.hypot(x[u] - x[v], y[u] - y[v])
    return Network(node_ids, x, y, u.astype(np.int64), v.astype(np.int64), length)


def _extent(network: Network, bounds: tuple | None) -> BaseGeometry:
    """Where the extract has data: the walking edges buffered by settings.osm_extent_buffer.

    Computed on a raster (cell = buffer / 5) because a vector buffer of tens of
    thousands of short segments is slow; the error is at most one cell. The
    file's ``<bounds>`` (if any) cut it.
    """
    if len(network.u) == 0:
        return shapely.Polygon()
    buf = float(settings.osm_extent_buffer)
    cell = buf / 5
    xu, yu, xv, yv = network.x[network.u], network.y[network.u], network.x[network.v], network.y[network.v]
    # sample each edge every cell length so that long edges mark every cell they cross
    steps = np.maximum(np.ceil(network.length / cell).astype(np.int64), 1)
    edge = np.repeat(np.arange(len(steps)), steps + 1)
    t = np.arange(len(edge)) - np.repeat(np.cumsum(steps + 1) - (steps + 1), steps + 1)
    t = t / np.repeat(steps, steps + 1)
    px = xu[edge] + t * (xv[edge] - xu[edge])
    py = yu[edge] + t * (yv[edge] - yu[edge])
    r = int(np.ceil(buf / cell))
    x0, y0 = px.min() - (r + 1) * cell, py.min() - (r + 1) * cell
    ix = ((px - x0) // cell).astype(np.int64)
    iy = ((py - y0) // cell).astype(np.int64)
    grid = np.zeros((iy.max() + r + 2, ix.max() + r + 2), dtype=bool)
    grid[iy, ix] = True
    yy, xx = np.mgrid[-r:r + 1, -r:r + 1]
    grid = ndimage.binary_dilation(grid, structure=(xx**2 + yy**2) <= r * r)
    extent = _grid_polygon(grid, x0, y0, cell)
    if bounds is not None:
        extent = extent.intersection(_bounds_box(bounds))
    return extent


def _grid_polygon(grid: np.ndarray, x0: float, y0: float, cell: float) -> BaseGeometry:
    """Union of the filled cells of a boolean raster (row = y, column = x), simplified by half a cell."""
    # runs of filled cells per row -> boxes -> union
    padded = np.pad(grid, ((0, 0), (1, 1))).astype(np.int8)
    change = np.diff(padded, axis=1)
    rows_s, cols_s = np.nonzero(change == 1)
    rows_e, cols_e = np.nonzero(change == -1)
    boxes = shapely.box(x0 + cols_s * cell, y0 + rows_s * cell, x0 + cols_e * cell, y0 + (rows_e + 1) * cell)
    extent = shapely.union_all(boxes, grid_size=cell / 10)
    return shapely.simplify(extent, cell / 2)


def _bounds_box(bounds: tuple[float, float, float, float]) -> BaseGeometry:
    """A WGS84 box (minlon, minlat, maxlon, maxlat) as a polygon in RD New (corners projected densely)."""
    box = shapely.segmentize(shapely.box(*bounds), (bounds[2] - bounds[0]) / 20 or 1e-3)
    lon, lat = np.asarray(box.exterior.coords).T
    x, y = wgs84_to_rd(lon, lat)
    return shapely.Polygon(np.column_stack([x, y]))


def _inferred_extent(raw: _Raw) -> BaseGeometry:
    """Where a file without bounds has data, inferred from the density of its ways.

    Rule (parameters in :mod:`abcd_map.settings`): on a raster of
    ``osm_infer_cell`` metres, a cell has data when at least ``osm_infer_min_ways``
    distinct ways that are **not** members of a route relation have a node in it
    (buildings, land use, side streets and paths are dense where an extract is
    complete; the complete route ways that ``osmium extract`` adds around it give one
    to three ways per cell and count for nothing when they are route members).
    The data cells are opened (3 x 3: thin lines and single cells go), holes are
    filled, components smaller than ``osm_infer_min_component`` of the largest are
    dropped, and the rest is buffered by ``osm_infer_buffer``. Empty when too few
    ways are dense enough.
    """
    if not raw.dens_way:
        return shapely.Polygon()
    way = np.frombuffer(raw.dens_way, dtype=np.int64)
    keep = ~np.isin(way, np.fromiter(raw.route_ways, dtype=np.int64, count=len(raw.route_ways)))
    if not keep.any():
        return shapely.Polygon()
    x, y = wgs84_to_rd(np.frombuffer(raw.dens_lon)[keep], np.frombuffer(raw.dens_lat)[keep])
    cell = float(settings.osm_infer_cell)
    x0, y0 = x.min() - 2 * cell, y.min() - 2 * cell
    ix = ((x - x0) // cell).astype(np.int64)
    iy = ((y - y0) // cell).astype(np.int64)
    width, height = int(ix.max()) + 3, int(iy.max()) + 3
    _, way_pos = np.unique(way[keep], return_inverse=True)
    pairs = np.unique(np.column_stack([iy * width + ix, way_pos]), axis=0)
    counts = np.bincount(pairs[:, 0], minlength=width * height).reshape(height, width)
    grid = ndimage.binary_opening(counts >= settings.osm_infer_min_ways, structure=np.ones((3, 3)))
    grid = ndimage.binary_fill_holes(grid)
    labels, n = ndimage.label(grid)
    if n == 0:
        return shapely.Polygon()
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    grid = np.isin(labels, np.flatnonzero(sizes >= settings.osm_infer_min_component * sizes.max()))
    extent = _grid_polygon(grid, x0, y0, cell)
    return extent.buffer(settings.osm_infer_buffer) if settings.osm_infer_buffer else extent


def _area_geometry(area: Any, margin: float) -> BaseGeometry | None:
    if area is None:
        return None
    if isinstance(area, (gpd.GeoDataFrame, gpd.GeoSeries)):
        geoms = area.to_crs(settings.crs).geometry if area.crs is not None else area.geometry
        geom = shapely.union_all(geoms.dropna().values)
    else:
        geom = area
    return geom.buffer(margin) if margin else geom


def _edge_subset(network: Network, keep: np.ndarray) -> Network:
    """The network of the edges ``keep`` (boolean per edge) and their nodes, renumbered."""
    u, v, length = network.u[keep], network.v[keep], network.length[keep]
    used, inverse = np.unique(np.concatenate([u, v]), return_inverse=True)
    return Network(network.node_ids[used], network.x[used], network.y[used],
                   inverse[: len(u)].astype(np.int64), inverse[len(u):].astype(np.int64), length,
                   network.connector[keep])


def _clip(places: gpd.GeoDataFrame, network: Network, extent: BaseGeometry,
          area: BaseGeometry) -> tuple[gpd.GeoDataFrame, Network, BaseGeometry]:
    """Keep places and edges (either end) inside ``area``; renumber the nodes."""
    shapely.prepare(area)
    places = places[shapely.contains_xy(area, places.geometry.x.values, places.geometry.y.values)]
    inside = shapely.contains_xy(area, network.x, network.y)
    net = _edge_subset(network, inside[network.u] | inside[network.v])
    return places.reset_index(drop=True), net, extent.intersection(area)


def _clip_to_extent(places: gpd.GeoDataFrame, network: Network, extent: BaseGeometry,
                    margin: float) -> tuple[gpd.GeoDataFrame, Network]:
    """Keep places and edges (both ends) within ``margin`` metres of ``extent``.

    An extract can hold complete ways far beyond the area it really covers (route
    roads, canal outlines): what lies outside its extent is not data coverage and
    would otherwise place residents and reach on roads without side streets.
    """
    if extent is None or extent.is_empty:
        return places, network
    region = extent.buffer(margin) if margin else extent
    shapely.prepare(region)
    inside_places = shapely.contains_xy(region, places.geometry.x.values, places.geometry.y.values)
    inside = shapely.contains_xy(region, network.x, network.y)
    keep = inside[network.u] & inside[network.v]
    dropped_edges, dropped_places = int((~keep).sum()), int((~inside_places).sum())
    if dropped_edges or dropped_places:
        edges = f"{dropped_edges} wegdeel" if dropped_edges == 1 else f"{dropped_edges} wegdelen"
        spots = f"{dropped_places} plek" if dropped_places == 1 else f"{dropped_places} plekken"
        note(f"OpenStreetMap: {edges} en {spots} liggen verder dan {margin:g} m buiten het gebied "
             "van de gegevens en zijn weggelaten.")
    return places[inside_places].reset_index(drop=True), _edge_subset(network, keep)


def _join_note(report: JoinReport) -> str | None:
    """Dutch note on what :func:`join_components` joined and what stays apart (None when nothing to say)."""
    if report.components_before <= 1:
        return None
    tol = f"{settings.network_join_tolerance:g}"
    text = (f"Loopnetwerk: {report.components_before} losse delen; {report.joined} daarvan (zoals pleinen "
            f"die geen knoop met de straten delen) zijn met {report.connectors} verbindingen van hoogstens "
            f"{tol} m aan het hoofdnetwerk gekoppeld.")
    if report.islands:
        text += (f" {report.islands} kleine losse delen ({report.island_nodes} knopen) blijven los; "
                 "woningen en plekken worden daar niet aan gekoppeld maar aan het dichtstbijzijnde grotere netwerk.")
    if report.separate:
        text += f" {report.separate} grotere delen blijven apart bereikbaar."
    return text


def _joined(network: Network) -> Network:
    """The network with near-touching parts joined (:func:`join_components`), with a note."""
    if network.n_nodes == 0:
        return network
    network, report = join_components(network)
    text = _join_note(report)
    if text:
        note(text)
    return network


#: How the extent of the OSM data was found (Dutch, for the notes).
EXTENT_FROM_OPTION = "uit --osm-gebied"
EXTENT_FROM_BOUNDS = "uit <bounds> van het bestand"
EXTENT_INFERRED = "afgeleid uit de gegevens (gebouwen, landgebruik, straten)"
EXTENT_FROM_WALKWAYS = "afgeleid uit de looproutes (150 m eromheen)"
EXTENT_FROM_QUERY = "uit het Overpass-zoekgebied"
_EXTENT_EXPECTED = ("een vlakkenbestand (GeoJSON, GeoPackage ...) of een kader "
                    "'minlon,minlat,maxlon,maxlat' in graden, bijv. 4.355,51.995,4.386,52.005")


def _box_text(text: str) -> tuple[float, float, float, float] | None:
    """``minlon,minlat,maxlon,maxlat`` as four numbers, or None when the text is not four numbers."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 4:
        return None
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        return None
    return values  # type: ignore[return-value]


def _check_box(box: tuple[float, float, float, float], text: str) -> None:
    lon0, lat0, lon1, lat1 = box
    if not (-180 <= lon0 < lon1 <= 180 and -90 <= lat0 < lat1 <= 90):
        raise InputError(InputProblem("--osm-gebied", "geen geldig kader in graden", value=text,
                                      expected=_EXTENT_EXPECTED))


def _polygon_file(path: Path) -> BaseGeometry:
    """Union of the polygons of a file in RD New (no CRS: degrees when they look like degrees)."""
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # noqa: BLE001 - any reader failure is a user problem
        raise InputError(InputProblem(str(path), f"bestand kan niet worden gelezen ({exc})",
                                      expected=_EXTENT_EXPECTED)) from exc
    frame = frame[frame.geometry.notna() & frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    if not len(frame):
        raise InputError(InputProblem(str(path), "geen vlakken gevonden", expected=_EXTENT_EXPECTED))
    if frame.crs is None:
        x0, y0, x1, y1 = frame.total_bounds
        degrees = max(abs(x0), abs(x1)) <= 180 and max(abs(y0), abs(y1)) <= 90
        frame = frame.set_crs(settings.crs_wgs84 if degrees else settings.crs)
    return shapely.union_all(frame.to_crs(settings.crs).geometry.values)


def read_extent(value: Any) -> BaseGeometry:
    """The area an OSM file covers, from ``--osm-gebied``, as a polygon in EPSG:28992.

    Parameters
    ----------
    value : str, Path, shapely geometry, GeoDataFrame or GeoSeries
        A polygon file (GeoJSON, GeoPackage, Shapefile; any CRS, none = WGS84 degrees
        or RD metres by the size of the numbers), a box text
        ``"minlon,minlat,maxlon,maxlat"`` in WGS84 degrees, a geometry (taken to be
        in EPSG:28992) or a (Geo)DataFrame/Series with a CRS.

    Raises
    ------
    InputError
        Dutch message when the file is missing or unreadable, has no polygons, or the
        box is not four numbers in range.
    """
    if isinstance(value, BaseGeometry):
        return value
    if isinstance(value, (gpd.GeoDataFrame, gpd.GeoSeries)):
        geoms = value.to_crs(settings.crs).geometry if value.crs is not None else value.geometry
        return shapely.union_all(geoms.dropna().values)
    text = str(value).strip()
    box = _box_text(text)
    if box is not None:
        _check_box(box, text)
        return _bounds_box(box)
    path = Path(text)
    if not path.exists():
        raise InputError(InputProblem("--osm-gebied", "bestand niet gevonden en geen kader", value=text,
                                      expected=_EXTENT_EXPECTED))
    return _polygon_file(path)


def _choose_extent(raw: _Raw, network: Network, extent: Any) -> tuple[BaseGeometry, str]:
    """The extent of the data and how it was found: option, file bounds, inferred, walking ways."""
    if extent is not None:
        return read_extent(extent), EXTENT_FROM_OPTION
    if raw.bounds is not None:
        return _bounds_box(raw.bounds), EXTENT_FROM_BOUNDS
    inferred = _inferred_extent(raw)
    if not inferred.is_empty:
        return inferred, EXTENT_INFERRED
    return _extent(network, None), EXTENT_FROM_WALKWAYS


def _raw_places(raw: _Raw) -> gpd.GeoDataFrame:
    """Places table of the raw places (points of ways and relations found, unplaceable ones dropped)."""
    points = []
    for kind, geom in zip(raw.place_type, raw.place_geom):
        if kind == "n":
            points.append(geom)
        else:
            pt = _way_point(geom) if kind == "w" else _relation_point(geom)
            points.append((pt.x, pt.y) if pt is not None else (np.nan, np.nan))
    lonlat = np.array(points, dtype=float).reshape(-1, 2)
    places = _places_frame(raw.place_type, raw.place_id, raw.place_tags, lonlat[:, 0], lonlat[:, 1])
    return places[np.isfinite(lonlat[:, 0])].reset_index(drop=True)


def load_osm(path: str | Path, area: Any = None, margin: float | None = None,
             extent: Any = None) -> OsmData:
    """Places, walking network and data extent from a local OpenStreetMap file.

    Parameters
    ----------
    path : ``.osm``, ``.osm.bz2`` or ``.osm.pbf`` file.
    area : study area (GeoDataFrame/GeoSeries/geometry in EPSG:28992); when given,
        places and network are clipped to it, buffered by ``margin``.
    margin : metres around ``area``; ``settings.osm_margin`` when None.
    extent : where the file has data (``--osm-gebied``): a polygon file, a box text
        ``"minlon,minlat,maxlon,maxlat"`` or a geometry (see :func:`read_extent`).
        Without it the file's ``<bounds>`` (header box) are used, and without those
        the extent is inferred from the data (:func:`_inferred_extent`; the walking
        ways buffered by ``settings.osm_extent_buffer`` when that finds nothing).

    Places and network edges further than ``settings.osm_clip_margin`` outside the
    extent are dropped (an edge only when both ends are inside). A note says where
    the extent came from.

    Returns
    -------
    OsmData with ``places`` (columns osm_id, osm_type, osm_numeric_id, one column
    per key of :func:`tag_columns`, ``tags`` as JSON, Point geometry),
    ``network`` (:class:`Network`), ``extent``, ``source`` and ``extent_source``.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(InputProblem(str(path), "OpenStreetMap-bestand niet gevonden",
                                      expected="een .osm-, .osm.bz2- of .osm.pbf-bestand"))
    try:
        raw = _read_file(path, density=extent is None)
    except (RuntimeError, ValueError) as exc:
        raise InputError(InputProblem(str(path), f"bestand kan niet als OpenStreetMap worden gelezen ({exc})",
                                      expected="een .osm-, .osm.bz2- of .osm.pbf-bestand")) from exc
    if raw.missing_nodes:
        note(f"{path.name}: {raw.missing_nodes} punten van wegen of plekken ontbreken in het uittreksel; "
             "die stukjes zijn overgeslagen.")
    places = _raw_places(raw)
    network = _network_from_ways(raw.walk_refs, raw.walk_lon, raw.walk_lat)
    data_extent, how = _choose_extent(raw, network, extent)
    note(f"Gebied van de OSM-gegevens: {how} ({data_extent.area / 1e6:.1f} km²).")
    places, network = _clip_to_extent(places, network, data_extent, settings.osm_clip_margin)
    if len(network.u) == 0:
        note(f"{path.name}: geen looproutes gevonden; afstanden worden hemelsbreed berekend.")
    clip = _area_geometry(area, settings.osm_margin if margin is None else margin)
    if clip is not None:
        places, network, data_extent = _clip(places, network, data_extent, clip)
    network = _joined(network)
    return OsmData(places=places, network=network, extent=data_extent, source=str(path), extent_source=how)


# --------------------------------------------------------------------------- online (Overpass via osmnx)

def _osmnx_tags() -> dict[str, bool | list[str]]:
    tags: dict[str, bool | list[str]] = {k: True for k in WHOLE_KEYS}
    tags.update({k: sorted(v) for k, v in place_pairs().items()})
    return tags


#: Overpass filter for the walking ways; :func:`is_walkable` refines it (access/foot).
_OVERPASS_WALK = ('["highway"~"^(' + "|".join(sorted(WALK_HIGHWAYS)) + ')$"]["foot"!~"^no$"]')


def fetch_osm_online(area_wgs84_polygon: BaseGeometry, *, cache: bool = True) -> OsmData:
    """Places and walking network from Overpass (via osmnx) for a polygon in WGS84.

    Responses are cached in ``settings.cache_folder()/osmnx``. Raises
    :class:`OfflineError` (Dutch message) when Overpass cannot be reached.
    """
    import osmnx as ox
    import requests

    ox.settings.cache_folder = str(settings.cache_folder() / "osmnx")
    ox.settings.use_cache = cache
    ox.settings.requests_timeout = 30
    for key in ("foot", "access"):
        if key not in ox.settings.useful_tags_way:
            ox.settings.useful_tags_way = [*ox.settings.useful_tags_way, key]
    try:
        graph = ox.graph_from_polygon(area_wgs84_polygon, custom_filter=_OVERPASS_WALK, simplify=False,
                                      retain_all=True, truncate_by_edge=True)
        features = ox.features_from_polygon(area_wgs84_polygon, tags=_osmnx_tags())
    except (requests.ConnectionError, requests.Timeout, ConnectionError, TimeoutError) as exc:
        raise OfflineError(
            "OpenStreetMap (Overpass) is niet bereikbaar: geen internetverbinding of de dienst "
            "reageert niet. Gebruik een lokaal OSM-bestand (--osm bestand.osm.pbf) of probeer het later.") from exc
    except ox._errors.InsufficientResponseError:
        features = gpd.GeoDataFrame(geometry=[], crs=settings.crs_wgs84)
    network = _network_from_graph(graph)
    places = _places_from_features(features)
    area_rd = gpd.GeoSeries([area_wgs84_polygon], crs=settings.crs_wgs84).to_crs(settings.crs).iloc[0]
    places, network = _clip_to_extent(places, network, area_rd, settings.osm_clip_margin)
    network = _joined(network)
    note(f"Gebied van de OSM-gegevens: {EXTENT_FROM_QUERY} ({area_rd.area / 1e6:.1f} km²).")
    return OsmData(places=places, network=network, extent=area_rd, source="OpenStreetMap (Overpass)",
                   extent_source=EXTENT_FROM_QUERY)


def _network_from_graph(graph) -> Network:
    """Walkable edges of an osmnx graph (access/foot refinement), lengths in RD New."""
    nodes = dict(graph.nodes(data=True))
    us, vs = [], []
    for u, v, data in graph.edges(data=True):
        if is_walkable({k: (val[0] if isinstance(val, list) else val) for k, val in data.items()}):
            us.append(u)
            vs.append(v)
    ids = np.array(sorted(set(us) | set(vs)), dtype=np.int64)
    lon = np.array([nodes[i]["x"] for i in ids], dtype=float)
    lat = np.array([nodes[i]["y"] for i in ids], dtype=float)
    x, y = wgs84_to_rd(lon, lat)
    u = np.searchsorted(ids, np.asarray(us, dtype=np.int64))
    v = np.searchsorted(ids, np.asarray(vs, dtype=np.int64))
    return Network(ids, x, y, u, v, np.hypot(x[u] - x[v], y[u] - y[v]))


def _places_from_features(features: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Places table (see :func:`load_osm`) of osmnx features in WGS84."""
    if not len(features):
        return _places_frame([], [], [], np.empty(0), np.empty(0))
    feats = features.reset_index()
    pts = feats.geometry.representative_point()
    tag_cols = [c for c in feats.columns if c not in ("element", "id", "geometry", "nodes", "ways")]
    tags = [{k: v for k, v in row.items() if isinstance(v, str)} for row in feats[tag_cols].to_dict("records")]
    types = [t[0] for t in feats["element"]]
    return _places_frame(types, list(feats["id"]), tags, pts.x.values, pts.y.values)


def osmnx_street_graph(path: str | Path, *, simplify: bool = True, folder: str | Path | None = None):
    """An osmnx graph of only the ``highway`` ways of an OSM file (for interop and cross-checks).

    ``osmnx.graph_from_xml`` on a raw extract builds edges from every way (buildings,
    landuse, canals); this writes the highway ways and their nodes to a temporary
    ``.osm`` first (with pyosmium), then lets osmnx read that.
    """
    import osmnx as ox

    src = str(path)
    dst = Path(folder or tempfile.mkdtemp(prefix="abcd-osm-")) / "highways.osm"
    nodes: set[int] = set()
    for way in osmium.FileProcessor(src, osmium.osm.WAY).with_filter(osmium.filter.KeyFilter("highway")):
        nodes.update(n.ref for n in way.nodes)
    writer = osmium.SimpleWriter(str(dst), overwrite=True)
    try:
        for obj in osmium.FileProcessor(src, osmium.osm.NODE | osmium.osm.WAY):
            if obj.is_node() and obj.id in nodes:
                writer.add_node(obj)
            elif obj.is_way() and "highway" in obj.tags:
                writer.add_way(obj)
    finally:
        writer.close()
    return ox.graph_from_xml(dst, simplify=simplify, retain_all=False)
