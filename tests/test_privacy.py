"""Privacy modes, suppressed person counts and the leak scan."""

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from abcd_map import leakscan, privacy, settings
from abcd_map.errors import InputError

X0, Y0 = 85_000.0, 446_000.0  # Delft, RD New


def assets_fixture() -> gpd.GeoDataFrame:
    rows = [
        # id, naam, soort, toestemming, openbaar, telefoon, email, adres, contactpersoon, relaties
        ("O1", "Buurthuis De Linde", "plek", False, False, "015-1234567", "info@linde.nl", "Lindelaan 1",
         "Kees Koster", "partner_van:O2; verwijst_naar:P1"),
        ("O2", "Voedselbank", "organisatie", False, False, "015-7654321", "", "Havenweg 3", "", ""),
        ("P1", "Fatima El Amrani", "persoon", True, True, "06-12345678", "fatima@example.nl", "Kerkstraat 12",
         "", "verwijst_naar:O1"),
        ("P2", "Jan de Vries", "persoon", True, False, "06 98765432", "jan@example.nl", "Molenweg 7", "", ""),
        ("P3", "Henk Jansen", "persoon", False, False, "0611122233", "", "Dorpsstraat 5", "", ""),
    ]
    df = pd.DataFrame(rows, columns=["id", "naam", "soort", "toestemming", "openbaar", "telefoon", "email",
                                     "adres", "contactpersoon", "relaties"])
    df["postcode"] = ["2611 AA", "2611 AB", "2611 AC", "2612 XY", "2613 ZZ"]
    df["website"] = ["https://linde.nl", "", "https://fatima.nl", "", ""]
    pts = [Point(X0 + 10, Y0 + 10), Point(X0 + 500, Y0 + 20), Point(X0 + 120, Y0 + 130),
           Point(X0 + 300, Y0 + 300), Point(X0 + 700, Y0 + 650)]
    return gpd.GeoDataFrame(df, geometry=pts, crs=settings.crs)


def test_check_mode():
    assert privacy.check_mode(None) == "publiek"
    assert privacy.check_mode("Team") == "team"
    assert privacy.check_mode("publiek") == "publiek"
    with pytest.raises(InputError, match="onbekende modus"):
        privacy.check_mode("geheim")


def test_public_assets_publiek():
    out = privacy.public_assets(assets_fixture(), "publiek")
    assert list(out["id"]) == ["O1", "O2", "P1"]  # only the consenting, public person
    assert "contactpersoon" not in out.columns
    p1 = out.set_index("id").loc["P1"]
    assert p1["naam"] == "Fatima El Amrani"
    assert p1["telefoon"] == "" and p1["email"] == "" and p1["website"] == ""
    assert p1["adres"] == "" and p1["postcode"] == ""
    o1 = out.set_index("id").loc["O1"]
    assert o1["telefoon"] == "015-1234567" and o1["adres"] == "Lindelaan 1" and o1["email"] == "info@linde.nl"
    assert isinstance(out, gpd.GeoDataFrame) and out.crs == settings.crs


def test_public_assets_team_shows_all_but_home_address():
    out = privacy.public_assets(assets_fixture(), "team").set_index("id")
    assert list(out.index) == ["O1", "O2", "P1", "P2", "P3"]
    assert out.loc["O1", "contactpersoon"] == "Kees Koster"
    assert out.loc["P3", "telefoon"] == "0611122233"
    assert (out.loc[["P1", "P2", "P3"], "adres"] == "").all()
    assert (out.loc[["P1", "P2", "P3"], "postcode"] == "").all()
    assert out.loc["O2", "adres"] == "Havenweg 3"


def test_consent_flags_as_text():
    a = assets_fixture()
    a["toestemming"] = ["", "", "ja", "ja", "nee"]
    a["openbaar"] = [None, None, "Ja", "nee", np.nan]
    assert list(privacy.public_assets(a, "publiek")["id"]) == ["O1", "O2", "P1"]


def test_hidden_relations_dropped_in_publiek():
    a = assets_fixture()
    a.loc[a["id"] == "O1", "relaties"] = "partner_van:O2; verwijst_naar:P3"
    out = privacy.public_assets(a, "publiek").set_index("id")
    assert out.loc["O1", "relaties"] == "partner_van:O2"


