"""Outputs read as a spreadsheet or GIS user expects: names filled, counts whole, yes/no as booleans."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyogrio
import pytest

import abcd_map as am
from abcd_map.export import tidy


def test_tidy_makes_counts_whole_and_flags_boolean_but_keeps_unknown_empty():
    table = pd.DataFrame({"inwoners": [5980.0, None], "aantal_cultuur": [3.0, 0.0], "dekking_500m": [50.0, 12.5],
                          "inloop": [True, None], "naam": ["a", "b"]})
    out = tidy(table)
    assert str(out["inwoners"].dtype) == "Int64" and out["inwoners"].isna().tolist() == [False, True]
    assert out["aantal_cultuur"].tolist() == [3, 0]
    assert out["dekking_500m"].dtype == float  # a share keeps its decimals
    assert str(out["inloop"].dtype) == "boolean" and out["inloop"].isna().tolist() == [False, True]
    assert tidy(pd.DataFrame({"inwoners": [10.5]}))["inwoners"].dtype == float  # not whole: left alone


@pytest.fixture(scope="module")
def demo_out(demo_build):
    return demo_build.out


def test_csv_counts_have_no_decimals(demo_out):
    text = (demo_out / "buurten.csv").read_text(encoding="utf-8-sig").splitlines()
    header = text[0].split(";")
    first = dict(zip(header, text[1].split(";")))
    assert first["inwoners"].isdigit() and "," not in first["aantal_assets"]


def test_geopackage_booleans_are_booleans(demo_out):
    assets = pyogrio.read_dataframe(demo_out / "abcd-map.gpkg", layer="assets")
    assert assets["ontmoetingsplek"].dtype == bool
    assert set(assets["ontmoetingsplek"].unique()) == {True, False}


def test_wijknaam_is_filled_from_the_cbs_wijk_file(shared_data, tmp_path):
    cbs = shared_data / "cbs-wijkenbuurten-2015"
    result = am.build(buurten=cbs / "haaglanden_buurt.geojson", gemeente="Delft", out=tmp_path)
    assert result.buurten["wijknaam"].fillna("").ne("").all()
    assert "Wippolder" in " ".join(result.buurten["wijknaam"])
    csv = pd.read_csv(tmp_path / "buurten.csv", sep=";", encoding="utf-8-sig")
    assert csv["wijknaam"].notna().all()


def test_xlsx_cells_keep_their_type_and_text_is_never_a_formula(tmp_path):
    """Numbers, whole counts, booleans and dates as such; unknown blank; '=...' stays text."""
    import datetime as dt

    import openpyxl

    from abcd_map.export import write_xlsx

    table = pd.DataFrame({
        "naam": ["=HYPERLINK(\"http://x\")", "Buurthuis", None],
        "aantal": [3.0, np.nan, 12.0],
        "dekking_pct": [12.5, 0.0, np.nan],
        "inloop": pd.array([True, None, False], dtype="boolean"),
        "laatste_contact": pd.to_datetime(["2026-03-01", None, "2025-12-31"]),
        "gemengd": [dt.date(2026, 1, 2), 7, "tekst"],
    })
    path = write_xlsx({"assets": table}, tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(path)["assets"]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0] == list(table.columns)
    assert rows[1][0] == "=HYPERLINK(\"http://x\")" and sheet.cell(2, 1).data_type == "s"
    assert rows[1][1] == 3 and rows[2][1] is None and rows[3][1] == 12   # whole counts, unknown blank
    assert rows[1][2] == 12.5 and rows[2][2] == 0 and rows[3][2] is None  # 0 is 0, unknown is blank
    assert [r[3] for r in rows[1:]] == [True, None, False]
    assert rows[1][4] == dt.datetime(2026, 3, 1) and rows[2][4] is None
    assert sheet.cell(2, 5).number_format == "YYYY-MM-DD"
    assert rows[1][5] == dt.datetime(2026, 1, 2) and rows[2][5] == 7 and rows[3][5] == "tekst"
    assert rows[3][0] is None
