"""CBS *Kerncijfers wijken en buurten* (KWB): need indicators and CBS's own facility distances.

:func:`load_kerncijfers` reads the CSV or Excel files that CBS publishes (the KWB
table, ``gwb_code_10`` ...) and what StatLine's OData exports (``WijkenEnBuurten``,
``Codering_3``, ``AfstandTotHuisartsenpraktijk_110`` ...); :func:`fetch_kerncijfers`
gets the same table online with the optional ``cbsodata`` package (cached).
Column names are looked up in ``data/kwb_columns.csv``: the first alias of a
canonical column that a file has wins; StatLine's trailing ``_<number>`` is ignored.

What the reader does with CBS's habits
--------------------------------------
* Numbers are often text, with a decimal comma (``0,7``) or point (``1.9``); both
  are read. A value with both (``1.234,5``) has a thousands point.
* ``.`` (secret or not available), an empty cell, ``-`` and the negative sentinels
  of other CBS releases (``-99997`` and lower) are **missing** (NaN), never 0.
* Codes are stripped of the spaces StatLine pads them with. ``niveau`` follows
  from the code: ``GM`` gemeente, ``WK`` wijk, ``BU`` buurt, ``NL`` land.
* ``cbs_pct_65_plus`` is taken from the file when it has the share, else computed
  as ``cbs_65_plus / cbs_inwoners`` when it has the counts (CBS's own KWB layout
  has ``a_65_oo``); otherwise it stays NaN.

Bad files raise :class:`~abcd_map.errors.InputError` naming the file, the row
(as in Excel: header = row 1), the column and the value.
"""

from __future__ import annotations

import os
import re
import tempfile
from io import StringIO
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .. import schema, settings
from ..errors import InputError, InputProblem, OfflineError, note

#: ``niveau`` per code prefix.
LEVELS = {"GM": "gemeente", "WK": "wijk", "BU": "buurt", "NL": "land"}
#: CBS distance columns, by facility code of ``data/voorzieningen.csv``.
DISTANCE_COLUMNS = {
    "huisarts": "cbs_afstand_huisarts_km",
    "supermarkt": "cbs_afstand_supermarkt_km",
    "kinderopvang": "cbs_afstand_kinderopvang_km",
    "basisschool": "cbs_afstand_basisschool_km",
}
_MISSING_TEXT = {"", ".", "-", "x", "nan", "none"}
#: Values at or below this are CBS sentinels for "secret" or "not available".
_SENTINEL = -99997.0
_EXPECTED_NUMBER = "een getal (0,7 of 0.7), of '.' als het onbekend is"


@lru_cache(maxsize=None)
def kwb_column_table() -> pd.DataFrame:
    """Canonical KWB columns with their aliases (``data/kwb_columns.csv``)."""
    return pd.read_csv(settings.data_path("kwb_columns.csv"), dtype=str, keep_default_na=False)


@lru_cache(maxsize=None)
def kwb_tables() -> dict[int, str]:
    """StatLine table id of the KWB per year (``data/kwb_tabellen.csv``)."""
    table = pd.read_csv(settings.data_path("kwb_tabellen.csv"), dtype=str, keep_default_na=False)
    return {int(j): t for j, t in zip(table["jaar"], table["tabel"])}


def _column_map(headers: list[str]) -> dict[str, str]:
    """Header in the file -> canonical column (first alias in table order wins)."""
    exact = {schema.normalise_key(h): h for h in reversed(headers)}
    bare = {schema.normalise_key(re.sub(r"_\d+$", "", str(h))): h for h in reversed(headers)}
    out: dict[str, str] = {}
    for row in kwb_column_table().itertuples():
        for alias in [row.column, *row.aliases.split("|")]:
            key = schema.normalise_key(alias)
            header = exact.get(key) or bare.get(key)
            if header is not None and header not in out:
                out[header] = row.column
                break
    return out