def test_location_assets():
    a = assets_fixture()
    assert list(privacy.location_assets(a, "publiek")["id"]) == ["O1", "O2"]
    assert list(privacy.location_assets(a, "team")["id"]) == ["O1", "O2", "P1", "P2", "P3"]


# --------------------------------------------------------------------------- suppression

def _mask(counts: dict, groups: dict | None = None, threshold=5) -> dict:
    c = pd.Series(counts)
    g = None if groups is None else pd.Series(groups)
    return privacy.suppress(c, g, threshold).to_dict()


def test_suppress_paper_case_complementary():
    # B (3) is below 5; with only B hidden, 19 - 7 - 9 = 3 would reveal it,
    # so the smallest shown buurt (A, 7) is hidden as well.
    assert _mask({"A": 7, "B": 3, "C": 9}) == {"A": True, "B": True, "C": False}


def test_suppress_nothing_small():
    assert _mask({"A": 6, "B": 7, "C": 9}) == {"A": False, "B": False, "C": False}


def test_suppress_zero_is_hidden():
    # 0 counts as small; A and B together sum to 0 < 5, so C is hidden too.
    assert _mask({"A": 0, "B": 0, "C": 12}) == {"A": True, "B": True, "C": True}


def test_suppress_two_small_summing_below_threshold():
    # 1 + 2 = 3 would be recoverable as a sum below the threshold: C hidden as well.
    assert _mask({"A": 1, "B": 2, "C": 20}) == {"A": True, "B": True, "C": True}


def test_suppress_two_small_summing_to_threshold():
    assert _mask({"A": 2, "B": 3, "C": 20, "D": 8}) == {"A": True, "B": True, "C": False, "D": False}


def test_suppress_per_group():
    got = _mask({"A": 7, "B": 3, "C": 9, "D": 12, "E": 10, "F": 2},
                {"A": "w1", "B": "w1", "C": "w1", "D": "w2", "E": "w2", "F": "w2"})
    assert got == {"A": True, "B": True, "C": False, "D": False, "E": True, "F": True}


def test_suppress_no_single_hidden_cell_recoverable():
    rng = np.random.default_rng(1)
    for _ in range(200):
        n = rng.integers(1, 7)
        counts = pd.Series(rng.integers(0, 15, n), index=[f"b{i}" for i in range(n)])
        hidden = privacy.suppress(counts, None, 5)
        assert hidden[counts < 5].all()
        if hidden.any():
            # total - shown must not single out one cell nor give a sum below 5,
            # unless everything is hidden
            assert hidden.sum() >= 2 or hidden.all()
            assert counts[hidden].sum() >= 5 or hidden.all()


def _areas():
    # wijk W1: B1, B2, B3 ; wijk W2: B4, B5 ; one gemeente
    cells = {"B1": (0, 0), "B2": (1, 0), "B3": (2, 0), "B4": (0, 1), "B5": (1, 1)}
    wijk = {"B1": "W1", "B2": "W1", "B3": "W1", "B4": "W2", "B5": "W2"}
    return gpd.GeoDataFrame({
        "buurtcode": list(cells), "buurtnaam": list(cells), "wijkcode": [wijk[c] for c in cells],
        "gemeentecode": "GM0001"},
        geometry=[box(X0 + i * 1000, Y0 + j * 1000, X0 + (i + 1) * 1000, Y0 + (j + 1) * 1000)
                  for i, j in cells.values()], crs=settings.crs)


def _persons(per_buurt: dict) -> gpd.GeoDataFrame:
    cells = {"B1": (0, 0), "B2": (1, 0), "B3": (2, 0), "B4": (0, 1), "B5": (1, 1)}
    pts, ids = [], []
    for code, n in per_buurt.items():
        i, j = cells[code]
        for k in range(n):
            pts.append(Point(X0 + i * 1000 + 100 + 10 * k, Y0 + j * 1000 + 500))
            ids.append(f"{code}-{k}")
    return gpd.GeoDataFrame({"id": ids, "naam": ids, "soort": "persoon"}, geometry=pts, crs=settings.crs)


