"""Relations between assets and the welcoming stages (kwartiermaken)."""

import datetime as dt

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from abcd_map import relations, schema, settings, welcoming
from abcd_map.privacy import public_assets


def assets_fixture() -> gpd.GeoDataFrame:
    df = pd.DataFrame({
        "id": ["A1", "A2", "A3", "A4", "P1", "A5"],
        "naam": ["Buurthuis", "Bibliotheek", "Moestuin", "Koor", "Fatima", "Schaakclub"],
        "soort": ["plek", "organisatie", "initiatief", "initiatief", "persoon", "initiatief"],
        "relaties": ["verwijst naar:A2; partner_van:A3", "Partner van: A1", "brengt_mensen_naar:A1",
                     "", "verwijst_naar:A1; signaleert aan:A2", None],
        "toestemming": [False, False, False, False, False, False],
        "openbaar": [False, False, False, False, False, False],
    })
    pts = [Point(85_000 + 100 * i, 446_000) for i in range(len(df))]
    return gpd.GeoDataFrame(df, geometry=pts, crs=settings.crs)


def test_parse_relations_both_spellings():
    rel = relations.parse_relations(assets_fixture())
    assert list(rel.columns) == ["van_id", "naar_id", "relatie", "van_naam", "naar_naam"]
    got = set(zip(rel["van_id"], rel["naar_id"], rel["relatie"]))
    assert got == {("A1", "A2", "verwijst_naar"), ("A1", "A3", "partner_van"), ("A2", "A1", "partner_van"),
                   ("A3", "A1", "brengt_mensen_naar"), ("P1", "A1", "verwijst_naar"),
                   ("P1", "A2", "signaleert_aan")}
    first = rel.iloc[0]
    assert first["van_naam"] == "Buurthuis" and first["naar_naam"] == "Bibliotheek"


def test_parse_relations_several_targets():
    a = pd.DataFrame({"id": ["X", "Y", "Z"], "naam": ["x", "y", "z"], "relaties": ["partner van:Y,Z", "", ""]})
    rel = relations.parse_relations(a)
    assert list(rel["naar_id"]) == ["Y", "Z"] and set(rel["relatie"]) == {"partner_van"}


def test_validate_relations():
    a = pd.DataFrame({"id": ["A1", "A2", "A3"], "naam": ["a", "b", "c"],
                      "relaties": ["verwijst_naar:A9", "vriend van:A1; partner_van:A2", "A1"]})
    problems = relations.validate_relations(a, "assets.csv")
    texts = [(p.row, p.message) for p in problems]
    assert (2, "relatie naar 'A9', maar die id staat niet in de lijst") in texts
    assert (3, "onbekende soort relatie 'vriend van'") in texts
    assert (3, "relatie met zichzelf") in texts
    assert (4, "relatie zonder soort") in texts
    assert len(problems) == 4
    assert all(p.column == "relaties" for p in problems)


def test_relation_network():
    net = relations.relation_network(assets_fixture())
    by_id = net.set_index("id")
    assert net.iloc[0]["id"] == "A1"  # most connected first
    assert by_id.loc["A1", "graad"] == 3       # A2, A3, P1
    assert by_id.loc["A1", "inkomend"] == 3    # from A2, A3, P1
    assert by_id.loc["A1", "uitgaand"] == 2    # to A2, A3
    assert by_id.loc["A4", "staat_alleen"] and by_id.loc["A5", "staat_alleen"]
    assert not by_id.loc["A1", "staat_alleen"]
    # A1 lies on the only path between A3 and A2? no: A2-A1-A3 and P1-A1-A3 -> A1 is the hub
    assert by_id.loc["A1", "tussenpositie"] > by_id.loc["A2", "tussenpositie"]
    assert by_id.loc["A3", "tussenpositie"] == 0
    # publiek: the (hidden) person is not in the table
    assert "P1" not in set(relations.relation_network(assets_fixture(), mode="publiek")["id"])


def test_relation_lines_modes():
    a = assets_fixture()
    team = relations.relation_lines(a, "team")
    assert team.crs == settings.crs
    # A1->A2 verwijst, A1<->A3 partner (A1->A3 and A2->A1 partner are different pairs), A3->A1 brengt,
    # P1->A1, P1->A2
    pairs = set(zip(team["van_id"], team["naar_id"], team["relatie"]))
    assert ("P1", "A1", "verwijst_naar") in pairs
    assert len(team) == 6
    publ = relations.relation_lines(a, "publiek")
    assert not set(publ["van_id"]) & {"P1"} and not set(publ["naar_id"]) & {"P1"}
    assert len(publ) == 4
    assert (publ.geometry.geom_type == "LineString").all()
    assert set(publ["relatie_label"]) <= {"Verwijst naar", "Partner van", "Brengt mensen naar"}


