"""build() end to end: a hand-made town worked out on paper, and the real shared data."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from shapely.geometry import box

import abcd_map as am
from abcd_map import settings

X0, Y0 = 100_000.0, 450_000.0
TO_WGS = Transformer.from_crs(settings.crs, settings.crs_wgs84, always_xy=True)


@pytest.fixture(scope="module")
def paper_town(tmp_path_factory):
    """Two 1 km x 200 m buurten side by side, one straight street along their middle.

    (Narrow, so that the whole buurt lies within the OSM extent: the street buffered 150 m.)

    Street nodes every 100 m at x = 50, 150, ..., 1950 (relative): buurt A holds the
    first ten, buurt B the last ten. A buurthuis sits on the first node. Residents are
    spread by street frontage: half of each incident edge, so the two end nodes weigh
    50 m and every other node 100 m. Buurt A's nodes weigh 50 + 9 * 100 = 950 m.
    Within 520 m of the buurthuis lie the nodes at 50 ... 550: 50 + 5 * 100 = 550 m.
    So 1000 * 550/950 = 578.9 residents of A are covered (57.9%), none of B.
    (Distances sit 20 m off the node spacing: the coordinates pass through WGS84 in the
    OSM file, so a node at exactly 500 m may come out a millimetre further.)
    """
    tmp = tmp_path_factory.mktemp("paper")
    buurten = gpd.GeoDataFrame(
        {"BU_CODE": ["BU00010001", "BU00010002"], "BU_NAAM": ["Oost-Papier", "West-Papier"],
         "WK_CODE": ["WK000100", "WK000100"], "GM_CODE": ["GM0001"] * 2, "GM_NAAM": ["Papierdorp"] * 2,
         "AANT_INW": [1000, 500]},
        geometry=[box(X0, Y0 + 400, X0 + 1000, Y0 + 600), box(X0 + 1000, Y0 + 400, X0 + 2000, Y0 + 600)],
        crs=settings.crs)
    buurten.to_file(tmp / "buurten.geojson", driver="GeoJSON")
    xs = X0 + 50 + 100 * np.arange(20)
    lon, lat = TO_WGS.transform(xs, np.full(20, Y0 + 500))
    nodes = "\n".join(f'  <node id="{i + 1}" version="1" lat="{la:.8f}" lon="{lo:.8f}"/>'
                      for i, (lo, la) in enumerate(zip(lon, lat)))
    refs = "\n".join(f'    <nd ref="{i + 1}"/>' for i in range(20))
    plon, plat = TO_WGS.transform(X0 + 50, Y0 + 500)
    (tmp / "papier.osm").write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
{nodes}
  <node id="100" version="1" lat="{plat:.8f}" lon="{plon:.8f}">
    <tag k="amenity" v="community_centre"/><tag k="name" v="Buurthuis Het Blad"/>
  </node>
  <way id="1" version="1">
{refs}
    <tag k="highway" v="residential"/><tag k="name" v="Lange Regel"/>
  </way>
</osm>
""", encoding="utf-8")
    return tmp


def test_paper_town_coverage(paper_town, tmp_path):
    result = am.build(buurten=paper_town / "buurten.geojson", osm=paper_town / "papier.osm",
                      afstand=520, out=tmp_path / "uit")
    b = result.buurten.set_index("buurtcode")
    assert b.loc["BU00010001", "dekking_520m"] == pytest.approx(100 * 550 / 950, abs=0.05)
    assert b.loc["BU00010001", "inwoners_binnen_520m"] == pytest.approx(1000 * 550 / 950, abs=0.05)
    assert b.loc["BU00010002", "dekking_520m"] == 0
    # the wijk is weighted by residents: 578.9 of 1500
    w = result.wijken.set_index("wijkcode")
    assert w.loc["WK000100", "dekking_520m"] == pytest.approx(100 * (1000 * 550 / 950) / 1500, abs=0.05)
    assert b.loc["BU00010001", "aantal_instellingen"] == 1 and b.loc["BU00010002", "aantal_assets"] == 0
    assert (b["afstand_methode"] == "netwerk").all()
    # the uncovered part of the street is a white spot with residents in it
    spots = result.layers["witte_vlekken"]
    assert spots["inwoners_geschat"].sum() == pytest.approx(1500 - 1000 * 550 / 950, rel=0.02)
    # knowledge gaps: B knows nothing at all; in A, the east end knows nothing within 520 m
    known = result.layers["kennisgaten"].set_index("buurtcode")["reden"]
    assert known["BU00010002"] == "niets bekend"
    assert known["BU00010001"] == "niets bekend binnen 520 m"


