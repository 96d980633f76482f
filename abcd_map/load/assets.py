"""Hand-collected assets: read, check, geocode and merge with OpenStreetMap.

Users keep their assets in a CSV file, an Excel workbook, GeoJSON or a
GeoPackage, with Dutch or English column names (``data/columns.csv``) and
values (``data/vocabulary.csv``). :func:`validate_assets` lists every problem
in such a file; :func:`load_assets` returns the asset table (see
``docs/architecture.md``) or raises :class:`~abcd_map.errors.InputError` with
all problems at once. Both share one reader and one checker.

Rows are numbered as the user sees them: in CSV and Excel the header is row 1
and the first data row is row 2; in GeoJSON and GeoPackage the first feature
is row 1.

Rules for what people type (each said to the user, never silent):

- ``soort`` is required: an unknown soort is a problem ("bedoelde je 'plek'?").
  ``categorie``, ``fase``, ``doelgroepen`` and relation types meet people halfway
  (``schema.parse_value``: labels, synonyms, plurals); an unknown value takes its
  fallback (the soort's categorie, 'onbekend', or dropped) with a note per row.
- Excel: rows hidden by hand or by a filter are not read (a note names them); of
  several sheets the one with the most known column names is read.
- Coordinates hold degrees or RD metres by the majority of a column pair; a cell
  that lost its decimal separator (520062 for 52,0062) is a problem of that cell.
- Dates are read day first (1-3-2024 is 1 March); a d/m/yyyy date that could be
  read both ways gets a note.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from rapidfuzz import fuzz

from .. import _http, hours, schema, settings
from ..errors import InputError, InputProblem, note
from ..geo import wgs84_to_rd
from ..hours import hours_problems
from ..relation_text import RelationItem, format_relation_text, parse_relation_text

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

#: PDOK Locatieserver (free-text search), used only when geocoding is asked for.
PDOK_LOCATIESERVER_URL = "https://api.pdok.nl/bzk/locatieserver/search/v3_1/free"
#: Seconds to wait for PDOK before giving up.
GEOCODE_TIMEOUT = 10.0

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
GEO_SUFFIXES = (".geojson", ".json", ".gpkg")
#: Sheets read first when present (case-insensitive); sheets never read.
DATA_SHEETS = ("assets", "gegevens")
SKIP_SHEETS = ("uitleg",)
#: Spreadsheet formats abcd-map does not read, with what to do instead.
OTHER_FORMAT_HINTS = {
    ".xls": "; sla het op als .xlsx",
    ".ods": "; sla op als .xlsx of .csv (LibreOffice: Bestand > Opslaan als)",
    ".numbers": "; sla op als .xlsx of .csv (Numbers: Archief > Exporteer naar)",
}

#: Rough bounding boxes of the Netherlands (WGS84 degrees and RD New metres).
NL_LAT = (50.7, 53.7)
NL_LON = (3.2, 7.3)
NL_X = (0.0, 300_000.0)
NL_Y = (289_000.0, 629_000.0)

BOOL_COLUMNS = ("inloop", "toestemming", "openbaar", "ontmoetingsplek")
PLAIN_TEXT_COLUMNS = ("omschrijving", "wanneer", "openingstijden", "beheerder",
                      "contactpersoon", "telefoon", "adres", "bron")
#: Columns an OSM place may fill in a merged hand-collected row when empty there.
MERGE_FILL_COLUMNS = ("openingstijden", "website")

_EXPECTED_FILE = "CSV (.csv), Excel (.xlsx), GeoJSON (.geojson) of GeoPackage (.gpkg)"
_EXPECTED_DATE = "een datum als 2024-03-01 of 1-3-2024"
_EXPECTED_LOCATION = "lat en lon, x en y, of een adres"
_ADDRESS_ONLY = ("adres zonder coördinaten; gebruik --online om adressen op te zoeken "
                 "of vul lat/lon in")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DMY_DATE_RE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


# --------------------------------------------------------------------------- data tables


@lru_cache(maxsize=None)
def kind_defaults() -> pd.DataFrame:
    """Default categorie and ontmoetingsplek per soort (``data/kind_defaults.csv``)."""
    table = pd.read_csv(settings.data_path("kind_defaults.csv"), dtype=str, keep_default_na=False)
    return table.set_index("soort")


@lru_cache(maxsize=None)
def vocabulary_labels(field: str, lang: str = "nl") -> dict[str, str]:
    """Code -> label of a vocabulary field, in table order (a cached ``schema.label``)."""
    table = schema.vocabulary().query("field == @field")
    return dict(zip(table["code"], table["label_nl" if lang == "nl" else "label_en"]))


@lru_cache(maxsize=None)
def name_abbreviations() -> dict[str, str]:
    """Common Dutch abbreviations in place names (``data/name_abbreviations.csv``)."""
    table = pd.read_csv(settings.data_path("name_abbreviations.csv"), dtype=str, keep_default_na=False)
    return dict(zip(table["afkorting"].str.lower(), table["voluit"].str.lower()))


# --------------------------------------------------------------------------- public API


def load_assets(path: str | Path, *, geocode: bool = False) -> gpd.GeoDataFrame:
    """Read a file of hand-collected assets into the asset table.

    Parameters
    ----------
    path
        CSV, Excel (.xlsx), GeoJSON or GeoPackage file.
    geocode
        Look up rows that only have an ``adres`` at the PDOK Locatieserver
        (online; see :func:`geocode_addresses`). Without it such rows are a problem.

    Returns
    -------
    GeoDataFrame
        EPSG:28992, columns ``schema.ASSET_COLUMNS`` + geometry (points);
        ``attrs["source_rows"]`` holds the user's row number of every row.

    Raises
    ------
    InputError
        Listing every problem in the file.
    """
    assets, problems = _read_and_check(Path(path), geocode=geocode)
    if problems:
        raise InputError(problems)
    return assets


def validate_assets(path: str | Path, *, geocode: bool = False) -> list[InputProblem]:
    """Every problem in a file of hand-collected assets (empty list: the file is fine).

    Parameters
    ----------
    path
        CSV, Excel (.xlsx), GeoJSON or GeoPackage file.
    geocode
        As in :func:`load_assets`.

    Each opening time written in words is noted with how it was read ("'van 9 tot 5'
    gelezen als: ma-zo 09:00-17:00 (rij 2)"), so that the user can check it.
    """
    assets, problems = _read_and_check(Path(path), geocode=geocode)
    if assets is not None and len(assets):
        rows = assets.attrs.get("source_rows", list(range(2, len(assets) + 2)))
        for line in hours.translation_notes(assets.assign(rij=list(rows)), str(Path(path).name)):
            note(line)
    return problems


def geocode_addresses(df: pd.DataFrame, *, cache: bool = True) -> gpd.GeoSeries:
    """Points (EPSG:28992) for the addresses in ``df`` via the PDOK Locatieserver.

    The query is ``adres`` plus ``postcode`` and ``plaats`` when those columns
    exist. Results are cached in ``settings.cache_folder()/geocode`` except for
    rows whose ``soort`` is a person: a person's (home) address is never written
    to disk.

    Parameters
    ----------
    df
        Table with an ``adres`` column (optionally ``postcode``, ``plaats``, ``soort``).
    cache
        Read and write the cache.

    Returns
    -------
    GeoSeries
        Aligned with ``df.index``; None where the address was not found.

    Raises
    ------
    OfflineError
        When PDOK cannot be reached.
    """
    parts = [df[c].map(_as_text) for c in ("adres", "postcode", "plaats") if c in df.columns]
    if not parts:
        return gpd.GeoSeries([None] * len(df), index=df.index, crs=settings.crs)
    queries = parts[0]
    for extra in parts[1:]:
        queries = queries.str.cat(extra, sep=" ")
    queries = queries.str.replace(r"\s+", " ", regex=True).str.strip()
    if "soort" in df.columns:
        person = df["soort"].map(lambda v: schema.parse_value("soort", _as_text(v)) == "persoon")
    else:
        person = pd.Series(False, index=df.index)
    # a query is cacheable only if no person row asks for it
    private = set(queries[person.astype(bool)])
    found: dict[str, shapely.Point | None] = {}
    for query in queries[queries != ""].unique():
        path = _http.cache_path("geocode", query.lower())
        payload = _http.cached_json(path, lambda: _pdok_lookup(query), read=cache,
                                    write=cache and query not in private)
        found[query] = _point_from_payload(payload)
    return gpd.GeoSeries([found.get(q) for q in queries], index=df.index, crs=settings.crs)


def merge_assets(
    hand: gpd.GeoDataFrame,
    osm: gpd.GeoDataFrame,
    *,
    min_similarity: float | None = None,
    max_distance: float | None = None,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Merge places found both in OpenStreetMap and in the hand-collected list.

    A hand row and an OSM row are the same place when they lie within
    ``max_distance`` metres and their names (after expanding abbreviations such
    as "Bh." -> buurthuis) are at least ``min_similarity`` (0-100) alike.
    Only real names are compared: an OSM place without a ``name`` tag carries its
    generic label as ``naam`` ("Speeltuin"), and a name equal to the label is
    not compared at all (else every named playground nearby would match it).
    The distance is measured to the OSM object's own shape when the OSM table
    has an ``osm_geometry`` column (a park's area, a building's outline: a
    point pinned anywhere in the park is 0 m away), else to its point.
    A hand row whose own ``osm_id`` names an OSM row merges with it whatever
    the name or distance. Pairs are one-to-one: explicit ids first, then best
    similarity first. The merged row keeps the hand-collected fields, gets the
    OSM id and takes empty ``openingstijden`` and ``website`` from OSM.
    Persons never merge.

    Parameters
    ----------
    hand, osm
        Asset tables (EPSG:28992); ``osm`` may have an extra ``osm_geometry``
        column (shapely geometries in EPSG:28992, None where unknown).
    min_similarity, max_distance
        Default ``settings.merge_min_similarity`` and ``settings.merge_max_distance``.

    Returns
    -------
    (GeoDataFrame, DataFrame)
        All assets (hand rows first, then unmatched OSM rows; ``schema.ASSET_COLUMNS``
        + geometry, ``osm_geometry`` dropped) and a report of the merged pairs:
        id, naam, osm_id, osm_naam, afstand_m (to the shape), gelijkenis.
    """
    min_similarity = settings.merge_min_similarity if min_similarity is None else min_similarity
    max_distance = settings.merge_max_distance if max_distance is None else max_distance
    hand = _conform(hand)
    shapes = _osm_shapes(osm)
    osm = _conform(osm)
    pairs = _explicit_pairs(hand, osm, shapes) + _candidate_pairs(hand, osm, shapes, min_similarity, max_distance)
    matches = _one_to_one(pairs)
    merged = hand.copy()
    if matches:
        _take_from_osm(merged, osm, matches)
        note(f"{len(matches)} plek(ken) uit OpenStreetMap samengevoegd met de eigen lijst.")
    used_o = sorted(o for _, o, _, _ in matches)
    rest = osm.drop(index=osm.index[used_o]) if used_o else osm
    combined = pd.concat([merged, rest], ignore_index=True)
    combined = gpd.GeoDataFrame(combined, geometry="geometry", crs=settings.crs)
    combined.attrs = {}
    return combined, _merge_report(hand, osm, matches)


#: A candidate pair, sorted best first:
#: (0 for an explicit osm_id else 1, -token-set similarity, -plain similarity, distance, hand pos, osm pos).
_Candidate = tuple[int, float, float, float, int, int]


def _osm_shapes(osm: gpd.GeoDataFrame) -> np.ndarray:
    """Per OSM row (by position) the shape to measure to: ``osm_geometry`` where set, else the point."""
    points = osm.geometry.to_crs(settings.crs).to_numpy() if osm.crs is not None else osm.geometry.to_numpy()
    if schema.OSM_GEOMETRY_COLUMN not in osm.columns:
        return points
    own = np.array([g if isinstance(g, shapely.Geometry) else None for g in osm[schema.OSM_GEOMETRY_COLUMN]],
                   dtype=object)
    usable = ~shapely.is_missing(own) & ~shapely.is_empty(own)
    return np.where(usable, own, points)


def _has_name(assets: gpd.GeoDataFrame) -> np.ndarray:
    """True where ``naam`` is a real name: not empty and not just the asset's generic label."""
    names = assets["naam"].map(normalise_name)
    labels = assets["label"].fillna("").astype(str).map(normalise_name)
    return ((names != "") & (names != labels)).to_numpy()


def _similarity(left: object, right: object) -> tuple[float, float]:
    """(token-set, plain) similarity 0-100 of two names after :func:`normalise_name`."""
    a, b = normalise_name(left), normalise_name(right)
    if not (a and b):
        return 0.0, 0.0
    return float(fuzz.token_set_ratio(a, b)), float(fuzz.ratio(a, b))


def _explicit_pairs(hand: gpd.GeoDataFrame, osm: gpd.GeoDataFrame, shapes: np.ndarray) -> list[_Candidate]:
    """Non-person hand rows whose own ``osm_id`` names a row of ``osm``: pairs whatever name or distance."""
    own = hand["osm_id"].str.strip().to_numpy()
    position = {oid: pos for pos, oid in enumerate(osm["osm_id"]) if oid}
    pairs: list[_Candidate] = []
    for h in np.flatnonzero((own != "") & (hand["soort"] != "persoon").to_numpy()):
        o = position.get(own[h])
        if o is None or osm["soort"].iat[o] == "persoon":
            continue
        d = float(shapely.distance(hand.geometry.iat[h], shapes[o]))
        sim, plain = _similarity(hand["naam"].iat[h], osm["naam"].iat[o])
        pairs.append((0, -sim, -plain, d if np.isfinite(d) else math.inf, int(h), int(o)))
    return pairs


def _candidate_pairs(hand: gpd.GeoDataFrame, osm: gpd.GeoDataFrame, shapes: np.ndarray, min_similarity: float,
                     max_distance: float) -> list[_Candidate]:
    """Non-person pairs within ``max_distance`` of the OSM shape whose real names are ``min_similarity`` alike."""
    cand_h = np.flatnonzero((hand["soort"] != "persoon").to_numpy() & _has_point(hand))
    o_ok = ~shapely.is_missing(shapes) & ~shapely.is_empty(shapes)
    cand_o = np.flatnonzero((osm["soort"] != "persoon").to_numpy() & o_ok & _has_name(osm))
    pairs: list[_Candidate] = []
    if not (len(cand_h) and len(cand_o)):
        return pairs
    h_geoms = hand.geometry.to_numpy()[cand_h]
    o_geoms = shapes[cand_o]
    hi, oi = shapely.STRtree(o_geoms).query(h_geoms, predicate="dwithin", distance=max_distance)
    dist = shapely.distance(h_geoms[hi], o_geoms[oi])
    h_names = hand["naam"].to_numpy()[cand_h]
    o_names = osm["naam"].to_numpy()[cand_o]
    for a, b, d in zip(hi, oi, dist):
        sim, plain = _similarity(h_names[a], o_names[b])
        if sim >= min_similarity:
            pairs.append((1, -sim, -plain, float(d), int(cand_h[a]), int(cand_o[b])))
    return pairs


def _one_to_one(pairs: list[_Candidate]) -> list[tuple[int, int, float, float]]:
    """Best pairs first, each row used once: (hand pos, osm pos, distance, similarity), by hand pos."""
    used_h: set[int] = set()
    used_o: set[int] = set()
    matches: list[tuple[int, int, float, float]] = []
    for _, neg_sim, _, d, h, o in sorted(pairs):
        if h in used_h or o in used_o:
            continue
        used_h.add(h)
        used_o.add(o)
        matches.append((h, o, d if np.isfinite(d) else math.nan, -neg_sim))
    return sorted(matches)


def _take_from_osm(merged: gpd.GeoDataFrame, osm: gpd.GeoDataFrame,
                   matches: list[tuple[int, int, float, float]]) -> None:
    """Give matched hand rows their OSM id and the OSM values of their empty MERGE_FILL_COLUMNS."""
    h_pos = [m[0] for m in matches]
    o_pos = [m[1] for m in matches]
    merged.iloc[h_pos, merged.columns.get_loc("osm_id")] = osm["osm_id"].to_numpy()[o_pos]
    for column in MERGE_FILL_COLUMNS:
        own = merged[column].to_numpy()[h_pos]
        theirs = osm[column].to_numpy()[o_pos]
        filled = np.where(pd.Series(own).fillna("").astype(str).str.strip() == "", theirs, own)
        merged.iloc[h_pos, merged.columns.get_loc(column)] = filled


def _merge_report(hand: gpd.GeoDataFrame, osm: gpd.GeoDataFrame,
                  matches: list[tuple[int, int, float, float]]) -> pd.DataFrame:
    report = pd.DataFrame(
        [
            (hand["id"].iat[h], hand["naam"].iat[h], osm["osm_id"].iat[o], osm["naam"].iat[o],
             round(d, 1), round(s, 1))
            for h, o, d, s in matches
        ],
        columns=["id", "naam", "osm_id", "osm_naam", "afstand_m", "gelijkenis"],
    )
    report["afstand_m"] = report["afstand_m"].astype(float)
    report["gelijkenis"] = report["gelijkenis"].astype(float)
    return report



# --------------------------------------------------------------------------- reading


class _ReadFailure(Exception):
    """The file cannot be read at all; carries the problems."""

    def __init__(self, problems: list[InputProblem]):
        super().__init__(problems)
        self.problems = problems


@dataclass
class _Table:
    """A file as read: user's headers, raw cell values, row numbers, geometry."""

    file: str
    frame: pd.DataFrame               # object dtype, user's column names
    rows: list[int]                   # user's row number of each frame row
    geometry: gpd.GeoSeries | None    # aligned with frame (positional), source CRS
    problems: list[InputProblem]      # reading problems that do not stop checking
    #: frame column -> (the user's header text, 0-based sheet column); CSV and Excel only
    sources: dict[str, tuple[str, int]] = field(default_factory=dict)


def _read_and_check(path: Path, *, geocode: bool) -> tuple[gpd.GeoDataFrame | None, list[InputProblem]]:
    try:
        table = _read(path)
    except _ReadFailure as failure:
        return None, failure.problems
    assets, problems = _check(table, geocode=geocode)
    if assets is not None:
        # attrs last: pandas deep-copies attrs (here a list of every row number) at every step
        _note_template_examples(assets, table.rows, path)
        _note_unreadable_hours(assets, table.rows, path)
        assets.attrs["source_rows"] = list(table.rows)
    return assets, problems


def _note_unreadable_hours(assets: gpd.GeoDataFrame, rows: list[int], path: Path) -> None:
    """Opening times that cannot be read are no error (the place stays, hours unknown), but are said."""
    if not len(assets):
        return
    hours = pd.DataFrame({c: assets[c].to_numpy() for c in ("naam", "wanneer", "openingstijden")})
    for problem in hours_problems(hours.assign(rij=list(rows)), str(path)):
        note(f"{problem}; de openingstijden tellen als onbekend.")


#: The example rows of ``abcd-map init`` end their name with this text.
TEMPLATE_EXAMPLE_MARK = "(voorbeeld)"


def _note_template_examples(assets: gpd.GeoDataFrame, rows: list[int], path: Path) -> None:
    """Say so when the template's example rows are still in a user's file."""
    if not len(assets):
        return
    example = assets["naam"].astype(str).str.strip().str.endswith(TEMPLATE_EXAMPLE_MARK).to_numpy()
    if example.any():
        rows = np.asarray(rows)[example].tolist()
        note(f"{path.name}: rij {', '.join(map(str, rows))} zijn voorbeeldrijen uit het sjabloon "
             f"(naam eindigt op '{TEMPLATE_EXAMPLE_MARK}'); haal ze weg, anders staan ze op de kaart.")


def _read(path: Path) -> _Table:
    file = str(path)
    if not path.exists():
        raise _ReadFailure([InputProblem(file, "bestand niet gevonden")])
    if path.is_dir():
        raise _ReadFailure([InputProblem(file, "dit is een map, geen bestand", expected=_EXPECTED_FILE)])
    if path.name.startswith("~$"):
        raise _ReadFailure([InputProblem(
            file, f"dit is een tijdelijk vergrendelbestand van Excel ({path.name}); kies het echte "
                  f"bestand", expected=f"het bestand zonder '~$' ervoor, bijv. '{path.name[2:]}'")])
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + EXCEL_SUFFIXES + GEO_SUFFIXES:
        hint = OTHER_FORMAT_HINTS.get(suffix, "")
        raise _ReadFailure([InputProblem(
            file, f"onbekend bestandstype '{suffix or path.name}'{hint}", expected=_EXPECTED_FILE)])
    if path.stat().st_size == 0:
        raise _ReadFailure([InputProblem(file, "het bestand is leeg")])
    if suffix in CSV_SUFFIXES:
        return _read_csv(path, file)
    if suffix in EXCEL_SUFFIXES:
        return _read_excel(path, file)
    return _read_geo(path, file)


def _read_csv(path: Path, file: str) -> _Table:
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")  # Excel's "Unicode-tekst" (tab-separated)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")  # how Excel writes "CSV" on Windows
    if not text.strip():
        raise _ReadFailure([InputProblem(file, "het bestand is leeg")])
    first_line = next(line for line in text.splitlines() if line.strip())
    declared = re.fullmatch(r'"?sep=(.)"?\s*', first_line.strip("\ufeff"), flags=re.IGNORECASE)
    if declared:  # Excel's 'sep=;' first line names the separator; it is no header
        sep = declared.group(1)
        text = text.replace(first_line, "", 1)
    else:
        sep = max((",", ";", "\t"), key=lambda s: len(next(csv.reader([first_line], delimiter=s))))
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    return _table_from_records(file, records, extra_values_are_problems=True)


