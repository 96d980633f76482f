"""A run per gemeente on ``dask.distributed``: the same figures as one run, in parallel parts.

::

    from abcd_map.options import BuildOptions
    from abcd_map.per_gemeente import build_per_gemeente
    options = BuildOptions.create("haaglanden_buurt.geojson", "delft.osm.bz2", out="uit")
    result = build_per_gemeente(options)       # a LocalCluster on this machine
    result.failed                              # {gemeentecode: Dutch message} of the parts that failed

The parent reads every input once (:func:`abcd_map.stages.load_inputs`: one buurt file,
one OSM file parsed once), then cuts it per gemeente (:func:`cut_gemeente`). A cut holds
the gemeente's own buurten plus every buurt of the run within *twice the largest walking
distance* of its border (the margin), and the streets, OSM places and own assets within
that margin (plus ``settings.max_snap_distance`` to snap to, and every street touching a
buurt of the cut, so that street frontage weights are whole). Why twice: a resident within
the gemeente reaches places up to one distance over the border, and 2SFCA's first step
asks who else reaches those places -- residents up to another distance further on.
So coverage, distances, counts and 2SFCA of the gemeente's own buurten equal those of
one run over all gemeenten. The margin buurten only supply residents and places; they are
never reported. Figures that depend on which buurten are in the run are the exceptions:
the need ranking (``behoefte_index``, ``rang``, ``duiding``) is ranked within each gemeente,
and small-count suppression is applied per run (both as in a run of that gemeente alone).

Each cut is one task on a dask cluster (``client.submit``); :func:`distributed.as_completed`
collects them. A task that fails is reported (Dutch, in :attr:`PerGemeenteResult.failed`)
and the others complete. Results are cached per gemeente (:func:`cache_folder`, outside
the checkout), keyed by a hash of the cut, the options and the version; the cache holds
the *publication* (what the run's mode may show: in publiek never a person). A rerun
redoes only the gemeenten whose cut changed.

Output: ``<out>/<gemeentecode>_<naam>/`` (the normal writers), and in ``<out>`` the
combined tables (``buurten.csv``, ``wijken.csv``, ``gemeenten.csv``, ``tabellen.xlsx``),
``abcd-map.gpkg``, ``run.json`` and ``geoparquet/*.parquet`` (for researchers). With a
remote cluster (``address``) the workers write the gemeente folders: ``out`` must be a
folder they can reach.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import __version__, settings
from .analyse.network import Network
from .errors import InputError, InputProblem, collect_notes
from .export import atomic_folder
from .load.osm import OsmData
from .options import BuildOptions
from .outputs import WRITERS, marked, write_outputs
from .publication import Publication, file_facts, publish, publish_frames
from .stages import Analysis, Inputs, analyse, combine_assets, compare_facilities, load_inputs, need_ranking

#: Called after every gemeente: (done, total, gemeentecode, naam, status) with status "klaar", "cache" or "fout".
Progress = Callable[[int, int, str, str, str], None]

#: Environment variable that moves the per-gemeente cache (default: ``settings.cache_folder() / "per-gemeente"``).
CACHE_ENV = "ABCD_MAP_PER_GEMEENTE_CACHE"
#: Figures that depend on which buurten are in the run (ranked per gemeente here; not comparable with one run).
RUN_DEPENDENT = ("behoefte_index", "rang", "duiding")
#: Tables written once for all gemeenten together (writers of :data:`abcd_map.outputs.WRITERS`).
COMBINED_WRITERS = ("tabellen", "geopackage", "metadata")
GEOPARQUET_FOLDER = "geoparquet"


# --------------------------------------------------------------------------- data passed around

@dataclass
class GemeenteJob:
    """One gemeente's cut of the inputs (what one task gets)."""

    code: str
    name: str
    inputs: Inputs
    #: Buurtcodes of the gemeente itself (the rest of ``inputs.areas`` is margin).
    own: tuple[str, ...]
    outline: object
    key: str = ""

    @property
    def folder(self) -> str:
        """``GM0503_delft``: the gemeente's output folder name."""
        return f"{self.code}_{slug(self.name)}"


