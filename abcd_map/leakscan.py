"""Leak scan: search a folder of outputs for personal data of persons.

The privacy *rules* (what each mode may show) live in :mod:`abcd_map.privacy`; this
module checks finished outputs against them, byte by byte. ``tests/test_leak.py``
uses it to prove that publiek outputs hold no person data, and you can run it on
any folder yourself::

    from abcd_map.leakscan import leak_scan
    findings = leak_scan("abcd-kaart", persons, mode="publiek")

What is searched (see :func:`leak_scan`):

* text needles per person -- names, e-mail addresses, contact persons, home
  addresses and postcodes, also HTML- and JSON-escaped, in every file and in every
  member of a zip container (.xlsx, .docx, .kmz);
* phone numbers, compared as digits (any spacing, dashes, +31 or 0031);
* coordinates: number pairs in any text read as RD x/y or WGS84 lon/lat, and every
  vertex of every layer of vector files, within a tolerance of a person's location.

``abcd_map.privacy.leak_scan`` still works (a lazy re-export) for older code.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from . import settings
from .privacy import HOME_ADDRESS_COLUMNS, PUBLIC, check_mode, is_person, may_show_person

__all__ = ["leak_scan"]

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_BREAK = re.compile(r"[\[\](){}\n]")
_WORD = re.compile(r"\w+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: Files where coordinates come as [x, y] pairs: only adjacent numbers are paired.
_PAIRED_SUFFIXES = {".html", ".htm", ".js", ".json", ".geojson"}
_PHONE = re.compile(r"\+?\d[\d\s\-.()/]{6,}\d")
#: A run of digits long enough to be a phone number without any separators.
_DIGIT_RUN = re.compile(r"\d{7,}")
#: Vector files whose layers are decoded and every vertex checked.
_VECTOR_SUFFIXES = {".gpkg", ".geojson", ".json", ".shp", ".fgb", ".gml", ".kml"}
#: Kinds of text needle that must match as whole words (not inside a longer word).
_WHOLE_WORD_KINDS = ("naam", "adres", "contactpersoon")


def _phone_digits(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    if digits.startswith("0031"):
        digits = "0" + digits[4:]
    elif digits.startswith("31") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def _file_texts(path: Path) -> list[tuple[str, str]]:
    """(label, text) pieces of a file: zip members (xlsx, docx, kmz) are opened."""
    data = path.read_bytes()
    if zipfile.is_zipfile(io.BytesIO(data)):
        out = []
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for name in zf.namelist():
                out.append((f"{path.name}:{name}", zf.read(name).decode("utf-8", errors="replace")))
        return out
    return [(path.name, data.decode("utf-8", errors="replace"))]


def _variants(text: str) -> set[str]:
    out = {text, html.escape(text), json.dumps(text)[1:-1], html.escape(json.dumps(text)[1:-1])}
    return {v.lower() for v in out if v}


def _number_pairs(text: str, window: int = 120, reach: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of numbers that lie close together in ``text`` (both orders).

    A number is paired with each of the next ``reach`` numbers within ``window``
    characters (1 for GeoJSON/HTML, where coordinates come in pairs), as long as
    no bracket, brace or line break lies between them: "[4.36, 52.01], [4.37, 52.02]"
    gives the two vertices, not the mixed pair "52.01], [4.37".
    """
    found = [(m.start(), m.end(), float(m.group())) for m in _NUMBER.finditer(text)]
    if len(found) < 2:
        return np.empty((0, 2)), np.empty((0, 2))
    start = np.array([f[0] for f in found])
    end = np.array([f[1] for f in found])
    val = np.array([f[2] for f in found])
    breaks = np.array([m.start() for m in _BREAK.finditer(text)], dtype=np.int64)
    pairs = []
    # numbers within the window after each number (typically a handful)
    for k in range(1, reach + 1):
        close = (start[k:] - start[:-k]) <= window
        between = np.searchsorted(breaks, start[k:]) - np.searchsorted(breaks, end[:-k])
        close &= between == 0
        if not close.any():
            break
        i = np.nonzero(close)[0]
        pairs.append(np.column_stack([val[i], val[i + k]]))
    p = np.vstack(pairs) if pairs else np.empty((0, 2))
    return p, p[:, ::-1]


