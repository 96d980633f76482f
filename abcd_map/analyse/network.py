"""Walking distances on the street network (EPSG:28992, metres).

The walking network is held as plain numpy arrays (:class:`Network`): node ids and
coordinates, and edges ``u -> v`` (indices into the node arrays) with a length in
metres. Distances are computed with :func:`scipy.sparse.csgraph.dijkstra` on an
undirected sparse matrix that keeps, for every node pair, the *shortest* of the
parallel edges (OSM often has several ways, or both directions with slightly
different lengths, between the same two nodes). Zero-length edges (two OSM nodes
at the same spot) are kept as explicit zeros in the matrix.

How a walking distance is measured
----------------------------------
* A point (an asset or a place where people live) is *snapped* to the nearest
  point on a street segment (:meth:`Network.snap_to_edges`, a shapely STRtree
  over the segments; ``settings.snap_to_edges``). The straight-line distance from
  the point to the segment (the "snap offset") is added to the walk, and the walk
  enters the network at *both* ends of the segment with the part of the edge to
  each end: a point 10 m beside the middle of a 100 m edge is 60 m from either
  end. A point and a source beside the same segment walk directly along it. With
  ``on_edges=False`` points snap to the nearest node (:meth:`Network.snap`) and
  the offset is the straight line to that node. Snapping is allowed up to
  ``settings.max_snap_distance``; a point further away is treated as *not on the
  network* and its distances are measured in a straight line (``hemelsbreed``).
* Islands are never snapped to: components shorter than
  ``settings.network_min_component_length`` (other than the largest) are left out
  of snapping, so a point beside one snaps to a bigger part instead.
  :func:`join_components` first joins parts within ``settings.network_join_tolerance``
  of the main component (pedestrian squares whose outline shares no node with the
  streets) with connector edges; the OSM loader does this for every network.
* The distances from *all* assets of a selection are found in one single
  shortest-path run: a virtual "super source" node is connected to the entry
  node(s) of every asset with an edge as long as the walk to that node, and Dijkstra runs
  once from the super source with a distance ``limit`` (only the part of the
  network within walking distance is ever visited). This is exact: the distance
  of a node is the minimum over all assets of (snap offset + network distance).
* Without a network every distance is a straight line; results say which method
  was used (``afstand_methode`` = ``netwerk`` or ``hemelsbreed``).

Limits: a pedestrian square is walked along its outline, not across it; one-way restrictions do not
apply to people on foot and are ignored; the network is only as complete as the
OpenStreetMap extract.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np
import pandas as pd
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from .. import settings

#: Values of the ``afstand_methode`` column.
METHOD_NETWORK = "netwerk"
METHOD_STRAIGHT = "hemelsbreed"


def _limit_arg(limit: float | None) -> float:
    """Dijkstra ``limit`` a hair above the asked one, so that ``<= limit`` is inclusive."""
    if limit is None or not np.isfinite(limit):
        return np.inf
    return float(limit) * (1 + 1e-12) + 1e-9


class Network:
    """An undirected walking network in EPSG:28992.

    Parameters
    ----------
    node_ids : array of int64
        OSM node ids (or any ids), one per node.
    x, y : array of float
        Node coordinates in metres (EPSG:28992).
    u, v : array of int
        Edge end points as *indices* into the node arrays (direction is ignored).
    length : array of float
        Edge lengths in metres.
    connector : array of bool, optional
        Edges added by :func:`join_components` (walked, but no street frontage).
    """

    def __init__(self, node_ids: np.ndarray, x: np.ndarray, y: np.ndarray,
                 u: np.ndarray, v: np.ndarray, length: np.ndarray, connector: np.ndarray | None = None):
        self.node_ids = np.asarray(node_ids, dtype=np.int64)
        self.x = np.asarray(x, dtype=float)
        self.y = np.asarray(y, dtype=float)
        self.u = np.asarray(u, dtype=np.int64)
        self.v = np.asarray(v, dtype=np.int64)
        self.length = np.asarray(length, dtype=float)
        self.connector = np.zeros(len(self.u), dtype=bool) if connector is None else np.asarray(connector, bool)
        n = len(self.node_ids)
        if not (len(self.x) == len(self.y) == n):
            raise ValueError("node_ids, x and y must have the same length")
        if not (len(self.u) == len(self.v) == len(self.length) == len(self.connector)):
            raise ValueError("u, v, length and connector must have the same length")
        if len(self.u) and (min(self.u.min(), self.v.min()) < 0 or max(self.u.max(), self.v.max()) >= n):
            raise ValueError("u and v must be indices into the node arrays")
        if len(self.length) and (np.isnan(self.length).any() or (self.length < 0).any()):
            raise ValueError("edge lengths must be >= 0 and not NaN")

    def __repr__(self) -> str:
        return f"Network({self.n_nodes} knopen, {len(self.u)} wegdelen)"

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_ids)

    # ------------------------------------------------------------------ graph
    @cached_property
    def edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Undirected unique edges ``(a, b, length)`` with ``a < b`` and the minimum length.

        Self-loops are dropped (they never shorten a walk).
        """
        a = np.minimum(self.u, self.v)
        b = np.maximum(self.u, self.v)
        keep = a != b
        a, b, w = a[keep], b[keep], self.length[keep]
        order = np.lexsort((w, b, a))  # by pair, shortest first
        a, b, w = a[order], b[order], w[order]
        first = np.ones(len(a), dtype=bool)
        first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
        return a[first], b[first], w[first]

    @cached_property
    def _csr_parts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(data, indices, indptr)`` of the symmetric matrix, built once per network.

        Every distance call reuses them: the super-source search only appends one row.
        """
        a, b, w = self.edges
        rows = np.concatenate([a, b])
        cols = np.concatenate([b, a])
        data = np.concatenate([w, w])
        order = np.lexsort((cols, rows))
        counts = np.bincount(rows, minlength=self.n_nodes)
        indptr = np.zeros(self.n_nodes + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        return data[order], cols[order], indptr

    @cached_property
    def matrix(self) -> csr_matrix:
        """Symmetric CSR matrix of edge lengths (minimum per node pair), built in one step.

        Built from ``(data, indices, indptr)`` directly, so nothing is summed and
        explicit zeros (zero-length edges) stay edges.
        """
        data, indices, indptr = self._csr_parts
        return csr_matrix((data, indices, indptr), shape=(self.n_nodes, self.n_nodes))

    @cached_property
    def component_labels(self) -> np.ndarray:
        """Connected component of every node (0 .. k-1)."""
        if self.n_nodes == 0:
            return np.empty(0, dtype=np.int64)
        return connected_components(self.matrix, directed=False)[1].astype(np.int64)

    @cached_property
    def component_lengths(self) -> np.ndarray:
        """Total street length (m) of every component (indexed by label)."""
        labels = self.component_labels
        a, _, w = self.edges
        return np.bincount(labels[a], w, minlength=int(labels.max(initial=-1)) + 1)

    @cached_property
    def main_component(self) -> int:
        """Label of the largest component (by street length; -1 without nodes)."""
        lengths = self.component_lengths
        return int(np.argmax(lengths)) if len(lengths) else -1

    @cached_property
    def stretch(self) -> float:
        """Largest ratio of straight-line gap to edge length (at least 1).

        A node within walking distance ``d`` of another lies within ``stretch * d`` of it
        in a straight line, so a search bounded by ``d`` never leaves that disc
        (:func:`pair_costs` searches a local part of the network). ``inf`` when an edge of
        length 0 joins two different spots.
        """
        a, b, w = self.edges
        gap = np.hypot(self.x[a] - self.x[b], self.y[a] - self.y[b])
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(gap > 0, gap / w, 0.0)
        return float(max(1.0, ratio.max(initial=0.0)))

    @cached_property
    def snappable(self) -> np.ndarray:
        """Nodes that points may snap to: not on an island (see ``settings.network_min_component_length``)."""
        lengths = self.component_lengths
        big = lengths >= settings.network_min_component_length
        if len(big):
            big[self.main_component] = True
        return big[self.component_labels]

    @cached_property
    def _tree_nodes(self) -> np.ndarray:
        return np.flatnonzero(self.snappable)

    @cached_property
    def _tree(self) -> cKDTree:
        nodes = self._tree_nodes
        return cKDTree(np.column_stack([self.x[nodes], self.y[nodes]]))

    def _segments(self, xs: np.ndarray, ys: np.ndarray, reach: float) -> tuple[np.ndarray, shapely.STRtree]:
        """Unique edges that may be snapped to within ``reach`` of the points, and their lines' tree.

        Only the edges whose bounding box meets a cell (``reach`` m) next to a point's cell get a
        line: a tree of every street costs hundreds of MB on a million-node network.
        """
        a, b, _ = self.edges
        keep = self.snappable[a]
        if np.isfinite(reach) and len(xs):
            keep &= _boxes_near(xs, ys, np.minimum(self.x[a], self.x[b]), np.minimum(self.y[a], self.y[b]),
                                np.maximum(self.x[a], self.x[b]), np.maximum(self.y[a], self.y[b]), reach)
        keep = np.flatnonzero(keep)
        lines = shapely.linestrings(np.stack([np.column_stack([self.x[a[keep]], self.y[a[keep]]]),
                                              np.column_stack([self.x[b[keep]], self.y[b[keep]]])], axis=1))
        return keep, shapely.STRtree(lines)

    # ------------------------------------------------------------- conversion
    @classmethod
    def from_networkx(cls, G) -> "Network":
        """Build from a networkx/osmnx graph with node attributes ``x``, ``y``.

        Graphs in lon/lat (``G.graph['crs']`` geographic, or no crs and coordinates
        that look like degrees) are projected to EPSG:28992. Edge ``length`` is used
        when present, else the straight line between the end points.
        """
        nodes = list(G.nodes)
        x = np.array([G.nodes[n]["x"] for n in nodes], dtype=float)
        y = np.array([G.nodes[n]["y"] for n in nodes], dtype=float)
        crs = G.graph.get("crs")
        geographic = False
        if crs is not None:
            from pyproj import CRS
            c = CRS.from_user_input(crs)
            geographic = c.is_geographic
            if not geographic and not c.equals(CRS.from_user_input(settings.crs)):
                from pyproj import Transformer
                x, y = Transformer.from_crs(c, settings.crs, always_xy=True).transform(x, y)
        elif len(x) and np.nanmax(np.abs(x)) <= 180 and np.nanmax(np.abs(y)) <= 90:
            geographic = True
        if geographic:
            from pyproj import Transformer
            x, y = Transformer.from_crs(settings.crs_wgs84 if crs is None else crs, settings.crs,
                                        always_xy=True).transform(x, y)
        pos = {n: i for i, n in enumerate(nodes)}
        uu, vv, ll = [], [], []
        for a, b, d in G.edges(data=True):
            uu.append(pos[a])
            vv.append(pos[b])
            ll.append(d.get("length", np.nan))
        u = np.array(uu, dtype=np.int64)
        v = np.array(vv, dtype=np.int64)
        length = np.array(ll, dtype=float)
        missing = np.isnan(length)
        if missing.any():
            length[missing] = np.hypot(x[u[missing]] - x[v[missing]], y[u[missing]] - y[v[missing]])
        try:
            ids = np.array(nodes, dtype=np.int64)
        except (TypeError, ValueError):
            ids = np.arange(len(nodes), dtype=np.int64)
        return cls(ids, np.asarray(x, float), np.asarray(y, float), u, v, length)

    def to_networkx(self):
        """Undirected :class:`networkx.Graph` (node ids as keys, ``length`` = minimum)."""
        import networkx as nx

        G = nx.Graph(crs=settings.crs)
        G.add_nodes_from((int(i), {"x": float(a), "y": float(b)})
                         for i, a, b in zip(self.node_ids, self.x, self.y))
        a, b, w = self.edges
        ids = self.node_ids
        G.add_edges_from((int(ids[p]), int(ids[q]), {"length": float(d)}) for p, q, d in zip(a, b, w))
        return G

    def nodes_gdf(self):
        """Nodes as a GeoDataFrame (``node_id``, geometry Point) in EPSG:28992."""
        import geopandas as gpd

        return gpd.GeoDataFrame({"node_id": self.node_ids},
                                geometry=gpd.points_from_xy(self.x, self.y), crs=settings.crs)

    def node_weights(self) -> np.ndarray:
        """Half the length of every (unique, undirected) edge at each node: street frontage.

        Connector edges (:func:`join_components`) have no frontage and do not count.
        """
        if self.connector.any():
            streets = ~self.connector
            return Network(self.node_ids, self.x, self.y, self.u[streets], self.v[streets],
                           self.length[streets]).node_weights()
        a, b, w = self.edges
        n = self.n_nodes
        return np.bincount(a, w / 2, minlength=n) + np.bincount(b, w / 2, minlength=n)

    # --------------------------------------------------------------- distances
    def snap(self, x, y, max_distance: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Nearest node of each point.

        Returns
        -------
        node : array of int
            Node index, ``-1`` where the point is further than ``max_distance``
            (default ``settings.max_snap_distance``) from every node.
        offset : array of float
            Straight-line distance from the point to that node (``inf`` if not snapped).
        """
        max_distance = settings.max_snap_distance if max_distance is None else max_distance
        pts = np.column_stack([np.asarray(x, float), np.asarray(y, float)])
        if len(pts) == 0 or len(self._tree_nodes) == 0:
            return np.full(len(pts), -1, dtype=np.int64), np.full(len(pts), np.inf)
        offset, pos = self._tree.query(pts, distance_upper_bound=_limit_arg(max_distance))
        found = np.isfinite(offset)
        node = np.full(len(pts), -1, dtype=np.int64)
        node[found] = self._tree_nodes[pos[found]]
        return node, offset

    def snap_to_edges(self, x, y, max_distance: float | None = None) -> "EdgeSnap":
        """Nearest point on a street segment of each point (islands excluded, like :meth:`snap`).

        The walk from the point to either end of its segment is the straight
        offset to the segment plus the part of the edge's length to that end:
        a point 10 m beside the middle of a 100 m edge is 60 m from each end.

        Returns
        -------
        EdgeSnap
            Per point: ``edge`` (index into :attr:`edges`, -1 beyond ``max_distance``),
            end nodes ``a``, ``b`` (-1), ``to_a``, ``to_b`` (m, inf), ``offset`` and
            ``along`` (m from ``a`` along the edge).
        """
        max_distance = settings.max_snap_distance if max_distance is None else max_distance
        xs, ys = np.asarray(x, float), np.asarray(y, float)
        key = (hashlib.blake2b(xs.tobytes() + b"|" + ys.tobytes(), digest_size=16).digest(), float(max_distance))
        cache = self._snap_cache
        if key in cache:
            cache[key] = cache.pop(key)  # most recently used last
            return cache[key]
        if len(cache) >= 4:  # the resident points and the last few asset selections of a run
            cache.pop(next(iter(cache)))
        cache[key] = out = self._snap_uncached(xs, ys, max_distance)
        for arr in out:
            arr.setflags(write=False)  # shared by every caller
        return out

    @cached_property
    def _snap_cache(self) -> dict:
        """Recent :meth:`snap_to_edges` answers by the points' coordinates: a run snaps its
        resident points for every coverage figure, the white spots and the 2SFCA."""
        return {}

    def _snap_uncached(self, xs: np.ndarray, ys: np.ndarray, max_distance: float) -> "EdgeSnap":
        """:meth:`snap_to_edges` without the cache."""
        n = len(xs)
        out = EdgeSnap(np.full(n, -1, dtype=np.int64), np.full(n, -1, dtype=np.int64),
                       np.full(n, -1, dtype=np.int64), np.full(n, np.inf), np.full(n, np.inf),
                       np.full(n, np.inf), np.full(n, np.nan))
        if n == 0 or self.n_nodes == 0:
            return out
        # a point on a node (resident points are nodes) lies on every edge of it: any one will do
        gap, near = self._tree.query(np.column_stack([xs, ys]), distance_upper_bound=_limit_arg(max_distance))
        on_node = gap <= 1e-9
        node = self._tree_nodes[near[on_node]]
        edge = self._node_edge[node]
        pos = np.flatnonzero(on_node)[edge >= 0]
        node, edge = node[edge >= 0], edge[edge >= 0]
        a, b, w = (arr[edge] for arr in self.edges)
        along = np.where(node == a, 0.0, w)
        out.edge[pos], out.a[pos], out.b[pos] = edge, a, b
        out.offset[pos], out.along[pos] = 0.0, along
        out.to_a[pos], out.to_b[pos] = along, w - along
        rest = np.ones(n, dtype=bool)
        rest[pos] = False
        idx = np.flatnonzero(rest)
        # the nearest street is no farther than the nearest node (it has a street): look no farther
        reach = float(gap[idx].max(initial=0.0)) + 1e-6 if np.isfinite(gap[idx]).all() else _limit_arg(max_distance)
        keep, tree = self._segments(xs[idx], ys[idx], reach)
        if not len(idx) or not len(keep):
            return out
        points = shapely.points(xs[idx], ys[idx])
        (hit, seg), dist = tree.query_nearest(points, max_distance=_limit_arg(max_distance),
                                              return_distance=True, all_matches=False)
        pos = idx[hit]
        edge = keep[seg]
        a, b, w = (arr[edge] for arr in self.edges)
        line = tree.geometries[seg]
        geom_len = shapely.length(line)
        frac = np.where(geom_len > 0, shapely.line_locate_point(line, points[hit]) / np.where(geom_len > 0, geom_len, 1), 0.0)
        along = np.clip(frac, 0, 1) * w
        out.edge[pos], out.a[pos], out.b[pos] = edge, a, b
        out.offset[pos], out.along[pos] = dist, along
        out.to_a[pos], out.to_b[pos] = dist + along, dist + (w - along)
        return out

    @cached_property
    def _node_edge(self) -> np.ndarray:
        """One edge (index into :attr:`edges`) of every node that may be snapped to; -1 for none."""
        a, b, _ = self.edges
        out = np.full(self.n_nodes, -1, dtype=np.int64)
        idx = np.arange(len(a))
        for end in (b, a):
            out[end[::-1]] = idx[::-1]  # the first edge of each node wins
        out[~self.snappable] = -1
        return out

    def distances_from_nodes(self, nodes, limit: float | None = None) -> np.ndarray:
        """Distance from the nearest of ``nodes`` (indices) to every node (one run, ``min_only``)."""
        nodes = np.unique(np.asarray(nodes, dtype=np.int64))
        if len(nodes) == 0:
            return np.full(self.n_nodes, np.inf)
        dist = dijkstra(self.matrix, directed=True, indices=nodes, min_only=True,
                        limit=_limit_arg(limit))
        if limit is not None:
            dist[dist > limit] = np.inf
        return dist

    def distances_from_snapped(self, nodes: np.ndarray, offsets: np.ndarray,
                               limit: float | None = None) -> np.ndarray:
        """Distance to every node from the nearest source, counting each source's offset.

        ``nodes`` are node indices of the sources, ``offsets`` the distance (m) each
        source walks to reach its node. One Dijkstra run from a super source.
        """
        nodes = np.asarray(nodes, dtype=np.int64)
        offsets = np.asarray(offsets, dtype=float)
        n = self.n_nodes
        if len(nodes) == 0:
            return np.full(n, np.inf)
        # shortest offset per source node
        order = np.lexsort((offsets, nodes))
        nodes, offsets = nodes[order], offsets[order]
        first = np.ones(len(nodes), dtype=bool)
        first[1:] = nodes[1:] != nodes[:-1]
        nodes, offsets = nodes[first], offsets[first]
        if limit is not None:
            keep = offsets <= limit
            nodes, offsets = nodes[keep], offsets[keep]
            if len(nodes) == 0:
                return np.full(n, np.inf)
        if not offsets.any():
            return self.distances_from_nodes(nodes, limit)
        # one construction: the base graph plus one extra row (the super source, index n)
        data, indices, indptr = self._csr_parts
        data = np.concatenate([data, offsets])
        indices = np.concatenate([indices, nodes])
        indptr = np.append(indptr, len(data))
        m = csr_matrix((data, indices, indptr), shape=(n + 1, n + 1))
        dist = dijkstra(m, directed=True, indices=n, limit=_limit_arg(limit))[:n]
        if limit is not None:
            dist[dist > limit] = np.inf
        return dist

    def distances_from(self, xs, ys, limit: float | None = None,
                       max_snap_distance: float | None = None, on_edges: bool | None = None) -> np.ndarray:
        """Walking distance (m) from the nearest of the points ``(xs, ys)`` to every node.

        Points are snapped (offset counted): onto the nearest street segment (both of its
        ends are sources, each with offset + the part of the edge to it) when ``on_edges``
        (default ``settings.snap_to_edges``), else to the nearest node. Points further
        than ``max_snap_distance`` from the network reach nodes in a straight line.
        Nodes beyond ``limit`` get ``inf``.
        """
        on_edges = settings.snap_to_edges if on_edges is None else on_edges
        nodes, costs, _ = _ends(self, np.asarray(xs, float), np.asarray(ys, float), max_snap_distance, on_edges)
        on = nodes[:, 0] >= 0
        dist = self.distances_from_snapped(nodes[on].ravel(), costs[on].ravel(), limit)
        off = ~on
        if off.any():
            straight = _nearest_straight(self.x, self.y, np.asarray(xs, float)[off],
                                         np.asarray(ys, float)[off], limit)
            dist = np.minimum(dist, straight)
        return dist


