"""Proof that publiek outputs do not leak person data (issue: privacy by design).

Every output (HTML, CSV, XLSX, GeoPackage, PNG of --per-wijk) is built in publiek
mode from the demo town plus persons with distinctive names, phone numbers,
e-mails, home addresses and locations; then the bytes are searched for the texts
and coordinates (4 decimals), and every geometry of every layer is decoded to
assert that no point lies within 10 m of a person who did not agree to be shown.

That proof needs a build of its own (with --per-wijk): it is marked slow. The quick
loop scans the session's demo build (conftest.demo_build) for the demo's own persons.
"""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

import abcd_map as am
from abcd_map import leakscan, settings

# fictional persons; P3 agreed to be shown by name and place, but not with contact details
PERSONS = [
    dict(id="P1", naam="Zebulon Quirijnsdochter", telefoon="06-91827364", email="zebulon.q@lekproef.nl",
         adres="Verborgenlaan 131", postcode="9999 ZQ", toestemming="nee", openbaar="nee"),
    dict(id="P2", naam="Xanthippe Vredebregt", telefoon="06 55 44 33 21", email="xanthippe@lekproef.nl",
         adres="Geheimhof 77", postcode="9999 XV", toestemming="ja", openbaar="nee"),
    dict(id="P3", naam="Wendeline Oostkapelle", telefoon="+31 6 12398745", email="wendeline@lekproef.nl",
         adres="Stillepad 5", postcode="9999 WO", toestemming="ja", openbaar="ja"),
    dict(id="P4", naam="Ulrike Tjoelker", telefoon="0612121299", email="ulrike.t@lekproef.nl",
         adres="Nergensweg 2", postcode="9999 UT", toestemming="nee", openbaar="ja"),
]


def test_demo_build_publiek_holds_no_person_data(demo_build):
    """The default demo build (publiek) shows none of the demo persons' private data.

    The demo's persons live among its streets, where white spots (60 m circles around
    homes) have vertices too: a 10 m tolerance finds such coincidences (4.7 m). The map
    rounds coordinates to 1e-5 degree (about 1 m), so a leaked point lies within 1.5 m;
    that the location-derived layers do not depend on persons at all is tested by
    test_location_layers_do_not_depend_on_persons below.
    """
    persons = demo_build.result.all_assets
    persons = persons[persons["soort"] == "persoon"]
    assert len(persons) >= 10, "the demo has persons to protect"
    files = {p.name for p in demo_build.out.rglob("*") if p.is_file()}
    assert {"kaart.html", "buurten.csv", "wijken.csv", "abcd-map.gpkg"} <= files
    assert leakscan.leak_scan(demo_build.out, persons, mode="publiek", tolerance=1.5) == []


@pytest.mark.slow
def test_location_layers_do_not_depend_on_persons(demo_build, tmp_path):
    """In publiek, removing every person from the list changes no location-derived layer or figure."""
    demo = settings.data_path("demo")
    with open(demo / "assets.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    without = tmp_path / "zonder-personen.csv"
    with open(without, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**r, "relaties": ""} for r in rows if r["soort"].strip().lower() != "persoon")
    other = am.build(buurten=demo / "buurten.geojson", wijken_file=demo / "wijken.geojson", osm=demo / "demo.osm",
                     assets=without)
    base = demo_build.result
    for layer in ("witte_vlekken", "kennisgaten", "loopgebied"):
        a, b = base.layers.get(layer), other.layers.get(layer)
        assert (a is None) == (b is None), layer
        if a is not None:
            assert a.geometry.union_all().symmetric_difference(b.geometry.union_all()).area < 1.0, layer
    cols = [c for c in base.buurten.columns if c.startswith(("dekking_", "toegang_")) or "_dekking_" in c]
    pd.testing.assert_frame_equal(base.buurten[cols].reset_index(drop=True), other.buurten[cols].reset_index(drop=True))


