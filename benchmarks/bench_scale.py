"""Benchmark: one default build on a synthetic town of any size (run: python benchmarks/bench_scale.py).

A square street grid of ``--nodes`` nodes (100 m blocks), buurten of 17 x 17 blocks
(so 100,000 nodes give 324 buurten and 1,000,000 give 3,364), wijken of 3 x 3 buurten
and gemeenten of 3 x 3 wijken above them, and one OSM place per 100 nodes at a random
spot (half of them welcoming). Everything is made in memory; one distance (500 m),
every default output (no per-wijk folders, no rapport) written to a temporary folder.

Prints the time of every phase (wall and CPU), the process's peak memory when the phase
ended and the peak of the whole run (``ru_maxrss``). Each size runs in its own process so the peaks do not mix.
Targets (issue 15): 100k nodes under 8 s; 1M nodes / 3,000+ buurten / 10,000 assets
under 60 s and 2 GB.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

import numpy as np

BLOCK = 100.0
BUURT_BLOCKS = 17
#: OSM tags of the synthetic places (the first two are welcoming places).
TAGS = [("amenity", "community_centre"), ("amenity", "cafe"), ("amenity", "restaurant"),
        ("amenity", "theatre")]


def grid_network(side: int, rows: int | None = None):
    """A ``side`` x ``rows`` (default square) street grid with ``BLOCK`` m between nodes (origin at 0, 0)."""
    from abcd_map.analyse.network import Network

    n = side * (side if rows is None else rows)
    ii, jj = np.divmod(np.arange(n), side)
    right = np.flatnonzero(jj < side - 1)
    up = np.flatnonzero(ii < n // side - 1)
    u = np.concatenate([right, up])
    v = np.concatenate([right + 1, up + side])
    return Network(np.arange(n), jj * BLOCK, ii * BLOCK, u, v, np.full(len(u), BLOCK))


def synthetic_areas(side: int, seed: int = 3):
    """Buurten (with residents and age shares) and wijken covering the grid."""
    import geopandas as gpd
    from shapely.geometry import box

    from abcd_map import settings

    size = BUURT_BLOCKS * BLOCK
    k = max(1, int(np.ceil((side - 1) * BLOCK / size)))
    rng = np.random.default_rng(seed)
    bi, bj = np.divmod(np.arange(k * k), k)
    wi, wj = bi // 3, bj // 3
    wijk = [f"WK{a:03d}{b:03d}" for a, b in zip(wi, wj)]
    gem = [f"GM{a // 3:02d}{b // 3:02d}" for a, b in zip(wi, wj)]
    buurten = gpd.GeoDataFrame({
        "buurtcode": [f"BU{a:04d}{b:04d}" for a, b in zip(bi, bj)],
        "buurtnaam": [f"Buurt {a}-{b}" for a, b in zip(bi, bj)],
        "wijkcode": wijk, "wijknaam": [f"Wijk {w[2:]}" for w in wijk],
        "gemeentecode": gem, "gemeentenaam": [f"Gemeente {g[2:]}" for g in gem],
        "inwoners": rng.integers(500, 4000, k * k).astype(float),
        "p_65_plus": rng.uniform(5, 40, k * k), "opmerking": "",
    }, geometry=[box(b * size, a * size, (b + 1) * size, (a + 1) * size) for a, b in zip(bi, bj)],
        crs=settings.crs)
    wijken = buurten.dissolve("wijkcode", aggfunc={"wijknaam": "first", "gemeentecode": "first",
                                                   "gemeentenaam": "first", "inwoners": "sum"}).reset_index()
    return buurten, wijken


def synthetic_places(side: int, n: int, seed: int = 5):
    """``n`` OSM places at random spots of the grid, tagged from :data:`TAGS`."""
    import geopandas as gpd

    from abcd_map import settings

    rng = np.random.default_rng(seed)
    top = (side - 1) * BLOCK
    kind = rng.integers(0, len(TAGS), n)
    frame = {"osm_id": [f"node/{i + 1}" for i in range(n)], "name": [f"Plek {i + 1}" for i in range(n)]}
    for key in dict.fromkeys(k for k, _ in TAGS):
        frame[key] = [TAGS[t][1] if TAGS[t][0] == key else None for t in kind]
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(rng.uniform(0, top, n), rng.uniform(0, top, n)),
                            crs=settings.crs)


def _peak_mb() -> float:
    """Peak resident memory of this process so far (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Phases:
    """Wall and CPU time per named phase (nested phases are counted in their own name only)."""

    def __init__(self):
        self.wall: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)
        self.peak: dict[str, float] = defaultdict(float)  # MB: the process's peak when the phase ended
        self._stack: list[str] = []

    @contextmanager
    def __call__(self, name: str):
        w, c = time.perf_counter(), time.process_time()
        self._stack.append(name)
        try:
            yield
        finally:
            self._stack.pop()
            dw, dc = time.perf_counter() - w, time.process_time() - c
            self.wall[name] += dw
            self.cpu[name] += dc
            self.peak[name] = max(self.peak[name], _peak_mb())
            if self._stack:  # the parent phase does not count this time again
                self.wall[self._stack[-1]] -= dw
                self.cpu[self._stack[-1]] -= dc

    def wrap(self, module, attr: str, name: str) -> None:
        """Time every call of ``module.attr`` under ``name``."""
        fn = getattr(module, attr)

        def timed(*args, **kwargs):
            with self(name):
                return fn(*args, **kwargs)

        setattr(module, attr, timed)


