"""Walking network: minimum-length undirected matrix, snapping, multi-source distances."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from abcd_map.analyse.network import Network, pair_costs, point_distances

DELFT_OSM = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "osm" / "delft-tudelft.osm.bz2"


def line(n=4, step=100.0) -> Network:
    """Nodes 0..n-1 on the x axis, 100 m apart, edges i - i+1."""
    idx = np.arange(n)
    return Network(idx + 1000, idx * step, np.zeros(n), idx[:-1], idx[1:], np.full(n - 1, step))


def test_line_graph_within_250m():
    net = line()
    d = net.distances_from_nodes([0], limit=250)
    assert list(np.flatnonzero(np.isfinite(d))) == [0, 1, 2]
    np.testing.assert_allclose(d[:3], [0, 100, 200])


def test_limit_is_inclusive():
    d = line().distances_from_nodes([0], limit=200)
    assert np.isfinite(d[2]) and d[2] == 200 and np.isinf(d[3])


def test_parallel_edges_take_the_shortest():
    # two edges between 0 and 1: 100 and 300 m (a naive sparse conversion would sum to 400)
    net = Network(np.arange(2), np.array([0.0, 100.0]), np.zeros(2), np.array([0, 0]), np.array([1, 1]),
                  np.array([100.0, 300.0]))
    assert net.matrix[0, 1] == 100 and net.matrix[1, 0] == 100
    assert net.distances_from_nodes([0])[1] == 100


def test_opposite_directions_take_the_minimum():
    net = Network(np.arange(2), np.array([0.0, 100.0]), np.zeros(2), np.array([0, 1]), np.array([1, 0]),
                  np.array([120.0, 90.0]))
    assert net.matrix[0, 1] == 90 and net.matrix[1, 0] == 90
    assert net.distances_from_nodes([1])[0] == 90
    G = net.to_networkx()
    assert G[0][1]["length"] == 90


def test_zero_length_edge_is_kept():
    # 0 -(0 m)- 1 -(100 m)- 2 ; node 0 and 1 at the same spot
    net = Network(np.arange(3), np.array([0.0, 0.0, 100.0]), np.zeros(3), np.array([0, 1]),
                  np.array([1, 2]), np.array([0.0, 100.0]))
    assert net.matrix.nnz == 4
    d = net.distances_from_nodes([0])
    np.testing.assert_array_equal(d, [0, 0, 100])
    d = net.distances_from(np.array([0.0]), np.array([-40.0]), limit=1000)
    np.testing.assert_allclose(d, [40, 40, 140])


def test_snap_offset_is_added():
    net = line()
    # asset 40 m below node 0: node 2 is 240 m away
    d = net.distances_from(np.array([0.0]), np.array([-40.0]), limit=1000)
    np.testing.assert_allclose(d, [40, 140, 240, 340])
    d = net.distances_from(np.array([0.0]), np.array([-40.0]), limit=250)
    np.testing.assert_allclose(d[:3], [40, 140, 240])
    assert np.isinf(d[3])


def test_super_source_uses_each_offset():
    net = line()
    # asset A 40 m off node 0, asset B 90 m off node 3 (a plain min_only run would ignore offsets)
    d = net.distances_from(np.array([0.0, 300.0]), np.array([-40.0, 90.0]), limit=1000)
    np.testing.assert_allclose(d, [40, 140, 190, 90])


def test_same_node_keeps_shortest_offset():
    net = line()
    d = net.distances_from(np.array([0.0, 0.0]), np.array([-40.0, 10.0]), limit=1000)
    np.testing.assert_allclose(d, [10, 110, 210, 310])


def test_far_point_falls_back_to_straight_line():
    net = line()
    node, offset = net.snap(np.array([0.0, 0.0]), np.array([-40.0, -1000.0]), max_distance=250)
    assert list(node) == [0, -1] and offset[0] == pytest.approx(40) and np.isinf(offset[1])
    # asset 1000 m below node 0: nodes reached in a straight line only
    d = net.distances_from(np.array([0.0]), np.array([-1000.0]), limit=1010)
    assert d[0] == pytest.approx(1000) and d[1] == pytest.approx(np.hypot(100, 1000))
    assert np.isinf(d[2])


def test_point_distances_and_method():
    net = line()
    # residents: 10 m above node 3, and one far away; asset 40 m off node 0
    dist, method = point_distances([300.0, 5000.0], [10.0, 0.0], [0.0], [-40.0], limit=500, network=net)
    assert dist[0] == pytest.approx(40 + 300 + 10)
    assert np.isinf(dist[1])
    assert list(method) == ["netwerk", "hemelsbreed"]
    dist, method = point_distances([300.0], [0.0], [0.0], [0.0], limit=500)
    assert dist[0] == 300 and list(method) == ["hemelsbreed"]


def test_pair_costs_network_and_straight():
    net = line()
    costs = pair_costs([0.0, 300.0, 0.0], [0.0, 0.0, 2000.0], [0.0, 300.0], [-40.0, 0.0], 500, net)
    got = {(r.origin, r.destination): r.cost for r in costs.itertuples()}
    assert got == pytest.approx({(0, 0): 40.0, (0, 1): 300.0, (1, 0): 340.0, (1, 1): 0.0})


def test_nodes_gdf_and_networkx_round_trip():
    net = line()
    gdf = net.nodes_gdf()
    assert list(gdf["node_id"]) == [1000, 1001, 1002, 1003] and str(gdf.crs) == "EPSG:28992"
    back = Network.from_networkx(net.to_networkx())
    np.testing.assert_allclose(back.distances_from_nodes([0]), [0, 100, 200, 300])


def test_from_networkx_projects_lonlat():
    G = nx.MultiDiGraph(crs="epsg:4326")
    G.add_node(1, x=4.36, y=52.0)
    G.add_node(2, x=4.361, y=52.0)
    G.add_edge(1, 2, length=68.6)
    G.add_edge(2, 1, length=70.0)
    net = Network.from_networkx(G)
    assert 80_000 < net.x[0] < 90_000 and 440_000 < net.y[0] < 450_000
    assert net.matrix[0, 1] == pytest.approx(68.6)


def test_bad_input_raises():
    with pytest.raises(ValueError):
        Network(np.arange(2), np.zeros(2), np.zeros(2), np.array([0]), np.array([5]), np.array([1.0]))


# ------------------------------------------------------------------ real data
@pytest.fixture(scope="module")
def delft_graph(delft_street_graph):
    return delft_street_graph


def _min_graph(G) -> nx.Graph:
    """Undirected reference graph built by hand with the shortest edge per node pair."""
    H = nx.Graph()
    H.add_nodes_from(G.nodes)
    for u, v, d in G.edges(data=True):
        if u != v and (not H.has_edge(u, v) or d["length"] < H[u][v]["length"]):
            H.add_edge(u, v, length=d["length"])
    return H


@pytest.mark.slow
def test_delft_matches_networkx_ego_graph(delft_graph):
    G = delft_graph
    H = _min_graph(G)
    net = Network.from_networkx(G)
    rng = np.random.default_rng(42)
    picks = rng.choice(net.n_nodes, size=50, replace=False)
    ids = net.node_ids
    for i in picks:
        d = net.distances_from_nodes([i], limit=500)
        ours = set(ids[np.isfinite(d)].tolist())
        ego = set(nx.ego_graph(H, int(ids[i]), radius=500, distance="length").nodes)
        assert ours == ego
        # networkx's own undirected view of the MultiDiGraph can keep the longer of two
        # opposite edges (u->v and v->u share key 0), so it never reaches more nodes than we do
        raw = set(nx.ego_graph(G, int(ids[i]), radius=500, distance="length", undirected=True).nodes)
        assert raw <= ours
    # and the distances themselves
    ref = nx.single_source_dijkstra_path_length(H, int(ids[picks[0]]), weight="length")
    d = net.distances_from_nodes([picks[0]])
    pos = {int(n): k for k, n in enumerate(ids)}
    for n, v in ref.items():
        assert d[pos[n]] == pytest.approx(v, abs=1e-6)


@pytest.mark.slow
def test_delft_multi_source_equals_min_of_single_sources(delft_graph):
    net = Network.from_networkx(delft_graph)
    rng = np.random.default_rng(7)
    picks = rng.choice(net.n_nodes, size=20, replace=False)
    xs = net.x[picks] + rng.uniform(-30, 30, 20)
    ys = net.y[picks] + rng.uniform(-30, 30, 20)
    together = net.distances_from(xs, ys, limit=600)
    apart = np.min([net.distances_from(xs[k:k + 1], ys[k:k + 1], limit=600) for k in range(20)], axis=0)
    np.testing.assert_allclose(together, apart)
