"""Relations between assets: who refers to whom, who works with whom.

The ``relaties`` column holds ``soort:doel-id`` pairs separated by ``;``, e.g.
``"verwijst_naar:A12; partner_van:A03"`` (the loader's form) or as typed,
``"verwijst naar:A12; Partner van: A03"``; several targets may share one type
(``partner_van:A03,A04``). Types are the ``relatie`` codes of ``data/vocabulary.csv``.
The text is read by :func:`parse_relation_text` and written by :func:`format_relation_text`
(both from :mod:`abcd_map.relation_text`, re-exported here); every reader of the column
(the loader, this module, :mod:`abcd_map.privacy`) should use them rather than split the
text itself. Privacy imports them from :mod:`abcd_map.relation_text`, because this module
imports privacy.

Privacy of the lines on the map (:func:`relation_lines`): in team mode every
relation is drawn; in publiek only relations between two non-person assets
(organisations, initiatives, places, public spaces), because a relation of a
person ("verwijst naar de GGZ") can say more about that person than a point.
"""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import pandas as pd
from shapely.geometry import LineString

from . import schema, settings
from .errors import InputProblem
from .privacy import PUBLIC, check_mode, is_person, public_assets
from .relation_text import RelationItem, format_relation_text, parse_relation_text

__all__ = ["RELATION_COLUMNS", "RelationItem", "format_relation_text", "parse_relation_text", "parse_relations",
           "relation_lines", "relation_network", "validate_relations"]

RELATION_COLUMNS = ["van_id", "naar_id", "relatie", "van_naam", "naar_naam"]


def _text(v: object) -> str:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return ""
    return str(v).strip()


def _parsed(assets: pd.DataFrame) -> pd.DataFrame:
    rows = []
    if "relaties" not in assets.columns or "id" not in assets.columns:
        return pd.DataFrame(columns=["positie", "van_id", "naar_id", "relatie", "soort_tekst"])
    for pos, (src, cell) in enumerate(zip(assets["id"].map(_text), assets["relaties"].map(_text))):
        for item in parse_relation_text(cell):
            rows.extend((pos, src, target, item.code, item.kind) for target in item.targets)
    return pd.DataFrame(rows, columns=["positie", "van_id", "naar_id", "relatie", "soort_tekst"])


def parse_relations(assets: pd.DataFrame) -> pd.DataFrame:
    """All relations as a table: van_id, naar_id, relatie, van_naam, naar_naam.

    ``relatie`` is the vocabulary code (e.g. ``verwijst_naar``); entries with an
    unknown type keep the text as typed (see :func:`validate_relations`). Names are
    empty when the target id does not exist.
    """
    p = _parsed(assets)
    if p.empty:
        return pd.DataFrame(columns=RELATION_COLUMNS, dtype=object)
    names = dict(zip(assets["id"].map(_text), assets["naam"].map(_text))) if "naam" in assets else {}
    out = pd.DataFrame({
        "van_id": p["van_id"],
        "naar_id": p["naar_id"],
        "relatie": p["relatie"].where(p["relatie"] != "", p["soort_tekst"]),
        "van_naam": p["van_id"].map(lambda i: names.get(i, "")),
        "naar_naam": p["naar_id"].map(lambda i: names.get(i, "")),
    })
    return out.astype(object).reset_index(drop=True)


def validate_relations(assets: pd.DataFrame, file: str = "") -> list[InputProblem]:
    """Problems in ``relaties``: unknown target ids, unknown types, relations to itself.

    Rows are numbered as in Excel: a column ``rij`` if present, else position + 2.
    """
    p = _parsed(assets)
    if p.empty:
        return []
    known = set(assets["id"].map(_text)) - {""}
    rows = assets["rij"].tolist() if "rij" in assets.columns else [i + 2 for i in range(len(assets))]
    allowed = ", ".join(schema.label("relatie", c).lower() for c in schema.codes("relatie"))
    problems = []
    for r in p.itertuples():
        row = int(rows[r.positie])
        if r.relatie == "":
            what = f"onbekende soort relatie '{r.soort_tekst}'" if r.soort_tekst else "relatie zonder soort"
            problems.append(InputProblem(file, what, row, "relaties", f"{r.soort_tekst}:{r.naar_id}",
                                         f"soort:id, met soort één van: {allowed}"))
        if r.naar_id not in known:
            problems.append(InputProblem(file, f"relatie naar '{r.naar_id}', maar die id staat niet in de lijst",
                                         row, "relaties", r.naar_id, "een id uit de kolom 'id'"))
        elif r.naar_id == r.van_id:
            problems.append(InputProblem(file, "relatie met zichzelf", row, "relaties", r.naar_id,
                                         "de id van een andere rij"))
    return problems


def _valid_edges(assets: pd.DataFrame) -> pd.DataFrame:
    rel = parse_relations(assets)
    if rel.empty:
        return rel
    known = set(assets["id"].map(_text)) - {""}
    ok = rel["relatie"].isin(schema.codes("relatie")) & rel["naar_id"].isin(known) & rel["van_id"].isin(known)
    ok &= rel["van_id"] != rel["naar_id"]
    return rel[ok.to_numpy()].drop_duplicates(["van_id", "naar_id", "relatie"]).reset_index(drop=True)