@dataclass
class GemeenteResult:
    """What one gemeente's publication holds, as plain frames (picklable; what the cache stores)."""

    code: str
    name: str
    mode: str
    buurten: gpd.GeoDataFrame
    wijken: gpd.GeoDataFrame
    gemeenten: gpd.GeoDataFrame | None
    assets: gpd.GeoDataFrame
    layers: dict[str, gpd.GeoDataFrame]
    tables: dict[str, pd.DataFrame]
    meta: dict
    notes: tuple[str, ...] = ()
    open_coverage: pd.DataFrame | None = None
    streets: gpd.GeoSeries | None = None


@dataclass
class PerGemeenteResult:
    """A run per gemeente: the results by gemeentecode, the failures, what came from the cache, the files."""

    results: dict[str, GemeenteResult] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    cached: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    combined: Publication | None = None
    names: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- small helpers

def slug(name: str) -> str:
    """A folder-safe lower-case name: ``'s-Gravenhage`` -> ``s-gravenhage``."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "gemeente"


def walk_margin(options: BuildOptions) -> float:
    """The margin around a gemeente (m): twice the largest walking distance."""
    return 2.0 * max(options.distances)


def cache_folder() -> Path:
    """Where per-gemeente results are cached (outside the checkout); ``$ABCD_MAP_PER_GEMEENTE_CACHE`` moves it."""
    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else settings.cache_folder() / "per-gemeente"


def _frame_digest(h, frame: pd.DataFrame | None) -> None:
    """Feed a table (columns, values, geometry as WKB) into the hash ``h``."""
    if frame is None:
        h.update(b"-")
        return
    geom = frame.geometry if isinstance(frame, gpd.GeoDataFrame) else None
    plain = frame.drop(columns=[geom.name]) if geom is not None else frame
    h.update(repr(list(plain.columns)).encode())
    if len(plain):
        h.update(pd.util.hash_pandas_object(plain.astype(str), index=False).to_numpy().tobytes())
    if geom is not None:
        h.update(b"".join(w or b"" for w in shapely.to_wkb(geom.to_numpy(), hex=False)))


def _network_digest(h, network: Network | None) -> None:
    if network is None:
        h.update(b"-")
        return
    for arr in (network.node_ids, network.x, network.y, network.u, network.v, network.length, network.connector):
        h.update(np.ascontiguousarray(arr).tobytes())


def cut_key(job: GemeenteJob, options: BuildOptions) -> str:
    """SHA-256 of the cut's inputs, the options that shape figures, and the version."""
    h = hashlib.sha256()
    h.update(repr((__version__, job.code, job.name, job.own, sorted(options.describe().items()),
                   options.day, options.lens)).encode())
    inp = job.inputs
    for frame in (inp.areas, inp.wijk_areas, inp.hand, inp.osm.places if inp.osm else None, inp.kwb):
        _frame_digest(h, frame)
    _network_digest(h, inp.network)
    h.update(shapely.to_wkb(inp.extent) if inp.extent is not None else b"-")
    if options.behoefte is not None:
        h.update(repr(file_facts(options.behoefte)).encode())
    return h.hexdigest()


# --------------------------------------------------------------------------- cutting

