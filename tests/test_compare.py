"""``--vergelijk``: what changed since a previous output folder (abcd_map.compare).

Two hand-made runs of a small town whose right answer can be read off: between
them one place is renamed and recategorised, one removed, one added, one moved
100 m, and the coverage of one buurt changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from abcd_map import compare, leakscan, outputs, publication, settings, stages
from abcd_map.errors import InputError
from abcd_map.options import BuildOptions

THEN, NOW = dt.date(2026, 9, 12), dt.date(2026, 11, 27)


def _buurten(cover: list[float], distances: tuple[float, ...] = (500.0,)) -> gpd.GeoDataFrame:
    frame = {"buurtcode": ["BU01", "BU02"], "buurtnaam": ["Noord", "Zuid"], "wijkcode": ["WK1", "WK1"],
             "inwoners": [1000.0, 800.0]}
    for d in distances:
        frame[f"dekking_{d:g}m"] = cover
    return gpd.GeoDataFrame(frame, geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)], crs=settings.crs)


def _place(id_: str, naam: str, x: float, y: float, categorie: str = "fysieke_ruimte", **extra) -> dict:
    return {"id": id_, "naam": naam, "soort": "plek", "categorie": categorie, "openingstijden": "Mo 10:00-12:00",
            "fase": "benaderd", "laatste_contact": pd.Timestamp("2026-08-01"), "inloop": True,
            "toestemming": False, "openbaar": False, "ontmoetingsplek": True, "standaard_zichtbaar": True,
            "geometry": Point(x, y), **extra}


def _assets(rows: list[dict]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=settings.crs)


BEFORE = [
    _place("A1", "Buurthuis De Linde", 500, 500),
    _place("A2", "Bibliotheek Zuid", 1500, 500, categorie="instellingen",
           laatste_contact=pd.Timestamp("2025-10-01")),
    _place("A3", "Speeltuin Het Hofje", 300, 800, categorie="fysieke_ruimte"),
    _place("A4", "Moestuin Oost", 1800, 200),
    _place("node/7", "Buurtkamer Het Anker", 1200, 900),
    {"id": "P1", "naam": "Wendeline Toestemming", "soort": "persoon", "categorie": "individuen",
     "toestemming": True, "openbaar": True, "standaard_zichtbaar": True, "ontmoetingsplek": False,
     "geometry": Point(400, 400)},
]
AFTER = [
    _place("A1", "Huiskamer De Linde", 500, 500, categorie="cultuur"),            # renamed, recategorised
    _place("A2", "Bibliotheek Zuid", 1500, 500, categorie="instellingen",
           laatste_contact=pd.Timestamp("2025-10-01")),                           # stale since
    _place("A4", "Moestuin Oost", 1800, 300),                                     # moved 100 m
    _place("A5", "Repair Café", 700, 200, categorie="economie"),                  # added
    _place("A9", "Buurtkamer Het Anker", 1210, 900),                              # node/7, now a hand row
    # A3 removed; P1 (a person) withdrew consent: not named in publiek
]


def _publication(mode: str, rows: list[dict], cover: list[float], today: dt.date,
                 distances: tuple[float, ...] = (500.0,)) -> publication.Publication:
    buurten = _buurten(cover, distances)
    wijken = buurten.dissolve("wijkcode", as_index=False)[["wijkcode", "geometry"]]
    meta = {"modus": mode, "datum": today.isoformat(), "afstanden": list(distances),
            "hoofdafstand": distances[len(distances) // 2]}
    return publication.publish_frames(buurten, wijken, _assets(rows), mode=mode, meta=meta)


def _write_previous(folder: Path, mode: str = "publiek", distances: tuple[float, ...] = (500.0,)) -> Path:
    """The previous run's GeoPackage and run.json (the two writers --vergelijk reads)."""
    pub = _publication(mode, BEFORE, [60.0, 40.0], THEN, distances)
    folder.mkdir(parents=True, exist_ok=True)
    outputs.WRITERS["geopackage"].func(pub, folder)
    outputs.WRITERS["metadata"].func(pub, folder)
    return folder


@pytest.fixture()
def previous(tmp_path) -> Path:
    return _write_previous(tmp_path / "vorige")


def _asset_rows(table: pd.DataFrame) -> list[tuple]:
    return [tuple(r) for r in table[["wijziging", "id", "naam", "veld", "toen", "nu"]].itertuples(index=False)]


