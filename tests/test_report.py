"""The wijkprofiel (``--rapport``): pages, figures equal to the CSVs, team mark, no leaks.

The demo town's reports are compared with the CSVs of the same run; a small hand-made
town with persons shows that publiek reports leak nothing and team reports carry the
team mark on every page.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from abcd_map import leakscan, publication, report, settings, stages
from abcd_map.options import BuildOptions
from abcd_map.render.report_doc import dutch_number

TODAY = dt.date(2026, 11, 27)
HAS_PDFTOTEXT = shutil.which("pdftotext") is not None


def pdf_text(path) -> list[str]:
    """The text of each page of a PDF (pdftotext)."""
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return [page for page in out.stdout.split("\f") if page.strip()]


def test_dutch_number_uses_a_decimal_comma_and_a_thousands_dot():
    assert dutch_number(26200) == "26.200"
    assert dutch_number(86.24, 1, "%") == "86,2%"
    assert dutch_number(1234567.891, 2) == "1.234.567,89"
    assert dutch_number(None) == "onbekend" and dutch_number(float("nan"), 1, "%") == "onbekend"
    assert dutch_number(-0.01, 1) == "0,0"


def test_figures_keep_the_decimals_of_their_kind():
    assert report.fmt({"inwoners": 1450.0}, "inwoners") == "1.450"
    assert report.fmt({"dekking_500m": 96.8}, "dekking_500m") == "96,8%"
    assert report.fmt({"afstand_huisarts_km": 0.3}, "afstand_huisarts_km") == "0,30 km"
    assert report.fmt({"personen": "< 5"}, "personen") == "< 5"
    assert report.fmt({"dekking_500m": float("nan")}, "dekking_500m") == "onbekend"


# --------------------------------------------------------------------------- the demo town

@pytest.fixture(scope="module")
def demo_reports(demo_build, tmp_path_factory):
    """The reports of the session's demo build, written beside it (not into it)."""
    folder = tmp_path_factory.mktemp("rapport")
    pub = demo_build.result.publication
    written = {area.code: report.write_report(pub, area, folder) for area in report.report_areas(pub)}
    return folder, written


@pytest.mark.slow
def test_demo_has_a_report_per_wijk_and_one_for_everything(demo_build, demo_reports):
    folder, written = demo_reports
    wijken = pd.read_csv(demo_build.out / "wijken.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert set(written) == set(wijken["wijkcode"]) | {"alles"}
    for code, files in written.items():
        assert files.pdf.name == f"rapport-{code}.pdf" and files.html.name == f"rapport-{code}.html"
        assert 2 <= files.pages <= 4, (code, files.pages)
        assert files.total_pages >= files.pages


@pytest.mark.slow
@pytest.mark.skipif(not HAS_PDFTOTEXT, reason="pdftotext (poppler-utils) ontbreekt")
def test_figures_in_the_pdf_equal_the_csvs_of_the_same_run(demo_build, demo_reports):
    folder, written = demo_reports
    read = {name: pd.read_csv(demo_build.out / f"{name}.csv", sep=";", decimal=",", encoding="utf-8-sig")
            for name in ("buurten", "wijken", "gemeenten")}
    wijk = read["wijken"].iloc[1]
    text = " ".join(pdf_text(written[wijk["wijkcode"]].pdf))
    html = written[wijk["wijkcode"]].html.read_text(encoding="utf-8")
    gemeente = read["gemeenten"].iloc[0]
    expected = [dutch_number(wijk["inwoners"]), dutch_number(gemeente["inwoners"]),
                dutch_number(wijk["dekking_500m"], 1, "%"), dutch_number(gemeente["dekking_500m"], 1, "%"),
                dutch_number(wijk["per_1000_inwoners"], 1), dutch_number(gemeente["per_1000_inwoners"], 1)]
    buurt = read["buurten"][read["buurten"]["wijkcode"] == wijk["wijkcode"]].iloc[0]
    expected += [dutch_number(buurt["aantal_assets"]), dutch_number(buurt["dekking_500m"], 1, "%")]
    for figure in expected:
        assert figure in text, figure
        assert figure in html, figure
    assert f"In {wijk['wijknaam']} woont {dutch_number(wijk['dekking_500m'], 1, '%')} van de inwoners" in text


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) ontbreekt")
def test_a_page_renders_as_an_image(demo_reports, tmp_path):
    folder, written = demo_reports
    pdf = next(iter(written.values())).pdf
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True)
    pages = list(tmp_path.glob("p*.png"))
    assert len(pages) == 1 and pages[0].stat().st_size > 5000


