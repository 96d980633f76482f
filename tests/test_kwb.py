"""Tests of abcd_map.load.kwb: CBS Kerncijfers wijken en buurten, files and (faked) StatLine."""

from __future__ import annotations

import sys
import types

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from abcd_map import settings
from abcd_map.errors import InputError, OfflineError
from abcd_map.load.kwb import (correlation, fetch_kerncijfers, join_kerncijfers, kwb_tables, load_kerncijfers,
                               parse_number)

from conftest import CBS, SHARED_DATA

KWB = SHARED_DATA / "cbs-kwb-2023"

CSV = """gwb_code_10;gm_naam;a_inw;g_afs_hp;g_afs_gs;g_afs_kv;g_afs_sc;p_wmo_t
GM0503;Delft;106086;0,6;0,6;0,4;0,6;67
WK050328  ;Delft;10000;0,7;.;0,5;0,4;.
BU05032805;Delft;2475;1,2;0.9;;0,3;55
BU05032806;Delft;0;.;.;.;.;.
"""


def test_parse_number_reads_cbs_habits():
    assert parse_number("0,7") == 0.7 and parse_number("1.9") == 1.9 and parse_number(" 12 ") == 12.0
    assert parse_number("1.234,5") == 1234.5 and parse_number(3) == 3.0
    for missing in (".", "", "-", None, "-99997", -99999999):
        assert np.isnan(parse_number(missing))
    assert parse_number("veel") is None


def test_csv_with_comma_decimals_and_dots_for_missing(tmp_path):
    path = tmp_path / "kwb.csv"
    path.write_text(CSV, encoding="utf-8")
    k = load_kerncijfers(path)
    assert list(k.index) == ["GM0503", "WK050328", "BU05032805", "BU05032806"]
    assert list(k["niveau"]) == ["gemeente", "wijk", "buurt", "buurt"]
    assert k.loc["BU05032805", "cbs_afstand_huisarts_km"] == 1.2
    assert k.loc["BU05032805", "cbs_afstand_supermarkt_km"] == 0.9  # a point decimal in the same column
    assert np.isnan(k.loc["BU05032805", "cbs_afstand_kinderopvang_km"])
    assert k.loc["BU05032806", "cbs_inwoners"] == 0.0
    # '.' is unknown, never 0
    assert k.loc["BU05032806", ["cbs_afstand_huisarts_km", "cbs_wmo_per_1000"]].isna().all()
    assert np.isnan(k.loc["GM0503", "cbs_bijstand"])  # column not in the file: NaN, not 0
    assert k.attrs["bron"] == "kwb.csv"


def test_xlsx_with_statline_odata_names(tmp_path):
    path = tmp_path / "statline.xlsx"
    pd.DataFrame({
        "ID": [0, 1, 2],
        "WijkenEnBuurten": ["GM0503    ", "WK050328  ", "BU05032805"],
        "Gemeentenaam_1": ["Delft", "Delft", "Delft"],
        "AantalInwoners_5": [106086, 10000, 2475],
        "k_65JaarOfOuder_12": [15000, 1000, 99],
        "AfstandTotHuisartsenpraktijk_110": ["0.6", "0.7", "."],
        "AfstandTotSchool_113": [0.6, 0.4, 0.3],
    }).to_excel(path, index=False)
    k = load_kerncijfers(path)
    assert list(k.index) == ["GM0503", "WK050328", "BU05032805"]
    assert k.loc["WK050328", "cbs_afstand_huisarts_km"] == 0.7
    assert np.isnan(k.loc["BU05032805", "cbs_afstand_huisarts_km"])
    assert k.loc["BU05032805", "cbs_afstand_basisschool_km"] == 0.3
    assert k.loc["BU05032805", "cbs_pct_65_plus"] == pytest.approx(4.0)  # 99 of 2475


