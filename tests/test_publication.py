"""The privacy gate: options -> stages -> publish; every writer takes a Publication only.

A small hand-made town (two buurten, a few places and persons) whose right answer
can be read off: which fields of which row may appear in publiek and in team.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from abcd_map import leakscan, outputs, publication, settings, stages
from abcd_map.errors import InputError
from abcd_map.options import BuildOptions
from abcd_map.pipeline import BuildResult

TODAY = dt.date(2026, 11, 27)


def _areas() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"buurtcode": ["BU01", "BU02"], "buurtnaam": ["Noord", "Zuid"], "wijkcode": ["WK1", "WK1"],
         "wijknaam": ["Wijk Een", "Wijk Een"], "gemeentecode": ["GM1", "GM1"], "gemeentenaam": ["Proefstad"] * 2,
         "inwoners": [1000.0, 800.0], "opmerking": ["", ""]},
        geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)], crs=settings.crs)


def _assets() -> gpd.GeoDataFrame:
    rows = [
        dict(id="A1", naam="Buurthuis De Linde", soort="plek", categorie="fysieke_ruimte", fase="ontvangend",
             laatste_contact=pd.Timestamp("2026-01-10"), bron="Fatima", contactpersoon="Kees Contact",
             telefoon="010-1234567", relaties="partner_van:A2", ontmoetingsplek=True, omschrijving="huiskamer"),
        dict(id="A2", naam="Bibliotheek Zuid", soort="organisatie", categorie="instellingen", fase="benaderd",
             laatste_contact=pd.Timestamp("2024-01-10"), bron="Jan", contactpersoon="Anna Contact",
             telefoon="010-7654321", relaties="", ontmoetingsplek=True, omschrijving="boeken"),
        dict(id="P1", naam="Wendeline Toestemming", soort="persoon", categorie="individuen", toestemming=True,
             openbaar=True, telefoon="06-11112222", email="w@voorbeeld.nl", adres="Thuisweg 1", bron="Fatima",
             fase="getraind", laatste_contact=pd.Timestamp("2026-02-01"), relaties="partner_van:A1",
             omschrijving="kookt graag", doelgroepen="senioren", ontmoetingsplek=False),
        dict(id="P2", naam="Zebulon Geheim", soort="persoon", categorie="individuen", toestemming=False,
             openbaar=False, telefoon="06-99998888", adres="Verborgen 2", relaties="partner_van:A2",
             ontmoetingsplek=False),
    ]
    frame = pd.DataFrame(rows)
    for col in ("inloop", "standaard_zichtbaar"):
        frame[col] = True
    return gpd.GeoDataFrame(frame, geometry=[Point(500, 500), Point(1500, 500), Point(400, 400), Point(1600, 600)],
                            crs=settings.crs)


def _analysis(mode: str) -> stages.Analysis:
    options = BuildOptions.create(buurten="x.geojson", modus=mode, today=TODAY)
    areas = _areas()
    inputs = stages.Inputs(areas=areas, wijk_areas=areas.dissolve("wijkcode").reset_index(),
                           hand=_assets(), osm=None, has_places=True)
    return stages.analyse(inputs, _assets(), options)


@pytest.fixture(scope="module")
def public() -> publication.Publication:
    return publication.publish(_analysis("publiek"))


@pytest.fixture(scope="module")
def team() -> publication.Publication:
    return publication.publish(_analysis("team"))


def test_publiek_shows_a_consenting_person_with_the_public_fields_only(public):
    person = public.assets[public.assets["id"] == "P1"].iloc[0]
    filled = {c for c, v in person.items() if c != "geometry" and isinstance(v, str) and v.strip()}
    assert filled == {"id", "naam", "soort", "categorie", "omschrijving", "doelgroepen"}
    assert "P2" not in set(public.assets["id"])  # no consent: only counted


def test_publiek_leaves_out_the_teams_working_data_and_contact_persons(public):
    cols = set(public.assets.columns)
    assert not cols & {"laatste_contact", "bron", "contactpersoon"}
    places = public.assets.set_index("id")
    assert places.loc["A1", "gastvrij"] and places.loc["A1", "fase"] == "ontvangend"
    assert not places.loc["A2", "gastvrij"] and places.loc["A2", "fase"] == ""
    assert places.loc["A2", "telefoon"] == "010-7654321"  # an organisation's general phone is public


def test_publiek_welcoming_stages_are_counts_and_only_ontvangend_places_on_the_map(public):
    table = public.tables["gastvrijheid"]
    assert list(table.columns) == ["fase", "fase_label", "aantal"]
    assert table.set_index("fase")["aantal"].to_dict()["ontvangend"] == 1
    assert list(public.layers["gastvrijheid"]["id"]) == ["A1"]
    assert "laatste_contact" not in public.layers["gastvrijheid"]


def test_publiek_never_shows_a_persons_relations(public):
    assert public.assets.set_index("id").loc["P1", "relaties"] == ""
    network = public.tables["relatienetwerk"]
    assert set(network["id"]) == {"A1", "A2"}
    lines = public.layers.get("relaties")
    assert lines is not None and set(lines["van_id"]) | set(lines["naar_id"]) == {"A1", "A2"}


def test_publiek_person_counts_are_suppressed_and_team_counts_exact(public, team):
    assert public.buurten.set_index("buurtcode").loc["BU01", "personen"] == f"< {settings.suppression_threshold}"
    assert team.buurten.set_index("buurtcode")["personen"].to_dict() == {"BU01": "1", "BU02": "1"}
    assert team.wijken.set_index("wijkcode").loc["WK1", "personen_aantal"] == 2


def test_team_shows_persons_and_working_data_but_never_home_addresses(team):
    rows = team.assets.set_index("id")
    assert {"P1", "P2"} <= set(rows.index)
    assert rows.loc["P2", "telefoon"] == "06-99998888"
    assert rows.loc["A1", "bron"] == "Fatima"
    assert rows["adres"].fillna("").loc[["P1", "P2"]].eq("").all()
    assert team.meta["title"].startswith(publication.TEAM_MARK)


def test_writers_refuse_anything_but_a_publication(public):
    with pytest.raises(TypeError):
        outputs.write_outputs(public.assets, "/nonexistent")
    forged = publication.Publication(mode="publiek", buurten=public.buurten, wijken=public.wijken,
                                     assets=public.assets, layers={}, tables={}, meta={})
    with pytest.raises(TypeError):
        outputs.WRITERS["tabellen"].func(forged, "/nonexistent")


@pytest.mark.slow
def test_every_writer_runs_and_records_the_run(public, tmp_path):
    files = outputs.write_everything(public, tmp_path)
    assert {p.name for p in files} >= {"kaart.html", "buurten.csv", "tabellen.xlsx", "abcd-map.gpkg", "run.json"}
    meta = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    assert meta["modus"] == "publiek" and meta["afstanden"] == [500.0] and meta["datum"] == "2026-11-27"
    assert "versie" in meta and "opties" in meta
    sheet = pd.read_excel(tmp_path / "tabellen.xlsx", sheet_name="over_deze_run")
    assert sheet.set_index("sleutel").loc["modus", "waarde"] == "publiek"
    with sqlite3.connect(tmp_path / "abcd-map.gpkg") as con:
        assert con.execute("select waarde from over_deze_run where sleutel='modus'").fetchone()[0] == "publiek"


@pytest.mark.slow
def test_every_registered_writer_passes_the_leak_scan(public, tmp_path):
    """A writer added later is scanned too: the scan runs over WRITERS, not a list of files."""
    assets = _assets()
    hidden = assets[assets["id"] == "P2"]
    for name, w in outputs.WRITERS.items():
        folder = tmp_path / name
        folder.mkdir()
        w.func(public, folder)
        assert leakscan.leak_scan(folder, hidden, mode="publiek", tolerance=10.0) == [], name


def test_team_tables_carry_the_team_mark(team, tmp_path):
    outputs.write_outputs(team, tmp_path)
    head = (tmp_path / "buurten.csv").read_text(encoding="utf-8-sig").splitlines()
    assert head[0].startswith("let_op;") and head[1].startswith(publication.TEAM_MARK)
    for sheet in pd.read_excel(tmp_path / "tabellen.xlsx", sheet_name=None).values():
        assert sheet["let_op"].eq(publication.TEAM_MARK).all()


def test_options_are_checked_in_one_place():
    with pytest.raises(InputError, match="loopafstand"):
        BuildOptions.create(afstand=[5])
    with pytest.raises(InputError, match="drempel"):
        BuildOptions.create(drempel=0)
    with pytest.raises(InputError, match="dagdeel"):
        BuildOptions.create(dagdeel="middag")
    options = BuildOptions.create(afstand=[800, 300, 500], dag="ZO", dagdeel="Middag", lens="Senioren")
    assert options.distances == (300.0, 500.0, 800.0) and options.main_distance == 500.0
    assert options.demo and options.day == "zondag" and options.part_of_day == "middag"
    kinds = [(s.prefix, s.kind) for s in options.coverage_specs(["cultuur", "individuen"])]
    assert kinds == [("", "ontmoetingsplekken"), ("cultuur", "categorie"), ("senioren", "lens"),
                     ("open_zondag_middag", "open")]
    with pytest.raises(Exception):
        options.mode = "team"  # frozen


def test_an_input_given_means_no_demo():
    options = BuildOptions.create(assets="eigen.csv")
    assert not options.demo and options.osm is None and options.buurten is None


def test_build_result_keeps_its_old_attributes(demo_build):
    result = demo_build.result
    assert isinstance(result, BuildResult)
    assert result.visible_assets is result.publication.assets
    assert len(result.all_assets) >= len(result.visible_assets)
    assert result.meta["hoofdafstand"] == 500.0 and result.network is not None
    assert {"witte_vlekken", "kennisgaten", "gastvrijheid"} <= set(result.layers)


def test_public_render_map_passes_the_gate_first():
    """abcd_map.render_map on your own GeoDataFrames filters for the mode before drawing."""
    import abcd_map as am
    from abcd_map.render.map import map_html

    areas, assets = _areas(), _assets()
    html = map_html(am.render_map(areas, areas.dissolve("wijkcode").reset_index(), assets))
    assert "Wendeline Toestemming" in html and "Zebulon Geheim" not in html and "06-11112222" not in html
    team = map_html(am.render_map(areas, areas.dissolve("wijkcode").reset_index(), assets, mode="team"))
    assert "Zebulon Geheim" in team and "Thuisweg" not in team
