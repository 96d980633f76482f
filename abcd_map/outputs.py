"""Every output of a run, written from a :class:`~abcd_map.publication.Publication` only.

Writers register themselves in :data:`WRITERS` with :func:`writer`; a writer gets
the publication and a folder and returns the files it wrote. :func:`write_outputs`
runs them inside one atomic folder, so a failed run leaves ``--out`` as it was.
The leak test runs every registered writer, so a writer added later is covered
by it automatically.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .export import atomic_folder, write_atomic, write_csv, write_gpkg, write_xlsx
from .publication import TEAM_MARK, Publication, require_publication

WriterFunc = Callable[[Publication, Path], list[Path]]


@dataclass(frozen=True)
class Writer:
    """A registered output: its function, and the option that asks for it (None = always)."""

    name: str
    func: WriterFunc
    option: str | None = None


#: Every output writer, in the order they run.
WRITERS: dict[str, Writer] = {}


def writer(name: str, option: str | None = None) -> Callable[[WriterFunc], WriterFunc]:
    """Register an output writer (a function ``(publication, folder) -> files``)."""
    def register(func: WriterFunc) -> WriterFunc:
        def checked(publication: Publication, folder: Path) -> list[Path]:
            return func(require_publication(publication), Path(folder))
        checked.__name__, checked.__doc__ = func.__name__, func.__doc__
        WRITERS[name] = Writer(name, checked, option)
        return checked
    return register


def marked(table: pd.DataFrame, publication: Publication) -> pd.DataFrame:
    """A table as written: in team mode with a first column ``let_op`` = "TEAM — niet delen"."""
    if not publication.is_team or table is None:
        return table
    out = table.copy()
    out.insert(0, "let_op", TEAM_MARK)
    return out


def publication_map(publication: Publication):
    """The interactive map of a publication (an offlinefolium Map; shows itself in Jupyter)."""
    from .render.map import publication_map as draw

    return draw(publication)


@writer("kaart")
def write_map(publication: Publication, folder: Path) -> list[Path]:
    """``kaart.html``: the interactive map, one self-contained file."""
    from .render.map import save_map

    return [save_map(publication_map(publication), folder / "kaart.html")]


def area_tables(publication: Publication) -> dict[str, pd.DataFrame]:
    """The area tables of a publication: buurten, wijken and (when made) gemeenten."""
    tables = {"buurten": publication.buurten, "wijken": publication.wijken}
    if publication.gemeenten is not None and len(publication.gemeenten):
        tables["gemeenten"] = publication.gemeenten
    return tables


@writer("tabellen")
def write_tables(publication: Publication, folder: Path) -> list[Path]:
    """``buurten.csv``, ``wijken.csv``, ``gemeenten.csv`` and ``tabellen.xlsx`` (with a sheet about the run)."""
    areas = area_tables(publication)
    sheets = {**areas, **{k: v for k, v in publication.tables.items() if v is not None and len(v)},
              **(publication.changes or {}), "over_deze_run": metadata_table(publication)}
    files = [write_csv(marked(table, publication), folder / f"{name}.csv") for name, table in areas.items()]
    return files + [write_xlsx({k: marked(v, publication) for k, v in sheets.items()}, folder / "tabellen.xlsx")]


@writer("geopackage")
def write_geopackage(publication: Publication, folder: Path) -> list[Path]:
    """``abcd-map.gpkg``: buurten, wijken, assets and every layer, plus the run's metadata table."""
    layers = {**area_tables(publication), "assets": publication.assets,
              **publication.layers, **(publication.changes or {}), "over_deze_run": metadata_table(publication)}
    return [write_gpkg({k: marked(v, publication) for k, v in layers.items()}, folder / "abcd-map.gpkg")]


@writer("metadata")
def write_metadata(publication: Publication, folder: Path) -> list[Path]:
    """``run.json``: mode, date, distances, inputs with their dates and hashes, version."""
    meta = dict(publication.meta)
    if publication.is_team:
        meta["let_op"] = TEAM_MARK
    text = json.dumps(meta, ensure_ascii=False, indent=2, default=str)
    return [write_atomic(folder / "run.json", text + "\n")]


@writer("per-wijk", option="per_wijk")
def write_per_wijk(publication: Publication, folder: Path) -> list[Path]:
    """``per-wijk/``: a map per wijk, an index page, and a PNG/PDF overview per wijk."""
    from .render.map import publication_per_wijk

    publication_per_wijk(publication, folder / "per-wijk", overviews=True)
    return [folder / "per-wijk"]


@writer("rapport", option="rapport")
def write_report(publication: Publication, folder: Path) -> list[Path]:
    """``rapport-<wijkcode>.pdf``/``.html`` per wijk and ``rapport-alles``: the printable wijkprofiel."""
    from .report import write_reports

    return write_reports(publication, folder)


def metadata_table(publication: Publication) -> pd.DataFrame:
    """The run's metadata as a two-column table (``sleutel``, ``waarde``) for sheets and GeoPackages."""
    rows = []
    for key, value in publication.meta.items():
        if key == "notes":
            continue
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        rows.append((key, text))
    return pd.DataFrame(rows, columns=["sleutel", "waarde"])


def write_outputs(publication: Publication, out: str | Path, **options: bool) -> list[Path]:
    """Run every writer that applies (optional ones when ``options[writer.option]``) atomically into ``out``.

    Returns the top-level files and folders written (as paths inside ``out``).
    """
    publication = require_publication(publication)
    out = Path(out)
    names: list[str] = []
    with atomic_folder(out) as tmp:
        for w in WRITERS.values():
            if w.option is None or options.get(w.option):
                names += [p.relative_to(tmp).parts[0] for p in w.func(publication, tmp)]
    return [out / n for n in dict.fromkeys(names)]


#: Name in the package's public API.
write_publication = write_outputs


def write_everything(publication: Publication, out: str | Path) -> list[Path]:
    """Every registered writer, optional ones too (what the leak test scans)."""
    return write_outputs(publication, out, **{w.option: True for w in WRITERS.values() if w.option})
