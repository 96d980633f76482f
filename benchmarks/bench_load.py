"""Benchmark: loading buurten + the Delft OSM extract, our route vs the plain osmnx route.

Run from the repository root::

    python benchmarks/bench_load.py [--repeat 3]

Prints the median time per step, the speed-up, and whether the places found for
amenity/leisure/shop are the same (element type, id) pairs as osmnx's.
Uses ../shared/data (read-only real data).
"""

from __future__ import annotations

import argparse
import warnings

from _common import SHARED, median_time  # noqa: E402  (benchmarks/ is on sys.path)
BUURT = SHARED / "cbs-wijkenbuurten-2015" / "haaglanden_buurt.geojson"
OSM = SHARED / "osm" / "delft-tudelft.osm.bz2"
KEYS = ("amenity", "leisure", "shop")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    import geopandas as gpd
    import osmnx as ox

    from abcd_map.load.areas import load_buurten
    from abcd_map.load.osm import load_osm

    rows = []
    t_ours_b, _ = median_time(lambda: load_buurten(BUURT), args.repeat)
    t_plain_b, _ = median_time(lambda: gpd.read_file(BUURT).to_crs(28992), args.repeat)
    rows.append(("buurten (haaglanden_buurt.geojson)", t_ours_b, t_plain_b))

    t_ours_osm, data = median_time(lambda: load_osm(OSM), args.repeat)
    t_ox_graph, graph = median_time(lambda: ox.graph_from_xml(OSM, simplify=True, retain_all=True), args.repeat)
    t_ox_feat, feats = median_time(lambda: ox.features_from_xml(OSM, tags={k: True for k in KEYS}), args.repeat)
    rows.append(("OSM netwerk + plekken (één pass)", t_ours_osm, t_ox_graph + t_ox_feat))
    rows.append(("  osmnx graph_from_xml", float("nan"), t_ox_graph))
    rows.append(("  osmnx features_from_xml", float("nan"), t_ox_feat))

    print(f"Mediaan van {args.repeat} keer (seconden)")
    print(f"{'stap':40s} {'abcd-map':>10s} {'osmnx/plain':>12s} {'factor':>8s}")
    for name, ours, plain in rows:
        factor = plain / ours if ours == ours and ours > 0 else float("nan")
        ours_txt = f"{ours:10.3f}" if ours == ours else f"{'':10s}"
        print(f"{name:40s} {ours_txt} {plain:12.3f} {factor:8.1f}" if factor == factor
              else f"{name:40s} {ours_txt} {plain:12.3f}")
    total_ours = t_ours_b + t_ours_osm
    total_plain = t_plain_b + t_ox_graph + t_ox_feat
    print(f"{'totaal':40s} {total_ours:10.3f} {total_plain:12.3f} {total_plain / total_ours:8.1f}")

    net = data.network
    print(f"\nNetwerk abcd-map: {net.n_nodes} knopen, {len(net.u)} wegdelen (alleen looproutes, "
          f"niet vereenvoudigd)")
    print(f"Netwerk osmnx:    {len(graph)} knopen, {graph.number_of_edges()} wegdelen "
          f"(alle wegen, vereenvoudigd)")

    p = data.places
    ours = set(zip(p.loc[p[list(KEYS)].notna().any(axis=1), "osm_type"],
                   p.loc[p[list(KEYS)].notna().any(axis=1), "osm_numeric_id"].astype(int)))
    theirs = {(str(e), int(i)) for e, i in feats.index}
    print(f"\nPlekken met {'/'.join(KEYS)}: abcd-map {len(ours)}, osmnx {len(theirs)}")
    if ours == theirs:
        print("De verzamelingen (type, id) zijn identiek.")
    else:
        print(f"Verschil: alleen abcd-map {sorted(ours - theirs)[:20]}, "
              f"alleen osmnx {sorted(theirs - ours)[:20]}")


if __name__ == "__main__":
    main()
