"""CLI: several gemeenten, summary columns, README and init messages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from abcd_map import settings
from abcd_map.cli import app

runner = CliRunner()
README = Path(__file__).resolve().parents[1] / "README.md"


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def flat(result) -> str:
    return " ".join(result.output.split())


def test_readme_afstand_bounds_match_settings():
    line = next(l for l in README.read_text(encoding="utf-8").splitlines() if l.startswith("| `--afstand"))
    assert f"tussen {settings.min_distance} en {settings.max_distance}" in line


@pytest.mark.slow
def test_init_names_the_overwrite_option(tmp_path):
    assert run("init", str(tmp_path)).exit_code == 0
    again = run("init", str(tmp_path))
    assert again.exit_code == 2 and "--overschrijven" in flat(again)
    assert run("init", str(tmp_path), "--overschrijven").exit_code == 0


@pytest.mark.realdata
@pytest.mark.slow
def test_two_gemeenten_repeated_and_comma(shared_data, tmp_path):
    path = str(shared_data / "cbs-wijkenbuurten-2015" / "haaglanden_buurt.geojson")
    repeated = run("build", "--buurten", path, "--gemeente", "Delft", "--gemeente", "Rijswijk",
                   "--out", str(tmp_path / "a"))
    assert repeated.exit_code == 0, repeated.output
    text = flat(repeated)
    assert "Delft en Rijswijk" in text and "Gemeente" in text
    assert "Inwoners ≤" not in text and "geen plekken gegeven" in text.lower()
    comma = run("build", "--buurten", path, "--gemeente", "Delft,Rijswijk", "--out", str(tmp_path / "b"))
    assert comma.exit_code == 0, comma.output
    assert (tmp_path / "a" / "buurten.csv").read_bytes().count(b"\n") == \
        (tmp_path / "b" / "buurten.csv").read_bytes().count(b"\n")
    unknown = run("build", "--buurten", path, "--gemeente", "Delft,Rijswijkk", "--out", str(tmp_path / "c"))
    assert unknown.exit_code == 2 and "Rijswijk" in flat(unknown) and "Rijswijkk" in flat(unknown)


@pytest.mark.realdata
@pytest.mark.slow
def test_bare_wijk_names_get_their_gemeente(shared_data, tmp_path):
    path = str(shared_data / "cbs-wijkenbuurten-2015" / "haaglanden_buurt.geojson")
    result = run("build", "--buurten", path, "--gemeente", "Rijswijk", "--out", str(tmp_path / "m"))
    assert result.exit_code == 0, result.output
    bare = [l for l in result.output.splitlines() if re.search(r"Wijk \d\d\b", l)]
    assert len(bare) >= 9 and all("(Rijswijk)" in l for l in bare)