@pytest.mark.slow
def test_the_html_is_self_contained(demo_reports):
    folder, written = demo_reports
    html = written["alles"].html.read_text(encoding="utf-8")
    assert "data:image/png;base64," in html and "FICTIEF" in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html


# --------------------------------------------------------------------------- a hand-made town with persons

def _town() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    areas = gpd.GeoDataFrame(
        {"buurtcode": ["BU01", "BU02"], "buurtnaam": ["Noord", "Zuid"], "wijkcode": ["WK1", "WK1"],
         "wijknaam": ["Wijk Een", "Wijk Een"], "gemeentecode": ["GM1", "GM1"], "gemeentenaam": ["Proefstad"] * 2,
         "inwoners": [1000.0, 800.0], "opmerking": ["", ""]},
        geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)], crs=settings.crs)
    rows = [
        dict(id="A1", naam="Buurthuis De Linde", soort="plek", categorie="fysieke_ruimte", fase="ontvangend",
             laatste_contact=pd.Timestamp("2024-01-10"), bron="Fatima", contactpersoon="Kees Contact",
             telefoon="010-1234567", ontmoetingsplek=True, omschrijving="huiskamer"),
        dict(id="P1", naam="Wendeline Toestemming", soort="persoon", categorie="individuen", toestemming=True,
             openbaar=True, telefoon="06-11112222", email="w@voorbeeld.nl", adres="Thuisweg 1", bron="Fatima",
             fase="getraind", omschrijving="kookt graag", ontmoetingsplek=False),
        dict(id="P2", naam="Zebulon Geheim", soort="persoon", categorie="individuen", toestemming=False,
             openbaar=False, telefoon="06-99998888", adres="Verborgen 2", ontmoetingsplek=False),
    ]
    frame = pd.DataFrame(rows).assign(inloop=True, standaard_zichtbaar=True)
    assets = gpd.GeoDataFrame(frame, geometry=[Point(500, 500), Point(400, 400), Point(1600, 600)],
                              crs=settings.crs)
    return areas, assets


def _publication(mode: str) -> publication.Publication:
    areas, assets = _town()
    options = BuildOptions.create(buurten="x.geojson", modus=mode, today=TODAY)
    inputs = stages.Inputs(areas=areas, wijk_areas=areas.dissolve("wijkcode").reset_index(), hand=assets,
                           osm=None, has_places=True)
    return publication.publish(stages.analyse(inputs, assets, options))


@pytest.mark.slow
@pytest.mark.skipif(not HAS_PDFTOTEXT, reason="pdftotext (poppler-utils) ontbreekt")
def test_team_reports_carry_the_team_mark_on_every_page(tmp_path):
    files = report.write_reports(_publication("team"), tmp_path)
    assert {p.name for p in files} == {"rapport-WK1.pdf", "rapport-WK1.html", "rapport-alles.pdf",
                                       "rapport-alles.html"}
    for pdf in (p for p in files if p.suffix == ".pdf"):
        pages = pdf_text(pdf)
        assert pages and all(publication.TEAM_MARK in page for page in pages), pdf.name
    for html in (p for p in files if p.suffix == ".html"):
        assert publication.TEAM_MARK in html.read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.skipif(not HAS_PDFTOTEXT, reason="pdftotext (poppler-utils) ontbreekt")
def test_publiek_reports_leak_nothing_and_explain_empty_sections(tmp_path):
    pub = _publication("publiek")
    out = tmp_path / "uit"
    files = report.write_reports(pub, out)
    for pdf in (p for p in files if p.suffix == ".pdf"):  # the PDF's text, searchable for the scanner
        (out / f"{pdf.stem}.txt").write_text("\n".join(pdf_text(pdf)), encoding="utf-8")
    _areas, assets = _town()
    assert leakscan.leak_scan(out, assets[assets["soort"] == "persoon"], mode="publiek", tolerance=10.0) == []
    text = (out / "rapport-WK1.txt").read_text(encoding="utf-8")
    assert "Zebulon" not in text and "06-11112222" not in text and "Kees Contact" not in text
    assert publication.TEAM_MARK not in text
    assert "Geen afstanden" in text  # no OSM in this town: the section says why it is empty
    assert "onbekend" in text


