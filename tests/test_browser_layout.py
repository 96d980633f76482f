"""The HTML map on a phone, on a projector, on paper, and its search (issue 13), in headless Chromium.

Skipped when Chromium is missing, as tests/test_browser.py.
"""

from __future__ import annotations

import json

import pytest

from browser import Browser, require_chromium, search_misses
from test_browser import _save

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: share of the map not covered by any control: a 10 px grid of elementFromPoint probes
VISIBLE_SHARE_JS = """(function(){
  var c = document.querySelector('.leaflet-container').getBoundingClientRect(), n = 0, free = 0;
  for (var y = c.top + 5; y < c.bottom; y += 10) { for (var x = c.left + 5; x < c.right; x += 10) {
    n++; var e = document.elementFromPoint(x, y);
    if (e && !e.closest('.leaflet-control-container, .abcd-skip')) { free++; } } }
  return free / n; })()"""

#: smallest font size (px) of any visible text in the controls, popups, tooltips and marker labels
MIN_FONT_JS = """(function(){
  var min = 1e9, where = '';
  document.querySelectorAll('.leaflet-control-container, .leaflet-popup-pane, .leaflet-tooltip-pane, '
      + '.leaflet-marker-pane').forEach(function (root) {
    var w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (w.nextNode()) {
      var t = w.currentNode, e = t.parentElement;
      if (!t.textContent.trim() || !e.getClientRects().length || e.closest('option')) { continue; }
      var st = getComputedStyle(e);
      if (st.visibility === 'hidden' || e.closest('.abcd-search-count')) { continue; }
      var f = parseFloat(st.fontSize);
      if (f < min) { min = f; where = t.textContent.trim().slice(0, 40); }
    }
  });
  return [min, where]; })()"""


@pytest.fixture(scope="module", autouse=True)
def _need_chromium():
    require_chromium()


@pytest.fixture(scope="module")
def test_map(tmp_path_factory):
    return _save(tmp_path_factory.mktemp("indeling"), False, "kaart.html")


def _visible(b: Browser, selector: str) -> bool:
    """The element is laid out (it and its ancestors are displayed); it must exist."""
    return b.eval(f"(function(){{var e = document.querySelector({json.dumps(selector)});"
                  "return e ? e.getClientRects().length > 0 : 'missing';})()")


def _centre(b: Browser, selector: str) -> tuple[float, float]:
    r = json.loads(b.eval(f"JSON.stringify(document.querySelector({json.dumps(selector)}).getBoundingClientRect())"))
    return r["x"] + r["width"] / 2, r["y"] + r["height"] / 2


def test_phone_map_mostly_visible_and_search_tappable(test_map):
    with Browser(390, 844) as b:
        b.open(test_map)
        assert b.errors() == []
        assert b.eval("document.documentElement.classList.contains('abcd-phone')") is True
        assert set(b.eval("ABCD.panels()").values()) == {False}   # every panel starts folded
        share = b.eval(VISIBLE_SHARE_JS)
        assert share >= 0.6, share
        x, y = _centre(b, "#abcd-search")
        assert b.eval(f"document.elementFromPoint({x}, {y}).id") == "abcd-search"
        # pinch-zoom allowed
        viewport = b.eval("document.querySelector('meta[name=viewport]').content")
        assert "user-scalable" not in viewport and "maximum-scale" not in viewport
        # a panel opens with a tap on its button; one at a time in the bottom sheet
        for name in ("Lagen", "Legenda", "Filters"):
            head = f"Array.from(document.querySelectorAll('.abcd-sheet .abcd-panel-head')).filter(function(h){{return h.textContent === {json.dumps(name)};}})[0]"
            x, y = _centre(b, ".abcd-sheet") if False else json.loads(b.eval(
                f"(function(){{var r = {head}.getBoundingClientRect(); return JSON.stringify([r.x + r.width / 2, r.y + r.height / 2]);}})()"))
            b.click(x, y)
            assert b.eval(f"{head}.getAttribute('aria-expanded')") == "true"
            assert sum(b.eval("ABCD.panels()").values()) == 1
        assert b.eval("ABCD.panels()")["filters"] is True
        assert b.eval("document.querySelector('.abcd-sheet').getBoundingClientRect().bottom") <= 844


def test_presentation_mode_large_type(test_map):
    with Browser(1280, 720) as b:
        b.open(test_map)
        normal = b.eval(MIN_FONT_JS)[0]
        b.key("p")
        assert b.eval("document.documentElement.classList.contains('abcd-present')") is True
        assert b.eval("document.getElementById('abcd-present').getAttribute('aria-pressed')") == "true"
        assert b.eval("ABCD.panels()") == {"info": False, "filters": False, "legend": True, "layers": False, "list": False}
        smallest, where = b.eval(MIN_FONT_JS)
        assert smallest >= 18, (smallest, where)
        assert smallest > normal
        # the key does nothing while typing in the search box
        b.eval("document.getElementById('abcd-search').focus()")
        b.key("p")
        assert b.eval("document.documentElement.classList.contains('abcd-present')") is True
        b.eval("document.getElementById('abcd-search').value = ''; document.activeElement.blur()")
        b.eval("document.getElementById('abcd-present').click()")
        assert b.eval("document.documentElement.classList.contains('abcd-present')") is False
        assert b.eval("ABCD.panels()") == {"info": True, "filters": False, "legend": True, "layers": True, "list": False}
        assert b.errors() == []


