"""Distances to the nearest facility in the build, CBS's own figures beside them, and gemeenten.csv."""

from __future__ import annotations

import pandas as pd
import pytest

import abcd_map as am
from abcd_map import stages
from abcd_map.options import BuildOptions


@pytest.fixture(scope="module")
def demo(demo_build):
    return demo_build.result, demo_build.out


def test_build_adds_nearest_facility_distances_per_buurt_wijk_and_gemeente(demo):
    result, out = demo
    for table in (result.buurten, result.wijken, result.gemeenten):
        assert {"afstand_ontmoetingsplek_km", "afstand_huisarts_km", "afstand_basisschool_km"} <= set(table.columns)
    known = result.buurten["afstand_ontmoetingsplek_km"].dropna()
    assert len(known) and (known >= 0).all() and (known < 2).all()


def test_gemeenten_csv_holds_the_wijk_figures_per_gemeente(demo):
    result, out = demo
    table = pd.read_csv(out / "gemeenten.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert list(table["gemeentecode"]) == ["GM9999"]
    assert table.loc[0, "inwoners"] == result.wijken["inwoners"].sum()
    assert table.loc[0, "aantal_assets"] == result.wijken["aantal_assets"].sum()
    # coverage of the gemeente is the residents-weighted coverage of its wijken
    covered = result.wijken["inwoners_binnen_500m"].sum()
    assert table.loc[0, "dekking_500m"] == pytest.approx(100 * covered / table.loc[0, "inwoners"], abs=0.1)
    assert "gemeenten" in pd.read_excel(out / "tabellen.xlsx", sheet_name=None)


@pytest.mark.slow
def test_osm_tag_survives_the_merge():
    options = BuildOptions.create()
    assets, _ = stages.combine_assets(stages.load_inputs(options))
    osm = assets[assets["herkomst"] == "OpenStreetMap"]
    assert osm["osm_tag"].str.contains("=").all()


@pytest.mark.realdata
def test_cbs_kerncijfers_appear_beside_our_distances(shared_data, tmp_path):
    result = am.build(buurten=shared_data / "cbs-wijkenbuurten-2015" / "haaglanden_buurt.geojson", gemeente="Delft",
                      osm=shared_data / "osm" / "delft-tudelft.osm.bz2",
                      cbs_kerncijfers=shared_data / "cbs-kwb-2023" / "haaglanden_kwb2023.xlsx", out=tmp_path)
    b = result.buurten.set_index("buurtcode")
    assert {"cbs_afstand_huisarts_km", "afstand_huisarts_km"} <= set(b.columns)
    assert pd.isna(b.loc["BU05032701", "cbs_afstand_huisarts_km"])  # renumbered by CBS: reported, not guessed
    assert any("BU05032810" in n for n in result.notes)
    assert any("onze looproute tegenover CBS" in n for n in result.notes)
    assert any("Kerncijfers" in s for s in result.meta["bronnen"])
    assert any(n.startswith("Behoefte-index uit de CBS-kerncijfers") for n in result.notes)
    assert b["rang"].notna().sum() >= 3


def test_difference_with_cbs_is_ours_minus_theirs_and_a_map_metric():
    import geopandas as gpd
    from shapely.geometry import box

    from abcd_map import metrics
    from abcd_map.render._data import page_data

    b = gpd.GeoDataFrame({"buurtcode": ["B1", "B2"], "buurtnaam": ["a", "b"], "wijkcode": ["W", "W"],
                          "afstand_huisarts_km": [0.4, None], "cbs_afstand_huisarts_km": [1.1, 0.5]},
                         geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)], crs="EPSG:28992")
    out = stages.with_cbs_difference(b)
    assert out["verschil_cbs_huisarts_km"].iloc[0] == pytest.approx(-0.7)
    assert pd.isna(out["verschil_cbs_huisarts_km"].iloc[1])  # unknown stays empty
    assert metrics.parse_difference_column("verschil_cbs_huisarts_km") == "huisarts"
    data = page_data(out, None, None)
    metric = {m["key"]: m for m in data["metrics"]}["verschil_cbs_huisarts_km"]
    assert metric["unit"] == "km" and len(metric["classes"]) == 5


def test_need_indicators_from_kerncijfers_and_behoefte_wins(tmp_path):
    from abcd_map.options import BuildOptions

    buurten = pd.DataFrame({"buurtcode": ["B1", "B2"], "cbs_huishoudens": [100.0, 0.0],
                            "cbs_eenpersoonshuishoudens": [40.0, 0.0], "cbs_wmo_per_1000": [50.0, 80.0],
                            "cbs_pct_laag_inkomen": [None, None]})
    need = stages.need_indicators(buurten, BuildOptions.create())
    assert list(need.columns) == ["cbs_pct_eenpersoonshuishoudens", "cbs_wmo_per_1000"]  # all-empty dropped
    assert need.loc["B1", "cbs_pct_eenpersoonshuishoudens"] == 40.0
    assert pd.isna(need.loc["B2", "cbs_pct_eenpersoonshuishoudens"])  # no households: unknown, not 0
    own = tmp_path / "behoefte.csv"
    own.write_text("buurtcode;cbs_wmo_per_1000;eenzaamheid\nB1;10;3\nB2;20;4\n", encoding="utf-8")
    mixed = stages.need_indicators(buurten, BuildOptions.create(behoefte=own))
    assert mixed.loc["B1", "cbs_wmo_per_1000"] == 10 and mixed.loc["B2", "eenzaamheid"] == 4