def gemeente_outlines(areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One outline per gemeente (gemeentecode, gemeentenaam, geometry), in the order of the areas."""
    if "gemeentecode" not in areas or areas["gemeentecode"].fillna("").eq("").all():
        raise InputError(InputProblem(
            file="--per-gemeente", message="de gebieden hebben geen gemeentecode",
            expected="CBS-buurten (--buurten) met de kolom gemeentecode, of een run zonder --per-gemeente"))
    shaped = areas[areas.geometry.notna() & areas["gemeentecode"].fillna("").ne("")]
    names = shaped.groupby("gemeentecode", sort=False)["gemeentenaam"].first()
    out = shaped[["gemeentecode", "geometry"]].dissolve("gemeentecode", sort=False)
    out["gemeentenaam"] = names.reindex(out.index).fillna("").astype(str)
    return out.reset_index()


class Cutter:
    """Cuts the run's inputs per gemeente with spatial indexes built once."""

    def __init__(self, inputs: Inputs, options: BuildOptions):
        self.inputs, self.options = inputs, options
        self.margin = walk_margin(options)
        net = inputs.network
        if net is not None and len(net.u):
            ends = np.stack([np.column_stack([net.x[net.u], net.y[net.u]]),
                             np.column_stack([net.x[net.v], net.y[net.v]])], axis=1)
            self.edge_tree = shapely.STRtree(shapely.linestrings(ends))
        else:
            self.edge_tree = None

    @staticmethod
    def _within(frame: gpd.GeoDataFrame | None, region) -> gpd.GeoDataFrame | None:
        """Rows of ``frame`` that touch ``region`` (rows without geometry are kept: they have no place)."""
        if frame is None or not len(frame):
            return frame
        hit = np.zeros(len(frame), dtype=bool)
        hit[frame.sindex.query(region, predicate="intersects")] = True
        return frame[hit | frame.geometry.isna().to_numpy() | frame.geometry.is_empty.to_numpy()]

    def network(self, region) -> Network | None:
        """The streets that touch ``region`` (both ends kept), renumbered."""
        net = self.inputs.network
        if net is None or self.edge_tree is None:
            return net
        edges = np.sort(self.edge_tree.query(region, predicate="intersects"))
        nodes, inverse = np.unique(np.concatenate([net.u[edges], net.v[edges]]), return_inverse=True)
        u, v = inverse[:len(edges)], inverse[len(edges):]
        return Network(net.node_ids[nodes], net.x[nodes], net.y[nodes], u, v, net.length[edges],
                       net.connector[edges])

    def cut(self, code: str, name: str, outline) -> GemeenteJob:
        """The cut of one gemeente: own buurten, margin buurten, and streets/places/assets around them."""
        inp = self.inputs
        context = self._within(inp.areas, outline.buffer(self.margin))  # the whole table: its index is built once
        context = context[context.geometry.notna().to_numpy() | context["gemeentecode"].eq(code).to_numpy()]
        shapes = shapely.union_all(context.geometry.dropna().to_numpy())
        region = shapely.union_all([outline.buffer(self.margin), shapes]).buffer(settings.max_snap_distance)
        osm = None
        if inp.osm is not None:
            osm = replace(inp.osm, places=self._within(inp.osm.places, region), network=self.network(region))
        own_wijken = context.loc[context["gemeentecode"].eq(code), "wijkcode"]
        wijken = inp.wijk_areas[inp.wijk_areas["wijkcode"].isin(own_wijken)]  # margin wijken are not reported
        cut = replace(inp, areas=context, wijk_areas=wijken, hand=self._within(inp.hand, region), osm=osm)
        own = tuple(context.loc[context["gemeentecode"].eq(code), "buurtcode"].astype(str))
        job = GemeenteJob(code=code, name=name, inputs=cut, own=own, outline=outline)
        job.key = cut_key(job, self.options)
        return job

    def jobs(self) -> Iterable[GemeenteJob]:
        """The cut of every gemeente of the run, one at a time."""
        for row in gemeente_outlines(self.inputs.areas).itertuples(index=False):
            yield self.cut(row.gemeentecode, row.gemeentenaam, row.geometry)


# --------------------------------------------------------------------------- one gemeente (runs on a worker)

def _own_layer(layer: gpd.GeoDataFrame, own: set[str], outline) -> gpd.GeoDataFrame:
    """A layer of the cut narrowed to the gemeente: by buurtcode, else clipped to its outline."""
    if layer is None or not len(layer):
        return layer
    if "buurtcode" in layer:
        return layer[layer["buurtcode"].astype(str).isin(own).to_numpy()]
    if isinstance(layer, gpd.GeoDataFrame) and layer.geometry.notna().any():
        return gpd.clip(layer, outline)
    return layer


def restrict(analysis: Analysis, job: GemeenteJob, options: BuildOptions) -> Analysis:
    """The analysis of the cut narrowed to the gemeente's own buurten (the margin only lent residents and places).

    The need ranking is made again among the gemeente's own buurten (:data:`RUN_DEPENDENT`).
    """
    own = set(job.own)
    buurten = analysis.buurten[analysis.buurten["buurtcode"].astype(str).isin(own).to_numpy()]
    buurten = buurten.drop(columns=[c for c in RUN_DEPENDENT if c in buurten])
    ranked = need_ranking(buurten, options)
    if ranked is not None:
        buurten = buurten.join(ranked, on="buurtcode")
    wijkcodes = set(buurten["wijkcode"].astype(str))
    wijken = analysis.wijken[analysis.wijken["wijkcode"].astype(str).isin(wijkcodes).to_numpy()]
    reach = job.outline.buffer(max(options.distances))
    assets = analysis.assets
    located = assets.geometry.notna().to_numpy() & ~assets.geometry.is_empty.to_numpy()
    keep = ~located
    keep[located] = shapely.intersects(reach, assets.geometry.to_numpy()[located])
    points = analysis.points
    if points is not None:
        points = points[points["buurtcode"].astype(str).isin(own).to_numpy()]
    open_cov = analysis.open_coverage
    if open_cov is not None:
        open_cov = open_cov[open_cov.index.astype(str).isin(own)] if "buurtcode" not in open_cov \
            else open_cov[open_cov["buurtcode"].astype(str).isin(own)]
    layers = {k: _own_layer(v, own, job.outline) for k, v in analysis.layers.items()}
    return replace(analysis, buurten=gpd.GeoDataFrame(buurten, geometry="geometry", crs=settings.crs),
                   wijken=wijken, assets=assets[keep], layers=layers, points=points, open_coverage=open_cov)


def worker_options(options: BuildOptions) -> BuildOptions:
    """The options a task runs with: no output folder and no input paths (the parent read them)."""
    return replace(options, out=None, buurten=None, osm=None, assets=None, wijken_file=None, gebieden=None,
                   kerncijfers=None, vergelijk=None)


def analyse_gemeente(job: GemeenteJob, options: BuildOptions, facts: dict) -> Publication:
    """Assets, analysis and the privacy gate for one gemeente's cut (its own buurten only)."""
    run_options = worker_options(options)
    with collect_notes() as notes:
        assets, merged = combine_assets(job.inputs)
        analysis = analyse(job.inputs, assets, run_options, merged)
        analysis = restrict(analysis, job, run_options)
        own = analysis.buurten["buurtcode"]
        own_inputs = replace(job.inputs, areas=job.inputs.areas[job.inputs.areas["buurtcode"].isin(own)],
                             wijk_areas=job.inputs.wijk_areas[job.inputs.wijk_areas["wijkcode"].isin(
                                 analysis.wijken["wijkcode"])])
        analysis = compare_facilities(analysis, own_inputs)
        pub = publish(analysis)
    pub = pub.with_notes(notes)
    return replace(pub, meta=MappingProxyType({**pub.meta, "invoer": facts, "gemeentecode": job.code}))


def frames_of(pub: Publication, code: str, name: str) -> GemeenteResult:
    """A publication as plain frames (what the cache stores and the parent combines)."""
    return GemeenteResult(code=code, name=name, mode=pub.mode, buurten=pub.buurten, wijken=pub.wijken,
                          gemeenten=pub.gemeenten, assets=pub.assets, layers=dict(pub.layers),
                          tables=dict(pub.tables), meta=dict(pub.meta), notes=tuple(pub.notes),
                          open_coverage=pub.open_coverage, streets=pub.streets)


def publication_of(result: GemeenteResult) -> Publication:
    """A gated publication again from a result's frames (the assets pass the gate once more)."""
    pub = publish_frames(result.buurten, result.wijken, result.assets, mode=result.mode, layers=result.layers,
                         meta=result.meta)
    return replace(pub, tables=MappingProxyType(dict(result.tables)), notes=tuple(result.notes),
                   gemeenten=result.gemeenten, open_coverage=result.open_coverage, streets=result.streets)


def write_gemeente(pub: Publication, options: BuildOptions, folder: Path | None) -> None:
    """The normal outputs of one gemeente into ``folder`` (nothing when None)."""
    if folder is not None:
        write_outputs(pub, folder, per_wijk=options.per_wijk, rapport=options.rapport)


def run_gemeente(job: GemeenteJob, options: BuildOptions, facts: dict, folder: Path | None) -> GemeenteResult:
    """One task: analyse a gemeente's cut, write its folder, return its publication's frames."""
    pub = analyse_gemeente(job, options, facts)
    write_gemeente(pub, options, folder)
    return frames_of(pub, job.code, job.name)


def rewrite_gemeente(result: GemeenteResult, options: BuildOptions, folder: Path | None) -> GemeenteResult:
    """One task for a cached gemeente: only write its folder again."""
    write_gemeente(publication_of(result), options, folder)
    return result


# --------------------------------------------------------------------------- cache

def _cache_path(key: str) -> Path:
    return cache_folder() / f"{key}.pkl"


def read_cache(key: str, mode: str) -> GemeenteResult | None:
    """A cached result for ``key`` of the same mode, or None (a damaged file counts as none)."""
    path = _cache_path(key)
    if not path.is_file():
        return None
    try:
        with open(path, "rb") as fh:
            result = pickle.load(fh)
    except Exception:  # noqa: BLE001 - a damaged or old cache file is redone, never fatal
        return None
    return result if isinstance(result, GemeenteResult) and result.mode == mode else None


def write_cache(key: str, result: GemeenteResult) -> None:
    """Store a result (a publication's frames: in publiek nothing a publiek output may not hold)."""
    from .export import write_atomic

    folder = cache_folder()
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(_cache_path(key), pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))


