"""Walking network: minimum-length undirected matrix, snapping, multi-source distances."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
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


# ------------------------------------------------------------ edge snapping and joining

def test_snap_to_edge_middle():
    """A point 10 m beside the middle of a 100 m edge is 10 + 50 m from each end."""
    net = line(n=3)  # 0 - 100 - 200
    s = net.snap_to_edges([50.0], [10.0])
    assert s.offset[0] == pytest.approx(10)
    assert s.along[0] == pytest.approx(50)
    assert (s.to_a[0], s.to_b[0]) == pytest.approx((60, 60))
    d = net.distances_from([50.0], [10.0], on_edges=True)
    np.testing.assert_allclose(d, [60, 60, 160])
    # node snapping takes the diagonal to the nearest node instead: hypot(45, 10) + 100
    np.testing.assert_allclose(net.distances_from([55.0], [10.0], on_edges=True), [65, 55, 155])
    d_node = net.distances_from([55.0], [10.0], on_edges=False)
    assert d_node[2] == pytest.approx(np.hypot(45, 10) + 100)


def test_point_and_source_on_the_same_edge_walk_directly():
    net = line(n=2)  # one 100 m edge
    dist, method = point_distances([20.0], [5.0], [80.0], [5.0], limit=500, network=net, on_edges=True)
    assert dist[0] == pytest.approx(5 + 60 + 5)
    assert method[0] == "netwerk"
    # through the end nodes it would be 25 + 85 = 110; by nodes 2 x hypot(20, 5) + 100
    dist, _ = point_distances([20.0], [5.0], [80.0], [5.0], limit=500, network=net, on_edges=False)
    assert dist[0] == pytest.approx(2 * np.hypot(20, 5) + 100)


def _with_square(dy: float) -> Network:
    """A 1000 m main street (nodes 0..10, 100 m apart) and a 20 x 20 m square outline ``dy`` m above x=40..60."""
    main = line(n=11)
    sx = np.array([40.0, 60.0, 60.0, 40.0])
    sy = dy + np.array([0.0, 0.0, 20.0, 20.0])
    u = np.array([11, 12, 13, 14])
    v = np.array([12, 13, 14, 11])
    return Network(np.arange(15), np.concatenate([main.x, sx]), np.concatenate([main.y, sy]),
                   np.concatenate([main.u, u]), np.concatenate([main.v, v]),
                   np.concatenate([main.length, np.full(4, 20.0)]))


def test_island_10m_away_is_joined():
    from abcd_map.analyse.network import join_components

    net = _with_square(10.0)
    assert net.component_labels.max() == 1
    joined, report = join_components(net, tolerance=15)
    assert (report.components_before, report.components_after, report.joined) == (2, 1, 1)
    assert report.connectors == 4  # the two lower corners, each to both ends of edge 0-1
    d = joined.distances_from_nodes([0])
    assert d[11] == pytest.approx(10 + 40)  # gap + along the street
    assert d[12] == pytest.approx(min(10 + 60, 50 + 20))
    assert d[13] == pytest.approx(70 + 20)
    assert joined.snappable.all()


def test_far_small_island_is_not_joined_and_not_snapped_to():
    from abcd_map.analyse.network import join_components

    net = _with_square(200.0)
    joined, report = join_components(net, tolerance=15)
    assert (report.joined, report.islands, report.island_nodes) == (0, 1, 4)
    assert not joined.snappable[11:].any()
    # a point in the middle of the square snaps to the street 210 m away, not to the square
    node, offset = joined.snap([50.0], [210.0])
    assert node[0] in (0, 1) and offset[0] == pytest.approx(np.hypot(50, 210))
    s = joined.snap_to_edges([50.0], [210.0])
    assert {int(s.a[0]), int(s.b[0])} == {0, 1} and s.offset[0] == pytest.approx(210)
    # an island node is never a source: the point's walk starts on the street
    dist, method = point_distances([50.0], [210.0], [500.0], [0.0], limit=1000, network=joined)
    assert dist[0] == pytest.approx(210 + 450) and method[0] == "netwerk"


@pytest.mark.slow
@pytest.mark.realdata
def test_delft_components_joined(shared_data):
    """Pedestrian squares of the Delft extract join the main network; the i.d-kafee reaches far."""
    import warnings

    from abcd_map.load.osm import load_osm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = load_osm(shared_data / "osm" / "delft-tudelft.osm.bz2")
    net = data.network
    labels = net.component_labels
    assert (labels == net.main_component).mean() > 0.99
    assert labels.max() + 1 <= 8
    cafe = data.places[data.places["name"] == "i.d-kafee"].geometry.iloc[0]
    d = net.distances_from([cafe.x], [cafe.y], limit=500)
    assert np.isfinite(d).sum() > 500  # was 4: its island of 4 nodes


def test_connectors_have_no_frontage():
    from abcd_map.analyse.network import join_components

    net = _with_square(10.0)
    joined, _ = join_components(net, tolerance=15)
    assert joined.connector.sum() == 4 and not joined.connector[: len(net.u)].any()
    np.testing.assert_allclose(joined.node_weights(), net.node_weights())


def test_pair_costs_on_edges_match_point_distances():
    """pair_costs snaps like point_distances: onto segments, directly along a shared one."""
    net = line(n=3)  # 0 - 100 - 200
    px, py = np.array([20.0, 150.0, 55.0]), np.array([5.0, -10.0, 10.0])
    sx, sy = np.array([80.0, 200.0]), np.array([5.0, 0.0])
    costs = pair_costs(px, py, sx, sy, 500, net, on_edges=True).set_index(["origin", "destination"])["cost"]
    assert costs[(0, 0)] == pytest.approx(5 + 60 + 5)  # same segment: directly
    assert costs[(0, 1)] == pytest.approx(5 + 180)
    assert costs[(1, 1)] == pytest.approx(10 + 50)
    assert costs[(1, 0)] == pytest.approx(10 + 50 + 20 + 5)
    for p in range(3):
        for s in range(2):
            d, _ = point_distances(px[p:p + 1], py[p:p + 1], sx[s:s + 1], sy[s:s + 1], 500, net, on_edges=True)
            assert costs[(p, s)] == pytest.approx(d[0])


def _random_network(seed: int, n: int = 600, size: float = 3000.0) -> Network:
    """Nodes at random, each joined to its 3 nearest, walked 0-40% longer than the straight line;
    a few pairs of nodes on the same spot joined by zero-length edges."""
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, size, n), rng.uniform(0, size, n)
    x[-10:], y[-10:] = x[:10], y[:10]  # same spot as nodes 0..9
    _, nb = cKDTree(np.column_stack([x, y])).query(np.column_stack([x, y]), k=4)
    u, v = np.repeat(np.arange(n), 3), nb[:, 1:].ravel()
    length = np.hypot(x[u] - x[v], y[u] - y[v]) * rng.uniform(1.0, 1.4, len(u))
    u = np.concatenate([u, np.arange(10)])
    v = np.concatenate([v, np.arange(n - 10, n)])
    length = np.concatenate([length, np.zeros(10)])
    return Network(np.arange(n), x, y, u, v, length)


@pytest.mark.parametrize("on_edges", [True, False])
def test_pair_costs_from_local_searches_equal_whole_network_searches(monkeypatch, on_edges):
    """The 2SFCA cost table searches only around each tile of sources; the pairs and costs
    are those of searches over the whole network (which run when ``stretch`` is infinite)."""
    net = _random_network(4)
    rng = np.random.default_rng(8)
    px, py = rng.uniform(-50, 3050, 700), rng.uniform(-50, 3050, 700)
    sx, sy = rng.uniform(0, 3000, 60), rng.uniform(0, 3000, 60)
    local = pair_costs(px, py, sx, sy, 400, net, on_edges=on_edges)
    assert np.isfinite(net.stretch) and len(local) > 100
    monkeypatch.setattr(Network, "stretch", property(lambda self: np.inf))
    whole = pair_costs(px, py, sx, sy, 400, net, on_edges=on_edges)
    pd.testing.assert_frame_equal(local, whole)


def test_search_matrix_is_built_once_per_network():
    """Every distance call reuses the network's CSR arrays (the super source only adds a row)."""
    net = _random_network(5, n=100)
    first = net.distances_from([100.0, 900.0], [100.0, 900.0], limit=500)
    parts = net._csr_parts
    second = net.distances_from([100.0, 900.0], [100.0, 900.0], limit=500)
    assert net._csr_parts is parts
    np.testing.assert_array_equal(first, second)
    assert net.matrix.shape == (100, 100)


