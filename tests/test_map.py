"""The HTML map without a browser: offline assets, Dutch layers, escaping, simplification, size.

These tests draw hand-made tables with `draw_map` (what a Publication's tables are drawn with);
the privacy gate in front of the public `render_map` is tested in tests/test_publication.py.
"""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Point, box

from abcd_map import schema, settings
from abcd_map.render import map as mapmod
from abcd_map.render.escape import escape_html, to_js
from abcd_map.render.map import (day_names, map_html, metric_label, opening_masks, draw_map, save_map,
                                 simplify_areas)
from abcd_map.render._data import asset_rows

CRS = "EPSG:28992"
X0, Y0 = 84000.0, 446000.0  # Delft, RD New

HOSTILE = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    "<svg onload=window.__xss=1>",
    "${window.__xss=1}",
    "`;window.__xss=1;`",
    "\\\";window.__xss=1;//",
    "'t Blommetje",
    "'s-Gravenhage",
    "{{ 7*7 }} {% if 1 %}jinja{% endif %}",
    "--></script><!--",
]


def make_inputs(hostile: bool = False, n_extra_assets: int = 0) -> dict:
    """Four buurten in two wijken (600 m squares), assets, gaps and a relation.

    With ``hostile=True`` every name is an attack string from HOSTILE.
    """
    h = (lambda i, normal: HOSTILE[i % len(HOSTILE)]) if hostile else (lambda i, normal: normal)
    s = 600.0
    cells = [(0, 0), (1, 0), (0, 1), (1, 1)]
    buurten = gpd.GeoDataFrame(
        {
            "buurtcode": ["BU01", "BU02", "BU03", "BU04"],
            "buurtnaam": [h(0, "Noordhof"), h(1, "Zuidhof"), h(2, "'t Blommetje"), h(3, "Oosthoek")],
            "wijkcode": ["WK01", "WK01", "WK02", "WK02"],
            "inwoners": [1200.0, 800.0, np.nan, 450.0],
            "gegevens": ["ok", "ok", "ok", "geen OSM-gegevens"],
            "dekking_500m": [12.0, 40.0, 88.5, np.nan],
            "instellingen_dekking_500m": [60.0, 70.0, 20.0, np.nan],
            "senioren_dekking_300m": [5.0, 30.0, 55.0, np.nan],
            "aantal_instellingen": [2, 1, 0, 0],
            "personen": ["< 5", "7", "< 5", ""],
            "geometry": [box(X0 + i * s, Y0 + j * s, X0 + (i + 1) * s, Y0 + (j + 1) * s) for i, j in cells],
        },
        crs=CRS,
    )
    wijken = gpd.GeoDataFrame(
        {
            "wijkcode": ["WK01", "WK02"],
            "wijknaam": [h(4, "Wijk Zuid"), h(5, "'s-Gravenhage Noord")],
            "inwoners": [2000.0, 450.0],
            "dekking_500m": [26.0, 88.5],
            "geometry": [box(X0, Y0, X0 + 2 * s, Y0 + s), box(X0, Y0 + s, X0 + 2 * s, Y0 + 2 * s)],
        },
        crs=CRS,
    )
    rows = [
        ("A01", h(6, "Buurthuis De Linde"), "plek", "instellingen", "buurthuis", "ouders; senioren", True,
         "elke woensdag 10-12", "", True),
        ("A02", h(7, "Koor Zingende Buren"), "initiatief", "verenigingen", "koor", "iedereen", False,
         "", "Mo-Fr 09:00-17:00", True),
        ("A03", h(8, "Speeltuin Het Klimrek"), "openbare_ruimte", "fysieke_ruimte", "speeltuin", "kinderen",
         True, "", "24/7", True),
        ("A04", h(9, "Bakkerij Brood & Zo"), "organisatie", "economie", "winkel", "", False, "", "", True),
        ("A05", h(0, "Verhalenkring"), "initiatief", "cultuur", "verhalen", "senioren; ggz", True,
         "ma t/m vr", "", True),
        ("A06", h(1, "Bankje bij de vijver"), "openbare_ruimte", "fysieke_ruimte", "bankje", "", True, "", "", False),
        ("A07", h(2, "Jan de Klusser"), "persoon", "individuen", "klusser", "senioren", False, "za", "", True),
    ]
    for k in range(n_extra_assets):
        rows.append((f"X{k:04d}", f"Plek nummer {k}", "plek", schema.codes("categorie")[k % 6], "plek",
                     "iedereen", bool(k % 2), "", "Sa-Su", True))
    rng = np.random.default_rng(1)
    pts = [Point(X0 + 150 + 180 * (i % 6), Y0 + 150 + 170 * ((i // 6) % 6)) for i in range(7)]
    pts += [Point(X0 + rng.uniform(10, 1190), Y0 + rng.uniform(10, 1190)) for _ in range(n_extra_assets)]
    cols = ["id", "naam", "soort", "categorie", "label", "doelgroepen", "inloop", "wanneer", "openingstijden",
            "standaard_zichtbaar"]
    assets = gpd.GeoDataFrame(pd.DataFrame(rows, columns=cols), geometry=pts, crs=CRS)
    assets["omschrijving"] = h(3, "Koffie & een praatje") if hostile else "Koffie & een praatje"
    assets["beheerder"] = h(4, "Stichting Welzijn")
    assets["website"] = ["https://example.org/linde", "javascript:window.__xss=1", "", "", "", "", ""] + \
        [""] * n_extra_assets
    assets["fase"] = "ontvangend"
    assets["laatste_contact"] = pd.to_datetime(["2020-01-15"] * len(assets))
    assets["bron"] = h(5, "Wijkteam")
    assets["herkomst"] = "handmatig"
    witte = gpd.GeoDataFrame({"buurtcode": ["BU01"], "buurtnaam": [h(6, "Noordhof")],
                              "inwoners_geschat": [140.0]},
                             geometry=[box(X0 + 20, Y0 + 20, X0 + 200, Y0 + 200)], crs=CRS)
    kennis = gpd.GeoDataFrame({"buurtcode": ["BU04"], "buurtnaam": [h(7, "Oosthoek")],
                               "reden": [h(8, "geen OSM-gegevens en geen contact")]},
                              geometry=[box(X0 + s, Y0 + s, X0 + 2 * s, Y0 + 2 * s)], crs=CRS)
    relations = gpd.GeoDataFrame({"van_naam": [h(9, "Buurthuis De Linde")], "naar_naam": [h(0, "Koor")],
                                  "relatie": ["verwijst_naar"]},
                                 geometry=[LineString([pts[0], pts[1]])], crs=CRS)
    # welcoming stages (kwartiermaken), as abcd_map.welcoming.welcoming_table + geometry
    welcoming = gpd.GeoDataFrame(
        {"id": ["A01", "A02", "A04"], "naam": [h(6, "Buurthuis De Linde"), h(7, "Koor Zingende Buren"),
                                                h(9, "Bakkerij Brood & Zo")],
         "soort": ["plek", "initiatief", "organisatie"], "categorie": ["instellingen", "verenigingen", "economie"],
         "beheerder": [h(4, "Stichting Welzijn"), "", ""],
         "fase": ["ontvangend", "in_gesprek", "onbekend"],
         "fase_label": ["Ontvangend", "In gesprek", "Onbekend"],
         "laatste_contact": pd.to_datetime(["2025-02-01", "2023-06-15", None]),
         "maanden_sinds_contact": pd.array([1, 20, None], dtype="Int64"),
         "contact_verouderd": [False, True, True]},
        geometry=[pts[0], pts[1], pts[3]], crs=CRS)
    meta = {
        "title": h(1, "ABCD-kaart Lindewaarde (fictief)"),
        "gebied": h(2, "Lindewaarde"),
        "datum": "1 maart 2025",
        "bronnen": ["CBS Wijk- en Buurtkaart 2015 (CC BY 4.0)", "© OpenStreetMap-bijdragers (ODbL)",
                    h(3, "Wijkteam")],
        "fictief": True,
        "afstand": 500,
        "notes": [h(4, "Voorbeeldkaart")],
    }
    return {"buurten": buurten, "wijken": wijken, "assets": assets,
            "gaps": {"witte_vlekken": witte, "kennisgaten": kennis}, "relations": relations,
            "welcoming": welcoming, "meta": meta}


def build(hostile: bool = False, mode: str = "publiek", **kw) -> str:
    d = make_inputs(hostile, **kw)
    m = draw_map(d["buurten"], d["wijken"], d["assets"], gaps=d["gaps"], relations=d["relations"],
                 welcoming=d["welcoming"], meta=d["meta"], mode=mode)
    return map_html(m)


def page_data(html: str) -> dict:
    """The JSON data object embedded in the page."""
    m = re.search(r'<script type="application/json" id="abcd-data">(.*?)</script>', html, re.S)
    assert m, "data blok ontbreekt"
    data = json.loads(m.group(1))
    data["assets"] = asset_rows(data["assets"])  # compact columns -> {"cols", "rows"}
    return data


@pytest.fixture(scope="module")
def html() -> str:
    return build()


@pytest.fixture(scope="module")
def hostile_html() -> str:
    return build(hostile=True)


# ---------------------------------------------------------------- offline, trimmed
def test_no_external_scripts_or_styles(html):
    low = html.lower()
    assert '<script src="http' not in low and "<script src='http" not in low
    assert '<link href="http' not in low and 'rel="stylesheet" href="http' not in low
    assert not re.search(r"<(script|link)[^>]+(src|href)=[\"']?(https?:)?//", low)
    assert "@import" not in low


def test_default_assets_trimmed(html):
    assert "jQuery" not in html and "jquery" not in html.lower().replace("jquery-", "")
    assert "bootstrap" not in html.lower()
    assert "font-awesome" not in html.lower() and "fontawesome" not in html.lower()
    assert "Supercluster" in html and "markerClusterGroup" not in html  # one index for all categories
    assert len(html.encode()) < 400_000


def test_fictief_badge(html):
    data = page_data(html)
    assert data["meta"]["fictief"] is True
    assert "FICTIEF" in mapmod._asset_text("map.js")
    d = make_inputs()
    d["meta"]["fictief"] = False
    real = map_html(draw_map(d["buurten"], d["wijken"], d["assets"], meta=d["meta"]))
    assert page_data(real)["meta"]["fictief"] is False


def test_layer_names_dutch(html):
    control = html[html.rindex("L.control.groupedLayers"):]
    names = re.findall(r'"((?:[^"\\]|\\.)*)"\s*:\s*\w+,', control[:5000])
    text = " ".join(json.loads(f'"{n}"') for n in names)
    for expected in ["Buurten (kleur: dekking)", "Wijkgrenzen en wijknamen", "Instellingen",
                     "Verenigingen en initiatieven", "Witte vlekken", "Kennisgaten",
                     "Kleine plekken", "Relaties tussen plekken en mensen", "Gastvrijheid (kwartiermaken)"]:
        assert expected in text
    groups = re.findall(r'"([^"]+)"\s*:\s*\{', control[:5000])
    assert set(groups) >= {"Gebieden", "Plekken en mensen (ABCD)", "Witte vlekken en kennisgaten", "Kwartiermaken"}


def test_benches_layer_off_by_default(html):
    data = page_data(html)
    cols = data["assets"]["cols"]
    groups = {r[cols.index("naam")]: r[cols.index("_group")] for r in data["assets"]["rows"]}
    assert groups["Bankje bij de vijver"] == "klein"
    assert groups["Buurthuis De Linde"] == "cat:instellingen"
    control = html[html.rindex("L.control.groupedLayers"):]
    removed = re.findall(r"(abcd_layer_\w+)\.remove\(\)", control)
    small = re.search(r"var (abcd_layer_\w+) = ABCD\.assetLayer\(\{\s*\"group\": \"klein\"", html)
    assert small and small.group(1) in removed
    assert small.group(1) not in re.findall(r"(abcd_layer_\w+)\.addTo\(", html)
    shown = re.findall(r"var (abcd_layer_\w+) = ABCD\.assetLayer\(\{\s*\"group\": \"cat:", html)
    assert shown and not set(shown) & set(removed)


# ---------------------------------------------------------------- data content
def test_only_shown_columns_in_data():
    d = make_inputs()
    d["assets"]["adres_thuis_geheim"] = "Geheimstraat 1"
    d["buurten"]["p_65_plus"] = 33.0
    html = map_html(draw_map(d["buurten"], d["wijken"], d["assets"], meta=d["meta"]))
    assert "Geheimstraat" not in html
    data = page_data(html)
    assert "p_65_plus" not in data["buurten"]["table"]["cols"]
    assert set(data["buurten"]["geo"]["features"][0]["properties"]) == {"i"}


def test_metrics_and_labels(html):
    data = page_data(html)
    keys = [m["key"] for m in data["metrics"]]
    assert keys == ["dekking_500m", "instellingen_dekking_500m", "senioren_dekking_300m"]
    assert metric_label("dekking_500m")["label"] == "Ontmoetingsplekken binnen 500 m"
    assert metric_label("instellingen_dekking_500m")["label"] == "Instellingen binnen 500 m"
    assert metric_label("senioren_dekking_300m")["label"].startswith("Senioren (65+): ")
    assert metric_label("open_zondag_middag_dekking_500m")["label"] == "Open op zondagmiddag: binnen 500 m"
    assert data["classes"][0]["label"].startswith("0–25%: weinig inwoners")
    b = data["buurten"]["table"]
    row4 = next(r for r in b["rows"] if r[b["cols"].index("buurtcode")] == "BU04")
    assert row4[b["cols"].index("gegevens")] is False
    assert row4[b["cols"].index("dekking_500m")] is None


def test_metric_labels_read_the_names_metrics_writes():
    """Every coverage name made by abcd_map.metrics gets its Dutch label; other columns keep their name."""
    from abcd_map import metrics

    assert metric_label(metrics.coverage_column(1200))["label"] == "Ontmoetingsplekken binnen 1200 m"
    assert metric_label(metrics.coverage_column(250.5, "cultuur"))["short"] == "binnen 250.5 m"
    assert metric_label(metrics.coverage_column(300, "senioren"))["label"] == \
        "Senioren (65+): ontmoetingsplek binnen 300 m"
    assert metric_label(metrics.coverage_column(500, metrics.open_prefix("Zondag")))["label"] == \
        "Open op zondag: binnen 500 m"
    assert metric_label(metrics.coverage_column(500, metrics.open_prefix("zondag", "avond")))["question"] == \
        "Aandeel inwoners met een ontmoetingsplek die op zondagavond open is, binnen 500 m"
    assert metric_label("dekking_toelichting") == {"label": "dekking toelichting", "short": "",
                                                   "question": "Aandeel inwoners: dekking toelichting"}


def test_metric_switch_offers_only_coverage_columns():
    d = make_inputs()
    d["buurten"]["dekking_toelichting"] = "zie rapport"
    d["buurten"]["inwoners_binnen_500m"] = 100.0
    data = page_data(map_html(draw_map(d["buurten"], d["wijken"], d["assets"])))
    assert [m["key"] for m in data["metrics"]] == ["dekking_500m", "instellingen_dekking_500m",
                                                   "senioren_dekking_300m"]


def test_metric_switch_subset_with_labels():
    d = make_inputs()
    m = draw_map(d["buurten"], d["wijken"], d["assets"], metrics={"dekking_500m": "Alles, 500 m"})
    data = page_data(map_html(m))
    assert [(x["key"], x["label"]) for x in data["metrics"]] == [("dekking_500m", "Alles, 500 m")]


def test_rows_without_geometry_are_skipped():
    d = make_inputs()
    d["buurten"].loc[1, "geometry"] = None
    d["assets"].loc[0, "geometry"] = None
    data = page_data(map_html(draw_map(d["buurten"], d["wijken"], d["assets"])))
    assert len(data["buurten"]["geo"]["features"]) == 3
    assert len(data["assets"]["rows"]) == 6


def test_assets_get_buurt_and_days():
    data = page_data(build(mode="team"))  # team: a person's days and a place's last contact are shown
    cols = data["assets"]["cols"]
    rows = {r[cols.index("naam")]: r for r in data["assets"]["rows"]}
    linde = rows["Buurthuis De Linde"]
    assert linde[cols.index("buurt")] == "Noordhof"
    assert linde[cols.index("dagen")] == 4          # woensdag
    assert linde[cols.index("dagdelen")] == 1 << (3 * 2 + 0)   # woensdag ochtend (10-12)
    koor = rows["Koor Zingende Buren"]
    assert koor[cols.index("dagen")] == 31
    # Mo-Fr 09:00-17:00: ochtend and middag, not avond, on days 0..4
    assert koor[cols.index("dagdelen")] == sum(3 << (3 * d) for d in range(5))
    assert rows["Jan de Klusser"][cols.index("dagen")] == 32   # "za"
    # unknown hours stay unknown (None), never "closed" (0)
    assert rows["Bakkerij Brood & Zo"][cols.index("dagen")] is None
    assert rows["Bakkerij Brood & Zo"][cols.index("dagdelen")] is None
    assert "dagen_onbekend" not in cols  # no hours here say "unknown"
    assert linde[cols.index("laatste_contact")] == "15-01-2020"
    assert linde[cols.index("contact_oud")] is True
    assert data["days"] == ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"]
    assert [p["code"] for p in data["day_parts"]] == ["ochtend", "middag", "avond"]
    assert data["day_parts"][1]["label"] == "middag (12–18 uur)"


def test_publiek_page_shows_a_person_only_with_public_fields(html):
    """Even tables that skipped the gate: a person keeps name, kind, category, description, target groups, place."""
    data = page_data(html)
    cols = data["assets"]["cols"]
    rows = {r[cols.index("naam")]: dict(zip(cols, r)) for r in data["assets"]["rows"]}
    jan = {k for k, v in rows["Jan de Klusser"].items() if v is not None}
    assert jan == {"lat", "lon", "categorie", "_group", "buurt", "naam", "soort", "omschrijving", "doelgroepen"}
    assert "laatste_contact" not in cols and "bron" not in cols and "contact_oud" not in cols
    assert rows["Buurthuis De Linde"]["fase"] == "ontvangend"


@pytest.mark.parametrize("oh,days,parts", [
    ("We 10:00-12:00", 4, 1 << 6),
    ("Mo-Fr 09:00-17:00; Su off", 31, sum(3 << (3 * d) for d in range(5))),
    ("24/7", 127, (1 << 21) - 1),
    ("Sa-Su", 96, 7 << 15 | 7 << 18),
    ("Fr-Mo", 1 | 16 | 32 | 64, 7 | 7 << 12 | 7 << 15 | 7 << 18),
    ("Tu 19:00-21:00", 2, 4 << 3),                       # dinsdagavond
    ("Mo[1] 19:30-21:30", 1, 4),                          # first Monday of the month counts as Monday evening
    (None, None, None),
])
def test_opening_masks(oh, days, parts):
    got = opening_masks(oh)
    assert got[:2] == (days, parts)
    assert got[2:] == (None, None)


def test_opening_masks_unknown_state():
    """An OSM rule that says 'unknown' is neither open nor closed."""
    days, _parts, days_unknown, parts_unknown = opening_masks("Mo 10:00-12:00; We unknown")
    assert days == 1 and days_unknown == 4
    assert parts_unknown == 7 << 6


def test_day_names_come_from_hours_vocabulary():
    from abcd_map import hours

    names = day_names()
    assert [hours.weekday_number(n) for n in names] == list(range(7))
    assert not hasattr(mapmod, "weekday_mask")  # one place for day names: abcd_map.hours


def test_unknown_hours_text_in_script():
    js = mapmod._asset_text("map.js")
    assert "openingstijden onbekend" in js and "ook plekken met onbekende tijden tonen" in js


# ---------------------------------------------------------------- welcoming stages (kwartiermaken)
def test_welcoming_layer(html):
    data = page_data(html)
    w = data["welcoming"]
    cols = w["table"]["cols"]
    rows = {r[cols.index("naam")]: dict(zip(cols, r)) for r in w["table"]["rows"]}
    assert set(rows) == {"Buurthuis De Linde", "Koor Zingende Buren", "Bakkerij Brood & Zo"}
    koor = rows["Koor Zingende Buren"]
    assert koor["fase"] == "in_gesprek" and koor["contact_verouderd"] is True
    assert koor["laatste_contact"] == "15-06-2023" and koor["maanden_sinds_contact"] == 20
    assert rows["Bakkerij Brood & Zo"]["laatste_contact"] is None
    assert rows["Buurthuis De Linde"]["contact_verouderd"] is False
    stages = {s["code"]: s for s in w["stages"]}
    assert list(stages) == list(schema.codes("fase"))
    assert stages["ontvangend"]["label"] == "Ontvangend" and stages["ontvangend"]["n"] == 1
    assert stages["in_gesprek"]["colour"] == schema.colour("fase", "in_gesprek")
    assert stages["getraind"]["n"] == 0
    assert w["stale_label"].startswith(f"contact ouder dan {settings.stale_contact_months} maanden")
    # its own group, off by default; not drawn as a gap layer
    control = html[html.rindex("L.control.groupedLayers"):]
    layer = re.search(r'"Gastvrijheid \(kwartiermaken\)(?:[^"\\]|\\.)*"\s*:\s*(\w+)', control).group(1)
    assert f"{layer}.remove()" in control
    assert "ABCD.stageLayer(" in html
    assert "gastvrijheid" not in data["gaps"]


def test_welcoming_layer_optional():
    d = make_inputs()
    data = page_data(map_html(draw_map(d["buurten"], d["wijken"], d["assets"], gaps=d["gaps"])))
    assert data["welcoming"] is None
    empty = page_data(map_html(draw_map(d["buurten"], d["wijken"], d["assets"], welcoming=d["welcoming"].iloc[:0])))
    assert empty["welcoming"] is None


def test_pipeline_passes_welcoming_not_as_gap():
    """pipeline.result_map draws result.layers['gastvrijheid'] as the stage layer, not as a gap layer."""
    from types import SimpleNamespace

    from abcd_map.pipeline import result_map

    d = make_inputs()
    result = SimpleNamespace(buurten=d["buurten"], wijken=d["wijken"], visible_assets=d["assets"],
                             layers={**d["gaps"], "relaties": d["relations"], "gastvrijheid": d["welcoming"]},
                             meta={**d["meta"], "modus": "publiek"})
    data = page_data(map_html(result_map(result)))
    assert set(data["gaps"]) == {"witte_vlekken", "kennisgaten"}
    # publiek passes the privacy gate: only the place in stage 'ontvangend' is shown, without contact dates
    assert len(data["welcoming"]["table"]["rows"]) == 1
    assert "laatste_contact" not in data["welcoming"]["table"]["cols"]
    assert data["relations"] is not None
    team = SimpleNamespace(**{**vars(result), "meta": {**d["meta"], "modus": "team"}})
    assert len(page_data(map_html(result_map(team)))["welcoming"]["table"]["rows"]) == 3


def test_welcoming_hostile_names_escaped(hostile_html):
    data = page_data(hostile_html)
    names = {r[data["welcoming"]["table"]["cols"].index("naam")] for r in data["welcoming"]["table"]["rows"]}
    assert HOSTILE[6] in names and HOSTILE[7] in names


# ---------------------------------------------------------------- escaping
def test_escape_helpers():
    assert escape_html("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;"
    assert escape_html("'t \"x\"") == "&#x27;t &quot;x&quot;"
    js = to_js({"a": "</script><!--${x}`\\", "n": float("nan")})
    assert "<" not in js and ">" not in js
    assert json.loads(js) == {"a": "</script><!--${x}`\\", "n": None}


def test_hostile_strings_only_escaped(hostile_html):
    html = hostile_html
    for raw in ["<script>window.__xss", "<img src=x", "<svg onload", "--></script><!--", "onerror=\"window"]:
        assert raw not in html, raw
    # Jinja syntax in data is not evaluated
    assert "{{ 7*7 }}" in html and "jinja{% endif %}" in html
    # the page still has exactly the scripts we put in
    assert html.count("<script") == html.count("</script>")
    data = page_data(html)
    names = {r[data["assets"]["cols"].index("naam")] for r in data["assets"]["rows"]}
    assert set(HOSTILE[6:10] + HOSTILE[:3]) <= names
    assert data["meta"]["title"] == HOSTILE[1]
    assert HOSTILE[3] in data["meta"]["bronnen"]
    # the <title> is HTML-escaped
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title == escape_html(HOSTILE[1])


def test_hostile_strings_in_layer_names():
    d = make_inputs()
    d["assets"]["categorie"] = "instellingen"
    html = map_html(draw_map(d["buurten"], d["wijken"], d["assets"], gaps={"<b>x</b>_`${y}`": d["gaps"]["kennisgaten"]}))
    control = html[html.rindex("L.control.groupedLayers"):]
    assert "<b>" not in control and "\\u003cb\\u003e" not in control
    assert "\\u0026lt;b\\u0026gt;x\\u0026lt;/b\\u0026gt; `${y}`" in control


def test_no_user_text_in_js_code(hostile_html):
    """Outside the JSON data block, no hostile text occurs in any script."""
    html = hostile_html
    start = html.index('<script type="application/json" id="abcd-data">')
    end = html.index("</script>", start)
    rest = html[:start] + html[end:]
    rest = re.sub(r"<title>.*?</title>", "", rest, flags=re.S)  # HTML-escaped, tested above
    for raw in ["__xss", "Blommetje", "Gravenhage", "7*7"]:
        assert raw not in rest, raw


# ---------------------------------------------------------------- geometry
def _grid_coverage(n: int = 5, seed: int = 0) -> gpd.GeoDataFrame:
    """A coverage of n*n polygons with wiggly shared edges (many vertices)."""
    rng = np.random.default_rng(seed)
    size = 400.0
    xs = np.arange(n + 1) * size
    # jittered vertical and horizontal lines with many vertices
    t = np.linspace(0, size * n, 60 * n + 1)
    def jitter(k: int) -> np.ndarray:
        return rng.normal(0, 2, t.size) if 0 < k < n else np.zeros(t.size)

    vlines = [np.column_stack([x + jitter(i), t]) for i, x in enumerate(xs)]
    hlines = [np.column_stack([t, y + jitter(j)]) for j, y in enumerate(xs)]
    noded = shapely.union_all([LineString(c) for c in vlines + hlines])
    polys = [p for p in shapely.get_parts(shapely.polygonize(shapely.get_parts(noded))) if p.area > 1000]
    geoms = [shapely.affinity.translate(p, X0, Y0) for p in polys]
    return gpd.GeoDataFrame({"i": range(len(geoms))}, geometry=geoms, crs=CRS)


def test_coverage_simplify_keeps_neighbours_together():
    cov = _grid_coverage()
    assert len(cov) == 25
    assert shapely.coverage_is_valid(cov.geometry.values)
    out = simplify_areas(cov, tolerance=5.0)
    before = shapely.count_coordinates(cov.geometry.values)
    after = shapely.count_coordinates(out.values)
    assert after < before / 2
    rd = out.to_crs(CRS)
    union_before = shapely.union_all(cov.geometry.values)
    union_after = shapely.union_all(rd.values)
    assert union_after.area == pytest.approx(union_before.area, rel=1e-3)
    # no gaps: the union is one polygon without holes; no overlaps: areas add up
    assert union_after.geom_type == "Polygon" and len(union_after.interiors) == 0
    assert rd.area.sum() == pytest.approx(union_after.area, rel=1e-4)
    # neighbours still share their edge
    touching = [(i, j) for i in range(len(rd)) for j in range(i + 1, len(rd))
                if cov.geometry.iloc[i].intersection(cov.geometry.iloc[j]).length > 1]
    for i, j in touching:
        assert rd.iloc[i].buffer(0.5).intersection(rd.iloc[j]).area > 0
    # coordinates are rounded to 1e-5 degrees
    xy = shapely.get_coordinates(out.values)
    assert np.allclose(xy, np.round(xy, 5), atol=1e-12, rtol=0)


def test_per_polygon_simplify_would_leave_slivers():
    """Sanity check of the test above: simplifying each polygon alone does open gaps."""
    cov = _grid_coverage()
    each = shapely.simplify(cov.geometry.values, 5.0)
    union = shapely.union_all(each)
    gaps = shapely.Polygon(union.exterior).area - union.area if union.geom_type == "Polygon" else 1
    overlaps = sum(shapely.area(each)) - union.area
    assert gaps > 1 or overlaps > 1


# ---------------------------------------------------------------- size, save
def test_demo_sized_map_is_small(tmp_path):
    html = build(n_extra_assets=150)
    size = len(html.encode("utf-8"))
    assert size < 350_000, size
    path = save_map(draw_map(**{k: v for k, v in make_inputs().items()
                                  if k in ("buurten", "wijken", "assets")}), tmp_path / "kaart.html")
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["kaart.html"]


def test_save_is_atomic(tmp_path, monkeypatch):
    target = tmp_path / "kaart.html"
    target.write_text("oud", encoding="utf-8")

    def boom(m):
        raise RuntimeError("stuk")

    monkeypatch.setattr(mapmod, "map_html", boom)
    with pytest.raises(RuntimeError):
        save_map(object(), target)
    assert target.read_text(encoding="utf-8") == "oud"
    assert [p.name for p in tmp_path.iterdir()] == ["kaart.html"]


def test_empty_inputs_render():
    html = map_html(draw_map(None, None, None))
    assert 'id="abcd-data"' in html


# ---------------------------------------------------------------- per wijk, static
def test_render_per_wijk(tmp_path):
    from abcd_map.render.map import draw_per_wijk

    d = make_inputs(hostile=True)
    paths = draw_per_wijk(d["buurten"], d["wijken"], d["assets"], tmp_path, gaps=d["gaps"],
                            relations=d["relations"], welcoming=d["welcoming"], meta=d["meta"])
    assert paths[0].name == "index.html"
    assert sorted(p.name for p in paths[1:]) == ["wijk-WK01.html", "wijk-WK02.html"]
    index = paths[0].read_text(encoding="utf-8")
    assert 'href="wijk-WK01.html"' in index and "FICTIEF" in index
    assert "<img src=x" not in index and "<script>window" not in index
    data = page_data(paths[1].read_text(encoding="utf-8"))
    assert len(data["buurten"]["geo"]["features"]) == 2
    assert data["welcoming"] is not None and len(data["welcoming"]["table"]["rows"]) >= 1
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.slow
def test_render_per_wijk_with_overviews_links_them(tmp_path):
    from abcd_map.render.map import draw_per_wijk

    d = make_inputs()
    paths = draw_per_wijk(d["buurten"], d["wijken"], d["assets"], tmp_path, meta=d["meta"], overviews=True)
    names = {p.name for p in paths}
    assert {"overzicht-WK01.png", "overzicht-WK01.pdf", "overzicht-WK02.png", "overzicht-WK02.pdf"} <= names
    index = paths[0].read_text(encoding="utf-8")
    assert 'href="overzicht-WK01.png"' in index and 'href="overzicht-WK02.pdf"' in index
    assert all((tmp_path / n).stat().st_size > 0 for n in names)


def _far_asset_inputs() -> dict:
    """The test town plus 'Verre Tuin', 1000 m north of wijk WK02 and 1600 m from WK01."""
    d = make_inputs()
    far = d["assets"].iloc[[0]].copy()
    far["id"], far["naam"] = "A99", "Verre Tuin"
    far.geometry = [Point(X0 + 300, Y0 + 1200 + 1000)]
    d["assets"] = pd.concat([d["assets"], far], ignore_index=True)
    return d


def _names_per_wijk(paths) -> dict:
    out = {}
    for p in paths:
        if p.name.startswith("wijk-"):
            table = page_data(p.read_text(encoding="utf-8"))["assets"]
            out[p.stem] = {r[table["cols"].index("naam")] for r in table["rows"]}
    return out


@pytest.mark.parametrize("afstanden, kw, wk02_has_far", [
    (None, {}, False),                          # no distance known: settings.default_distance (500 m)
    ([300, 1500, 2000], {}, True),              # the run's main distance, the middle one: 1500 m
    ([300, 1500, 2000], {"distance": 400}, False),  # an explicit distance wins over meta
    (None, {"distance": 1200}, True),
    ([300, 1500, 2000], {"margin": 100}, False),    # an explicit margin wins over both
])
def test_render_per_wijk_margin_is_the_runs_walking_distance(tmp_path, afstanden, kw, wk02_has_far):
    from abcd_map.render.map import draw_per_wijk

    assert settings.default_distance < 1000
    d = _far_asset_inputs()
    meta = d["meta"] | ({"afstanden": afstanden} if afstanden else {})
    names = _names_per_wijk(draw_per_wijk(d["buurten"], d["wijken"], d["assets"], tmp_path, meta=meta, **kw))
    assert ("Verre Tuin" in names["wijk-WK02"]) is wk02_has_far
    assert "Verre Tuin" not in names["wijk-WK01"]  # 1600 m away: beyond every margin above
    assert "Buurthuis De Linde" in names["wijk-WK01"]


def test_main_distance_is_the_middle_one():
    from abcd_map.metrics import main_distance

    assert main_distance([300, 500, 800]) == 500.0
    assert main_distance([300, 800]) == 800.0
    assert main_distance((250,)) == 250.0
    assert main_distance([]) is None and main_distance(None) is None


def test_static_overview(tmp_path):
    from PIL import Image

    from abcd_map.render.static import static_overview

    d = make_inputs()
    paths = static_overview(d["buurten"], d["wijken"], d["assets"], "WK01", path_png=tmp_path / "a.png",
                            path_pdf=tmp_path / "a.pdf", meta=d["meta"])
    assert [p.name for p in paths] == ["a.png", "a.pdf"]
    img = Image.open(paths[0])
    assert img.size[0] > 1000
    text = " ".join(f"{k}={v}" for k, v in img.info.items() if isinstance(v, str))
    assert "Jan" not in text and "Klusser" not in text
    assert paths[1].read_bytes()[:5] == b"%PDF-"


def test_static_overview_colours_by_the_first_coverage_column():
    from abcd_map.render._style import default_metric

    columns = ["buurtcode", "dekking_toelichting", "inwoners_binnen_500m", "cultuur_dekking_300m", "dekking_500m"]
    assert default_metric(columns) == "cultuur_dekking_300m"
    assert default_metric(["buurtcode", "inwoners"]) is None


def test_map_and_overview_share_one_style_module():
    """No import cycle: map.py imports static.py (lazily), static.py imports only _style."""
    import ast
    from pathlib import Path

    import abcd_map.render.static as static

    tree = ast.parse(Path(static.__file__).read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert "map" not in imported and "_style" in imported
    assert static.COVERAGE_CLASSES is mapmod.COVERAGE_CLASSES


def test_background_tiles_are_offered_but_off(html):
    """The map reads without tiles; the OSM background is an overlay that starts hidden."""
    from abcd_map.render.map import BACKGROUND_LABEL, BACKGROUND_TILES

    assert BACKGROUND_TILES in html and BACKGROUND_LABEL in html
    layer = re.search(r"var (tile_layer_\w+) = L\.tileLayer\(", html)
    assert layer, "tile layer missing"
    assert f"{layer.group(1)}.remove()" in html  # folium's way of starting a layer hidden


def test_page_is_dutch_zoomable_and_metric(html):
    """Issue 13: lang="nl", pinch-zoom allowed (folium's viewport forbids it), scale bar in metres only."""
    assert '<html lang="nl">' in html
    viewport = re.findall(r'<meta name="viewport"[^>]*>', html)
    assert viewport == ['<meta name="viewport" content="width=device-width, initial-scale=1.0" />']
    assert "L.control.scale()" not in html              # folium's: feet and miles
    assert "imperial: false" in html
    assert "@media print" in html and "@page" in html
    data = page_data(html)
    assert "veilig om te delen" not in data["meta"]["modus_uitleg"]  # the label already says it