def test_several_distances_and_category_columns(paper_town):
    result = am.build(buurten=paper_town / "buurten.geojson", osm=paper_town / "papier.osm",
                      afstand=[320, 820])
    a = result.buurten.set_index("buurtcode").loc["BU00010001"]
    # 320 m: nodes 50..350 -> 50 + 3*100 = 350 of 950; 820 m: 50..850 -> 850 of 950
    assert a["dekking_320m"] == pytest.approx(100 * 350 / 950, abs=0.05)
    assert a["dekking_820m"] == pytest.approx(100 * 850 / 950, abs=0.05)
    # per ABCD category at the middle distance (of two: the second)
    assert a["instellingen_dekking_820m"] == pytest.approx(100 * 850 / 950, abs=0.05)


def test_areas_only_means_unknown_coverage_not_zero(paper_town):
    result = am.build(buurten=paper_town / "buurten.geojson")
    assert result.buurten["dekking_500m"].isna().all()
    assert (result.buurten["gegevens"] == "geen gegevens over plekken").all()
    assert len(result.layers["witte_vlekken"]) == 0
    assert any("onbekend, niet 0%" in n for n in result.notes)


def test_outside_the_osm_extent_is_no_data_never_a_gap(paper_town, tmp_path):
    """A third buurt far from the street: 'geen OSM-gegevens', not a white spot or knowledge gap."""
    b = gpd.read_file(paper_town / "buurten.geojson")
    far = gpd.GeoDataFrame({"BU_CODE": ["BU00010003"], "BU_NAAM": ["Verweg"], "WK_CODE": ["WK000100"],
                            "GM_CODE": ["GM0001"], "GM_NAAM": ["Papierdorp"], "AANT_INW": [800]},
                           geometry=[box(X0 + 6000, Y0 + 400, X0 + 7000, Y0 + 600)], crs=settings.crs)
    pd.concat([b, far]).to_file(tmp_path / "b3.geojson", driver="GeoJSON")
    result = am.build(buurten=tmp_path / "b3.geojson", osm=paper_town / "papier.osm", afstand=520)
    row = result.buurten.set_index("buurtcode").loc["BU00010003"]
    assert row["gegevens"] == "geen OSM-gegevens" and np.isnan(row["dekking_520m"])
    assert "BU00010003" not in set(result.layers["witte_vlekken"]["buurtcode"])
    assert "BU00010003" not in set(result.layers["kennisgaten"]["buurtcode"])
    # its residents still count in the wijk total, but not in the wijk's coverage share
    w = result.wijken.set_index("wijkcode").loc["WK000100"]
    assert w["inwoners"] == 2300
    assert w["dekking_520m"] == pytest.approx(100 * (1000 * 550 / 950) / 1500, abs=0.05)


def test_weekday_filter_counts_only_open_places(paper_town, tmp_path):
    assets = tmp_path / "assets.csv"
    lon, lat = TO_WGS.transform(X0 + 1950, Y0 + 500)
    assets.write_text("id,naam,soort,ontmoetingsplek,wanneer,lat,lon\n"
                      f"A1,Zondagssoos,plek,ja,elke zondag 13:00-17:00,{lat:.7f},{lon:.7f}\n", encoding="utf-8")
    result = am.build(buurten=paper_town / "buurten.geojson", osm=paper_town / "papier.osm", assets=assets,
                      dag="zondag", dagdeel="middag", afstand=520)
    b = result.buurten.set_index("buurtcode")
    # only the Zondagssoos (east end) is known to be open; the buurthuis has no hours: not counted
    assert b.loc["BU00010001", "open_zondag_middag_dekking_520m"] == 0
    assert b.loc["BU00010002", "open_zondag_middag_dekking_520m"] == pytest.approx(100 * 550 / 950, abs=0.05)
    assert any("onbekende openingstijden" in n for n in result.notes)


