"""Tests of abcd_map.classify and the tag table data/osm_tags.csv."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from abcd_map import schema, settings
from abcd_map.classify import classify_places, tag_table
from abcd_map.errors import collect_notes


ROWS = [
    # osm_id, tags
    ("node/1", {"amenity": "community_centre", "name": "Buurthuis De Hoek", "opening_hours": "Mo-Fr 09:00-17:00",
                "website": "https://dehoek.nl", "contact:phone": "015 123", "addr:street": "Hoek",
                "addr:housenumber": "1", "addr:city": "Delft"}),
    ("node/2", {"amenity": "cafe", "shop": "bakery", "name": "Bakkerij-café"}),  # cafe row comes first
    ("way/3", {"leisure": "garden", "garden:type": "community"}),  # community garden before garden
    ("way/4", {"leisure": "garden"}),
    ("node/5", {"amenity": "parking"}),  # noise: dropped
    ("node/6", {"amenity": "frobnicator"}),  # unknown: dropped and reported
    ("node/7", {"amenity": "frobnicator"}),
    ("node/8", {"shop": "bakery", "name": "Bakker Bart"}),  # shop=* wildcard
    ("node/9", {"club": "sport", "name": "VV Delft"}),
    ("node/10", {"healthcare": "physiotherapist"}),
    ("way/11", {"landuse": "allotments", "name": "Tuinpark"}),
    ("node/12", {"leisure": "playground"}),  # unnamed: Dutch label as name
    ("node/13", {"amenity": "bench"}),  # openbare ruimte, not shown by default
    ("node/14", {"amenity": "place_of_worship", "religion": "christian", "email": "kerk@example.nl"}),
]


def make_places(rows, with_columns: bool = True) -> gpd.GeoDataFrame:
    keys = sorted({k for _, t in rows for k in t})
    data = pd.DataFrame({"osm_id": [r[0] for r in rows],
                         "tags": [json.dumps(t) for _, t in rows]})
    if with_columns:
        for k in keys:
            data[k] = [t.get(k) for _, t in rows]
    pts = [shapely.Point(85000 + i, 447000) for i in range(len(rows))]
    return gpd.GeoDataFrame(data, geometry=pts, crs=settings.crs)


@pytest.mark.parametrize("with_columns", [True, False])
def test_classify_hand_made(with_columns: bool) -> None:
    with collect_notes() as notes:
        a = classify_places(make_places(ROWS, with_columns))
    assert list(a.columns) == schema.ASSET_COLUMNS + ["osm_tag", "geometry"]
    a = a.set_index("id", drop=False)
    assert len(a) == len(ROWS) - 3
    assert "node/5" not in a.index and "node/6" not in a.index
    assert a.loc["node/1", "categorie"] == "instellingen"
    assert a.loc["node/1", "ontmoetingsplek"]
    assert a.loc["node/1", "openingstijden"] == "Mo-Fr 09:00-17:00"
    assert a.loc["node/1", "telefoon"] == "015 123"
    assert a.loc["node/1", "website"] == "https://dehoek.nl"
    assert a.loc["node/1", "adres"] == "Hoek 1, Delft"
    assert a.loc["node/2", "label"] == "Café"
    assert a.loc["way/3", "label"] == "Buurttuin" and a.loc["way/3", "ontmoetingsplek"]
    assert a.loc["way/4", "label"] == "Tuin" and not a.loc["way/4", "standaard_zichtbaar"]
    assert a.loc["node/8", "categorie"] == "economie" and a.loc["node/8", "naam"] == "Bakker Bart"
    assert a.loc["node/9", "categorie"] == "verenigingen"
    assert a.loc["node/10", "categorie"] == "instellingen"
    assert a.loc["way/11", "label"] == "Volkstuinen"
    assert a.loc["node/12", "naam"] == "Speeltuin"
    assert a.loc["node/12", "doelgroepen"] == "kinderen; ouders"
    assert a.loc["node/13", "soort"] == "openbare_ruimte" and not a.loc["node/13", "standaard_zichtbaar"]
    # street furniture is a small place; hidden-by-default assets (garden) are not
    assert a["kleine_plek"].tolist() == [i == "node/13" for i in a["id"]]
    assert not a.loc["way/4", "kleine_plek"] and not a.loc["way/4", "standaard_zichtbaar"]
    assert a.loc["node/14", "email"] == "kerk@example.nl"
    # fixed fields
    assert (a["herkomst"] == schema.ORIGIN_OSM).all() and (a["bron"] == "OpenStreetMap").all()
    assert (a["fase"] == "onbekend").all() and a["laatste_contact"].isna().all()
    assert (a["osm_id"] == a["id"]).all()
    assert a.crs == settings.crs
    for col in ("inloop", "toestemming", "openbaar", "ontmoetingsplek", "standaard_zichtbaar", "kleine_plek"):
        assert a[col].dtype == bool
    # unknown tags reported once, with counts
    unknown = [n for n in notes if "tagtabel" in n]
    assert len(unknown) == 1 and "amenity=frobnicator (2)" in unknown[0] and unknown[0].startswith(
        "OpenStreetMap: 2 plekken")


def test_tag_table_uses_vocabulary() -> None:
    t = tag_table()
    assert not t.duplicated(["key", "value"]).any()
    useful = t[~t["ruis"]]
    assert set(useful["categorie"]) <= set(schema.codes("categorie"))
    assert set(useful["soort"]) <= set(schema.codes("soort"))
    groups = {g for cell in t["doelgroepen"] if cell for g in cell.split("; ")}
    assert groups <= set(schema.codes("doelgroep"))
    for col in ("ontmoetingsplek", "standaard_zichtbaar", "kleine_plek", "ruis"):
        assert t[col].dtype == bool
    # wildcards come after the specific rows of their key
    for key in t.loc[t["value"] == "*", "key"]:
        rows = t[t["key"] == key]
        assert rows["value"].iloc[-1] == "*" or (rows["value"] == "*").idxmax() > rows.index[
            rows["value"] != "*"].max()


def test_small_places_in_tag_table() -> None:
    """Street furniture is a kleine plek: on the map (hidden), never noise, never shown by default."""
    t = tag_table().set_index(["key", "value"])
    small = {("amenity", "bench"), ("amenity", "picnic_table"), ("leisure", "picnic_table"),
             ("amenity", "drinking_water"), ("amenity", "toilets"), ("amenity", "shelter"),
             ("amenity", "bbq"), ("amenity", "fountain")}
    assert set(t.index[t["kleine_plek"]]) == small
    assert not t.loc[list(small), "ruis"].any() and not t.loc[list(small), "standaard_zichtbaar"].any()
    # bins and bicycle racks stay noise; hidden-by-default places stay assets
    assert t.loc[("amenity", "waste_basket"), "ruis"] and t.loc[("amenity", "bicycle_parking"), "ruis"]
    for key in [("tourism", "artwork"), ("leisure", "garden"), ("amenity", "bank"), ("office", "*"),
                ("amenity", "public_bookcase"), ("leisure", "fitness_station")]:
        assert not t.loc[key, "kleine_plek"] and not t.loc[key, "ruis"]


def test_osm_geometry_is_passed_on() -> None:
    """An osm_geometry column of the places (the object's own shape) reaches the classified table."""
    places = make_places([("way/1", {"leisure": "park", "name": "Park"}), ("node/2", {"amenity": "bench"})])
    park = shapely.box(85000, 446900, 85300, 447100)
    places[schema.OSM_GEOMETRY_COLUMN] = [park, None]
    a = classify_places(places)
    assert list(a.columns) == schema.ASSET_COLUMNS + ["osm_tag", "geometry", schema.OSM_GEOMETRY_COLUMN]
    assert a[schema.OSM_GEOMETRY_COLUMN].iloc[0].equals(park) and a[schema.OSM_GEOMETRY_COLUMN].iloc[1] is None
    assert a["kleine_plek"].tolist() == [False, True]


@pytest.mark.realdata
def test_real_delft_small_places(shared_data) -> None:
    """Delft: benches and picnic tables are kleine plekken, not assets (issue 11)."""
    from abcd_map.load.osm import load_osm

    with collect_notes():
        a = classify_places(load_osm(shared_data / "osm" / "delft-tudelft.osm.bz2").places)
    small = a[a["kleine_plek"]]
    assert set(small["label"]) <= {"Bankje", "Picknicktafel", "Watertappunt", "Openbaar toilet", "Schuilhut",
                                   "Barbecueplek", "Fontein"}
    assert (small["label"].isin(["Bankje", "Picknicktafel"])).sum() >= 150
    assert 250 < (~a["kleine_plek"]).sum() < len(a)


def test_empty_places() -> None:
    a = classify_places(make_places([]))
    assert len(a) == 0 and list(a.columns) == schema.ASSET_COLUMNS + ["osm_tag", "geometry"]


def test_classify_real_delft(delft_osm) -> None:
    places = delft_osm.places
    with collect_notes() as notes:
        a = classify_places(places)
    assert 300 < len(a) < len(places)
    assert a["id"].is_unique
    assert set(a["categorie"]) <= set(schema.codes("categorie"))
    assert a["ontmoetingsplek"].sum() > 20
    assert (a["label"] == "Minibieb").sum() >= 1
    assert sum("tagtabel" in n for n in notes) <= 1


def test_specific_tags_add_target_groups():
    """social_facility:for names the group; a specific group replaces 'iedereen'."""
    import geopandas as gpd
    from shapely.geometry import Point

    from abcd_map.classify import classify_places

    places = gpd.GeoDataFrame(
        {"osm_id": ["node/1", "node/2", "node/3"],
         "amenity": ["social_facility", "social_facility", "community_centre"],
         "social_facility:for": ["senior", "mental_health;migrant", None],
         "name": ["Zonnehuis", "Inloophuis De Brug", "Buurthuis"]},
        geometry=[Point(0, 0), Point(1, 1), Point(2, 2)], crs="EPSG:28992")
    out = classify_places(places).set_index("id")["doelgroepen"]
    assert "senioren" in out["node/1"].split("; ")
    assert set(out["node/2"].split("; ")) >= {"ggz", "nieuwkomers"}
    assert "iedereen" not in out["node/2"]
    assert out["node/3"] == "iedereen"


def test_osm_tag_keeps_the_tags_that_say_what_a_place_is() -> None:
    rows = [
        ("node/1", {"amenity": "school", "isced:level": "0;1", "school": "primary", "name": "De Kring"}),
        ("node/2", {"amenity": "cafe", "shop": "bakery"}),
        ("node/3", {"shop": "supermarket", "name": "Buurtsuper"}),
        ("node/4", {"healthcare": "doctor", "healthcare:speciality": "general"}),
    ]
    a = classify_places(make_places(rows)).set_index("id")
    assert a.loc["node/1", "osm_tag"] == "amenity=school | isced:level=0;1 | school=primary"
    assert a.loc["node/2", "osm_tag"] == "amenity=cafe | shop=bakery"
    assert a.loc["node/3", "osm_tag"] == "shop=supermarket"  # the wildcard row shop=* names the real value
    assert a.loc["node/4", "osm_tag"] == "healthcare=doctor | healthcare:speciality=general"


def test_facility_tags_have_their_own_labels() -> None:
    rows = [("node/1", {"shop": "supermarket"}), ("node/2", {"healthcare": "doctor"}),
            ("node/3", {"amenity": "doctors", "healthcare": "doctor"})]
    a = classify_places(make_places(rows)).set_index("id")
    assert a["label"].to_dict() == {"node/1": "Supermarkt", "node/2": "Arts", "node/3": "Huisarts"}
