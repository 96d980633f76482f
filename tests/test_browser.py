"""The HTML map in headless Chromium over file:// without network.

Skipped when Chromium is missing, except on CI (env CI=true), where that fails.
"""

from __future__ import annotations

import json
import time

import pytest

from abcd_map.render.map import draw_map, save_map

from browser import Browser, require_chromium
from test_map import HOSTILE, make_inputs

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module", autouse=True)
def _need_chromium():
    require_chromium()


def _save(tmp_path, hostile: bool, name: str):
    d = make_inputs(hostile)
    # team: the test town's person has days ('za') for the time filter; publiek shows a person without them
    m = draw_map(d["buurten"], d["wijken"], d["assets"], gaps=d["gaps"], relations=d["relations"],
                 welcoming=d["welcoming"], meta=d["meta"], mode="team")
    return save_map(m, tmp_path / name)


MAP_JS = "window[Object.keys(window).filter(function(k){return k.indexOf('map_')===0;})[0]]"


def _status(b: Browser) -> str:
    return b.eval("document.querySelector('.abcd-status').textContent")


def _select(b: Browser, element_id: str, value: str) -> None:
    b.eval(f"var s = document.getElementById({json.dumps(element_id)}); s.value = {json.dumps(value)}; "
           "s.dispatchEvent(new Event('change'))")


def _toggle_layer(b: Browser, text: str) -> None:
    b.eval("Array.from(document.querySelectorAll('.leaflet-control-layers label')).filter(function(l){"
           f"return l.textContent.indexOf({json.dumps(text)}) >= 0;}})[0].querySelector('input').click()")


def _centre(b: Browser, selector: str) -> tuple[float, float]:
    r = b.eval(f"JSON.stringify(document.querySelector({json.dumps(selector)}).getBoundingClientRect())")
    r = json.loads(r)
    return r["x"] + r["width"] / 2, r["y"] + r["height"] / 2


def _buurt_point(b: Browser, index: int) -> tuple[float, float]:
    """Screen point inside buurt ``index`` (from Leaflet's own projection)."""
    xy = b.eval(
        "(function(){var m = window[Object.keys(window).filter(function(k){return k.indexOf('map_')===0;})[0]];"
        f"var f = ABCD_DATA.buurten.geo.features[{index}]; var c = f.geometry.coordinates[0];"
        "var lat = (c[0][1] + c[2][1]) / 2, lon = (c[0][0] + c[2][0]) / 2;"
        "var p = m.latLngToContainerPoint([lat * 0.7 + c[0][1] * 0.3, lon]);"
        "var r = m.getContainer().getBoundingClientRect(); return [p.x + r.left, p.y + r.top];})()")
    return xy[0], xy[1]


def _search(b: Browser, text: str) -> list[str]:
    b.eval("document.getElementById('abcd-search').focus()")
    b.eval("document.getElementById('abcd-search').value = ''")
    b.type_text(text)
    b.wait_until("document.querySelectorAll('#abcd-results li').length > 0")
    return b.eval("Array.from(document.querySelectorAll('#abcd-results li')).map(function(x){return x.textContent;})")


def _pick(b: Browser, text: str) -> None:
    """Click the first search hit whose text contains ``text``."""
    b.eval("Array.from(document.querySelectorAll('#abcd-results [role=option]')).filter(function(x){"
           f"return x.textContent.indexOf({json.dumps(text)}) >= 0;}})[0].click()")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = _save(tmp_path_factory.mktemp("kaart"), False, "kaart.html")
    b = Browser()
    b.open(path)
    yield b
    b.close()


def test_opens_without_errors(demo):
    assert demo.errors() == []
    assert demo.eval("typeof L") == "object"


def test_layers_and_controls_exist(demo):
    labels = demo.eval("Array.from(document.querySelectorAll('.leaflet-control-layers label')).map(function(x){return x.textContent.trim();})")
    text = " | ".join(labels)
    for expected in ["Buurten (kleur: dekking)", "Wijkgrenzen en wijknamen", "Instellingen", "Witte vlekken",
                     "Kleine plekken"]:
        assert expected in text
    assert demo.eval("document.querySelectorAll('path.leaflet-interactive').length") >= 4
    assert demo.eval("document.querySelectorAll('.abcd-pin, .abcd-cluster').length") >= 1
    assert demo.eval("document.getElementById('abcd-fictief').textContent") == "FICTIEF"
    legend = demo.eval("document.getElementById('abcd-legend').textContent")
    assert "weinig inwoners binnen loopafstand" in legend and "geen gegevens" in legend