def test_table_headers_fit_their_columns():
    from abcd_map.render import report_pdf

    cells = pd.DataFrame([["1", "Bedrijventerrein Wateringseweg", *["0,70 km"] * 6]],
                         columns=["nr", "buurt", "huisarts (wij)", "huisarts (CBS)", "supermarkt (wij)",
                                  "supermarkt (CBS)", "ontmoetingsplek (wij)", "kinderopvang (CBS)"])
    glance = pd.DataFrame([["Inwoners", "11.365", "100.845"]], columns=["", "Wijk 28 Wippolder", "Gemeente Delft"])
    for table in (cells, glance):
        widths, header = report_pdf.column_layout(table)
        assert sum(widths) <= report_pdf.WIDTH + 1e-9
        _each_header_fits(widths, header)


def _each_header_fits(widths, header):
    from abcd_map.render import report_pdf

    for width, lines in zip(widths, header):
        assert all(len(line) * report_pdf._CHAR_W * report_pdf._BOLD <= width for line in lines), lines


def test_wide_tables_are_split_so_columns_stay_readable():
    areas, _assets = _town()
    area = report.Area("WK1", "Wijk Een", areas, "buurt", [], areas)
    cols = [f"afstand_{v}_km" for v in "abcdefghij"]
    blocks = report._area_table(area, cols, cols)
    assert [len(b.table.columns) for b in blocks] == [2 + report.MAX_COLUMNS, 2 + 10 - report.MAX_COLUMNS]
    assert (blocks[0].table.iloc[:, 2] == "onbekend").all()  # unknown, never 0


@pytest.mark.slow
@pytest.mark.skipif(not HAS_PDFTOTEXT, reason="pdftotext (poppler-utils) ontbreekt")
def test_delft_wijkprofiel_fits_four_pages_and_matches_the_csvs(shared_data, tmp_path):
    from abcd_map import build, outputs

    result = build(shared_data / "cbs-wijkenbuurten-2015" / "haaglanden_buurt.geojson",
                   shared_data / "osm" / "delft-tudelft.osm.bz2", gemeente="Delft",
                   cbs_kerncijfers=shared_data / "cbs-kwb-2023" / "haaglanden_kwb2023.xlsx", today=TODAY)
    pub = result.publication
    outputs.WRITERS["tabellen"].func(pub, tmp_path)
    wijken = pd.read_csv(tmp_path / "wijken.csv", sep=";", decimal=",", encoding="utf-8-sig")
    buurten = pd.read_csv(tmp_path / "buurten.csv", sep=";", decimal=",", encoding="utf-8-sig")
    wijk = wijken.loc[wijken["wijkcode"] == "WK050328"].iloc[0]
    area = next(a for a in report.report_areas(pub) if a.code == "WK050328")
    written = report.write_report(pub, area, tmp_path)
    assert 2 <= written.pages <= 4
    text = " ".join(pdf_text(written.pdf))
    buurt = buurten[buurten["wijkcode"] == "WK050328"].iloc[0]
    for figure in (dutch_number(wijk["inwoners"]), dutch_number(wijk["dekking_500m"], 1, "%"),
                   dutch_number(buurt["cbs_afstand_huisarts_km"], 2), dutch_number(buurt["dekking_500m"], 1, "%")):
        assert figure in text, figure


@pytest.mark.slow
def test_report_says_what_changed_since_the_previous_output(demo_build, tmp_path):
    """With --vergelijk the report gets a 'Wat is er veranderd' section from the change tables."""
    import abcd_map as am

    demo = settings.data_path("demo")
    text = (demo / "assets.csv").read_text(encoding="utf-8").replace("Koffieochtend Kerkbuurt", "Koffieochtend Kerkplein")
    assets = tmp_path / "assets.csv"
    assets.write_text(text, encoding="utf-8")
    out = tmp_path / "nu"
    am.build(buurten=demo / "buurten.geojson", wijken_file=demo / "wijken.geojson", osm=demo / "demo.osm",
             assets=assets, vergelijk=demo_build.out, rapport=True, out=out)
    html = (out / "rapport-alles.html").read_text(encoding="utf-8")
    assert "Wat is er veranderd" in html and "Koffieochtend Kerkplein" in html
    if shutil.which("pdftotext"):
        pdf = subprocess.run(["pdftotext", str(out / "rapport-alles.pdf"), "-"], capture_output=True, text=True).stdout
        assert "Wat is er veranderd" in pdf