def _read_excel(path: Path, file: str) -> _Table:
    """The data sheet of a workbook; rows hidden by hand or by a filter are not read.

    Rule: a row that is hidden in the sheet (by hand, by a collapsed group, or
    because an autofilter hides it: Excel stores filtered-out rows as hidden) is
    skipped, and a note names those rows. What the user does not see in Excel
    does not land on the map.
    """
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure means "not a readable workbook"
        raise _ReadFailure([InputProblem(
            file, "kan het Excel-bestand niet openen", value=type(exc).__name__,
            expected="een .xlsx-bestand (Excel 2007 of nieuwer)")]) from None
    sheets = [ws for ws in workbook.worksheets if ws.title.strip().lower() not in SKIP_SHEETS]
    if not sheets:
        raise _ReadFailure([InputProblem(file, "het werkboek heeft geen blad met gegevens")])
    sheet = _data_sheet(file, sheets)
    records = list(sheet.iter_rows(min_row=1, min_col=1, values_only=True))
    hidden = {r - 1 for r, dim in sheet.row_dimensions.items() if dim.hidden}
    workbook.close()
    _check_formulas(path, file, sheet.title, records)
    return _table_from_records(file, records, extra_values_are_problems=False, hidden=hidden)


def _data_sheet(file: str, sheets: list[Worksheet]) -> Worksheet:
    """The sheet with the most known column names in its first ten rows ('assets' wins a tie).

    The other sheets are named in a note.
    """
    known = schema.aliases("assets")

    def score(ws: Worksheet) -> tuple[int, bool]:
        rows = ws.iter_rows(min_row=1, max_row=10, values_only=True)
        best = max((sum(1 for v in row if v is not None and schema.normalise_key(_as_text(v)) in known)
                    for row in rows), default=0)
        return best, ws.title.strip().lower() in DATA_SHEETS

    sheet = max(sheets, key=score)  # max keeps the first of equals
    others = [ws.title for ws in sheets if ws is not sheet]
    if others:
        names = ", ".join(f"'{t}'" for t in others)
        note(f"{Path(file).name}: blad '{sheet.title}' is gelezen (daar staan de kolomnamen van het "
             f"sjabloon); blad {names} niet.")
    return sheet