def test_hover_shows_tooltip_and_click_opens_popup(demo):
    x, y = _buurt_point(demo, 1)
    demo.mouse("mouseMoved", x - 3, y - 3)
    demo.mouse("mouseMoved", x, y)
    tip = demo.wait_until("(document.querySelector('.leaflet-tooltip') || {}).textContent")
    assert "Zuidhof" in tip
    demo.click(x, y)
    popup = demo.wait_until("(document.querySelector('.leaflet-popup-content') || {}).textContent")
    assert "Zuidhof" in popup and "Inwoners" in popup


def test_metric_switch_restyles(demo):
    before = demo.eval("Array.from(document.querySelectorAll('path.leaflet-interactive')).map(function(p){return p.getAttribute('fill');}).join()")
    demo.eval("var s = document.getElementById('abcd-metric'); s.value = 'instellingen_dekking_500m'; s.dispatchEvent(new Event('change'))")
    after = demo.eval("Array.from(document.querySelectorAll('path.leaflet-interactive')).map(function(p){return p.getAttribute('fill');}).join()")
    assert before != after
    assert "url(#abcd-hatch)" in after  # the buurt without OSM data
    assert "instellingen" in demo.eval("document.getElementById('abcd-legend').textContent")


def test_search_finds_asset_and_opens_popup(demo):
    hits = _search(demo, "linde")
    assert any("Buurthuis De Linde" in h for h in hits)
    _pick(demo, "Buurthuis De Linde")
    popup = demo.wait_until(
        "(function(){var p = document.querySelector('.leaflet-popup-content'); "
        "return p && p.textContent.indexOf('Buurthuis De Linde') >= 0 ? p.textContent : null;})()")
    assert "Voor wie" in popup and "Ouders" in popup and "woensdag" in popup
    assert "lang geleden" in popup


def test_filters_hide_markers(demo):
    demo.eval("ABCD.panel('filters', true)")
    total = _status(demo)
    assert total == "6 plekken en mensen"  # not the bench: the 'kleine plekken' layer is off
    demo.eval("var c = document.getElementById('abcd-filter-inloop'); c.click()")
    assert _status(demo).startswith("3 van 6")  # Linde, Klimrek, Verhalenkring
    demo.eval("document.getElementById('abcd-filter-inloop').click()")
    assert demo.eval("getComputedStyle(document.getElementById('abcd-filter-doelgroep-hint')).display") == "none"
    _select(demo, "abcd-filter-doelgroep", "senioren")
    # senioren: Linde, Verhalenkring, Jan; 'iedereen': the choir; no target group (for everyone): the bakery
    assert _status(demo).startswith("5 van 6")
    assert demo.eval("getComputedStyle(document.getElementById('abcd-filter-doelgroep-hint')).display") != "none"
    assert "ook plekken zonder doelgroep: die zijn voor iedereen" in demo.eval(
        "document.getElementById('abcd-filter-doelgroep-hint').textContent")
    _select(demo, "abcd-filter-doelgroep", "")
    _toggle_layer(demo, "Kleine plekken")  # switched on, the bench counts
    assert _status(demo) == "7 plekken en mensen"
    _toggle_layer(demo, "Kleine plekken")
    assert _status(demo) == "6 plekken en mensen"
    assert demo.errors() == []