def _betweenness(und: nx.Graph, total: int) -> dict[str, float]:
    """Betweenness of the nodes of ``und`` as if the graph had ``total`` nodes (the others isolated).

    networkx normalises by ``2 / ((n - 1) (n - 2))``; isolated nodes lie on no path, so the
    measure over the related assets only, rescaled to ``total`` nodes, equals the measure over
    every asset, without a breadth-first search from each isolated one.
    """
    n = und.number_of_nodes()
    if n <= 2 or total <= 2:
        return dict.fromkeys(und.nodes, 0.0)
    scale = ((n - 1) * (n - 2)) / ((total - 1) * (total - 2))
    return {node: value * scale for node, value in nx.betweenness_centrality(und).items()}


def _without_lonely_small_places(assets: pd.DataFrame, related: set[str]) -> pd.DataFrame:
    """Drop street furniture (``kleine_plek``) that takes part in no relation: it is no asset."""
    if "kleine_plek" not in assets.columns:
        return assets
    small = assets["kleine_plek"].astype(object).where(assets["kleine_plek"].notna(), False).astype(bool)
    lonely = small.to_numpy() & ~assets["id"].map(_text).isin(related).to_numpy()
    return assets[~lonely]


def relation_network(assets: pd.DataFrame, mode: str | None = None) -> pd.DataFrame:
    """Network measures per asset, most connected first.

    Columns: id, naam, soort, graad (number of distinct neighbours), inkomend,
    uitgaand (relations pointing to / from it), tussenpositie (betweenness
    centrality on the undirected network of all listed assets, 0-1: how often it
    lies on the shortest path between two others) and staat_alleen (no relations at all).
    Street furniture (``kleine_plek`` True: benches ...) is left out unless it takes
    part in a relation. With ``mode`` given, only the assets that mode shows
    (see :mod:`abcd_map.privacy`).

    Only assets with at least one relation enter networkx; the others get graad,
    inkomend, uitgaand and tussenpositie 0 and staat_alleen True directly.
    """
    if mode is not None:
        assets = public_assets(assets, mode)
    edges = _valid_edges(assets)
    g = nx.DiGraph()
    g.add_edges_from(zip(edges.get("van_id", []), edges.get("naar_id", [])))
    assets = _without_lonely_small_places(assets, set(g.nodes))
    ids = assets["id"].map(_text) if "id" in assets else pd.Series(dtype=object)
    und = g.to_undirected()
    between = _betweenness(und, len(set(ids) - {""}))
    out = pd.DataFrame({
        "id": ids.to_numpy(),
        "naam": assets["naam"].map(_text).to_numpy() if "naam" in assets else "",
        "soort": assets["soort"].map(_text).to_numpy() if "soort" in assets else "",
    })
    for column, values in (("graad", dict(und.degree())), ("inkomend", dict(g.in_degree())),
                           ("uitgaand", dict(g.out_degree()))):
        out[column] = out["id"].map(values).fillna(0).astype(int)
    out["tussenpositie"] = out["id"].map(between).fillna(0.0).astype(float)
    out["staat_alleen"] = out["graad"] == 0
    return out.sort_values(["graad", "tussenpositie", "naam"], ascending=[False, False, True],
                           kind="stable").reset_index(drop=True)


def relation_lines(assets: gpd.GeoDataFrame, mode: str | None = None) -> gpd.GeoDataFrame:
    """Lines between related assets for the map (EPSG:28992).

    Columns van_id, naar_id, relatie, relatie_label, van_naam, naar_naam, geometry.
    team: every valid relation between two assets with a point; publiek: only
    between two non-person assets. Relations in both directions with the same type
    are drawn once.
    """
    mode = check_mode(mode)
    cols = RELATION_COLUMNS + ["relatie_label", "geometry"]
    empty = gpd.GeoDataFrame(pd.DataFrame(columns=cols), geometry="geometry", crs=settings.crs)
    if "id" not in assets.columns or "geometry" not in assets.columns or not len(assets):
        return empty
    usable = assets[assets.geometry.notna().to_numpy() & ~assets.geometry.is_empty.to_numpy()]
    if usable.crs is not None and usable.crs != settings.crs:
        usable = usable.to_crs(settings.crs)
    if mode == PUBLIC:
        usable = usable[~is_person(usable).to_numpy()]
    edges = _valid_edges(assets)
    if edges.empty:
        return empty
    pts = dict(zip(usable["id"].map(_text), usable.geometry))
    edges = edges[edges["van_id"].isin(pts) & edges["naar_id"].isin(pts)].copy()
    if edges.empty:
        return empty
    key = edges.apply(lambda r: (min(r.van_id, r.naar_id), max(r.van_id, r.naar_id), r.relatie), axis=1)
    edges = edges[~key.duplicated().to_numpy()]
    edges["relatie_label"] = edges["relatie"].map(lambda c: schema.label("relatie", c))
    geoms = [LineString([pts[a].centroid.coords[0], pts[b].centroid.coords[0]]) for a, b in zip(edges["van_id"], edges["naar_id"])]
    return gpd.GeoDataFrame(edges[cols[:-1]].reset_index(drop=True), geometry=geoms, crs=settings.crs)
