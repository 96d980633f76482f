"""The options of one run, built and checked in one place.

:class:`BuildOptions` is what the CLI, :func:`abcd_map.build` and every stage of
the pipeline share. It is frozen: a stage cannot change what the user asked for.
One name per concept: ``distances`` (all walking distances, metres) and
``main_distance`` (the one that white spots, 2SFCA, walking areas and the summary
use) are the only names of the walking distance from the CLI down to the
shortest-path search.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import hours, metrics, privacy, schema, settings
from .errors import InputError, InputProblem
from .load.areas import split_names

#: Files of the fictional demo town, inside the package's data folder.
DEMO_FILES = {
    "buurten": "demo/buurten.geojson",
    "wijken_file": "demo/wijken.geojson",
    "osm": "demo/demo.osm",
    "assets": "demo/assets.csv",
}

#: Names of the files a build writes into ``--out`` (the per-wijk folder last).
OUTPUT_NAMES = ("kaart.html", "buurten.csv", "wijken.csv", "gemeenten.csv", "tabellen.xlsx", "abcd-map.gpkg",
                "run.json", "per-wijk")

PathLike = str | Path


def _path(value: PathLike | None) -> Path | None:
    return None if value is None else Path(value)


def _wijk_items(wijken: str | Sequence[str] | None) -> tuple[str, ...]:
    """The wijken as given, stripped; commas are split by the area filter (wijknamen may hold one)."""
    if wijken is None:
        return ()
    items = [wijken] if isinstance(wijken, str) else list(wijken)
    return tuple(dict.fromkeys(str(w).strip() for w in items if str(w).strip()))


#: ``--gemeente alle``: every gemeente in the buurt file (the same as no ``--gemeente``).
ALL_GEMEENTEN = "alle"


def check_gemeenten(gemeente: str | Sequence[str] | None) -> tuple[str, ...]:
    """The gemeenten asked for; ``alle`` (alone) means every gemeente in the file, i.e. no filter."""
    names = split_names(gemeente)
    return () if tuple(n.lower() for n in names) == (ALL_GEMEENTEN,) else names


def check_distances(afstand: float | Sequence[float] | None) -> tuple[float, ...]:
    """Sorted, de-duplicated walking distances; a Dutch InputError for values out of range.

    Whole metres between ``settings.min_distance`` and ``settings.max_distance``; below
    that it is a typo ('500,5' is 500 and 5).
    """
    if afstand is None:
        return (float(settings.default_distance),)
    values = [afstand] if isinstance(afstand, (int, float)) else list(afstand)
    out = sorted({float(v) for v in values})
    lo, hi = settings.min_distance, settings.max_distance
    bad = [v for v in out if not (lo <= v <= hi) or v != round(v)]
    if bad or not out:
        raise InputError(InputProblem(
            file="--afstand", message="ongeldige loopafstand", value=f"{bad[0]:g}" if bad else "",
            expected=f"hele meters tussen {lo} en {hi}, bijv. 500 of 300,500,800 "
                     "(een komma scheidt afstanden; geen decimalen)"))
    return tuple(out)


def check_threshold(drempel: int | None) -> int:
    """The small-count threshold (default ``settings.suppression_threshold``); at least 1."""
    threshold = settings.suppression_threshold if drempel is None else int(drempel)
    if threshold < 1:
        raise InputError(InputProblem(file="--drempel", message="de drempel moet minstens 1 zijn", value=drempel,
                                      expected=f"een geheel getal, standaard {settings.suppression_threshold}"))
    return threshold


def check_time(dag: str | None, dagdeel: str | None) -> tuple[str | None, str | None]:
    """Canonical day ('zondag') and part of day ('middag'); a part of day needs a day."""
    if dagdeel and not dag:
        raise InputError(InputProblem(file="--dagdeel", message="een dagdeel zonder dag", value=dagdeel,
                                      expected="ook --dag, bijv. --dag zondag --dagdeel middag"))
    day = hours.day_name(dag) if dag else None  # 'ZO', 'Zondag', 6 -> 'zondag'
    part = str(dagdeel).strip().lower() if dagdeel else None
    return day, part


def check_out_spares_inputs(out: Path, inputs: Sequence[Path | None]) -> None:
    """Refuse an output folder where writing would replace one of the input files."""
    targets = {(out / name).resolve() for name in OUTPUT_NAMES}
    for path in inputs:
        if path is not None and Path(path).resolve() in targets:
            raise InputError(InputProblem(
                file=str(path), message="de uitvoer zou dit invoerbestand overschrijven",
                expected=f"een andere map voor --out dan {out}, of een andere bestandsnaam voor de invoer"))


def check_previous(vergelijk: PathLike | None, out: Path | None) -> Path | None:
    """The previous output folder of ``--vergelijk``: it must hold run.json and abcd-map.gpkg, and is never --out."""
    if vergelijk is None:
        return None
    folder = Path(vergelijk)
    files = ("run.json", "abcd-map.gpkg")
    missing = files if not folder.is_dir() else [n for n in files if not (folder / n).is_file()]
    if missing:
        raise InputError(InputProblem(
            file="--vergelijk", value=str(folder), expected="de map van een eerdere 'abcd-map build'",
            message="deze map bestaat niet" if not folder.is_dir() else f"{' en '.join(missing)} ontbreekt"))
    if out is not None and folder.resolve() == Path(out).resolve():
        raise InputError(InputProblem(
            file="--vergelijk", value=str(folder), message="dezelfde map als --out: de vorige uitvoer blijft zoals hij is",
            expected="een andere map voor --out (of kopieer de vorige uitvoer eerst)"))
    return folder


@dataclass(frozen=True)
class BuildOptions:
    """Everything one run was asked to do, checked.

    Make one with :meth:`create` (which checks every value and gives Dutch errors);
    the fields are the checked, canonical values.
    """

    buurten: Path | None = None
    osm: Path | None = None
    #: --osm-gebied: where the OSM file has data (polygon file or "minlon,minlat,maxlon,maxlat").
    osm_area: str | None = None
    assets: Path | None = None
    wijken_file: Path | None = None
    gebieden: Path | None = None
    behoefte: Path | None = None
    kerncijfers: Path | None = None
    fetch_kerncijfers: bool = False
    gemeenten: tuple[str, ...] = ()
    wijken: tuple[str, ...] = ()
    distances: tuple[float, ...] = (settings.default_distance,)
    mode: str = settings.default_mode
    threshold: int = settings.suppression_threshold
    lens: str | None = None
    day: str | None = None
    part_of_day: str | None = None
    online: bool = False
    geocode: bool = False
    out: Path | None = None
    per_wijk: bool = False
    rapport: bool = False
    today: dt.date = field(default_factory=dt.date.today)
    demo: bool = False
    vergelijk: Path | None = None

    @classmethod
    def create(
        cls,
        buurten: PathLike | None = None,
        osm: PathLike | None = None,
        assets: PathLike | None = None,
        *,
        wijken_file: PathLike | None = None,
        gebieden: PathLike | None = None,
        gemeente: str | Sequence[str] | None = None,
        wijken: str | Sequence[str] | None = None,
        afstand: float | Sequence[float] | None = None,
        modus: str | None = settings.default_mode,
        lens: str | None = None,
        dag: str | None = None,
        dagdeel: str | None = None,
        behoefte: PathLike | None = None,
        cbs_kerncijfers: PathLike | bool | None = None,
        drempel: int | None = None,
        online: bool = False,
        geocode: bool | None = None,
        out: PathLike | None = None,
        per_wijk: bool = False,
        today: dt.date | None = None,
        vergelijk: PathLike | None = None,
        osm_gebied: PathLike | None = None,
        rapport: bool = False,
    ) -> BuildOptions:
        """Check the arguments of :func:`abcd_map.build` (Dutch names) and return the options.

        When no input file is given (and not ``online`` with a ``gemeente``), the
        fictional demo town's files are filled in and ``demo`` is True.

        Raises
        ------
        InputError
            For any value out of range, with a Dutch message naming the option.
        """
        day, part = check_time(dag, dagdeel)
        options = cls(
            buurten=_path(buurten), osm=_path(osm), assets=_path(assets), wijken_file=_path(wijken_file),
            gebieden=_path(gebieden), behoefte=_path(behoefte), gemeenten=check_gemeenten(gemeente),
            kerncijfers=None if cbs_kerncijfers in (None, True, False) else Path(cbs_kerncijfers),
            fetch_kerncijfers=cbs_kerncijfers is True,
            wijken=_wijk_items(wijken), distances=check_distances(afstand), mode=privacy.check_mode(modus),
            threshold=check_threshold(drempel), lens=str(lens).strip().lower() if lens else None,
            day=day, part_of_day=part, online=bool(online),
            geocode=bool(online) if geocode is None else bool(geocode and online),
            out=_path(out), per_wijk=bool(per_wijk), today=today or dt.date.today(), rapport=bool(rapport),
            vergelijk=check_previous(vergelijk, _path(out)),
            osm_area=str(osm_gebied) if osm_gebied is not None else None,
        )
        if options.out is not None:
            check_out_spares_inputs(options.out, options.input_files)
        if options.no_input_given and not (options.online and options.gemeenten):
            options = replace(options, demo=True,
                              **{k: settings.data_path(v) for k, v in DEMO_FILES.items()})
        return options

    @property
    def gemeente(self) -> str | None:
        """The first gemeente asked for, or None (for code that knows only one)."""
        return self.gemeenten[0] if self.gemeenten else None

    @property
    def input_files(self) -> list[Path | None]:
        """The input files the user gave (None where not given)."""
        return [self.buurten, self.osm, self.assets, self.wijken_file, self.gebieden, self.behoefte,
                self.kerncijfers]

    @property
    def no_input_given(self) -> bool:
        """True when no area, OSM or asset file was given."""
        return all(v is None for v in (self.buurten, self.osm, self.assets, self.gebieden, self.wijken_file))

    @property
    def main_distance(self) -> float:
        """The walking distance of white spots, walking areas, 2SFCA and the summary (the middle one)."""
        return self.distances[len(self.distances) // 2]

    @property
    def main_coverage_column(self) -> str:
        """``dekking_<main distance>m``: the welcoming-place coverage the summary and ranking use."""
        return metrics.coverage_column(self.main_distance)

    def coverage_specs(self, categories: Sequence[str] = ()) -> list[metrics.CoverageSpec]:
        """The coverage analyses of this run, as data.

        Welcoming places at every distance; each ABCD category present in ``categories``
        (except individuen) at the main distance; the lens; the welcoming places open
        at the asked day and part of day.
        """
        d = (self.main_distance,)
        specs = [metrics.CoverageSpec("", metrics.KIND_WELCOMING, self.distances)]
        specs += [metrics.CoverageSpec(code, metrics.KIND_CATEGORY, d, {"categorie": code})
                  for code in schema.codes("categorie") if code != "individuen" and code in set(categories)]
        if self.lens:
            specs.append(metrics.CoverageSpec(self.lens, metrics.KIND_LENS, (), lens=self.lens))
        if self.day:
            specs.append(metrics.CoverageSpec(metrics.open_prefix(self.day, self.part_of_day), metrics.KIND_OPEN, d,
                                              day=self.day, part_of_day=self.part_of_day))
        return specs

    def describe(self) -> dict:
        """The options as plain data for the run's metadata (``run.json``)."""
        return {
            "modus": self.mode,
            "afstanden": list(self.distances),
            "hoofdafstand": self.main_distance,
            "lens": self.lens,
            "dag": self.day,
            "dagdeel": self.part_of_day,
            "drempel": self.threshold,
            "gemeente": self.gemeente,
            "gemeenten": list(self.gemeenten),
            "wijken": list(self.wijken),
            "online": self.online,
            "datum": self.today.isoformat(),
            "demo": self.demo,
        }
