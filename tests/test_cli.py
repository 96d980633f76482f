"""The CLI contract of `abcd-map`: options, exit codes, outputs, atomic writing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

from abcd_map.cli import app

runner = CliRunner()
OUTPUTS = ["kaart.html", "buurten.csv", "wijken.csv", "abcd-map.gpkg"]


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def demo_out(demo_build) -> tuple[Path, str]:
    """`abcd-map build --out <folder>` of the demo: the session's one build (conftest.demo_build)."""
    return demo_build.out, demo_build.output


def test_build_help_lists_the_contract_in_dutch():
    result = run("build", "--help")
    assert result.exit_code == 0
    for option in ["--buurten", "--osm", "--assets", "--gemeente", "--wijk", "--afstand", "--modus",
                   "--online", "--out", "--debug", "--lens", "--gebieden", "--per-wijk"]:
        assert option in result.output, option
    assert "Loopafstand" in result.output and "publiek" in result.output


def test_demo_build_writes_the_four_files_and_a_summary(demo_out):
    out, output = demo_out
    for name in OUTPUTS:
        assert (out / name).stat().st_size > 0, name
    assert "Lindewaarde" in output and "Wijk" in output
    html = (out / "kaart.html").read_text(encoding="utf-8")
    assert "fictief" in html.lower()
    buurten = pd.read_csv(out / "buurten.csv", sep=";", decimal=",")
    for col in ["buurtcode", "buurtnaam", "wijkcode", "inwoners", "dekking_500m", "aantal_assets"]:
        assert col in buurten.columns, col
    assert len(buurten) >= 12
    wijken = pd.read_csv(out / "wijken.csv", sep=";", decimal=",")
    assert len(wijken) >= 3 and "dekking_500m" in wijken.columns
    # the wijk total of residents is the sum of its buurten
    merged = buurten.groupby("wijkcode")["inwoners"].sum()
    assert (wijken.set_index("wijkcode")["inwoners"] - merged).abs().max() < 1e-6
    layers = gpd.list_layers(out / "abcd-map.gpkg")["name"].tolist()
    for layer in ["buurten", "wijken", "assets"]:
        assert layer in layers


def test_demo_coverage_is_a_share(demo_out):
    out, _ = demo_out
    buurten = pd.read_csv(out / "buurten.csv", sep=";", decimal=",")
    cov = buurten["dekking_500m"].dropna()
    assert len(cov) >= 10
    assert cov.between(0, 100).all()
    # a believable town: some buurten well served, some with white spots
    assert cov.max() > 80 and cov.min() < 60


def test_input_error_exits_2_names_row_and_column_and_writes_nothing(tmp_path):
    bad = tmp_path / "assets.csv"
    bad.write_text("naam,soort,lat,lon\nBuurthuis,plek,52.0,4.36\nKapsalon,winkeltje,52.0,4.36\n",
                   encoding="utf-8")
    out = tmp_path / "uit"
    result = run("build", "--assets", str(bad), "--out", str(out))
    assert result.exit_code == 2
    assert "rij 3" in result.output and "soort" in result.output and "winkeltje" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".uit")]


