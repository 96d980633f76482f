"""`abcd-map validate`: repaired values are warnings ('Let op'), not problems; exit 0."""

from __future__ import annotations

from typer.testing import CliRunner

from abcd_map.cli import app

runner = CliRunner()


def test_validate_lists_notes_and_exits_0(tmp_path):
    path = tmp_path / "lijst.csv"
    path.write_text("id,naam,soort,categorie,doelgroepen,lat,lon\n"
                    "A1,Buurthuis,Buurthuis,sport,jongeren,52.0116,4.3571\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Let op: lijst.csv, rij 2: onbekende waarde 'sport' in kolom 'categorie'; " \
           "gebruikt: 'fysieke ruimte'." in text
    assert "Geen problemen gevonden in lijst.csv." in text


def test_validate_exits_2_on_a_problem(tmp_path):
    path = tmp_path / "lijst.csv"
    path.write_text("id,naam,soort,lat,lon\nA1,Buurthuis,plekk,52.0116,4.3571\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)], catch_exceptions=False)
    assert result.exit_code == 2
    assert "onbekende soort (bedoelde je 'plek'?)" in " ".join(result.output.split())
