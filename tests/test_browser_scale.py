"""Many assets on the map (issue 13 item 6): compact columns, one clustering index, canvas dots.

The page data tests are quick; the browser tests open a map of 3,000 generated assets in
headless Chromium (skipped without Chromium, failed on CI).
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest

from abcd_map import settings
from abcd_map.render._data import asset_column, asset_rows, decode_column, encode_column
from abcd_map.render.map import render_map, save_map

from browser import Browser, require_chromium

ROWS = 3_000
KINDS = [("plek", "fysieke_ruimte"), ("organisatie", "instellingen"), ("initiatief", "verenigingen"),
         ("organisatie", "economie"), ("plek", "cultuur")]


# ---------------------------------------------------------------- compact columns (no browser)
@pytest.mark.parametrize("values, encoded", [
    ([1.5, 2.25, None], [1.5, 2.25, None]),                                  # plain list
    (["a", "b", "a", "a"], {"k": ["a", "b"], "v": [0, 1, 0, 0]}),             # repeated text: codes
    ([None, None, "x", None, None], {"at": [2], "v": ["x"]}),                  # mostly empty: sparse
    ([True, None, None, True, None, None], {"at": [0, 3], "k": [True], "v": [0, 0]}),
    (["a", None, "b", "a"], {"k": ["a", "b"], "v": [0, -1, 1, 0]}),           # -1: no value
    (["een", "twee", "drie"], ["een", "twee", "drie"]),                       # all different: plain
])
def test_encode_column_and_back(values, encoded):
    assert encode_column(values) == encoded
    assert decode_column(encoded, len(values)) == values


def test_asset_rows_reads_the_compact_table_back():
    table = {"n": 3, "cols": {"latlon": [[52.0, 4.3], [52.1, 4.4], [52.2, 4.5]], "naam": ["A", "B", "C"],
                              "categorie": {"k": ["cultuur"], "v": [0, 0, 0]}, "inloop": {"at": [1], "v": [True]}}}
    assert asset_column(table, "categorie") == ["cultuur"] * 3
    assert asset_column(table, "lon") == [4.3, 4.4, 4.5]
    assert asset_column(table, "bestaat_niet") == []
    assert asset_rows(table) == {"cols": ["lat", "lon", "naam", "categorie", "inloop"],
                                 "rows": [[52.0, 4.3, "A", "cultuur", None], [52.1, 4.4, "B", "cultuur", True],
                                          [52.2, 4.5, "C", "cultuur", None]]}


def test_the_leak_scan_still_finds_a_place_on_the_page(tmp_path):
    """Places travel as [lat, lon] pairs: the leak scan pairs adjacent numbers, so it would see a person's."""
    from abcd_map import leakscan

    from test_map import make_inputs

    d = make_inputs()
    person = d["assets"][d["assets"]["soort"] == "persoon"].iloc[[0]]
    assert len(person) == 1
    save_map(render_map(d["buurten"], d["wijken"], d["assets"], meta=d["meta"], mode="team"), tmp_path / "kaart.html")
    findings = leakscan.leak_scan(tmp_path, person, mode="publiek")
    assert any("kaart.html: coördinaat" in f for f in findings)