def test_publiek_changes_are_exact(previous):
    now = compare.add_changes(_publication("publiek", AFTER, [60.0, 55.0], NOW), previous)
    table = now.changes["wijzigingen_assets"]
    assert _asset_rows(table) == [
        ("erbij", "A5", "Repair Café", "", "", ""),
        ("weg", "A3", "Speeltuin Het Hofje", "", "", ""),
        ("veranderd", "A9", "Buurtkamer Het Anker", "id", "node/7", "A9"),
        ("veranderd", "A1", "Huiskamer De Linde", "naam", "Buurthuis De Linde", "Huiskamer De Linde"),
        ("veranderd", "A1", "Huiskamer De Linde", "categorie", "fysieke_ruimte", "cultuur"),
        ("veranderd", "A4", "Moestuin Oost", "locatie", "", ""),
    ]
    assert list(table.columns) == list(compare.CHANGE_TABLES["wijzigingen_assets"])
    assert table.set_index(["id", "veld"]).loc[("A4", "locatie"), "verplaatst_m"] == pytest.approx(100.0)
    assert table.set_index(["id", "veld"]).loc[("A9", "id"), "gekoppeld_op"] == "naam en plek"
    assert table.set_index(["id", "veld"]).loc[("A1", "naam"), "gekoppeld_op"] == "id"
    assert "P1" not in set(table["id"]) and "Wendeline" not in " ".join(table["naam"])  # persons: never in publiek

    coverage = now.changes["wijzigingen_dekking"]
    assert coverage.to_dict("list") == {"buurtcode": ["BU01", "BU02"], "buurtnaam": ["Noord", "Zuid"],
                                        "afstand_m": [500.0, 500.0], "dekking_toen": [60.0, 40.0],
                                        "dekking_nu": [60.0, 55.0], "verschil": [0.0, 15.0]}
    assert "verouderde_contacten" not in now.changes  # team only
    assert now.notes[0] == ("Vergeleken met de uitvoer van 12-09-2026 (publiek, 500 m): "
                            "1 assets erbij, 1 weg, 3 veranderd.")
    assert now.meta["vergelijking"]["datum"] == "2026-09-12"
    layer = now.layers[compare.CHANGE_LAYER]
    assert sorted(zip(layer["naam"], layer["wijziging"])) == [
        ("Buurtkamer Het Anker", "veranderd"), ("Huiskamer De Linde", "veranderd"), ("Moestuin Oost", "veranderd"),
        ("Repair Café", "erbij"), ("Speeltuin Het Hofje", "weg")]
    assert set(layer.geom_type) == {"Polygon"}  # drawn as circles, like the other area layers
    assert dict(zip(layer["naam"], layer["reden"]))["Moestuin Oost"] == "veranderd: locatie (100 m)"
    assert dict(zip(layer["naam"], layer["reden"]))["Huiskamer De Linde"] == "veranderd: naam, categorie"


def test_the_previous_folder_is_never_modified(previous, tmp_path):
    def digest() -> dict:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(previous.iterdir())}

    before = digest()
    compare.add_changes(_publication("publiek", AFTER, [60.0, 55.0], NOW), previous)
    assert digest() == before


@pytest.mark.slow
def test_changes_are_written_as_sheets_layers_and_on_the_map(previous, tmp_path):
    now = compare.add_changes(_publication("publiek", AFTER, [60.0, 55.0], NOW), previous)
    outputs.write_everything(now, tmp_path / "nu")
    sheets = pd.read_excel(tmp_path / "nu" / "tabellen.xlsx", sheet_name=None)
    assert {"wijzigingen_assets", "wijzigingen_dekking"} <= set(sheets)
    with sqlite3.connect(tmp_path / "nu" / "abcd-map.gpkg") as db:
        names = {r[0] for r in db.execute("select table_name from gpkg_contents")}
    assert {"wijzigingen_assets", "wijzigingen_dekking", "wijzigingen"} <= names
    page = (tmp_path / "nu" / "kaart.html").read_text(encoding="utf-8")
    assert "Repair Café" in page and "Wat is er veranderd sinds de vorige uitvoer" in page
    meta = json.loads((tmp_path / "nu" / "run.json").read_text(encoding="utf-8"))
    assert meta["vergelijking"]["modus"] == "publiek"
    withdrawn = _assets([{**BEFORE[-1], "toestemming": False, "openbaar": False}])  # P1 withdrew consent
    assert leakscan.leak_scan(tmp_path / "nu", withdrawn, mode="publiek") == []