def test_time_filter_keeps_unknown_hours_visible(demo):
    """Unknown opening hours are never silently hidden: shown grey unless the user unticks them."""
    demo.eval("ABCD.panel('filters', true)")
    assert demo.eval("document.getElementById('abcd-filter-onbekend').checked") is True
    assert demo.eval("getComputedStyle(document.querySelector('.abcd-filter-key')).display") == "none"
    _select(demo, "abcd-filter-dag", "5")  # zaterdag: Klimrek (24/7), Jan (za); unknown: bakkerij (bankje: layer off)
    assert _status(demo) == "3 van 6 zichtbaar, waarvan 1 grijs: openingstijden onbekend"
    assert demo.eval("getComputedStyle(document.querySelector('.abcd-filter-key')).display") != "none"
    # the bakery's marker is grey; the bench sits in the hidden 'kleine plekken' layer
    grey = demo.eval("(function(){var out = []; " + MAP_JS + ".eachLayer(function(l){"
                     "if (l._abcd && l.options.icon.options.className.indexOf('abcd-marker-onbekend') >= 0)"
                     "{ out.push(l._abcd.naam); } }); return out;})()")
    assert grey == ["Bakkerij Brood & Zo"]
    demo.eval("document.getElementById('abcd-filter-onbekend').click()")
    assert _status(demo) == "2 van 6 zichtbaar"
    demo.eval("document.getElementById('abcd-filter-onbekend').click()")
    # part of the day without a day: open some evening = Klimrek, Verhalenkring (ma t/m vr), Jan (za)
    _select(demo, "abcd-filter-dag", "")
    _select(demo, "abcd-filter-dagdeel", "2")
    assert _status(demo).startswith("4 van 6")
    # woensdagochtend: Linde (10-12), koor (9-17), Klimrek, Verhalenkring + 2 unknown
    _select(demo, "abcd-filter-dag", "2")
    _select(demo, "abcd-filter-dagdeel", "0")
    assert _status(demo) == "5 van 6 zichtbaar, waarvan 1 grijs: openingstijden onbekend"
    _select(demo, "abcd-filter-dagdeel", "2")  # woensdagavond: Klimrek, Verhalenkring
    demo.eval("document.getElementById('abcd-filter-onbekend').click()")
    assert _status(demo) == "2 van 6 zichtbaar"
    demo.eval("document.getElementById('abcd-filter-onbekend').click()")
    _select(demo, "abcd-filter-dag", "")
    _select(demo, "abcd-filter-dagdeel", "")
    assert _status(demo) == "6 plekken en mensen"
    assert demo.eval("document.querySelectorAll('.abcd-marker-onbekend .abcd-pin').length") == 1  # only the key
    assert demo.errors() == []


def test_unknown_hours_in_popup(demo):
    hits = _search(demo, "bakkerij")
    assert any("Bakkerij" in h for h in hits)
    _pick(demo, "Bakkerij")
    popup = demo.wait_until(
        "(function(){var p = document.querySelector('.leaflet-popup-content'); "
        "return p && p.textContent.indexOf('Bakkerij') >= 0 ? p.textContent : null;})()")
    assert "openingstijden onbekend" in popup