def _check_formulas(path: Path, file: str, title: str, records: list) -> None:
    """Formulas whose result was never stored (a file made by a script, not saved in Excel) read as empty."""
    import openpyxl

    workbook = openpyxl.load_workbook(path, data_only=False, read_only=True)
    try:
        sheet = workbook[title]
        missing = [(r, c) for r, row in enumerate(sheet.iter_rows(values_only=True))
                   for c, v in enumerate(row)
                   if isinstance(v, str) and v.startswith("=") and r < len(records) and c < len(records[r])
                   and records[r][c] is None]
    finally:
        workbook.close()
    if missing:
        cleaned = [[_clean_cell(v) for v in rec] for rec in records[:10]]
        head = _find_header(cleaned, [i for i, rec in enumerate(cleaned) if any(v is not None for v in rec)])
        header = [_as_text(v) for v in cleaned[head]] if head is not None else []

        def column(r: int, c: int) -> str:
            name = header[c] if head is not None and r > head and c < len(header) else ""
            return f"kolom {_column_letter(c)}" + (f" ({name})" if name else "")

        raise _ReadFailure([InputProblem(
            file, "deze cel heeft een formule zonder berekende waarde", row=r + 1,
            column=column(r, c),
            expected="open het bestand in Excel en sla het op (dan bewaart Excel de uitkomst), "
                     "of vul de waarde zelf in") for r, c in missing[:20]])


def _table_from_records(file: str, records: list, *, extra_values_are_problems: bool,
                        hidden: set[int] = frozenset()) -> _Table:
    """A table from rows of cells (CSV lines or a sheet): header found, empty rows left out.

    With ``extra_values_are_problems`` (CSV) a value right of the last header is a
    problem; otherwise (Excel) such columns are kept under 'kolom F' etc. Rows in
    ``hidden`` (0-based positions of hidden sheet rows) are skipped with a note.
    """
    cleaned = _clean_records(records)
    filled = [i for i, rec in enumerate(cleaned) if any(v is not None for v in rec)]
    if not filled:
        raise _ReadFailure([InputProblem(file, "het bestand is leeg")])
    head = _header_row(file, cleaned, filled)
    header = [_as_text(v) for v in cleaned[head]]
    while header and not header[-1]:
        header.pop()
    body_pos = _visible_body(file, filled, head, hidden)
    problems: list[InputProblem] = []
    if extra_values_are_problems:
        problems = _overfull_rows(file, cleaned, body_pos, len(header))
    else:
        header += [""] * (_used_width(cleaned, body_pos) - len(header))
    if not body_pos:
        raise _ReadFailure([InputProblem(file, "het bestand bevat alleen een kopregel en geen gegevens")])
    width = len(header)
    names = _unique_headers(header)
    values = [(cleaned[i] + [None] * width)[:width] for i in body_pos]
    frame = pd.DataFrame(values, columns=names, dtype=object)
    # columns without a header and without values are not columns to the user
    unnamed_empty = [name for name, head in zip(names, header) if not head and frame[name].isna().all()]
    frame = frame.drop(columns=unnamed_empty)
    sources = {name: (text, j) for j, (name, text) in enumerate(zip(names, header))}
    return _Table(file, frame, [i + 1 for i in body_pos], None, problems, sources)


