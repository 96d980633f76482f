"""Tests of abcd_map.load.osm: places, walking network, extent, online route (mocked)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import osmium
import pytest
import shapely
from pyproj import Transformer

from abcd_map import settings
from abcd_map.analyse.network import Network
from abcd_map.errors import OfflineError
from abcd_map.load import osm
from abcd_map.geo import share_inside
from abcd_map.load.osm import is_walkable, load_osm

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DELFT_OSM = SHARED / "osm" / "delft-tudelft.osm.bz2"
BUURT = SHARED / "cbs-wijkenbuurten-2015" / "haaglanden_buurt.geojson"
real = pytest.mark.skipif(not DELFT_OSM.exists(), reason="../shared/data ontbreekt")
TO_RD = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)

# hand-made: a row of nodes 0.001 degree apart along a parallel near Delft
LAT = 52.0
NODES = {i: (4.35 + 0.001 * i, LAT) for i in range(1, 8)}


def rd_dist(a: int, b: int) -> float:
    (x1, x2), (y1, y2) = TO_RD.transform([NODES[a][0], NODES[b][0]], [NODES[a][1], NODES[b][1]])
    return float(np.hypot(x2 - x1, y2 - y1))


@pytest.fixture
def small_pbf(tmp_path: Path) -> Path:
    path = tmp_path / "klein.osm.pbf"
    w = osmium.SimpleWriter(str(path))
    for nid, (lon, lat) in NODES.items():
        tags = {}
        if nid == 3:
            tags = {"amenity": "library", "name": "Bieb"}
        if nid == 5:
            tags = {"amenity": "bench"}
        w.add_node(osmium.osm.mutable.Node(id=nid, location=(lon, lat), tags=tags))
    # extra nodes of a closed playground way and a building way
    ring = {11: (4.351, 52.001), 12: (4.352, 52.001), 13: (4.352, 52.002), 14: (4.351, 52.002)}
    for nid, loc in ring.items():
        w.add_node(osmium.osm.mutable.Node(id=nid, location=loc, tags={}))
    w.add_node(osmium.osm.mutable.Node(id=21, location=(4.36, 52.003), tags={"shop": "bakery"}))
    w.add_way(osmium.osm.mutable.Way(id=100, nodes=[1, 2, 3], tags={"highway": "footway"}))
    w.add_way(osmium.osm.mutable.Way(id=101, nodes=[3, 4], tags={"highway": "cycleway"}))
    w.add_way(osmium.osm.mutable.Way(id=102, nodes=[4, 5], tags={"highway": "motorway"}))
    w.add_way(osmium.osm.mutable.Way(id=103, nodes=[5, 6], tags={"highway": "service", "access": "private",
                                                                  "foot": "yes"}))
    w.add_way(osmium.osm.mutable.Way(id=104, nodes=[6, 7], tags={"highway": "path", "foot": "no"}))
    w.add_way(osmium.osm.mutable.Way(id=105, nodes=[11, 12, 13, 14, 11], tags={"leisure": "playground"}))
    w.add_way(osmium.osm.mutable.Way(id=106, nodes=[1, 11], tags={"building": "yes"}))
    w.add_way(osmium.osm.mutable.Way(id=107, nodes=[12, 13], tags={}))
    w.add_way(osmium.osm.mutable.Way(id=108, nodes=[13, 14, 11, 12], tags={}))
    w.add_relation(osmium.osm.mutable.Relation(
        id=900, members=[("w", 107, "outer"), ("w", 108, "outer")],
        tags={"type": "multipolygon", "leisure": "park", "name": "Parkje"}))
    w.close()
    return path


def test_walk_rules() -> None:
    assert is_walkable({"highway": "cycleway"})
    assert is_walkable({"highway": "steps"})
    assert not is_walkable({"highway": "motorway"})
    assert not is_walkable({"highway": "trunk_link"})
    assert not is_walkable({"highway": "footway", "foot": "no"})
    assert not is_walkable({"highway": "service", "access": "private"})
    assert is_walkable({"highway": "service", "access": "private", "foot": "designated"})
    assert not is_walkable({"building": "yes"})


def test_small_pbf(small_pbf: Path) -> None:
    data = load_osm(small_pbf)
    net = data.network
    assert isinstance(net, Network)
    # walkable: 1-2-3 footway, 3-4 cycleway, 5-6 private service with foot=yes
    assert sorted(net.node_ids.tolist()) == [1, 2, 3, 4, 5, 6]
    pairs = {tuple(sorted((int(net.node_ids[a]), int(net.node_ids[b])))): length
             for a, b, length in zip(net.u, net.v, net.length)}
    assert set(pairs) == {(1, 2), (2, 3), (3, 4), (5, 6)}
    for (a, b), length in pairs.items():
        assert length == pytest.approx(rd_dist(a, b), rel=1e-9)
        assert 60 < length < 75  # 0.001 degree of longitude at 52 N is about 68.5 m
    x, y = TO_RD.transform(*NODES[3])
    i = int(np.flatnonzero(net.node_ids == 3)[0])
    assert (net.x[i], net.y[i]) == pytest.approx((x, y))
    # places: two nodes, the playground way and the park relation; the bakery node lies
    # 600 m from the walking ways, outside the extent (+ osm_clip_margin), and is dropped
    places = data.places.set_index("osm_id")
    assert set(places.index) == {"node/3", "node/5", "way/105", "relation/900"}
    assert data.extent_source == osm.EXTENT_FROM_WALKWAYS  # too few ways to infer from
    assert places.loc["node/3", "name"] == "Bieb"
    assert places.loc["relation/900", "osm_type"] == "relation"
    assert places.loc["way/105", "osm_numeric_id"] == 105
    assert places.crs == settings.crs
    # the way's point lies inside its polygon
    ring = shapely.Polygon([TO_RD.transform(*p) for p in [(4.351, 52.001), (4.352, 52.001),
                                                          (4.352, 52.002), (4.351, 52.002)]])
    assert ring.contains(places.loc["way/105", "geometry"])
    assert ring.contains(places.loc["relation/900", "geometry"])
    assert '"amenity": "library"' in places.loc["node/3", "tags"]
    # the extent covers the walking ways, not the bakery 600 m away from them
    assert data.extent.contains(shapely.Point(x, y))
    bakery = shapely.Point(TO_RD.transform(4.36, 52.003))
    assert not data.extent.contains(bakery)
    assert data.source == str(small_pbf)


def test_clip_to_area(small_pbf: Path) -> None:
    x, y = TO_RD.transform(*NODES[1])
    area = gpd.GeoDataFrame(geometry=[shapely.Point(x, y).buffer(10)], crs=settings.crs)
    data = load_osm(small_pbf, area=area, margin=100)
    # node 2 lies within 110 m of node 1, so the edges 1-2 and 2-3 (one end inside) stay
    assert set(data.network.node_ids.tolist()) == {1, 2, 3}
    assert "node/3" not in set(data.places["osm_id"])
    assert data.extent.within(shapely.Point(x, y).buffer(111))


def test_extent_share() -> None:
    extent = shapely.box(0, 0, 100, 100)
    b = gpd.GeoDataFrame({"buurtcode": ["a", "b", "c"]},
                         geometry=[shapely.box(0, 0, 50, 50), shapely.box(50, 0, 150, 100), None],
                         crs=settings.crs)
    share = share_inside(b, extent)
    assert share.iloc[0] == pytest.approx(1.0)
    assert share.iloc[1] == pytest.approx(0.5)
    assert np.isnan(share.iloc[2])


def test_read_extent(tmp_path: Path) -> None:
    from abcd_map.errors import InputError

    box = osm.read_extent("4.35, 51.99, 4.36, 52.0")
    assert box.symmetric_difference(rd_box((4.35, 51.99, 4.36, 52.0))).area < 0.001 * box.area
    # a polygon file in any CRS comes back in RD New
    gpd.GeoDataFrame(geometry=[shapely.box(4.35, 51.99, 4.36, 52.0)], crs="EPSG:4326").to_file(
        tmp_path / "gebied.geojson")
    gpd.GeoDataFrame(geometry=[box], crs=settings.crs).to_crs("EPSG:3857").to_file(tmp_path / "gebied.gpkg")
    for name in ("gebied.geojson", "gebied.gpkg"):
        assert osm.read_extent(tmp_path / name).symmetric_difference(box).area < 0.01 * box.area
    for bad in ("4.36,51.99,4.35,52.0", "a,b,c,d", tmp_path / "geen.geojson"):
        with pytest.raises(InputError, match="--osm-gebied"):
            osm.read_extent(bad)


def test_extent_sources(small_pbf: Path, tmp_path: Path) -> None:
    """--osm-gebied over the header box over the data; what lies outside (+ margin) is dropped."""
    boxed = tmp_path / "kader.osm"
    header = osmium.io.Header()
    header.add_box(osmium.osm.Box(4.3495, 51.9995, 4.3535, 52.0025))  # nodes 1-3 and the playground
    writer = osmium.SimpleWriter(str(boxed), header=header)
    try:
        for obj in osmium.FileProcessor(str(small_pbf)):
            writer.add(obj)
    finally:
        writer.close()
    assert "<bounds" in boxed.read_text()
    data = load_osm(boxed)
    assert data.extent_source == osm.EXTENT_FROM_BOUNDS
    # node 4 lies 1.5 node spacings (about 100 m) east of the box: edge 3-4 within the 100 m margin
    assert set(data.network.node_ids.tolist()) <= {1, 2, 3, 4}
    assert {1, 2, 3} <= set(data.network.node_ids.tolist())
    assert "node/5" not in set(data.places["osm_id"])
    given = load_osm(boxed, extent="4.349,51.999,4.372,52.001")
    assert given.extent_source == osm.EXTENT_FROM_OPTION
    assert set(given.network.node_ids.tolist()) == {1, 2, 3, 4, 5, 6}


def test_missing_file(tmp_path: Path) -> None:
    from abcd_map.errors import InputError

    with pytest.raises(InputError, match="niet gevonden"):
        load_osm(tmp_path / "geen.osm.pbf")


# ----------------------------------------------------------------------------- online (mocked)

def _fake_graph(polygon, **kwargs):
    g = nx.MultiDiGraph()
    for nid, (lon, lat) in NODES.items():
        g.add_node(nid, x=lon, y=lat)
    g.add_edge(1, 2, highway="footway")
    g.add_edge(2, 1, highway="footway")
    g.add_edge(2, 3, highway="service", access="private")
    g.add_edge(3, 4, highway=["cycleway", "path"])
    return g


def _fake_features(polygon, tags):
    import pandas as pd

    idx = pd.MultiIndex.from_tuples([("node", 3), ("way", 105)], names=["element", "id"])
    return gpd.GeoDataFrame({"amenity": ["library", None], "leisure": [None, "playground"],
                             "name": ["Bieb", None]},
                            geometry=[shapely.Point(NODES[3]), shapely.box(4.351, 52.001, 4.352, 52.002)],
                            index=idx, crs="EPSG:4326")


def test_fetch_online_mocked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import osmnx as ox

    monkeypatch.setenv("ABCD_MAP_CACHE", str(tmp_path))
    monkeypatch.setattr(ox, "graph_from_polygon", _fake_graph)
    monkeypatch.setattr(ox, "features_from_polygon", _fake_features)
    data = osm.fetch_osm_online(shapely.box(4.34, 51.99, 4.37, 52.01))
    assert Path(ox.settings.cache_folder) == tmp_path / "osmnx"
    assert sorted(data.network.node_ids.tolist()) == [1, 2, 3, 4]
    assert len(data.network.u) == 3  # 1-2 twice (both directions), 3-4; private 2-3 dropped
    assert set(data.places["osm_id"]) == {"node/3", "way/105"}
    assert data.places.crs == settings.crs
    assert not data.extent.is_empty


def test_fetch_online_offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import osmnx as ox
    import requests

    monkeypatch.setenv("ABCD_MAP_CACHE", str(tmp_path))

    def down(*args, **kwargs):
        raise requests.ConnectionError("geen netwerk")

    monkeypatch.setattr(ox, "graph_from_polygon", down)
    with pytest.raises(OfflineError, match="niet bereikbaar"):
        osm.fetch_osm_online(shapely.box(4.34, 51.99, 4.37, 52.01))


# ----------------------------------------------------------------------------- real data

#: The box where the shared Delft extract really holds data (its README), WGS84.
TRUE_BOX = (4.355, 51.995, 4.386, 52.005)
#: A smaller box cut from it for the extract tests.
SUB_BOX = (4.358, 51.996, 4.383, 52.004)


def rd_box(box: tuple[float, float, float, float]) -> shapely.Polygon:
    """A WGS84 box in RD New (its four corners projected: slightly rotated)."""
    lon0, lat0, lon1, lat1 = box
    x, y = TO_RD.transform([lon0, lon1, lon1, lon0], [lat0, lat0, lat1, lat1])
    return shapely.Polygon(zip(x, y))


@pytest.fixture(scope="module")
def delft(delft_osm) -> osm.OsmData:
    return delft_osm


@pytest.fixture(scope="module")
def delft_ways() -> dict[str, set[int]]:
    """Node ids of building/landuse ways, walkable cycleways (inside the true box) and highways."""
    out: dict[str, set[int]] = {"building_only": set(), "cycleway": set(), "highway": set()}
    building: set[int] = set()
    lon0, lat0, lon1, lat1 = TRUE_BOX
    for obj in osmium.FileProcessor(str(DELFT_OSM), osmium.osm.NODE | osmium.osm.WAY).with_locations():
        if not obj.is_way():
            continue
        refs = {n.ref for n in obj.nodes}
        if "highway" in obj.tags:
            out["highway"] |= refs
            if obj.tags.get("highway") == "cycleway" and obj.tags.get("foot") != "no":
                out["cycleway"] |= {n.ref for n in obj.nodes
                                    if lon0 < n.lon < lon1 and lat0 < n.lat < lat1}
        elif "building" in obj.tags or "landuse" in obj.tags:
            building |= refs
    out["building_only"] = building - out["highway"]
    return out


@real
@pytest.mark.realdata
def test_real_delft_places(delft: osm.OsmData) -> None:
    p = delft.places
    three = p[p[["amenity", "leisure", "shop"]].notna().any(axis=1)]
    # osmnx.features_from_xml finds 860; one lies beyond the extent (+ 100 m) and is dropped
    assert len(three) == 859
    assert three["osm_id"].is_unique
    assert set(p["osm_type"]) <= {"node", "way", "relation"}
    assert p.geometry.geom_type.eq("Point").all()
    region = delft.extent.buffer(settings.osm_clip_margin + 1)
    assert region.contains(shapely.MultiPoint(p.geometry.tolist()))


@real
@pytest.mark.realdata
def test_real_delft_network(delft: osm.OsmData, delft_ways: dict[str, set[int]]) -> None:
    net = delft.network
    assert 1_900 < net.n_nodes < 15_000
    nodes = set(net.node_ids.tolist())
    assert not nodes & delft_ways["building_only"]  # no building/landuse edges
    assert delft_ways["cycleway"] <= nodes  # cycleways are walkable
    assert nodes <= delft_ways["highway"]
    assert (net.length > 0).all() and net.length.max() < 1_000
    # the route roads to Rotterdam are gone: every node within the extent + the clip margin
    region = delft.extent.buffer(settings.osm_clip_margin + 1)
    assert shapely.contains_xy(region, net.x, net.y).all()


@real
@pytest.mark.realdata
def test_real_inferred_extent(delft: osm.OsmData) -> None:
    """The file has no <bounds>: the extent is inferred and matches the true box, not the routes."""
    assert delft.extent_source == osm.EXTENT_INFERRED
    box = rd_box(TRUE_BOX)
    assert delft.extent.intersection(box).area >= 0.9 * box.area
    assert delft.extent.difference(box).area < 0.25 * delft.extent.area


@real
@pytest.mark.realdata
@pytest.mark.skipif(not BUURT.exists(), reason="../shared/data ontbreekt")
def test_real_data_status(delft: osm.OsmData) -> None:
    from abcd_map.analyse.coverage import DATA_OK, data_status
    from abcd_map.load.areas import load_buurten

    b = load_buurten(BUURT, gemeente="Delft")
    true_share = share_inside(b, rd_box(TRUE_BOX)).to_numpy()
    status = data_status(b, delft.extent).reindex(b["buurtcode"]).to_numpy()
    ok = status == DATA_OK
    assert not (ok & (true_share < 0.1)).any()  # e.g. Wippolder-Noord (0% inside) is no longer ok
    assert ok[true_share >= 0.9].all()
    assert 8 <= ok.sum() <= 16


def _cut(src: Path, targets: dict[Path, bool], box: tuple[float, float, float, float]) -> None:
    """Write what ``osmium extract -b`` (complete_ways) gives: every way touching ``box`` whole,
    the route relations of those ways with all their member ways (long roads far out), their nodes.
    ``targets``: file -> with a header box (``<bounds>``) or not."""
    lon0, lat0, lon1, lat1 = box
    touching: set[int] = set()
    way_nodes: dict[int, list[int]] = {}
    routes: dict[int, set[int]] = {}
    for obj in osmium.FileProcessor(str(src)).with_locations():
        if obj.is_way():
            way_nodes[obj.id] = [n.ref for n in obj.nodes]
            if any(lon0 < n.lon < lon1 and lat0 < n.lat < lat1 for n in obj.nodes if n.location.valid()):
                touching.add(obj.id)
        elif obj.is_relation() and obj.tags.get("type") == "route":
            members = {m.ref for m in obj.members if m.type == "w"}
            if members & touching:
                routes[obj.id] = members
    ways = touching.union(*routes.values())
    nodes = {n for w in ways for n in way_nodes.get(w, ())}
    writers = []
    for dst, with_bounds in targets.items():
        header = osmium.io.Header()
        if with_bounds:
            header.add_box(osmium.osm.Box(lon0, lat0, lon1, lat1))
        writers.append(osmium.SimpleWriter(str(dst), header=header, overwrite=True))
    try:
        for obj in osmium.FileProcessor(str(src)):
            keep = obj.id in (nodes if obj.is_node() else ways if obj.is_way() else routes)
            for writer in writers if keep else ():
                writer.add(obj)
    finally:
        for writer in writers:
            writer.close()


@pytest.fixture(scope="module")
def delft_cuts(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("cuts")
    out = {"zonder": folder / "zonder.osm", "met": folder / "met.osm"}
    _cut(DELFT_OSM, {out["zonder"]: False, out["met"]: True}, SUB_BOX)
    return out


@real
@pytest.mark.realdata
@pytest.mark.slow
def test_real_cut_extracts(delft_cuts: dict[str, Path]) -> None:
    """Small extracts cut from the Delft file, with and without <bounds>, with routes reaching far out."""
    box = rd_box(SUB_BOX)
    assert "<bounds" in delft_cuts["met"].read_text()[:2000]
    assert "<bounds" not in delft_cuts["zonder"].read_text()[:2000]
    raw = osm._read_file(delft_cuts["zonder"])
    far = max(shapely.distance(box, shapely.Point(TO_RD.transform(lon, lat)))
              for lon, lat in zip(raw.dens_lon[::50], raw.dens_lat[::50]))
    assert far > 5_000  # route ways reach kilometres beyond the box
    inferred = load_osm(delft_cuts["zonder"])
    assert inferred.extent_source == osm.EXTENT_INFERRED
    assert inferred.extent.intersection(box).area >= 0.9 * box.area
    assert inferred.extent.difference(box).area < 0.25 * inferred.extent.area
    bounded = load_osm(delft_cuts["met"])
    assert bounded.extent_source == osm.EXTENT_FROM_BOUNDS
    assert bounded.extent.symmetric_difference(box).area < 0.01 * box.area
    for data in (inferred, bounded):
        region = data.extent.buffer(settings.osm_clip_margin + 1)
        assert shapely.contains_xy(region, data.network.x, data.network.y).all()
        assert region.contains(shapely.MultiPoint(data.places.geometry.tolist()))
    # --osm-gebied wins over both, as a box text and as a polygon file in another CRS
    given = load_osm(delft_cuts["met"], extent="4.36,51.997,4.37,52.0")
    assert given.extent_source == osm.EXTENT_FROM_OPTION
    assert given.extent.area == pytest.approx(rd_box((4.36, 51.997, 4.37, 52.0)).area, rel=0.01)


def test_osm_gebied_option_reaches_load_osm(small_pbf: Path) -> None:
    """--osm-gebied: CLI option -> BuildOptions.osm_area -> stages -> load_osm(extent=...)."""
    import warnings

    from typer.testing import CliRunner

    from abcd_map import stages
    from abcd_map.cli import app
    from abcd_map.options import BuildOptions

    assert "--osm-gebied" in CliRunner().invoke(app, ["build", "--help"], terminal_width=200).output
    box = "4.349,51.999,4.372,52.001"
    options = BuildOptions.create(osm=small_pbf, osm_gebied=box)
    assert options.osm_area == box
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inputs = stages.load_inputs(options)
    assert inputs.osm.extent_source == osm.EXTENT_FROM_OPTION
    assert inputs.osm.extent.symmetric_difference(rd_box((4.349, 51.999, 4.372, 52.001))).area < 1e3