def test_relation_lines_same_pair_drawn_once():
    a = gpd.GeoDataFrame({"id": ["A", "B"], "naam": ["a", "b"], "soort": ["plek", "plek"],
                          "relaties": ["partner_van:B", "partner_van:A"]},
                         geometry=[Point(0, 0), Point(10, 0)], crs=settings.crs)
    assert len(relations.relation_lines(a, "team")) == 1


def test_relation_lines_empty():
    a = assets_fixture().assign(relaties="")
    out = relations.relation_lines(a, "team")
    assert len(out) == 0 and isinstance(out, gpd.GeoDataFrame)


# --------------------------------------------------------------------------- welcoming

def welcoming_fixture() -> pd.DataFrame:
    return pd.DataFrame({
        "id": ["A", "B", "C", "D", "E", "F"],
        "naam": ["Bieb", "Buurthuis", "Fatima", "Koor", "Café (OSM)", "Kerk"],
        "soort": ["organisatie", "plek", "persoon", "initiatief", "plek", "plek"],
        "fase": ["getraind", "benaderd", "ontvangend", "", "onbekend", "in gesprek"],
        "laatste_contact": pd.to_datetime(["2024-01-15", "2025-03-01", "2025-01-01", None, None, "2024-03-10"]),
        "herkomst": ["handmatig", "handmatig", "handmatig", "handmatig", "OpenStreetMap", "handmatig"],
    })


def test_welcoming_table():
    t = welcoming.welcoming_table(welcoming_fixture(), today=dt.date(2025, 3, 10), months=12)
    assert list(t["id"]) == ["D", "B", "F", "A"]  # by stage order: onbekend, benaderd, in gesprek, getraind
    by = t.set_index("id")
    assert by.loc["D", "fase"] == "onbekend" and pd.isna(by.loc["D", "maanden_sinds_contact"])
    assert by.loc["D", "contact_verouderd"]             # never contacted
    assert by.loc["B", "maanden_sinds_contact"] == 0 and not by.loc["B", "contact_verouderd"]
    assert by.loc["A", "maanden_sinds_contact"] == 13 and by.loc["A", "contact_verouderd"]
    assert by.loc["F", "maanden_sinds_contact"] == 12 and not by.loc["F", "contact_verouderd"]  # exactly 12
    assert by.loc["F", "fase_label"] == "In gesprek"
    assert "C" not in by.index  # persons are not places


def test_welcoming_table_include_osm():
    t = welcoming.welcoming_table(welcoming_fixture(), today="2025-03-10", include_osm=True)
    assert "E" in set(t["id"])


def test_stage_summary_vocabulary_order():
    s = welcoming.stage_summary(welcoming_fixture(), today="2025-03-10")
    assert list(s["fase"]) == ["onbekend", "benaderd", "in_gesprek", "getraind", "ontvangend"]
    assert list(s["aantal"]) == [1, 1, 1, 1, 0]
    assert list(s["contact_verouderd"]) == [1, 0, 0, 1, 0]


# ---------------------------------------------------------------- the relaties text: one parser


def test_parse_relation_text_as_typed_and_as_loaded():
    items = relations.parse_relation_text("verwijst naar:A12; Partner van: A03, A04\nvriend van:B1")
    assert [(i.kind, i.code, i.targets) for i in items] == [
        ("verwijst naar", "verwijst_naar", ("A12",)),
        ("Partner van", "partner_van", ("A03", "A04")),
        ("vriend van", "", ("B1",)),  # unknown type: text kept, no code
    ]
    assert items[1].text == "Partner van: A03, A04"
    pairs = [(i.code, t) for i in items if i.code for t in i.targets]
    assert relations.format_relation_text(pairs) == "verwijst_naar:A12; partner_van:A03; partner_van:A04"
    # the loader's form reads back to the same pairs
    again = relations.parse_relation_text(relations.format_relation_text(pairs))
    assert [(i.code, t) for i in again for t in i.targets] == pairs


def test_parse_relation_text_odd_cells():
    assert relations.parse_relation_text(None) == [] and relations.parse_relation_text(" ; ") == []
    (bare,) = relations.parse_relation_text("A1")
    assert bare.kind == "" and bare.targets == ("A1",)
    (empty,) = relations.parse_relation_text("partner van:  , ")
    assert empty.code == "partner_van" and empty.targets == ()
    (colon,) = relations.parse_relation_text("partner van:X:1")  # only the first ':' ends the type
    assert colon.targets == ("X:1",)


# ---------------------------------------------------------------- small places and the subgraph (issues 11, 12)