def _clean_records(records: list) -> list[list]:
    """:func:`_clean_cell` of every cell; text cells (every CSV cell) inline, as a call per cell
    is most of the reading time of a large file."""
    return [[(v.strip() or None) if isinstance(v, str) else _clean_cell(v) for v in rec] for rec in records]


def _visible_body(file: str, filled: list[int], head: int, hidden: set[int]) -> list[int]:
    """Positions of the filled rows below the header that are not hidden; hidden ones noted."""
    body = [i for i in filled if i > head]
    skipped = [i + 1 for i in body if i in hidden]
    if skipped:
        note(f"{Path(file).name}: rij {', '.join(map(str, skipped))} "
             f"{'is' if len(skipped) == 1 else 'zijn'} verborgen of weggefilterd en niet gelezen; "
             "maak ze zichtbaar (of zet het filter uit) als ze mee moeten doen.")
    return [i for i in body if i not in hidden]


def _overfull_rows(file: str, cleaned: list[list], body_pos: list[int], width: int) -> list[InputProblem]:
    """A problem for every row with a value right of the last column."""
    return [InputProblem(file, "deze rij heeft meer waarden dan er kolommen zijn; staat er een komma "
                               "in een getal of tekst? Zet de tekst tussen aanhalingstekens of gebruik ; "
                               "als scheidingsteken", row=i + 1)
            for i in body_pos if any(v is not None for v in cleaned[i][width:])]


def _used_width(cleaned: list[list], body_pos: list[int]) -> int:
    """Number of columns up to the right-most value of any body row."""
    return max([0] + [max((j + 1 for j, v in enumerate(cleaned[i]) if v is not None), default=0)
                      for i in body_pos])


def _find_header(cleaned: list[list], filled: list[int]) -> int | None:
    """The header: the first filled row, unless a title sits above it (None when nothing is filled).

    A row with fewer than two known column names, followed (within the first ten
    rows) by one with at least two, is a title: the header is the later row.
    """
    if not filled:
        return None
    known = schema.aliases("assets")

    def score(i: int) -> int:
        return sum(1 for v in cleaned[i] if v is not None and schema.normalise_key(_as_text(v)) in known)

    head = filled[0]
    if score(head) >= 2:
        return head
    better = next((i for i in filled[:10] if score(i) >= 2), None)
    return head if better is None else better


def _header_row(file: str, cleaned: list[list], filled: list[int]) -> int:
    """:func:`_find_header`, with a note when rows above the header are skipped."""
    head = _find_header(cleaned, filled)
    if head != filled[0]:
        note(f"{Path(file).name}: de kopregel staat in rij {head + 1}; wat erboven staat is overgeslagen "
             f"(een titel?).")
    return head


def _unique_headers(header: list[str]) -> list[str]:
    names: list[str] = []
    for j, name in enumerate(header):
        name = name or f"kolom {_column_letter(j)}"
        base, k = name, 2
        while name in names:
            name, k = f"{base} ({k})", k + 1
        names.append(name)
    return names


def _column_letter(j: int) -> str:
    letters = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def _read_geo(path: Path, file: str) -> _Table:
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # noqa: BLE001 - pyogrio raises many kinds
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _ReadFailure([InputProblem(
            file, "kan het bestand niet lezen als GeoJSON of GeoPackage", value=message,
            expected=_EXPECTED_FILE)]) from None
    has_geometry = isinstance(gdf, gpd.GeoDataFrame) and gdf.active_geometry_name is not None
    geometry = gdf.geometry if has_geometry else None
    columns = [c for c in gdf.columns if geometry is None or c != geometry.name]
    frame = pd.DataFrame({c: [_clean_cell(v) for v in gdf[c].tolist()] for c in columns},
                         index=range(len(gdf)), dtype=object)
    keep = frame.notna().any(axis=1).to_numpy()
    if geometry is not None:
        keep = keep | (geometry.notna().to_numpy() & ~geometry.is_empty.to_numpy())
    if not keep.any():
        raise _ReadFailure([InputProblem(file, "het bestand bevat geen objecten")])
    rows = list(np.flatnonzero(keep) + 1)
    frame = frame[keep].reset_index(drop=True)
    if geometry is not None:
        geometry = geometry[keep].reset_index(drop=True)
    return _Table(file, frame, [int(r) for r in rows], geometry, [])


# --------------------------------------------------------------------------- cell values


def _clean_cell(value: object) -> object:
    """None for empty cells, stripped text, numbers and dates as they are."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    try:
        if pd.isna(value) is True:
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, np.generic):
        value = value.item()
    return value


def _as_text(value: object) -> str:
    """A cell as text ('' when empty); whole numbers without '.0'."""
    value = _clean_cell(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _parse_number(value: object) -> float | None:
    """Number of a cell (decimal comma allowed), None when empty; ValueError otherwise."""
    value = _clean_cell(value)
    if value is None:
        return None
    if isinstance(value, bool) or isinstance(value, (date, datetime)):
        raise ValueError(value)
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = str(value).replace(" ", "").replace("\u00a0", "")
        if "," in text and "." in text:
            if text.rfind(",") > text.rfind("."):
                text = text.replace(".", "").replace(",", ".")
            else:
                text = text.replace(",", "")
        elif text.count(",") == 1:
            text = text.replace(",", ".")
        number = float(text)
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def _parse_date(value: object) -> date | None:
    """Date of a cell (ISO, d-m-yyyy, d/m/yyyy, Excel date); None when empty.

    Raises ``ValueError('onleesbaar')`` or ``ValueError('bestaat niet')``.
    """
    value = _clean_cell(value)
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2_958_466:  # Excel serial day number
            return date(1899, 12, 30) + timedelta(days=int(value))
        raise ValueError("onleesbaar")
    text = str(value).strip()
    if m := _ISO_DATE_RE.match(text):
        y, mo, d = (int(g) for g in m.groups())
    elif m := _DMY_DATE_RE.match(text):
        d, mo, y = (int(g) for g in m.groups())
    else:
        raise ValueError("onleesbaar")
    try:
        return date(y, mo, d)
    except ValueError:
        raise ValueError("bestaat niet") from None


def _distinct(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A label per cell, equal for equal cells, and the first position of each label.

    Cells are equal when type and text are ('2.125' typed is no 2.125 from Excel), so a
    column is parsed once per distinct value instead of once per row.
    """
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        keys = values.fillna("")
    else:
        keys = values.map(lambda v: (type(v).__name__, _as_text(v)))
    labels, _ = pd.factorize(keys)
    _, first = np.unique(labels, return_index=True)
    return labels, first


