"""Our walking distance to the nearest facility beside CBS's own figure.

Run: python benchmarks/cbs_comparison.py

Delft, real data from ../shared/data: CBS buurten 2015, the OSM extract around TU
Delft, and CBS Kerncijfers wijken en buurten 2023. For every buurt inside the OSM
data (at least ``settings.osm_extent_min_share`` of its area) it prints, per
facility type, our distance (km, walking, NaN when unknown), CBS's (km, over roads
usable by cars), the difference (ours - CBS) and the share of residents our figure
rests on; then Pearson r and n per facility over all buurten with both values.
``osm_aandeel_pct`` is the share of the buurt's area inside the extract's extent
(the extent still counts route roads as data, so it is too large). Nothing is
written; prints only.
"""

from __future__ import annotations

import warnings

import pandas as pd

from _common import DELFT_OSM, HAAGLANDEN_BUURT, SHARED  # noqa: E402  (benchmarks/ is on sys.path)

KWB_2023 = SHARED / "cbs-kwb-2023" / "haaglanden_kwb2023.xlsx"
FACILITIES = ("huisarts", "supermarkt", "kinderopvang", "basisschool")


def comparison() -> tuple[pd.DataFrame, dict, dict]:
    """Per-buurt table (ours, CBS, difference, basis), the correlation and the facility counts."""
    from abcd_map import classify_places, load_buurten, load_osm
    from abcd_map.analyse.coverage import extent_share, resident_points
    from abcd_map.analyse.nearest import nearest_for_facilities
    from abcd_map.load.kwb import correlation, join_kerncijfers, load_kerncijfers

    buurten = load_buurten(HAAGLANDEN_BUURT, gemeente="Delft")
    osm = load_osm(DELFT_OSM)
    assets = classify_places(osm.places)
    points = resident_points(buurten, osm.network, extent=osm.extent)
    ours = nearest_for_facilities(buurten, assets, osm.network, points=points, extent=osm.extent,
                                  voorzieningen=list(FACILITIES))
    kwb = load_kerncijfers(KWB_2023)
    joined, unmatched = join_kerncijfers(buurten, kwb)
    cbs = joined.set_index("buurtcode")
    table = pd.DataFrame(index=ours.index)
    table["buurt"] = cbs["buurtnaam"].reindex(table.index).str.slice(0, 28)
    table["osm_aandeel_pct"] = 100 * extent_share(buurten, osm.extent).reindex(table.index)
    for code in FACILITIES:
        table[f"{code}_ons"] = ours[f"afstand_{code}_km"]
        table[f"{code}_cbs"] = cbs[f"cbs_afstand_{code}_km"].reindex(table.index)
        table[f"{code}_verschil"] = table[f"{code}_ons"] - table[f"{code}_cbs"]
        table[f"{code}_basis_pct"] = ours[f"afstand_{code}_basis_pct"]
    table.attrs["unmatched"] = unmatched
    return table, correlation(ours, cbs), ours.attrs["aantal"]


def main() -> None:
    warnings.simplefilter("ignore")
    table, corr, counts = comparison()
    from abcd_map import settings

    shown = table[table["osm_aandeel_pct"] >= 100 * settings.osm_extent_min_share]
    pd.set_option("display.width", 250, "display.max_columns", 40, "display.max_rows", 200)
    print(f"Delft: {len(table)} buurten, {len(shown)} met OSM-gegevens (osm_aandeel_pct >= "
          f"{100 * settings.osm_extent_min_share:g}); de correlatie telt alle buurten met beide waarden")
    print("OSM-voorzieningen gevonden:", counts)
    unmatched = table.attrs["unmatched"]
    print("Codes zonder partner:", ", ".join(f"{c} ({w})" for c, w in zip(unmatched["buurtcode"], unmatched["waar"])))
    for code in FACILITIES:
        cols = ["buurt", "osm_aandeel_pct", f"{code}_ons", f"{code}_cbs", f"{code}_verschil", f"{code}_basis_pct"]
        print(f"\n== {code} (km; ons = lopend, CBS = over de weg) ==")
        print(shown[cols].round(2).to_string())
    print("\nCorrelatie (Pearson r, n buurten met beide waarden):")
    for code, value in corr.items():
        print(f"  {code:13s} r = {value['r']:.2f}  n = {value['n']}")


if __name__ == "__main__":
    main()
