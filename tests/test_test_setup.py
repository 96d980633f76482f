"""The test set-up itself: the quick loop skips the marked tests, the README's command (= CI) runs them all."""

from __future__ import annotations

import itertools
import re
import shlex
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MARKED = ["slow", "realdata", "browser", "notebook"]


def _pytest_config() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]


def _readme_test_command() -> str:
    lines = [line for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines()
             if line.startswith("python3 -m venv .venv") and "pytest" in line]
    assert len(lines) == 1, lines
    return lines[0]


def _marker_expression(args: list[str]) -> str:
    """The -m expression of pytest's arguments (after 'python -m pytest', when that is there)."""
    if "pytest" in args:
        args = args[args.index("pytest") + 1:]
    expressions = [b for a, b in zip(args, args[1:]) if a == "-m"]
    assert len(expressions) == 1, args
    return expressions[0]


def _selects(expression: str, marks: set[str]) -> bool:
    from _pytest.mark.expression import Expression

    return Expression.compile(expression).evaluate(lambda name, **_: name in marks)


def test_ci_runs_the_readme_test_command_verbatim():
    command = _readme_test_command()
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert command in ci


def test_every_marker_is_registered():
    registered = {m.split(":")[0].strip() for m in _pytest_config()["markers"]}
    assert set(MARKED) <= registered
    assert "--strict-markers" in shlex.split(_pytest_config()["addopts"])


def test_plain_pytest_deselects_every_marked_kind():
    quick = _marker_expression(shlex.split(_pytest_config()["addopts"]))
    assert _selects(quick, set())
    for mark in MARKED:
        assert not _selects(quick, {mark}), mark


def test_the_readme_command_selects_every_test():
    full = _marker_expression(shlex.split(_readme_test_command().rsplit("&&", 1)[1]))
    for n in range(len(MARKED) + 1):
        for marks in itertools.combinations(MARKED, n):
            assert _selects(full, set(marks)), marks


README_EXAMPLES = [line.split("#")[0].strip() for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines()
                   if re.match(r"python -m pytest -m ", line)]


@pytest.mark.parametrize("line", README_EXAMPLES, ids=range(len(README_EXAMPLES)))
def test_marker_examples_in_the_readme_parse(line):
    from _pytest.mark.expression import Expression

    Expression.compile(_marker_expression(shlex.split(line)))
