"""Time of the list beside the map (list.js) with many places in view, in headless Chromium.

usage: python benchmarks/bench_list.py [--n 20000] [--runs 5]

Draws the test town of tests/test_map.py with ``n`` extra places (all in view at the
first fit), opens the list and prints the median time (ms) of: one update (visible set,
distances, sort by distance, 200 rows drawn), a sort by name, and building the CSV of
all places in view. Target: an update well under 100 ms, so panning stays smooth.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from abcd_map.render.map import draw_map, save_map  # noqa: E402

from browser import Browser  # noqa: E402
from test_map import make_inputs  # noqa: E402

TIMED = {
    "update": "ABCD_LIST.update()",
    "sort_naam": "ABCD_LIST.sortBy('naam'); ABCD_LIST.sortBy('afstand')",
    "csv": "ABCD_LIST.csv().length",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000, help="extra places (default 20000)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    t0 = time.perf_counter()
    d = make_inputs(n_extra_assets=args.n)
    with tempfile.TemporaryDirectory() as tmp:
        path = save_map(draw_map(d["buurten"], d["wijken"], d["assets"], meta=d["meta"]), Path(tmp) / "veel.html")
        print(f"kaart met {args.n + 7} plekken: {path.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - t0:.1f} s")
        with Browser(1400, 900) as b:
            b.open(path, timeout=300)
            b.eval("ABCD.panel('list', true)")
            b.wait_until("document.querySelectorAll('#abcd-list-table tbody tr').length > 0", timeout=60)
            print("in beeld:", b.eval("document.querySelector('.abcd-list-status').textContent"))
            for name, js in TIMED.items():
                times = [b.eval(f"(function(){{var t = performance.now(); {js}; return performance.now() - t;}})()")
                         for _ in range(args.runs)]
                print(f"{name:10s} mediaan {statistics.median(times):7.1f} ms  ({', '.join(f'{t:.0f}' for t in times)})")


if __name__ == "__main__":
    main()
