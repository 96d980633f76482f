"""What the benchmark scripts share: where the real data lives and a median timer."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
DELFT_OSM = SHARED / "osm" / "delft-tudelft.osm.bz2"
HAAGLANDEN_BUURT = SHARED / "cbs-wijkenbuurten-2015" / "haaglanden_buurt.geojson"


def median_time(fn: Callable[[], object], repeat: int = 5) -> tuple[float, object]:
    """Median wall time (s) of ``repeat`` runs of ``fn`` and the last result."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result
