"""Large asset lists (issue 12 item 8): a build with 10,000 and 50,000 hand-collected rows.

Targets on the project's 2-core machine: 10,000 rows build in under 20 s, 50,000 in
under 2 minutes. The list is generated inside the fictional demo town (places of
every kind, a few relations, random coordinates within the buurten) in a temporary
folder; the build uses the demo's buurten, wijken and OSM file and writes every
default output. Prints rows, build seconds and the ratio to the target.

Run: ``python benchmarks/bench_large_list.py [ROWS ...]``
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

import abcd_map as am
from abcd_map import settings

TARGETS = {10_000: 20.0, 50_000: 120.0}
KINDS = [("plek", "fysieke_ruimte"), ("organisatie", "instellingen"), ("initiatief", "verenigingen"),
         ("organisatie", "economie"), ("plek", "cultuur"), ("openbare_ruimte", "fysieke_ruimte")]


def make_list(rows: int, folder: Path, seed: int = 7) -> Path:
    """A CSV of ``rows`` assets at random points inside the demo's buurten, with 5 relations."""
    rng = np.random.default_rng(seed)
    buurten = am.load_buurten(settings.data_path("demo/buurten.geojson"))
    area = buurten.union_all()
    xmin, ymin, xmax, ymax = area.bounds
    xs = rng.uniform(xmin, xmax, rows * 2)
    ys = rng.uniform(ymin, ymax, rows * 2)
    pts = gpd.GeoSeries(gpd.points_from_xy(xs, ys), crs=settings.crs)
    pts = pts[pts.within(area)].iloc[:rows].to_crs(settings.crs_wgs84)
    kind = rng.integers(0, len(KINDS), len(pts))
    table = pd.DataFrame({
        "id": [f"G{i:06d}" for i in range(len(pts))],
        "naam": [f"Plek {i}" for i in range(len(pts))],
        "soort": [KINDS[k][0] for k in kind],
        "categorie": [KINDS[k][1] for k in kind],
        "lat": pts.y.round(6).to_numpy(),
        "lon": pts.x.round(6).to_numpy(),
        "inloop": np.where(rng.random(len(pts)) < 0.3, "ja", "nee"),
        "wanneer": np.where(rng.random(len(pts)) < 0.2, "elke woensdag 10:00-12:00", ""),
        "relaties": "",
    })
    table.loc[:4, "relaties"] = [f"partner van:G{i + 10:06d}" for i in range(5)]
    path = folder / f"lijst-{rows}.csv"
    table.to_csv(path, index=False)
    return path


def main(sizes: list[int]) -> None:
    demo = settings.data_path("demo")
    with tempfile.TemporaryDirectory() as tmp:  # warm-up: imports and first-use caches are not the list's cost
        am.build(buurten=demo / "buurten.geojson", wijken_file=demo / "wijken.geojson", osm=demo / "demo.osm",
                 assets=make_list(100, Path(tmp)), out=Path(tmp) / "uit")
    print(f"{'rijen':>8} {'bouw (s)':>9} {'doel (s)':>9} {'verhouding':>10}")
    for rows in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = make_list(rows, Path(tmp))
            t0 = time.perf_counter()
            am.build(buurten=demo / "buurten.geojson", wijken_file=demo / "wijken.geojson", osm=demo / "demo.osm",
                     assets=path, out=Path(tmp) / "uit")
            seconds = time.perf_counter() - t0
        target = TARGETS.get(rows)
        ratio = f"{seconds / target:.2f}x" if target else "-"
        print(f"{rows:>8} {seconds:>9.1f} {target if target else '-':>9} {ratio:>10}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 50_000])