def parse_number(text: object) -> float | None:
    """One KWB value as a float; NaN when missing; None when it is not a number."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return np.nan
    if isinstance(text, (int, float, np.integer, np.floating)):
        value = float(text)
    else:
        s = str(text).strip().replace("\u00a0", "").replace(" ", "")
        if s.lower() in _MISSING_TEXT:
            return np.nan
        if "," in s:
            s = s.replace(".", "").replace(",", ".")
        try:
            value = float(s)
        except ValueError:
            return None
    return np.nan if value <= _SENTINEL else value


def _numbers(values: pd.Series, file: str, column: str, problems: list[InputProblem]) -> pd.Series:
    parsed = [parse_number(v) for v in values]
    for label, value, raw in zip(values.index, parsed, values):
        if value is None:
            problems.append(InputProblem(file, "geen getal", row=int(label) + 2, column=column, value=raw,
                                         expected=_EXPECTED_NUMBER))
    return pd.Series([np.nan if v is None else v for v in parsed], index=values.index, dtype=float)


def _codes(values: pd.Series, file: str, column: str, problems: list[InputProblem]) -> pd.Series:
    codes = values.astype(str).str.strip().str.upper()
    for label, code in codes.items():
        if code[:2] not in LEVELS or len(code) < 4:
            problems.append(InputProblem(file, "onbekende regiocode", row=int(label) + 2, column=column, value=code,
                                         expected="GM0503, WK050328 of BU05032805"))
    dup = codes.duplicated(keep="first") & codes.str[:2].isin(LEVELS)
    for label in codes.index[dup.to_numpy()]:
        problems.append(InputProblem(file, "regiocode komt twee keer voor", row=int(label) + 2, column=column,
                                     value=codes[label]))
    return codes


def _normalise(frame: pd.DataFrame, file: str) -> pd.DataFrame:
    """Raw KWB table (text or numbers) -> canonical table indexed by ``regiocode``.

    Rows keep their position as index (row number in the file = index + 2); empty
    rows are skipped.
    """
    frame = frame.reset_index(drop=True)
    filled = frame.astype(str).apply(lambda col: col.str.strip().isin(["", "nan", "None"])).all(axis=1)
    frame = frame[~filled.to_numpy()]
    mapping = _column_map([str(c) for c in frame.columns])
    kinds = kwb_column_table().set_index("column")["soort"]
    key = next((h for h, c in mapping.items() if c == "regiocode"), None)
    if key is None:
        raise InputError(InputProblem(file, "geen kolom met de regiocode",
                                      expected="een kolom gwb_code_10, gwb_code, WijkenEnBuurten of Codering_3"))
    problems: list[InputProblem] = []
    out = pd.DataFrame(index=frame.index)
    out["regiocode"] = _codes(frame[key], file, str(key), problems)
    out["niveau"] = out["regiocode"].str[:2].map(LEVELS)
    _read_columns(frame, mapping, kinds, out, file, problems)
    if problems:
        raise InputError(problems)
    if "cbs_pct_65_plus" not in mapping.values():
        out["cbs_pct_65_plus"] = 100.0 * out["cbs_65_plus"] / out["cbs_inwoners"].where(out["cbs_inwoners"] > 0)
    ordered = ["regiocode", "niveau"] + [c for c in kinds.index if c in out.columns and c != "regiocode"]
    return out[ordered].set_index("regiocode")


def _read_columns(frame: pd.DataFrame, mapping: dict[str, str], kinds: pd.Series, out: pd.DataFrame,
                  file: str, problems: list[InputProblem]) -> None:
    """Text and number columns into ``out`` (NaN columns for numbers the file lacks)."""
    for header, canon in mapping.items():
        if kinds[canon] == "tekst":
            out[canon] = frame[header].astype(str).str.strip()
        elif kinds[canon] == "getal":
            out[canon] = _numbers(frame[header], file, str(header), problems)
    for canon, kind in kinds.items():
        if kind == "getal" and canon not in out.columns:
            out[canon] = np.nan


def _read_csv(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    first = text.splitlines()[0] if text else ""
    sep = max([";", ",", "\t"], key=first.count)
    return pd.read_csv(StringIO(text), sep=sep, dtype=str, keep_default_na=False)


def load_kerncijfers(path: str | Path) -> pd.DataFrame:
    """Read a CBS Kerncijfers wijken en buurten file (CSV or XLSX).

    Parameters
    ----------
    path : str or Path
        CSV (``;``, ``,`` or tab separated) or Excel file with one row per region.

    Returns
    -------
    DataFrame indexed by ``regiocode`` with ``niveau`` (gemeente, wijk, buurt, land),
    ``regionaam``/``gemeentenaam`` when present, and every number column of
    ``data/kwb_columns.csv`` (NaN when the file lacks it or CBS has no value):
    ``cbs_inwoners``, ``cbs_afstand_huisarts_km``, ``cbs_afstand_supermarkt_km``,
    ``cbs_afstand_kinderopvang_km``, ``cbs_afstand_basisschool_km``, need indicators.

    Raises
    ------
    InputError
        The file cannot be read, has no code column, or has values that are not numbers.
    """
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise InputError(InputProblem(file, "bestand niet gevonden"))
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            frame = pd.read_excel(path, dtype=str, keep_default_na=False)
        else:
            frame = _read_csv(path)
    except (ValueError, OSError, ImportError) as exc:
        raise InputError(InputProblem(file, f"het bestand is niet te lezen ({exc})",
                                      expected="een CSV- of Excelbestand van CBS")) from exc
    out = _normalise(frame, file)
    out.attrs["bron"] = path.name
    return out


def join_kerncijfers(buurten: pd.DataFrame, kwb: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add the KWB columns to the buurten, by buurtcode; report codes without a partner.

    Codes are matched exactly: buurten that CBS renumbered between two releases are
    reported, not guessed.

    Parameters
    ----------
    buurten : (Geo)DataFrame
        Area table with ``buurtcode`` (and ``buurtnaam``).
    kwb : DataFrame
        Output of :func:`load_kerncijfers`.

    Returns
    -------
    joined : same type as ``buurten``, with the ``cbs_*`` columns (NaN where no match).
    unmatched : DataFrame with ``buurtcode``, ``buurtnaam`` and ``waar``: ``alleen in de
        buurtkaart`` or ``alleen in de kerncijfers`` (KWB buurten of the same gemeenten).
    """
    kb = kwb[kwb["niveau"] == "buurt"]
    numbers = kb[[c for c in kb.columns if c.startswith("cbs_")]]
    joined = buurten.join(numbers, on="buurtcode")
    ours = pd.Index(buurten["buurtcode"].astype(str).str.strip().str.upper())
    gemeenten = set(ours.str[2:6])
    theirs = kb.index[kb.index.str[2:6].isin(gemeenten)]
    names = buurten.drop_duplicates("buurtcode").set_index("buurtcode").get("buurtnaam")
    rows = [(c, "" if names is None else names.get(c, ""), "alleen in de buurtkaart")
            for c in ours.difference(kb.index)]
    kwb_names = kb["regionaam"] if "regionaam" in kb.columns else pd.Series("", index=kb.index)
    rows += [(c, kwb_names.get(c, ""), "alleen in de kerncijfers") for c in theirs.difference(ours)]
    unmatched = pd.DataFrame(rows, columns=["buurtcode", "buurtnaam", "waar"])
    if len(unmatched):
        note(f"{len(unmatched)} buurtcode(s) staan maar in één van beide bestanden (buurtkaart of kerncijfers), "
             "meestal omdat CBS buurten heeft hernummerd: " + ", ".join(unmatched["buurtcode"].head(10)) + ".")
    return joined, unmatched


