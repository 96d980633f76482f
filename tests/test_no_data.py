"""Unknown is never zero: one hand-made run with data, partial data and no data, through every output.

Four buurten and a small grid of streets (nodes every 100 m, x and y 50 ... 1950):

* ``BU01`` Vol (x 0-1000, y 0-1000) and ``BU02`` Noord (x 0-1000, y 1000-2000) lie wholly
  inside the OSM extent (x -50 ... 1700, y -50 ... 2050);
* ``BU03`` Half (x 1000-2000, y 0-1000) lies 70% inside: its streets east of x = 1700 stand
  for route roads without side streets, where no resident may be put;
* ``BU04`` Buiten (x 3000-4000) lies outside: "geen OSM-gegevens".

Wijk WK1 holds the first three (2,700 of 3,000 residents inside the data: 90%), WK2 only
Buiten. A welcoming place in Vol (OSM) and one in Half (the team's list), another OSM place
in Noord and one of the team's places in Buiten.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from abcd_map import outputs, publication, schema, settings, stages
from abcd_map.analyse import coverage
from abcd_map.analyse.network import Network
from abcd_map.load.osm import OsmData
from abcd_map.options import BuildOptions

pytestmark = pytest.mark.slow  # one build with every writer (about 10 s)
TODAY = dt.date(2026, 11, 27)
EXTENT = box(-50, -50, 1700, 2050)
FULL, NORTH, PARTIAL, NO_DATA = "BU01", "BU02", "BU03", "BU04"
#: Figures that rest on the data: empty (never 0) in a buurt without data.
FIGURES = ["dekking_500m", "inwoners_binnen_500m", "inwoners_met_gegevens", "toegang_2sfca", "toegang_per_1000",
           "per_1000_inwoners", "aantal_assets", "aantal_fysieke_ruimte", "behoefte_index", "rang",
           "senioren_dekking_300m", "senioren_binnen_300m", "fysieke_ruimte_dekking_500m",
           "economie_dekking_500m", "kleine_plekken"]
WIJK_FIGURES = ["dekking_500m", "inwoners_binnen_500m", "inwoners_met_gegevens", "per_1000_inwoners",
                "aantal_assets", "senioren_dekking_300m", "economie_dekking_500m"]


def grid_network(step: float = 100.0, n: int = 20) -> Network:
    xs, ys = np.meshgrid(step / 2 + step * np.arange(n), step / 2 + step * np.arange(n))
    idx = np.arange(n * n).reshape(n, n)
    u = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    v = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    return Network(np.arange(n * n), xs.ravel(), ys.ravel(), u, v, np.full(len(u), step))


def areas() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"buurtcode": [FULL, NORTH, PARTIAL, NO_DATA], "buurtnaam": ["Vol", "Noord", "Half", "Buiten"],
         "wijkcode": ["WK1", "WK1", "WK1", "WK2"], "wijknaam": ["Een", "Een", "Een", "Twee"],
         "gemeentecode": ["GM1"] * 4, "gemeentenaam": ["Proefstad"] * 4,
         "inwoners": [1000.0, 1000.0, 1000.0, 500.0], "p_65_plus": [10.0, 30.0, 20.0, 40.0], "opmerking": [""] * 4},
        geometry=[box(0, 0, 1000, 1000), box(0, 1000, 1000, 2000), box(1000, 0, 2000, 1000),
                  box(3000, 0, 4000, 1000)], crs=settings.crs)


def assets() -> gpd.GeoDataFrame:
    rows = [("A1", "Buurthuis", "fysieke_ruimte", True, "OpenStreetMap", (450, 450)),
            ("A2", "Huiskamer Half", "fysieke_ruimte", True, "handmatig", (1450, 450)),
            ("A3", "Bakker", "economie", False, "OpenStreetMap", (450, 1550)),
            ("A4", "Moestuin Buiten", "fysieke_ruimte", False, "handmatig", (3450, 450))]
    frame = pd.DataFrame([{"id": i, "naam": n, "soort": "plek", "categorie": c, "ontmoetingsplek": w,
                           "herkomst": h, "inloop": True, "standaard_zichtbaar": True, "doelgroepen": "",
                           "fase": "onbekend", "relaties": ""} for i, n, c, w, h, _ in rows])
    frame = frame.reindex(columns=schema.ASSET_COLUMNS)
    return gpd.GeoDataFrame(frame, geometry=[Point(xy) for *_, xy in rows], crs=settings.crs)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The analysis in memory, and every output written from its publication."""
    options = BuildOptions.create(buurten="x.geojson", today=TODAY, lens="senioren", afstand=[400, 500, 800])
    a = areas()
    osm = OsmData(places=assets().iloc[:0], network=grid_network(), extent=EXTENT)
    inputs = stages.Inputs(areas=a, wijk_areas=a.dissolve("wijkcode").reset_index(), hand=assets(), osm=osm)
    analysis = stages.analyse(inputs, assets(), options)
    out = tmp_path_factory.mktemp("uit")
    outputs.write_outputs(publication.publish(analysis), out)
    return analysis, out


