"""The list beside the map without a browser: inlined, offline, after map.js, and the page's team mark.

Its behaviour in a browser is tested in tests/test_browser_list.py.
"""

from __future__ import annotations

import re

import pytest

from abcd_map.render._elements import compact_css, compact_js
from abcd_map.render.map import ASSETS_DIR

from test_map import build, page_data


@pytest.fixture(scope="module")
def html() -> str:
    return build()


def _scripts(html: str) -> list[str]:
    return re.findall(r"<script>(.*?)</script>", html, re.S)


def test_list_script_and_style_are_inlined_after_map_js(html):
    scripts = _scripts(html)
    map_at = next(i for i, s in enumerate(scripts) if "window.ABCD = {" in s)
    list_at = next(i for i, s in enumerate(scripts) if "window.ABCD_LIST" in s)
    assert list_at == map_at + 1
    assert "abcd:ready" in scripts[list_at] and "plekken-in-beeld.csv" in scripts[list_at]
    assert ".abcd-list-table" in html and ".abcd-print-list" in html
    assert html.index(".abcd-list-table") > html.index(".abcd-present")  # list.css after map.css


def test_list_loads_nothing_from_outside():
    for name in ("list.js", "list.css"):
        text = (ASSETS_DIR / name).read_text(encoding="utf-8").lower()
        assert not re.search(r"https?://", text), name
        assert "@import" not in text and "innerhtml" not in text and "eval(" not in text, name


def test_team_mark_only_in_team_page_data():
    assert page_data(build())["meta"]["let_op"] == ""
    assert page_data(build(mode="team"))["meta"]["let_op"] == "TEAM — niet delen"


def test_compact_js_keeps_every_statement_on_its_own_line():
    source = "/* head\n * comment */\n(function () {\n  // a comment\n  var a = 1;  // kept\n\n  return a;\n}());\n"
    assert compact_js(source) == "(function () {\nvar a = 1;  // kept\nreturn a;\n}());"
    assert compact_js("var url = 'http://x';\n") == "var url = 'http://x';"


def test_compact_css_drops_comments_and_indentation():
    source = "/* head */\n.a { color: red; }\n\n@media print {\n  /* inner */\n  .b::after { content: \"\\25BE\"; }\n}\n"
    assert compact_css(source) == '.a { color: red; }\n@media print {\n.b::after { content: "\\25BE"; }\n}'