def _parse_numbers(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Float array (NaN for empty or bad) and a mask of unreadable cells.

    Columns of text (CSV) and of numbers (Excel) are converted by pandas in one go;
    a column that mixes kinds is read cell by cell (:func:`_parse_number`).
    """
    kind = pd.api.types.infer_dtype(series, skipna=True)
    if kind in ("string", "empty"):
        return _parse_number_texts(series.fillna("").astype(str))
    if kind in ("floating", "integer", "mixed-integer-float"):
        values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(values) & series.notna().to_numpy()
        return np.where(bad, np.nan, values), bad
    values = np.full(len(series), np.nan)
    bad = np.zeros(len(series), dtype=bool)
    for i, v in enumerate(series.tolist()):
        try:
            number = _parse_number(v)
        except (ValueError, TypeError):
            bad[i] = True
            continue
        if number is not None:
            values[i] = number
    return values, bad


def _parse_number_texts(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_parse_number` for a column of text, in one pandas pass.

    '52,0116' and '52.0116' convert at once; the few cells that do not (thousands
    separators as in '1.234,5', spaces, words) go through :func:`_parse_number`.
    """
    values = np.array(pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce"), dtype=float)
    filled = (text != "").to_numpy()
    bad = np.zeros(len(text), dtype=bool)
    cells = text.tolist()
    for pos in np.flatnonzero(filled & ~np.isfinite(values)):
        try:
            values[pos] = _parse_number(cells[pos])
        except (ValueError, TypeError):
            values[pos], bad[pos] = np.nan, True
    return values, bad


# --------------------------------------------------------------------------- checking


#: Rows named in one note before '... en nog N rijen'.
NOTE_ROWS = 10


class _Problems:
    """Collects problems with the user's row numbers and column names."""

    def __init__(self, file: str, rows: list[int], headers: dict[str, str]):
        self.file, self.rows, self.headers = file, rows, headers
        self.items: list[InputProblem] = []
        self.notes: list[tuple[int, str]] = []

    def note(self, message: str, *, pos: int) -> None:
        """A row's note (a value repaired or dropped): no problem, said to the user as 'Let op'."""
        self.notes.append((self.rows[pos], message))

    def emit_notes(self) -> None:
        """Say every recorded note, by first row: '<file>, rij <row>: <message>.'

        Rows with the same message share one note ('rij 2, 5, 9: ...'; beyond
        :data:`NOTE_ROWS` rows '... en nog 40 rijen'), so a long list stays readable.
        """
        name = Path(self.file).name
        rows: dict[str, list[int]] = {}
        for row, message in sorted(self.notes, key=lambda item: item[0]):
            rows.setdefault(message, []).append(row)
        for message, where in rows.items():
            shown = ", ".join(map(str, where[:NOTE_ROWS]))
            more = f" en nog {len(where) - NOTE_ROWS} rijen" if len(where) > NOTE_ROWS else ""
            note(f"{name}, rij {shown}{more}: {message}.")

    def add(self, message: str, *, pos: int | None = None, column: str | None = None,
            value: object = None, expected: str | None = None) -> None:
        row = self.rows[pos] if pos is not None else None
        name = self.headers.get(column, column) if column else None
        self.items.append(InputProblem(self.file, message, row, name, value, expected))

    def add_where(self, mask: np.ndarray | pd.Series, message: str, *, column: str | None,
                  values: pd.Series | None = None, expected: str | None = None) -> None:
        for pos in np.flatnonzero(np.asarray(mask, dtype=bool)):
            value = None if values is None else values.iat[pos]
            self.add(message, pos=int(pos), column=column, value=value, expected=expected)

    def sorted(self) -> list[InputProblem]:
        return sorted(self.items, key=lambda p: (p.row is not None, p.row or 0))


def _labels(field: str) -> str:
    return ", ".join(label.lower() for label in vocabulary_labels(field).values())


class _Cells:
    """The user's table with canonical column names; a missing column reads as empty cells."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.n = len(frame)
        self._texts: dict[str, pd.Series] = {}

    def has(self, column: str) -> bool:
        return column in self.frame.columns

    def raw(self, column: str) -> pd.Series:
        return self.frame[column] if self.has(column) else pd.Series([None] * self.n, dtype=object)

    def text(self, column: str) -> pd.Series:
        """The column as text ('' when empty); computed once per column."""
        if column not in self._texts:
            self._texts[column] = _texts(self.raw(column))
        return self._texts[column].copy()


def _texts(values: pd.Series) -> pd.Series:
    """:func:`_as_text` of every cell; a column of (stripped) text or empty cells needs no loop."""
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return values.fillna("").astype(str).reset_index(drop=True)
    return values.map(_as_text).astype(str).reset_index(drop=True)


def _check(table: _Table, *, geocode: bool) -> tuple[gpd.GeoDataFrame | None, list[InputProblem]]:
    """The asset table of a file as read, or None and every problem in it.

    One step per column group, in the order the problems used to be listed.
    """
    cells, headers = _canonical_cells(table)
    p = _Problems(table.file, table.rows, headers)
    p.items.extend(table.problems)
    has_location = _check_columns(p, cells, table.geometry, headers)
    ids = _check_ids(p, cells, table)
    values = {"id": ids, "naam": _check_names(p, cells)}
    values.update(_check_vocabularies(p, cells))
    booleans = _check_booleans(p, cells, values["soort"])
    values["laatste_contact"] = _dates(p, cells.raw("laatste_contact"))
    values["capaciteit"] = _check_capacity(p, cells)
    values.update(_check_email_website(p, cells))
    values["relaties"] = _relations(p, cells.text("relaties"), ids)
    x, y = _check_locations(p, cells, table.geometry, headers, values["soort"], geocode=geocode,
                            has_location=has_location)
    p.emit_notes()
    problems = p.sorted()
    if problems:
        return None, problems
    return _asset_table(cells, values, booleans, x, y, table.rows), []


def _canonical_cells(table: _Table) -> tuple[_Cells, dict[str, str]]:
    """Cells under canonical column names, and canonical name -> the user's header."""
    rename = schema.rename_columns(list(table.frame.columns), "assets")
    headers = {canon: orig for orig, canon in rename.items()}
    _note_unused_columns(table, [c for c in table.frame.columns if c not in rename], rename)
    df = table.frame[list(rename)].rename(columns=rename).reset_index(drop=True)
    return _Cells(df), headers


def _note_unused_columns(table: _Table, ignored: list[str], rename: dict[str, str]) -> None:
    """Name unknown columns, and columns that say the same as an earlier one (by header and letter)."""
    if not ignored:
        return
    lookup = schema.aliases("assets")
    used = {canon: name for name, canon in rename.items()}

    def where(name: str) -> str:
        text, j = table.sources.get(name, (name, None))
        return f"'{text}'" + (f" (kolom {_column_letter(j)})" if j is not None else "")

    unknown = []
    for name in ignored:
        text = table.sources.get(name, (name, None))[0]
        first = used.get(lookup.get(schema.normalise_key(text), ""))
        if first is None:
            unknown.append(where(name))
        else:
            note(f"{Path(table.file).name}: kolom {where(name)} staat er dubbel naast kolom {where(first)}; "
                 f"alleen kolom {where(first)} is gelezen.")
    if unknown:
        note(f"{Path(table.file).name}: kolom(men) {', '.join(unknown)} onbekend en daarom niet gebruikt.")


def _check_columns(p: _Problems, cells: _Cells, geometry: gpd.GeoSeries | None,
                   headers: dict[str, str]) -> bool:
    """Record missing required and paired columns; whether the file has any way to locate a row."""
    for column in ("naam", "soort"):
        if not cells.has(column):
            p.add("verplichte kolom ontbreekt", column=column, expected=f"een kolom '{column}'")
    cols = set(cells.frame.columns)
    for a, b in (("lat", "lon"), ("lon", "lat"), ("x", "y"), ("y", "x")):
        if a in cols and b not in cols:
            p.add(f"kolom '{b}' ontbreekt naast kolom '{headers[a]}'", column=a,
                  expected=f"zowel '{a}' als '{b}'")
    has_location = (geometry is not None or {"lat", "lon"} <= cols or {"x", "y"} <= cols
                    or "adres" in cols)
    if not has_location and not ({"lat", "lon", "x", "y"} & cols):
        p.add("geen kolommen voor de locatie", column=None, expected=_EXPECTED_LOCATION)
    return has_location


def _check_ids(p: _Problems, cells: _Cells, table: _Table) -> pd.Series:
    """The ids (empty and duplicate ones recorded), or A0001.. when the file has no id column."""
    if not cells.has("id"):
        width = max(4, len(str(cells.n)))
        ids = pd.Series([f"A{i:0{width}d}" for i in range(1, cells.n + 1)], dtype=str)
        note(f"{Path(table.file).name}: geen kolom 'id'; de rijen krijgen de codes "
             f"{ids.iat[0]} tot en met {ids.iat[-1]}.")
        return ids
    ids = cells.text("id")
    p.add_where(ids == "", "id is leeg", column="id", expected="een unieke code, bijv. A01")
    keys = ids.str.casefold()
    dup = keys.duplicated(keep=False).to_numpy() & (ids != "").to_numpy()
    for _, positions in pd.Series(np.flatnonzero(dup)).groupby(keys[dup].to_numpy()):
        first = int(positions.iat[0])
        for pos in positions.iloc[1:]:
            p.add(f"id komt dubbel voor (rij {table.rows[first]} en rij {table.rows[int(pos)]})",
                  pos=int(pos), column="id", value=ids.iat[int(pos)], expected="een unieke code per rij")
    return ids


def _check_names(p: _Problems, cells: _Cells) -> pd.Series:
    naam = cells.text("naam")
    if cells.has("naam"):
        p.add_where(naam == "", "naam is leeg", column="naam")
    return naam


def _check_vocabularies(p: _Problems, cells: _Cells) -> dict[str, pd.Series]:
    """soort (strict), categorie (fallback: the soort's), fase (fallback 'onbekend') and doelgroepen.

    Only ``soort`` is required: an unknown soort is a problem. Unknown values of the
    other fields take their fallback (``schema.parse_or_default``) with a note per row.
    """
    soort = _kind_column(p, cells.text("soort"), present=cells.has("soort"))
    default_cat = soort.map(kind_defaults()["categorie"].to_dict()).fillna("").astype(str)
    return {
        "soort": soort,
        "categorie": _optional_column(p, cells.text("categorie"), "categorie", default_cat),
        "fase": _optional_column(p, cells.text("fase"), "fase", None),
        "doelgroepen": _target_groups(p, cells.text("doelgroepen")),
    }


def _check_booleans(p: _Problems, cells: _Cells, soort: pd.Series) -> dict[str, pd.Series]:
    """The yes/no columns; an empty ``ontmoetingsplek`` takes the default of the soort."""
    meeting = {k: bool(schema.parse_bool(v)) for k, v in kind_defaults()["ontmoetingsplek"].items()}
    default_meeting = pd.Series([meeting.get(code, False) for code in soort], dtype=bool)
    booleans: dict[str, pd.Series] = {}
    for column in BOOL_COLUMNS:
        values = cells.text(column)
        parsed = values.map({v: schema.parse_bool(v) for v in values.unique()})
        p.add_where(parsed.isna() & (values != ""), "geen ja/nee-waarde", column=column,
                    values=values, expected="ja of nee")
        default = default_meeting if column == "ontmoetingsplek" else pd.Series(False, index=cells.frame.index)
        booleans[column] = parsed.where(values != "", default).fillna(False).astype(bool)
    return booleans


def _check_capacity(p: _Problems, cells: _Cells) -> np.ndarray:
    raw = cells.raw("capaciteit")
    labels, first = _distinct(raw)
    numbers, unreadable = schema.parse_capacities(raw.iloc[first].tolist())
    capacity, bad = numbers[labels], unreadable[labels]
    p.add_where(bad, "geen getal", column="capaciteit", values=cells.text("capaciteit"),
                expected=schema.CAPACITY_EXPECTED)
    p.add_where(capacity < 0, "capaciteit kan niet negatief zijn", column="capaciteit",
                values=cells.text("capaciteit"), expected="0 of meer")
    return capacity


def _check_email_website(p: _Problems, cells: _Cells) -> dict[str, pd.Series]:
    """E-mail without 'mailto:', website with 'https://' added when it has no scheme."""
    email = cells.text("email").str.replace(r"^mailto:", "", regex=True, case=False).str.strip()
    p.add_where((email != "") & ~email.str.match(_EMAIL_RE.pattern), "lijkt geen e-mailadres",
                column="email", values=email, expected="bijv. naam@voorbeeld.nl")
    website = cells.text("website")
    website = website.where((website == "") | website.str.match(_URL_SCHEME_RE.pattern, case=False),
                            "https://" + website)
    bad_site = (website != "") & ~website.str.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^\s/]+\.[^\s]+$")
    p.add_where(bad_site, "lijkt geen webadres", column="website", values=cells.text("website"),
                expected="bijv. www.voorbeeld.nl")
    return {"email": email, "website": website}


def _check_locations(p: _Problems, cells: _Cells, geometry: gpd.GeoSeries | None, headers: dict[str, str],
                     soort: pd.Series, *, geocode: bool, has_location: bool) -> tuple[np.ndarray, np.ndarray]:
    """RD x and y per row: from geometry or coordinates, else (with ``geocode``) from the address."""
    adres = cells.text("adres")
    x, y, failed = _locate(p, cells.frame, geometry, headers, cells.n)
    unlocated = np.isnan(x) & ~failed
    address_only = unlocated & (adres != "").to_numpy()
    if geocode and address_only.any():
        _geocode_rows(p, cells, soort, np.flatnonzero(address_only), x, y)
    elif address_only.any():
        p.add_where(address_only, _ADDRESS_ONLY, column="adres", values=adres)
    if has_location:
        p.add_where(unlocated & ~address_only, "geen locatie", column=None,
                    expected=_EXPECTED_LOCATION)
    return x, y


def _geocode_rows(p: _Problems, cells: _Cells, soort: pd.Series, rows: np.ndarray,
                  x: np.ndarray, y: np.ndarray) -> None:
    """Fill x and y of ``rows`` from their address; record addresses PDOK does not know."""
    adres = cells.text("adres")
    query = pd.DataFrame({"adres": adres.iloc[rows].to_numpy(),
                          "postcode": cells.text("postcode").iloc[rows].to_numpy(),
                          "plaats": cells.text("plaats").iloc[rows].to_numpy(),
                          "soort": soort.iloc[rows].to_numpy()})
    for pos, point in zip(rows, geocode_addresses(query)):
        if point is None or point.is_empty:
            p.add("adres niet gevonden bij de PDOK Locatieserver", pos=int(pos), column="adres",
                  value=adres.iat[pos], expected="straat, huisnummer en plaats of postcode")
        else:
            x[pos], y[pos] = point.x, point.y


def _asset_table(cells: _Cells, values: dict[str, object], booleans: dict[str, pd.Series],
                 x: np.ndarray, y: np.ndarray, rows: list[int]) -> gpd.GeoDataFrame:
    """The checked values as the asset table (architecture.md), a person's address left out."""
    soort = values["soort"]
    out = pd.DataFrame({
        **{column: np.asarray(value) for column, value in values.items()},
        "label": soort.map(vocabulary_labels("soort")).to_numpy(),
        "osm_id": "",
        "herkomst": schema.ORIGIN_HAND,
        "standaard_zichtbaar": True,
        "kleine_plek": False,
    })
    for column in PLAIN_TEXT_COLUMNS:
        out[column] = cells.text(column).to_numpy()
    for column, flags in booleans.items():
        out[column] = flags.to_numpy()
    # a person's (home) address never leaves the loader
    out.loc[(soort == "persoon").to_numpy(), "adres"] = ""
    out = out[schema.ASSET_COLUMNS]
    for column in schema.ASSET_COLUMNS:
        if column in BOOL_COLUMNS or column in ("standaard_zichtbaar", "kleine_plek"):
            out[column] = out[column].astype(bool)
        elif column == "capaciteit":
            out[column] = out[column].astype(float)
        elif column != "laatste_contact":
            out[column] = out[column].astype(str)
    return gpd.GeoDataFrame(out, geometry=shapely.points(x, y), crs=settings.crs)


def _kind_column(p: _Problems, values: pd.Series, *, present: bool) -> pd.Series:
    """Codes of ``soort`` ('' where empty or unknown); empty and unknown values are problems."""
    lookup = {v: (schema.parse_value("soort", v) if v else "") for v in values.unique()}
    codes = values.map(lookup)
    if present:
        p.add_where(values == "", "soort is leeg", column="soort", expected=_labels("soort"))
        for value in values[codes.isna()].unique():
            hint = schema.did_you_mean("soort", value)
            p.add_where(values == value, "onbekende soort" + (f" ({hint})" if hint else ""),
                        column="soort", values=values, expected=_labels("soort"))
    return codes.fillna("").astype(str)


def _optional_column(p: _Problems, values: pd.Series, field: str, defaults: pd.Series | None) -> pd.Series:
    """Codes of an optional vocabulary column; an unknown value takes the row's fallback with a note.

    ``defaults`` is the fallback per row (the soort's categorie); None: ``schema.DEFAULTS[field]``.
    One lookup per distinct (value, fallback) pair, not per row.
    """
    fallback = defaults if defaults is not None else pd.Series(schema.DEFAULTS[field], index=values.index)
    pairs = pd.DataFrame({"value": values.to_numpy(), "fallback": fallback.to_numpy()})
    parsed = {
        (v, f): schema.parse_or_default(field, v, default=f, column=p.headers.get(field, field))
        for v, f in pairs.drop_duplicates().itertuples(index=False)
    }
    results = [parsed[key] for key in zip(pairs["value"].tolist(), pairs["fallback"].tolist())]
    for pos in np.flatnonzero([message is not None for _, message in results]):
        p.note(results[pos][1], pos=int(pos))
    return pd.Series([code for code, _ in results], dtype=str)


#: Separators between target groups in one cell: ';' ',' '/' '&' and the word 'en'.
_GROUP_SPLIT_RE = re.compile(r"[;,/]")
_GROUP_AND_RE = re.compile(r"\s*&\s*|\s+en\s+", re.IGNORECASE)


@lru_cache(maxsize=4096)
def _parse_groups(value: str, column: str) -> tuple[str, tuple[str, ...]]:
    """'senioren, jongeren en katten' -> ('senioren; jeugd', (note on 'katten',))."""
    codes: list[str] = []
    notes: list[str] = []
    for part in _GROUP_SPLIT_RE.split(value):
        part = part.strip()
        whole = schema.parse_value("doelgroep", part) if part else None
        for word in [part] if whole or not part else _GROUP_AND_RE.split(part):
            code, message = schema.parse_or_default("doelgroep", word, column=column)
            if message:
                notes.append(message)
            if code and code not in codes:
                codes.append(code)
    return "; ".join(codes), tuple(notes)


def _target_groups(p: _Problems, values: pd.Series) -> pd.Series:
    """Doelgroep codes '; '-joined; unknown groups are dropped with a note (one parse per distinct cell)."""
    column = p.headers.get("doelgroepen", "doelgroepen")
    parsed = {v: _parse_groups(v, column) for v in values.unique()}
    results = values.map(parsed)
    for pos in np.flatnonzero(results.map(lambda r: bool(r[1])).to_numpy()):
        for message in results.iat[pos][1]:
            p.note(message, pos=int(pos))
    return results.map(lambda r: r[0]).astype(str).reset_index(drop=True)


#: Dutch month names, for the note on an ambiguous date.
_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
           "oktober", "november", "december")