class EdgeSnap(NamedTuple):
    """Points snapped onto street segments (see :meth:`Network.snap_to_edges`)."""

    edge: np.ndarray
    a: np.ndarray
    b: np.ndarray
    to_a: np.ndarray
    to_b: np.ndarray
    offset: np.ndarray
    along: np.ndarray


def _ends(network: Network, x: np.ndarray, y: np.ndarray, max_snap: float | None,
          on_edges: bool) -> tuple[np.ndarray, np.ndarray, EdgeSnap | None]:
    """Two (node, cost) entry points per point: the ends of its segment, or its nearest node twice.

    Returns ``nodes`` (n x 2, -1 where not on the network), ``costs`` (n x 2, m) and the
    :class:`EdgeSnap` (None when snapping to nodes).
    """
    if on_edges:
        s = network.snap_to_edges(x, y, max_snap)
        return np.column_stack([s.a, s.b]), np.column_stack([s.to_a, s.to_b]), s
    node, off = network.snap(x, y, max_snap)
    return np.column_stack([node, node]), np.column_stack([off, off]), None


def _same_edge_pairs(ps: EdgeSnap, ss: EdgeSnap, p_idx: np.ndarray, s_idx: np.ndarray) -> pd.DataFrame:
    """(origin, destination, cost) of points and sources beside the same segment, walking directly along it."""
    pts = pd.DataFrame({"edge": ps.edge[p_idx], "origin": p_idx, "p_along": ps.along[p_idx],
                        "p_off": ps.offset[p_idx]})
    src = pd.DataFrame({"edge": ss.edge[s_idx], "destination": s_idx, "s_along": ss.along[s_idx],
                        "s_off": ss.offset[s_idx]})
    pairs = pts.merge(src, on="edge")
    cost = (pairs["p_along"] - pairs["s_along"]).abs() + pairs["p_off"] + pairs["s_off"]
    return pd.DataFrame({"origin": pairs["origin"].to_numpy(dtype=np.int64),
                         "destination": pairs["destination"].to_numpy(dtype=np.int64),
                         "cost": cost.to_numpy(dtype=float)})