def test_stretch_is_infinite_with_a_zero_length_jump():
    net = Network(np.arange(3), [0.0, 100.0, 200.0], [0.0, 0.0, 0.0], [0, 1], [1, 2], [100.0, 0.0])
    assert net.stretch == np.inf
    assert 1.0 <= _random_network(6, n=50).stretch <= 1.0 + 1e-9  # every edge at least its straight line


def test_snapping_the_same_points_again_reuses_the_answer():
    """A run snaps its resident points for every figure: the second time comes from the cache,
    read-only so that no caller can change what the others get."""
    net = _random_network(7, n=200)
    rng = np.random.default_rng(2)
    x, y = rng.uniform(0, 3000, 50), rng.uniform(0, 3000, 50)
    first = net.snap_to_edges(x, y)
    assert net.snap_to_edges(x.copy(), y.copy()) is first
    assert net.snap_to_edges(x, y, max_distance=10) is not first
    with pytest.raises(ValueError):
        first.edge[0] = 3
    fresh = Network(net.node_ids, net.x, net.y, net.u, net.v, net.length).snap_to_edges(x, y)
    for a, b in zip(first, fresh):
        np.testing.assert_array_equal(a, b)


def test_the_snap_cache_keeps_the_points_used_most_recently():
    """Coverage per category snaps the resident points, then each selection's assets: the
    resident points stay cached however many selections pass."""
    net = _random_network(9, n=100)
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 3000, 30), rng.uniform(0, 3000, 30)
    residents = net.snap_to_edges(x, y)
    for k in range(6):
        net.snap_to_edges(x[:k + 1] + 1.0, y[:k + 1])
        assert net.snap_to_edges(x, y) is residents