def test_bad_file_names_file_row_and_column(tmp_path):
    path = tmp_path / "kapot.csv"
    path.write_text("gwb_code_10;g_afs_hp\nBU05032805;0,4\nBU05032806;ver\nXX1;0,1\nBU05032805;0,2\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_kerncijfers(path)
    text = str(err.value)
    assert "kapot.csv, rij 3, kolom 'g_afs_hp': geen getal (gevonden: 'ver')" in text
    assert "rij 4, kolom 'gwb_code_10': onbekende regiocode" in text
    assert "rij 5, kolom 'gwb_code_10': regiocode komt twee keer voor" in text
    nokey = tmp_path / "zonder.csv"
    nokey.write_text("naam;g_afs_hp\nDelft;0,4\n", encoding="utf-8")
    with pytest.raises(InputError, match="geen kolom met de regiocode"):
        load_kerncijfers(nokey)
    with pytest.raises(InputError, match="bestand niet gevonden"):
        load_kerncijfers(tmp_path / "weg.xlsx")


def _buurten(codes):
    return gpd.GeoDataFrame({"buurtcode": codes, "buurtnaam": [f"naam {c}" for c in codes]},
                            geometry=[None] * len(codes), crs=settings.crs)


def test_join_reports_codes_without_a_match(tmp_path):
    path = tmp_path / "kwb.csv"
    path.write_text(CSV, encoding="utf-8")
    k = load_kerncijfers(path)
    joined, unmatched = join_kerncijfers(_buurten(["BU05032805", "BU05032701"]), k)
    assert joined.loc[0, "cbs_afstand_huisarts_km"] == 1.2
    assert np.isnan(joined.loc[1, "cbs_afstand_huisarts_km"])
    assert unmatched.set_index("buurtcode")["waar"].to_dict() == {
        "BU05032701": "alleen in de buurtkaart", "BU05032806": "alleen in de kerncijfers"}


def test_correlation_pairs_known_values_only():
    ours = pd.DataFrame({"afstand_huisarts_km": [0.1, 0.2, 0.3, np.nan, 0.5],
                         "afstand_supermarkt_km": [0.1, 0.2, np.nan, np.nan, np.nan]},
                        index=["A", "B", "C", "D", "E"])
    cbs = pd.DataFrame({"cbs_afstand_huisarts_km": [0.2, 0.4, 0.6, 0.8, np.nan],
                        "cbs_afstand_supermarkt_km": [1.0, 1.0, 1.0, 1.0, 1.0]}, index=["A", "B", "C", "D", "E"])
    r = correlation(ours, cbs)
    assert r["huisarts"]["n"] == 3 and r["huisarts"]["r"] == pytest.approx(1.0)
    assert r["supermarkt"]["n"] == 2 and np.isnan(r["supermarkt"]["r"])
    assert "kinderopvang" not in r


class _FakeCbs(types.ModuleType):
    """Stands in for the cbsodata package: answers from memory and counts the calls."""

    def __init__(self, fail: bool = False):
        super().__init__("cbsodata")
        self.calls: list[tuple] = []
        self.fail = fail

    def get_meta(self, table, name):
        self.calls.append(("meta", table, name))
        return [{"Key": "GM0503    ", "Title": "Delft"}, {"Key": "GM0518    ", "Title": "'s-Gravenhage"}]

    def get_data(self, table, filters=None):
        self.calls.append(("data", table, filters))
        if self.fail:
            raise ConnectionError("geen netwerk")
        return [{"ID": 0, "WijkenEnBuurten": "GM0503    ", "AantalInwoners_5": 106086,
                 "AfstandTotHuisartsenpraktijk_110": 0.6},
                {"ID": 1, "WijkenEnBuurten": "BU05032805", "AantalInwoners_5": 2475,
                 "AfstandTotHuisartsenpraktijk_110": None}]


def test_fetch_kerncijfers_with_a_fake_cbsodata(monkeypatch, tmp_path):
    monkeypatch.setenv("ABCD_MAP_CACHE", str(tmp_path))
    fake = _FakeCbs()
    monkeypatch.setitem(sys.modules, "cbsodata", fake)
    k = fetch_kerncijfers("Delft", 2023)
    assert k.attrs["cbs_tabel"] == "85618NED" == kwb_tables()[2023] and k.attrs["jaar"] == 2023
    assert k.loc["GM0503", "cbs_afstand_huisarts_km"] == 0.6
    assert np.isnan(k.loc["BU05032805", "cbs_afstand_huisarts_km"])
    data_calls = [c for c in fake.calls if c[0] == "data"]
    assert len(data_calls) == 1 and "startswith(WijkenEnBuurten,'BU0503')" in data_calls[0][2]
    # second call: from the cache, no download
    again = fetch_kerncijfers("Delft", 2023)
    assert len([c for c in fake.calls if c[0] == "data"]) == 1
    pd.testing.assert_frame_equal(again, k)
    assert list((tmp_path / "cbs").glob("*.csv"))


def test_fetch_kerncijfers_errors(monkeypatch, tmp_path):
    monkeypatch.setenv("ABCD_MAP_CACHE", str(tmp_path))
    monkeypatch.setitem(sys.modules, "cbsodata", _FakeCbs(fail=True))
    with pytest.raises(OfflineError, match="niet bereikbaar"):
        fetch_kerncijfers("GM0503")
    with pytest.raises(InputError, match="kent deze gemeente niet"):
        fetch_kerncijfers("Atlantis")
    with pytest.raises(InputError, match="geen KWB-tabel"):
        fetch_kerncijfers("Delft", 1899)
    monkeypatch.setitem(sys.modules, "cbsodata", None)
    with pytest.raises(ImportError, match="abcd-map\\[online\\]"):
        fetch_kerncijfers("Delft", cache=False)


@pytest.mark.realdata
def test_real_haaglanden_2023(shared_data):
    k = load_kerncijfers(KWB / "haaglanden_kwb2023.xlsx")
    assert k["niveau"].value_counts().to_dict() == {"buurt": 655, "wijk": 157, "gemeente": 15}
    dist = k[[c for c in k.columns if c.startswith("cbs_afstand_")]]
    assert ((dist >= 0) & (dist < 20)).where(dist.notna(), True).all().all()  # 0,0 is a real value (< 50 m)
    assert dist.isna().sum().min() > 0  # '.' stays unknown
    assert k.loc["GM0503", "cbs_afstand_huisarts_km"] == 0.6
    assert np.isnan(k.loc["BU05031100", "cbs_afstand_huisarts_km"])  # 0 residents: '.' -> NaN, never 0
    delft = k[k.index.str.startswith("BU0503")]
    assert len(delft) == 91


@pytest.mark.realdata
def test_real_delft_join_reports_the_renumbered_buurt(shared_data):
    from abcd_map import load_buurten

    buurten = load_buurten(CBS / "haaglanden_buurt.geojson", gemeente="Delft")
    k = load_kerncijfers(KWB / "haaglanden_kwb2023.xlsx")
    joined, unmatched = join_kerncijfers(buurten, k)
    assert unmatched.set_index("buurtcode")["waar"].to_dict() == {
        "BU05032701": "alleen in de buurtkaart", "BU05032810": "alleen in de kerncijfers"}
    assert len(joined) == 91 and joined["cbs_afstand_huisarts_km"].notna().sum() > 50


@pytest.mark.realdata
def test_real_utrecht_full_layout(shared_data):
    k = load_kerncijfers(KWB / "utrecht_kwb2023.xlsx")
    assert len(k) == 122 and k.loc["GM0344", "regionaam"] == "Utrecht"
    assert k.loc["GM0344", "cbs_inwoners"] == 367947
    share = k["cbs_pct_65_plus"].dropna()
    assert len(share) > 100 and share.between(0, 100).all()  # derived from a_65_oo / a_inw
    # this file has no published distances: all unknown, none 0
    assert k["cbs_afstand_huisarts_km"].isna().all()
