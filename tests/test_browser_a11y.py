"""Accessibility of the HTML map (issue 13, WCAG 2.1 AA where it applies), in headless Chromium.

- axe-core (vendored in vendor/axe-core, for the tests only) finds no serious or critical
  violation of the WCAG 2.1 A/AA rules on the demo (publiek), the test town (team) and the
  Delft map (publiek and team), each on a laptop, on a phone and in Beamer mode, with the
  panels, layers, search list and popups open;
- text in the panels and popups has AA contrast (axe leaves much of it 'incomplete'
  where panels lie over the map, so it is computed here as well);
- a keyboard walk: skip link first, the search within a few presses, the panels before the
  markers, every stop named and visibly focused, Enter opens a marker's popup, Esc closes it
  and focus goes back to the marker;
- text at least 14 px on a projector (1280x720), larger in Beamer mode;
- the lowest coverage class stands out from the background (>= 3:1 as drawn) and has a dark
  outline where it touches other classes.

Skipped without Chromium, except on CI (env CI=true), where that fails.
"""

from __future__ import annotations

import json
import time

import pytest

import abcd_map as am
from abcd_map.render._style import COVERAGE_CLASSES, COVERAGE_FILL_OPACITY, MAP_BACKGROUND

from browser import Browser, axe_report, axe_violations, require_chromium, tab_walk, search_misses, text_contrast_problems
from test_browser import MAP_JS, _save
from test_browser_layout import MIN_FONT_JS
from test_open_coverage import _over, contrast_ratio

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module", autouse=True)
def _need_chromium():
    require_chromium()


@pytest.fixture(scope="module")
def town_team(tmp_path_factory):
    """The hand-made test town in modus team (every layer: gaps, relations, welcoming stages)."""
    return _save(tmp_path_factory.mktemp("a11y"), False, "kaart.html")


@pytest.fixture(scope="module")
def delft_maps(shared_data, tmp_path_factory):
    """kaart.html of the real Delft data, publiek and team."""
    out = {}
    for mode in ("publiek", "team"):
        folder = tmp_path_factory.mktemp(f"delft-{mode}")
        am.build(buurten=shared_data / "cbs-wijkenbuurten-2015" / "haaglanden_buurt.geojson", gemeente="Delft",
                 osm=shared_data / "osm" / "delft-tudelft.osm.bz2", modus=mode, out=folder)
        out[mode] = folder / "kaart.html"
    return out


# ------------------------------------------------------------------ page states
def _open_everything(b: Browser) -> None:
    """Every panel open (the list too, when the map has one), every overlay on (not the background: it needs internet)."""
    b.eval("['info', 'legend', 'layers', 'filters', 'list'].forEach(function (k) { ABCD.panel(k, true); })")
    b.eval("Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label')).forEach(function (l) {"
           "var i = l.querySelector('input'); if (i && !i.checked && l.textContent.indexOf('OpenStreetMap') < 0) { i.click(); } })")
    time.sleep(0.3)


def _first_hit(b: Browser, kind: str) -> str:
    """The name of some place ('plek') or buurt on the map that the search finds."""
    return b.eval("(function () { var qs = ['de', 'er', 'an', 'st', 'en', 'ka', 'bu'];"
                  "for (var i = 0; i < qs.length; i++) { var h = ABCD.search(qs[i], 500).filter(function (x) {"
                  f"return x.kind === {json.dumps(kind)}; }}); if (h.length) {{ return h[0].text; }} }} return null; }})()")


def _search_and_open(b: Browser, kind: str) -> str:
    """Type a place or buurt name in the search, leave the list open; return the name."""
    name = _first_hit(b, kind)
    assert name, kind
    b.eval("var s = document.getElementById('abcd-search'); s.value = ''; s.focus()")
    b.type_text(name)
    b.wait_until("document.querySelectorAll('#abcd-results [role=option]').length > 0")
    return name


def _popup(b: Browser, name: str) -> str:
    """The text of the open popup once it shows ``name`` and has faded in (axe reads colours as shown)."""
    return b.wait_until("(function () { var p = document.querySelector('.leaflet-popup-content');"
                        f"return p && p.textContent.indexOf({json.dumps(name)}) >= 0"
                        " && getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1' ? p.textContent : null; })()",
                        timeout=15)


