"""Benchmark: a synthetic country run per gemeente on a dask LocalCluster (run: python benchmarks/bench_country.py).

342 gemeenten of realistic, skewed sizes (buurten per gemeente lognormal, median 25,
3 to 480, like the CBS Wijk- en Buurtkaart: ~14,000 buurten in all) tile one street grid
(100 m blocks). A buurt is 6 x 6 blocks (~43 nodes; a real buurt has ~400 walking nodes,
so ``--schaal 1`` is about 1/10 of the country's nodes per gemeente), a wijk is a row of up
to 4 buurten of one gemeente, and there is one OSM place per ``--nodes-per-place`` nodes
(half welcoming). Inputs are built in memory (the national files are read once, as
``build_per_gemeente`` does), cut per gemeente in the parent, and run as one dask task
per gemeente with 1 and then 2 worker processes (``--workers 1 2``). The cache is a
fresh temporary folder per run, so every gemeente is computed.

Prints per worker count: wall time, gemeenten per minute, the parent's time to cut and
hash, the peak memory (RSS) of each worker process, and the speed-up from 1 to 2 workers.
``--schrijf`` also writes every gemeente's folder (map, tables, GeoPackage) and the combined
outputs into a temporary folder; by default only the analysis and the privacy gate run.
``--gemeenten 40`` runs a quick sample of the same size distribution.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import BLOCK, TAGS, grid_network  # noqa: E402  (the same street grid and OSM tags)

BUURT_BLOCKS = 6
ROW_BUURTEN = 4  # a gemeente is a strip 4 buurten tall


def gemeente_sizes(n: int, seed: int = 11) -> np.ndarray:
    """Buurten per gemeente: lognormal (median 25), 3 to 480 -- the skew of the real country."""
    rng = np.random.default_rng(seed)
    return np.clip(np.round(rng.lognormal(np.log(25), 0.9, n)), 3, 480).astype(int)


def layout(sizes: np.ndarray) -> tuple[np.ndarray, int, int]:
    """Gemeente index of every buurt cell of a rectangle, filled in strips ``ROW_BUURTEN`` tall.

    Each gemeente takes ``ceil(size / ROW_BUURTEN)`` columns of a strip; the last one of a
    strip takes the rest of it, so the country is a rectangle and every gemeente has neighbours.
    """
    widths = np.maximum(1, np.ceil(sizes / ROW_BUURTEN).astype(int))
    cols = int(np.ceil(np.sqrt(widths.sum() * ROW_BUURTEN)))
    strips: list[list[int]] = [[]]
    used = 0
    for g, w in enumerate(widths):
        if used + w > cols and strips[-1]:
            strips.append([])
            used = 0
        strips[-1].append(g)
        used += w
    grid = np.full((len(strips) * ROW_BUURTEN, cols), -1)
    for s, members in enumerate(strips):
        x = 0
        for k, g in enumerate(members):
            w = cols - x if k == len(members) - 1 else widths[g]
            grid[s * ROW_BUURTEN:(s + 1) * ROW_BUURTEN, x:x + w] = g
            x += w
    return grid, grid.shape[0], cols


def synthetic_country(n_gemeenten: int, nodes_per_place: int, seed: int = 5):
    """The Inputs of a synthetic country (areas, wijken, OSM places and network) and its sizes."""
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import box

    from abcd_map import settings, stages
    from abcd_map.load.osm import OsmData

    grid, rows, cols = layout(gemeente_sizes(n_gemeenten))
    size = BUURT_BLOCKS * BLOCK
    rng = np.random.default_rng(seed)
    r, c = np.divmod(np.arange(rows * cols), cols)
    g = grid[r, c]
    gem = np.array([f"GM{k:04d}" for k in range(n_gemeenten)])[g]
    wijk = [f"WK{k:04d}{a:03d}{b // ROW_BUURTEN:03d}" for k, a, b in zip(g, r, c)]
    buurten = gpd.GeoDataFrame({
        "buurtcode": [f"BU{k:04d}{a:03d}{b:03d}" for k, a, b in zip(g, r, c)],
        "buurtnaam": [f"Buurt {a}-{b}" for a, b in zip(r, c)], "wijkcode": wijk,
        "wijknaam": [f"Wijk {w[-6:]}" for w in wijk], "gemeentecode": gem,
        "gemeentenaam": [f"Gemeente {k}" for k in g],
        "inwoners": rng.integers(200, 3000, len(r)).astype(float),
        "p_65_plus": rng.uniform(5, 40, len(r)), "opmerking": "",
    }, geometry=[box(b * size, a * size, (b + 1) * size, (a + 1) * size) for a, b in zip(r, c)], crs=settings.crs)
    wijken = buurten.dissolve("wijkcode", aggfunc={"wijknaam": "first", "gemeentecode": "first",
                                                   "gemeentenaam": "first", "inwoners": "sum"}).reset_index()
    nx_, ny_ = cols * BUURT_BLOCKS + 1, rows * BUURT_BLOCKS + 1
    net = grid_network(nx_, ny_)
    n_places = max(10, net.n_nodes // nodes_per_place)
    kind = rng.integers(0, len(TAGS), n_places)
    frame = {"osm_id": [f"node/{i + 1}" for i in range(n_places)], "name": [f"Plek {i + 1}" for i in range(n_places)]}
    for key in dict.fromkeys(k for k, _ in TAGS):
        frame[key] = [TAGS[t][1] if TAGS[t][0] == key else None for t in kind]
    places = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(rng.uniform(0, cols * size, n_places),
                                                                 rng.uniform(0, rows * size, n_places)),
                              crs=settings.crs)
    osm = OsmData(places=places, network=net, extent=box(-50, -50, cols * size + 50, rows * size + 50))
    inputs = stages.Inputs(areas=buurten, wijk_areas=wijken, hand=stages.empty_assets(), osm=osm)
    facts = {"gemeenten": n_gemeenten, "buurten": len(buurten), "knopen": net.n_nodes, "plekken": n_places,
             "km": (cols * size / 1000, rows * size / 1000)}
    return inputs, facts, pd.Series(g).value_counts()


def _peak_rss_mb() -> float:
    """Peak RSS of this process (MB; runs on every worker through ``client.run``)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(inputs, n_workers: int, write: bool, distance: float) -> dict:
    """One run per gemeente on a fresh LocalCluster of ``n_workers`` processes; figures of the run."""
    from abcd_map import per_gemeente
    from abcd_map.options import BuildOptions

    with tempfile.TemporaryDirectory() as tmp:
        os.environ[per_gemeente.CACHE_ENV] = str(Path(tmp) / "cache")
        options = BuildOptions.create(buurten="synthetisch.geojson", afstand=distance,
                                      out=Path(tmp) / "uit" if write else None)
        client = per_gemeente.local_client(n_workers)
        try:
            t0 = time.perf_counter()
            cut = {"s": 0.0}
            original = per_gemeente.Cutter.cut

            def timed_cut(self, *args):
                c0 = time.perf_counter()
                try:
                    return original(self, *args)
                finally:
                    cut["s"] += time.perf_counter() - c0

            per_gemeente.Cutter.cut = timed_cut
            def step(done, total, *_):
                if total and (done % 50 == 0 or done == total):
                    print(f"   {done}/{total} gemeenten na {time.perf_counter() - t0:.0f} s", file=sys.stderr,
                          flush=True)

            result = per_gemeente.run_inputs(inputs, options, client, progress=step)
            wall = time.perf_counter() - t0
            per_gemeente.Cutter.cut = original
            peaks = sorted(client.run(_peak_rss_mb).values())
        finally:
            cluster = client.cluster
            client.close()
            cluster.close()
    done = len(result.results)
    return {"workers": n_workers, "wall": wall, "done": done, "failed": len(result.failed),
            "per_minute": 60 * done / wall, "cut": cut["s"], "peaks": peaks,
            "parent_mb": _peak_rss_mb(), "errors": list(result.failed.values())[:3]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gemeenten", type=int, default=342)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--nodes-per-place", type=int, default=50)
    parser.add_argument("--afstand", type=float, default=500)
    parser.add_argument("--schrijf", action="store_true", help="also write every gemeente's folder")
    args = parser.parse_args()
    import logging

    import distributed  # noqa: F401  (its import sets up its loggers; quiet them after it)

    logging.getLogger("distributed").setLevel(logging.ERROR)
    t0 = time.perf_counter()
    inputs, facts, per_gem = synthetic_country(args.gemeenten, args.nodes_per_place)
    print(f"Synthetisch land: {facts['gemeenten']} gemeenten, {facts['buurten']:,} buurten, {facts['knopen']:,} "
          f"knopen, {facts['plekken']:,} plekken, {facts['km'][0]:.0f} x {facts['km'][1]:.0f} km "
          f"(buurten per gemeente: mediaan {per_gem.median():.0f}, max {per_gem.max()}); "
          f"gemaakt in {time.perf_counter() - t0:.1f} s; {os.cpu_count()} kernen; afstand {args.afstand:g} m"
          f"{'; met uitvoer per gemeente' if args.schrijf else '; zonder uitvoerbestanden'}")
    runs = []
    for n in args.workers:
        r = run(inputs, n, args.schrijf, args.afstand)
        runs.append(r)
        print(f"{n} worker(s): {r['wall']:.1f} s, {r['done']} gemeenten ({r['failed']} mislukt), "
              f"{r['per_minute']:.1f} gemeenten/min; knippen + hashen in de ouder {r['cut']:.1f} s; "
              f"piekgeheugen per worker {', '.join(f'{p:,.0f}' for p in r['peaks'])} MB "
              f"(ouder {r['parent_mb']:,.0f} MB)")
        for e in r["errors"]:
            print("   fout:", e[:300])
    if len(runs) > 1:
        base = runs[0]
        for r in runs[1:]:
            print(f"Schaling {base['workers']} -> {r['workers']} workers: {base['wall'] / r['wall']:.2f}x "
                  f"(ideaal {r['workers'] / base['workers']:.0f}x)")


if __name__ == "__main__":
    main()
