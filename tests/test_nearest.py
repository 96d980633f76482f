"""Tests of abcd_map.analyse.nearest: distance to the nearest facility per buurt.

The hand-made cases use a straight street along y = 0 with a node every 100 m,
so that every walk can be worked out on paper.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from abcd_map import settings
from abcd_map.analyse.nearest import (facility_codes, facility_table, nearest_distance, nearest_for_facilities,
                                      parse_osm_tag, select_facilities, summarise_nearest)
from abcd_map.analyse.network import Network
from abcd_map.errors import InputError

from conftest import CBS, DELFT_OSM


def street() -> Network:
    """Nodes at x = 0, 100, ..., 1000 on y = 0, joined in a row by 100 m edges."""
    n = 11
    return Network(np.arange(n), np.arange(n) * 100.0, np.zeros(n), np.arange(n - 1), np.arange(1, n),
                   np.full(n - 1, 100.0))


def areas(rows) -> gpd.GeoDataFrame:
    """Buurten: (code, inwoners, geometry)."""
    return gpd.GeoDataFrame({"buurtcode": [r[0] for r in rows], "inwoners": [r[1] for r in rows],
                             "wijkcode": [r[3] if len(r) > 3 else "WK01" for r in rows]},
                            geometry=[r[2] for r in rows], crs=settings.crs)


def points(rows) -> gpd.GeoDataFrame:
    """Resident points: (buurtcode, inwoners, x, y)."""
    return gpd.GeoDataFrame({"buurtcode": [r[0] for r in rows], "inwoners": [float(r[1]) for r in rows]},
                            geometry=[Point(r[2], r[3]) for r in rows], crs=settings.crs)


def places(coords, **columns) -> gpd.GeoDataFrame:
    data = {"soort": "plek", **columns}
    return gpd.GeoDataFrame(pd.DataFrame(data, index=range(len(coords))),
                            geometry=[Point(x, y) for x, y in coords], crs=settings.crs)


BUURT = areas([("BU1", 60, box(-50, -50, 1050, 50))])
# 10, 20 and 30 residents at 100, 300 and 600 m from the facility at x = 0
PTS = points([("BU1", 10, 100, 0), ("BU1", 20, 300, 0), ("BU1", 30, 600, 0)])
FACILITY = places([(0, 0)])


def test_weighted_mean_on_paper():
    out = nearest_distance(BUURT, PTS, FACILITY, street(), name="huisarts")
    # (10 x 100 + 20 x 300 + 30 x 600) / 60 = 25000 / 60 m
    assert out.loc["BU1", "afstand_huisarts_km"] == pytest.approx(25000 / 60 / 1000)
    assert out.loc["BU1", "afstand_huisarts_basis_pct"] == pytest.approx(100.0)
    assert list(out.columns) == ["afstand_huisarts_km", "afstand_huisarts_basis_pct"]


def test_the_walk_follows_the_streets_not_the_crow():
    # one resident 100 m north of the facility, but the only way round is 200 + 100 + 200 m
    net = Network(np.arange(4), np.array([0.0, 200, 200, 0]), np.array([0.0, 0, 100, 100]),
                  np.array([0, 1, 2]), np.array([1, 2, 3]), np.array([200.0, 100, 200]))
    pts = points([("BU1", 5, 0, 100)])
    out = nearest_distance(BUURT, pts, FACILITY, net, name="x")
    assert out.loc["BU1", "afstand_x_km"] == pytest.approx(0.5)
    straight = nearest_distance(BUURT, pts, FACILITY, None, name="x")
    assert straight.loc["BU1", "afstand_x_km"] == pytest.approx(0.1)


def test_facilities_in_wgs84_are_projected_first():
    out = nearest_distance(BUURT, PTS, FACILITY.to_crs(settings.crs_wgs84), street(), name="x")
    assert out.loc["BU1", "afstand_x_km"] == pytest.approx(25000 / 60 / 1000)


def test_nearest_of_several_facilities_in_one_run():
    two = places([(0, 0), (1000, 0)])
    out = nearest_distance(BUURT, PTS, two, street(), name="x")
    # 100, 300 and 400 m (the one at 600 m is 400 m from x = 1000)
    assert out.loc["BU1", "afstand_x_km"] == pytest.approx((10 * 100 + 20 * 300 + 30 * 400) / 60 / 1000)


def test_edge_of_the_extent_makes_a_point_unknown():
    # the point at x = 600 is 200 m from the edge at x = 800 but 600 m from the facility: unknown
    extent = box(-1000, -1000, 800, 1000)
    out = nearest_distance(BUURT, PTS, FACILITY, street(), extent=extent, name="x")
    assert out.loc["BU1", "afstand_x_basis_pct"] == pytest.approx(50.0)
    assert out.loc["BU1", "afstand_x_km"] == pytest.approx((10 * 100 + 20 * 300) / 30 / 1000)
    # edge at x = 500: the point at 300 m is 200 m from it, so only 10 of 60 residents are known
    out = nearest_distance(BUURT, PTS, FACILITY, street(), extent=box(-1000, -1000, 500, 1000), name="x")
    assert np.isnan(out.loc["BU1", "afstand_x_km"])
    assert out.loc["BU1", "afstand_x_basis_pct"] == pytest.approx(100 * 10 / 60)


def test_point_outside_the_extent_is_unknown():
    extent = box(-1000, -1000, 200, 1000)  # only the point at x = 100 lies inside
    out = nearest_distance(BUURT, PTS, FACILITY, street(), extent=extent, name="x")
    assert np.isnan(out.loc["BU1", "afstand_x_km"])


def test_max_distance_leaves_farther_points_unknown():
    out = nearest_distance(BUURT, PTS, FACILITY, street(), max_distance=350, name="x")
    assert out.loc["BU1", "afstand_x_basis_pct"] == pytest.approx(50.0)
    assert out.loc["BU1", "afstand_x_km"] == pytest.approx(7000 / 30 / 1000)


def test_unknown_is_never_zero():
    b = areas([("BU1", 60, box(-50, -50, 1050, 50)), ("BU2", np.nan, box(0, 100, 100, 200)),
               ("BU3", 0, box(0, 300, 100, 400)), ("BU4", 50, box(0, 500, 100, 600)), ("BU5", 10, None)])
    pts = pd.concat([PTS, points([("BU2", np.nan, 50, 150), ("BU3", 0, 50, 350)])], ignore_index=True)
    out = nearest_distance(b, gpd.GeoDataFrame(pts, crs=settings.crs), FACILITY, street(), name="x")
    assert out.index.tolist() == ["BU1", "BU2", "BU3", "BU4", "BU5"]
    assert out["afstand_x_km"].iloc[1:].isna().all()  # unknown residents, none, no points, no geometry
    none = nearest_distance(b, gpd.GeoDataFrame(pts, crs=settings.crs), places([]), street(), name="x")
    assert none["afstand_x_km"].isna().all()
    assert none.loc["BU1", "afstand_x_basis_pct"] == 0.0


def test_facility_table_has_the_four_cbs_types_and_welcoming_places():
    table = facility_table()
    assert facility_codes() == ["huisarts", "supermarkt", "kinderopvang", "basisschool", "ontmoetingsplek"]
    cbs = table.drop_duplicates("voorziening").set_index("voorziening")["cbs_kolom"]
    assert cbs.to_dict() == {"huisarts": "g_afs_hp", "supermarkt": "g_afs_gs", "kinderopvang": "g_afs_kv",
                             "basisschool": "g_afs_sc", "ontmoetingsplek": ""}
    assert (table["toelichting"] != "").all()


def test_parse_osm_tag():
    assert parse_osm_tag("amenity=school | isced:level=0;1") == {"amenity": "school", "isced:level": "0;1"}
    assert parse_osm_tag("") == {} and parse_osm_tag(None) == {}


def test_select_facilities_by_osm_tag_and_condition():
    tags = ["amenity=school", "amenity=school | isced:level=2 | school=secondary",
            "amenity=school | isced:level=0;1", "amenity=doctors | healthcare:speciality=dermatology",
            "amenity=doctors", "healthcare=doctor | healthcare:speciality=general", "amenity=kindergarten",
            "shop=supermarket", ""]
    a = places([(i * 10, 0) for i in range(len(tags))], osm_tag=tags, ontmoetingsplek=[False] * 8 + [True])
    a.loc[8, "soort"] = "persoon"  # a person is never a facility
    pick = lambda v: sorted(select_facilities(a, v).index)  # noqa: E731
    assert pick("basisschool") == [0, 2]
    assert pick("huisarts") == [4, 5]
    assert pick("kinderopvang") == [6]
    assert pick("supermarkt") == [7]
    assert pick("ontmoetingsplek") == []
    with pytest.raises(InputError, match="onbekende voorziening"):
        select_facilities(a, "bakker")


def test_nearest_for_facilities_gives_every_column():
    a = places([(0, 0), (1000, 0)], osm_tag=["amenity=doctors", ""], ontmoetingsplek=[False, True])
    out = nearest_for_facilities(BUURT, a, street(), points=PTS)
    for code in facility_codes():
        assert f"afstand_{code}_km" in out.columns and f"afstand_{code}_basis_pct" in out.columns
    assert out.loc["BU1", "afstand_huisarts_km"] == pytest.approx(25000 / 60 / 1000)
    assert out.loc["BU1", "afstand_ontmoetingsplek_km"] == pytest.approx((10 * 900 + 20 * 700 + 30 * 400) / 60e3)
    assert np.isnan(out.loc["BU1", "afstand_supermarkt_km"])
    assert out.attrs["aantal"]["huisarts"] == 1


def test_summarise_nearest_weights_by_known_residents():
    b = areas([("A", 100, None, "W1"), ("B", 300, None, "W1"), ("C", 100, None, "W2"), ("D", 10, None, "W2")])
    table = pd.DataFrame({"afstand_x_km": [0.4, 0.8, np.nan, 1.0], "afstand_x_basis_pct": [100, 50, 20, 100]},
                         index=pd.Index(["A", "B", "C", "D"], name="buurtcode"))
    out = summarise_nearest(table, b)
    # W1: weights 100 and 150 -> (40 + 120) / 250; 250 of 400 residents known
    assert out.loc["W1", "afstand_x_km"] == pytest.approx(0.64)
    assert out.loc["W1", "afstand_x_basis_pct"] == pytest.approx(62.5)
    # W2: 10 of 110 residents known -> empty
    assert np.isnan(out.loc["W2", "afstand_x_km"])
    assert out.loc["W2", "inwoners"] == 110


@pytest.mark.realdata
def test_delft_real_data(shared_data):
    from abcd_map import classify_places, load_buurten, load_osm

    buurten = load_buurten(CBS / "haaglanden_buurt.geojson", gemeente="Delft")
    osm = load_osm(DELFT_OSM)
    assets = classify_places(osm.places)
    out = nearest_for_facilities(buurten, assets, osm.network, extent=osm.extent)
    assert len(out) == 91
    values = out[[c for c in out.columns if c.endswith("_km")]]
    assert ((values > 0) & (values < 3)).where(values.notna(), True).all().all()
    shares = out[[c for c in out.columns if c.endswith("_pct")]]
    assert ((shares >= 0) & (shares <= 100)).where(shares.notna(), True).all().all()
    # TU-Campus and Koningsveldbuurt lie inside the extract's real data box: a welcoming place is a few
    # hundred metres away (also once the extent no longer counts route roads as data)
    for code in ("BU05032805", "BU05032809"):
        assert 0.05 < out.loc[code, "afstand_ontmoetingsplek_km"] < 0.5
        assert out.loc[code, "afstand_ontmoetingsplek_basis_pct"] > 50
    # Voorhof lies partly in it: known or not, never 0
    assert not (out.loc["BU05032406", [c for c in out.columns if c.endswith("_km")]] == 0).any()
    # Den Hoorn and Abtswoude lie far outside it: unknown, never 0
    for code in ("BU05031406", "BU05032600"):
        assert out.loc[code, [c for c in out.columns if c.endswith("_km")]].isna().all()
    wijken = summarise_nearest(out, buurten)
    assert set(wijken.index) == set(buurten["wijkcode"])