def test_person_counts_publiek():
    persons = _persons({"B1": 7, "B2": 3, "B3": 9, "B4": 6, "B5": 8})
    b, w = privacy.person_counts(persons, _areas(), mode="publiek")
    assert b.index.name == "buurtcode" and w.index.name == "wijkcode"
    assert list(b.columns) == ["personen_aantal", "personen"]
    assert b.loc["B2", "personen"] == "< 5"
    assert b.loc["B1", "personen"] == "afgeschermd"  # secondary
    assert np.isnan(b.loc["B1", "personen_aantal"]) and np.isnan(b.loc["B2", "personen_aantal"])
    assert b.loc["B3", "personen_aantal"] == 9 and b.loc["B3", "personen"] == "9"
    assert b.loc["B4", "personen"] == "6" and b.loc["B5", "personen"] == "8"
    assert w.loc["W1", "personen_aantal"] == 19 and w.loc["W2", "personen_aantal"] == 14


def test_person_counts_small_wijk_hides_partner_wijk_and_its_buurten():
    # W2 total 3 < 5 -> hidden; within the gemeente W1 must be hidden too (or the
    # gemeente total minus W1 reveals W2); W1's buurten are then not all shown.
    persons = _persons({"B1": 7, "B2": 8, "B3": 9, "B4": 1, "B5": 2})
    b, w = privacy.person_counts(persons, _areas(), mode="publiek")
    assert w.loc["W2", "personen"] == "< 5"
    assert w.loc["W1", "personen"] == "afgeschermd"
    w1 = b.loc[["B1", "B2", "B3"], "personen_aantal"]
    assert w1.isna().sum() >= 2
    assert b.loc[["B4", "B5"], "personen_aantal"].isna().all()


def test_person_counts_team_exact_and_zero():
    persons = _persons({"B1": 7, "B2": 3})
    b, w = privacy.person_counts(persons, _areas(), mode="team")
    assert b["personen_aantal"].tolist() == [7, 3, 0, 0, 0]
    assert b["personen"].tolist() == ["7", "3", "0", "0", "0"]
    assert w.loc["W1", "personen_aantal"] == 10 and w.loc["W2", "personen_aantal"] == 0


def test_person_counts_only_persons_count():
    a = assets_fixture()
    b, _ = privacy.person_counts(a, _areas(), mode="team")
    assert b["personen_aantal"].sum() == 3


# --------------------------------------------------------------------------- leak scan

def _write_safe(folder):
    safe = privacy.public_assets(assets_fixture(), "publiek").to_crs(settings.crs_wgs84)
    folder.mkdir()
    safe.drop(columns="geometry").to_csv(folder / "assets.csv", index=False)
    safe.to_file(folder / "abcd.gpkg", layer="assets", driver="GPKG")
    gj = safe.to_json()
    (folder / "kaart.html").write_text(f"<html><script>var data = {gj};</script></html>", encoding="utf-8")
    return folder


def test_leak_scan_clean_folder(tmp_path):
    folder = _write_safe(tmp_path / "schoon")
    assert leakscan.leak_scan(folder, assets_fixture(), mode="publiek") == []


def test_leak_scan_finds_leaks(tmp_path):
    folder = _write_safe(tmp_path / "lek")
    a = assets_fixture()
    p2 = a.set_index("id").loc["P2"]
    p3 = a.set_index("id").loc["P3"]
    lonlat = gpd.GeoSeries([p3.geometry], crs=settings.crs).to_crs(settings.crs_wgs84).iloc[0]
    (folder / "notes.txt").write_text("Bel Jan de Vries op 06-98-76-54-32\n", encoding="utf-8")
    (folder / "extra.csv").write_text(f"x,y\n{p3.geometry.x:.0f},{p3.geometry.y:.0f}\n", encoding="utf-8")
    html = (f'<script>L.marker([{lonlat.y:.4f}, {lonlat.x:.4f}]).bindPopup("Kerkstraat 12 \\u2013 '
            f'fatima@example.nl")</script>')
    (folder / "kaart2.html").write_text(html, encoding="utf-8")
    leaked = gpd.GeoDataFrame({"naam": ["geen"]}, geometry=[p2.geometry], crs=settings.crs)
    leaked.to_file(folder / "lek.gpkg", layer="vlekken", driver="GPKG")
    findings = leakscan.leak_scan(folder, a, mode="publiek")
    text = "\n".join(findings)
    assert "notes.txt: naam van persoon P2" in text
    assert "notes.txt: telefoon van persoon P2" in text
    assert "extra.csv: coördinaat" in text and "P3" in text
    assert "kaart2.html: coördinaat" in text
    assert "kaart2.html: adres van persoon P1" in text
    assert "kaart2.html: email van persoon P1" in text
    assert any("lek.gpkg (laag vlekken)" in f and "P2" in f for f in findings)
    # the consenting, public person's own point and name are not leaks
    assert not any("naam van persoon P1" in f for f in findings)