def _same_edge(ps: EdgeSnap, ss: EdgeSnap, p_idx: np.ndarray, s_idx: np.ndarray) -> pd.Series:
    """Direct walk along a shared segment: min over sources on the same edge, by point position."""
    pairs = _same_edge_pairs(ps, ss, p_idx, s_idx)
    return pairs.groupby("origin")["cost"].min()


def _nearest_straight(px, py, sx, sy, limit: float | None) -> np.ndarray:
    """Straight-line distance from each point ``(px, py)`` to the nearest source (inf beyond limit)."""
    px = np.asarray(px, float)
    if len(sx) == 0 or len(px) == 0:
        return np.full(len(px), np.inf)
    tree = cKDTree(np.column_stack([np.asarray(sx, float), np.asarray(sy, float)]))
    d, _ = tree.query(np.column_stack([px, np.asarray(py, float)]), distance_upper_bound=_limit_arg(limit))
    if limit is not None:
        d[d > limit] = np.inf
    return d


def point_distances(px, py, sx, sy, limit: float | None = None, network: Network | None = None,
                    max_snap_distance: float | None = None,
                    on_edges: bool | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Walking distance from each point to the nearest source, and how it was measured.

    Parameters
    ----------
    px, py : arrays
        Points where people are (EPSG:28992).
    sx, sy : arrays
        Sources (selected assets).
    limit : float
        Furthest distance of interest; beyond it the distance is ``inf``.
    network : Network, optional
        Without it every distance is a straight line.
    on_edges : bool, optional
        Snap points and sources onto the nearest street segment (default
        ``settings.snap_to_edges``) instead of the nearest node; a point and a source
        beside the same segment walk directly along it.

    Returns
    -------
    distance : array of float (``inf`` beyond ``limit``)
    method : array of str, ``'netwerk'`` or ``'hemelsbreed'`` per point. A point is
        'netwerk' when it lies within ``max_snap_distance`` of the network; its
        distance is then the network walk (point offset + walk from the nearest
        asset, including that asset's offset), or the straight line to an asset
        that is itself too far from the network, whichever is shorter.
    """
    px = np.asarray(px, float)
    py = np.asarray(py, float)
    sx = np.asarray(sx, float)
    sy = np.asarray(sy, float)
    n = len(px)
    if network is None or network.n_nodes == 0:
        return _nearest_straight(px, py, sx, sy, limit), np.full(n, METHOD_STRAIGHT, dtype=object)
    on_edges = settings.snap_to_edges if on_edges is None else on_edges
    pnodes, pcosts, psnap = _ends(network, px, py, max_snap_distance, on_edges)
    snodes, scosts, ssnap = _ends(network, sx, sy, max_snap_distance, on_edges)
    p_on = pnodes[:, 0] >= 0
    s_on = snodes[:, 0] >= 0
    dist = np.full(n, np.inf)
    if p_on.any() and s_on.any():
        node_dist = network.distances_from_snapped(snodes[s_on].ravel(), scosts[s_on].ravel(), limit)
        dist[p_on] = (node_dist[pnodes[p_on]] + pcosts[p_on]).min(axis=1)
        if psnap is not None:
            direct = _same_edge(psnap, ssnap, np.flatnonzero(p_on), np.flatnonzero(s_on))
            pos = direct.index.to_numpy(dtype=np.int64)
            dist[pos] = np.minimum(dist[pos], direct.to_numpy())
    # points off the network: straight line to every asset
    if (~p_on).any():
        dist[~p_on] = _nearest_straight(px[~p_on], py[~p_on], sx, sy, limit)
    # assets off the network: straight line to the points on it
    if (~s_on).any() and p_on.any():
        dist[p_on] = np.minimum(dist[p_on], _nearest_straight(px[p_on], py[p_on], sx[~s_on], sy[~s_on], limit))
    if limit is not None:
        dist[dist > limit] = np.inf
    method = np.where(p_on, METHOD_NETWORK, METHOD_STRAIGHT).astype(object)
    return dist, method


def _pairs_from(matrix, need: np.ndarray, local: np.ndarray, pn: np.ndarray, pc: np.ndarray,
                sc: np.ndarray, limit: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bounded searches from the entry nodes ``need`` (indices into ``matrix``) of a block of sources.

    ``local`` (sources x 2) gives each source's two entries as positions in ``need``, ``sc``
    their costs; ``pn``/``pc`` (points x 2) the points' entries in ``matrix`` (-1: not in it).
    Returns (point row, source row, cost) of the pairs within ``limit``.
    """
    d = dijkstra(matrix, directed=True, indices=need, limit=_limit_arg(limit))
    d = np.concatenate([d, np.full((len(need), 1), np.inf)], axis=1)  # column -1: entry outside
    per_src = np.minimum(d[local[:, 0]] + sc[:, :1], d[local[:, 1]] + sc[:, 1:])  # sources x nodes
    cost = np.minimum(per_src[:, pn[:, 0]] + pc[:, 0], per_src[:, pn[:, 1]] + pc[:, 1])  # sources x points
    r, c = np.nonzero(cost <= limit)
    return c, r, cost[r, c]


def _search_blocks(matrix, n_nodes: int, pn: np.ndarray, pc: np.ndarray, snodes: np.ndarray,
                   scosts: np.ndarray, limit: float, chunk_cells: int) -> list[tuple[np.ndarray, ...]]:
    """:func:`_pairs_from` over the sources in chunks so that about ``chunk_cells`` distances are held."""
    out = []
    step = max(1, chunk_cells // max(n_nodes, len(pn), 1) // 2)
    for start in range(0, len(snodes), step):
        need, loc = np.unique(snodes[start:start + step], return_inverse=True)
        r, c, cost = _pairs_from(matrix, need, loc.reshape(-1, 2), pn, pc, scosts[start:start + step], limit)
        out.append((r, c + start, cost))
    return out


def _cells(network: Network, nodes: np.ndarray, size: float) -> np.ndarray:
    """Square cell (``size`` m) of each node, as one int64 key."""
    cx = np.floor((network.x[nodes] - network.x.min()) / size).astype(np.int64)
    cy = np.floor((network.y[nodes] - network.y.min()) / size).astype(np.int64)
    return cx * (1 << 32) + cy


def _tile_size(network: Network, pnodes: np.ndarray, snodes: np.ndarray, limit: float) -> float:
    """Cell size for :func:`_local_pairs`: every node and point a search can reach lies in the 3 x 3 cells.

    A search bounded by ``limit`` stays within ``stretch * limit`` of its entry node; a point's
    or source's two entries lie at most the longest entry gap apart.
    """
    ends = np.concatenate([pnodes, snodes])
    gap = np.hypot(network.x[ends[:, 0]] - network.x[ends[:, 1]], network.y[ends[:, 0]] - network.y[ends[:, 1]])
    reach = network.stretch * float(limit) * (1 + 1e-9) + 1e-6
    return max(reach + 2 * float(gap.max(initial=0.0)), 1.0)


class _Buckets(NamedTuple):
    """Items sorted by cell key, to gather the items of a few cells without scanning them all."""

    keys: np.ndarray
    bounds: np.ndarray
    order: np.ndarray

    @classmethod
    def of(cls, cells: np.ndarray) -> "_Buckets":
        order = np.argsort(cells, kind="stable")
        keys, starts = np.unique(cells[order], return_index=True)
        return cls(keys, np.append(starts, len(order)), order)

    def gather(self, wanted: np.ndarray) -> np.ndarray:
        """Positions of the items in the cells ``wanted``."""
        pos = np.searchsorted(self.keys, wanted)
        pos = pos[(pos < len(self.keys)) & (self.keys[np.minimum(pos, len(self.keys) - 1)] == wanted)]
        if not len(pos):
            return np.empty(0, dtype=np.int64)
        return np.concatenate([self.order[self.bounds[i]:self.bounds[i + 1]] for i in pos])


def _boxes_near(x: np.ndarray, y: np.ndarray, x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray,
                reach: float) -> np.ndarray:
    """Which boxes (x0, y0, x1, y1) may lie within ``reach`` of a point: they meet a grid cell
    (``reach`` m) next to a point's cell. A summed-area table answers each box at once."""
    cell = max(float(reach), 1.0)
    ox, oy = min(x.min(), x0.min()), min(y.min(), y0.min())
    nx = int((max(x.max(), x1.max()) - ox) // cell) + 2
    ny = int((max(y.max(), y1.max()) - oy) // cell) + 2
    if nx * ny > 16_000_000:  # a huge area for a short reach: keep every box rather than a huge grid
        return np.ones(len(x0), dtype=bool)
    marked = np.zeros((ny + 2, nx + 2), dtype=np.int32)
    ci = ((x - ox) // cell).astype(np.int64) + 1
    cj = ((y - oy) // cell).astype(np.int64) + 1
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            marked[cj + dj, ci + di] = 1
    table = np.zeros((ny + 3, nx + 3), dtype=np.int64)
    table[1:, 1:] = marked.cumsum(0).cumsum(1)
    i0 = np.clip((x0 - ox) // cell, -1, nx).astype(np.int64) + 1
    i1 = np.clip((x1 - ox) // cell, -1, nx).astype(np.int64) + 1
    j0 = np.clip((y0 - oy) // cell, -1, ny).astype(np.int64) + 1
    j1 = np.clip((y1 - oy) // cell, -1, ny).astype(np.int64) + 1
    return (table[j1 + 1, i1 + 1] - table[j0, i1 + 1] - table[j1 + 1, i0] + table[j0, i0]) > 0


def _submatrix(matrix, sub: np.ndarray, local: np.ndarray) -> csr_matrix:
    """``matrix[sub][:, sub]`` in time linear in the rows taken (``local``: position in ``sub``, else -1).

    scipy's column selection allocates an array as long as the whole matrix per call.
    """
    rows = matrix[sub]
    cols = local[rows.indices]
    keep = cols >= 0
    indptr = np.concatenate([[0], np.cumsum(keep)])[rows.indptr]
    return csr_matrix((rows.data[keep], cols[keep], indptr), shape=(len(sub), len(sub)))


def _local_pairs(network: Network, pn: np.ndarray, pc: np.ndarray, snodes: np.ndarray, scosts: np.ndarray,
                 limit: float, chunk_cells: int) -> list[tuple[np.ndarray, ...]]:
    """Pairs from searches on the part of the network around each tile of sources (exact, see :func:`_tile_size`).

    Sources are grouped by the cell of their first entry node; each group searches only the
    nodes of its cell and the 8 around it, and meets only the points whose first entry lies there.
    """
    size = _tile_size(network, pn, snodes, limit)
    node_cell = _cells(network, np.arange(network.n_nodes), size)
    nodes, points = _Buckets.of(node_cell), _Buckets.of(node_cell[pn[:, 0]])
    src_cell = node_cell[snodes[:, 0]]
    sources = _Buckets.of(src_cell)
    ring = np.array([dx * (1 << 32) + dy for dx in (-1, 0, 1) for dy in (-1, 0, 1)])
    local = np.full(network.n_nodes, -1, dtype=np.int64)
    out = []
    for cell in sources.keys:
        sub = nodes.gather(cell + ring)
        local[sub] = np.arange(len(sub))
        src = sources.gather(np.array([cell]))
        pts = points.gather(cell + ring)
        matrix = _submatrix(network.matrix, sub, local)
        for r, c, cost in _search_blocks(matrix, len(sub), local[pn[pts]], pc[pts], local[snodes[src]],
                                         scosts[src], limit, chunk_cells):
            out.append((pts[r], src[c], cost))
        local[sub] = -1
    return out


def _network_pairs(network: Network, pnodes: np.ndarray, pcosts: np.ndarray, snodes: np.ndarray,
                   scosts: np.ndarray, limit: float, chunk_cells: int) -> list[pd.DataFrame]:
    """(point, source, cost) pairs over the network; every point and source has two entry nodes.

    Rows are positions into ``pnodes`` / ``snodes`` (only those on the network, -1 otherwise).
    One limited Dijkstra per distinct source entry node, in chunks of sources so that
    about ``chunk_cells`` distances are held at once; with a finite ``limit`` and a network
    without zero-length jumps (:attr:`Network.stretch`), each search runs on the part of
    the network around its tile of sources only, so the cost grows with the network, not
    with its square.
    """
    src_pos = np.flatnonzero(snodes[:, 0] >= 0)
    pts_pos = np.flatnonzero(pnodes[:, 0] >= 0)
    pn, pc = pnodes[pts_pos], pcosts[pts_pos]
    sn, sc = snodes[src_pos], scosts[src_pos]
    if np.isfinite(limit) and np.isfinite(network.stretch):
        blocks = _local_pairs(network, pn, pc, sn, sc, limit, chunk_cells)
    else:
        blocks = _search_blocks(network.matrix, network.n_nodes, pn, pc, sn, sc, limit, chunk_cells)
    return [pd.DataFrame({"origin": pts_pos[r], "destination": src_pos[c], "cost": cost})
            for r, c, cost in blocks]


def pair_costs(px, py, sx, sy, limit: float, network: Network | None = None,
               max_snap_distance: float | None = None, chunk_cells: int = 20_000_000,
               on_edges: bool | None = None) -> pd.DataFrame:
    """Every (point, source) pair within ``limit`` with its walking distance.

    Returns a long table ``origin`` (point position), ``destination`` (source
    position), ``cost`` (m). Network walks when both ends are on the network
    (snapped as in :func:`point_distances`; one limited Dijkstra per distinct source
    entry node, in chunks so that about ``chunk_cells`` distances are held at once);
    straight lines otherwise.
    """
    px = np.asarray(px, float)
    py = np.asarray(py, float)
    sx = np.asarray(sx, float)
    sy = np.asarray(sy, float)
    on_edges = settings.snap_to_edges if on_edges is None else on_edges
    parts: list[pd.DataFrame] = []
    if network is not None and network.n_nodes:
        pnodes, pcosts, psnap = _ends(network, px, py, max_snap_distance, on_edges)
        snodes, scosts, ssnap = _ends(network, sx, sy, max_snap_distance, on_edges)
    else:
        pnodes = np.full((len(px), 2), -1)
        snodes = np.full((len(sx), 2), -1)
        psnap = None
    p_on = pnodes[:, 0] >= 0
    s_on = snodes[:, 0] >= 0
    if p_on.any() and s_on.any():
        parts += _network_pairs(network, pnodes, pcosts, snodes, scosts, limit, chunk_cells)
        if psnap is not None:
            parts.append(_same_edge_pairs(psnap, ssnap, np.flatnonzero(p_on), np.flatnonzero(s_on)))
    # straight-line pairs where at least one end is off the network
    if (~p_on).any() or (~s_on).any():
        tp = cKDTree(np.column_stack([px, py]))
        ts = cKDTree(np.column_stack([sx, sy]))
        sdm = tp.sparse_distance_matrix(ts, _limit_arg(limit), output_type="coo_matrix")
        r, c, w = sdm.row, sdm.col, sdm.data  # coincident points are kept with distance 0
        ok = (~p_on[r]) | (~s_on[c])
        parts.append(pd.DataFrame({"origin": r[ok], "destination": c[ok], "cost": w[ok]}))
    if not parts:
        return pd.DataFrame({"origin": np.array([], dtype=np.int64),
                             "destination": np.array([], dtype=np.int64), "cost": np.array([], float)})
    out = pd.concat(parts, ignore_index=True)
    out = out[out["cost"] <= limit]
    return out.groupby(["origin", "destination"], as_index=False)["cost"].min()


# ------------------------------------------------------------------ joining islands

@dataclass(frozen=True)
class JoinReport:
    """What :func:`join_components` did (counts)."""

    components_before: int
    components_after: int
    #: components joined to the main one
    joined: int
    #: connector edges added
    connectors: int
    #: components left apart and too small to snap to (see ``Network.snappable``)
    islands: int
    island_nodes: int
    #: components left apart but big enough to snap to
    separate: int


def _connectors(network: Network, tolerance: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Connector edges from every node outside the main component within ``tolerance`` of a main edge.

    Each such node gets two edges, to both ends of its nearest main segment, as long as
    the gap plus the part of the segment to that end (exact, without splitting the
    segment). Returns ``u``, ``v``, ``length`` and the number of components joined.
    """
    empty = np.empty(0, dtype=np.int64)
    labels = network.component_labels
    main = network.main_component
    a, b, w = network.edges
    main_edges = np.flatnonzero(labels[a] == main)
    others = np.flatnonzero(labels != main)
    if len(main_edges) == 0 or len(others) == 0:
        return empty, empty, np.empty(0), 0
    lines = shapely.linestrings(np.stack([np.column_stack([network.x[a[main_edges]], network.y[a[main_edges]]]),
                                          np.column_stack([network.x[b[main_edges]], network.y[b[main_edges]]])],
                                         axis=1))
    tree = shapely.STRtree(lines)
    points = shapely.points(network.x[others], network.y[others])
    (pos, seg), gap = tree.query_nearest(points, max_distance=_limit_arg(tolerance), return_distance=True,
                                         all_matches=False)
    if len(pos) == 0:
        return empty, empty, np.empty(0), 0
    node, edge = others[pos], main_edges[seg]
    geom_len = shapely.length(lines[seg])
    safe = np.where(geom_len > 0, geom_len, 1.0)
    along = np.clip(shapely.line_locate_point(lines[seg], points[pos]) / safe, 0, 1) * w[edge]
    along = np.where(geom_len > 0, along, 0.0)
    u = np.concatenate([node, node])
    v = np.concatenate([a[edge], b[edge]])
    length = np.concatenate([gap + along, gap + (w[edge] - along)])
    return u, v, length, len(np.unique(labels[node]))


def join_components(network: Network, tolerance: float | None = None,
                    max_rounds: int = 10) -> tuple[Network, JoinReport]:
    """Join parts of the network that (nearly) touch the main component to it.

    OpenStreetMap draws pedestrian squares (``highway=pedestrian`` + ``area=yes``) as
    an outline that often shares no node with the streets around it, and paths often
    stop a few metres short of a street; such parts become islands on which residents
    and places are cut off. Every node of another component within ``tolerance``
    (default ``settings.network_join_tolerance``, 15 m) of a segment of the main
    (longest) component gets connector edges to both ends of that segment, as long as
    the gap plus the part of the segment to each end. Repeated (at most ``max_rounds``)
    because a part can come within reach through another that was just joined.

    Parts that stay apart keep their edges; those shorter than
    ``settings.network_min_component_length`` are islands that nothing snaps to
    (:attr:`Network.snappable`).

    Returns
    -------
    (Network, JoinReport)
        The network with the connector edges added (same nodes), and the counts.
    """
    tol = settings.network_join_tolerance if tolerance is None else float(tolerance)
    before = int(network.component_labels.max(initial=-1)) + 1
    net, joined, connectors = network, 0, 0
    for _ in range(max_rounds):
        u, v, length, n_joined = _connectors(net, tol)
        if len(u) == 0:
            break
        joined += n_joined
        connectors += len(u)
        net = Network(net.node_ids, net.x, net.y, np.concatenate([net.u, u]), np.concatenate([net.v, v]),
                      np.concatenate([net.length, length]),
                      np.concatenate([net.connector, np.ones(len(u), dtype=bool)]))
    labels = net.component_labels
    others = np.setdiff1d(np.unique(labels), [net.main_component])
    small = others[~np.isin(others, np.unique(labels[net.snappable]))]
    report = JoinReport(components_before=before, components_after=len(others) + (net.n_nodes > 0),
                        joined=joined, connectors=connectors, islands=len(small),
                        island_nodes=int(np.isin(labels, small).sum()), separate=len(others) - len(small))
    return net, report