def _axe_states(path, width: int, height: int) -> tuple[dict, dict]:
    """axe's serious/critical violations and the low-contrast texts, per page state."""
    found, contrast = {}, {}
    with Browser(width, height) as b:
        b.open(path)
        found["eerste beeld"] = axe_violations(b)
        if width >= 700:
            _open_everything(b)
            found["alle panelen en lagen"] = axe_violations(b)
            contrast["alle panelen en lagen"] = text_contrast_problems(b)
        else:
            b.eval("ABCD.panel('filters', true)")
            found["filters open op telefoon"] = axe_violations(b)
            contrast["filters open op telefoon"] = text_contrast_problems(b)
        name = _search_and_open(b, "plek")
        found["zoeklijst"] = axe_violations(b)
        b.key("Enter")
        _popup(b, name)
        found["popup van een plek"] = axe_violations(b)
        contrast["popup van een plek"] = text_contrast_problems(b)
        b.key("Escape")
        name = _search_and_open(b, "buurt")
        b.key("Enter")
        _popup(b, name)
        found["popup van een buurt"] = axe_violations(b)
        contrast["popup van een buurt"] = text_contrast_problems(b)
        if width >= 700:
            b.key("Escape")
            b.eval("document.activeElement.blur(); ABCD.present(true)")
            time.sleep(0.3)
            found["beamer"] = axe_violations(b)
            contrast["beamer"] = text_contrast_problems(b)
    return found, contrast


def _assert_accessible(path) -> None:
    problems = []
    for width, height in [(1280, 720), (390, 844)]:
        found, contrast = _axe_states(path, width, height)
        for state, violations in found.items():
            if violations:
                problems.append(f"--- {width}x{height}, {state}:\n{axe_report(violations)}")
        for state, result in contrast.items():
            assert result["checked"] > 10, (state, result)   # the check saw the panels' text
            if result["bad"]:
                problems.append(f"--- {width}x{height}, {state}: te weinig contrast: " + "; ".join(result["bad"]))
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------ axe-core
def test_axe_demo_publiek(demo_build):
    _assert_accessible(demo_build.out / "kaart.html")


def test_axe_test_town_team(town_team):
    _assert_accessible(town_team)


@pytest.mark.parametrize("mode", ["publiek", "team"])
def test_axe_delft(delft_maps, mode):
    _assert_accessible(delft_maps[mode])


def test_axe_reports_a_violation_it_should_find(town_team):
    """The check can fail: a button without a name and grey-on-white text are caught."""
    with Browser(1280, 720) as b:
        b.open(town_team)
        b.eval("var x = document.createElement('button'); x.id = 'nameless'; document.querySelector('.abcd-title').appendChild(x);"
               "var t = document.createElement('div'); t.textContent = 'bijna onleesbaar'; t.style.color = '#cccccc';"
               "document.querySelector('.abcd-title').appendChild(t); 0")
        ids = {v["id"] for v in axe_violations(b)}
        assert {"button-name", "color-contrast"} <= ids, ids
        assert any("bijna onleesbaar" in t for t in text_contrast_problems(b)["bad"])