# --------------------------------------------------------------------------- combining

def _concat(frames: list[pd.DataFrame | None]) -> pd.DataFrame | None:
    frames = [f for f in frames if f is not None and len(f.columns)]
    if not frames:
        return None
    out = pd.concat(frames, ignore_index=True)
    geo = next((f for f in frames if isinstance(f, gpd.GeoDataFrame)), None)
    if geo is not None and geo.geometry.name in out:
        out = gpd.GeoDataFrame(out, geometry=geo.geometry.name, crs=settings.crs)
    return out


def _unique_rows(frame: pd.DataFrame | None, key: str | None = None) -> pd.DataFrame | None:
    """Rows once (the margin of one gemeente is the inside of its neighbour)."""
    if frame is None or not len(frame):
        return frame
    if key and key in frame:
        return frame.drop_duplicates(key, ignore_index=True)
    plain = frame.drop(columns=[c for c in frame.columns if c == "geometry"]).astype(str)
    return frame[~plain.duplicated().to_numpy()].reset_index(drop=True)


def grouped_notes(results: list[GemeenteResult]) -> tuple[str, ...]:
    """Each gemeente's notes once, with the gemeenten they apply to: 'Leiden, Westland: Geen ...'."""
    where: dict[str, list[str]] = {}
    for r in results:
        for note in r.notes:
            where.setdefault(note, []).append(r.name)
    return tuple(f"{', '.join(names) if len(names) <= 5 else f'{len(names)} gemeenten'}: {note}"
                 for note, names in where.items())


