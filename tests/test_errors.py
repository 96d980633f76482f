"""Notes and input errors: the plumbing every command relies on."""

from __future__ import annotations

import warnings

from abcd_map.errors import InputError, InputProblem, collect_notes, note


def test_collect_notes_keeps_notes_and_passes_foreign_warnings_on():
    """A library's own warning inside a run once made collect_notes loop forever."""
    with warnings.catch_warnings(record=True) as outer:
        warnings.simplefilter("always")
        with collect_notes() as notes:
            note("eerste")
            warnings.warn("van numpy", RuntimeWarning)
            note("eerste")  # the same note twice is said once
            note("tweede")
    assert notes == ["eerste", "tweede"]
    assert [str(w.message) for w in outer] == ["van numpy"]


def test_input_problem_names_file_row_column_value_expected():
    p = InputProblem(file="/x/assets.csv", message="onbekende soort", row=3, column="soort", value="tuin",
                     expected="persoon, plek")
    assert str(p) == "assets.csv, rij 3, kolom 'soort': onbekende soort (gevonden: 'tuin'); verwacht: persoon, plek"
    assert InputError([p, p]).message().startswith("Er zijn 2 problemen in de invoer:")