def test_welcoming_stage_layer(demo):
    # the whole area in view again (a search in an earlier test zoomed in to one place)
    demo.eval(MAP_JS + ".closePopup(); " + MAP_JS + ".fitBounds(ABCD_DATA.bounds, "
              "{paddingTopLeft: [340, 10], paddingBottomRight: [340, 10], animate: false}); 0")
    time.sleep(0.3)
    assert demo.eval("document.querySelectorAll('.leaflet-abcdStages-pane path').length") == 0  # off by default
    assert demo.eval("getComputedStyle(document.getElementById('abcd-stage-legend')).display") == "none"
    _toggle_layer(demo, "Gastvrijheid (kwartiermaken)")
    # three stage dots and two dashed rings (stale contact: the choir, and the bakery without any contact)
    assert demo.eval("document.querySelectorAll('.leaflet-abcdStages-pane path').length") == 5
    assert demo.eval("document.querySelectorAll('.leaflet-abcdStages-pane path[stroke-dasharray]').length") == 2
    legend = demo.eval("document.getElementById('abcd-stage-legend').innerText")
    for word in ["Onbekend", "Benaderd", "In gesprek", "Getraind", "Ontvangend", "contact ouder dan 12 maanden"]:
        assert word in legend
    assert demo.eval("getComputedStyle(document.getElementById('abcd-stage-legend')).display") != "none"
    xy = demo.eval("(function(){var m = " + MAP_JS + "; var t = ABCD_DATA.welcoming.table;"
                   "var r = t.rows.filter(function(x){return x[t.cols.indexOf('naam')] === 'Koor Zingende Buren';})[0];"
                   "var p = m.latLngToContainerPoint([r[t.cols.indexOf('lat')], r[t.cols.indexOf('lon')]]);"
                   "var c = m.getContainer().getBoundingClientRect(); return [p.x + c.left, p.y + c.top];})()")
    demo.eval(MAP_JS + ".closePopup(); 0")
    # the stage is a disc under the place's pin: its rim opens the stage, the pin its place
    demo.click(xy[0] + 18, xy[1])
    popup = demo.wait_until(
        "(function(){var p = document.querySelector('.leaflet-popup-content'); "
        "return p && p.textContent.indexOf('Maanden geleden') >= 0 ? p.textContent : null;})()")
    assert "Koor Zingende Buren" in popup and "In gesprek" in popup and "15-06-2023" in popup
    assert "20 maanden" in popup and "contact ouder dan 12 maanden" in popup
    demo.eval(MAP_JS + ".closePopup(); 0")
    _toggle_layer(demo, "Relaties tussen plekken en mensen")
    assert "Verwijst naar" in demo.eval("document.getElementById('abcd-relation-legend').innerText")
    # with both overlays on, the layer list and the legend do not overlap
    gap = demo.eval("document.getElementById('abcd-legend').getBoundingClientRect().top - "
                    "document.querySelector('.leaflet-control-layers').getBoundingClientRect().bottom")
    assert gap >= 0
    _toggle_layer(demo, "Relaties tussen plekken en mensen")
    _toggle_layer(demo, "Gastvrijheid (kwartiermaken)")
    assert demo.eval("getComputedStyle(document.getElementById('abcd-stage-legend')).display") == "none"
    assert demo.errors() == []


def test_hostile_names_do_not_run(tmp_path):
    path = _save(tmp_path, True, "vijandig.html")
    with Browser() as b:
        b.open(path)
        # hover and click every buurt, open every search hit, switch every metric
        for i in range(4):
            x, y = _buurt_point(b, i)
            b.mouse("mouseMoved", x, y)
            time.sleep(0.05)
            b.click(x, y)
            time.sleep(0.05)
        for q in ["window", "Blommetje", "Gravenhage", "7*7"]:
            _search(b, q)
            b.eval("Array.from(document.querySelectorAll('#abcd-results [role=option]')).forEach(function(x){x.click();})")
            time.sleep(0.3)
        b.eval("Array.from(document.getElementById('abcd-metric').options).forEach(function(o){"
               "var s = document.getElementById('abcd-metric'); s.value = o.value; s.dispatchEvent(new Event('change'));})")
        b.eval("ABCD.panel('filters', true)")
        # the welcoming-stage layer: hover and click every dot
        _toggle_layer(b, "Gastvrijheid")
        dots = b.eval("(function(){var m = " + MAP_JS + "; var t = ABCD_DATA.welcoming.table;"
                      "var c = m.getContainer().getBoundingClientRect();"
                      "return t.rows.map(function(r){var p = m.latLngToContainerPoint([r[t.cols.indexOf('lat')],"
                      " r[t.cols.indexOf('lon')]]); return [p.x + c.left, p.y + c.top];});})()")
        for x, y in dots:
            b.mouse("mouseMoved", x, y)
            time.sleep(0.05)
            b.click(x, y)
            time.sleep(0.05)
        assert "Gastvrijheid" in b.eval("document.body.innerText")
        time.sleep(0.3)
        assert b.eval("typeof window.__xss") == "undefined"
        body = b.eval("document.body.innerText")
        assert HOSTILE[1] in body          # the title shows literally
        assert "'s-Gravenhage" in body or "Gravenhage" in b.eval("document.documentElement.textContent")
        assert b.eval("document.querySelectorAll('img[src=\"x\"], svg[onload]').length") == 0
        assert [e for e in b.errors() if "exception" in e] == []
        shot = b.screenshot(tmp_path / "vijandig.png")
        assert shot.stat().st_size > 10_000


def test_screenshot(demo, tmp_path):
    shot = demo.screenshot(tmp_path / "kaart.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000