def _stacked(results: list[GemeenteResult], attr: str, key: str | None) -> dict[str, pd.DataFrame]:
    """The layers (or tables) of every gemeente stacked per name, each row once."""
    names = dict.fromkeys(n for r in results for n in getattr(r, attr))
    stacked = {n: _unique_rows(_concat([getattr(r, attr).get(n) for r in results]), key) for n in names}
    return {n: v for n, v in stacked.items() if v is not None}


def _combined_meta(results: list[GemeenteResult], facts: dict) -> dict:
    names = [r.name for r in results]
    title = names[0] if len(names) == 1 else f"{len(names)} gemeenten"
    meta = {**results[0].meta, "title": f"ABCD-kaart {title} (per gemeente)", "gebied": title, "invoer": facts,
            "gemeenten": [r.code for r in results], "notes": [], "per_gemeente": True}
    meta.pop("gemeentecode", None)
    return meta


def _open_coverage(results: list[GemeenteResult]) -> pd.DataFrame | None:
    """The opening-time coverage of every gemeente stacked (by buurtcode, in its index or a column)."""
    parts = [r.open_coverage for r in results if r.open_coverage is not None]
    return pd.concat(parts) if parts else None


def combine(results: list[GemeenteResult], options: BuildOptions, facts: dict) -> Publication:
    """One publication of every gemeente together: tables stacked, assets and layers once."""
    meta = _combined_meta(results, facts)
    combined = GemeenteResult(
        code="", name=meta["gebied"], mode=options.mode,
        buurten=_concat([r.buurten for r in results]), wijken=_concat([r.wijken for r in results]),
        gemeenten=_concat([r.gemeenten for r in results]),
        assets=_unique_rows(_concat([r.assets for r in results]), "id"),
        layers=_stacked(results, "layers", "buurtcode"), tables=_stacked(results, "tables", None), meta=meta,
        notes=grouped_notes(results), open_coverage=_open_coverage(results))
    return publication_of(combined)


