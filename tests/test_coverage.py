"""Coverage per buurt and wijk on a toy worked out by hand.

Toy: buurt A (x 0-400) and B (x 400-800), both y 0-400, one street along y=200 with
nodes at x = 50, 150, ..., 750 (100 m edges). Node weight = half the incident street
length: end nodes 50, others 100, so each buurt has weight 350. A has 100 residents,
B 300.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from abcd_map.analyse.coverage import (count_assets, coverage, coverage_for_spec, data_share, data_status, lens_info, lenses,
                                       prefix_columns, resident_points, select_assets, selection_mask,
                                       summarise_wijken)
from abcd_map.analyse.network import Network
from abcd_map.errors import AbcdWarning, InputError
from abcd_map.metrics import KIND_CATEGORY, KIND_LENS, KIND_OPEN, KIND_WELCOMING, CoverageSpec

warnings.simplefilter("ignore", AbcdWarning)


def toy_network() -> Network:
    xs = np.arange(50.0, 800.0, 100.0)
    n = len(xs)
    return Network(np.arange(n), xs, np.full(n, 200.0), np.arange(n - 1), np.arange(1, n), np.full(n - 1, 100.0))


def toy_buurten(extra: bool = False) -> gpd.GeoDataFrame:
    rows = {"buurtcode": ["BU01", "BU02"], "buurtnaam": ["Aa", "Bee"], "wijkcode": ["WK1", "WK1"],
            "wijknaam": ["Wijk", "Wijk"], "inwoners": [100.0, 300.0], "p_65_plus": [20.0, 10.0],
            "p_00_14": [np.nan, 10.0]}
    geoms = [box(0, 0, 400, 400), box(400, 0, 800, 400)]
    if extra:
        for k, v in {"buurtcode": "BU03", "buurtnaam": "Cee", "wijkcode": "WK2", "wijknaam": "Twee",
                     "inwoners": 50.0, "p_65_plus": 0.0, "p_00_14": 0.0}.items():
            rows[k].append(v)
        geoms.append(box(5000, 5000, 5100, 5100))
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:28992")


def assets(points, **cols) -> gpd.GeoDataFrame:
    n = len(points)
    data = {"id": [f"A{i}" for i in range(n)], "categorie": ["fysieke_ruimte"] * n,
            "soort": ["plek"] * n, "ontmoetingsplek": [True] * n, "inloop": [False] * n,
            "doelgroepen": [""] * n}
    data.update(cols)
    return gpd.GeoDataFrame(data, geometry=[Point(p) for p in points], crs="EPSG:28992")


def test_resident_points_follow_street_frontage():
    pts = resident_points(toy_buurten(), toy_network())
    assert len(pts) == 8 and set(pts["bron"]) == {"netwerk"}
    a = pts[pts["buurtcode"] == "BU01"].sort_values("inwoners")
    np.testing.assert_allclose(a["inwoners"], [100 * 50 / 350] + [100 * 100 / 350] * 3)
    assert pts.groupby("buurtcode")["inwoners"].sum().to_dict() == pytest.approx({"BU01": 100, "BU02": 300})


def test_resident_points_grid_fallback_and_addresses():
    pts = resident_points(toy_buurten(extra=True), toy_network())
    c = pts[pts["buurtcode"] == "BU03"]
    assert len(c) == 4 and set(c["bron"]) == {"raster"}  # 100 x 100 m at 50 m spacing
    np.testing.assert_allclose(c["inwoners"], 12.5)
    addr = gpd.GeoDataFrame({"gewicht": [1.0, 3.0]}, geometry=[Point(100, 100), Point(300, 300)],
                            crs="EPSG:28992")
    pts = resident_points(toy_buurten(), toy_network(), addresses=addr)
    a = pts[pts["buurtcode"] == "BU01"]
    assert set(a["bron"]) == {"adres"}
    np.testing.assert_allclose(sorted(a["inwoners"]), [25, 75])
    assert set(pts.loc[pts["buurtcode"] == "BU02", "bron"]) == {"netwerk"}


def test_coverage_exact_percentages_several_distances():
    table = coverage(toy_buurten(), assets([(50, 200)]), toy_network(), distances=(250, 500))
    # 250 m: nodes x=50,150,250 -> A weight 250/350; B nothing
    assert table.loc["BU01", "inwoners_binnen_250m"] == pytest.approx(100 * 250 / 350)
    assert table.loc["BU01", "dekking_250m"] == pytest.approx(100 * 250 / 350)
    assert table.loc["BU02", "dekking_250m"] == 0
    # 500 m (inclusive): A all, B nodes x=450 and x=550 (at exactly 500 m): 200/350
    assert table.loc["BU01", "dekking_500m"] == pytest.approx(100)
    assert table.loc["BU02", "dekking_500m"] == pytest.approx(100 * 200 / 350)
    assert table.loc["BU02", "inwoners_binnen_500m"] == pytest.approx(300 * 200 / 350)
    assert set(table["afstand_methode"]) == {"netwerk"} and set(table["gegevens"]) == {"ok"}


def test_snap_offset_counts_in_coverage():
    # asset 40 m off node x=50: node 250 at 240 m (in), node 350 at 340 m (out at 300)
    table = coverage(toy_buurten(), assets([(50, 160)]), toy_network(), distances=[240, 300])
    assert table.loc["BU01", "dekking_240m"] == pytest.approx(100 * 250 / 350)
    assert table.loc["BU01", "dekking_300m"] == pytest.approx(100 * 250 / 350)


def test_default_selection_is_welcoming_places():
    a = assets([(50, 200), (750, 200)], ontmoetingsplek=[True, False])
    table = coverage(toy_buurten(), a, toy_network(), distances=[100])
    assert table.loc["BU02", "dekking_100m"] == 0
    table = coverage(toy_buurten(), a, toy_network(), distances=[100], selection={})
    assert table.loc["BU02", "dekking_100m"] == pytest.approx(100 * 150 / 350)


def test_selection_forms():
    a = assets([(0, 0)] * 4, categorie=["cultuur", "economie", "cultuur", "cultuur"],
               inloop=[True, True, False, None], doelgroepen=["senioren; jeugd", "", "iedereen", "jeugd"],
               ontmoetingsplek=[True, None, False, True])
    assert list(select_assets(a)["id"]) == ["A0", "A3"]
    assert list(select_assets(a, {"categorie": "cultuur", "inloop": True})["id"]) == ["A0"]
    assert list(select_assets(a, {"doelgroep": "jeugd"})["id"]) == ["A0", "A3"]
    assert list(select_assets(a, lambda t: t["categorie"] == "economie")["id"]) == ["A1"]
    assert list(select_assets(a, a["id"] == "A2")["id"]) == ["A2"]
    # lens: own group, iedereen, or no group at all
    assert list(select_assets(a, {}, lens="senioren")["id"]) == ["A0", "A1", "A2"]
    with pytest.raises(InputError):
        select_assets(a, {"kleur": "rood"})


def test_lens_seniors():
    a = assets([(50, 200), (750, 200)], doelgroepen=["jeugd", ""])
    table = coverage(toy_buurten(), a, toy_network(), lens="senioren")
    assert lens_info("senioren")["afstand"] == 300
    # only the asset at x=750 counts: nodes 450..750 within 300 m, all of B
    assert table.loc["BU01", "senioren_inwoners"] == pytest.approx(20)
    assert table.loc["BU02", "senioren_inwoners"] == pytest.approx(30)
    assert table.loc["BU01", "senioren_dekking_300m"] == 0
    assert table.loc["BU02", "senioren_binnen_300m"] == pytest.approx(30)
    assert table.loc["BU02", "senioren_dekking_300m"] == pytest.approx(100)


def test_lens_with_unknown_age_share_is_nan():
    table = coverage(toy_buurten(), assets([(50, 200)]), toy_network(), lens="kinderen")
    assert np.isnan(table.loc["BU01", "kinderen_dekking_400m"])
    assert table.loc["BU02", "kinderen_inwoners"] == pytest.approx(30)


def test_lens_table_is_complete():
    t = lenses()
    assert {"iedereen", "senioren", "jeugd", "kinderen", "ouders"} <= set(t.index)
    assert (t["afstand"] > 0).all()


def test_outside_extent_gets_no_coverage():
    table = coverage(toy_buurten(), assets([(50, 200)]), toy_network(), distances=[500],
                     extent=box(-10, -10, 450, 410))
    assert table.loc["BU02", "gegevens"] == "geen OSM-gegevens"
    assert np.isnan(table.loc["BU02", "dekking_500m"])
    assert table.loc["BU01", "dekking_500m"] == pytest.approx(100)
    wijk = summarise_wijken(table, toy_buurten())
    # the wijk's figures would rest on 100 of its 400 residents: under half, so unknown
    assert wijk.loc["WK1", "inwoners"] == 400 and wijk.loc["WK1", "inwoners_met_gegevens"] == 100
    assert np.isnan(wijk.loc["WK1", "dekking_500m"]) and wijk.loc["WK1", "gegevens"] == "geen OSM-gegevens"
    # with 3/4 of the residents inside, the wijk's share rests on those only
    table = coverage(toy_buurten(), assets([(50, 200)]), toy_network(), distances=[500],
                     extent=box(400, -10, 810, 410))
    wijk = summarise_wijken(table, toy_buurten())
    assert wijk.loc["WK1", "gegevens"] == "gedeeltelijk" and wijk.loc["WK1", "gegevens_pct"] == pytest.approx(75)
    assert wijk.loc["WK1", "dekking_500m"] == pytest.approx(table.loc["BU02", "dekking_500m"])


def test_partial_buurt_keeps_its_residents_on_its_own_part():
    """B lies 75% inside the extent (x 400-700): its points carry 75% of its residents, none of them
    moved onto the mapped part; A is fully inside and unchanged; a buurt 12.5% inside gets no points."""
    extent = box(-10, -10, 700, 410)
    pts = resident_points(toy_buurten(), toy_network(), extent=extent)
    per = pts.groupby("buurtcode")["inwoners"].sum()
    assert per["BU01"] == pytest.approx(100) and per["BU02"] == pytest.approx(0.75 * 300)
    assert pts.loc[pts["buurtcode"] == "BU02"].geometry.x.max() < 700
    assert data_status(toy_buurten(), extent).to_dict() == {"BU01": "ok", "BU02": "gedeeltelijk"}
    table = coverage(toy_buurten(), assets([(750, 200)]), toy_network(), distances=[250], extent=extent)
    b = table.loc["BU02"]
    assert b["gegevens"] == "gedeeltelijk" and b["gegevens_pct"] == pytest.approx(75)
    assert b["inwoners_met_gegevens"] == pytest.approx(225) and b["inwoners"] == 300
    # nodes x=450..650 inside (weights 100 each = 300): 550, 650 within 250 m of x=750 -> 200/300
    assert b["dekking_250m"] == pytest.approx(100 * 200 / 300)
    assert b["inwoners_binnen_250m"] == pytest.approx(225 * 200 / 300)
    assert table.loc["BU01", "gegevens"] == "ok" and table.loc["BU01", "inwoners_met_gegevens"] == 100
    assert not len(resident_points(toy_buurten(), toy_network(), extent=box(700, 0, 800, 400)))


def test_ok_buurt_from_ninety_percent_is_taken_whole():
    """B lies 95% inside (x 400-780): 'ok', all its residents and points as without an extent."""
    extent = box(-10, -10, 780, 410)
    pts = resident_points(toy_buurten(), toy_network(), extent=extent)
    assert pts.groupby("buurtcode")["inwoners"].sum()["BU02"] == pytest.approx(300)
    assert len(pts) == len(resident_points(toy_buurten(), toy_network()))
    table = coverage(toy_buurten(), assets([(750, 200)]), toy_network(), distances=[250], extent=extent)
    plain = coverage(toy_buurten(), assets([(750, 200)]), toy_network(), distances=[250])
    assert table.loc["BU02", "gegevens"] == "ok" and table.loc["BU02", "gegevens_pct"] == pytest.approx(95)
    assert table.loc["BU02", "inwoners_met_gegevens"] == 300
    assert table.loc["BU02", "dekking_250m"] == pytest.approx(plain.loc["BU02", "dekking_250m"])


def test_partial_buurt_share_by_address_points():
    addr = gpd.GeoDataFrame({"gewicht": [1.0, 1.0, 2.0]}, geometry=[Point(100, 100), Point(300, 300),
                            Point(350, 100)], crs="EPSG:28992")
    extent = box(-10, -10, 320, 410)  # 80% of A's area, but only half of its address weight
    assert data_share(toy_buurten(), extent, addr)["BU01"] == pytest.approx(0.5)
    assert data_share(toy_buurten(), extent)["BU01"] == pytest.approx(0.8)
    pts = resident_points(toy_buurten(), toy_network(), addresses=addr, extent=extent)
    a = pts[pts["buurtcode"] == "BU01"]
    assert set(a["bron"]) == {"adres"} and sorted(a["inwoners"]) == pytest.approx([25, 25])


def test_counts_are_unknown_without_data():
    a = assets([(100, 200), (500, 200)], herkomst=["handmatig", "OpenStreetMap"])
    counts = count_assets(toy_buurten(), a, extent=box(-10, -10, 450, 410))
    assert counts.loc["BU01", "aantal_assets"] == 1 and np.isnan(counts.loc["BU02", "aantal_assets"])
    assert np.isnan(counts.loc["BU02", "per_1000_inwoners"])
    assert counts["aantal_eigen_lijst"].to_dict() == {"BU01": 1, "BU02": 0}  # the team's list: known everywhere


def test_zero_residents_is_nan_and_straight_line_without_network():
    b = toy_buurten()
    b.loc[1, "inwoners"] = 0
    table = coverage(b, assets([(50, 200)]), None, distances=[250])
    assert np.isnan(table.loc["BU02", "dekking_250m"])
    assert table.loc["BU01", "afstand_methode"] == "hemelsbreed"
    # straight line from (50, 200): grid points of A (50 m grid) within 250 m
    assert 0 < table.loc["BU01", "dekking_250m"] < 100


def test_area_mode_without_any_residents():
    b = toy_buurten()
    b["inwoners"] = np.nan
    table = coverage(b, assets([(0, 200)]), None, distances=[450])  # farthest A cell centre: 414 m
    assert set(table["dekking_basis"]) == {"oppervlakte"}
    assert table.loc["BU01", "oppervlak_ha"] == pytest.approx(16)
    assert table.loc["BU01", "dekking_450m"] == pytest.approx(100)
    assert 0 < table.loc["BU02", "dekking_450m"] < 50


def test_summarise_wijken_weighted_by_residents():
    table = coverage(toy_buurten(extra=True), assets([(50, 200)]), toy_network(), distances=[500])
    wijk = summarise_wijken(table, toy_buurten(extra=True))
    expected = 100 * (100 + 300 * 200 / 350) / 400
    assert wijk.loc["WK1", "dekking_500m"] == pytest.approx(expected)
    assert wijk.loc["WK2", "dekking_500m"] == 0
    assert wijk.loc["WK1", "wijknaam"] == "Wijk"


def test_count_assets():
    a = assets([(10, 10), (20, 20), (500, 10), (9000, 9000)],
               categorie=["cultuur", "individuen", "cultuur", "cultuur"])
    counts = count_assets(toy_buurten(), a)
    assert counts.loc["BU01", "aantal_cultuur"] == 1 and counts.loc["BU01", "aantal_individuen"] == 1
    assert counts.loc["BU01", "aantal_assets"] == 2 and counts.loc["BU02", "aantal_assets"] == 1
    assert counts.loc["BU01", "per_1000_inwoners"] == pytest.approx(20)
    assert counts.loc["BU02", "aantal_economie"] == 0
    wijk = summarise_wijken(counts.join(coverage(toy_buurten(), a, toy_network())), toy_buurten())
    assert wijk.loc["WK1", "aantal_assets"] == 3
    assert wijk.loc["WK1", "per_1000_inwoners"] == pytest.approx(7.5)



def test_count_assets_keeps_small_places_apart():
    """Benches and the like (kleine_plek) are counted as kleine_plekken, not as assets (issue 11)."""
    a = assets([(10, 10), (20, 20), (30, 30), (40, 40), (500, 10)],
               categorie=["cultuur", "fysieke_ruimte", "fysieke_ruimte", "fysieke_ruimte", "fysieke_ruimte"],
               kleine_plek=[False, False, True, True, True])
    counts = count_assets(toy_buurten(), a)
    assert counts.loc["BU01", "aantal_assets"] == 2 and counts.loc["BU01", "aantal_fysieke_ruimte"] == 1
    assert counts.loc["BU01", "kleine_plekken"] == 2 and counts.loc["BU02", "kleine_plekken"] == 1
    assert counts.loc["BU02", "aantal_assets"] == 0 and counts.loc["BU02", "aantal_fysieke_ruimte"] == 0
    assert counts.loc["BU01", "per_1000_inwoners"] == pytest.approx(20)
    assert counts["kleine_plekken"].dtype == np.int64
    # without the column (older tables) nothing is a small place; missing values are not small
    plain = count_assets(toy_buurten(), a.drop(columns="kleine_plek"))
    assert plain.loc["BU01", "aantal_assets"] == 4 and (plain["kleine_plekken"] == 0).all()
    a["kleine_plek"] = pd.Series([None, False, True, True, True], dtype=object)
    assert count_assets(toy_buurten(), a).loc["BU01", "aantal_assets"] == 2

# ------------------------------------------------------- one spec, named by its prefix
def test_coverage_for_spec_category_is_prefixed_and_selects_the_category():
    # the cultuur asset at x=50 covers A at 250 m (250/350); the economie one at x=750 does not count
    a = assets([(50, 200), (750, 200)], categorie=["cultuur", "economie"], ontmoetingsplek=[False, False])
    spec = CoverageSpec(prefix="cultuur", kind=KIND_CATEGORY, distances=(250.0,))
    table = coverage_for_spec(toy_buurten(), a, toy_network(), spec)
    assert list(table.columns) == ["cultuur_binnen_250m", "cultuur_dekking_250m"]
    assert table.loc["BU01", "cultuur_dekking_250m"] == pytest.approx(100 * 250 / 350)
    assert table.loc["BU01", "cultuur_binnen_250m"] == pytest.approx(100 * 250 / 350)
    assert table.loc["BU02", "cultuur_dekking_250m"] == 0


def test_coverage_for_spec_welcoming_and_lens_return_what_coverage_returns():
    a = assets([(50, 200), (750, 200)], doelgroepen=["jeugd", ""])
    welcoming = CoverageSpec(prefix="", kind=KIND_WELCOMING, distances=(250.0, 500.0))
    expected = coverage(toy_buurten(), a, toy_network(), [250, 500])
    got = coverage_for_spec(toy_buurten(), a, toy_network(), welcoming)
    assert got.equals(expected)
    lens = CoverageSpec(prefix="senioren", kind=KIND_LENS, distances=(), lens="senioren")
    got = coverage_for_spec(toy_buurten(), a, toy_network(), lens)
    assert got.equals(coverage(toy_buurten(), a, toy_network(), lens="senioren"))
    assert got.loc["BU02", "senioren_dekking_300m"] == pytest.approx(100)


def test_coverage_for_spec_open_on_sunday_afternoon():
    # only the place at x=750 is open on Sunday afternoon; the one at x=50 has no hours
    a = assets([(50, 200), (750, 200)], openingstijden=[None, "Su 12:00-17:00"])
    spec = CoverageSpec(prefix="open_zondag_middag", kind=KIND_OPEN, distances=(250.0,), day="zondag",
                        part_of_day="middag")
    with pytest.warns(AbcdWarning, match="onbekende openingstijden"):
        table = coverage_for_spec(toy_buurten(), a, toy_network(), spec)
    assert list(table.columns) == ["open_zondag_middag_binnen_250m", "open_zondag_middag_dekking_250m"]
    assert table.loc["BU01", "open_zondag_middag_dekking_250m"] == 0
    assert table.loc["BU02", "open_zondag_middag_dekking_250m"] == pytest.approx(100 * 250 / 350)
    with pytest.raises(ValueError):
        coverage_for_spec(toy_buurten(), a, toy_network(), CoverageSpec("open_x", KIND_OPEN, (250.0,)))


def test_prefix_columns_in_area_mode_keeps_only_the_share():
    b = toy_buurten().assign(inwoners=np.nan)
    table = coverage(b, assets([(50, 200)]), toy_network(), [500])
    assert list(prefix_columns(table, "cultuur").columns) == ["cultuur_dekking_500m"]


def test_data_status_per_buurt():
    b = toy_buurten(extra=True)
    status = data_status(b, box(0, 0, 800, 400))
    assert status.to_dict() == {"BU01": "ok", "BU02": "ok", "BU03": "geen OSM-gegevens"}


def test_selection_mask_does_not_check_the_location():
    a = assets([(0, 0), (0, 0)], categorie=["cultuur", "cultuur"])
    a.loc[1, "geometry"] = None
    assert list(selection_mask(a, {"categorie": "cultuur"})) == [True, True]
    assert list(select_assets(a, {"categorie": "cultuur"})["id"]) == ["A0"]