def _read_date(value: object, today: date) -> tuple[date | None, str | None, str | None]:
    """(day, problem, note) of one ``laatste_contact`` cell.

    Rule: 'd-m-yyyy' and 'd/m/yyyy' are read day first, as in the Netherlands. A
    'd/m/yyyy' whose day and month are both 12 or less could be an American
    month-first date (10/1/2026: 1 October?): read day first, with a note.
    """
    try:
        day = _parse_date(value)
    except ValueError as exc:
        return None, ("deze datum bestaat niet" if str(exc) == "bestaat niet" else "geen geldige datum"), None
    if day is not None and day > today:
        return None, "datum ligt in de toekomst", None
    text = value.strip() if isinstance(value, str) else ""
    m = _DMY_DATE_RE.match(text)
    if day is None or not m or "/" not in text or day.day == day.month or max(day.day, day.month) > 12:
        return day, None, None
    other = date(day.year, day.day, day.month)
    return day, None, (f"datum '{text}' gelezen als {day.day} {_MONTHS[day.month - 1]} {day.year} "
                       f"(dag/maand/jaar); was het {other.day} {_MONTHS[other.month - 1]} {other.year}, "
                       f"schrijf dan {other.isoformat()}")


def _dates(p: _Problems, values: pd.Series) -> pd.Series:
    """``laatste_contact`` as dates (datetime64 at midnight, NaT when empty or wrong), one parse per distinct cell."""
    today = date.today()
    labels, first = _distinct(values)
    parsed = [_read_date(values.iat[i], today) for i in first]
    column = p.headers.get("laatste_contact", "laatste_contact")
    for k, (_, problem, remark) in enumerate(parsed):
        if problem is None and remark is None:
            continue
        for pos in np.flatnonzero(labels == k):
            if problem:
                expected = "een datum tot en met vandaag" if "toekomst" in problem else _EXPECTED_DATE
                p.add(problem, pos=int(pos), column="laatste_contact", value=_as_text(values.iat[first[k]]),
                      expected=expected)
            else:
                p.note(f"{remark} (kolom '{column}')", pos=int(pos))
    days = pd.to_datetime(pd.Series([d for d, _, _ in parsed], dtype=object)).to_numpy(dtype="datetime64[ns]")
    return pd.Series(days[labels], dtype="datetime64[ns]")