def _reference_network(assets: pd.DataFrame) -> pd.DataFrame:
    """relation_network as it was before issue 12: networkx over every asset (the reference)."""
    import networkx as nx

    def text(v: object) -> str:
        return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v).strip()

    ids = assets["id"].map(text)
    edges = relations.parse_relations(assets)
    known = set(ids) - {""}
    ok = edges["relatie"].isin(schema.codes("relatie")) & edges["naar_id"].isin(known) & edges["van_id"].isin(known)
    edges = edges[(ok & (edges["van_id"] != edges["naar_id"])).to_numpy()]
    g = nx.DiGraph()
    g.add_nodes_from(i for i in ids if i)
    g.add_edges_from(zip(edges.get("van_id", []), edges.get("naar_id", [])))
    und = g.to_undirected()
    between = nx.betweenness_centrality(und) if len(und) else {}
    out = pd.DataFrame({"id": ids.to_numpy(), "naam": assets["naam"].map(text).to_numpy(),
                        "soort": assets["soort"].map(text).to_numpy()})
    out["graad"] = out["id"].map(lambda i: und.degree(i) if i in und else 0).astype(int)
    out["inkomend"] = out["id"].map(lambda i: g.in_degree(i) if i in g else 0).astype(int)
    out["uitgaand"] = out["id"].map(lambda i: g.out_degree(i) if i in g else 0).astype(int)
    out["tussenpositie"] = out["id"].map(lambda i: float(between.get(i, 0.0))).astype(float)
    out["staat_alleen"] = out["graad"] == 0
    return out.sort_values(["graad", "tussenpositie", "naam"], ascending=[False, False, True],
                           kind="stable").reset_index(drop=True)


def _demo_assets() -> pd.DataFrame:
    from abcd_map.classify import classify_places
    from abcd_map.errors import collect_notes
    from abcd_map.load.assets import load_assets, merge_assets
    from abcd_map.load.osm import load_osm

    with collect_notes():
        hand = load_assets(settings.data_path("demo") / "assets.csv")
        osm = classify_places(load_osm(settings.data_path("demo") / "demo.osm").places)
        merged, _ = merge_assets(hand, osm)
    return merged


def test_relation_network_same_as_over_every_asset_on_the_demo():
    """Only related assets enter networkx; the table is the one networkx gives over every asset."""
    demo = _demo_assets()
    assert demo["relaties"].ne("").sum() > 10 and (~demo["kleine_plek"]).sum() > 50
    assets = demo[~demo["kleine_plek"].to_numpy()]
    got, expected = relations.relation_network(assets), _reference_network(assets)
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-12, atol=1e-15)
    assert (got["tussenpositie"] > 0).sum() >= 3
    for mode in ("team", "publiek"):
        shown = public_assets(assets, mode)
        pd.testing.assert_frame_equal(relations.relation_network(assets, mode), _reference_network(shown),
                                      check_exact=False, rtol=1e-12, atol=1e-15)


def test_relation_network_generated_many_lonely_assets():
    """1,000 assets, 4 relations: same table as networkx over all of them (betweenness rescaled)."""
    n = 1000
    ids = [f"A{i:04d}" for i in range(n)]
    rel = [""] * n
    rel[0], rel[1], rel[2], rel[500] = "partner_van:A0001", "partner_van:A0002; verwijst_naar:A0003", "", ""
    rel[10] = "partner_van:A0001"
    assets = pd.DataFrame({"id": ids, "naam": [f"Plek {i}" for i in range(n)], "soort": "plek", "relaties": rel})
    got = relations.relation_network(assets)
    pd.testing.assert_frame_equal(got, _reference_network(assets), check_exact=False, rtol=1e-12, atol=1e-15)
    assert got.iloc[0]["id"] == "A0001" and got["staat_alleen"].sum() == n - 5


def test_small_places_leave_the_network_unless_related():
    """Benches (kleine_plek) are no asset: not in the table, nor 'staat alleen', unless in a relation."""
    a = assets_fixture()
    a["kleine_plek"] = False
    bench = a.iloc[[3]].assign(id="B1", naam="Bankje", soort="openbare_ruimte", relaties="", kleine_plek=True)
    named = a.iloc[[3]].assign(id="B2", naam="Bankje bij de kerk", soort="openbare_ruimte", relaties="",
                               kleine_plek=True)
    with_small = pd.concat([a, bench, named], ignore_index=True)
    with_small.loc[with_small["id"] == "A4", "relaties"] = "partner_van:B2"
    net = relations.relation_network(with_small).set_index("id")
    assert "B1" not in net.index
    assert net.loc["B2", "graad"] == 1 and not net.loc["B2", "staat_alleen"]
    # the network without the lonely bench is what it was without it
    expected = _reference_network(with_small[with_small["id"] != "B1"])
    pd.testing.assert_frame_equal(relations.relation_network(with_small), expected, check_exact=False,
                                  rtol=1e-12, atol=1e-15)
