"""Size and time to first draw of the HTML map for the Haaglanden region with the Delft places.

usage: python benchmarks/bench_map.py [--runs 3] [--out /tmp/haaglanden.html] [--shot /tmp/haaglanden.png]

Reads ../shared/data (439 CBS 2015 buurten of Haaglanden, the Delft OSM extract),
renders the map with fake coverage figures, and prints the file size and the
median time (ms after navigation) of the first animation frame after the map's
scripts ran, over fresh headless Chromium instances. Targets: < 1 MB, < 500 ms.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
sys.path.insert(0, str(REPO / "tests"))

from abcd_map import schema  # noqa: E402
from abcd_map.render.map import render_map, save_map  # noqa: E402


def load_areas() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    path = SHARED / "cbs-wijkenbuurten-2015" / "haaglanden_buurt.geojson"
    try:
        from abcd_map.load.areas import load_buurten, load_wijken

        buurten = load_buurten(path)
        wijken = load_wijken(SHARED / "cbs-wijkenbuurten-2015" / "haaglanden_wijk.geojson", buurten)
        source = "abcd_map.load.areas"
    except Exception as exc:  # noqa: BLE001 - loader not ready: minimal renaming
        print(f"(loader niet bruikbaar: {exc!r}; eigen inlezen)")
        raw = gpd.read_file(path).to_crs(28992)
        raw = raw[raw.geom_type.isin(["Polygon", "MultiPolygon"])]
        buurten = raw.rename(columns={"BU_CODE": "buurtcode", "BU_NAAM": "buurtnaam", "WK_CODE": "wijkcode",
                                      "AANT_INW": "inwoners"})[["buurtcode", "buurtnaam", "wijkcode", "inwoners",
                                                                "geometry"]]
        buurten["inwoners"] = buurten["inwoners"].where(buurten["inwoners"] >= 0)
        w = gpd.read_file(SHARED / "cbs-wijkenbuurten-2015" / "haaglanden_wijk.geojson").to_crs(28992)
        wijken = w.rename(columns={"WK_CODE": "wijkcode", "WK_NAAM": "wijknaam", "AANT_INW": "inwoners"})[
            ["wijkcode", "wijknaam", "inwoners", "geometry"]]
        source = "geopandas"
    return buurten, wijken, source


def load_places() -> tuple[gpd.GeoDataFrame, str]:
    osm = SHARED / "osm" / "delft-tudelft.osm.bz2"
    try:
        from abcd_map.classify import classify_places
        from abcd_map.load.osm import load_osm

        assets = classify_places(load_osm(osm).places)
        return assets, "abcd_map.load.osm + classify_places"
    except Exception as exc:  # noqa: BLE001
        print(f"(OSM-loader/classify niet bruikbaar: {exc!r}; eigen inlezen)")
    import osmnx

    feats = osmnx.features_from_xml(osm, tags={"amenity": True, "leisure": True, "shop": True})
    feats = feats.to_crs(28992)
    geom = feats.geometry.representative_point()
    amenity = feats.get("amenity", pd.Series(index=feats.index, dtype=object)).astype(object)
    leisure = feats.get("leisure", pd.Series(index=feats.index, dtype=object)).astype(object)
    cat = np.select(
        [amenity.isin(["school", "library", "community_centre", "townhall", "doctors", "social_facility"]),
         amenity.isin(["place_of_worship", "arts_centre", "theatre", "cinema"]),
         leisure.notna() | amenity.isin(["bench", "picnic_table", "public_bookcase"]),
         amenity.isin(["cafe", "restaurant", "bar", "pub", "fast_food"]) | feats.get("shop").notna()],
        ["instellingen", "cultuur", "fysieke_ruimte", "economie"], "verenigingen")
    assets = gpd.GeoDataFrame({
        "id": [f"osm{i}" for i in range(len(feats))],
        "naam": feats["name"].astype(object).fillna(amenity).fillna(leisure).fillna("winkel").astype(str).to_numpy(),
        "soort": "plek", "categorie": cat,
        "label": amenity.fillna(leisure).fillna("winkel").astype(str).to_numpy(),
        "openingstijden": feats.get("opening_hours", pd.Series(index=feats.index, dtype=object)).to_numpy(),
        "herkomst": "OpenStreetMap",
        "standaard_zichtbaar": ~amenity.isin(["bench", "picnic_table"]).to_numpy(),
    }, geometry=geom.to_numpy(), crs=28992)
    return assets, "osmnx (fallback)"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out")
    ap.add_argument("--shot")
    a = ap.parse_args()
    if not SHARED.is_dir():
        sys.exit("../shared/data ontbreekt")
    t0 = time.perf_counter()
    buurten, wijken, src_areas = load_areas()
    assets, src_places = load_places()
    t_load = time.perf_counter() - t0
    rng = np.random.default_rng(0)
    n = len(buurten)
    for col in ["dekking_500m", "dekking_instellingen_500m", "senioren_dekking_300m"]:
        buurten[col] = np.round(rng.uniform(0, 100, n), 1)
        wijken[col] = np.round(rng.uniform(0, 100, len(wijken)), 1)
    buurten["gegevens"] = np.where(buurten["wijkcode"].astype(str).str.startswith("WK0503"), "ok",
                                   "geen OSM-gegevens")
    for c in schema.codes("categorie"):
        buurten[f"aantal_{c}"] = rng.integers(0, 6, n)
    meta = {"title": "ABCD-kaart Haaglanden (benchmark)", "gebied": "Haaglanden", "datum": "2015",
            "bronnen": ["CBS Wijk- en Buurtkaart 2015 (CC BY 4.0)", "© OpenStreetMap-bijdragers (ODbL)"]}
    t1 = time.perf_counter()
    m = render_map(buurten, wijken, assets, meta=meta)
    out = Path(a.out) if a.out else Path(tempfile.mkdtemp()) / "haaglanden.html"
    save_map(m, out)
    t_render = time.perf_counter() - t1
    size = out.stat().st_size
    print(f"bronnen: gebieden via {src_areas}, plekken via {src_places}")
    print(f"buurten: {n}, wijken: {len(wijken)}, plekken: {len(assets)}")
    print(f"inlezen: {t_load:.1f} s, kaart maken + opslaan: {t_render:.2f} s")
    print(f"bestand: {out} ({size / 1e6:.3f} MB; doel < 1 MB)")
    try:
        from browser import find_chromium, save_screenshot, time_to_first_draw
    except ImportError as exc:
        sys.exit(f"browsercode ontbreekt: {exc}")
    if not find_chromium():
        print("chromium ontbreekt: geen tijdmeting")
        return
    timing = time_to_first_draw(out, runs=a.runs)
    print(f"eerste tekening: mediaan {timing['t_drawn_ms']:.0f} ms (runs {[round(x) for x in timing['runs_drawn_ms']]}), "
          f"scripts klaar {timing['t_scripts_ms']:.0f} ms; doel < 500 ms")
    if a.shot:
        save_screenshot(out, a.shot)
        print(f"schermafbeelding: {a.shot}")


if __name__ == "__main__":
    main()