def test_failed_run_leaves_previous_outputs_untouched(tmp_path, demo_out):
    out = tmp_path / "kaart"
    shutil.copytree(demo_out[0], out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = tmp_path / "a.csv"
    bad.write_text("naam,soort,lat,lon\n,plek,52.0,4.36\n", encoding="utf-8")
    result = run("build", "--assets", str(bad), "--out", str(out))
    assert result.exit_code == 2
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert bad.read_text(encoding="utf-8") == "naam,soort,lat,lon\n,plek,52.0,4.36\n"


def test_unknown_mode_is_an_input_error(tmp_path):
    result = run("build", "--modus", "geheim", "--out", str(tmp_path / "x"))
    assert result.exit_code == 2
    assert "modus" in result.output.lower()


def test_bad_distance_is_an_input_error(tmp_path):
    result = run("build", "--afstand", "vijfhonderd", "--out", str(tmp_path / "x"))
    assert result.exit_code == 2 and "--afstand" in result.output


def test_given_inputs_replace_the_demo_entirely(tmp_path):
    assets = tmp_path / "assets.csv"
    assets.write_text("id,naam,soort,lat,lon\nA1,Buurthuis Het Anker,plek,52.0100,4.3600\n"
                      "A2,Moestuin Oost,openbare ruimte,52.0120,4.3650\n", encoding="utf-8")
    out = tmp_path / "uit"
    result = run("build", "--assets", str(assets), "--out", str(out))
    assert result.exit_code == 0, result.output
    gpkg_assets = gpd.read_file(out / "abcd-map.gpkg", layer="assets")
    assert sorted(gpkg_assets["naam"]) == ["Buurthuis Het Anker", "Moestuin Oost"]
    assert "Lindewaarde" not in (out / "kaart.html").read_text(encoding="utf-8")


def test_validate_lists_every_problem(tmp_path):
    bad = tmp_path / "assets.csv"
    bad.write_text("id,naam,soort,lat,lon\nA1,,plek,52.0,4.36\nA1,Tuin,tuin,52.0,4.36\n", encoding="utf-8")
    result = run("validate", str(bad))
    assert result.exit_code == 2
    assert "rij 2" in result.output and "rij 3" in result.output
    assert "naam" in result.output and "soort" in result.output


def test_init_writes_a_template_that_validates(tmp_path):
    result = run("init", str(tmp_path))
    assert result.exit_code == 0, result.output
    xlsx = next(tmp_path.glob("*.xlsx"))
    csv = next(tmp_path.glob("*.csv"))
    assert run("validate", str(xlsx)).exit_code == 0
    assert run("validate", str(csv)).exit_code == 0


@pytest.mark.slow  # a full demo build of its own
def test_console_script_runs_offline(tmp_path):
    exe = Path(sys.executable).with_name("abcd-map")
    if not exe.exists():
        pytest.skip("console script abcd-map not installed in this environment")
    env = {**os.environ, "NO_PROXY": "", "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}
    proc = subprocess.run([str(exe), "build", "--out", str(tmp_path / "k")], capture_output=True, text=True,
                          env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "k" / "kaart.html").exists()


# ------------------------------------------------------------------ --online, never the network
def _recorded_pdok(url, params, timeout=10.0):
    import json as _json

    layer = params["typeNames"].split(":")[1]
    fixtures = Path(__file__).resolve().parent / "fixtures" / "pdok"
    return _json.loads((fixtures / f"{layer}.json").read_text(encoding="utf-8"))


def test_online_gemeente_uses_pdok_areas(monkeypatch, tmp_path):
    from abcd_map import settings
    from abcd_map.load import areas

    monkeypatch.setenv("ABCD_MAP_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(areas, "_http_get", _recorded_pdok)
    out = tmp_path / "uit"
    result = run("build", "--online", "--gemeente", "Proefdorp", "--osm",
                 str(settings.data_path("demo/demo.osm")), "--out", str(out))
    assert result.exit_code == 0, result.output
    buurten = pd.read_csv(out / "buurten.csv", sep=";", decimal=",")
    assert buurten["gemeentenaam"].str.contains("Proefdorp").all()
    assert list((tmp_path / "cache" / "pdok").glob("*.json")), "PDOK answers are cached"


def test_online_without_network_is_a_clear_message_and_writes_nothing(monkeypatch, tmp_path):
    from abcd_map.errors import OfflineError
    from abcd_map.load import areas, osm

    monkeypatch.setenv("ABCD_MAP_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(areas, "_http_get", _recorded_pdok)

    def offline(*_a, **_k):
        raise OfflineError("Overpass is niet bereikbaar (geen internetverbinding).")

    monkeypatch.setattr(osm, "fetch_osm_online", offline)
    out = tmp_path / "uit"
    result = run("build", "--online", "--gemeente", "Proefdorp", "--out", str(out))
    assert result.exit_code == 1
    assert "Geen verbinding" in result.output and "Traceback" not in result.output
    assert not out.exists()


def flat(result) -> str:
    """CLI output with line wrapping undone (rich wraps at the terminal width)."""
    return " ".join(result.output.split())


@pytest.mark.parametrize("option, name, content, phrase", [
    ("--buurten", "invoer.csv", "a,b\n1,2\n", "geen vlakken"),
    ("--buurten", "invoer.geojson", '{"type": "FeatureCollection", "features": []}', "geen vlakken"),
    ("--buurten", "invoer.geojson", "geen json", "kan niet als kaartlaag"),
    ("--osm", "invoer.osm", "<osm><node", "kan niet als OpenStreetMap"),
    ("--gebieden", "invoer.geojson", "geen json", "kan niet als kaartlaag"),
])
def test_broken_area_and_osm_files_are_input_errors(tmp_path, option, name, content, phrase):
    bad = tmp_path / name
    bad.write_text(content, encoding="utf-8")
    result = run("build", option, str(bad), "--out", str(tmp_path / "uit"))
    assert result.exit_code == 2, result.output
    assert phrase in flat(result) and name in flat(result) and "Traceback" not in result.output
    assert not (tmp_path / "uit").exists()


def test_gemeente_without_buurten_explains_the_demo(tmp_path):
    result = run("build", "--gemeente", "Delft", "--out", str(tmp_path / "uit"))
    assert result.exit_code == 2
    assert "demo-gemeente Lindewaarde" in flat(result) and "--buurten" in flat(result)


def test_dagdeel_needs_a_dag(tmp_path):
    result = run("build", "--dagdeel", "middag", "--out", str(tmp_path / "uit"))
    assert result.exit_code == 2 and "--dag" in result.output


@pytest.mark.slow  # a full demo build of its own
def test_drempel_sets_the_suppression_threshold(tmp_path):
    """The demo has 12 persons spread over 4 wijken: all below 5, none below 1."""
    low = run("build", "--drempel", "1", "--out", str(tmp_path / "a"))
    assert low.exit_code == 0, low.output
    wijken = pd.read_csv(tmp_path / "a" / "wijken.csv", sep=";", decimal=",", dtype={"personen": str})
    assert not wijken["personen"].str.startswith("<").any()
    assert wijken["personen_aantal"].sum() == 12
    assert "herleidbaar" in flat(low)
    assert run("build", "--drempel", "0", "--out", str(tmp_path / "b")).exit_code == 2


def test_outputs_never_overwrite_an_input(tmp_path):
    """An assets list called buurten.csv in the output folder must survive a build."""
    assets = tmp_path / "buurten.csv"
    text = "id,naam,soort,lat,lon\nA1,Buurthuis,plek,52.01,4.36\n"
    assets.write_text(text, encoding="utf-8")
    result = run("build", "--assets", str(assets), "--out", str(tmp_path))
    assert result.exit_code == 2 and "overschrijven" in flat(result)
    assert assets.read_text(encoding="utf-8") == text
    assert not (tmp_path / "kaart.html").exists()


@pytest.mark.slow  # a full demo build of its own
def test_out_that_is_a_file_is_an_input_error(tmp_path):
    target = tmp_path / "kaart.txt"
    target.write_text("niet overschrijven", encoding="utf-8")
    result = run("build", "--out", str(target))
    assert result.exit_code == 2 and "geen map" in flat(result)
    assert target.read_text(encoding="utf-8") == "niet overschrijven"


@pytest.mark.slow  # a full demo build of its own
def test_existing_out_folder_gets_its_temporary_files_inside(tmp_path, monkeypatch):
    """A USB stick as --out is its own file system: temp files must live inside it."""
    from abcd_map import export

    out = tmp_path / "stick"
    out.mkdir()
    seen = []
    real = export.tempfile.mkdtemp
    monkeypatch.setattr(export.tempfile, "mkdtemp", lambda **kw: seen.append(kw["dir"]) or real(**kw))
    assert run("build", "--out", str(out)).exit_code == 0
    assert seen == [out] and (out / "kaart.html").exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


@pytest.mark.slow  # a full demo build of its own
def test_options_are_case_insensitive_and_distances_whole_metres(tmp_path):
    ok = run("build", "--lens", "SENIOREN", "--dag", "ZO", "--dagdeel", "Middag", "--out", str(tmp_path / "a"))
    assert ok.exit_code == 0, ok.output
    header = (tmp_path / "a" / "buurten.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(";")
    assert "senioren_dekking_300m" in header and "open_zondag_middag_dekking_500m" in header
    # '500,5' is two distances, and 5 m is no walking distance
    bad = run("build", "--afstand", "500,5", "--out", str(tmp_path / "b"))
    assert bad.exit_code == 2 and "hele meters tussen 25 en 5000" in flat(bad)


@pytest.mark.slow  # a full demo build of its own
def test_a_stale_per_wijk_folder_is_mentioned(tmp_path):
    out = tmp_path / "uit"
    (out / "per-wijk").mkdir(parents=True)
    result = run("build", "--out", str(out))
    assert result.exit_code == 0 and "eerdere run" in flat(result)


def test_online_wijk_names_come_from_pdok(monkeypatch, tmp_path):
    import abcd_map as am
    from abcd_map import settings
    from abcd_map.load import areas

    monkeypatch.setenv("ABCD_MAP_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(areas, "_http_get", _recorded_pdok)
    result = am.build(online=True, gemeente="Proefdorp", osm=settings.data_path("demo/demo.osm"))
    assert len(result.wijken) >= 1
    assert set(result.wijken["wijknaam"]) <= {"Wijk 01 Dorp", "Wijk 02 Buitengebied"}