def test_point_on_a_node_snaps_to_one_of_its_edges_with_no_offset():
    """Resident points are nodes: they snap without the segment tree, at 0 m, to an edge of that node."""
    # a T: 0 - 1 - 2 along x, 1 - 3 up; lengths 100, 100, 50
    net = Network(np.arange(4), np.array([0.0, 100.0, 200.0, 100.0]), np.array([0.0, 0.0, 0.0, 50.0]),
                  np.array([0, 1, 1]), np.array([1, 2, 3]), np.array([100.0, 100.0, 50.0]))
    snap = net.snap_to_edges(np.array([100.0, 50.0]), np.array([0.0, 10.0]))
    a, b = snap.a[0], snap.b[0]
    assert 1 in (a, b) and snap.offset[0] == 0.0
    assert (snap.to_a[0] if a == 1 else snap.to_b[0]) == 0.0  # 0 m to node 1 itself
    assert snap.to_a[0] + snap.to_b[0] == net.edges[2][snap.edge[0]]
    # a point beside an edge still goes through the tree: 10 m off the middle of 0 - 1
    assert (snap.a[1], snap.b[1], snap.offset[1], snap.to_a[1], snap.to_b[1]) == (0, 1, 10.0, 60.0, 60.0)


def test_submatrix_equals_scipy_selection():
    import scipy.sparse as sp

    from abcd_map.analyse.network import _submatrix

    rng = np.random.default_rng(0)
    m = sp.random(60, 60, density=0.1, format="csr", random_state=1)
    for _ in range(10):
        sub = rng.choice(60, int(rng.integers(1, 30)), replace=False)
        local = np.full(60, -1)
        local[sub] = np.arange(len(sub))
        assert (_submatrix(m, sub, local) != m[sub][:, sub]).nnz == 0


def test_boxes_near_points_keep_every_box_in_reach():
    from abcd_map.analyse.network import _boxes_near

    x, y = np.array([0.0]), np.array([0.0])
    # boxes: around the point, 240 m east, 600 m east, a long one passing 100 m north, one far away
    x0, y0 = np.array([-5.0, 240.0, 600.0, -5000.0, 3000.0]), np.array([-5.0, 0.0, 0.0, 100.0, 3000.0])
    x1, y1 = np.array([5.0, 260.0, 620.0, 5000.0, 3010.0]), np.array([5.0, 10.0, 10.0, 101.0, 3010.0])
    near = _boxes_near(x, y, x0, y0, x1, y1, 250.0)
    assert near[:2].all() and near[3] and not near[4]
    assert not near[2]  # two cells of 250 m away
