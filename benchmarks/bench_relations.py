"""Benchmark: relation network metrics (run: python benchmarks/bench_relations.py [n]).

A generated table of ``n`` assets (default 10,000) of which 7 take part in 5
relations, as in a city-wide build where few assets have relations. Ours =
``relations.relation_network`` (networkx only over the related assets);
naive = betweenness over every asset, as before issue 12 (one breadth-first
search per asset: about 2 minutes at 10,000 on a busy 2-core machine), run
once and only with ``--naive``. Prints medians; no assertions.
"""

from __future__ import annotations

import sys
import time

import networkx as nx
import pandas as pd

from _common import median_time  # noqa: E402  (benchmarks/ is on sys.path)

#: (source, target) positions of the generated relations.
RELATIONS = [(0, 1), (1, 2), (2, 3), (10, 1), (500, 9999)]


def generated_assets(n: int = 10_000) -> pd.DataFrame:
    """``n`` places, 5 partner relations between 7 of them."""
    ids = [f"A{i:05d}" for i in range(n)]
    rel = [""] * n
    for src, dst in RELATIONS:
        rel[src] = (rel[src] + "; " if rel[src] else "") + f"partner_van:{ids[min(dst, n - 1)]}"
    return pd.DataFrame({"id": ids, "naam": [f"Plek {i}" for i in range(n)], "soort": "plek", "relaties": rel})


def naive_betweenness(assets: pd.DataFrame) -> float:
    """Seconds for networkx betweenness over every asset (the old way)."""
    from abcd_map.relations import parse_relations

    g = nx.Graph()
    g.add_nodes_from(assets["id"])
    rel = parse_relations(assets)
    g.add_edges_from(zip(rel["van_id"], rel["naar_id"]))
    t0 = time.perf_counter()
    nx.betweenness_centrality(g)
    return time.perf_counter() - t0


def main() -> None:
    from abcd_map.relations import relation_network

    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 10_000
    assets = generated_assets(n)
    seconds, table = median_time(lambda: relation_network(assets))
    print(f"relation_network, {n:,} assets, {len(RELATIONS)} relations: {seconds:.3f} s (median of 5); "
          f"{int((~table['staat_alleen']).sum())} related")
    if "--naive" in sys.argv:
        print(f"betweenness over every asset (before issue 12): {naive_betweenness(assets):.1f} s")


if __name__ == "__main__":
    main()
