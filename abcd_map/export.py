"""Write the tables and layers of a run: CSV, Excel and GeoPackage, atomically.

Nothing is written into the output folder until every file of the run has
been made in a temporary folder beside it; then each file is moved into place
with :func:`os.replace`. A failed run leaves the output folder as it was.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from . import metrics
from .errors import AbcdError, InputError, InputProblem


@contextlib.contextmanager
def atomic_folder(out: str | Path) -> Iterator[Path]:
    """Yield a temporary folder; on success move its files into ``out``.

    The temporary folder lives inside ``out`` when that exists (so a USB stick or
    network share as ``out`` works: moves stay on one file system), else beside it.
    On any exception it is removed and ``out`` is left as it was.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(InputProblem(file=str(out), message="dit is een bestand, geen map",
                                      expected="een map voor de uitvoer (--out), bestaand of nieuw"))
    try:
        if out.is_dir():
            tmp = Path(tempfile.mkdtemp(prefix=".abcd-map-tmp-", dir=out))
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    except OSError as exc:
        raise AbcdError(f"Kan niet schrijven in '{out}': {exc.strerror or exc}. "
                        "Kies met --out een map waarin je mag schrijven.") from None
    try:
        yield tmp
        out.mkdir(parents=True, exist_ok=True)
        for src in sorted(tmp.rglob("*")):
            dest = out / src.relative_to(tmp)
            if src.is_dir():
                if dest.exists() and not dest.is_dir():
                    dest.unlink()
                dest.mkdir(parents=True, exist_ok=True)
            else:
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(src, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    """Write text (UTF-8) or bytes to ``path`` via a temporary file beside it and :func:`os.replace`.

    The file gets ordinary permissions (0666 minus the umask), not mkstemp's 0600,
    so colleagues on a shared drive can open it.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _is_flag(values: pd.Series) -> bool:
    """An object column holding only booleans (and gaps)."""
    present = values.dropna()
    return len(present) > 0 and present.map(lambda v: isinstance(v, (bool, np.bool_))).all()


def tidy(table: pd.DataFrame) -> pd.DataFrame:
    """Types as a reader expects them: counts as whole numbers, yes/no as booleans; unknown stays empty."""
    out = table.copy()
    for col in out.columns:
        values = out[col]
        if pd.api.types.is_float_dtype(values) and metrics.is_count_column(col):
            known = values.dropna()
            if (known == known.round()).all():
                out[col] = values.round().astype("Int64")
        elif values.dtype == object and _is_flag(values):
            out[col] = values.astype("boolean")
    return out


def write_csv(table: pd.DataFrame, path: str | Path) -> Path:
    """Write a table as CSV the way Dutch Excel opens it: UTF-8 with BOM, ';' and decimal comma."""
    path = Path(path)
    frame = tidy(pd.DataFrame(table.drop(columns="geometry", errors="ignore")))
    frame.to_csv(path, sep=";", decimal=",", index=False, encoding="utf-8-sig", date_format="%Y-%m-%d")
    return path


def write_xlsx(tables: dict[str, pd.DataFrame], path: str | Path) -> Path:
    """Write several tables as sheets of one Excel workbook (dates as dates, without a time).

    XlsxWriter streams the cells (openpyxl builds every cell object first: 2-3x slower on
    a list of 10,000 assets); openpyxl stays the reader and the template's writer. Cells are
    written a column at a time with the writer of their type (pandas' ``to_excel`` formats
    every cell on its own: ~20 us a cell); text is always text, never a formula or a link.
    """
    import xlsxwriter

    path = Path(path)
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
               "nan_inf_to_errors": False}
    with xlsxwriter.Workbook(str(path), options) as book:
        formats = {"head": book.add_format({"bold": True, "border": 1, "align": "center", "valign": "top"}),
                   "date": book.add_format({"num_format": "YYYY-MM-DD"})}
        for name, table in tables.items():
            frame = tidy(pd.DataFrame(table.drop(columns="geometry", errors="ignore")))
            sheet = book.add_worksheet(name[:31])
            sheet.write_row(0, 0, [str(c) for c in frame.columns], formats["head"])
            for j, col in enumerate(frame.columns):
                _write_column(sheet, j, frame[col], formats)
    return path


def _write_column(sheet, j: int, values: pd.Series, formats: dict) -> None:
    """One column below its header with the cell writer of its type; missing values stay blank."""
    known = values.notna().to_numpy()
    rows = np.flatnonzero(known) + 1
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        write, cells, fmt = sheet.write_boolean, values[known].astype(bool).tolist(), None
    elif pd.api.types.is_numeric_dtype(dtype):
        numbers = values[known].astype(float).to_numpy()
        rows, numbers = rows[np.isfinite(numbers)], numbers[np.isfinite(numbers)]
        write, cells, fmt = sheet.write_number, numbers.tolist(), None
    elif pd.api.types.is_datetime64_any_dtype(dtype):
        stamps = values[known]
        if isinstance(dtype, pd.DatetimeTZDtype):
            stamps = stamps.dt.tz_localize(None)
        write, cells, fmt = sheet.write_datetime, stamps.dt.to_pydatetime().tolist(), formats["date"]
    else:
        write, cells, fmt = _write_cell(sheet), values[known].tolist(), formats["date"]
    for row, cell in zip(rows.tolist(), cells):
        write(row, j, cell, fmt)


def _write_cell(sheet):
    """A writer for a column of mixed Python values (text, numbers, booleans, dates)."""
    def write(row: int, col: int, value, date_format) -> None:
        if isinstance(value, bool | np.bool_):
            sheet.write_boolean(row, col, bool(value))
        elif isinstance(value, int | float | np.integer | np.floating):
            if np.isfinite(value):
                sheet.write_number(row, col, float(value))
        elif isinstance(value, date | datetime | pd.Timestamp):
            sheet.write_datetime(row, col, pd.Timestamp(value).tz_localize(None).to_pydatetime()
                                 if getattr(value, "tzinfo", None) else value, date_format)
        else:
            sheet.write_string(row, col, str(value))
    return write


def write_gpkg(layers: dict[str, pd.DataFrame], path: str | Path) -> Path:
    """Write tables as layers of one GeoPackage; empty layers are skipped.

    GeoDataFrames become spatial layers; plain DataFrames attribute tables (no geometry).
    """
    import pyogrio

    path = Path(path)
    for name, layer in layers.items():
        if layer is None or len(layer) == 0:
            continue
        spatial = isinstance(layer, gpd.GeoDataFrame)
        frame = tidy(layer)
        if spatial:
            frame = gpd.GeoDataFrame(frame, geometry=layer.geometry.name, crs=layer.crs)
        for col in frame.columns:
            if (not spatial or col != frame.geometry.name) and frame[col].dtype == object:
                frame[col] = frame[col].astype("string")
        if spatial:
            frame.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
        else:
            pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG")
    return path