# ------------------------------------------------------------------ real data (../shared/data)
@pytest.mark.slow
def test_delft_with_real_osm(shared_data, tmp_path):
    result = am.build(buurten=shared_data / "cbs-wijkenbuurten-2015" / "haaglanden_buurt.geojson",
                      gemeente="Delft", osm=shared_data / "osm" / "delft-tudelft.osm.bz2", out=tmp_path / "d")
    b = result.buurten
    assert len(b) == 91 and b["gemeentenaam"].eq("Delft").all()
    assert b["inwoners"].sum() == pytest.approx(100_845)
    no_data = b["gegevens"] == "geen OSM-gegevens"
    # the extract covers about half of Delft: many buurten are "geen gegevens", never 0% or a gap
    assert 35 <= no_data.sum() <= 65
    assert b.loc[no_data, "dekking_500m"].isna().all()
    assert not set(b.loc[no_data, "buurtcode"]) & set(result.layers["kennisgaten"]["buurtcode"])
    campus = b.set_index("buurtnaam").loc["TU-Campus"]
    assert campus["gegevens"] == "ok" and campus["dekking_500m"] > 50
    assert result.wijken["wijknaam"].str.startswith("Wijk").all()
    assert (tmp_path / "d" / "kaart.html").stat().st_size < 1_000_000
    html = (tmp_path / "d" / "kaart.html").read_text(encoding="utf-8")
    assert "OpenStreetMap" in html and "CBS" in html
    assert result.meta["fictief"] is False and "Lindewaarde" not in html


@pytest.mark.parametrize("name", ["'s-Gravenhage", "Den Haag", "GM0518"])
def test_den_haag_on_areas_alone(shared_data, name):
    result = am.build(buurten=shared_data / "cbs-wijkenbuurten-2015" / "haaglanden_buurt.geojson", gemeente=name)
    assert len(result.buurten) == 114
    assert result.buurten["dekking_500m"].isna().all()
    assert result.wijken["inwoners"].sum() == pytest.approx(result.buurten["inwoners"].sum())


def test_demo_result_is_json_safe_for_notebooks(demo_build):
    result = demo_build.result  # am.build() of the demo, as the CLI runs it (conftest)
    assert result.meta["fictief"] is True
    json.dumps({k: v for k, v in result.meta.items() if k != "notes"})


def test_wijk_by_name_uses_the_sibling_wijk_file(shared_data):
    """CBS 2015 buurt files have no wijk names; the wijk file beside them does."""
    result = am.build(buurten=shared_data / "cbs-wijkenbuurten-2015" / "haaglanden_buurt.geojson",
                      gemeente="Delft", wijken=["Wijk 28 Wippolder", "WK050324"])
    assert sorted(result.wijken["wijknaam"]) == ["Wijk 24 Voorhof", "Wijk 28 Wippolder"]
    assert set(result.buurten["wijkcode"]) == {"WK050324", "WK050328"}


def test_assets_far_outside_the_areas_are_noted(paper_town, tmp_path):
    lon, lat = TO_WGS.transform(X0 + 50, Y0 + 500)
    far_lon, far_lat = TO_WGS.transform(X0 + 20_000, Y0 + 500)
    assets = tmp_path / "a.csv"
    assets.write_text("id,naam,soort,lat,lon\n"
                      f"A1,Dichtbij,plek,{lat:.7f},{lon:.7f}\nA2,Tikfout,plek,{far_lat:.7f},{far_lon:.7f}\n",
                      encoding="utf-8")
    result = am.build(buurten=paper_town / "buurten.geojson", assets=assets)
    assert any("1 asset(s) liggen meer dan 1 km buiten de buurten (rij 3)" in n for n in result.notes)