def build(n_nodes: int) -> dict:
    """One default build on a synthetic town of about ``n_nodes`` nodes; phase times and peak memory."""
    from abcd_map import outputs, publication, stages
    from abcd_map.analyse import access, coverage, gaps
    from abcd_map.load.osm import OsmData
    from abcd_map.options import BuildOptions
    from shapely.geometry import box

    side = int(round(np.sqrt(n_nodes)))
    ph = Phases()
    ph.wrap(coverage, "resident_points", "resident points")
    ph.wrap(stages, "coverage_tables", "coverage")
    ph.wrap(gaps, "white_spots", "white spots")
    ph.wrap(gaps, "walking_areas", "walking areas")
    ph.wrap(access, "access_per_buurt", "2SFCA")
    t0, c0 = time.perf_counter(), time.process_time()
    with ph("inputs"):
        net = grid_network(side)
        buurten, wijken = synthetic_areas(side)
        places = synthetic_places(side, max(10, n_nodes // 100))
        top = (side - 1) * BLOCK
        osm = OsmData(places=places, network=net, extent=box(-50, -50, top + 50, top + 50))
        options = BuildOptions.create(buurten="synthetisch.geojson", afstand=500)
        inputs = stages.Inputs(areas=buurten, wijk_areas=wijken, hand=stages.empty_assets(), osm=osm)
    with ph("classify"):
        assets, merged = stages.combine_assets(inputs)
    with ph("analyse (rest)"):
        analysis = stages.analyse(inputs, assets, options, merged)
        analysis = stages.compare_facilities(analysis, inputs)
    with ph("publish"):
        pub = publication.publish(analysis)
    with tempfile.TemporaryDirectory() as tmp:
        with ph("write"):
            outputs.write_outputs(pub, Path(tmp) / "uit")
        sizes = {f.name: f.stat().st_size / 1e6 for f in (Path(tmp) / "uit").iterdir() if f.is_file()}
    return {"sizes_mb": sizes, "nodes": net.n_nodes, "buurten": len(buurten), "assets": len(assets),
            "welcoming": int(assets["ontmoetingsplek"].astype(bool).sum()),
            "wall": time.perf_counter() - t0, "cpu": time.process_time() - c0,
            "phases": {k: [ph.wall[k], ph.cpu[k], ph.peak[k]] for k in ph.wall},
            "maxrss_mb": _peak_mb()}


def report(r: dict) -> None:
    """Print one size's figures."""
    print(f"{r['nodes']:,} knopen, {r['buurten']:,} buurten, {r['assets']:,} assets "
          f"({r['welcoming']:,} ontmoetingsplekken), 500 m")
    for name, (wall, cpu, peak) in sorted(r["phases"].items(), key=lambda kv: -kv[1][1]):
        print(f"  {name:16s} {wall:8.2f} s wand | {cpu:8.2f} s CPU | piek tot hier {peak:6,.0f} MB")
    print(f"  {'totaal':16s} {r['wall']:8.2f} s wand | {r['cpu']:8.2f} s CPU | piek {r['maxrss_mb']:,.0f} MB")
    print("  bestanden: " + ", ".join(f"{name} {mb:,.1f} MB" for name, mb in sorted(r["sizes_mb"].items())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(build(args.child)))
        return
    for n in args.nodes:
        out = subprocess.run([sys.executable, __file__, "--child", str(n)], capture_output=True, text=True)
        if out.returncode:
            print(out.stderr[-3000:])
            continue
        report(json.loads(out.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