def _relations(p: _Problems, values: pd.Series, ids: pd.Series) -> pd.Series:
    """The loader's form of each ``relaties`` cell (see :mod:`abcd_map.relation_text`), problems recorded."""
    known = {key: value for key, value in zip(ids.str.casefold().tolist(), ids.tolist()) if value}
    out = [""] * len(values)
    cells = values.tolist()
    for pos in np.flatnonzero((values != "").to_numpy()):
        pos, value = int(pos), cells[pos]
        pairs: list[tuple[str, str]] = []
        # 'verwijst naar:A12; partner van:A03, A04' -- one kind may name several ids
        for item in parse_relation_text(value):
            if not _relation_item_readable(p, pos, item):
                continue
            targets = _relation_targets(p, pos, item, known)  # checked even when the type is unknown
            if item.code:
                pairs.extend((item.code, target) for target in targets)
        out[pos] = format_relation_text(pairs)
    return pd.Series(out, dtype=str)


def _relation_item_readable(p: _Problems, pos: int, item: RelationItem) -> bool:
    """Whether an item has a type and ids; records unreadable items and unknown types."""
    if not item.kind or not item.targets:
        p.add("relatie niet leesbaar", pos=pos, column="relaties", value=item.text,
              expected="soort relatie:id, bijv. verwijst naar:A12 (meer ids met komma's)")
        return False
    if not item.code:
        _, message = schema.parse_or_default("relatie", item.kind, column=p.headers.get("relaties", "relaties"))
        p.note(message or f"onbekende soort relatie '{item.kind}'", pos=pos)
    return True


def _relation_targets(p: _Problems, pos: int, item: RelationItem, known: dict[str, str]) -> list[str]:
    """The ids (as in the id column) an item names; records ids that are not in the file."""
    found = []
    for target in item.targets:
        target_id = known.get(target.casefold())
        if target_id is None:
            p.add(f"relatie naar id '{target}' dat niet in het bestand staat", pos=pos,
                  column="relaties", value=item.text, expected="een id uit de kolom 'id'")
        else:
            found.append(target_id)
    return found


#: A source of coordinates: northing, easting, kind ("geometry", "y" or "lat") and the user's two headers.
_Source = tuple[np.ndarray, np.ndarray, str, str | None, str | None]