# ------------------------------------------------------------------ keyboard
def test_keyboard_walk(demo_build):
    with Browser(1280, 720) as b:
        b.open(demo_build.out / "kaart.html")
        walk = tab_walk(b, 60, stop=".leaflet-marker-icon:not(.abcd-cluster-icon)")
        where = [f"{w['tag']}.{w['cls'][:30]} '{w['name']}'" for w in walk]
        assert walk[0]["cls"] == "abcd-skip" and walk[0]["onscreen"], where[:3]
        search = next(i for i, w in enumerate(walk) if w["id"] == "abcd-search")
        assert search <= 7, where[:search + 1]   # skip links (search, list), the map, title buttons
        heads = [w["name"] for w in walk if "abcd-panel-head" in w["cls"]]
        assert heads[0] == "Filters" and {"Lagen", "Legenda"} <= set(heads), where
        first_marker = next(i for i, w in enumerate(walk) if "leaflet-marker-icon" in w["cls"])
        assert first_marker > max(i for i, w in enumerate(walk) if "abcd-panel-head" in w["cls"])
        # no nameless stop, no SVG area, and every stop shows where the focus is
        assert [w for w in walk if not w["name"]] == []
        assert [w for w in walk if w["svg"]] == []
        assert [w for w in walk if not w["ring"]] == []
        # the panels' contents come before the markers too
        assert any(w["tag"] == "input" and "leaflet-control-layers-selector" in w["cls"] for w in walk[:first_marker])

        # Enter on a marker opens its popup; Esc closes it and the focus stays on the marker
        marker = walk[-1]
        assert "leaflet-marker-icon" in marker["cls"] and "(" in marker["name"], marker
        b.key("Enter")
        place = b.wait_until("(function () { var h = document.querySelector('.leaflet-popup-content h3');"
                             "return h ? h.textContent : null; })()")
        assert marker["name"].startswith(place + " (")
        assert b.eval("document.activeElement.getAttribute('aria-label')") == marker["name"]
        b.key("Escape")
        b.wait_until("document.querySelector('.leaflet-popup') === null")
        assert b.eval("document.activeElement.getAttribute('aria-label')") == marker["name"]
        # from the popup's close button (Dutch name): Esc closes, focus goes back to the marker
        b.key("Enter")
        _popup(b, place)
        close = "document.querySelector('.leaflet-popup-close-button')"
        assert b.eval(f"{close}.getAttribute('aria-label')") == "Sluiten"
        b.eval(f"{close}.focus()")
        b.key("Escape")
        b.wait_until("document.querySelector('.leaflet-popup') === null")
        assert b.eval("document.activeElement.getAttribute('aria-label')") == marker["name"]
        assert b.errors() == []


def test_enter_on_a_cluster_zooms_in(demo_build):
    """A cluster is a named button ('2 plekken'), and Enter on it zooms in as a click does."""
    with Browser(1280, 720) as b:
        b.open(demo_build.out / "kaart.html")
        names = b.eval("Array.from(document.querySelectorAll('.leaflet-marker-pane .abcd-cluster-icon'))"
                       ".map(function (c) { return c.getAttribute('aria-label'); })")
        assert names and all(n and n.split(" ")[0].isdigit() and " plekken" in n for n in names), names
        zoom = b.eval(MAP_JS + ".getZoom()")
        b.eval("document.querySelector('.leaflet-marker-pane .abcd-cluster-icon').focus()")
        b.key("Enter")
        b.wait_until(MAP_JS + f".getZoom() > {zoom}")
        b.wait_until("document.activeElement.classList.contains('leaflet-container')")   # markercluster's choice
        assert b.errors() == []


def test_keyboard_search_list_and_escape(demo_build):
    """The search list opens and closes with the keyboard; the empty list is hidden from screen readers."""
    with Browser(1280, 720) as b:
        b.open(demo_build.out / "kaart.html")
        assert b.eval("document.getElementById('abcd-results').hidden") is True
        b.key("Tab")
        b.key("Enter")   # the skip link: to the search box
        assert b.eval("document.activeElement.id") == "abcd-search"
        b.type_text("Lindehof")
        b.wait_until("document.querySelectorAll('#abcd-results [role=option]').length > 0")
        assert b.eval("document.getElementById('abcd-results').hidden") is False
        b.key("Escape")
        assert b.eval("document.getElementById('abcd-results').hidden") is True
        assert b.eval("document.activeElement.id") == "abcd-search"


def test_escape_folds_the_open_panel_on_a_phone(demo_build):
    with Browser(390, 844) as b:
        b.open(demo_build.out / "kaart.html")
        b.eval("ABCD.panel('filters', true); document.getElementById('abcd-filter-dag').focus()")
        b.key("Escape")
        assert b.eval("ABCD.panels()")["filters"] is False
        assert b.eval("document.activeElement.textContent") == "Filters"
        assert b.eval("document.activeElement.getAttribute('aria-expanded')") == "false"


