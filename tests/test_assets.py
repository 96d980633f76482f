"""Loading, geocoding and merging hand-collected assets (good files)."""

from __future__ import annotations

import json
from datetime import datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from abcd_map import schema, settings
from abcd_map.errors import OfflineError, collect_notes
from abcd_map.load import assets as assets_mod
from abcd_map.load.assets import (
    geocode_addresses,
    load_assets,
    merge_assets,
    normalise_name,
    validate_assets,
)

# Delft, Markt (about): WGS84 and RD New of the same point
LAT, LON = 52.0116, 4.3571


def rd(lat: float, lon: float) -> tuple[float, float]:
    point = gpd.GeoSeries([shapely.Point(lon, lat)], crs=4326).to_crs(28992).iloc[0]
    return point.x, point.y


def write(tmp_path, text: str, name: str = "assets.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


# ---------------------------------------------------------------- the asset table


def test_output_table_shape_and_types(tmp_path):
    path = write(tmp_path, "id,naam,soort,lat,lon\nA1,Buurthuis De Pauw,plek,52.0116,4.3571\n"
                           "A2,Jan,persoon,52.0120,4.3580\n")
    assets = load_assets(path)
    assert list(assets.columns) == schema.ASSET_COLUMNS + ["geometry"]
    assert assets.crs == settings.crs
    assert assets.attrs["source_rows"] == [2, 3]
    row = assets.iloc[0]
    assert row["herkomst"] == schema.ORIGIN_HAND == "handmatig"
    assert row["standaard_zichtbaar"] is True or row["standaard_zichtbaar"] == True  # noqa: E712
    assert assets["kleine_plek"].dtype == bool and not assets["kleine_plek"].any()  # hand rows are assets
    assert row["osm_id"] == ""
    assert assets["label"].tolist() == ["Plek", "Persoon"]
    assert assets["fase"].tolist() == ["onbekend", "onbekend"]
    assert assets["laatste_contact"].dtype.kind == "M"
    assert assets["capaciteit"].dtype == float
    for column in ("inloop", "toestemming", "openbaar", "ontmoetingsplek", "standaard_zichtbaar"):
        assert assets[column].dtype == bool
    x, y = rd(LAT, LON)
    assert assets.geometry.iloc[0].distance(shapely.Point(x, y)) < 0.01


def test_english_headers_and_values(tmp_path):
    path = write(tmp_path, "Name,Kind,Category,Latitude,Longitude,Target groups,Drop-in,Welcoming stage\n"
                           "Library,Organisation,Institutions,52.0116,4.3571,Seniors; Youth,yes,Trained\n")
    with collect_notes():
        assets = load_assets(path)
    row = assets.iloc[0]
    assert (row["naam"], row["soort"], row["categorie"]) == ("Library", "organisatie", "instellingen")
    assert row["doelgroepen"] == "senioren; jeugd"
    assert row["inloop"] and row["fase"] == "getraind"


def test_column_names_case_and_space_insensitive(tmp_path):
    path = write(tmp_path, " ID ;NAAM;Soort Asset;Laatste Contact;BREEDTEGRAAD;lengtegraad\n"
                           "A1;Buurthuis;Plek;1-3-2024;52,0116;4,3571\n")
    assets = load_assets(path)
    assert assets["id"].tolist() == ["A1"]
    assert assets["laatste_contact"].iloc[0] == pd.Timestamp("2024-03-01")


def test_values_are_parsed(tmp_path):
    path = write(tmp_path, (
        "id,naam,soort,categorie,lat,lon,doelgroepen,inloop,toestemming,capaciteit,email,website,relaties,fase\n"
        'A1,Buurthuis,Plek,,52.0116,4.3571,"Senioren, jeugd; GGZ",x,,40,mailto:info@pauw.nl,www.pauw.nl,'
        '"partner van:a2; Verwijst naar:A2",In gesprek\n'
        "A2,Jan,persoon,,52.0120,4.3580,,,ja,,,,,\n"
        "A3,Tuin,openbare ruimte,Cultuur,52.0130,4.3590,,nee,,0,,https://tuin.nl,,benaderd\n"))
    assets = load_assets(path).set_index("id")
    assert assets.loc["A1", "doelgroepen"] == "senioren; jeugd; ggz"
    assert assets.loc["A1", "inloop"] and not assets.loc["A3", "inloop"]
    assert assets.loc["A2", "toestemming"] and not assets.loc["A1", "toestemming"]
    assert assets.loc["A1", "capaciteit"] == 40 and np.isnan(assets.loc["A2", "capaciteit"])
    assert assets.loc["A1", "email"] == "info@pauw.nl"
    assert assets.loc["A1", "website"] == "https://www.pauw.nl"
    assert assets.loc["A3", "website"] == "https://tuin.nl"
    assert assets.loc["A1", "relaties"] == "partner_van:A2; verwijst_naar:A2"
    assert assets["fase"].tolist() == ["in_gesprek", "onbekend", "benaderd"]


def test_categorie_and_ontmoetingsplek_default_from_soort(tmp_path):
    rows = "\n".join(f"A{i},n{i},{s},52.0116,4.3571" for i, s in
                     enumerate(["persoon", "initiatief", "organisatie", "plek", "openbare ruimte"]))
    assets = load_assets(write(tmp_path, "id,naam,soort,lat,lon\n" + rows + "\n"))
    assert assets["categorie"].tolist() == ["individuen", "verenigingen", "instellingen",
                                            "fysieke_ruimte", "fysieke_ruimte"]
    assert assets["ontmoetingsplek"].tolist() == [False, False, False, True, True]
    # an explicit value wins over the default
    assets = load_assets(write(tmp_path, "naam,soort,categorie,ontmoetingsplek,lat,lon\n"
                                         "Kerk,plek,cultuur,nee,52.0116,4.3571\n", "b.csv"))
    assert assets.iloc[0][["categorie", "ontmoetingsplek"]].tolist() == ["cultuur", False]


def test_ids_generated_when_missing_with_a_note(tmp_path):
    path = write(tmp_path, "naam,soort,lat,lon,relaties\nA,plek,52.0116,4.3571,partner van:A0002\n"
                           "B,plek,52.0117,4.3572,\n")
    with collect_notes() as notes:
        assets = load_assets(path)
    assert assets["id"].tolist() == ["A0001", "A0002"]
    assert assets["relaties"].iloc[0] == "partner_van:A0002"
    assert any("geen kolom 'id'" in n for n in notes)


def test_unknown_columns_are_left_out_with_one_note(tmp_path):
    path = write(tmp_path, "naam,soort,lat,lon,Favoriete kleur,Schoenmaat\nA,plek,52.0116,4.3571,rood,42\n"
                           "B,plek,52.0116,4.3571,blauw,40\n")
    with collect_notes() as notes:
        assets = load_assets(path)
    assert "Favoriete kleur" not in assets.columns
    hits = [n for n in notes if "Favoriete kleur" in n]
    assert len(hits) == 1 and "Schoenmaat" in hits[0]


# ---------------------------------------------------------------- CSV dialects and encodings


def test_semicolon_decimal_comma(tmp_path):
    path = write(tmp_path, "naam;soort;lat;lon;capaciteit\nA;plek;52,0116;4,3571;1.250,5\n")
    assets = load_assets(path)
    assert assets["capaciteit"].tolist() == [1250.5]
    assert assets.to_crs(4326).geometry.x.round(4).tolist() == [4.3571]


def test_tab_separated(tmp_path):
    path = write(tmp_path, "naam\tsoort\tlat\tlon\nA, B en C\tplek\t52.0116\t4.3571\n", "assets.tsv")
    assert load_assets(path)["naam"].tolist() == ["A, B en C"]


def test_utf8_with_bom(tmp_path):
    path = tmp_path / "assets.csv"
    path.write_bytes("id;naam;soort;lat;lon\nA1;Ençé;plek;52,0116;4,3571\n".encode("utf-8-sig"))
    assets = load_assets(path)
    assert assets["id"].tolist() == ["A1"] and assets["naam"].tolist() == ["Ençé"]


def test_cp1252_as_excel_writes_it(tmp_path):
    path = tmp_path / "assets.csv"
    path.write_bytes("naam;soort;omschrijving;lat;lon\nCafé;plek;Koffie à €1;52,0116;4,3571\n".encode("cp1252"))
    assert load_assets(path)["omschrijving"].tolist() == ["Koffie à €1"]


def test_blank_lines_keep_row_numbers(tmp_path):
    path = write(tmp_path, "naam,soort,lat,lon\nA,plek,52.0116,4.3571\n\n,,,\nB,plek,52.0116,4.3571\n\n")
    assets = load_assets(path)
    assert assets.attrs["source_rows"] == [2, 5]
    problems = validate_assets(write(tmp_path, "naam,soort,lat,lon\nA,plek,52.0116,4.3571\n\nB,kabouter,52,4\n",
                                     "b.csv"))
    assert {p.row for p in problems} == {4}


# ---------------------------------------------------------------- coordinates


def test_rd_coordinates(tmp_path):
    assets = load_assets(write(tmp_path, "naam,soort,x,y\nA,plek,84000,447000\n"))
    assert (assets.geometry.x.iloc[0], assets.geometry.y.iloc[0]) == (84000, 447000)


def test_lat_lon_columns_with_rd_numbers_read_as_rd(tmp_path):
    path = write(tmp_path, "naam,soort,lat,lon\nA,plek,447000,84000\n")
    with collect_notes() as notes:
        assets = load_assets(path)
    assert (assets.geometry.x.iloc[0], assets.geometry.y.iloc[0]) == (84000, 447000)
    assert any("RD-coördinaten" in n for n in notes)


def test_x_y_columns_with_degrees_read_as_wgs84(tmp_path):
    path = write(tmp_path, "naam,soort,x,y\nA,plek,4.3571,52.0116\n")
    with collect_notes() as notes:
        assets = load_assets(path)
    x, y = rd(LAT, LON)
    assert assets.geometry.iloc[0].distance(shapely.Point(x, y)) < 0.01
    assert any("graden" in n for n in notes)


def test_x_y_preferred_over_lat_lon(tmp_path):
    assets = load_assets(write(tmp_path, "naam,soort,x,y,lat,lon\nA,plek,84000,447000,52.0116,4.3571\n"
                                         "B,plek,,,52.0116,4.3571\n"))
    assert assets.geometry.x.iloc[0] == 84000
    assert abs(assets.geometry.x.iloc[1] - rd(LAT, LON)[0]) < 0.01


# ---------------------------------------------------------------- Excel


def test_xlsx_sheet_choice_dates_and_trailing_rows(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    help_ws = wb.active
    help_ws.title = "Uitleg"
    help_ws.append(["Dit blad wordt overgeslagen"])
    wb.create_sheet("Notities").append(["kladblok"])
    ws = wb.create_sheet("Gegevens")
    ws.append(["Id", "Naam", "Soort", "Laatste contact", "Lat", "Lon", "Inloop", "Capaciteit"])
    ws.append([12, "Buurthuis", "Plek", datetime(2024, 3, 1), 52.0116, 4.3571, True, 40])
    ws.append([None] * 8)
    ws.append([13, "Tuin", "openbare ruimte", "5-6-2023", "52,0120", "4,3580", "nee", None])
    for r in range(5, 40):  # formatted but empty rows, as Excel leaves them
        ws.cell(row=r, column=4).number_format = "d-m-yyyy"
    path = tmp_path / "assets.xlsx"
    wb.save(path)
    assets = load_assets(path)
    assert assets["id"].tolist() == ["12", "13"]
    assert assets.attrs["source_rows"] == [2, 4]
    assert assets["laatste_contact"].tolist() == [pd.Timestamp("2024-03-01"), pd.Timestamp("2023-06-05")]
    assert assets["inloop"].tolist() == [True, False]
    assert assets["capaciteit"].iloc[0] == 40


def test_xlsx_first_sheet_when_no_named_sheet(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Blad1"
    wb.active.append(["naam", "soort", "lat", "lon"])
    wb.active.append(["A", "plek", 52.0116, 4.3571])
    wb.create_sheet("Blad2").append(["iets", "anders"])
    path = tmp_path / "a.xlsx"
    wb.save(path)
    with collect_notes():
        assert load_assets(path)["naam"].tolist() == ["A"]


# ---------------------------------------------------------------- GeoJSON and GeoPackage


def test_geojson_points_and_rows_without_geometry(tmp_path):
    features = [
        {"type": "Feature", "properties": {"id": "A1", "naam": "Bank", "soort": "plek"},
         "geometry": {"type": "Point", "coordinates": [LON, LAT]}},
        {"type": "Feature", "properties": {"id": "A2", "naam": "Tuin", "soort": "plek", "lat": 52.0120, "lon": 4.3580},
         "geometry": None},
    ]
    path = write(tmp_path, json.dumps({"type": "FeatureCollection", "features": features}), "a.geojson")
    assets = load_assets(path)
    assert assets.attrs["source_rows"] == [1, 2]
    assert assets.geometry.iloc[0].distance(shapely.Point(*rd(LAT, LON))) < 0.01
    assert assets.geometry.iloc[1].distance(shapely.Point(*rd(52.0120, 4.3580))) < 0.01


def test_geopackage_in_rd(tmp_path):
    gdf = gpd.GeoDataFrame({"name": ["Bieb", "Park"], "kind": ["organisation", "public space"]},
                           geometry=[shapely.Point(84000, 447000), shapely.Point(84100, 447100)], crs=28992)
    path = tmp_path / "a.gpkg"
    gdf.to_file(path)
    with collect_notes():
        assets = load_assets(path)
    assert assets["soort"].tolist() == ["organisatie", "openbare_ruimte"]
    assert assets.geometry.x.tolist() == [84000, 84100]


def test_geopackage_in_web_mercator_is_reprojected(tmp_path):
    gdf = gpd.GeoDataFrame({"naam": ["Bank"], "soort": ["plek"]},
                           geometry=[shapely.Point(LON, LAT)], crs=4326).to_crs(3857)
    path = tmp_path / "a.gpkg"
    gdf.to_file(path)
    with collect_notes():
        assets = load_assets(path)
    assert assets.geometry.iloc[0].distance(shapely.Point(*rd(LAT, LON))) < 0.01


# ---------------------------------------------------------------- persons and addresses


def test_person_address_never_kept(tmp_path):
    path = write(tmp_path, "naam,soort,adres,lat,lon\nJan,persoon,Thuisstraat 1,52.0116,4.3571\n"
                           "Bieb,organisatie,Markt 1,52.0116,4.3571\n")
    assets = load_assets(path)
    assert assets["adres"].tolist() == ["", "Markt 1"]


def pdok_answer(x: float, y: float) -> dict:
    return {"response": {"numFound": 1, "docs": [{"centroide_rd": f"POINT({x} {y})",
                                                   "weergavenaam": "ergens"}]}}


def test_geocoding_with_cache_and_person_privacy(tmp_path, monkeypatch):
    monkeypatch.setenv("ABCD_MAP_CACHE", str(tmp_path / "cache"))
    calls: list[dict] = []

    def fake_get(url, params, timeout):
        calls.append(params)
        assert url == assets_mod.PDOK_LOCATIESERVER_URL and timeout == 10
        assert params["fq"] == "type:adres" and params["rows"] == 1
        if "Nergens" in params["q"]:
            return {"response": {"numFound": 0, "docs": []}}
        return pdok_answer(84000.5, 447000.25) if "Markt" in params["q"] else pdok_answer(85000, 448000)

    monkeypatch.setattr(assets_mod, "_http_get_json", fake_get)
    path = write(tmp_path, "naam,soort,adres,plaats,lat,lon\nBieb,organisatie,Markt 1,Delft,,\n"
                           "Jan,persoon,Thuisstraat 9,Delft,,\n")
    assert [p.column for p in validate_assets(path)] == ["adres", "adres"]  # offline by default
    assets = load_assets(path, geocode=True)
    assert [(g.x, g.y) for g in assets.geometry] == [(84000.5, 447000.25), (85000, 448000)]
    assert assets["adres"].tolist() == ["Markt 1", ""]
    assert [c["q"] for c in calls] == ["Markt 1 Delft", "Thuisstraat 9 Delft"]
    cached = list((tmp_path / "cache" / "geocode").glob("*.json"))
    assert len(cached) == 1  # the place only: a person's address never reaches the disk
    text = cached[0].read_text()
    assert "Thuisstraat" not in text and json.loads(text) == {"x": 84000.5, "y": 447000.25}
    # second run: the place comes from the cache, the person is asked again
    calls.clear()
    load_assets(path, geocode=True)
    assert [c["q"] for c in calls] == ["Thuisstraat 9 Delft"]
    # an address PDOK does not know is a problem
    missing = write(tmp_path, "naam,soort,adres\nX,plek,Nergens 1\n", "b.csv")
    problems = validate_assets(missing, geocode=True)
    assert [(p.row, p.column) for p in problems] == [(2, "adres")]
    assert "adres niet gevonden" in problems[0].message


def test_geocode_addresses_direct(monkeypatch, tmp_path):
    monkeypatch.setenv("ABCD_MAP_CACHE", str(tmp_path))
    monkeypatch.setattr(assets_mod, "_http_get_json", lambda url, params, timeout: pdok_answer(1, 2))
    df = pd.DataFrame({"adres": ["Markt 1", "", "Markt 1"], "soort": ["plek", "plek", "Persoon"]}, index=[5, 6, 7])
    points = geocode_addresses(df, cache=False)
    assert list(points.index) == [5, 6, 7]
    assert points.iloc[1] is None and points.iloc[0].equals(shapely.Point(1, 2))
    assert not (tmp_path / "geocode").exists()


def test_geocoding_offline_is_a_dutch_offline_error(monkeypatch, tmp_path):
    import requests

    monkeypatch.setenv("ABCD_MAP_CACHE", str(tmp_path))

    def refuse(*args, **kwargs):
        raise requests.ConnectionError("geen netwerk")

    monkeypatch.setattr(requests, "get", refuse)
    path = write(tmp_path, "naam,soort,adres\nBieb,organisatie,Markt 1\n")
    with pytest.raises(OfflineError, match="niet bereikbaar"):
        load_assets(path, geocode=True)


# ---------------------------------------------------------------- merging with OSM


def asset_table(rows: list[dict]) -> gpd.GeoDataFrame:
    base = {c: "" for c in schema.ASSET_COLUMNS}
    base.update({"inloop": False, "toestemming": False, "openbaar": False, "ontmoetingsplek": False,
                 "standaard_zichtbaar": True, "capaciteit": np.nan, "laatste_contact": pd.NaT})
    records = [{**base, **{k: v for k, v in r.items() if k != "xy"}} for r in rows]
    return gpd.GeoDataFrame(pd.DataFrame(records, columns=schema.ASSET_COLUMNS),
                            geometry=[shapely.Point(r["xy"]) for r in rows], crs=settings.crs)


def test_normalise_name_expands_abbreviations():
    assert normalise_name("Bh. de Pauw") == "buurthuis de pauw"
    assert normalise_name("Bibl. Voorhof") == "bibliotheek voorhof"
    assert normalise_name("St. Present") == "stichting present"
    assert normalise_name("Ver. Oud-Delft") == "vereniging oud delft"


def test_merge_same_place_from_osm_and_hand_list():
    hand = asset_table([
        {"id": "A1", "naam": "Buurthuis De Pauw", "soort": "plek", "herkomst": "handmatig",
         "openingstijden": "", "website": "", "fase": "ontvangend", "xy": (84000, 447000)},
        {"id": "A2", "naam": "Bibliotheek Centrum", "soort": "organisatie", "website": "https://eigen.nl",
         "xy": (85000, 447000)},
        {"id": "A3", "naam": "De Pauw", "soort": "persoon", "xy": (84000, 447000)},
        {"id": "A4", "naam": "Speeltuin", "soort": "openbare_ruimte", "xy": (86000, 447000)},
    ])
    osm = asset_table([
        {"id": "node/1", "osm_id": "node/1", "naam": "Bh. de Pauw", "soort": "plek", "herkomst": "OpenStreetMap",
         "openingstijden": "Mo-Fr 09:00-17:00", "website": "https://pauw.nl", "xy": (84009, 447012)},  # 15 m
        {"id": "node/2", "osm_id": "node/2", "naam": "Bibl. Centrum", "soort": "organisatie",
         "website": "https://osm.nl", "openingstijden": "Tu 10:00-12:00", "xy": (85000, 447100)},  # 100 m
        {"id": "node/3", "osm_id": "node/3", "naam": "Snackbar Smullen", "soort": "plek", "xy": (86005, 447000)},
    ])
    with collect_notes() as notes:
        merged, report = merge_assets(hand, osm)
    assert list(report.columns) == ["id", "naam", "osm_id", "osm_naam", "afstand_m", "gelijkenis"]
    assert report[["id", "osm_id"]].values.tolist() == [["A1", "node/1"]]
    assert report["afstand_m"].iloc[0] == 15.0 and report["gelijkenis"].iloc[0] == 100.0
    assert any("samengevoegd" in n for n in notes)
    # the hand row is kept, with the OSM id and OSM's hours and website filling the gaps
    a1 = merged.set_index("id").loc["A1"]
    assert (a1["osm_id"], a1["openingstijden"], a1["website"], a1["fase"], a1["herkomst"]) == (
        "node/1", "Mo-Fr 09:00-17:00", "https://pauw.nl", "ontvangend", "handmatig")
    assert a1.geometry.equals(shapely.Point(84000, 447000))
    # too far (100 m), persons and dissimilar names do not merge
    assert merged["id"].tolist() == ["A1", "A2", "A3", "A4", "node/2", "node/3"]
    assert merged.set_index("id").loc["A3", "osm_id"] == ""
    assert merged.set_index("id").loc["A2", "website"] == "https://eigen.nl"
    assert list(merged.columns) == schema.ASSET_COLUMNS + ["geometry"]
    assert merged.crs == settings.crs
    # a larger distance merges the library as well; the hand website stays
    merged, report = merge_assets(hand, osm, max_distance=150)
    assert report["id"].tolist() == ["A1", "A2"]
    a2 = merged.set_index("id").loc["A2"]
    assert (a2["website"], a2["openingstijden"]) == ("https://eigen.nl", "Tu 10:00-12:00")


def test_merge_is_one_to_one():
    hand = asset_table([
        {"id": "A1", "naam": "Buurthuis De Pauw", "soort": "plek", "xy": (84000, 447000)},
        {"id": "A2", "naam": "Buurthuis de Pauw (zaal 2)", "soort": "plek", "xy": (84005, 447000)},
    ])
    osm = asset_table([{"id": "n", "osm_id": "node/1", "naam": "Bh. De Pauw", "soort": "plek",
                        "xy": (84010, 447000)}])
    merged, report = merge_assets(hand, osm)
    assert report["id"].tolist() == ["A1"]  # the better name wins; A2 stays on its own
    assert len(merged) == 2 and merged["osm_id"].tolist() == ["node/1", ""]


def test_merge_with_empty_osm():
    hand = asset_table([{"id": "A1", "naam": "X", "soort": "plek", "xy": (84000, 447000)}])
    merged, report = merge_assets(hand, asset_table([]).iloc[:0])
    assert len(merged) == 1 and report.empty


def test_merge_compares_real_names_only():
    """An unnamed OSM place carries its label as naam ('Speeltuin'): it must not match by name (issue 11.6)."""
    hand = asset_table([
        {"id": "A1", "naam": "Speeltuin De Bolk", "soort": "plek", "xy": (84000, 447000)},
        {"id": "A2", "naam": "Speeltuin", "soort": "plek", "xy": (85000, 447000)},
    ])
    osm = asset_table([
        {"id": "node/1", "osm_id": "node/1", "naam": "Speeltuin", "label": "Speeltuin", "soort": "plek",
         "xy": (84020, 447000)},  # no name tag, 20 m: similarity 100 with any 'Speeltuin ...'
        {"id": "node/2", "osm_id": "node/2", "naam": "Speeltuin De Bolk", "label": "Speeltuin", "soort": "plek",
         "xy": (84060, 447000)},  # the named one, 60 m
        {"id": "node/3", "osm_id": "node/3", "naam": "Speeltuin", "label": "Speeltuin", "soort": "plek",
         "xy": (85005, 447000)},  # generic name on both sides: no match either
    ])
    with collect_notes():
        merged, report = merge_assets(hand, osm)
    assert report[["id", "osm_id"]].values.tolist() == [["A1", "node/2"]]
    assert report["afstand_m"].iloc[0] == 60.0
    assert merged["id"].tolist() == ["A1", "A2", "node/1", "node/3"]


def test_merge_by_explicit_osm_id_whatever_name_or_distance():
    """A hand row that names its OSM place by osm_id merges with it, even when that place has no name."""
    hand = asset_table([
        {"id": "A1", "naam": "Het pleintje", "soort": "openbare_ruimte", "osm_id": "way/7", "xy": (84000, 447000)},
        {"id": "P1", "naam": "Jan", "soort": "persoon", "osm_id": "node/8", "xy": (84500, 447000)},
    ])
    osm = asset_table([
        {"id": "way/7", "osm_id": "way/7", "naam": "Speeltuin", "label": "Speeltuin", "soort": "plek",
         "website": "https://plein.nl", "xy": (84300, 447000)},  # unnamed, 300 m
        {"id": "node/8", "osm_id": "node/8", "naam": "Jan", "soort": "plek", "xy": (84500, 447000)},
    ])
    with collect_notes():
        merged, report = merge_assets(hand, osm)
    assert report[["id", "osm_id", "afstand_m"]].values.tolist() == [["A1", "way/7", 300.0]]
    a1 = merged.set_index("id").loc["A1"]
    assert (a1["osm_id"], a1["website"]) == ("way/7", "https://plein.nl")
    assert merged["id"].tolist() == ["A1", "P1", "node/8"]  # persons never merge


def test_merge_measures_to_the_osm_shape():
    """A park pinned 190 m from OSM's point for it, but inside its area, is one place (issue 11.6)."""
    park = shapely.box(84800, 446800, 85200, 447200)  # 400 m x 400 m, OSM point in the middle
    hand = asset_table([
        {"id": "A1", "naam": "Wilhelminapark", "soort": "openbare_ruimte", "xy": (85190, 447000)},
        {"id": "A2", "naam": "Sporthal Noord", "soort": "plek", "xy": (86050, 447000)},
    ])
    osm = asset_table([
        {"id": "way/1", "osm_id": "way/1", "naam": "Wilhelminapark", "soort": "openbare_ruimte",
         "xy": (85000, 447000)},
        {"id": "way/2", "osm_id": "way/2", "naam": "Sporthal Noord", "soort": "plek", "xy": (86100, 447000)},
    ])
    with collect_notes():
        _, by_point = merge_assets(hand, osm)
    assert by_point["id"].tolist() == ["A2"]  # 190 m from the park's point: counted twice before
    osm[schema.OSM_GEOMETRY_COLUMN] = [park, None]  # the sports hall has no shape: its point counts
    with collect_notes():
        merged, report = merge_assets(hand, osm)
    assert report[["id", "osm_id", "afstand_m"]].values.tolist() == [["A1", "way/1", 0.0], ["A2", "way/2", 50.0]]
    assert list(merged.columns) == schema.ASSET_COLUMNS + ["geometry"] and len(merged) == 2
    # 60 m outside the park's edge is 60 m, within the 75 m
    hand.loc[0, "geometry"] = shapely.Point(85260, 447000)
    with collect_notes():
        _, report = merge_assets(hand, osm)
    assert report.set_index("id").loc["A1", "afstand_m"] == 60.0


def test_merge_shape_from_classified_places():
    """osm_geometry of the places table travels through classify_places into merge_assets."""
    from abcd_map.classify import classify_places

    places = gpd.GeoDataFrame({"osm_id": ["way/1", "node/2"], "tags": ["{}", "{}"],
                               "leisure": ["park", "playground"], "name": ["Wilhelminapark", None]},
                              geometry=[shapely.Point(85000, 447000), shapely.Point(86000, 447000)],
                              crs=settings.crs)
    places[schema.OSM_GEOMETRY_COLUMN] = [shapely.box(84800, 446800, 85200, 447200), None]
    hand = asset_table([
        {"id": "A1", "naam": "Wilhelminapark", "soort": "openbare_ruimte", "xy": (85150, 446850)},
        {"id": "A2", "naam": "Speeltuin Achterom", "soort": "plek", "xy": (86010, 447000)},
    ])
    with collect_notes():
        merged, report = merge_assets(hand, classify_places(places))
    assert report[["id", "osm_id"]].values.tolist() == [["A1", "way/1"]]
    assert merged["id"].tolist() == ["A1", "A2", "node/2"]
    assert schema.OSM_GEOMETRY_COLUMN not in merged.columns


# ---------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def delft_places(shared_data):
    """Named OSM nodes (amenity=*) of the Delft extract as an OSM asset table."""
    import osmium

    rows = []
    for obj in osmium.FileProcessor(str(shared_data / "osm" / "delft-tudelft.osm.bz2")) \
            .with_filter(osmium.filter.EntityFilter(osmium.osm.NODE)) \
            .with_filter(osmium.filter.KeyFilter("amenity")):
        name = obj.tags.get("name")
        if name:
            rows.append({"osm_id": f"node/{obj.id}", "naam": name, "soort": "plek",
                         "herkomst": schema.ORIGIN_OSM, "lon": obj.location.lon, "lat": obj.location.lat})
    frame = pd.DataFrame(rows)
    geometry = gpd.points_from_xy(frame["lon"], frame["lat"], crs=4326)
    return gpd.GeoDataFrame(frame.drop(columns=["lon", "lat"]), geometry=geometry).to_crs(settings.crs)


def test_real_delft_hand_list_lands_in_delft_buurten(shared_data, tmp_path):
    path = write(tmp_path, "naam;soort;lat;lon\nLevend Water;organisatie;51,99866;4,35676\n"
                           "TU Delft Library;organisatie;52,00268;4,37524\n")
    assets = load_assets(path)
    buurten = gpd.read_file(shared_data / "cbs-wijkenbuurten-2015" / "haaglanden_buurt.geojson",
                            columns=["BU_CODE", "GM_NAAM"]).to_crs(settings.crs)
    joined = gpd.sjoin(assets, buurten, predicate="within")
    assert joined["GM_NAAM"].tolist() == ["Delft", "Delft"]


def test_real_delft_merge(delft_places):
    osm = delft_places
    assert len(osm) > 50
    wanted = {"Levend Water": "Kerk Levend Water", "TU Delft Library": "tu delft library"}
    picks = osm[osm["naam"].isin(wanted)].drop_duplicates("naam")
    assert len(picks) == 2
    rows = []
    for i, (_, place) in enumerate(picks.iterrows(), start=1):
        point = place.geometry
        rows.append({"id": f"A{i}", "naam": wanted[place["naam"]], "soort": "organisatie",
                     "xy": (point.x + 12, point.y - 9)})  # 15 m off, as a hand-placed point is
        rows.append({"id": f"P{i}", "naam": place["naam"], "soort": "persoon", "xy": (point.x, point.y)})
    hand = asset_table(rows)
    with collect_notes():
        merged, report = merge_assets(hand, osm)
    assert sorted(report["osm_id"]) == sorted(picks["osm_id"])
    assert report["id"].tolist() == ["A1", "A2"]
    assert np.allclose(report["afstand_m"], 15.0)
    assert len(merged) == len(hand) + len(osm) - 2


def test_one_relation_kind_may_name_several_ids(tmp_path):
    """'partner van: A2, A3' is two relations, as relations.parse_relations reads them too."""
    path = tmp_path / "rel.csv"
    path.write_text('id,naam,soort,relaties,lat,lon\nA1,Een,plek,"partner van: A2, A3",52.01,4.36\n'
                    "A2,Twee,plek,,52.01,4.36\nA3,Drie,plek,Verwijst naar:a1; partner van:A9,52.01,4.36\n",
                    encoding="utf-8")
    problems = validate_assets(path)
    assert [(p.row, p.column) for p in problems] == [(4, "relaties")] and "'A9'" in problems[0].message
    path.write_text(path.read_text(encoding="utf-8").replace("A9", "A2"), encoding="utf-8")
    assets = load_assets(path)
    assert assets["relaties"].tolist() == ["partner_van:A2; partner_van:A3", "", "verwijst_naar:A1; partner_van:A2"]
