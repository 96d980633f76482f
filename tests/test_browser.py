"""The HTML map in headless Chromium over file:// without network.

Skipped when Chromium is missing, except on CI (env CI=true), where that fails.
"""

from __future__ import annotations

import json
import os
import time

import pytest

from abcd_map.render.map import render_map, save_map

from browser import Browser, find_chromium
from test_map import HOSTILE, make_inputs

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module", autouse=True)
def _need_chromium():
    if find_chromium() is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("chromium ontbreekt op CI: installeer het pakket 'chromium'")
        pytest.skip("chromium ontbreekt (/usr/bin/chromium): browsertests overgeslagen")


def _save(tmp_path, hostile: bool, name: str):
    d = make_inputs(hostile)
    m = render_map(d["buurten"], d["wijken"], d["assets"], gaps=d["gaps"], relations=d["relations"],
                   meta=d["meta"])
    return save_map(m, tmp_path / name)


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
    demo.eval("document.querySelector('#abcd-results button').click()")
    popup = demo.wait_until(
        "(function(){var p = document.querySelector('.leaflet-popup-content'); "
        "return p && p.textContent.indexOf('Buurthuis De Linde') >= 0 ? p.textContent : null;})()")
    assert "Voor wie" in popup and "Ouders" in popup and "woensdag" in popup
    assert "lang geleden" in popup


def test_filters_hide_markers(demo):
    demo.eval("document.querySelector('.abcd-filters details').open = true")
    total = demo.eval("document.querySelector('.abcd-status').textContent")
    assert total.startswith("7 ")  # includes the bench in the (hidden) 'kleine plekken' layer
    demo.eval("var c = document.getElementById('abcd-filter-inloop'); c.click()")
    status = demo.eval("document.querySelector('.abcd-status').textContent")
    assert status.startswith("4 van 7")  # Linde, Klimrek, Verhalenkring, bankje
    demo.eval("document.getElementById('abcd-filter-inloop').click()")
    demo.eval("var s = document.getElementById('abcd-filter-dag'); s.value = '5'; s.dispatchEvent(new Event('change'))")
    assert demo.eval("document.querySelector('.abcd-status').textContent").startswith("2 van")  # 24/7 + zaterdag
    demo.eval("var s = document.getElementById('abcd-filter-dag'); s.value = ''; s.dispatchEvent(new Event('change'))")
    demo.eval("var s = document.getElementById('abcd-filter-doelgroep'); s.value = 'senioren'; s.dispatchEvent(new Event('change'))")
    # senioren: Linde, Verhalenkring, Jan; 'iedereen': the choir
    assert demo.eval("document.querySelector('.abcd-status').textContent").startswith("4 van")
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
            b.eval("Array.from(document.querySelectorAll('#abcd-results button')).forEach(function(x){x.click();})")
            time.sleep(0.3)
        b.eval("Array.from(document.getElementById('abcd-metric').options).forEach(function(o){"
               "var s = document.getElementById('abcd-metric'); s.value = o.value; s.dispatchEvent(new Event('change'));})")
        b.eval("document.querySelector('.abcd-filters details').open = true")
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
