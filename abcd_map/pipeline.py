"""One run from inputs to outputs: what the CLI and notebooks call.

:func:`build` loads the inputs (or the fictional demo town when no input is
given), classifies OSM places, merges them with the hand-collected assets,
computes coverage, gaps and access per buurt and wijk, applies the privacy
mode, and returns a :class:`BuildResult`. :func:`write_outputs` writes the map,
the tables and the GeoPackage atomically.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from . import compare, settings
from .analyse.network import Network
from .errors import collect_notes
from .options import DEMO_FILES, OUTPUT_NAMES, BuildOptions
from .outputs import publication_map, write_outputs as _write_publication
from .publication import Publication, publish, publish_frames
from .stages import SOURCE_LICENCES, Analysis, analyse, combine_assets, compare_facilities, load_inputs

Progress = Callable[[str], None]

#: Walking distances a user may ask for (m); kept here for older imports.
MIN_DISTANCE, MAX_DISTANCE = settings.min_distance, settings.max_distance

__all__ = ["BuildResult", "build", "run", "write_outputs", "result_map", "DEMO_FILES", "OUTPUT_NAMES",
           "SOURCE_LICENCES"]


@dataclass
class BuildResult:
    """Everything one run produced: the analysis and what its mode may show (the publication).

    The attributes of earlier versions (``buurten``, ``wijken``, ``visible_assets``,
    ``layers``, ``tables``, ``meta``) are the publication's: safe for ``mode``.
    ``all_assets`` (every asset, persons included) is for the team's own analysis in
    Jupyter; no writer accepts it.
    """

    publication: Publication
    analysis: Analysis
    notes: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    @property
    def buurten(self) -> gpd.GeoDataFrame:
        """Buurt table as the mode may show it."""
        return self.publication.buurten

    @property
    def wijken(self) -> gpd.GeoDataFrame:
        """Wijk table as the mode may show it."""
        return self.publication.wijken

    @property
    def gemeenten(self) -> gpd.GeoDataFrame:
        """Gemeente table as the mode may show it (the wijk figures per gemeente)."""
        return self.publication.gemeenten

    @property
    def visible_assets(self) -> gpd.GeoDataFrame:
        """The assets the mode may show, with the fields it may show."""
        return self.publication.assets

    @property
    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """Gap, walking-area, relation and welcoming layers."""
        return dict(self.publication.layers)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Extra tables (gastvrijheid, relatienetwerk, samengevoegd)."""
        return dict(self.publication.tables)

    @property
    def meta(self) -> dict:
        """The run's metadata (title, mode, date, distances, inputs, version ...)."""
        return dict(self.publication.meta)

    @property
    def network(self) -> Network | None:
        """The walking network of the run."""
        return self.analysis.network

    @property
    def all_assets(self) -> gpd.GeoDataFrame:
        """Every asset, persons included: never write this (use the publication)."""
        return self.analysis.assets

    @property
    def options(self) -> BuildOptions:
        """The checked options of the run."""
        return self.analysis.options