def write_geoparquet(pub: Publication, folder: Path) -> list[Path]:
    """``geoparquet/buurten.parquet``, ``wijken``, ``gemeenten`` and ``assets`` (for researchers; GeoParquet 1.x)."""
    out = folder / GEOPARQUET_FOLDER
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for name, table in (("buurten", pub.buurten), ("wijken", pub.wijken), ("gemeenten", pub.gemeenten),
                        ("assets", pub.assets)):
        if table is None or not len(table) or not isinstance(table, gpd.GeoDataFrame):
            continue
        table = marked(table, pub)
        plain = {c: table[c].astype(str).where(table[c].notna(), None) for c in table.columns
                 if c != table.geometry.name and table[c].dtype == object}
        table.assign(**plain).to_parquet(out / f"{name}.parquet", index=False)
        files.append(out / f"{name}.parquet")
    return files


def write_combined(pub: Publication, folder: Path) -> list[Path]:
    """The combined tables, GeoPackage, run.json and GeoParquet into ``folder`` (a staging folder)."""
    files: list[Path] = []
    for name in COMBINED_WRITERS:
        files += WRITERS[name].func(pub, folder)
    return files + write_geoparquet(pub, folder)


# --------------------------------------------------------------------------- the run

def local_client(workers: int | None = None, *, processes: bool = True):
    """A ``distributed.Client`` on a LocalCluster of this machine (loopback only, no dashboard).

    ``processes=False`` runs the workers as threads of this process (tests).
    """
    from distributed import Client, LocalCluster

    n = workers or max(1, os.cpu_count() or 1)
    # tcp on loopback in both cases; no dashboard, and the scheduler's remaining HTTP routes (health,
    # metrics) on a free loopback port instead of 8787 (two clusters on one machine do not collide)
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=processes, dashboard_address=None,
                           host="127.0.0.1", protocol="tcp://",
                           scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})
    return Client(cluster)


def failure_text(exc: BaseException) -> str:
    """A failed gemeente's reason, as the user reads it."""
    if isinstance(exc, InputError):
        return exc.message()
    return f"{type(exc).__name__}: {exc}"


def _submit(client, job: GemeenteJob, options: BuildOptions, facts: dict, staging: Path | None):
    """The task of one gemeente: from the cache (only writing its folder) or the whole analysis.

    Returns (future or None, cached result or None).
    """
    hit = read_cache(job.key, options.mode)
    folder = staging / job.folder if staging is not None else None
    if hit is not None and folder is None:
        return None, hit
    if hit is not None:
        return client.submit(rewrite_gemeente, hit, options, folder, pure=False), hit
    # the cut goes to a worker as data (scatter), not inside the task graph the scheduler keeps
    return client.submit(run_gemeente, client.scatter(job, hash=False), options, facts, folder, pure=False), None


