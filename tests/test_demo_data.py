"""Invariants of the fictional demo town Lindewaarde (data/demo), and that its generator is deterministic."""

from __future__ import annotations

import csv
import json
import importlib.util
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from shapely.geometry import shape
from pyproj import Transformer
from scipy.spatial import cKDTree

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "demo"
GENERATED = ["buurten.geojson", "wijken.geojson", "demo.osm", "assets.csv"]
PLACE_KEYS = ("amenity", "leisure", "shop", "club", "office", "healthcare")
NOISE = {"bench", "waste_basket", "parking", "picnic_table"}
WALK = {"primary", "secondary", "tertiary", "unclassified", "residential", "living_street", "pedestrian",
        "service", "footway", "path", "cycleway"}
TO_RD = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)
REFERENCE_DAY = date(2026, 11, 1)


def code(text: str) -> str:
    """A value as typed by a user ('In gesprek', 'openbare ruimte') -> vocabulary code."""
    return re.sub(r"\s+", "_", text.strip().lower())


@pytest.fixture(scope="module")
def buurten() -> gpd.GeoDataFrame:
    return gpd.read_file(DEMO / "buurten.geojson")


@pytest.fixture(scope="module")
def wijken() -> gpd.GeoDataFrame:
    return gpd.read_file(DEMO / "wijken.geojson")