def _csv(path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig")


def _page(folder) -> dict:
    html = (folder / "kaart.html").read_text(encoding="utf-8")
    match = re.search(r'<script type="application/json" id="abcd-data">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def _page_table(table: dict, key: str) -> pd.DataFrame:
    return pd.DataFrame(table["rows"], columns=table["cols"]).set_index(key)


def _outputs(run, level: str) -> dict[str, pd.DataFrame]:
    """The ``level`` table ("buurten" or "wijken") as every output holds it, indexed by its code."""
    analysis, out = run
    key = "buurtcode" if level == "buurten" else "wijkcode"
    return {"in memory": pd.DataFrame(getattr(analysis, level)).set_index(key),
            f"{level}.csv": _csv(out / f"{level}.csv").set_index(key),
            "tabellen.xlsx": pd.read_excel(out / "tabellen.xlsx", sheet_name=level).set_index(key),
            "abcd-map.gpkg": pd.DataFrame(gpd.read_file(out / "abcd-map.gpkg", layer=level)).set_index(key),
            "kaart.html": _page_table(_page(out)[level]["table"], key)}


def buurt_outputs(run) -> dict[str, pd.DataFrame]:
    return _outputs(run, "buurten")


def wijk_outputs(run) -> dict[str, pd.DataFrame]:
    return _outputs(run, "wijken")


def reference() -> pd.DataFrame:
    """Coverage worked out without any extent over the parts with data: Vol whole, Half cut at x = 1700
    with the 700 residents that live there."""
    a = areas().iloc[:3].copy()
    a.loc[2, "geometry"] = box(1000, 0, 1700, 1000)
    a.loc[2, "inwoners"] = 700.0
    welcoming = assets()[assets()["ontmoetingsplek"].astype(bool)]
    return coverage.coverage(a, welcoming, grid_network(), [500])


def _empty(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def test_every_output_leaves_the_figures_of_a_buurt_without_data_empty(run):
    for name, table in buurt_outputs(run).items():
        row = table.loc[NO_DATA]
        shown = [c for c in FIGURES if c in table.columns]
        assert {"dekking_500m", "aantal_assets"} <= set(shown), name
        assert [c for c in shown if not _empty(row[c])] == [], name
        if name != "kaart.html":
            assert row["gegevens"] == coverage.DATA_NO_OSM, name
            assert _empty(row["duiding"]), name
            assert row["aantal_eigen_lijst"] == 1, name  # the team's own list is known everywhere
        else:
            assert row["gegevens"] is False or row["gegevens"] == 0, name


def test_every_output_gives_the_partial_buurt_its_inside_residents_only(run):
    ref = reference().loc[PARTIAL]
    for name, table in buurt_outputs(run).items():
        row = table.loc[PARTIAL]
        assert row["dekking_500m"] == pytest.approx(ref["dekking_500m"], abs=0.051), name
        if name == "kaart.html":
            assert row["gegevens"] is True or row["gegevens"] == 1, name
            continue
        assert row["gegevens"] == coverage.DATA_PARTIAL, name
        assert row["gegevens_pct"] == pytest.approx(70, abs=0.05), name
        assert row["inwoners_met_gegevens"] == pytest.approx(700, abs=0.05), name
        assert row["inwoners_binnen_500m"] == pytest.approx(ref["inwoners_binnen_500m"], abs=0.051), name
        assert row["inwoners"] == 1000 and row["toegang_2sfca"] > 0, name


def test_every_output_leaves_the_full_buurt_unchanged(run):
    ref = reference().loc[FULL]
    for name, table in buurt_outputs(run).items():
        row = table.loc[FULL]
        assert row["dekking_500m"] == pytest.approx(ref["dekking_500m"], abs=0.051), name
        if name != "kaart.html":
            assert row["gegevens"] == coverage.DATA_OK and row["gegevens_pct"] == 100, name
            assert row["inwoners_met_gegevens"] == 1000 and row["aantal_assets"] == 1, name
            assert row["per_1000_inwoners"] == pytest.approx(1.0), name


def test_inside_the_data_a_zero_stays_zero(run):
    """Noord has no welcoming place within 500 m of most homes; its figures are numbers, not empty."""
    b = pd.DataFrame(run[0].buurten).set_index("buurtcode")
    assert b.loc[NORTH, "aantal_fysieke_ruimte"] == 0 and b.loc[NORTH, "toegang_2sfca"] >= 0
    assert not b.loc[[FULL, NORTH, PARTIAL], ["dekking_500m", "toegang_2sfca", "rang"]].isna().any().any()


def test_every_output_leaves_a_wijk_without_data_empty_and_says_what_a_wijk_rests_on(run):
    for name, table in wijk_outputs(run).items():
        empty = table.loc["WK2"]
        assert [c for c in WIJK_FIGURES if c in table.columns and not _empty(empty[c])] == [], name
        one = table.loc["WK1"]
        assert one["dekking_500m"] > 0, name
        if name == "kaart.html":
            continue
        assert empty["aantal_eigen_lijst"] == 1, name
        assert one["inwoners_met_gegevens"] == pytest.approx(2700, abs=0.05), name
        assert one["gegevens"] == coverage.DATA_OK and one["gegevens_pct"] == pytest.approx(90), name
        assert one["per_1000_inwoners"] == pytest.approx(1000 * 3 / 2700, abs=0.05), name


def test_no_white_spot_or_knowledge_gap_where_there_are_no_data(run):
    analysis, out = run
    for layer in ("witte_vlekken", "kennisgaten"):
        assert NO_DATA not in set(analysis.layers[layer]["buurtcode"]), layer
        on_disk = gpd.read_file(out / "abcd-map.gpkg", layer=layer) if len(analysis.layers[layer]) else None
        assert on_disk is None or NO_DATA not in set(on_disk["buurtcode"]), layer
    for layer in ("witte_vlekken", "kennisgaten"):  # in Half only its part with data
        gaps = analysis.layers[layer]
        half = gaps[gaps["buurtcode"] == PARTIAL]
        assert len(half) and half.geometry.bounds["maxx"].max() <= 1700 + 1e-6, layer
    page = _page(out)["gaps"]
    names = {f["properties"].get("buurtnaam") for g in page.values() for f in g["geo"]["features"]}
    assert "Buiten" not in names


def test_cli_summary_says_geen_gegevens_for_an_unknown_count(tmp_path):
    """An areas-only run knows nothing about places: the summary says so instead of 0 assets."""
    from typer.testing import CliRunner

    from abcd_map.cli import app

    cbs = gpd.GeoDataFrame({"BU_CODE": ["BU00010001"], "BU_NAAM": ["Papier"], "WK_CODE": ["WK000100"],
                            "GM_CODE": ["GM0001"], "GM_NAAM": ["Papierdorp"], "AANT_INW": [1000]},
                           geometry=[box(100_000, 450_000, 101_000, 450_200)], crs=settings.crs)
    cbs.to_file(tmp_path / "buurten.geojson", driver="GeoJSON")
    result = CliRunner().invoke(app, ["build", "--buurten", str(tmp_path / "buurten.geojson"),
                                      "--out", str(tmp_path / "uit")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "1.000" in line)
    assert "geen gegevens" in row and " 0 " not in row
    b = _csv(tmp_path / "uit" / "buurten.csv").iloc[0]
    assert _empty(b["aantal_assets"]) and _empty(b["toegang_2sfca"]) and _empty(b["dekking_500m"])