# ---------------------------------------------------------------- 3,000 assets in the browser
def _assets(rows: int, seed: int = 5) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    import abcd_map as am

    buurten = am.load_buurten(settings.data_path("demo/buurten.geojson"))
    wijken = am.load_wijken(settings.data_path("demo/wijken.geojson"), buurten)
    rng = np.random.default_rng(seed)
    area = buurten.union_all()
    xmin, ymin, xmax, ymax = area.bounds
    pts = gpd.GeoSeries(gpd.points_from_xy(rng.uniform(xmin, xmax, rows * 2), rng.uniform(ymin, ymax, rows * 2)),
                        crs=settings.crs)
    pts = pts[pts.within(area)].iloc[:rows].reset_index(drop=True)
    kind = np.arange(len(pts)) % len(KINDS)
    assets = gpd.GeoDataFrame({
        "id": [f"G{i:05d}" for i in range(len(pts))],
        "naam": [f"Plek {i}" for i in range(len(pts))],
        "soort": [KINDS[k][0] for k in kind], "categorie": [KINDS[k][1] for k in kind],
        "inloop": np.arange(len(pts)) % 3 == 0,                     # every third: 1,000 walk-in places
        "wanneer": np.where(np.arange(len(pts)) % 2 == 0, "za 10-16", ""),   # half known: Saturday only
        "herkomst": "handmatig", "standaard_zichtbaar": True, "kleine_plek": False,
    }, geometry=pts.to_numpy(), crs=settings.crs)
    return buurten, wijken, assets


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    require_chromium()
    buurten, wijken, assets = _assets(ROWS)
    assert len(assets) == ROWS
    path = save_map(render_map(buurten, wijken, assets, meta={"title": "Veel plekken", "fictief": True}),
                    tmp_path_factory.mktemp("veel") / "kaart.html")
    b = Browser()
    b.open(path, timeout=60)
    b.eval("window.__events = []; ['abcd:filters', 'abcd:popup', 'abcd:popupclose'].forEach(function (n) {"
           "document.addEventListener(n, function (e) { window.__events.push([n, e.detail ? e.detail.i : null]); }); })")
    yield b
    b.close()


# the places drawn now: in clusters (their counts), as markers and as canvas dots
DRAWN = ("(function(){var n = 0, cats = 0; document.querySelectorAll('.abcd-cluster').forEach(function(c){"
         "n += Number(c.textContent); if (c.classList.contains('abcd-cluster-cats')) { cats++; } });"
         "var dots = document.querySelector('canvas.abcd-dots');"
         "return {clustered: n, cats: cats, markers: document.querySelectorAll('.abcd-marker').length,"
         "dots: dots ? Number(dots.getAttribute('data-n')) : 0};})()")


def _overview(b: Browser) -> None:
    b.eval("ABCD.leaflet().closePopup(); ABCD.leaflet().setView(ABCD.leaflet().getCenter(), 12, {animate: false}); 0")


@pytest.mark.browser
@pytest.mark.slow
def test_one_index_clusters_every_category_together(many):
    _overview(many)
    drawn = many.eval(DRAWN)
    # zoomed out, every place of every category sits in a cluster: counted once, no stack per category
    assert drawn["clustered"] + drawn["markers"] + drawn["dots"] == ROWS == many.eval("ABCD.visible().length")
    assert drawn["cats"] >= 1
    pie = many.eval("document.querySelector('.abcd-cluster-cats').style.background")
    assert "conic-gradient" in pie
    title = many.eval("document.querySelector('.abcd-cluster-cats').title")
    assert "plekken:" in title and "cultuur" in title.lower()
    assert many.errors() == []


@pytest.mark.browser
@pytest.mark.slow
def test_filter_changes_the_count_and_the_clusters(many):
    _overview(many)
    many.eval("ABCD.panel('filters', true); window.__events = []")
    many.eval("document.getElementById('abcd-filter-inloop').click()")
    assert many.eval("document.querySelector('.abcd-status').textContent").startswith(f"1000 van {ROWS}")
    assert many.eval("window.__events").count(["abcd:filters", None]) == 1
    assert many.eval("ABCD.visible().length") == 1000
    assert all(a["inloop"] is True for a in many.eval("ABCD.visible().slice(0, 50)"))
    drawn = many.eval(DRAWN)
    assert drawn["clustered"] + drawn["markers"] + drawn["dots"] == 1000
    many.eval("document.getElementById('abcd-filter-inloop').click()")
    # Saturday: half the places are open, the other half have unknown hours and are shown grey
    many.eval("var s = document.getElementById('abcd-filter-dag'); s.value = '5'; s.dispatchEvent(new Event('change'))")
    assert many.eval("document.querySelector('.abcd-status').textContent") == \
        f"{ROWS} plekken en mensen, waarvan 1500 grijs: openingstijden onbekend"
    assert many.eval("document.querySelectorAll('.abcd-cluster-mix').length") >= 1
    many.eval("var s = document.getElementById('abcd-filter-dag'); s.value = ''; s.dispatchEvent(new Event('change'))")
    assert many.eval("document.querySelectorAll('.abcd-cluster-mix, .abcd-cluster-onbekend').length") == 0
    assert many.errors() == []


