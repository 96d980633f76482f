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
- **the extent**: where the extract has data, the union of the walking ways
  buffered by ``settings.osm_extent_buffer``, intersected with the file's
  ``<bounds>`` when present.

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
from ..analyse.network import Network
from ..errors import InputError, InputProblem, OfflineError, note
from ..geo import wgs84_to_rd

__all__ = ["INFO_KEYS", "WALK_HIGHWAYS", "WHOLE_KEYS", "OsmData", "fetch_osm_online", "is_place",
           "is_walkable", "load_osm", "osmnx_street_graph", "place_pairs", "tag_columns"]


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


def _read_file(path: Path) -> _Raw:
    """One pass with pyosmium: places, walkable ways, and refs of possible relation members."""
    raw = _Raw()
    # only nodes with a place key reach Python; node locations are cached by osmium first
    keys = tuple(dict.fromkeys(WHOLE_KEYS + tuple(place_pairs())))
    fp = osmium.FileProcessor(str(path)).with_locations().with_filter(
        osmium.filter.KeyFilter(*keys).enable_for(NODE))
    box = fp.header.box()
    if box.valid():
        raw.bounds = (box.bottom_left.lon, box.bottom_left.lat, box.top_right.lon, box.top_right.lat)
    relations = []
    for obj in fp:
        if obj.is_node():
            _add_node(raw, obj)
        elif obj.is_way():
            _add_way(raw, obj)
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
    # runs of filled cells per row -> boxes -> union
    padded = np.pad(grid, ((0, 0), (1, 1))).astype(np.int8)
    change = np.diff(padded, axis=1)
    rows_s, cols_s = np.nonzero(change == 1)
    rows_e, cols_e = np.nonzero(change == -1)
    boxes = shapely.box(x0 + cols_s * cell, y0 + rows_s * cell, x0 + cols_e * cell, y0 + (rows_e + 1) * cell)
    extent = shapely.union_all(boxes, grid_size=cell / 10)
    extent = shapely.simplify(extent, cell / 2)
    if bounds is not None:
        (bx0, bx1), (by0, by1) = wgs84_to_rd(np.array([bounds[0], bounds[2]]),
                                             np.array([bounds[1], bounds[3]]))
        extent = extent.intersection(shapely.box(bx0, by0, bx1, by1))
    return extent


def _area_geometry(area: Any, margin: float) -> BaseGeometry | None:
    if area is None:
        return None
    if isinstance(area, (gpd.GeoDataFrame, gpd.GeoSeries)):
        geoms = area.to_crs(settings.crs).geometry if area.crs is not None else area.geometry
        geom = shapely.union_all(geoms.dropna().values)
    else:
        geom = area
    return geom.buffer(margin) if margin else geom


def _clip(places: gpd.GeoDataFrame, network: Network, extent: BaseGeometry,
          area: BaseGeometry) -> tuple[gpd.GeoDataFrame, Network, BaseGeometry]:
    """Keep places and edges (either end) inside ``area``; renumber the nodes."""
    shapely.prepare(area)
    places = places[shapely.contains_xy(area, places.geometry.x.values, places.geometry.y.values)]
    inside = shapely.contains_xy(area, network.x, network.y)
    keep = inside[network.u] | inside[network.v]
    u, v, length = network.u[keep], network.v[keep], network.length[keep]
    used, inverse = np.unique(np.concatenate([u, v]), return_inverse=True)
    net = Network(network.node_ids[used], network.x[used], network.y[used],
                  inverse[: len(u)].astype(np.int64), inverse[len(u):].astype(np.int64), length)
    return places.reset_index(drop=True), net, extent.intersection(area)


def load_osm(path: str | Path, area: Any = None, margin: float | None = None) -> OsmData:
    """Places, walking network and data extent from a local OpenStreetMap file.

    Parameters
    ----------
    path : ``.osm``, ``.osm.bz2`` or ``.osm.pbf`` file.
    area : study area (GeoDataFrame/GeoSeries/geometry in EPSG:28992); when given,
        places and network are clipped to it, buffered by ``margin``.
    margin : metres around ``area``; ``settings.osm_margin`` when None.

    Returns
    -------
    OsmData with ``places`` (columns osm_id, osm_type, osm_numeric_id, one column
    per key of :func:`tag_columns`, ``tags`` as JSON, Point geometry),
    ``network`` (:class:`Network`), ``extent`` and ``source``.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(InputProblem(str(path), "OpenStreetMap-bestand niet gevonden",
                                      expected="een .osm-, .osm.bz2- of .osm.pbf-bestand"))
    try:
        raw = _read_file(path)
    except (RuntimeError, ValueError) as exc:
        raise InputError(InputProblem(str(path), f"bestand kan niet als OpenStreetMap worden gelezen ({exc})",
                                      expected="een .osm-, .osm.bz2- of .osm.pbf-bestand")) from exc
    if raw.missing_nodes:
        note(f"{path.name}: {raw.missing_nodes} punten van wegen of plekken ontbreken in het uittreksel; "
             "die stukjes zijn overgeslagen.")
    points = []
    for kind, geom in zip(raw.place_type, raw.place_geom):
        if kind == "n":
            points.append(geom)
        else:
            pt = _way_point(geom) if kind == "w" else _relation_point(geom)
            points.append((pt.x, pt.y) if pt is not None else (np.nan, np.nan))
    lonlat = np.array(points, dtype=float).reshape(-1, 2)
    places = _places_frame(raw.place_type, raw.place_id, raw.place_tags, lonlat[:, 0], lonlat[:, 1])
    places = places[np.isfinite(lonlat[:, 0])].reset_index(drop=True)
    network = _network_from_ways(raw.walk_refs, raw.walk_lon, raw.walk_lat)
    extent = _extent(network, raw.bounds)
    if len(network.u) == 0:
        note(f"{path.name}: geen looproutes gevonden; afstanden worden hemelsbreed berekend.")
    clip = _area_geometry(area, settings.osm_margin if margin is None else margin)
    if clip is not None:
        places, network, extent = _clip(places, network, extent, clip)
    return OsmData(places=places, network=network, extent=extent, source=str(path))


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
    extent = _extent(network, None).intersection(area_rd) if len(network.u) else shapely.Polygon()
    return OsmData(places=places, network=network, extent=extent, source="OpenStreetMap (Overpass)")


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