@pytest.fixture(scope="module")
def assets() -> list[dict]:
    with open(DEMO / "assets.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def osm() -> dict:
    """Nodes (RD x/y), ways and places of demo.osm."""
    root = ET.parse(DEMO / "demo.osm").getroot()
    ids, lonlat, node_tags = [], [], {}
    for n in root.iter("node"):
        ids.append(int(n.get("id")))
        lonlat.append((float(n.get("lon")), float(n.get("lat"))))
        tags = {t.get("k"): t.get("v") for t in n.iter("tag")}
        if tags:
            node_tags[ids[-1]] = tags
    x, y = TO_RD.transform(*np.array(lonlat).T)
    xy = dict(zip(ids, zip(x, y)))
    ways = [([int(nd.get("ref")) for nd in w.iter("nd")], {t.get("k"): t.get("v") for t in w.iter("tag")},
             int(w.get("id"))) for w in root.iter("way")]
    places = [(tags, xy[i]) for i, tags in node_tags.items()]
    places += [(tags, tuple(np.mean([xy[r] for r in refs[:-1]], axis=0))) for refs, tags, _ in ways
               if refs[0] == refs[-1] and any(k in tags for k in PLACE_KEYS)]
    return {"root": root, "ids": ids, "xy": xy, "ways": ways, "places": places}


@pytest.fixture(scope="module")
def walk_graph(osm) -> nx.Graph:
    g = nx.Graph()
    for refs, tags, _ in osm["ways"]:
        if tags.get("highway") in WALK and tags.get("foot") != "no":
            for a, b in zip(refs, refs[1:]):
                g.add_edge(a, b, length=float(np.hypot(*np.subtract(osm["xy"][a], osm["xy"][b]))))
    return g


def test_every_file_says_it_is_fictional():
    for name in [*GENERATED, "README.md"]:
        assert re.search(r"[Ff]ictie(f|ve)", (DEMO / name).read_text(encoding="utf-8")), name


def test_buurten_have_cbs_2015_columns_and_rd_crs(buurten):
    assert buurten.crs.to_epsg() == 28992
    assert '"urn:ogc:def:crs:EPSG::28992"' in (DEMO / "buurten.geojson").read_text(encoding="utf-8")
    needed = ["BU_CODE", "BU_NAAM", "WK_CODE", "WK_NAAM", "GM_CODE", "GM_NAAM", "AANT_INW", "AANTAL_HH",
              "OPP_LAND", "P_00_14_JR", "P_15_24_JR", "P_25_44_JR", "P_45_64_JR", "P_65_EO_JR", "opmerking"]
    assert set(needed) <= set(buurten.columns)
    assert len(buurten) >= 12 and buurten["BU_CODE"].is_unique
    assert buurten["BU_CODE"].str.fullmatch(r"BU9999\d{4}").all()
    assert (buurten["BU_CODE"].str[2:8] == buurten["WK_CODE"].str[2:]).all()
    assert set(buurten["GM_CODE"]) == {"GM9999"} and set(buurten["GM_NAAM"]) == {"Lindewaarde (fictief)"}
    assert buurten["opmerking"].str.contains("Fictieve demo-gemeente").all()
    assert (buurten.geom_type == "Polygon").all() and buurten.is_valid.all()


def test_buurten_tile_the_town_without_gaps_or_overlaps(buurten):
    union = shapely.union_all(buurten.geometry.values)
    assert union.geom_type == "Polygon" and not union.interiors  # no holes: no gaps inside the town
    assert buurten.area.sum() == pytest.approx(union.area, abs=5.0)  # no overlaps
    x0, y0, x1, y1 = union.bounds
    assert 3500 < x1 - x0 < 4500 and 3000 < y1 - y0 < 4000
    c = union.centroid
    assert abs(c.x - 140000) < 300 and abs(c.y - 500000) < 300
    # irregular: not axis-aligned rectangles
    assert (buurten.geometry.apply(lambda g: len(g.exterior.coords)) > 5).sum() >= len(buurten) / 2
    assert (buurten["OPP_LAND"] - buurten.area / 1e4).abs().max() <= 1


def test_buurten_population_is_varied_and_has_cbs_quirks(buurten):
    assert 20000 <= buurten["AANT_INW"].sum() <= 30000
    empty = buurten[buurten["AANT_INW"] == 0]
    assert len(empty) == 1 and empty["BU_NAAM"].str.startswith("Bedrijventerrein").all()
    ages = buurten[["P_00_14_JR", "P_15_24_JR", "P_25_44_JR", "P_45_64_JR", "P_65_EO_JR"]]
    sentinel = (ages == -99999999).any(axis=1)
    assert sentinel.sum() == 1
    full = ages[~sentinel & (buurten["AANT_INW"] > 0)]
    assert full.sum(axis=1).between(98, 102).all()
    assert (ages["P_65_EO_JR"] >= 40).any() and (ages["P_00_14_JR"] >= 25).any()
    assert (buurten["AANTAL_HH"] <= buurten["AANT_INW"]).all()


def test_wijken_are_unions_of_their_buurten(buurten, wijken):
    assert wijken.crs.to_epsg() == 28992
    assert {"WK_CODE", "WK_NAAM", "GM_CODE", "GM_NAAM", "AANT_INW"} <= set(wijken.columns)
    assert len(wijken) >= 3 and set(wijken["WK_CODE"]) == set(buurten["WK_CODE"])
    for _, w in wijken.iterrows():
        own = buurten[buurten["WK_CODE"] == w["WK_CODE"]]
        assert w["AANT_INW"] == own["AANT_INW"].sum()
        assert w.geometry.symmetric_difference(shapely.union_all(own.geometry.values)).area < 5.0
        assert w.geometry.geom_type == "Polygon"


def test_osm_file_is_well_formed_and_small(osm):
    text = (DEMO / "demo.osm").read_text(encoding="utf-8")
    root = osm["root"]
    assert root.get("version") == "0.6" and root.get("generator") == "abcd-map make_demo.py (fictief)"
    assert "fictief" in root.find("note").text
    assert (DEMO / "demo.osm").stat().st_size < 2_000_000
    assert min(osm["ids"]) > 0 and len(set(osm["ids"])) == len(osm["ids"])
    way_ids = [w for *_, w in osm["ways"]]
    assert min(way_ids) > 0 and len(set(way_ids)) == len(way_ids)
    coords = re.findall(r'lat="([-\d.]+)" lon="([-\d.]+)"', text)
    assert coords and all(len(a.split(".")[1]) == 7 and len(b.split(".")[1]) == 7 for a, b in coords)
    assert all(r in osm["xy"] for refs, _, _ in osm["ways"] for r in refs)
    assert 2000 <= len(osm["ids"]) <= 5000


def test_osm_has_a_varied_walking_network_and_non_walkable_ways(osm, walk_graph):
    tags = [t for _, t, _ in osm["ways"]]
    highways = {t["highway"] for t in tags if "highway" in t}
    assert {"primary", "secondary", "tertiary", "residential", "living_street", "pedestrian", "footway", "path",
            "cycleway"} <= highways
    assert all(t.get("name") for t in tags if t.get("highway") in ("primary", "secondary"))
    assert any(t.get("highway") == "motorway" and t.get("foot") == "no" for t in tags)
    assert any(t.get("building") == "yes" for t in tags)
    assert any("landuse" in t for t in tags)
    assert any(t.get("waterway") == "canal" for t in tags)
    biggest = max(nx.connected_components(walk_graph), key=len)
    assert len(biggest) >= 0.95 * walk_graph.number_of_nodes()


def test_osm_has_enough_varied_places(osm):
    places = [t for t, _ in osm["places"]]
    assert len(places) >= 150
    kinds = {f"{k}={t[k]}" for t in places for k in PLACE_KEYS if k in t}
    wanted = {f"amenity={v}" for v in (
        "cafe community_centre library place_of_worship social_facility school kindergarten doctors pharmacy "
        "restaurant fast_food pub public_bookcase bench picnic_table parking waste_basket").split()}
    wanted |= {f"leisure={v}" for v in "playground park sports_centre pitch fitness_station garden".split()}
    wanted |= {f"shop={v}" for v in "supermarket bakery convenience hairdresser clothes".split()}
    wanted |= {"office=association", "office=ngo"}
    assert wanted <= kinds
    assert any(k.startswith("club=") for k in kinds) and any(k.startswith("healthcare=") for k in kinds)
    assert any(t.get("garden:type") == "community" for t in places)
    assert all("religion" in t for t in places if t.get("amenity") == "place_of_worship")
    assert sum("opening_hours" in t for t in places) >= 10
    assert any("wheelchair" in t for t in places) and any("website" in t for t in places)
    closed = [t for refs, t, _ in osm["ways"] if refs[0] == refs[-1]]
    assert any(t.get("leisure") == "park" and t.get("name") for t in closed)
    assert any(t.get("amenity") == "school" and t.get("building") for t in closed)


def _rd(row: dict) -> tuple[float, float]:
    if row["x"]:
        return float(row["x"]), float(row["y"])
    return TO_RD.transform(float(row["lon"]), float(row["lat"]))


def test_white_spots_in_polderrand_and_lindehof_but_a_well_served_core(osm, walk_graph, buurten, assets):
    """Walking distance from every node to the nearest welcoming place (OSM or hand-collected)."""
    nodes = np.array(list(walk_graph.nodes))
    xy = np.array([osm["xy"][n] for n in nodes])
    welcoming = [p for t, p in osm["places"] if t.get("amenity") not in NOISE]
    welcoming += [_rd(r) for r in assets if code(r["soort"]) != "persoon"]
    snap, k = cKDTree(xy).query(np.array(welcoming))
    graph = walk_graph.copy()
    graph.add_edges_from((-1, nodes[i], {"length": d}) for i, d in zip(k, snap))
    dist = nx.single_source_dijkstra_path_length(graph, -1, weight="length")
    far = np.array([dist.get(n, np.inf) > 500 for n in nodes])
    for name in ("Rietlanden", "Lindehof-Zuid"):
        poly = buurten.loc[buurten["BU_NAAM"] == name].geometry.iloc[0].buffer(-5)
        inside = shapely.contains_xy(poly, xy[:, 0], xy[:, 1])
        assert far[inside].sum() >= 5, name
    core = shapely.union_all(buurten.loc[buurten["WK_NAAM"] == "Oude Kern"].geometry.values)
    inside = shapely.contains_xy(core, xy[:, 0], xy[:, 1])
    assert far[inside].mean() < 0.05


def test_assets_have_the_dutch_headers_of_columns_csv(assets):
    with open(REPO / "data" / "columns.csv", encoding="utf-8", newline="") as f:
        expected = [r["column"] for r in csv.DictReader(f) if r["table"] == "assets"]
    with open(DEMO / "assets.csv", encoding="utf-8", newline="") as f:
        assert next(csv.reader(f)) == expected


def test_assets_cover_every_kind_and_category(assets):
    with open(REPO / "data" / "vocabulary.csv", encoding="utf-8", newline="") as f:
        vocab = list(csv.DictReader(f))
    codes = {field: {r["code"] for r in vocab if r["field"] == field} for field in ("soort", "categorie", "fase")}
    assert len(assets) >= 48
    ids = [r["id"] for r in assets]
    assert len(set(ids)) == len(ids) and all(re.fullmatch(r"A\d{2,}", i) for i in ids)
    assert {code(r["soort"]) for r in assets} == codes["soort"]
    assert {code(r["categorie"]) for r in assets} == codes["categorie"]
    assert {code(r["fase"]) for r in assets if r["fase"]} == codes["fase"]
    assert all("fictief" in r["bron"] for r in assets)


def test_demo_persons_are_fictional_and_mostly_private(assets):
    persons = [r for r in assets if code(r["soort"]) == "persoon"]
    assert 10 <= len(persons) <= 14
    public = [r for r in persons if r["toestemming"] == "ja" and r["openbaar"] == "ja"]
    assert 2 <= len(public) <= 3 and len(public) < len(persons) / 2
    assert any(r["toestemming"] != "ja" for r in persons)  # persons without consent exist
    assert any(r["openbaar"] == "ja" and r["toestemming"] != "ja" for r in persons)  # visibility without consent
    for r in persons:
        assert re.fullmatch(r"06-00000\d{3}", r["telefoon"]), r["naam"]
        assert r["email"].endswith("@voorbeeld.nl") and r["adres"], r["naam"]


def test_asset_coordinates_are_in_town_in_both_systems(assets, buurten):
    town = shapely.union_all(buurten.geometry.values).buffer(50)
    with_rd = [r for r in assets if r["x"]]
    with_ll = [r for r in assets if r["lat"]]
    assert len(with_rd) >= 3 and len(with_ll) >= 30 and len(with_rd) + len(with_ll) == len(assets)
    assert not any(r["x"] and r["lat"] for r in assets)
    for r in assets:
        assert town.contains(shapely.Point(_rd(r))), r["id"]


def test_asset_values_are_typed_like_users_type_them(assets):
    ids = {r["id"] for r in assets}
    targets = [t.split(":")[1].strip() for r in assets if r["relaties"] for t in r["relaties"].split(";")]
    assert len(targets) >= 10 and set(targets) <= ids
    assert any(r["wanneer"] == "als het mooi weer is" for r in assets)
    assert any(re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["laatste_contact"]) for r in assets)
    assert any(re.fullmatch(r"\d{1,2}-\d{1,2}-\d{4}", r["laatste_contact"]) for r in assets)

    def day(text: str) -> date:
        a, b, c = map(int, text.split("-"))
        return date(a, b, c) if a > 31 else date(c, b, a)

    days = [day(r["laatste_contact"]) for r in assets if r["laatste_contact"]]
    assert all(d <= REFERENCE_DAY for d in days)
    ages = [(REFERENCE_DAY - d).days for d in days]
    assert sum(a > 365 for a in ages) >= 3 and sum(a < 90 for a in ages) >= 3  # stale and recent contacts
    assert all(r["capaciteit"].isdigit() for r in assets if r["capaciteit"])
    assert {r["inloop"] for r in assets} <= {"ja", "nee", ""}