# ------------------------------------------------------------------ projector text, contrast, outline
def test_projector_text_at_least_14px_and_larger_in_beamer_mode(town_team):
    with Browser(1280, 720) as b:
        b.open(town_team)
        _open_everything(b)
        name = _search_and_open(b, "plek")
        b.key("Enter")
        _popup(b, name)
        smallest, where = b.eval(MIN_FONT_JS)
        assert smallest >= 14, (smallest, where)
        b.eval("document.activeElement.blur(); ABCD.present(true)")
        smallest, where = b.eval(MIN_FONT_JS)
        assert smallest >= 16, (smallest, where)


def test_lowest_class_stands_out_and_classes_are_outlined(town_team):
    """As drawn in the browser: the 0-25% buurt against the map background, and every buurt's outline."""
    lowest = COVERAGE_CLASSES[0]
    with Browser(1280, 720) as b:
        b.open(town_team)
        background = b.eval("getComputedStyle(document.querySelector('.leaflet-container')).backgroundColor")
        assert background == "rgb({}, {}, {})".format(*(int(MAP_BACKGROUND[i:i + 2], 16) for i in (1, 3, 5)))
        paths = b.eval("Array.from(document.querySelectorAll('.leaflet-overlay-pane path')).map(function (p) {"
                       "return {fill: p.getAttribute('fill'), opacity: Number(p.getAttribute('fill-opacity')),"
                       "stroke: p.getAttribute('stroke'), width: Number(p.getAttribute('stroke-width')),"
                       "strokeOpacity: Number(p.getAttribute('stroke-opacity'))}; })")
    low = [p for p in paths if p["fill"] == lowest["colour"]]
    assert len(low) == 1 and len(paths) >= 4, paths
    drawn = _over(lowest["colour"], MAP_BACKGROUND, low[0]["opacity"])
    assert low[0]["opacity"] == pytest.approx(COVERAGE_FILL_OPACITY)
    assert contrast_ratio(drawn, MAP_BACKGROUND) >= 3.0
    # told apart by more than colour where it touches the next class: a dark, wider outline
    assert low[0]["stroke"] == lowest["outline"] and low[0]["width"] >= 2 and low[0]["strokeOpacity"] == 1
    assert contrast_ratio(lowest["outline"], _over(COVERAGE_CLASSES[1]["colour"], MAP_BACKGROUND, COVERAGE_FILL_OPACITY)) >= 3.0
    # every buurt has an outline
    assert all(p["stroke"] not in (None, "none") and p["width"] > 0 and p["strokeOpacity"] > 0 for p in paths)


# ------------------------------------------------------------------ polish items (issue 13, item 9)
def test_background_map_says_so_when_offline(town_team):
    """The OpenStreetMap background does not fail silently without internet: a note says why."""
    with Browser(1280, 720) as b:
        b.open(town_team)
        b.eval("Array.from(document.querySelectorAll('.leaflet-control-layers label')).filter(function (l) {"
               "return l.textContent.indexOf('OpenStreetMap') >= 0; })[0].querySelector('input').click()")
        note = b.wait_until("(function () { var n = document.querySelector('.abcd-offline');"
                            "return n ? n.textContent + '|' + n.getAttribute('role') : null; })()")
        assert note.startswith("Achtergrondkaart niet geladen") and note.endswith("|status")
        assert axe_violations(b) == []


def test_search_finds_every_delft_wijk_and_buurt_by_full_name(delft_maps):
    with Browser(1280, 720) as b:
        b.open(delft_maps["publiek"])
        tried, misses = search_misses(b)
        assert tried > 80 and misses == []


def test_osm_popups_are_not_full_of_unknowns(delft_maps):
    """A place from OpenStreetMap shows what is known; no 'Inloop: nee of onbekend' (OSM has no such tag)."""
    with Browser(1280, 720) as b:
        b.open(delft_maps["publiek"])
        name = _search_and_open(b, "plek")
        b.key("Enter")
        text = _popup(b, name)
        assert "OpenStreetMap" in text
        assert "Inloop" not in text and text.count("onbekend") <= 1, text
        b.eval(MAP_JS + ".closePopup(); 0")
