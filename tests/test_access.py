"""2SFCA / E2SFCA worked out by hand, need ranking, and a cross-check against PySAL access."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from abcd_map.analyse.access import (access_per_buurt, enhanced_two_stage_fca, gaussian, load_need, rank_need,
                                     step_weights, two_stage_fca)
from abcd_map.analyse.network import Network, pair_costs
from abcd_map.errors import AbcdWarning, InputError

warnings.simplefilter("ignore", AbcdWarning)
DELFT_OSM = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "osm" / "delft-tudelft.osm.bz2"

DEMAND = pd.Series({"d1": 100.0, "d2": 200.0, "d3": 50.0})
SUPPLY = pd.Series({"s1": 10.0, "s2": 5.0})
COST = pd.DataFrame({"origin": ["d1", "d1", "d2", "d2", "d3"], "destination": ["s1", "s2", "s1", "s2", "s1"],
                     "cost": [100.0, 400.0, 300.0, 200.0, 900.0]})


def test_two_stage_fca_by_hand():
    # within 350: d1-s1, d2-s1, d2-s2. R1 = 10/300, R2 = 5/200. d3 reaches nothing -> NaN
    acc = two_stage_fca(DEMAND, SUPPLY, COST, 350)
    assert acc["d1"] == pytest.approx(10 / 300)
    assert acc["d2"] == pytest.approx(10 / 300 + 5 / 200)
    assert np.isnan(acc["d3"])
    # inclusive: at max_cost 300 d2-s1 still counts
    assert two_stage_fca(DEMAND, SUPPLY, COST, 300)["d1"] == pytest.approx(10 / 300)


def test_dense_matrix_gives_the_same():
    m = np.array([[100, 400], [300, 200], [900, np.inf]], dtype=float)
    pd.testing.assert_series_equal(two_stage_fca(DEMAND, SUPPLY, m, 350), two_stage_fca(DEMAND, SUPPLY, COST, 350))


def test_enhanced_two_stage_fca_by_hand():
    # weights: <=150 -> 1, <=350 -> 0.5. D1 = 100 + 0.5*200 = 200, D2 = 0.5*200 = 100
    acc = enhanced_two_stage_fca(DEMAND, SUPPLY, COST, 350, weights=[(150, 1.0), (350, 0.5)])
    assert acc["d1"] == pytest.approx(0.05)
    assert acc["d2"] == pytest.approx(0.5 * 0.05 + 0.5 * 0.05)
    assert np.isnan(acc["d3"])
    with pytest.raises(ValueError):
        enhanced_two_stage_fca(DEMAND, SUPPLY, COST, 350)


def test_weight_helpers():
    fn = step_weights({20: 1, 40: 0.68, 60: 0.22})
    np.testing.assert_allclose(fn(np.arange(0, 71, 10)), [1, 1, 1, 0.68, 0.68, 0.22, 0.22, 0])
    np.testing.assert_allclose(gaussian(20)(np.array([0.0, 20.0])), [1, np.exp(-0.5)])


def test_access_per_buurt_toy():
    xs = np.arange(50.0, 800.0, 100.0)
    net = Network(np.arange(8), xs, np.full(8, 200.0), np.arange(7), np.arange(1, 8), np.full(7, 100.0))
    buurten = gpd.GeoDataFrame({"buurtcode": ["BU01", "BU02"], "inwoners": [100.0, 300.0]},
                               geometry=[box(0, 0, 400, 400), box(400, 0, 800, 400)], crs="EPSG:28992")
    assets = gpd.GeoDataFrame({"ontmoetingsplek": [True], "capaciteit": [20.0]}, geometry=[Point(50, 200)],
                              crs="EPSG:28992")
    out = access_per_buurt(buurten, assets, net, 250)
    # one place of 20 shared by the 100*250/350 residents within 250 m; all of them in A
    covered = 100 * 250 / 350
    assert out.loc["BU01", "toegang_2sfca"] == pytest.approx(20 / covered * covered / 100)
    assert out.loc["BU02", "toegang_2sfca"] == 0
    assert out.loc["BU01", "toegang_per_1000"] == pytest.approx(200)


def test_rank_need_quadrants():
    table = pd.DataFrame({"dekking_500m": [10.0, 90.0, 20.0, 80.0]},
                         index=pd.Index(["BU1", "BU2", "BU3", "BU4"], name="buurtcode"))
    need = pd.DataFrame({"buurtcode": ["BU1", "BU2", "BU3", "BU4"], "p_65_plus": [30.0, 28.0, 5.0, 4.0]})
    out = rank_need(table, need)
    assert out.index[0] == "BU1" and out.loc["BU1", "rang"] == 1
    assert out.loc["BU1", "duiding"] == "hoge behoefte, lage dekking"
    assert out.loc["BU2", "duiding"] == "hoge behoefte, hoge dekking"
    assert out.loc["BU3", "duiding"] == "lage behoefte, lage dekking"
    assert out.loc["BU4", "duiding"] == "lage behoefte, hoge dekking"
    assert out.loc["BU1", "behoefte_index"] > out.loc["BU3", "behoefte_index"]


def test_rank_need_finds_the_coverage_column_and_uses_the_table_as_need():
    # keyed by a buurtcode column; the first coverage column (here a prefixed one) is used,
    # dekking_basis is text, not a coverage figure
    table = pd.DataFrame({"buurtcode": ["BU1", "BU2", "BU3"], "dekking_basis": ["inwoners"] * 3,
                          "senioren_dekking_300m": [10.0, 50.0, 90.0], "dekking_500m": [90.0, 50.0, 10.0],
                          "inwoners": [100.0, 200.0, 300.0], "p_65_plus": [30.0, 20.0, 10.0]})
    out = rank_need(table)
    assert out.attrs["dekking_kolom"] == "senioren_dekking_300m"
    assert list(out.index) == ["BU1", "BU2", "BU3"]  # most need, least coverage first
    assert list(out["dekking"]) == [10.0, 50.0, 90.0]
    with pytest.raises(InputError, match="dekkingskolom"):
        rank_need(table[["buurtcode", "dekking_basis", "p_65_plus"]])
    with pytest.raises(InputError, match="behoeftekolom"):
        rank_need(table, need_columns=["armoede"])


def test_load_need(tmp_path):
    good = tmp_path / "behoefte.csv"
    good.write_text("buurtcode,eenzaamheid\nBU01,12,5\nBU02,8\n".replace("12,5", '"12,5"'))
    assert load_need(good).loc["BU01", "eenzaamheid"] == 12.5
    bad = tmp_path / "fout.csv"
    bad.write_text("buurtcode,eenzaamheid\nBU01,veel\nBU01,3\n")
    with pytest.raises(InputError) as err:
        load_need(bad)
    text = str(err.value)
    assert "rij 2" in text and "kolom 'eenzaamheid'" in text and "rij 3" in text and "dubbel" in text


# --------------------------------------------------------- PySAL cross-check
@pytest.fixture(scope="module")
def delft_costs(delft_street_graph):
    net = Network.from_networkx(delft_street_graph)
    rng = np.random.default_rng(3)
    dem = rng.choice(net.n_nodes, 400, replace=False)
    sup = rng.choice(net.n_nodes, 40, replace=False)
    costs = pair_costs(net.x[dem], net.y[dem] + rng.uniform(-20, 20, 400), net.x[sup], net.y[sup], 800, net)
    demand = pd.Series(rng.integers(0, 500, 400).astype(float), index=np.arange(400))
    supply = pd.Series(rng.integers(1, 30, 40).astype(float), index=np.arange(40))
    return demand, supply, costs


def _pysal(demand, supply, costs, max_cost, weight_fn=None, enhanced=False):
    from access import Access

    a = Access(demand_df=demand.rename("pop").to_frame().rename_axis("geoid"), demand_index=True,
               demand_value="pop", supply_df=supply.rename("cap").to_frame().rename_axis("geoid"),
               supply_index=True, supply_value="cap",
               cost_df=costs.rename(columns={"destination": "dest"}), cost_origin="origin", cost_dest="dest",
               cost_name="cost")
    if enhanced:
        return a.enhanced_two_stage_fca(max_cost=max_cost, weight_fn=weight_fn)["e2sfca_cap"]
    return a.two_stage_fca(max_cost=max_cost)["2sfca_cap"]


@pytest.mark.slow
def test_matches_pysal_access(delft_costs):
    pytest.importorskip("access")
    from access import weights

    demand, supply, costs = delft_costs
    for max_cost in (400, 800):
        ours = two_stage_fca(demand, supply, costs, max_cost)
        ref = _pysal(demand, supply, costs, max_cost).reindex(demand.index)
        assert ours.isna().sum() > 0  # some demand reaches nothing: NaN in both
        np.testing.assert_array_equal(ours.isna(), ref.isna())
        np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-9)
    steps = {300: 1.0, 550: 0.6, 800: 0.25}
    ours = enhanced_two_stage_fca(demand, supply, costs, 800, weights=steps)
    ref = _pysal(demand, supply, costs, 800, weights.step_fn(steps), enhanced=True).reindex(demand.index)
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-9)
    ours = enhanced_two_stage_fca(demand, supply, costs, 800, weights=gaussian(300))
    ref = _pysal(demand, supply, costs, 800, weights.gaussian(300), enhanced=True).reindex(demand.index)
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-9)


def test_no_supply_at_all_gives_nan_not_a_crash():
    """Areas without any asset (an areas-only run): every demand point is unreached."""
    demand = pd.Series([10.0, 20.0], index=["a", "b"])
    supply = pd.Series([], dtype=float)
    cost = pd.DataFrame({"origin": pd.Series([], dtype=object), "destination": pd.Series([], dtype=object),
                         "cost": pd.Series([], dtype=float)})
    out = two_stage_fca(demand, supply, cost, max_cost=500)
    assert out.isna().all() and list(out.index) == ["a", "b"]


def test_need_csv_reads_dutch_numbers(tmp_path):
    path = tmp_path / "behoefte.csv"
    path.write_text("buurtcode;uitkeringen;eenzaamheid\nBU1;1.234,5;12,5\nBU2;800;7.5\n", encoding="utf-8")
    need = load_need(path)
    assert need.loc["BU1", "uitkeringen"] == 1234.5 and need.loc["BU1", "eenzaamheid"] == 12.5
    assert need.loc["BU2", "eenzaamheid"] == 7.5
