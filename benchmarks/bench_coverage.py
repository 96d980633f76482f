"""Benchmark: walking-distance coverage (run: python benchmarks/bench_coverage.py).

1. Delft (real OSM network, ../shared/data): 500 assets at random nodes (seed 1),
   nodes within 500 m. Ours = build the sparse graph + one multi-source Dijkstra;
   naive = one osmnx/networkx ego_graph per asset (the usual notebook loop).
2. Synthetic street grid of 1,000,000 nodes (1000 x 1000, 100 m blocks) with
   10,000 assets: time and peak memory of the coverage step, in a subprocess.
Prints medians of 5 runs and ratios; no assertions.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

import numpy as np

from _common import DELFT_OSM, median_time  # noqa: E402  (benchmarks/ is on sys.path)


def delft_graph():
    from abcd_map.load.osm import osmnx_street_graph

    return osmnx_street_graph(DELFT_OSM)


def bench_delft() -> None:
    import networkx as nx

    from abcd_map.analyse.network import Network

    if not DELFT_OSM.exists():
        print("Delft: ../shared/data ontbreekt, overgeslagen")
        return
    G = delft_graph()
    base = Network.from_networkx(G)
    rng = np.random.default_rng(1)
    picks = rng.choice(base.n_nodes, 500, replace=False)
    ids = base.node_ids

    def ours():
        net = Network(base.node_ids, base.x, base.y, base.u, base.v, base.length)  # cold: matrix built inside
        d = net.distances_from(net.x[picks], net.y[picks], limit=500)
        return set(ids[np.isfinite(d)].tolist())

    def naive():
        reached: set[int] = set()
        for i in picks:
            reached |= set(nx.ego_graph(G, int(ids[i]), radius=500, distance="length", undirected=True).nodes)
        return reached

    t_ours, r_ours = median_time(ours)
    t_naive, r_naive = median_time(naive)
    print(f"Delft: {base.n_nodes} knopen, {len(base.u)} wegdelen, 500 assets, 500 m")
    print(f"  ons (graaf bouwen + 1 Dijkstra): {t_ours * 1000:8.2f} ms (mediaan van 5)")
    print(f"  naief (ego_graph per asset)    : {t_naive * 1000:8.2f} ms (mediaan van 5)")
    print(f"  verhouding                     : {t_naive / t_ours:8.0f}x (doel >= 500x)")
    print(f"  bereikte knopen ons/naief      : {len(r_ours)}/{len(r_naive)} (naief kan langere van twee "
          f"tegengestelde wegdelen houden; naief is deelverzameling: {r_naive <= r_ours})")


GRID_CHILD = r"""
import json, resource, sys, time, tracemalloc
import numpy as np
from abcd_map.analyse.network import Network
side = 1000
n = side * side
ii, jj = np.divmod(np.arange(n), side)
x = jj * 100.0
y = ii * 100.0
right = np.flatnonzero(jj < side - 1)
up = np.flatnonzero(ii < side - 1)
u = np.concatenate([right, up])
v = np.concatenate([right + 1, up + side])
length = np.full(len(u), 100.0)
rng = np.random.default_rng(5)
ax = rng.uniform(0, (side - 1) * 100, 10_000)
ay = rng.uniform(0, (side - 1) * 100, 10_000)
t0 = time.perf_counter()
net = Network(np.arange(n), x, y, u, v, length)
net.matrix; net._tree
t_build = time.perf_counter() - t0
times = []
peak = 0
for k in range(5):
    tracemalloc.start()
    t = time.perf_counter()
    d = net.distances_from(ax, ay, limit=500)
    share = float(np.isfinite(d).mean())
    times.append(time.perf_counter() - t)
    peak = max(peak, tracemalloc.get_traced_memory()[1])
    tracemalloc.stop()
print(json.dumps({"build": t_build, "times": times, "share": share, "peak_mb": peak / 2**20,
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def bench_grid() -> None:
    out = subprocess.run([sys.executable, "-c", GRID_CHILD], capture_output=True, text=True, check=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    print("Synthetisch raster: 1.000.000 knopen, 1.998.000 wegdelen, 10.000 assets, 500 m")
    print(f"  graaf + KD-boom bouwen (eenmalig): {r['build']:.2f} s")
    print(f"  dekking (snap + 1 Dijkstra)      : {statistics.median(r['times']):.3f} s (mediaan van 5; doel < 1 s)")
    print(f"  aandeel knopen binnen 500 m      : {100 * r['share']:.1f}%")
    print(f"  piekgeheugen dekking (tracemalloc): {r['peak_mb']:.0f} MB; heel proces (maxrss): "
          f"{r['maxrss_mb']:.0f} MB (doel < 1 GB)")


if __name__ == "__main__":
    bench_delft()
    bench_grid()