def correlation(ours: pd.DataFrame, cbs: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Pearson r between our distances and CBS's, per facility, over buurten where both are known.

    Parameters
    ----------
    ours : DataFrame
        Indexed by buurtcode with ``afstand_<v>_km`` (:mod:`abcd_map.analyse.nearest`).
    cbs : DataFrame
        Indexed by code with ``cbs_afstand_<v>_km`` (:func:`load_kerncijfers`).

    Returns
    -------
    dict
        ``{voorziening: {"r": float, "n": int}}``; r is NaN with fewer than 3 pairs
        or when either side does not vary.
    """
    out: dict[str, dict[str, float]] = {}
    for code, cbs_col in DISTANCE_COLUMNS.items():
        col = f"afstand_{code}_km"
        if col not in ours.columns or cbs_col not in cbs.columns:
            continue
        pair = pd.concat([pd.to_numeric(ours[col], errors="coerce"),
                          pd.to_numeric(cbs[cbs_col], errors="coerce").reindex(ours.index)], axis=1).dropna()
        n = len(pair)
        r = np.nan
        if n >= 3 and pair.iloc[:, 0].std() > 0 and pair.iloc[:, 1].std() > 0:
            r = float(np.corrcoef(pair.iloc[:, 0], pair.iloc[:, 1])[0, 1])
        out[code] = {"r": r, "n": n}
    return out


# ------------------------------------------------------------------------- online (opt-in)
def _gemeente_code(cbsodata, table: str, gemeente: str) -> str:
    text = str(gemeente).strip()
    if re.fullmatch(r"(?i)(GM)?\d{4}", text):
        return "GM" + text[-4:]
    regions = cbsodata.get_meta(table, "WijkenEnBuurten")
    wanted = schema.normalise_key(text)
    for region in regions:
        key = str(region.get("Key", "")).strip()
        if key.startswith("GM") and schema.normalise_key(region.get("Title", "")) == wanted:
            return key
    raise InputError(InputProblem(f"CBS {table}", "CBS kent deze gemeente niet", value=gemeente,
                                  expected="de officiële gemeentenaam of een GM-code, bijv. GM0503"))


def _write_cache(path: Path, frame: pd.DataFrame) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        frame.to_csv(fh, index=False)
    os.replace(tmp, path)


def fetch_kerncijfers(gemeente: str, year: int = 2023, *, cache: bool = True) -> pd.DataFrame:
    """Download the KWB figures of one gemeente from CBS StatLine (needs ``cbsodata``).

    Parameters
    ----------
    gemeente : str
        Name ('Delft') or GM code ('GM0503').
    year : int
        KWB year; its StatLine table id comes from ``data/kwb_tabellen.csv``.
    cache : bool
        Reuse and store the download in ``settings.cache_folder()/cbs``.

    Returns
    -------
    DataFrame as :func:`load_kerncijfers`; ``attrs`` name ``cbs_tabel``, ``jaar``, ``bron``.

    Raises
    ------
    ImportError without ``cbsodata`` (``pip install abcd-map[online]``); OfflineError when
    CBS cannot be reached; InputError for an unknown year or gemeente.
    """
    tables = kwb_tables()
    if int(year) not in tables:
        raise InputError(InputProblem("kwb_tabellen.csv", "geen KWB-tabel voor dit jaar", value=year,
                                      expected=", ".join(str(j) for j in tables)))
    table = tables[int(year)]
    source = f"CBS {table} ({gemeente})"
    path = settings.cache_folder() / "cbs" / f"kwb{int(year)}_{table}_{schema.normalise_key(gemeente)}.csv"
    if cache and path.is_file():
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    else:
        frame = _download(table, gemeente)
        if cache:
            _write_cache(path, frame)
    out = _normalise(frame, source)
    out.attrs.update({"cbs_tabel": table, "jaar": int(year), "bron": f"CBS StatLine {table}"})
    return out


def _download(table: str, gemeente: str) -> pd.DataFrame:
    try:
        import cbsodata
    except ImportError as exc:
        raise ImportError("Voor kerncijfers van internet is het pakket 'cbsodata' nodig: "
                          "pip install 'abcd-map[online]'.") from exc
    try:
        code = _gemeente_code(cbsodata, table, gemeente)
        digits = code[2:]
        filters = " or ".join(f"startswith(WijkenEnBuurten,'{p}{digits}')" for p in ("GM", "WK", "BU"))
        records = cbsodata.get_data(table, filters=filters)
    except (InputError, ImportError):
        raise
    except Exception as exc:  # requests/urllib errors and blocked sockets all mean: no connection
        raise OfflineError(f"CBS StatLine is niet bereikbaar ({type(exc).__name__}); "
                           "gebruik een gedownload kerncijferbestand met load_kerncijfers().") from exc
    return pd.DataFrame.from_records(records)