@pytest.mark.browser
@pytest.mark.slow
def test_search_hit_opens_its_popup_and_tells_the_page(many):
    _overview(many)
    many.eval("window.__events = []; var s = document.getElementById('abcd-search'); s.focus(); "
              "s.value = 'Plek 2345'; s.dispatchEvent(new Event('input'))")
    many.eval("Array.from(document.querySelectorAll('#abcd-results [role=option]')).filter(function(li){"
              "return li.querySelector('.abcd-hit-name').textContent === 'Plek 2345';})[0].click()")
    popup = many.wait_until("(function(){var p = document.querySelector('.leaflet-popup-content');"
                            "return p && p.textContent.indexOf('Plek 2345') >= 0 ? p.textContent : null;})()")
    assert "Fysieke ruimte" in popup   # 2345 % 5 == 0: KINDS[0]
    assert ["abcd:popup", 2345] in many.eval("window.__events")
    assert many.eval("ABCD.leaflet().getZoom()") >= 17
    many.key("Escape")
    assert ["abcd:popupclose", 2345] in many.eval("window.__events")
    assert many.errors() == []


@pytest.mark.browser
@pytest.mark.slow
def test_single_points_are_canvas_dots_that_open_their_popup(many):
    many.eval("ABCD.openAsset(100)")
    many.wait_until("!!document.querySelector('.leaflet-popup-content')")
    many.eval("ABCD.leaflet().closePopup(); window.__events = []")
    # more than 2,000 places: single points are dots on one canvas, not a marker each
    assert many.eval("getComputedStyle(document.querySelector('canvas.abcd-dots')).display") != "none"
    assert many.eval("document.querySelectorAll('.abcd-marker').length") == 0
    xy = many.eval("(function(){var a = ABCD.visible()[100], m = ABCD.leaflet(), r = m.getContainer().getBoundingClientRect();"
                   "var p = m.latLngToContainerPoint([a.lat, a.lon]); return [p.x + r.left, p.y + r.top];})()")
    many.mouse("mouseMoved", xy[0] - 30, xy[1] - 30)
    many.mouse("mouseMoved", *xy)
    tip = many.wait_until("(function(){var t = Array.from(document.querySelectorAll('.leaflet-tooltip')).filter("
                          "function(t){ return t.textContent.indexOf('Plek 100') === 0; })[0];"
                          "return t ? t.textContent : null;})()")
    assert "Fysieke ruimte" in tip
    # not its buurt's as well (a closed tooltip fades out for 0.2 s)
    many.wait_until("Array.from(document.querySelectorAll('.leaflet-tooltip')).filter(function(t){"
                    "return t.style.opacity !== '0'; }).length === 1")
    many.click(*xy)
    many.wait_until("window.__events.some(function(e){ return e[0] === 'abcd:popup'; })")
    opened = [e[1] for e in many.eval("window.__events") if e[0] == "abcd:popup"]
    assert opened == [100]   # the nearest dot within 9 px: itself (3,000 places: no other that close)
    many.wait_until("Array.from(document.querySelectorAll('.leaflet-popup-content')).some(function(p){"
                    "return p.textContent.indexOf('Plek 100') === 0; })")
    assert many.errors() == []


