"""The demo map's filters in headless Chromium: time filter colours, the metric a map opens on, counts.

Skipped when Chromium is missing, except on CI (env CI=true), where that fails.
"""

from __future__ import annotations

import json

import pytest

from abcd_map import pipeline

from browser import Browser, require_chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module", autouse=True)
def _need_chromium():
    require_chromium()


def _select(b: Browser, element_id: str, value: str) -> None:
    b.eval(f"var s = document.getElementById({json.dumps(element_id)}); s.value = {json.dumps(value)}; "
           "s.dispatchEvent(new Event('change'))")


def _fills(b: Browser) -> list[str]:
    """Fill of every buurt, in the order of the buurt table."""
    return b.eval("ABCD_DATA.buurten.geo.features.map(function(f){"
                  "return f.properties._layer._path.getAttribute('fill');})")


def _status(b: Browser) -> str:
    return b.eval("document.querySelector('.abcd-status').textContent")


def _class_colour(b: Browser, value: float | None) -> str:
    if value is None:
        return "url(#abcd-hatch)"
    classes = b.eval("ABCD_DATA.classes")
    return next((c["colour"] for c in classes if value <= c["max"]), classes[-1]["colour"])


@pytest.fixture(scope="module")
def demo(demo_build):
    b = Browser()
    b.open(demo_build.out / "kaart.html")
    yield b
    b.close()


def test_time_filter_recolours_buurten_by_places_open_then(demo):
    demo.eval("ABCD.panel('filters', true)")
    _select(demo, "abcd-metric", "dekking_500m")
    before = _fills(demo)
    _select(demo, "abcd-filter-dag", "6")       # zondag
    _select(demo, "abcd-filter-dagdeel", "1")   # middag
    question = demo.eval("document.getElementById('abcd-legend-question').textContent")
    assert question == "Ontmoetingsplekken open op zondagmiddag binnen 500 m"
    assert "onbekende openingstijden tellen niet mee" in demo.eval("document.getElementById('abcd-legend').textContent")
    after = _fills(demo)
    assert after != before
    codes = demo.eval("ABCD_DATA.buurten.table.rows.map(function(r){"
                      "return r[ABCD_DATA.buurten.table.cols.indexOf('buurtcode')];})")
    values = demo.eval("ABCD_DATA.open_coverage.days['6'][2]")
    gegevens = demo.eval("ABCD_DATA.buurten.table.rows.map(function(r){"
                         "return r[ABCD_DATA.buurten.table.cols.indexOf('gegevens')];})")
    for code, fill, known in zip(codes, after, gegevens):
        expected = _class_colour(demo, values.get(code)) if known is not False else "url(#abcd-hatch)"
        assert fill == expected, code
    # the worst-covered buurten get the dark outline of the lowest class
    lowest = demo.eval("ABCD_DATA.classes[0]")
    strokes = demo.eval("ABCD_DATA.buurten.geo.features.map(function(f){"
                        "return f.properties._layer._path.getAttribute('stroke');})")
    assert all((s == lowest["outline"]) == (f == lowest["colour"]) for s, f in zip(strokes, after))
    _select(demo, "abcd-filter-dagdeel", "")    # the whole Sunday
    assert demo.eval("document.getElementById('abcd-legend-question').textContent") \
        == "Ontmoetingsplekken open op zondag binnen 500 m"
    _select(demo, "abcd-filter-dag", "")
    assert _fills(demo) == before
    assert "open op" not in demo.eval("document.getElementById('abcd-legend-question').textContent")
    assert demo.errors() == []


def test_clusters_grey_when_their_places_have_unknown_hours(demo):
    demo.eval("ABCD.panel('filters', true)")
    _select(demo, "abcd-filter-dag", "6")
    _select(demo, "abcd-filter-dagdeel", "1")
    grey = demo.eval("document.querySelectorAll('.abcd-cluster-onbekend').length")
    mixed = demo.eval("document.querySelectorAll('.abcd-cluster-mix').length")
    assert grey + mixed > 0
    titles = demo.eval("Array.from(document.querySelectorAll('.abcd-cluster-onbekend')).map(function(c){return c.title;})")
    assert all("met onbekende openingstijden" in t for t in titles)
    _select(demo, "abcd-filter-dag", "")
    _select(demo, "abcd-filter-dagdeel", "")
    assert demo.eval("document.querySelectorAll('.abcd-cluster-onbekend, .abcd-cluster-mix').length") == 0


def test_counts_follow_the_layers_that_are_on_and_say_why_when_empty(demo):
    demo.eval("ABCD.panel('filters', true)")
    on_map = demo.eval("ABCD.visible().length")
    total = demo.eval("ABCD_DATA.assets.n")
    status = _status(demo)
    assert status == f"{on_map} plekken en mensen"
    assert on_map < total  # the small places (benches ...) and other places are off
    demo.eval("document.getElementById('abcd-filter-inloop').click()")
    assert " van " in _status(demo)  # the team's list knows walk-in places
    demo.eval("document.getElementById('abcd-filter-inloop').click()")
    assert demo.eval("getComputedStyle(document.getElementById('abcd-filter-why')).display") == "none"


@pytest.fixture(scope="module")
def sunday_map(tmp_path_factory):
    out = tmp_path_factory.mktemp("zondag")
    pipeline.build(dag="zondag", dagdeel="middag", out=out)
    b = Browser()
    b.open(out / "kaart.html")
    yield b
    b.close()


def test_map_built_for_a_time_opens_on_that_metric(sunday_map):
    assert sunday_map.eval("ABCD.state.metric") == "open_zondag_middag_dekking_500m"
    assert sunday_map.eval("document.getElementById('abcd-metric').value") == "open_zondag_middag_dekking_500m"
    assert "zondagmiddag" in sunday_map.eval("document.getElementById('abcd-legend-question').textContent")
    assert sunday_map.errors() == []


def test_walk_in_filter_says_why_nothing_shows(tmp_path):
    """A run without the team's list: OSM has no walk-in data, and the map says so instead of '0 van N'."""
    out = tmp_path / "osm"
    from abcd_map.options import DEMO_FILES
    from abcd_map import settings

    pipeline.build(buurten=settings.data_path(DEMO_FILES["buurten"]), osm=settings.data_path(DEMO_FILES["osm"]),
                   wijken_file=settings.data_path(DEMO_FILES["wijken_file"]), out=out)
    with Browser() as b:
        b.open(out / "kaart.html")
        b.eval("ABCD.panel('filters', true)")
        b.eval("document.getElementById('abcd-filter-inloop').click()")
        assert _status(b).startswith("0 van ")
        why = b.eval("document.getElementById('abcd-filter-why').textContent")
        assert why == "OSM kent geen inloop: alleen de eigen lijst zegt of iets inloop is."
        assert b.eval("getComputedStyle(document.getElementById('abcd-filter-why')).display") != "none"
        assert b.errors() == []