def test_leak_scan_team_mode_only_addresses(tmp_path):
    folder = tmp_path / "team"
    folder.mkdir()
    team = privacy.public_assets(assets_fixture(), "team")
    team.drop(columns="geometry").to_csv(folder / "assets.csv", index=False)
    assert leakscan.leak_scan(folder, assets_fixture(), mode="team") == []
    (folder / "x.json").write_text(json.dumps({"adres": "Dorpsstraat 5", "pc": "2613ZZ"}))
    text = "\n".join(leakscan.leak_scan(folder, assets_fixture(), mode="team"))
    assert "adres van persoon P3" in text and "postcode van persoon P3" in text


def test_leak_scan_reads_xlsx(tmp_path):
    folder = tmp_path / "x"
    folder.mkdir()
    pd.DataFrame({"naam": ["Henk Jansen"]}).to_excel(folder / "t.xlsx", index=False)
    assert any("naam van persoon P3" in f for f in leakscan.leak_scan(folder, assets_fixture()))


def test_person_counts_real_delft(haaglanden_buurt):
    """Suppression holds on the real Delft buurten with persons scattered at random."""
    raw = haaglanden_buurt
    raw = raw[raw["GM_NAAM"] == "Delft"]
    raw = raw[raw.geometry.geom_type.isin(["Polygon", "MultiPolygon"])].to_crs(settings.crs)
    buurten = gpd.GeoDataFrame({"buurtcode": raw["BU_CODE"], "wijkcode": raw["WK_CODE"],
                                "gemeentecode": raw["GM_CODE"]}, geometry=raw.geometry, crs=settings.crs)
    assert len(buurten) > 80
    rng = np.random.default_rng(7)
    weights = rng.integers(0, 12, len(buurten))  # persons per buurt, many of them small
    pts = buurten.geometry.sample_points(weights, rng=rng)
    pts = pts[~pts.is_empty].explode(index_parts=False)
    persons = gpd.GeoDataFrame({"soort": ["persoon"] * len(pts)}, geometry=pts.to_numpy(), crs=settings.crs)
    exact_b, exact_w = privacy.person_counts(persons, buurten, mode="team")
    assert exact_b["personen_aantal"].sum() == weights.sum()
    b, w = privacy.person_counts(persons, buurten, mode="publiek")
    hidden = b["personen_aantal"].isna()
    true = exact_b["personen_aantal"]
    assert hidden[true < 5].all()
    wijk_of = buurten.set_index("buurtcode")["wijkcode"].reindex(b.index)
    for wijk, codes in b.groupby(wijk_of.to_numpy()).groups.items():
        h = hidden[codes]
        if h.any() and not h.all():
            assert h.sum() >= 2 and true[codes][h].sum() >= 5, wijk
        if w.loc[wijk, "personen_aantal"] != w.loc[wijk, "personen_aantal"]:  # hidden wijk total
            assert h.any(), f"{wijk}: verborgen wijktotaal is op te tellen uit de buurten"
    shown_w = w["personen_aantal"].notna()
    assert (w.loc[shown_w, "personen_aantal"] == exact_w.loc[shown_w, "personen_aantal"]).all()
    assert set(b["personen"][hidden]) <= {"< 5", "afgeschermd"}