def run_all(client, cutter: Cutter, options: BuildOptions, facts: dict, staging: Path | None,
            progress: Progress | None = None) -> PerGemeenteResult:
    """Every gemeente as one task; failures reported, the rest completes; new results cached."""
    from distributed import as_completed

    say = progress or (lambda *_: None)
    result = PerGemeenteResult()
    pending, order = {}, []
    for job in cutter.jobs():
        result.names[job.code] = job.name
        order.append(job.code)
        future, hit = _submit(client, job, options, facts, staging)
        if hit is not None:
            result.cached.append(job.code)
        if future is None:
            result.results[job.code] = hit
            say(len(result.results), 0, job.code, job.name, "cache")
        else:
            pending[future] = (job.code, job.key, hit is not None)
    total = len(order)
    for future in as_completed(list(pending)):
        code, key, was_cached = pending.pop(future)
        if future.status == "error":
            result.failed[code] = failure_text(future.exception())
            status = "fout"
        else:
            result.results[code] = future.result()
            if not was_cached:
                write_cache(key, result.results[code])
            status = "cache" if was_cached else "klaar"
        say(len(result.results) + len(result.failed), total, code, result.names[code], status)
    result.results = {c: result.results[c] for c in order if c in result.results}
    return result


def input_facts(options: BuildOptions) -> dict:
    """Name, date, size and SHA-256 of every input file, computed once for all gemeenten."""
    inputs = {"buurten": options.buurten, "osm": options.osm, "assets": options.assets,
              "wijkgrenzen": options.wijken_file, "gebieden": options.gebieden, "behoefte": options.behoefte}
    return {k: file_facts(v) for k, v in inputs.items() if v is not None}


def build_per_gemeente(options: BuildOptions, client=None, *, address: str | None = None,
                       workers: int | None = None, progress: Progress | None = None) -> PerGemeenteResult:
    """Run every gemeente of ``options`` as its own task on dask; write per-gemeente and combined outputs.

    ``client``: a ``distributed.Client`` to use; else one to ``address`` (``--dask ADRES``), else a
    LocalCluster of ``workers`` processes (default: one per core), closed at the end. Input errors
    raise before anything is written; with ``options.out`` everything is written atomically.
    Raises :class:`abcd_map.errors.AbcdError` when no gemeente succeeded.
    """
    if options.vergelijk is not None:
        raise InputError(InputProblem(file="--vergelijk", message="werkt niet samen met --per-gemeente",
                                      value=str(options.vergelijk), expected="een run zonder --per-gemeente"))
    with collect_notes() as notes:
        inputs = load_inputs(options)
        gemeente_outlines(inputs.areas)  # a run without gemeentecodes stops here, before any writing
    return run_inputs(inputs, options, client, address=address, workers=workers, progress=progress,
                      notes=notes)


def run_inputs(inputs: Inputs, options: BuildOptions, client=None, *, address: str | None = None,
               workers: int | None = None, progress: Progress | None = None,
               notes: list[str] | None = None) -> PerGemeenteResult:
    """:func:`build_per_gemeente` for inputs already read (Jupyter, benchmarks): cut, run, combine, write."""
    from distributed import Client

    from .errors import AbcdError

    cutter = Cutter(inputs, options)
    facts = input_facts(options)
    own = client is None
    client = client or (Client(address) if address else local_client(workers))
    try:
        with atomic_folder(options.out) if options.out is not None else contextlib.nullcontext() as staging:
            result = run_all(client, cutter, options, facts, staging, progress)
            if not result.results:
                raise AbcdError("Geen enkele gemeente is gelukt:\n" + "\n".join(
                    f"- {result.names[c]} ({c}): {m}" for c, m in result.failed.items()))
            result.combined = combine(list(result.results.values()), options, facts).with_notes(notes or [])
            if staging is not None:
                write_combined(result.combined, staging)
                result.files = sorted(options.out / p.name for p in staging.iterdir())
    finally:
        if own:
            cluster = getattr(client, "cluster", None)
            client.close()
            if cluster is not None:
                cluster.close()
    return result
