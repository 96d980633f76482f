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
    # places: two nodes + bakery node, the playground way and the park relation
    places = data.places.set_index("osm_id")
    assert set(places.index) == {"node/3", "node/5", "node/21", "way/105", "relation/900"}
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
    bakery = places.loc["node/21", "geometry"]
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

@pytest.fixture(scope="module")
def delft(delft_osm) -> osm.OsmData:
    return delft_osm


@pytest.fixture(scope="module")
def delft_ways() -> dict[str, set[int]]:
    """Node ids of building/landuse ways, walkable cycleways and highways of the extract."""
    out: dict[str, set[int]] = {"building_only": set(), "cycleway": set(), "highway": set()}
    building: set[int] = set()
    for obj in osmium.FileProcessor(str(DELFT_OSM), osmium.osm.WAY):
        refs = {n.ref for n in obj.nodes}
        if "highway" in obj.tags:
            out["highway"] |= refs
            if obj.tags.get("highway") == "cycleway" and obj.tags.get("foot") != "no":
                out["cycleway"] |= refs
        elif "building" in obj.tags or "landuse" in obj.tags:
            building |= refs
    out["building_only"] = building - out["highway"]
    return out


@real
def test_real_delft_places(delft: osm.OsmData) -> None:
    p = delft.places
    three = p[p[["amenity", "leisure", "shop"]].notna().any(axis=1)]
    assert len(three) == 860  # the same number as osmnx.features_from_xml
    assert three["osm_id"].is_unique
    assert set(p["osm_type"]) <= {"node", "way", "relation"}
    assert p.geometry.geom_type.eq("Point").all()
    x0, y0, x1, y1 = p.total_bounds
    assert 75_000 < x0 < x1 < 95_000 and 430_000 < y0 < y1 < 455_000


@real
def test_real_delft_network(delft: osm.OsmData, delft_ways: dict[str, set[int]]) -> None:
    net = delft.network
    assert 1_900 < net.n_nodes < 15_000
    nodes = set(net.node_ids.tolist())
    assert not nodes & delft_ways["building_only"]  # no building/landuse edges
    assert delft_ways["cycleway"] <= nodes  # cycleways are walkable
    assert nodes <= delft_ways["highway"]
    assert (net.length > 0).all() and net.length.max() < 1_000


@real
@pytest.mark.skipif(not BUURT.exists(), reason="../shared/data ontbreekt")
def test_real_extent_share(delft: osm.OsmData) -> None:
    from abcd_map.load.areas import load_buurten

    b = load_buurten(BUURT, gemeente="Delft")
    share = share_inside(b, delft.extent)
    almost_none = share < 0.1
    # about 39 Delft buurten (some 45,000 residents) lie (almost) outside the extract
    assert 33 <= almost_none.sum() <= 45
    assert 35_000 < b.loc[almost_none, "inwoners"].sum() < 55_000
    assert (share > 0.9).sum() >= 20  # central and south Delft are covered