def test_a_team_folder_is_refused_in_a_publiek_run(tmp_path):
    folder = _write_previous(tmp_path / "team", mode="team")
    with pytest.raises(InputError) as info:
        compare.add_changes(_publication("publiek", AFTER, [60.0, 55.0], NOW), folder)
    assert ("de vorige uitvoer is in modus team gemaakt; vergelijk een publieke run alleen met een publieke "
            "vorige uitvoer") in info.value.message()
    (folder / "run.json").unlink()  # the mode then comes from the GeoPackage's over_deze_run table
    with pytest.raises(InputError, match="modus team"):
        compare.read_previous(folder, "publiek")


def test_the_team_mark_alone_refuses_a_folder(tmp_path):
    folder = _write_previous(tmp_path / "team", mode="team")
    (folder / "run.json").write_text(json.dumps({"modus": "publiek"}), encoding="utf-8")  # edited by hand
    with pytest.raises(InputError, match="modus team"):
        compare.read_previous(folder, "publiek")


def test_team_run_compares_persons_and_finds_contacts_gone_stale(tmp_path):
    folder = _write_previous(tmp_path / "team", mode="team")
    now = compare.add_changes(_publication("team", AFTER, [60.0, 55.0], NOW), folder)
    stale = now.changes["verouderde_contacten"]
    assert list(stale.columns) == list(compare.CHANGE_TABLES["verouderde_contacten"])
    assert stale["id"].tolist() == ["A2"]  # 2025-10-01: fresh on 12-09-2026, stale on 27-11-2026
    assert stale["laatste_contact_toen"].iloc[0] == pd.Timestamp("2025-10-01")
    assert stale["maanden_sinds_contact"].iloc[0] == 13
    removed = now.changes["wijzigingen_assets"].query("wijziging == 'weg'")
    assert set(removed["id"]) == {"A3", "P1"}  # team-team: persons are compared
    assert "1 contact(en) sinds de vorige uitvoer verouderd (ouder dan 12 maanden)." in now.notes


def test_a_publiek_folder_in_a_team_run_compares_publiek_fields_only(previous):
    now = compare.add_changes(_publication("team", AFTER, [60.0, 55.0], NOW), previous)
    table = now.changes["wijzigingen_assets"]
    assert "fase" not in set(table["veld"])  # benaderd then and now, but publiek shows no stage anyway
    assert "P1" not in set(table["id"])
    assert now.changes["verouderde_contacten"]["id"].tolist() == ["A2"]  # today's dates, at the previous date


def test_without_run_json_the_geopackage_says_mode_date_and_distances(tmp_path):
    folder = _write_previous(tmp_path / "vorige", distances=(300.0, 500.0))
    (folder / "run.json").unlink()
    previous = compare.read_previous(folder, "publiek")
    assert (previous.mode, previous.date, previous.distances) == ("publiek", THEN, (300.0, 500.0))
    assert previous.describe() == "12-09-2026 (publiek, 300, 500 m)"


@pytest.mark.slow
def test_the_command_refuses_a_team_folder_before_any_work(tmp_path):
    from typer.testing import CliRunner

    from abcd_map.cli import app

    folder = _write_previous(tmp_path / "team", mode="team")
    result = CliRunner().invoke(app, ["build", "--vergelijk", str(folder), "--out", str(tmp_path / "nu")])
    assert result.exit_code == 2
    assert "de vorige uitvoer is in modus team gemaakt" in " ".join(result.output.split())
    assert not (tmp_path / "nu").exists()


def test_different_distances_are_said_and_only_shared_ones_compared(tmp_path):
    folder = _write_previous(tmp_path / "vorige", distances=(300.0, 500.0))
    now = compare.add_changes(_publication("publiek", AFTER, [60.0, 55.0], NOW, distances=(500.0, 800.0)), folder)
    assert now.changes["wijzigingen_dekking"]["afstand_m"].unique().tolist() == [500.0]
    assert ("De loopafstanden verschillen: toen 300, 500 m, nu 500, 800 m; de dekking is vergeleken voor 500 m."
            in now.notes)
    assert "(publiek, 300, 500 m)" in now.notes[0]