def run(options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    """One run from checked options: inputs -> assets -> analysis -> publication (-> files)."""
    say = progress or (lambda _msg: None)
    previous = compare.read_previous(options.vergelijk, options.mode) if options.vergelijk else None
    with collect_notes() as notes:
        say("Invoer lezen (gebieden, eigen assets, OpenStreetMap)")
        inputs = load_inputs(options)
        say("Plekken indelen en samenvoegen")
        assets, merged = combine_assets(inputs)
        say("Bereik, witte vlekken en toegang berekenen")
        analysis = analyse(inputs, assets, options, merged)
        say("Afstand tot voorzieningen en cijfers per gemeente")
        analysis = compare_facilities(analysis, inputs)
        publication = publish(analysis)
        publication = compare.add_changes(publication, previous)
    publication = publication.with_notes(notes)
    result = BuildResult(publication=publication, analysis=analysis, notes=list(publication.notes))
    if options.out is not None:
        say("Kaart en tabellen schrijven")
        write_outputs(result, options.out, per_wijk=options.per_wijk, rapport=options.rapport)
    return result


def build(
    buurten: str | Path | None = None,
    osm: str | Path | None = None,
    assets: str | Path | None = None,
    *,
    wijken_file: str | Path | None = None,
    gebieden: str | Path | None = None,
    gemeente: str | Sequence[str] | None = None,
    wijken: Sequence[str] | None = None,
    afstand: float | Sequence[float] | None = None,
    modus: str = settings.default_mode,
    lens: str | None = None,
    dag: str | None = None,
    dagdeel: str | None = None,
    behoefte: str | Path | None = None,
    cbs_kerncijfers: str | Path | bool | None = None,
    drempel: int | None = None,
    online: bool = False,
    geocode: bool | None = None,
    out: str | Path | None = None,
    per_wijk: bool = False,
    progress: Progress | None = None,
    today: dt.date | None = None,
    vergelijk: str | Path | None = None,
    osm_gebied: str | Path | None = None,
    rapport: bool = False,
) -> BuildResult:
    """Run abcd-map from inputs to a :class:`BuildResult` (and files, when ``out`` is given).

    Parameters
    ----------
    buurten, osm, assets
        Paths of the CBS buurten file, the OSM extract and the hand-collected assets.
        When none of the inputs is given, the fictional demo town is used.
        When some are given, the others are empty.
    wijken_file
        Optional wijk boundaries; without it wijken are dissolved from the buurten.
    gebieden
        Own polygons (a name column) instead of CBS buurten.
    gemeente, wijken
        Narrow the buurten to one or more gemeenten (names or GM codes; a list or comma-separated)
        and wijken (codes or names).
    afstand
        Walking distance(s) in metres (default ``settings.default_distance``).
    modus
        ``"publiek"`` (default, safe to share) or ``"team"``.
    lens
        Target-group lens (see ``data/lenses.csv``), e.g. ``"senioren"``.
    dag, dagdeel
        Also compute coverage of welcoming places open on that weekday (``"zondag"``)
        and part of the day (``"ochtend"``, ``"middag"``, ``"avond"``).
    behoefte
        CSV with need indicators per buurtcode; without it, the CBS share of 65+ is used
        to rank buurten that combine high need with low coverage.
    cbs_kerncijfers
        CBS Kerncijfers wijken en buurten (CSV/XLSX from StatLine): CBS's distances to the
        nearest facility appear beside ours; ``True`` with ``online`` fetches them for the gemeente.
    drempel
        Person counts below this number are suppressed in publiek
        (default ``settings.suppression_threshold``).
    online
        Allow downloads (PDOK areas, Overpass places); off by default.
    osm_gebied
        Where the OSM file has data (a polygon file or ``"minlon,minlat,maxlon,maxlat"``);
        default the file's own bounds, or an extent inferred from the data.
    vergelijk
        A previous output folder: what changed since then (:mod:`abcd_map.compare`).
    out
        Folder to write ``kaart.html``, ``buurten.csv``, ``wijken.csv``, ``tabellen.xlsx``,
        ``abcd-map.gpkg`` and ``run.json``.

    The arguments are checked by :meth:`BuildOptions.create`; :func:`run` does the work.
    """
    options = BuildOptions.create(
        buurten, osm, assets, wijken_file=wijken_file, gebieden=gebieden, gemeente=gemeente, wijken=wijken,
        afstand=afstand, modus=modus, lens=lens, dag=dag, dagdeel=dagdeel, behoefte=behoefte,
        cbs_kerncijfers=cbs_kerncijfers, drempel=drempel,
        online=online, geocode=geocode, out=out, per_wijk=per_wijk, today=today, vergelijk=vergelijk,
        osm_gebied=osm_gebied, rapport=rapport)
    return run(options, progress)


def _publication_of(result) -> Publication:
    """The publication of a BuildResult, or the gate applied to an object with the old attributes."""
    if isinstance(result, Publication):
        return result
    if isinstance(result, BuildResult):
        return result.publication
    meta = dict(getattr(result, "meta", {}) or {})
    return publish_frames(result.buurten, result.wijken, result.visible_assets, mode=meta.get("modus"),
                          layers=getattr(result, "layers", None), meta=meta)


def result_map(result):
    """The interactive map of a run (an offlinefolium Map; shows itself in Jupyter)."""
    return publication_map(_publication_of(result))


def write_outputs(result, out: str | Path, *, per_wijk: bool = False, rapport: bool = False) -> list[Path]:
    """Write every output of a run (or a publication) atomically into ``out``.

    ``kaart.html``, ``buurten.csv``, ``wijken.csv``, ``tabellen.xlsx``, ``abcd-map.gpkg``,
    ``run.json``; with ``per_wijk`` also ``per-wijk/`` (a map per wijk, an index page,
    and a PNG/PDF overview per wijk). A failed run leaves ``out`` as it was.
    """
    files = _write_publication(_publication_of(result), out, per_wijk=per_wijk, rapport=rapport)
    if not per_wijk and (Path(out) / "per-wijk").is_dir() and isinstance(result, BuildResult):
        result.notes.append(f"{Path(out) / 'per-wijk'} is van een eerdere run en is niet bijgewerkt; "
                            "gebruik --per-wijk of verwijder die map.")
    if isinstance(result, BuildResult):
        result.files = files
    return files