@pytest.fixture(scope="module")
def leak_inputs(tmp_path_factory):
    """The demo's assets.csv plus PERSONS (well inside four buurten), and PERSONS as a GeoDataFrame."""
    tmp = tmp_path_factory.mktemp("leak")
    demo = settings.data_path("demo")
    buurten = am.load_buurten(demo / "buurten.geojson")
    # persons well inside four different buurten
    inner = buurten.dropna(subset=["inwoners"]).sort_values("inwoners", ascending=False).head(4)
    points = [g.buffer(-150).representative_point() if not g.buffer(-150).is_empty else g.representative_point()
              for g in inner.geometry]
    wgs = gpd.GeoSeries(points, crs=settings.crs).to_crs(settings.crs_wgs84)
    with open(demo / "assets.csv", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames
        rows = list(reader)
    for person, pt in zip(PERSONS, wgs):
        row = {k: "" for k in header}
        row.update(person, soort="persoon", categorie="individuen", omschrijving="kookt voor de buurt",
                   lat=f"{pt.y:.7f}", lon=f"{pt.x:.7f}", bron="lektest", relaties="partner van:A01")
        rows.append(row)
    assets = tmp / "assets.csv"
    with open(assets, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    persons = gpd.GeoDataFrame([{**p, "soort": "persoon", "toestemming": p["toestemming"] == "ja",
                                 "openbaar": p["openbaar"] == "ja"} for p in PERSONS],
                               geometry=points, crs=settings.crs)
    return assets, persons


@pytest.fixture(scope="module")
def leak_run(leak_inputs):
    """Every output of a publiek build of leak_inputs, with --per-wijk."""
    assets, persons = leak_inputs
    demo = settings.data_path("demo")
    out = assets.parent / "uit"
    am.build(buurten=demo / "buurten.geojson", osm=demo / "demo.osm", assets=assets,
             wijken_file=demo / "wijken.geojson", modus="publiek", out=out, per_wijk=True)
    return out, persons


@pytest.mark.slow  # leak_run: a publiek build with --per-wijk (PNG/PDF per wijk)
def test_publiek_outputs_hold_no_person_data(leak_run):
    out, persons = leak_run
    files = [p for p in out.rglob("*") if p.is_file()]
    assert {"kaart.html", "buurten.csv", "wijken.csv", "abcd-map.gpkg"} <= {p.name for p in files}
    assert any(p.suffix == ".png" for p in files), "per-wijk PNG overviews are part of the scan"
    findings = leakscan.leak_scan(out, persons, mode="publiek", tolerance=10.0)
    assert findings == []


@pytest.mark.slow  # leak_run: a publiek build with --per-wijk (PNG/PDF per wijk)
def test_consenting_public_person_is_shown_without_contact_details(leak_run):
    out, _ = leak_run
    html = (out / "kaart.html").read_text(encoding="utf-8")
    assert "Wendeline Oostkapelle" in html
    for text in ["Zebulon", "Xanthippe", "Ulrike", "lekproef.nl", "Stillepad", "12398745"]:
        assert text not in html


def test_the_scan_would_catch_a_leak(leak_inputs, tmp_path):
    """The leak test can fail: a file with a hidden person's phone and location is found."""
    _, persons = leak_inputs
    p1 = persons.iloc[0]
    lonlat = gpd.GeoSeries([Point(p1.geometry.x + 3, p1.geometry.y)], crs=settings.crs).to_crs(4326).iloc[0]
    (tmp_path / "lek.csv").write_text(f"x;y;tel\n{lonlat.x:.4f};{lonlat.y:.4f};0691827364\n", encoding="utf-8")
    findings = leakscan.leak_scan(tmp_path, persons, mode="publiek")
    assert any("P1" in f for f in findings) and len(findings) >= 2


@pytest.mark.slow  # a team-mode build of its own
def test_team_mode_shows_persons_but_never_home_addresses(tmp_path):
    demo = settings.data_path("demo")
    out = tmp_path / "team"
    result = am.build(modus="team", out=out)
    names = set(result.visible_assets["naam"])
    all_persons = result.all_assets[result.all_assets["soort"] == "persoon"]
    assert set(all_persons["naam"]) <= names
    assert result.visible_assets.loc[result.visible_assets["soort"] == "persoon", "adres"].fillna("").eq("").all()
    raw = list(csv.DictReader(open(demo / "assets.csv", encoding="utf-8")))
    home = [r["adres"] for r in raw if r["soort"].strip().lower() == "persoon" and r["adres"].strip()]
    assert home, "the demo has person addresses to protect"
    blob = b"".join(p.read_bytes() for p in Path(out).rglob("*") if p.is_file())
    for address in home:
        assert address.encode() not in blob
