"""White spots and knowledge gaps on the toy of test_coverage (worked out by hand)."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from abcd_map import settings
from abcd_map.analyse.gaps import knowledge_gaps, white_spots
from abcd_map.analyse.network import Network
from abcd_map.errors import AbcdWarning

warnings.simplefilter("ignore", AbcdWarning)


def toy_network() -> Network:
    xs = np.arange(50.0, 800.0, 100.0)
    n = len(xs)
    return Network(np.arange(n), xs, np.full(n, 200.0), np.arange(n - 1), np.arange(1, n), np.full(n - 1, 100.0))


def toy_buurten() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"buurtcode": ["BU01", "BU02", "BU03"], "buurtnaam": ["Aa", "Bee", "Cee"],
                             "wijkcode": ["WK1"] * 3, "inwoners": [100.0, 300.0, 0.0]},
                            geometry=[box(0, 0, 400, 400), box(400, 0, 800, 400), box(0, 400, 800, 800)],
                            crs="EPSG:28992")


def place(points, **cols) -> gpd.GeoDataFrame:
    n = len(points)
    data = {"id": [f"A{i}" for i in range(n)], "categorie": ["fysieke_ruimte"] * n, "soort": ["plek"] * n,
            "ontmoetingsplek": [True] * n, "doelgroepen": [""] * n, "herkomst": ["handmatig"] * n,
            "laatste_contact": pd.to_datetime([None] * n)}
    data.update(cols)
    return gpd.GeoDataFrame(data, geometry=[Point(p) for p in points], crs="EPSG:28992")


def test_white_spots_residents_and_shapes():
    # asset at node x=50, 250 m: uncovered are node x=350 in A (weight 100/350 of 100)
    # and all four nodes of B (300 residents); discs of 60 m around B's nodes (100 m apart) merge
    spots = white_spots(toy_buurten(), place([(50, 200)]), toy_network(), 250)
    assert list(spots["buurtcode"]) == ["BU02", "BU01"]
    assert spots["inwoners_geschat"].tolist() == pytest.approx([300, 100 * 100 / 350])
    a = spots.iloc[1].geometry
    # disc around (350, 200) clipped at x = 400 (buurt edge): a little less than a full disc
    assert a.bounds[2] == pytest.approx(400) and a.bounds[0] == pytest.approx(290)
    assert np.pi * 60**2 * 0.85 < a.area < np.pi * 60**2
    assert spots.iloc[0].geometry.geom_type == "Polygon"
    assert str(spots.crs) == "EPSG:28992"
    # C has no residents: never a white spot
    assert "BU03" not in set(spots["buurtcode"])


def test_white_spots_respect_extent_and_full_coverage():
    spots = white_spots(toy_buurten(), place([(50, 200)]), toy_network(), 250, extent=box(-10, -10, 410, 410))
    assert list(spots["buurtcode"]) == ["BU01"]  # B lies outside the OSM extent: unknown, not a gap
    assert spots.geometry.iloc[0].bounds[2] <= 400
    spots = white_spots(toy_buurten(), place([(50, 200), (750, 200)]), toy_network(), 400)
    assert spots.empty and list(spots.columns) == ["buurtcode", "buurtnaam", "inwoners_geschat",
                                                   "oppervlakte_ha", "geometry"]


def test_knowledge_gaps_with_fixed_today():
    a = place([(100, 100), (500, 100), (600, 100)],
              herkomst=["handmatig", "OpenStreetMap", "handmatig"],
              laatste_contact=pd.to_datetime(["2023-01-01", None, "2024-03-01"]))
    gaps = knowledge_gaps(toy_buurten(), a, months=12, today="2024-06-01")
    got = dict(zip(gaps["buurtcode"], gaps["reden"]))
    # A: its only hand-collected asset was last contacted 17 months ago; B has a recent
    # contact; C has nothing at all
    assert got == {"BU01": "contact verouderd", "BU03": "niets bekend"}
    assert list(gaps.columns) == ["buurtcode", "buurtnaam", "reden", "aantal_assets", "geometry"]
    # with a longer horizon A is fine
    gaps = knowledge_gaps(toy_buurten(), a, months=24, today="2024-06-01")
    assert list(gaps["buurtcode"]) == ["BU03"]


def test_knowledge_gaps_unknown_contact_is_stale_and_osm_only_is_known():
    a = place([(100, 100), (500, 100)], herkomst=["handmatig", "OpenStreetMap"])
    gaps = knowledge_gaps(toy_buurten(), a, today="2024-06-01")
    assert dict(zip(gaps["buurtcode"], gaps["reden"])) == {"BU01": "contact verouderd", "BU03": "niets bekend"}


def test_walking_area_follows_the_street_and_stops_at_the_distance():
    """A 1 km straight street with nodes every 100 m; an asset at x=0 and 250 m.

    The reachable street is x in [0, 250]; a 10 m band on both sides gives a
    250 x 20 rectangle with round caps (radius 10) at both ends.
    """
    from abcd_map.analyse.gaps import walking_areas

    xs = np.arange(0, 1001, 100, dtype=float)
    net = Network(np.arange(len(xs)), xs, np.zeros(len(xs)), np.arange(len(xs) - 1), np.arange(1, len(xs)),
                  np.full(len(xs) - 1, 100.0))
    asset = gpd.GeoDataFrame(geometry=[Point(0, 0)], crs=settings.crs)
    area = walking_areas(asset, net, 250, width=10)
    geom = area.geometry.iloc[0]
    minx, miny, maxx, maxy = geom.bounds
    assert (minx, maxx) == pytest.approx((-10, 260), abs=0.01)
    assert geom.area == pytest.approx(250 * 20 + np.pi * 100, rel=0.01)
    assert area["afstand_methode"].iloc[0] == "netwerk"
    straight = walking_areas(asset, None, 250)
    assert straight["afstand_methode"].iloc[0] == "hemelsbreed"
    assert straight.geometry.iloc[0].area == pytest.approx(np.pi * 250 ** 2, rel=0.01)
    assert walking_areas(asset.iloc[:0], net, 250).empty


def test_walking_area_fills_a_block_between_reachable_streets():
    """A 200 x 200 m square of streets around an asset at a corner, all within 800 m:
    the block inside (120 x 120 m after 40 m bands) is filled, so the area is a full square."""
    from abcd_map.analyse.gaps import walking_areas

    xs = np.array([0.0, 200.0, 200.0, 0.0])
    ys = np.array([0.0, 0.0, 200.0, 200.0])
    net = Network(np.arange(4), xs, ys, np.array([0, 1, 2, 3]), np.array([1, 2, 3, 0]), np.full(4, 200.0))
    asset = gpd.GeoDataFrame(geometry=[Point(0, 0)], crs=settings.crs)
    geom = walking_areas(asset, net, 800, width=40).geometry.iloc[0]
    assert len(geom.interiors) == 0
    assert geom.area == pytest.approx(280 * 280 - (4 - np.pi) * 40 ** 2, rel=0.01)


def test_white_spots_of_a_partial_buurt_stop_at_the_data_and_whole_ones_are_not_cut():
    """B (x 400-800) lies partly outside the extent (x < 700): its spot ends at x = 700; A lies wholly
    inside and keeps the spot cut to the buurt alone (the second cut is skipped for it)."""
    extent = box(-10, -10, 700, 810)
    spots = white_spots(toy_buurten(), place([(50, 700)]), toy_network(), 100, extent=extent)
    by_code = spots.dissolve("buurtcode").geometry
    assert by_code["BU02"].bounds[2] <= 700 + 1e-9
    assert by_code["BU01"].difference(box(0, 0, 400, 400)).area < 1e-6
    assert spots.geometry.union_all().difference(extent).area < 1e-6
