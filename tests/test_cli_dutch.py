"""The command line speaks Dutch also when the parser complains (issue: click's own messages)."""

from __future__ import annotations

import pytest

from abcd_map.cli import dutch_message, run_cli


@pytest.mark.parametrize("args, expected", [
    (["build", "--foo"], "Fout: Onbekende optie: --foo"),
    (["build", "--drempel", "x"], "Ongeldige waarde voor '--drempel': geen geheel getal."),
    (["bouw"], "Onbekend commando 'bouw'."),
    (["validate"], "Argument ontbreekt: BESTAND."),
    (["build", "--out"], "Optie '--out' heeft een waarde nodig"),
    (["build", "een", "twee"], "Onverwacht extra argument: een twee"),
])
def test_usage_errors_are_dutch_and_exit_2(args, expected, capsys):
    assert run_cli(args) == 2
    text = " ".join(capsys.readouterr().err.split())
    assert expected in text
    assert "Probeer 'abcd-map" in text and "Gebruik: abcd-map" in text
    for english in ("No such option", "Missing argument", "Try '", "Usage:", "Error:"):
        assert english not in text


def test_help_is_dutch(capsys):
    assert run_cli(["build", "--help"]) == 0
    out = capsys.readouterr().out
    assert "Opties:" in out and "Toon deze hulp en stop." in out and "Gebruik: abcd-map build [OPTIES]" in out
    assert "Show this message" not in out and "Options:" not in out


def test_unknown_text_stays_as_it_is():
    assert dutch_message("iets anders") == "iets anders"
    assert dutch_message("No such option: --x") == "Onbekende optie: --x"
