"""Build the demo and Delft at two commits and diff the tables (regression check).

Usage (from anywhere inside the repository)::

    python scripts/compare_outputs.py                      # 361b24c vs HEAD
    python scripts/compare_outputs.py --base main --head HEAD
    python scripts/compare_outputs.py --head WORKTREE      # uncommitted changes too
    python scripts/compare_outputs.py --allow personen --allow 'tabellen.xlsx/gastvrijheid'
    python scripts/compare_outputs.py --keep /tmp/vergelijk  # keep checkouts and outputs

Run it with the project's interpreter (``.venv/bin/python``): the builds use the
installed dependencies (pandas, geopandas, ...) but the *checkout's* code and data.

For each commit the script exports the tree with ``git archive`` into a temporary
folder outside the repository and builds, in a child process of the same Python:

* ``demo``: the fictional demo town (no inputs);
* ``delft``: ``haaglanden_buurt.geojson`` for gemeente Delft with the TU Delft OSM
  extract from ``../shared/data`` (``--data``; skipped with a note when missing).

Both builds are publiek, with a fixed ``today`` (``--today``, default 2026-11-27), so
that dates agree. The child process puts the checkout first on ``sys.path``, runs
with ``-I`` (no current folder, no PYTHON* variables) and removes the finder of an
editable install of abcd-map, so neither the code nor the ``data/`` folder of this
working tree can shadow the checkout's; each run prints the ``abcd_map.__file__``
and data folder it used, and stops if they are not inside the checkout. Each run
has its own empty download cache (``ABCD_MAP_CACHE``).

Then it compares buurten.csv, wijken.csv, every sheet of tabellen.xlsx and every
layer of abcd-map.gpkg (attributes, and geometry: equal after normalising, within
``--geom-tol`` metres per vertex): columns added or removed, rows added or removed
(by key: buurtcode, wijkcode, id, or van_id/naar_id/relatie; by row order when no key
is unique), and changed values (numbers equal within a relative tolerance of 1e-9).
kaart.html is not compared: folium gives its elements random ids on every run.

Exit status: 0 when the tables are identical (or every difference is allowed with
``--allow``), 1 when there are differences, 2 when a checkout or build failed.
``--allow PATTERN`` (repeatable, shell-style wildcards) allows differences whose
column, table or place matches, for instance ``personen`` (a column in every
table), ``buurten.csv:personen*``, ``tabellen.xlsx/gastvrijheid`` (a whole sheet),
``abcd-map.gpkg/assets:geometry`` or ``delft/*`` (everything in the Delft build).

Nothing is written inside the repository: ``--keep`` must point outside it.
Never commit outputs made from ``../shared/data``.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import math
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

DEFAULT_BASE = "361b24c"  # the last commit before the privacy redesign (issue 10)
WORKTREE = "WORKTREE"
REL_TOL = 1e-9
ABS_TOL = 1e-12
#: Key columns tried in this order; the first that is present and unique in both tables wins.
KEYS = [("buurtcode",), ("wijkcode",), ("id",), ("van_id", "naar_id", "relatie")]
CSV_FILES = ["buurten.csv", "wijken.csv"]

# --------------------------------------------------------------------------- building

#: Runs in a child process: ``python -I -c RUNNER checkout out_dir today data_dir``.
RUNNER = r'''
import sys
checkout, out_dir, today, data_dir = sys.argv[1:5]
# code and data of the checkout only: no editable-install finder, checkout first
sys.meta_path[:] = [f for f in sys.meta_path if "__editable__" not in getattr(f, "__module__", "")]
sys.path_hooks[:] = [h for h in sys.path_hooks if "__editable__" not in getattr(h, "__module__", "")]
sys.path_importer_cache.clear()
sys.path.insert(0, checkout)
import datetime as dt, json, time, warnings
from pathlib import Path
warnings.simplefilter("ignore")
import abcd_map as am
from abcd_map import settings
info = {"abcd_map": am.__file__, "data": str(settings.data_path()), "builds": {}}
root = Path(checkout).resolve()
for key in ("abcd_map", "data"):
    if not Path(info[key]).resolve().is_relative_to(root):
        print(json.dumps({"error": f"{key} comes from {info[key]}, not from {root}"}))
        sys.exit(2)
day = dt.date.fromisoformat(today)
builds = {"demo": {}}
data = Path(data_dir)
buurten = data / "cbs-wijkenbuurten-2015" / "haaglanden_buurt.geojson"
osm = data / "osm" / "delft-tudelft.osm.bz2"
if buurten.is_file() and osm.is_file():
    builds["delft"] = {"buurten": buurten, "gemeente": "Delft", "osm": osm}
for name, kwargs in builds.items():
    t = time.perf_counter()
    am.build(**kwargs, modus="publiek", out=Path(out_dir) / name, today=day)
    info["builds"][name] = round(time.perf_counter() - t, 1)
print(json.dumps(info))
'''


def fail(message: str):
    print(f"compare_outputs: {message}", file=sys.stderr)
    sys.exit(2)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def resolve(repo: Path, rev: str) -> str:
    if rev == WORKTREE:
        return WORKTREE
    try:
        return git(repo, "rev-parse", "--verify", f"{rev}^{{commit}}")
    except subprocess.CalledProcessError:
        fail(f"{rev!r} is not a commit in {repo}")


def export(repo: Path, commit: str, dest: Path) -> Path:
    """The tree of ``commit`` as plain files in ``dest`` (reused when already there)."""
    if commit == WORKTREE:
        return repo
    marker = dest / ".compare-commit"
    if marker.is_file() and marker.read_text() == commit:
        return dest
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    tar = dest.parent / f"{dest.name}.tar"
    subprocess.run(["git", "-C", str(repo), "archive", "--format=tar", "-o", str(tar), commit], check=True)
    with tarfile.open(tar) as tf:
        if hasattr(tarfile, "data_filter"):
            tf.extractall(dest, filter="data")
        else:  # pragma: no cover - Python without tar filters
            tf.extractall(dest)
    tar.unlink()
    marker.write_text(commit)
    return dest


def build(python: str, checkout: Path, out: Path, today: str, data: Path, cache: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    env = {**os.environ, "ABCD_MAP_CACHE": str(cache), "MPLBACKEND": "Agg"}
    proc = subprocess.run([python, "-I", "-c", RUNNER, str(checkout), str(out), today, str(data)],
                          capture_output=True, text=True, env=env, cwd=out)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    info = json.loads(lines[-1]) if lines else {}
    if proc.returncode != 0 or "error" in info or not info:
        print(proc.stdout[-3000:], proc.stderr[-3000:], sep="\n", file=sys.stderr)
        fail(f"build in {checkout} failed: {info.get('error', 'see above')}")
    return info


# --------------------------------------------------------------------------- reading tables

def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")


def read_xlsx(path: Path) -> dict[str, pd.DataFrame]:
    return pd.read_excel(path, sheet_name=None)


def read_gpkg(path: Path) -> dict[str, pd.DataFrame]:
    import pyogrio
    import shapely

    out = {}
    for layer, _kind in pyogrio.list_layers(path):
        gdf = pyogrio.read_dataframe(path, layer=layer)
        frame = pd.DataFrame(gdf.drop(columns="geometry", errors="ignore"))
        if "geometry" in gdf:
            frame["geometry"] = shapely.normalize(gdf.geometry.to_numpy())
        out[str(layer)] = frame
    return out


def tables(folder: Path) -> dict[str, pd.DataFrame | None]:
    """Every table of one build by name ('buurten.csv', 'tabellen.xlsx/buurten', ...)."""
    out: dict[str, pd.DataFrame | None] = {}
    for name in CSV_FILES:
        out[name] = read_csv(folder / name) if (folder / name).is_file() else None
    for file, reader in (("tabellen.xlsx", read_xlsx), ("abcd-map.gpkg", read_gpkg)):
        if (folder / file).is_file():
            out.update({f"{file}/{sheet}": df for sheet, df in reader(folder / file).items()})
        else:
            out[file] = None
    return out


# --------------------------------------------------------------------------- comparing

@dataclass
class Diff:
    place: str  # "demo/buurten.csv"
    column: str | None
    text: str
    allowed: bool = False

    def ids(self) -> list[str]:
        build, _, table = self.place.partition("/")
        names = [self.place, table]
        if self.column is not None:
            names += [self.column, f"{self.place}:{self.column}", f"{table}:{self.column}"]
        return names


@dataclass
class TableResult:
    place: str
    shape: tuple[int, int] | None = None
    diffs: list[Diff] = field(default_factory=list)


def _numbers(s: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(s):
        return pd.Series(np.nan, index=s.index)
    if pd.api.types.is_numeric_dtype(s):
        return s.astype(float)
    text = s.astype(str).str.strip().str.replace(",", ".", regex=False)
    return pd.to_numeric(text.where(s.notna()), errors="coerce")


def _geometry_same(a: pd.Series, b: pd.Series, tol: float) -> np.ndarray:
    import shapely

    ga, gb = a.to_numpy(), b.to_numpy()
    none_a, none_b = shapely.is_missing(ga), shapely.is_missing(gb)
    same = none_a & none_b
    both = ~none_a & ~none_b
    same[both] = shapely.equals_exact(ga[both], gb[both], tolerance=tol)
    return same


def _values_same(a: pd.Series, b: pd.Series) -> np.ndarray:
    na_a, na_b = a.isna().to_numpy(), b.isna().to_numpy()
    text = (a.astype(str).to_numpy() == b.astype(str).to_numpy()) & ~na_a & ~na_b
    na, nb = _numbers(a).to_numpy(), _numbers(b).to_numpy()
    with np.errstate(invalid="ignore"):
        close = np.isclose(na, nb, rtol=REL_TOL, atol=ABS_TOL) & ~np.isnan(na) & ~np.isnan(nb)
    return (na_a & na_b) | text | close


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _show(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "leeg"
    if hasattr(v, "geom_type"):
        if v.geom_type == "Point":
            return f"Point ({v.x:.3f}, {v.y:.3f})"
        return f"{v.geom_type} area {v.area:.1f} m2 length {v.length:.1f} m " \
               f"centroid ({v.centroid.x:.2f}, {v.centroid.y:.2f})"
    s = repr(v)
    return s if len(s) <= 60 else s[:57] + "..."


def _key(a: pd.DataFrame, b: pd.DataFrame) -> tuple[str, ...] | None:
    for key in KEYS:
        cols = list(key)
        if all(c in a and c in b for c in cols) and not a.duplicated(cols).any() \
                and not b.duplicated(cols).any():
            return key
    return None


def _keyed(df: pd.DataFrame, key: tuple[str, ...] | None) -> pd.DataFrame:
    if key is None:
        return df.set_axis(pd.Index([f"rij {i + 2}" for i in range(len(df))]))
    idx = df[list(key)].astype(str).agg("/".join, axis=1) if len(key) > 1 else df[key[0]].astype(str)
    return df.set_axis(pd.Index(idx))


def _listed(keys: pd.Index) -> str:
    return ", ".join(keys[:5]) + (" ..." if len(keys) > 5 else "")


def _row_diffs(place: str, ka: pd.DataFrame, kb: pd.DataFrame, label: str, keyed: bool) -> list[Diff]:
    out = []
    added = kb.index.difference(ka.index, sort=False)
    removed = ka.index.difference(kb.index, sort=False)
    if len(added):
        out.append(Diff(place, None, f"{_n(len(added), 'row')} added ({label} {_listed(added)})"))
    if len(removed):
        out.append(Diff(place, None, f"{_n(len(removed), 'row')} removed ({label} {_listed(removed)})"))
    common = ka.index.intersection(kb.index, sort=False)
    if keyed and list(ka.index.intersection(common, sort=False)) != list(kb.index.intersection(common, sort=False)):
        out.append(Diff(place, None, f"row order differs (by {label})"))
    return out


def _value_diffs(place: str, ka: pd.DataFrame, kb: pd.DataFrame, geom_tol: float) -> list[Diff]:
    out = []
    common = ka.index.intersection(kb.index, sort=False)
    for col in [c for c in ka.columns if c in kb.columns]:
        va, vb = ka.loc[common, col], kb.loc[common, col]
        same = _geometry_same(va, vb, geom_tol) if col == "geometry" else _values_same(va, vb)
        if same.all():
            continue
        bad = common[~same]
        examples = "; ".join(f"{k}: {_show(va[k])} -> {_show(vb[k])}" for k in bad[:3])
        out.append(Diff(place, col, f"column '{col}': {len(bad)} of {len(common)} rows differ "
                                    f"(e.g. {examples})"))
    return out


def compare_table(place: str, a: pd.DataFrame, b: pd.DataFrame, geom_tol: float) -> TableResult:
    """Columns added/removed, rows added/removed (by key), row order, changed values."""
    res = TableResult(place, shape=b.shape)
    res.diffs += [Diff(place, c, f"column '{c}' added") for c in b.columns if c not in a.columns]
    res.diffs += [Diff(place, c, f"column '{c}' removed") for c in a.columns if c not in b.columns]
    key = _key(a, b)
    ka, kb = _keyed(a, key), _keyed(b, key)
    res.diffs += _row_diffs(place, ka, kb, "/".join(key) if key else "row", key is not None)
    res.diffs += _value_diffs(place, ka, kb, geom_tol)
    return res


def compare_builds(name: str, base: Path, head: Path, geom_tol: float) -> list[TableResult]:
    ta, tb = tables(base), tables(head)
    results = []
    for table in sorted(set(ta) | set(tb), key=lambda t: (t.split("/")[0] not in CSV_FILES, t)):
        place = f"{name}/{table}"
        a, b = ta.get(table), tb.get(table)
        if a is None and b is None:
            continue
        if a is None:
            results.append(TableResult(place, b.shape, [Diff(place, None, "table added")]))
        elif b is None:
            results.append(TableResult(place, None, [Diff(place, None, "table removed")]))
        else:
            results.append(compare_table(place, a, b, geom_tol))
    return results


# --------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default=DEFAULT_BASE, help=f"commit to compare against (default {DEFAULT_BASE})")
    parser.add_argument("--head", default="HEAD", help="commit to check (default HEAD; WORKTREE = uncommitted files)")
    parser.add_argument("--keep", type=Path, help="keep checkouts and outputs in this folder (outside the repository)")
    parser.add_argument("--allow", action="append", default=[], metavar="PATTERN",
                        help="expected difference: column, table or place pattern (repeatable)")
    parser.add_argument("--data", type=Path, help="shared real data (default ../shared/data next to the repository)")
    parser.add_argument("--today", default="2026-11-27", help="date both builds take as today (YYYY-MM-DD)")
    parser.add_argument("--geom-tol", type=float, default=1e-3, help="geometry tolerance in metres (default 0.001)")
    parser.add_argument("--python", default=sys.executable, help="interpreter with abcd-map's dependencies")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    repo = Path(git(Path(__file__).resolve().parent, "rev-parse", "--show-toplevel")).resolve()
    data = (args.data or repo.parent / "shared" / "data").resolve()
    commits = {"base": resolve(repo, args.base), "head": resolve(repo, args.head)}
    work = (args.keep or Path(tempfile.mkdtemp(prefix="abcd-compare-"))).resolve()
    if work.is_relative_to(repo):
        fail(f"--keep {work} lies inside the repository; choose a folder outside it")
    work.mkdir(parents=True, exist_ok=True)
    print(f"abcd-map outputs, {args.base} (base) vs {args.head} (head), today {args.today}, publiek")
    try:
        outs = {}
        for role, commit in commits.items():
            short = commit[:7] if commit != WORKTREE else "worktree"
            checkout = export(repo, commit, work / f"src-{short}")
            out = work / f"out-{role}-{short}"
            info = build(args.python, checkout, out, args.today, data, work / f"cache-{role}")
            times = ", ".join(f"{k} {v:.1f} s" for k, v in info["builds"].items())
            print(f"  {role} {short}: abcd_map from {info['abcd_map']}\n"
                  f"  {'':{len(role) + len(short) + 1}}  data from {info['data']}; built {times}")
            outs[role] = (out, set(info["builds"]))
        if "delft" not in outs["base"][1] | outs["head"][1]:
            print(f"  note: no Delft build ({data} lacks the CBS or OSM file)")
        results = []
        for name in sorted(outs["base"][1] & outs["head"][1], key=["demo", "delft"].index):
            results += compare_builds(name, outs["base"][0] / name, outs["head"][0] / name, args.geom_tol)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return report(results, args.allow, time.perf_counter() - started, args.keep)


def report(results: list[TableResult], allow: list[str], seconds: float, keep: Path | None) -> int:
    width = max((len(r.place) for r in results), default=10)
    counted = 0
    for r in results:
        for d in r.diffs:
            d.allowed = any(fnmatch.fnmatchcase(i, p) for p in allow for i in d.ids())
        shape = f"{_n(r.shape[0], 'row')} x {_n(r.shape[1], 'column')}" if r.shape else "-"
        open_ = [d for d in r.diffs if not d.allowed]
        counted += len(open_)
        state = "identical" if not r.diffs else (_n(len(open_), "difference") if open_ else "allowed differences")
        print(f"{r.place:<{width}}  {state:<20} ({shape})")
        for d in r.diffs:
            print(f"    {'(allowed) ' if d.allowed else ''}{d.text}")
    where = f"; outputs kept in {keep}" if keep else ""
    verdict = "identical" if counted == 0 else _n(counted, "unexpected difference")
    print(f"Result: {verdict} in {len(results)} tables ({seconds:.0f} s{where})")
    return 0 if counted == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