@pytest.mark.browser
@pytest.mark.slow
def test_category_label_and_leaflet_members(many):
    assert many.eval("ABCD.categoryLabel('cultuur')") == "Cultuur en verhalen"
    assert many.eval("typeof ABCD.leaflet().getBounds") == "function"
    row = many.eval("ABCD.visible()[7]")
    assert row["_i"] == 7 and row["naam"] == "Plek 7" and row["categorie"] == KINDS[7 % 5][1]
    assert isinstance(row["lat"], float) and isinstance(row["lon"], float)


@pytest.mark.slow
def test_file_stays_small():
    buurten, wijken, assets = _assets(ROWS)
    from abcd_map.render.map import map_html

    html = map_html(render_map(buurten, wijken, assets, meta={"title": "Veel plekken"}))
    data = json.loads(html.split('id="abcd-data">', 1)[1].split("</script>", 1)[0])
    assert data["assets"]["n"] == ROWS
    assert data["assets"]["cols"]["categorie"]["k"] == [c for _, c in KINDS]   # codes, not 3,000 texts
    assert len(html.encode()) < 300_000 + 120 * ROWS


@pytest.fixture(scope="module")
def same_spot(tmp_path_factory):
    """A small map: three places at the very same spot (one building), one elsewhere."""
    require_chromium()
    buurten, wijken, assets = _assets(4)
    assets = assets.set_geometry([assets.geometry.iloc[0]] * 3 + [assets.geometry.iloc[3]])
    path = save_map(render_map(buurten, wijken, assets, meta={"title": "Eén gebouw"}),
                    tmp_path_factory.mktemp("gebouw") / "kaart.html")
    b = Browser()
    b.open(path, timeout=60)
    yield b
    b.close()


@pytest.mark.browser
@pytest.mark.slow
def test_places_at_one_spot_spread_out_and_open_by_keyboard(same_spot):
    b = same_spot
    b.eval("ABCD.openAsset(1); 0")
    b.wait_until("!!document.querySelector('.leaflet-popup-content')")
    b.eval("ABCD.leaflet().closePopup(); 0")
    # few places: focusable markers with a name, not canvas dots; the three at one spot drawn apart
    spots = b.eval("Array.from(document.querySelectorAll('.abcd-marker')).map(function(m){"
                   "var r = m.getBoundingClientRect(); return [m.getAttribute('aria-label'), Math.round(r.x), Math.round(r.y)];})")
    same = [s for s in spots if s[0] in {f"Plek {i} ({c})" for i, c in ((0, "Fysieke ruimte"), (1, "Instellingen"),
                                                                          (2, "Verenigingen en initiatieven"))}]
    assert len(same) == 3
    assert len({(x, y) for _, x, y in same}) == 3
    b.eval("Array.from(document.querySelectorAll('.abcd-marker')).filter(function(m){"
           "return m.getAttribute('aria-label').indexOf('Plek 2 ') === 0;})[0].focus()")
    b.key("Enter")
    popup = b.wait_until("(function(){var p = document.querySelector('.leaflet-popup-content');"
                         "return p && p.textContent.indexOf('Plek 2') === 0 ? p.textContent : null;})()")
    assert "Verenigingen en initiatieven" in popup
    assert b.errors() == []


@pytest.mark.browser
@pytest.mark.slow
def test_a_layer_switched_off_leaves_the_one_index(many):
    _overview(many)
    toggle = ("Array.from(document.querySelectorAll('.leaflet-control-layers label')).filter(function(l){"
              "return l.textContent.indexOf('Cultuur') >= 0;})[0].querySelector('input').click()")
    many.eval(toggle)
    assert many.eval("ABCD.visible().length") == ROWS - ROWS // 5
    drawn = many.eval(DRAWN)
    assert drawn["clustered"] + drawn["markers"] + drawn["dots"] == ROWS - ROWS // 5
    titles = many.eval("Array.from(document.querySelectorAll('.abcd-cluster')).map(function(c){ return c.title; })")
    assert titles and not any("cultuur" in t for t in titles)
    many.eval(toggle)
    assert many.eval("ABCD.visible().length") == ROWS
    assert many.errors() == []
