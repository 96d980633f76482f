"""Outputs read as a spreadsheet or GIS user expects: names filled, counts whole, yes/no as booleans."""

from __future__ import annotations

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