def _locate(p: _Problems, df: pd.DataFrame, geometry: gpd.GeoSeries | None,
            headers: dict[str, str], n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """RD x/y per row (NaN when unknown) and a mask of rows with a location problem.

    Priority: the file's geometry, then x/y, then lat/lon.
    """
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    failed = np.zeros(n, dtype=bool)
    sources: list[_Source] = []
    if geometry is not None:
        sources.append(_geometry_source(p, geometry, failed))
    for north, east in (("y", "x"), ("lat", "lon")):
        if north in df.columns and east in df.columns:
            sources.append(_column_source(p, df, headers, north, east, failed))
    for source in sources:
        px, py, ok = _check_source(p, df, source, failed)
        take = ok & np.isnan(x)
        x[take] = px[take]
        y[take] = py[take]
    return x, y, failed & np.isnan(x)


def _geometry_source(p: _Problems, geometry: gpd.GeoSeries, failed: np.ndarray) -> _Source:
    """Coordinates of point geometries (a one-part MultiPoint counts); other geometries recorded."""
    geoms = geometry.to_numpy()
    kinds = shapely.get_type_id(geoms)
    present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    single_multi = (kinds == 4) & (shapely.get_num_geometries(geoms) == 1)
    points = np.where(single_multi, shapely.get_geometry(geoms, 0), geoms)
    is_point = present & ((kinds == 0) | single_multi)
    for pos in np.flatnonzero(present & ~is_point):
        p.add(f"geometrie is geen punt maar {geoms[pos].geom_type}", pos=int(pos), column="geometry",
              expected="een punt (Point)")
        failed[pos] = True
    pts = gpd.GeoSeries(np.where(is_point, points, None), crs=geometry.crs)
    epsg = geometry.crs.to_epsg() if geometry.crs is not None else None
    if geometry.crs is not None and epsg not in (4326, 28992):
        pts = pts.to_crs(settings.crs_wgs84)
    gx = np.where(is_point, shapely.get_x(pts.to_numpy()), np.nan)
    gy = np.where(is_point, shapely.get_y(pts.to_numpy()), np.nan)
    return gy, gx, "geometry", None, None


def _column_source(p: _Problems, df: pd.DataFrame, headers: dict[str, str], north: str, east: str,
                   failed: np.ndarray) -> _Source:
    """Numbers of a pair of coordinate columns; text and half-filled pairs recorded."""
    first, bad_first = _parse_numbers(df[north])
    second, bad_second = _parse_numbers(df[east])
    for column, bad in ((north, bad_first), (east, bad_second)):
        if not bad.any():
            continue
        p.add_where(bad, "geen getal", column=column, values=df[column].map(_as_text),
                    expected="een getal, bijv. 52,0116 of 52.0116")
    failed |= bad_first | bad_second
    empty_first = np.isnan(first) & ~bad_first
    empty_second = np.isnan(second) & ~bad_second
    half = empty_first != empty_second
    for pos in np.flatnonzero(half):
        given, empty = (north, east) if empty_second[pos] else (east, north)
        p.add(f"'{headers[given]}' is ingevuld maar '{headers[empty]}' is leeg", pos=int(pos),
              column=empty, expected=f"zowel '{headers[north]}' als '{headers[east]}'")
    failed |= half
    return first, second, north, headers[north], headers[east]


def _check_source(p: _Problems, df: pd.DataFrame, source: _Source,
                  failed: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """RD x, y and ok mask of one source; swapped and foreign points recorded, units noted."""
    first, second, kind, name_first, name_second = source
    px, py, ok, swapped, outside, degrees = _classify(first, second)
    columns = f"kolommen '{name_first}' en '{name_second}'" if name_first else "coördinaten van de geometrie"
    column = "geometry" if kind == "geometry" else kind
    if kind != "geometry":
        lost = _lost_decimal_separators(p, first, second, ok & degrees, ok & ~degrees, kind)
        ok, swapped, outside = ok & ~lost, swapped & ~lost, outside & ~lost
        failed |= lost
    for pos in np.flatnonzero(swapped):
        what = "breedte- en lengtegraad" if degrees[pos] else "x en y"
        p.add(f"{what} lijken verwisseld ({columns})", pos=int(pos),
              column=column, value=f"{first[pos]:.10g}, {second[pos]:.10g}")
    for pos in np.flatnonzero(outside):
        p.add(f"punt ligt buiten Nederland ({columns})", pos=int(pos),
              column=column, value=f"{first[pos]:.10g}, {second[pos]:.10g}",
              expected="een punt in Nederland (breedtegraad 50,7-53,7 en lengtegraad 3,2-7,3, "
                       "of RD x 0-300000 en y 289000-629000)" + _thousands_dot_hint(df, kind, pos))
    failed |= swapped | outside
    if kind == "lat" and (ok & ~degrees).any():
        note(f"De kolommen '{name_first}' en '{name_second}' bevatten RD-coördinaten (meters); "
             "ze zijn gelezen als y en x (RD New).")
    if kind == "y" and (ok & degrees).any():
        note(f"De kolommen '{name_first}' en '{name_second}' bevatten graden; ze zijn gelezen "
             "als breedte- en lengtegraad (WGS84).")
    return px, py, ok


def _lost_decimal_separators(p: _Problems, first: np.ndarray, second: np.ndarray, in_degrees: np.ndarray,
                             in_rd: np.ndarray, kind: str) -> np.ndarray:
    """Rows of a degrees column pair with a cell that lost its decimal separator; each such cell recorded.

    The pair holds degrees or RD metres by the majority of its plausible rows, not
    per row: one 52.0062 that a Dutch Excel turned into 520062 would otherwise read
    as an RD point more than a kilometre away. In a degrees majority, a cell beyond
    90 (breedtegraad) or 180 (lengtegraad) is an error of its row and column. In
    columns named lat/lon, a pair of numbers that both read as Dutch degrees once a
    comma is put back (520062, 43571: in the North Sea as RD) is one too.
    """
    lost = np.zeros(len(first), dtype=bool)
    if in_degrees.sum() > in_rd.sum():
        suspect = ~in_degrees
    elif kind == "lat":
        suspect = np.zeros(len(first), dtype=bool)
        for pos in np.flatnonzero(~in_degrees & ((np.abs(first) > 90) | (np.abs(second) > 180))):
            suspect[pos] = None not in (_decimal_guess(first[pos], NL_LAT), _decimal_guess(second[pos], NL_LON))
    else:
        return lost
    east = "lon" if kind == "lat" else "x"
    for values, limit, what, column, bounds in ((first, 90, "breedtegraad", kind, NL_LAT),
                                                (second, 180, "lengtegraad", east, NL_LON)):
        for pos in np.flatnonzero(suspect & (np.abs(values) > limit)):
            p.add(_decimal_message(values[pos], what, bounds), pos=int(pos), column=column,
                  expected=f"een {what} als {_dutch(sum(bounds) / 2)}")
            lost[pos] = True
    return lost


def _dutch(number: float) -> str:
    return f"{number:.4f}".rstrip("0").rstrip(".").replace(".", ",")


def _decimal_guess(value: float, bounds: tuple[float, float]) -> str | None:
    """'52,0062' for 520062 when a comma after the first one or two digits lands within ``bounds``."""
    if not np.isfinite(value):
        return None
    digits = re.sub(r"\D", "", f"{abs(value):.12g}")
    for k in (1, 2):
        guess = f"{digits[:k]},{digits[k:]}"
        if len(digits) > k + 1 and bounds[0] <= float(guess.replace(",", ".")) <= bounds[1]:
            return guess
    return None


def _decimal_message(value: float, what: str, bounds: tuple[float, float]) -> str:
    """'520062 is geen breedtegraad; bedoelde je 52,0062? Controleer het decimaalteken'."""
    written = f"{value:.12g}"
    guess = _decimal_guess(value, bounds)
    if guess:
        return f"{written} is geen {what}; bedoelde je {guess}? Controleer het decimaalteken"
    return f"{written} is geen {what}; controleer het decimaalteken"


def _thousands_dot_hint(df: pd.DataFrame, kind: str, pos: int) -> str:
    """'84.600' typed as RD metres with a thousands dot reads as 84.6: say so."""
    dots = kind == "y" and all(re.fullmatch(r"\d{1,3}\.\d{3}", _as_text(df[c].iloc[pos]).strip())
                               for c in ("y", "x"))
    return "; gebruik geen punt als scheiding van duizendtallen (84600, niet 84.600)" if dots else ""


def _within(values: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    return (values >= bounds[0]) & (values <= bounds[1])


def _classify(first: np.ndarray, second: np.ndarray):
    """Interpret (northing, easting) pairs as WGS84 degrees or RD metres.

    Returns RD x, RD y, ok mask, swapped mask, outside mask and a degrees mask.
    """
    both = ~np.isnan(first) & ~np.isnan(second)
    degrees = both & (np.abs(first) <= 90) & (np.abs(second) <= 180)
    metres = both & ~degrees
    in_deg = degrees & _within(first, NL_LAT) & _within(second, NL_LON)
    swap_deg = degrees & ~in_deg & _within(second, NL_LAT) & _within(first, NL_LON)
    in_rd = metres & _within(second, NL_X) & _within(first, NL_Y)
    swap_rd = metres & ~in_rd & _within(first, NL_X) & _within(second, NL_Y)
    x = np.full(len(first), np.nan)
    y = np.full(len(first), np.nan)
    if in_deg.any():
        x[in_deg], y[in_deg] = wgs84_to_rd(second[in_deg], first[in_deg])
    x[in_rd], y[in_rd] = second[in_rd], first[in_rd]
    ok = in_deg | in_rd
    swapped = swap_deg | swap_rd
    return x, y, ok, swapped, both & ~ok & ~swapped, degrees


# --------------------------------------------------------------------------- geocoding


def _http_get_json(url: str, params: dict, timeout: float) -> dict:
    """GET a JSON document; the one place that touches the network (tests replace it)."""
    return _http.get_json(
        url, params, timeout=timeout,
        offline_message="De PDOK Locatieserver is niet bereikbaar; controleer de internetverbinding "
                        "of vul lat/lon in plaats van adressen in.")


def _pdok_lookup(query: str) -> dict:
    """RD coordinates ``{"x": .., "y": ..}`` of an address (None values: not found)."""
    params = {"q": query, "rows": 1, "fq": "type:adres"}
    data = _http_get_json(PDOK_LOCATIESERVER_URL, params, GEOCODE_TIMEOUT)
    docs = (data.get("response") or {}).get("docs") or []
    point = shapely.from_wkt(docs[0]["centroide_rd"]) if docs and docs[0].get("centroide_rd") else None
    if not isinstance(point, shapely.Point) or point.is_empty:
        return {"x": None, "y": None}
    return {"x": point.x, "y": point.y}


def _point_from_payload(payload: dict) -> shapely.Point | None:
    if payload.get("x") is None or payload.get("y") is None:
        return None
    return shapely.Point(float(payload["x"]), float(payload["y"]))


# --------------------------------------------------------------------------- merging helpers


def _conform(assets: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Asset table with every ASSET_COLUMN, positional index, in the working CRS."""
    assets = assets.copy()
    if assets.crs is not None and assets.crs != settings.crs:
        assets = assets.to_crs(settings.crs)
    fill = {"laatste_contact": pd.NaT, "capaciteit": np.nan, "standaard_zichtbaar": True, "kleine_plek": False,
            **{column: False for column in BOOL_COLUMNS}}
    for column in schema.ASSET_COLUMNS:
        if column not in assets.columns:
            assets[column] = fill.get(column, "")
    geometry = assets.geometry
    out = gpd.GeoDataFrame(assets[schema.ASSET_COLUMNS].reset_index(drop=True),
                           geometry=geometry.reset_index(drop=True).to_numpy(), crs=settings.crs)
    for column in ("naam", "osm_id", "soort", *MERGE_FILL_COLUMNS):
        out[column] = out[column].fillna("").astype(str)
    out["kleine_plek"] = out["kleine_plek"].fillna(False).astype(bool)
    return out


def _has_point(assets: gpd.GeoDataFrame) -> np.ndarray:
    geoms = assets.geometry.to_numpy()
    return ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)


def normalise_name(name: object) -> str:
    """Lower-case name with common Dutch abbreviations expanded ("Bh. de Pauw" -> "buurthuis de pauw")."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower()
    expand = name_abbreviations()
    words = []
    for token in re.split(r"\s+", text):
        bare = token.strip(".,;:'\"()")
        words.append(expand.get(bare, bare))
    return re.sub(r"[^a-z0-9]+", " ", " ".join(words)).strip()