def test_print_shows_map_and_key_not_controls(test_map, tmp_path):
    with Browser(1280, 720) as b:
        b.open(test_map)
        b.eval("ABCD.panel('legend', false); ABCD.panel('info', false)")   # folded on screen: still printed
        b.emulate_media("print")
        for hidden in (".abcd-search", ".abcd-filters", ".leaflet-control-zoom", ".abcd-title-tools",
                       ".abcd-panel-head", "#abcd-metric"):
            assert _visible(b, hidden) is False, hidden
        for shown in (".abcd-title h1", ".abcd-mode", ".abcd-sources", "#abcd-legend .abcd-legend-body",
                      ".leaflet-control-scale", ".leaflet-control-layers-list"):
            assert _visible(b, shown) is True, shown
        assert "km" in b.eval("document.querySelector('.leaflet-control-scale').textContent") or \
            " m" in b.eval("document.querySelector('.leaflet-control-scale').textContent")
        b.emulate_media("")
        pdf = b.print_pdf(tmp_path / "kaart.pdf")
        assert pdf.read_bytes()[:5] == b"%PDF-"
        assert b.errors() == []


def test_search_finds_every_wijk_and_buurt_by_name_first(demo_build):
    with Browser(1280, 720) as b:
        b.open(demo_build.out / "kaart.html")
        tried, misses = search_misses(b)
        assert tried > 10 and misses == []
        # areas before places at equal rank; a place hit names its category and buurt, never 'PLEK'
        hits = b.eval("ABCD.search('lindehof', 500)")
        assert hits[0] == {"text": "Lindehof", "kind": "wijk", "label": "Wijk", "context": hits[0]["context"]}
        places = [h for h in b.eval("ABCD.search('bu', 500)") if h["kind"] == "plek"]
        assert places and all(h["label"].lower() != "plek" for h in places)
        assert any("buurt " in h["context"] for h in places)
        # typing, arrow keys and Enter: the list closes after a pick
        b.eval("document.getElementById('abcd-search').focus()")
        b.type_text("Lindehof")
        b.wait_until("document.querySelectorAll('#abcd-results [role=option]').length > 0")
        first = b.eval("document.querySelector('#abcd-results [role=option]').textContent")
        assert first.startswith("Lindehof") and "Wijk" in first
        b.key("ArrowDown")
        assert b.eval("document.getElementById('abcd-search').getAttribute('aria-activedescendant')") == "abcd-hit-0"
        b.key("Enter")
        assert b.eval("document.querySelectorAll('#abcd-results li').length") == 0
        assert b.eval("document.getElementById('abcd-search').getAttribute('aria-expanded')") == "false"
        assert b.errors() == []


def test_search_enter_escape_and_popup(test_map):
    with Browser(1280, 720) as b:
        b.open(test_map)
        b.eval("document.getElementById('abcd-search').focus()")
        b.type_text("Buurthuis De Linde")
        b.wait_until("document.querySelectorAll('#abcd-results [role=option]').length > 0")
        b.key("Escape")   # first Esc: the list closes
        assert b.eval("document.querySelectorAll('#abcd-results li').length") == 0
        b.key("Enter")    # Enter takes the best hit
        b.wait_until("(function(){var p = document.querySelector('.leaflet-popup-content');"
                     "return p && p.textContent.indexOf('Buurthuis De Linde') >= 0;})()", timeout=15)
        b.key("Escape")   # next Esc: the popup closes
        b.wait_until("document.querySelector('.leaflet-popup-content') === null")
        assert b.errors() == []


def test_accessibility_basics(test_map):
    with Browser(1280, 720) as b:
        b.open(test_map)
        assert b.eval("document.documentElement.lang") == "nl"
        b.key("Tab")
        assert b.eval("document.activeElement.className") == "abcd-skip"
        b.key("Enter")
        assert b.eval("document.activeElement.id") == "abcd-search"
        unnamed = b.eval("""Array.from(document.querySelectorAll('button, a[href], input, select, [role=button]'))
            .filter(function(e){ return e.getClientRects().length; })
            .filter(function(e){ return !((e.getAttribute('aria-label') || '').trim() || e.textContent.trim()
                || (e.title || '').trim() || (e.labels && e.labels.length) || e.closest('label')); })
            .map(function(e){ return e.outerHTML.slice(0, 80); })""")
        assert unnamed == []
        for name, _ in [("info", 0), ("legend", 0), ("layers", 0), ("filters", 0)]:
            assert b.eval(f"document.querySelector('[data-panel={name}] .abcd-toggle').hasAttribute('aria-expanded')")
        scale = b.eval("document.querySelector('.leaflet-control-scale').textContent")
        assert "ft" not in scale and "mi" not in scale
        assert b.eval("document.querySelectorAll('.leaflet-control-scale-line').length") == 1
        assert "veilig om te delen: veilig" not in b.eval("document.querySelector('.abcd-mode').textContent")
        assert b.errors() == []


def test_hostile_names_on_a_phone(tmp_path):
    """The phone layout moves panels around; hostile names must stay text there too."""
    from test_map import HOSTILE

    path = _save(tmp_path, True, "vijandig.html")
    with Browser(390, 844) as b:
        b.open(path)
        for name in ("layers", "legend", "filters", "info"):
            b.eval(f"ABCD.panel({json.dumps(name)}, true)")
        for q in ["window", "Blommetje", "Gravenhage", "7*7"]:
            b.eval("document.getElementById('abcd-search').focus(); document.getElementById('abcd-search').value = ''")
            b.type_text(q)
            b.key("ArrowDown")
            b.key("Enter")
        b.key("p")
        assert b.eval("typeof window.__xss") == "undefined"
        assert HOSTILE[1] in b.eval("document.documentElement.textContent")
        assert b.eval("document.querySelectorAll('img[src=\"x\"], svg[onload]').length") == 0
        assert [e for e in b.errors() if "exception" in e] == []