def test_some_hand_collected_places_duplicate_an_osm_place(assets, osm):
    named = [(t["name"], p) for t, p in osm["places"] if t.get("name")]
    tree = cKDTree(np.array([p for _, p in named]))
    dupes = []
    for r in assets:
        if code(r["soort"]) == "plek":
            d, k = tree.query(_rd(r))
            if d < 30 and named[k][0] != r["naam"]:
                dupes.append((r["naam"], named[k][0]))
    assert len(dupes) >= 2, dupes


@pytest.mark.slow  # runs the generator twice
def test_generator_is_deterministic(tmp_path):
    """Two runs give the same bytes; the committed files match a fresh run.

    Geometry may differ in the last centimetre between GEOS/PROJ versions, so the
    committed GeoJSON/OSM files are compared by their properties and tags, and
    their coordinates to within 1 cm / 1e-6 degree.
    """
    spec = importlib.util.spec_from_file_location("make_demo", DEMO / "make_demo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    module.main([str(tmp_path / "a")])
    module.main([str(tmp_path / "b")])
    for name in GENERATED:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert (tmp_path / "a" / "assets.csv").read_bytes() == (DEMO / "assets.csv").read_bytes()
    for name in [n for n in GENERATED if n.endswith(".geojson")]:
        fresh = json.loads((tmp_path / "a" / name).read_text(encoding="utf-8"))
        kept = json.loads((DEMO / name).read_text(encoding="utf-8"))
        assert [f["properties"] for f in fresh["features"]] == [f["properties"] for f in kept["features"]]
        for f1, f2 in zip(fresh["features"], kept["features"]):
            g1, g2 = shape(f1["geometry"]), shape(f2["geometry"])
            assert g1.symmetric_difference(g2).area < 1.0, name
    fresh_osm = (tmp_path / "a" / "demo.osm").read_text(encoding="utf-8")
    kept_osm = (DEMO / "demo.osm").read_text(encoding="utf-8")
    strip = lambda t: re.sub(r'(lat|lon)="[-0-9.]+"', "", t)  # noqa: E731
    assert strip(fresh_osm) == strip(kept_osm)
    coords = lambda t: np.array(re.findall(r'(?:lat|lon)="([-0-9.]+)"', t), dtype=float)  # noqa: E731
    assert np.abs(coords(fresh_osm) - coords(kept_osm)).max() < 1e-6