def test_missing_files_give_a_clear_dutch_error(previous, tmp_path):
    (previous / "run.json").unlink()
    with pytest.raises(InputError) as info:
        BuildOptions.create(buurten="x.geojson", vergelijk=previous)
    assert "run.json ontbreekt" in info.value.message()
    with pytest.raises(InputError, match="bestaat niet"):
        BuildOptions.create(buurten="x.geojson", vergelijk=tmp_path / "nergens")
    with pytest.raises(InputError, match="abcd-map.gpkg ontbreekt"):
        compare.read_previous(tmp_path, "publiek")


def test_out_may_not_be_the_previous_folder(previous):
    with pytest.raises(InputError, match="dezelfde map als --out"):
        BuildOptions.create(buurten="x.geojson", vergelijk=previous, out=previous)
    assert BuildOptions.create(buurten="x.geojson", vergelijk=previous).vergelijk == previous


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["publiek", "team"])
def test_a_real_run_compared_with_itself_shows_no_change(mode, tmp_path):
    """Through stages.analyse and publish: every written type reads back as the same value."""
    options = BuildOptions.create(buurten="x.geojson", modus=mode, today=NOW)
    areas = _buurten([0.0, 0.0]).drop(columns="dekking_500m").assign(
        wijknaam="Wijk Een", gemeentecode="GM1", gemeentenaam="Proefstad", opmerking="")
    rows = [{**r, "doelgroepen": "senioren; jeugd", "capaciteit": 12.0, "omschrijving": "koffie"} for r in BEFORE]
    inputs = stages.Inputs(areas=areas, wijk_areas=areas.dissolve("wijkcode").reset_index(),
                           hand=_assets(rows), osm=None, has_places=True)
    pub = publication.publish(stages.analyse(inputs, _assets(rows), options))
    outputs.WRITERS["geopackage"].func(pub, tmp_path)
    outputs.WRITERS["metadata"].func(pub, tmp_path)
    now = compare.add_changes(pub, tmp_path)
    assert now.changes["wijzigingen_assets"].empty
    assert now.changes["wijzigingen_dekking"]["verschil"].tolist() == [0.0, 0.0]
    assert now.changes.get("verouderde_contacten", pd.DataFrame()).empty
    assert "0 assets erbij, 0 weg, 0 veranderd" in now.notes[0]


def test_matching_by_name_and_place_follows_the_merge_rules():
    before = _assets([_place("node/1", "Bh. De Pauw", 0, 0), _place("node/2", "Bakkerij", 0, 0)])
    after = _assets([_place("A1", "Buurthuis de Pauw", 50, 0), _place("A2", "Bakkerij", 200, 0)])
    assert compare.match_assets(before, after) == [(0, 0, "naam en plek")]  # 200 m is beyond merge_max_distance
    twice = _assets([_place("A1", "Bakkerij", 0, 0), _place("A1", "Bakkerij", 0, 0)])
    near = _assets([_place("A1", "Bakkerij", 0, 0), _place("B7", "Bakkerij", 30, 0)])
    assert compare.match_assets(twice, near) == [(0, 0, "id"), (1, 1, "naam en plek")]  # one-to-one


def test_a_previous_run_without_assets_makes_every_asset_new(tmp_path):
    empty = publication.publish_frames(None, None, None, mode="publiek", meta={"modus": "publiek", "datum": "2026-01-05"})
    outputs.WRITERS["geopackage"].func(empty, tmp_path)
    outputs.WRITERS["metadata"].func(empty, tmp_path)
    now = compare.add_changes(_publication("publiek", AFTER, [60.0, 55.0], NOW), tmp_path)
    assert now.changes["wijzigingen_assets"]["wijziging"].tolist() == ["erbij"] * len(AFTER)
    assert now.changes["wijzigingen_dekking"].empty
    assert now.notes[0].startswith("Vergeleken met de uitvoer van 05-01-2026 (publiek, onbekend): 5 assets erbij")
    assert now.meta["vergelijking"]["map"] == tmp_path.name  # the folder's name only, as run.json names inputs


def test_no_previous_leaves_the_publication_alone():
    pub = _publication("publiek", AFTER, [60.0, 55.0], NOW)
    assert compare.add_changes(pub, None) is pub
