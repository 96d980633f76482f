"""Benchmark: reading and checking a large list of hand-collected assets.

Run from the repository root::

    python benchmarks/bench_assets.py [--rows 10000 50000] [--repeat 3] [--profile]

Wall and CPU time are both printed: on a shared machine the CPU time is the
steadier figure. Generates realistic CSV files (Dutch semicolon CSV with decimal commas, every
column of the template, a few value spellings per column) in a temporary folder
that is removed afterwards, and prints the median time of ``load_assets`` and
``validate_assets`` per size. Nothing generated is kept.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import tempfile
import time
import warnings
from pathlib import Path

from _common import median_time  # noqa: E402  (benchmarks/ is on sys.path)

SOORTEN = ["plek", "Persoon", "initiatief", "Organisaties", "openbare ruimte", "Buurthuis"]
CATEGORIEEN = ["", "fysieke ruimte", "individuen", "talenten", "Cultuur & verhalen", "instelling"]
DOELGROEPEN = ["", "senioren", "jongeren en ouders", "iedereen; nieuwkomers", "statushouders / GGZ"]
FASEN = ["", "onbekend", "benaderd", "in gesprek", "ontvangend"]
CAPACITEIT = ["", "12", "ca. 15", "15-20", "onbekend", "40"]
HEADER = ["id", "naam", "soort", "categorie", "omschrijving", "doelgroepen", "inloop", "wanneer",
          "beheerder", "telefoon", "email", "website", "laatste contact", "bron", "fase",
          "toestemming", "capaciteit", "relaties", "lat", "lon"]


def write_assets(path: Path, n: int, seed: int = 12) -> Path:
    """A semicolon CSV of ``n`` plausible assets around Delft."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        for i in range(1, n + 1):
            day = f"{rng.randint(1, 28)}-{rng.randint(1, 12)}-{rng.randint(2019, 2024)}"
            relation = f"verwijst naar:A{rng.randint(1, n)}" if rng.random() < 0.2 else ""
            writer.writerow([
                f"A{i}", f"Plek {i}", rng.choice(SOORTEN), rng.choice(CATEGORIEEN),
                "Koffie en een luisterend oor", rng.choice(DOELGROEPEN), rng.choice(["ja", "nee", ""]),
                rng.choice(["", "elke woensdag 10-12", "ma-vr 9:00-17:00"]), "Stichting Voorbeeld",
                "015 000 0000", f"info{i}@voorbeeld.nl", rng.choice(["", "www.voorbeeld.nl"]),
                rng.choice(["", day, "2024-03-01"]), "wijkteam", rng.choice(FASEN),
                rng.choice(["ja", "nee"]), rng.choice(CAPACITEIT), relation,
                f"{52.0 + rng.random() * 0.03:.5f}".replace(".", ","),
                f"{4.34 + rng.random() * 0.04:.5f}".replace(".", ","),
            ])
    return path


def cpu_time(fn, repeat: int) -> float:
    """Median CPU time (s) of this process: less disturbed than wall time on a busy machine."""
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile the largest load")
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    from abcd_map.load.assets import load_assets, validate_assets

    with tempfile.TemporaryDirectory(prefix="abcd-bench-") as folder:
        print(f"Mediaan van {args.repeat} keer (seconden)")
        print(f"{'rijen':>8s} {'load_assets':>12s} {'cpu':>8s} {'validate':>10s} {'µs/rij':>8s}")
        for n in args.rows:
            path = write_assets(Path(folder) / f"assets_{n}.csv", n)
            t_load, assets = median_time(lambda: load_assets(path), args.repeat)
            t_cpu = cpu_time(lambda: load_assets(path), args.repeat)
            t_check, problems = median_time(lambda: validate_assets(path), args.repeat)
            assert len(assets) == n and problems == [], problems[:3]
            print(f"{n:8d} {t_load:12.3f} {t_cpu:8.3f} {t_check:10.3f} {t_load / n * 1e6:8.1f}")
        if args.profile:
            import cProfile
            import pstats

            cProfile.runctx("load_assets(path)", globals(), {"load_assets": load_assets, "path": path},
                            str(Path(folder) / "prof"))
            pstats.Stats(str(Path(folder) / "prof")).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
