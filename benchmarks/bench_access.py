"""Benchmark: our 2SFCA/E2SFCA vs PySAL access on the same cost table.

Cost table: walking distances on the Delft network (../shared/data) between 2,000
demand points and 200 supply points (random nodes, seed 11), limit 1,000 m.
Prints the time of the cost-table step itself (``pair_costs``: snapping and the bounded
searches), then medians of 5 runs, the ratio and the largest absolute difference.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_coverage import DELFT_OSM, delft_graph, median_time  # noqa: E402


def main() -> None:
    from access import Access, weights

    from abcd_map.analyse.access import enhanced_two_stage_fca, two_stage_fca
    from abcd_map.analyse.network import Network, pair_costs

    if not DELFT_OSM.exists():
        print("../shared/data ontbreekt, overgeslagen")
        return
    net = Network.from_networkx(delft_graph())
    rng = np.random.default_rng(11)
    dem = rng.choice(net.n_nodes, 2000, replace=True)
    sup = rng.choice(net.n_nodes, 200, replace=False)
    dem_x = net.x[dem] + rng.uniform(-25, 25, 2000)
    t = time.perf_counter()
    costs = pair_costs(dem_x, net.y[dem], net.x[sup], net.y[sup], 1000, net)
    t_costs = time.perf_counter() - t
    c = time.process_time()
    t_table, _ = median_time(lambda: pair_costs(dem_x, net.y[dem], net.x[sup], net.y[sup], 1000, net))
    c_table = (time.process_time() - c) / 5
    demand = pd.Series(rng.integers(0, 300, 2000).astype(float))
    supply = pd.Series(rng.integers(1, 40, 200).astype(float))
    print(f"Kostentabel: {len(costs):,} paren binnen 1000 m ({t_costs * 1000:.0f} ms met pair_costs, koud)")
    print(f"kostentabel (pair_costs) {t_table * 1000:7.1f} ms wand | {c_table * 1000:7.1f} ms CPU (mediaan van 5; "
          f"{net.n_nodes:,} knopen, 2.000 x 200 punten, zoeken per tegel van bronnen)")

    def pysal(max_cost, fn=None):
        a = Access(demand_df=demand.rename("pop").to_frame().rename_axis("geoid"), demand_index=True,
                   demand_value="pop", supply_df=supply.rename("cap").to_frame().rename_axis("geoid"),
                   supply_index=True, supply_value="cap", cost_df=costs.rename(columns={"destination": "dest"}),
                   cost_origin="origin", cost_dest="dest", cost_name="cost")
        if fn is None:
            return a.two_stage_fca(max_cost=max_cost)["2sfca_cap"].reindex(demand.index)
        return a.enhanced_two_stage_fca(max_cost=max_cost, weight_fn=fn)["e2sfca_cap"].reindex(demand.index)

    steps = {400: 1.0, 700: 0.6, 1000: 0.25}
    cases = [
        ("2SFCA 800 m", lambda: two_stage_fca(demand, supply, costs, 800), lambda: pysal(800)),
        ("E2SFCA stappen", lambda: enhanced_two_stage_fca(demand, supply, costs, 1000, weights=steps),
         lambda: pysal(1000, weights.step_fn(steps))),
        ("E2SFCA gauss", lambda: enhanced_two_stage_fca(demand, supply, costs, 1000,
                                                        weights=__import__("abcd_map.analyse.access",
                                                                           fromlist=["gaussian"]).gaussian(400)),
         lambda: pysal(1000, weights.gaussian(400))),
    ]
    for name, ours, ref in cases:
        t_o, r_o = median_time(ours)
        t_p, r_p = median_time(ref)
        diff = float(np.nanmax(np.abs(r_o.to_numpy() - r_p.to_numpy())))
        same_nan = bool((r_o.isna() == r_p.isna()).all())
        print(f"{name:15s} ons {t_o * 1000:7.2f} ms | PySAL {t_p * 1000:8.2f} ms | {t_p / t_o:6.1f}x (doel >= 5x) | "
              f"max verschil {diff:.2e} | NaN gelijk: {same_nan} ({int(r_o.isna().sum())} NaN)")


if __name__ == "__main__":
    main()
