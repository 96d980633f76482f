"""Per-wijk output for slides and handouts: overview sheets, the index, and what a publiek page shows.

The overviews must line up in a slide deck (one pixel size for every wijk), carry the
TEAM mark in team mode, and the per-wijk maps show only their own wijk's gaps and link
back to the index. The last test renders a hand-made run through the privacy gate and
checks that a consenting person with every field filled keeps only the public fields.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, box

from abcd_map import publication, settings, stages
from abcd_map.options import BuildOptions
from abcd_map.publication import TEAM_MARK
from abcd_map.render._style import asset_text
from abcd_map.render.map import draw_per_wijk, map_html, publication_map
from abcd_map.render.static import FIGURE_DPI, FIGURE_SIZE, scale_length, static_overview
from abcd_map.render.streets import street_lines

from test_map import make_inputs, page_data

PIXELS = (int(FIGURE_SIZE[0] * FIGURE_DPI), int(FIGURE_SIZE[1] * FIGURE_DPI))


@pytest.fixture(scope="module")
def demo_per_wijk(demo_build, tmp_path_factory):
    """The demo's per-wijk folder, publiek (from the session's demo build)."""
    from abcd_map.render.map import publication_per_wijk

    out = tmp_path_factory.mktemp("per-wijk")
    publication_per_wijk(demo_build.result.publication, out, overviews=True)
    return out


@pytest.mark.slow
def test_every_demo_wijk_sheet_has_the_same_pixel_size(demo_per_wijk):
    from PIL import Image

    sheets = sorted(demo_per_wijk.glob("overzicht-*.png"))
    assert len(sheets) >= 4
    assert {Image.open(p).size for p in sheets} == {PIXELS}


@pytest.mark.slow
def test_per_wijk_maps_link_back_to_the_index(demo_per_wijk):
    pages = sorted(demo_per_wijk.glob("wijk-*.html"))
    assert pages
    for page in pages:
        assert page_data(page.read_text(encoding="utf-8"))["meta"]["terug"] == "index.html"
    assert "'← Alle wijken'" in asset_text("map.js")
    whole = page_data(map_html(publication_map(_hand_made_run("publiek"))))
    assert whole["meta"]["terug"] == ""  # the map of the whole area has no index to go back to


def _gap_union(page_json: dict, key: str):
    geo = page_json["gaps"].get(key, {"geo": {"features": []}})["geo"]["features"]
    return shapely.union_all([shapely.geometry.shape(f["geometry"]) for f in geo]) if geo else None


def test_per_wijk_maps_show_only_their_own_gaps(tmp_path):
    d = make_inputs()
    # one white spot across both wijken (WK01 south, WK02 north), one only in WK02
    across = box(84000 + 100, 446000 + 400, 84000 + 500, 446000 + 800)
    north = box(84000 + 700, 446000 + 900, 84000 + 900, 446000 + 1100)
    witte = gpd.GeoDataFrame({"buurtnaam": ["x", "y"]}, geometry=[across, north], crs="EPSG:28992")
    paths = draw_per_wijk(d["buurten"], d["wijken"], d["assets"], tmp_path, gaps={"witte_vlekken": witte},
                          meta=d["meta"], margin=500)
    pages = {p.stem: page_data(p.read_text(encoding="utf-8")) for p in paths if p.name.startswith("wijk-")}
    wijken = d["wijken"].to_crs(settings.crs_wgs84).set_index("wijkcode").geometry
    for code in ("WK01", "WK02"):
        gaps = _gap_union(pages[f"wijk-{code}"], "witte_vlekken")
        assert gaps is not None
        outside = shapely.difference(gaps, wijken[code].buffer(2e-5))
        assert outside.area < 1e-10, code  # nothing of the neighbour's gaps
    # WK01 has only the southern half of the white spot that crosses the border, not the northern one
    assert len(pages["wijk-WK01"]["gaps"]["witte_vlekken"]["geo"]["features"]) == 1
    assert len(pages["wijk-WK02"]["gaps"]["witte_vlekken"]["geo"]["features"]) == 2


@pytest.mark.slow
def test_team_mark_on_every_sheet_pdf_page_and_the_index(tmp_path):
    d = make_inputs()
    meta = d["meta"] | {"modus": "team"}
    paths = draw_per_wijk(d["buurten"], d["wijken"], d["assets"], tmp_path, gaps=d["gaps"], meta=meta,
                          mode="team", overviews=True)
    index = paths[0].read_text(encoding="utf-8")
    assert TEAM_MARK in index
    pdfs = [p for p in paths if p.suffix == ".pdf"]
    assert len(pdfs) == 2
    if shutil.which("pdftotext"):
        for pdf in pdfs:
            text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
            assert TEAM_MARK in text, pdf.name
            assert text.count("\f") <= 1  # one page, and it carries the mark
    public = draw_per_wijk(d["buurten"], d["wijken"], d["assets"], tmp_path / "publiek", meta=d["meta"],
                           overviews=True)
    assert TEAM_MARK not in public[0].read_text(encoding="utf-8")
    if shutil.which("pdftotext"):
        pdf = next(p for p in public if p.suffix == ".pdf")
        assert "TEAM" not in subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout


@pytest.mark.slow
def test_sheet_draws_gaps_streets_and_numbered_buurten(tmp_path):
    from PIL import Image

    d = make_inputs()
    streets = gpd.GeoSeries([shapely.LineString([(84000 + x, 446000), (84000 + x, 447200)])
                             for x in range(50, 1200, 100)], crs="EPSG:28992")
    pdf = tmp_path / "a.pdf"
    png = tmp_path / "a.png"
    static_overview(d["buurten"], d["wijken"], d["assets"], "WK01", path_png=png, path_pdf=pdf,
                    meta=d["meta"], gaps=d["gaps"], streets=streets)
    assert Image.open(png).size == PIXELS
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "Witte vlek" in text and "Kennisgat" not in text  # WK01 has a white spot; the gap is in WK02
        assert re.search(r"1\s+Noordhof", text) and re.search(r"2\s+Zuidhof", text)  # the buurt list
        assert re.search(r"\b(100|200|250) m\b", text)  # the scale bar


def test_street_lines_leave_out_connectors_and_clip():
    class Net:
        x = np.array([0.0, 100.0, 200.0, 5000.0])
        y = np.array([0.0, 0.0, 0.0, 0.0])
        u = np.array([0, 1, 2])
        v = np.array([1, 2, 3])
        connector = np.array([False, True, False])

    lines = street_lines(Net(), area=box(-10, -10, 300, 10))
    assert len(lines) == 2 and lines.crs == settings.crs
    assert round(lines.length.sum()) == 100 + 100  # edge 0, and edge 2 cut at the area


def test_scale_bar_length_is_round():
    assert scale_length(3000) == 500
    assert scale_length(1400) == 250
    assert scale_length(60000) == 10000
    assert scale_length(10) == 50


# ---------------------------------------------------------------- publiek: a person's fields
TODAY = dt.date(2026, 11, 27)


def _hand_made_run(mode: str) -> publication.Publication:
    areas = gpd.GeoDataFrame(
        {"buurtcode": ["BU01", "BU02"], "buurtnaam": ["Noord", "Zuid"], "wijkcode": ["WK1", "WK1"],
         "wijknaam": ["Wijk Een"] * 2, "gemeentecode": ["GM1"] * 2, "gemeentenaam": ["Proefstad"] * 2,
         "inwoners": [1000.0, 800.0], "opmerking": ["", ""]},
        geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)], crs=settings.crs)
    person = dict(id="P1", naam="Wendeline Toestemming", soort="persoon", categorie="individuen",
                  label="kookt voor de buurt", omschrijving="kookt graag", doelgroepen="senioren",
                  inloop=True, wanneer="elke dinsdag", openingstijden="Tu 10:00-12:00",
                  beheerder="Wijkteam Noord", contactpersoon="Kees Contact", telefoon="06-11112222",
                  email="w@voorbeeld.nl", website="https://wendeline.example", adres="Thuisweg 1",
                  laatste_contact=pd.Timestamp("2026-02-01"), bron="Fatima", fase="ontvangend",
                  toestemming=True, openbaar=True, ontmoetingsplek=False, capaciteit=8.0,
                  relaties="partner_van:A1", osm_id="node/1", herkomst="handmatig", standaard_zichtbaar=True,
                  kleine_plek=False)
    place = dict(id="A1", naam="Buurthuis De Linde", soort="plek", categorie="fysieke_ruimte",
                 fase="getraind", laatste_contact=pd.Timestamp("2026-01-10"), bron="Fatima",
                 contactpersoon="Anna Contact", ontmoetingsplek=True, omschrijving="huiskamer", inloop=True,
                 standaard_zichtbaar=True, kleine_plek=False, toestemming=False, openbaar=False)
    assets = gpd.GeoDataFrame(pd.DataFrame([person, place]), geometry=[Point(400, 400), Point(600, 600)],
                              crs=settings.crs)
    options = BuildOptions.create(buurten="x.geojson", modus=mode, today=TODAY)
    inputs = stages.Inputs(areas=areas, wijk_areas=areas.dissolve("wijkcode").reset_index(), hand=assets,
                           osm=None, has_places=True)
    return publication.publish(stages.analyse(inputs, assets, options))


def _asset_rows(html: str) -> dict[str, dict]:
    table = page_data(html)["assets"]
    return {r[table["cols"].index("naam")]: {k: v for k, v in zip(table["cols"], r) if v is not None}
            for r in table["rows"]}


def test_publiek_map_shows_only_the_public_fields_of_a_consenting_person():
    rows = _asset_rows(map_html(publication_map(_hand_made_run("publiek"))))
    person = rows["Wendeline Toestemming"]
    # name, kind, category, short description, target groups and location: nothing else
    assert set(person) == {"naam", "soort", "categorie", "omschrijving", "doelgroepen",
                           "lat", "lon", "buurt", "_group"}
    assert person["omschrijving"] == "kookt graag" and person["doelgroepen"] == "senioren"
    place = rows["Buurthuis De Linde"]
    assert "fase" not in place  # 'getraind' is the team's working data; only 'ontvangend' is shown
    assert not {"laatste_contact", "bron", "contactpersoon", "contact_oud"} & set(place)


def test_team_map_shows_the_person_in_full():
    rows = _asset_rows(map_html(publication_map(_hand_made_run("team"))))
    person = rows["Wendeline Toestemming"]
    assert {"telefoon", "laatste_contact", "fase", "contactpersoon"} <= set(person)
    assert "adres" not in person  # a home address never, in either mode
    assert json.dumps(person).find("Thuisweg") < 0