def _persons_xy(persons: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    pts = persons[persons.geometry.notna() & ~persons.geometry.is_empty]
    pts = pts[pts.geometry.geom_type == "Point"]
    rd = pts.to_crs(settings.crs) if pts.crs is not None and pts.crs != settings.crs else pts
    wgs = rd.set_crs(settings.crs, allow_override=True).to_crs(settings.crs_wgs84)
    xy = np.column_stack([rd.geometry.x.to_numpy(), rd.geometry.y.to_numpy()])
    lonlat = np.column_stack([wgs.geometry.x.to_numpy(), wgs.geometry.y.to_numpy()])
    return xy, lonlat, pts.index


def _lonlat_to_rd(lonlat: np.ndarray) -> np.ndarray:
    from pyproj import Transformer

    if len(lonlat) == 0:
        return np.empty((0, 2))
    t = Transformer.from_crs(settings.crs_wgs84, settings.crs, always_xy=True)
    x, y = t.transform(lonlat[:, 0], lonlat[:, 1])
    return np.column_stack([x, y])


def _points_near_persons(candidates_rd: np.ndarray, persons_rd: np.ndarray, ids: list[str],
                         tolerance: float) -> list[tuple[str, float]]:
    from scipy.spatial import cKDTree

    if len(candidates_rd) == 0 or len(persons_rd) == 0:
        return []
    ok = np.isfinite(candidates_rd).all(axis=1)
    tree = cKDTree(candidates_rd[ok])
    out = []
    for i, p in enumerate(persons_rd):
        d, _ = tree.query(p, k=1)
        if d <= tolerance:
            out.append((ids[i], float(d)))
    return out


def _text_coordinates(text: str, reach: int = 3) -> np.ndarray:
    """Every nearby number pair read as RD x/y or as WGS84 lon/lat, in RD metres."""
    p, q = _number_pairs(text, reach=reach)
    pairs = np.vstack([p, q]) if len(p) else np.empty((0, 2))
    if len(pairs) == 0:
        return pairs
    rd = pairs[(pairs[:, 0] > 0) & (pairs[:, 0] < 300_000) & (pairs[:, 1] > 289_000) & (pairs[:, 1] < 630_000)]
    ll = pairs[(pairs[:, 0] > 2.5) & (pairs[:, 0] < 7.5) & (pairs[:, 1] > 50.5) & (pairs[:, 1] < 54)]
    return np.vstack([rd, _lonlat_to_rd(ll)])


def _layer_coordinates(path: Path) -> list[tuple[str, np.ndarray]]:
    import pyogrio
    import shapely

    out = []
    try:
        layers = [row[0] for row in pyogrio.list_layers(path)]
    except Exception:  # noqa: BLE001 - not a readable vector file
        return out
    for layer in layers:
        try:
            gdf = pyogrio.read_dataframe(path, layer=layer)
        except Exception:  # noqa: BLE001
            continue
        if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.isna().all():
            continue
        if gdf.crs is not None and gdf.crs != settings.crs:
            gdf = gdf.to_crs(settings.crs)
        out.append((f"{path.name}:{layer}", shapely.get_coordinates(gdf.geometry.dropna().to_numpy())))
    return out



# --------------------------------------------------------------------------- needles per person

#: A prepared text needle: (kind, person id, variant, first word of the variant, pattern).
#: The first word lets a file's word set skip most needles quickly; the pattern (if any)
#: decides a hit instead of a plain substring test.
Needle = tuple[str, str, str, str | None, re.Pattern[str] | None]


@dataclass
class _Needles:
    """Everything the scan looks for, prepared once for all files."""

    text: list[Needle]
    phones: dict[str, list[str]]  # last 9 digits -> person ids
    xy: np.ndarray  # RD locations of persons whose location may not appear
    loc_ids: list[str]  # person id per row of ``xy``


def _only_persons(persons: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The rows that are persons (all rows when there is no soort/categorie column)."""
    if "soort" in persons or "categorie" in persons:
        return persons[is_person(persons).to_numpy()]
    return persons


def _person_ids(persons: pd.DataFrame) -> pd.Series:
    if "id" in persons:
        return persons["id"].astype(str)
    return pd.Series(persons.index.astype(str), index=persons.index)


def _column_values(persons: pd.DataFrame, ids: pd.Series, col: str,
                   rows: pd.Series) -> list[tuple[str, str]]:
    """(id, stripped text) of ``col`` in ``rows``; texts shorter than 3 characters are skipped."""
    if col not in persons:
        return []
    sel = persons.loc[rows.to_numpy(), col].astype(object)
    return [(ids[i], str(v).strip()) for i, v in sel.items()
            if isinstance(v, str) and len(str(v).strip()) >= 3]


def _text_needles(persons: pd.DataFrame, ids: pd.Series, shown: pd.Series,
                  mode: str) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """(kind, id, text) needles and (id, phone digits) of what may not appear in ``mode``.

    Home addresses in every mode; in publiek also names of persons who are not shown,
    and e-mail, contact persons and telephone of every person.
    """
    all_rows = pd.Series(True, index=persons.index)
    needles: list[tuple[str, str, str]] = []
    for col in HOME_ADDRESS_COLUMNS:
        needles += [(col, i, v) for i, v in _column_values(persons, ids, col, all_rows)]
    if mode != PUBLIC:
        return needles, []
    needles += [("naam", i, v) for i, v in _column_values(persons, ids, "naam", ~shown)]
    for col in ("email", "contactpersoon"):
        needles += [(col, i, v) for i, v in _column_values(persons, ids, col, all_rows)]
    phones = [(i, _phone_digits(v)) for i, v in _column_values(persons, ids, "telefoon", all_rows)
              if len(_phone_digits(v)) >= 7]
    return needles, phones


def _postcode_forms(needle: str) -> tuple[set[str], re.Pattern[str] | None]:
    """Variants of a postcode ('9999 ZQ' and '9999zq') and a pattern with optional space."""
    compact = re.sub(r"\s+", "", needle.lower())
    if len(compact) < 6:
        return {needle.lower()}, None
    pattern = re.compile(re.escape(compact[:4]) + r"\s*" + re.escape(compact[4:]) + r"(?!\w)")
    return {compact, f"{compact[:4]} {compact[4:]}"}, pattern


def _prepare(kind: str, pid: str, needle: str) -> list[Needle]:
    """The needle in every form it can take in a file (escaped, spaced ...)."""
    if kind == "postcode":
        variants, pattern = _postcode_forms(needle)
    else:
        variants, pattern = _variants(needle), None
    out = []
    for v in variants:
        words = _WORD.findall(v)
        pat = re.compile(r"(?<!\w)" + re.escape(v) + r"(?!\w)") if kind in _WHOLE_WORD_KINDS else pattern
        out.append((kind, pid, v, words[0] if words else None, pat))
    return out


def _phone_index(phones: list[tuple[str, str]]) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for pid, digits in phones:
        index.setdefault(digits[-9:], []).append(pid)
    return index


def _needles(persons: gpd.GeoDataFrame, mode: str) -> _Needles:
    persons = _only_persons(persons)
    shown = may_show_person(persons) if mode == PUBLIC else pd.Series(True, index=persons.index)
    ids = _person_ids(persons)
    texts, phones = _text_needles(persons, ids, shown, mode)
    xy, _lonlat, loc_index = _persons_xy(persons[(~shown).to_numpy()])
    return _Needles(text=[n for kind, pid, text in texts for n in _prepare(kind, pid, text)],
                    phones=_phone_index(phones), xy=xy, loc_ids=[ids[i] for i in loc_index])


# --------------------------------------------------------------------------- searching one text

def _needle_hit(needle: Needle, low: str, words: set[str], emails: set[str]) -> bool:
    kind, _pid, variant, first, pat = needle
    if kind == "email":
        return variant in emails or (first in words and variant in low)
    if first is not None and first not in words:
        return False
    if pat is not None:
        return pat.search(low) is not None
    return variant in low


def _text_findings(text: str, where: str, needles: list[Needle]) -> list[str]:
    low = text.lower()
    words = set(_WORD.findall(low))
    emails = {e.lower() for e in _EMAIL.findall(text)}
    return [f"{where}: {n[0]} van persoon {n[1]} gevonden" for n in needles
            if _needle_hit(n, low, words, emails)]


def _phone_findings(text: str, where: str, phones: dict[str, list[str]]) -> list[str]:
    if not phones:
        return []
    found = {_phone_digits(m.group()) for m in _PHONE.finditer(text)}
    found |= {_phone_digits(m.group()) for m in _DIGIT_RUN.finditer(text)}
    cores = {d[i:i + 9] for d in found for i in range(max(len(d) - 8, 0))}
    return [f"{where}: telefoon van persoon {pid} gevonden"
            for core in cores & set(phones) for pid in phones[core]]


def _coordinate_findings(text: str, where: str, suffix: str, needles: _Needles,
                         tolerance: float) -> list[str]:
    if not len(needles.xy):
        return []
    reach = 1 if suffix in _PAIRED_SUFFIXES else 3
    near = _points_near_persons(_text_coordinates(text, reach), needles.xy, needles.loc_ids, tolerance)
    return [f"{where}: coördinaat op {dist:.1f} m van persoon {pid} gevonden" for pid, dist in near]


# --------------------------------------------------------------------------- searching one file

def _layer_findings(path: Path, rel: str, needles: _Needles, tolerance: float) -> list[str]:
    out = []
    for label, coords in _layer_coordinates(path):
        for pid, dist in _points_near_persons(coords, needles.xy, needles.loc_ids, tolerance):
            out.append(f"{rel} (laag {label.split(':', 1)[1]}): punt op {dist:.1f} m "
                       f"van persoon {pid} gevonden")
    return out


def _file_findings(path: Path, folder: Path, needles: _Needles, tolerance: float) -> list[str]:
    rel = path.relative_to(folder).as_posix()
    suffix = path.suffix.lower()
    out: list[str] = []
    for label, text in _file_texts(path):
        where = rel if label == path.name else f"{rel} ({label.split(':', 1)[1]})"
        out += _text_findings(text, where, needles.text)
        out += _phone_findings(text, where, needles.phones)
        out += _coordinate_findings(text, where, suffix, needles, tolerance)
    if suffix in _VECTOR_SUFFIXES and len(needles.xy):
        out += _layer_findings(path, rel, needles, tolerance)
    return out


def leak_scan(folder: str | Path, persons: gpd.GeoDataFrame, mode: str | None = None,
              tolerance: float = 10.0) -> list[str]:
    """Search every file under ``folder`` for personal data of ``persons``.

    Looks for names, phone numbers (any spacing, dashes or +31), e-mail addresses,
    home addresses and postcodes as text (also HTML- and JSON-escaped, also inside
    .xlsx/zip members), and for coordinates within ``tolerance`` metres of a person:
    number pairs in any text (WGS84 lon/lat or lat/lon, RD x/y; this covers GeoJSON
    embedded in HTML and CSV columns) and every vertex of every layer of vector files
    (GeoPackage, GeoJSON, ...).

    What counts as a leak depends on ``mode`` (default publiek): in publiek, the name
    and location of a person with ``toestemming`` and ``openbaar`` may appear but not
    the contact details or address; of any other person nothing may appear. In team,
    only home addresses are leaks.

    Returns
    -------
    list of str
        Findings in Dutch, e.g. "kaart.html: telefoon van persoon P02"; empty = no leak.
    """
    mode = check_mode(mode)
    folder = Path(folder)
    needles = _needles(persons, mode)
    findings: list[str] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        findings += _file_findings(path, folder, needles, tolerance)
    return list(dict.fromkeys(findings))
