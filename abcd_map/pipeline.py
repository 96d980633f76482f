"""One run from inputs to outputs: what the CLI and notebooks call.

:func:`build` loads the inputs (or the fictional demo town when no input is
given), classifies OSM places, merges them with the hand-collected assets,
computes coverage, gaps and access per buurt and wijk, applies the privacy
mode, and returns a :class:`BuildResult`. :func:`write_outputs` writes the map,
the tables and the GeoPackage atomically.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import box

from . import hours, privacy, relations, schema, settings, welcoming as welcome
from .analyse import access, coverage, gaps
from .analyse.access import load_need, rank_need
from .analyse.network import Network
from .classify import classify_places
from .errors import AbcdWarning, InputError, InputProblem, collect_notes, note
from .export import atomic_folder, write_csv, write_gpkg, write_xlsx
from .load.areas import add_wijknamen, filter_wijken, load_buurten, load_own_areas, load_wijken
from .load.assets import load_assets, merge_assets
from .load.osm import OsmData, load_osm

Progress = Callable[[str], None]

DEMO_FILES = {
    "buurten": "demo/buurten.geojson",
    "wijken": "demo/wijken.geojson",
    "osm": "demo/demo.osm",
    "assets": "demo/assets.csv",
}

#: Walking distances a user may ask for (m); below 25 m is a typo ('500,5' is 500 and 5).
MIN_DISTANCE, MAX_DISTANCE = 25, 5000

SOURCE_LICENCES = {
    "cbs": "CBS Wijk- en Buurtkaart (CC BY 4.0)",
    "osm": "© OpenStreetMap-bijdragers (ODbL 1.0)",
    "demo": "Fictieve demo-gemeente Lindewaarde, gemaakt door abcd-map (geen echte gegevens)",
}


@dataclass
class BuildResult:
    """Everything one run produced. Only ``visible_assets`` is safe to show for ``mode``."""

    buurten: gpd.GeoDataFrame
    wijken: gpd.GeoDataFrame
    visible_assets: gpd.GeoDataFrame
    layers: dict[str, gpd.GeoDataFrame]
    tables: dict[str, pd.DataFrame]
    meta: dict
    notes: list[str] = field(default_factory=list)
    network: Network | None = None
    #: all assets, including persons: for the team's own analysis in Jupyter, never written in publiek.
    all_assets: gpd.GeoDataFrame | None = None
    files: list[Path] = field(default_factory=list)


def _distances(afstand: float | Sequence[float] | None) -> list[float]:
    if afstand is None:
        return [settings.default_distance]
    values = [afstand] if isinstance(afstand, (int, float)) else list(afstand)
    out = sorted({float(v) for v in values})
    bad = [v for v in out if not (MIN_DISTANCE <= v <= MAX_DISTANCE) or v != round(v)]
    if bad or not out:
        raise InputError(InputProblem(
            file="--afstand", message="ongeldige loopafstand", value=f"{bad[0]:g}" if bad else "",
            expected=f"hele meters tussen {MIN_DISTANCE} en {MAX_DISTANCE}, bijv. 500 of 300,500,800 "
                     "(een komma scheidt afstanden; geen decimalen)"))
    return out


def _empty_assets() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in schema.ASSET_COLUMNS},
                            geometry=gpd.GeoSeries([], crs=settings.crs), crs=settings.crs)


def _study_area(frames: list[gpd.GeoDataFrame], osm_extent) -> gpd.GeoDataFrame:
    """One area covering the given inputs, used when no area file is given."""
    bounds = [f.total_bounds for f in frames if f is not None and len(f)]
    if osm_extent is not None and not osm_extent.is_empty:
        bounds.append(np.array(osm_extent.bounds))
    if not bounds:
        raise InputError(InputProblem(
            file="invoer", message="geen gebied om te analyseren",
            expected="--buurten BESTAND, --gebieden BESTAND, --osm BESTAND, --assets BESTAND of --online "
                     "--gemeente NAAM"))
    b = np.vstack(bounds)
    geom = box(b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()).buffer(100)
    note("Geen gebiedsbestand gegeven: de analyse gebruikt één studiegebied rond de invoer, zonder inwonersaantallen.")
    data = {c: [None] for c in schema.AREA_COLUMNS}
    data.update(buurtcode=["SG0001"], buurtnaam=["Studiegebied"], wijkcode=["SG01"],
                wijknaam=["Studiegebied"], inwoners=[np.nan], opmerking=[""])
    return gpd.GeoDataFrame(data, geometry=[geom], crs=settings.crs)


def build(
    buurten: str | Path | None = None,
    osm: str | Path | None = None,
    assets: str | Path | None = None,
    *,
    wijken_file: str | Path | None = None,
    gebieden: str | Path | None = None,
    gemeente: str | None = None,
    wijken: Sequence[str] | None = None,
    afstand: float | Sequence[float] | None = None,
    modus: str = settings.default_mode,
    lens: str | None = None,
    dag: str | None = None,
    dagdeel: str | None = None,
    behoefte: str | Path | None = None,
    drempel: int | None = None,
    online: bool = False,
    geocode: bool | None = None,
    out: str | Path | None = None,
    per_wijk: bool = False,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> BuildResult:
    """Run abcd-map from inputs to a :class:`BuildResult` (and files, when ``out`` is given).

    Parameters
    ----------
    buurten, osm, assets
        Paths of the CBS buurten file, the OSM extract and the hand-collected assets.
        When none of the inputs is given, the fictional demo town is used.
        When some are given, the others are empty.
    wijken_file
        Optional wijk boundaries; without it wijken are dissolved from the buurten.
    gebieden
        Own polygons (a name column) instead of CBS buurten.
    gemeente, wijken
        Narrow the buurten to a gemeente (name or GM code) and wijk codes.
    afstand
        Walking distance(s) in metres (default ``settings.default_distance``).
    modus
        ``"publiek"`` (default, safe to share) or ``"team"``.
    lens
        Target-group lens (see ``data/lenses.csv``), e.g. ``"senioren"``.
    dag, dagdeel
        Also compute coverage of welcoming places open on that weekday (``"zondag"``)
        and part of the day (``"ochtend"``, ``"middag"``, ``"avond"``).
    behoefte
        CSV with need indicators per buurtcode; without it, the CBS share of 65+ is used
        to rank buurten that combine high need with low coverage.
    drempel
        Person counts below this number are suppressed in publiek
        (default ``settings.suppression_threshold``).
    online
        Allow downloads (PDOK areas, Overpass places); off by default.
    out
        Folder to write ``kaart.html``, ``buurten.csv``, ``wijken.csv``, ``abcd-map.gpkg``.
    """
    say = progress or (lambda _msg: None)
    mode = privacy.check_mode(modus)
    threshold = settings.suppression_threshold if drempel is None else int(drempel)
    if threshold < 1:
        raise InputError(InputProblem(file="--drempel", message="de drempel moet minstens 1 zijn", value=drempel,
                                      expected=f"een geheel getal, standaard {settings.suppression_threshold}"))
    if dagdeel and not dag:
        raise InputError(InputProblem(file="--dagdeel", message="een dagdeel zonder dag", value=dagdeel,
                                      expected="ook --dag, bijv. --dag zondag --dagdeel middag"))
    dag = hours.day_name(dag) if dag else None  # 'ZO', 'Zondag', 6 -> 'zondag'
    dagdeel = str(dagdeel).strip().lower() if dagdeel else None
    lens = str(lens).strip().lower() if lens else None
    distances = _distances(afstand)
    today = today or dt.date.today()
    if out is not None:
        _check_out_spares_inputs(Path(out), [buurten, osm, assets, wijken_file, gebieden, behoefte])
    demo = all(v is None for v in (buurten, osm, assets, gebieden, wijken_file)) and not (online and gemeente)
    if demo:
        buurten = settings.data_path(DEMO_FILES["buurten"])
        wijken_file = settings.data_path(DEMO_FILES["wijken"])
        osm = settings.data_path(DEMO_FILES["osm"])
        assets = settings.data_path(DEMO_FILES["assets"])

    with collect_notes() as notes:
        # --- load -----------------------------------------------------------------
        say("Gebieden laden")
        sources: list[str] = []
        areas, wijken_file = _load_areas(buurten, gebieden, wijken_file, gemeente, wijken, online, demo, sources)

        say("Eigen assets laden")
        geocode = online if geocode is None else (geocode and online)
        hand = load_assets(assets, geocode=geocode) if assets is not None else _empty_assets()
        if assets is not None and not demo:
            sources.append(f"Eigen lijst van het team ({Path(assets).name}, {len(hand)} rijen)")

        osm_data: OsmData | None = None
        if osm is not None:
            say("OpenStreetMap lezen (plekken en looppaden)")
            osm_data = load_osm(osm, area=areas)
            if not demo:
                sources.append(SOURCE_LICENCES["osm"])
        elif online and areas is not None:
            say("OpenStreetMap ophalen via Overpass")
            from .load.osm import fetch_osm_online

            osm_data = fetch_osm_online(areas.to_crs(settings.crs_wgs84).union_all())
            sources.append(SOURCE_LICENCES["osm"] + ", via Overpass")

        if areas is None:
            areas = _study_area([hand, osm_data.places if osm_data else None],
                                osm_data.extent if osm_data else None)
        wijk_areas = load_wijken(wijken_file, areas)
        _note_far_assets(hand, areas, assets)

        # --- classify and merge ----------------------------------------------------
        say("Plekken indelen")
        osm_assets = classify_places(osm_data.places) if osm_data is not None else _empty_assets()
        all_assets, merged = merge_assets(hand, osm_assets)

        # --- analyse ----------------------------------------------------------------
        say("Bereik berekenen over het stratennet")
        network = osm_data.network if osm_data is not None else None
        extent = osm_data.extent if osm_data is not None else None
        located = privacy.location_assets(all_assets, mode)
        welcoming = located[located["ontmoetingsplek"].astype(bool)]
        main_d = distances[len(distances) // 2]
        no_sources = osm_data is None and assets is None
        points = coverage.resident_points(areas, network, extent=extent)  # once, shared by every analysis below
        with warnings.catch_warnings():
            if no_sources:  # coverage is blanked below; its notes (e.g. "no network") would only confuse
                warnings.simplefilter("ignore", AbcdWarning)
            parts = _coverage_parts(areas, located, welcoming, network, distances, main_d, extent, lens, dag,
                                    dagdeel, points)
        cov = parts[0]
        if no_sources:
            _mark_unknown(parts, "geen gegevens over plekken")
            note("Alleen gebieden, geen OSM-bestand of eigen assets: de dekking is onbekend, niet 0%.")
        counts = coverage.count_assets(areas, all_assets[all_assets["soort"] != "persoon"])
        persons_buurt, persons_wijk = privacy.person_counts(all_assets, areas, mode=mode, threshold=threshold)
        if mode == privacy.PUBLIC and threshold < 3:
            note(f"Drempel {threshold}: kleine aantallen personen per buurt zijn dan herleidbaar; "
                 f"de standaard is {settings.suppression_threshold}.")

        say("Witte vlekken en kennisgaten")
        white = gaps.white_spots(areas, welcoming, network, main_d, extent=extent, points=points) \
            if not no_sources else gaps.white_spots(areas.iloc[:0], welcoming, None, main_d)
        # outside the OSM extract nothing is known *because the data ends*: "geen gegevens", not a gap
        with_data = areas[areas["buurtcode"].map(cov["gegevens"]).ne(coverage.DATA_NO_OSM).to_numpy()]
        unknown = gaps.knowledge_gaps(with_data, all_assets[all_assets["soort"] != "persoon"] if mode == privacy.PUBLIC
                                      else all_assets, today=today)
        if not no_sources:
            unknown = _unknown_parts(unknown, areas, located, network, main_d, extent, points)
        walk = gaps.walking_areas(welcoming, network, main_d) if not no_sources else None
        say("Vraag en aanbod (2SFCA)")
        acc = access.access_per_buurt(areas, welcoming, network, main_d, points=points)

        buurt_table = areas.set_index("buurtcode")
        if extent is not None:
            buurt_table["osm_aandeel_pct"] = (100 * coverage.extent_share(areas, extent)).round(0).reindex(
                buurt_table.index)
        for part in (counts, *parts, persons_buurt, acc):
            if part is not None:
                buurt_table = buurt_table.join(part.drop(columns=[c for c in part.columns if c in buurt_table]),
                                               how="left")
        buurt_table = _rounded(buurt_table.reset_index())
        if behoefte is not None or "p_65_plus" in buurt_table:
            need = load_need(behoefte) if behoefte is not None else None
            ranked = _need_ranking(buurt_table, need, f"dekking_{main_d:g}m")
            if ranked is not None:
                buurt_table = buurt_table.join(ranked, on="buurtcode")
        buurt_table = gpd.GeoDataFrame(buurt_table, geometry="geometry", crs=settings.crs)
        wijk_table = _wijk_table(coverage.summarise_wijken(buurt_table, areas), wijk_areas, persons_wijk,
                                 buurt_table, f"dekking_{main_d:g}m")

        visible = privacy.public_assets(all_assets, mode)
        rel_lines = relations.relation_lines(all_assets, mode)
        stages = welcome.welcoming_table(visible, today=today)
        network_table = relations.relation_network(all_assets, mode)

    meta = _meta(demo, areas, sources, mode, distances, lens, today, notes)
    layers = {"witte_vlekken": white, "kennisgaten": unknown}
    if walk is not None and len(walk):
        layers["loopgebied"] = walk
    if rel_lines is not None and len(rel_lines):
        layers["relaties"] = rel_lines
    welcome_points = visible.set_index("id").loc[stages["id"], ["geometry"]].reset_index()
    layers["gastvrijheid"] = gpd.GeoDataFrame(stages.merge(welcome_points, on="id"), geometry="geometry",
                                              crs=settings.crs)
    tables = {"gastvrijheid": stages, "relatienetwerk": network_table, "samengevoegd": merged}
    result = BuildResult(buurten=buurt_table, wijken=wijk_table, visible_assets=visible, layers=layers,
                         tables=tables, meta=meta, notes=list(notes), network=network, all_assets=all_assets)
    if out is not None:
        say("Kaart en tabellen schrijven")
        write_outputs(result, out, per_wijk=per_wijk)
    return result


def _coverage_parts(areas, located, welcoming, network, distances, main_d, extent, lens, dag, dagdeel,
                    points) -> list[pd.DataFrame]:
    """Coverage tables: welcoming places at every distance, per ABCD category (all its assets),
    per lens, and of the welcoming places open at a given time."""
    parts = [coverage.coverage(areas, welcoming, network, distances, extent=extent, points=points)]
    for code in schema.codes("categorie"):
        if code == "individuen" or not (located["categorie"] == code).any():
            continue
        cat = coverage.coverage(areas, located, network, [main_d], selection={"categorie": code}, extent=extent,
                                points=points)
        parts.append(_prefixed(cat, code))
    if lens:
        parts.append(coverage.coverage(areas, located, network, None, lens=lens, extent=extent, points=points))
    if dag:
        states = hours.open_filter(welcoming, dag, dagdeel)
        when = "_".join(["open", schema.normalise_key(dag)] + ([schema.normalise_key(dagdeel)] if dagdeel else []))
        parts.append(_prefixed(coverage.coverage(areas, welcoming[states.eq(hours.OPEN).to_numpy()], network,
                                                 [main_d], extent=extent, points=points), when))
        unknown = int(states.eq(hours.UNKNOWN).sum())
        if unknown:
            note(f"{unknown} ontmoetingsplek(ken) hebben onbekende openingstijden; ze tellen niet mee als "
                 f"open op {dag}{' ' + dagdeel if dagdeel else ''}, maar staan wel op de kaart.")
    return parts


def _prefixed(table: pd.DataFrame, prefix: str) -> pd.DataFrame:
    """``inwoners_binnen_500m``/``dekking_500m`` -> ``<prefix>_binnen_500m``/``<prefix>_dekking_500m``."""
    keep = [c for c in table.columns if re.match(r"(dekking|inwoners_binnen)_[0-9.]+m$", c)]
    return table[keep].rename(columns=lambda c: f"{prefix}_" + c.replace("inwoners_binnen_", "binnen_"))


def _mark_unknown(parts: list[pd.DataFrame], reason: str) -> None:
    """Blank every coverage figure: with no source of places, coverage is unknown, not 0%."""
    for part in parts:
        for col in part.columns:
            if "dekking_" in col or "binnen_" in col:
                part[col] = np.nan
    parts[0]["gegevens"] = reason


def _need_ranking(table: pd.DataFrame, need, coverage_column: str) -> pd.DataFrame | None:
    """Rank buurten by high need with low coverage; None when there is nothing to rank."""
    if coverage_column not in table or table[coverage_column].notna().sum() < 3:
        return None
    ranked = rank_need(table.set_index("buurtcode"), need,
                       need_columns=None if need is not None else ["p_65_plus"], coverage_column=coverage_column)
    return ranked[["behoefte_index", "rang", "duiding"]]


def _unknown_parts(unknown: gpd.GeoDataFrame, areas, located, network, distance, extent, points
                   ) -> gpd.GeoDataFrame:
    """Knowledge gaps inside buurten: inhabited parts with no known asset of any kind within ``distance``.

    Uses the white-spot method with every asset (persons only in team mode); buurten that
    are a knowledge gap as a whole are not repeated.
    """
    parts = gaps.white_spots(areas, located, network, distance, selection={}, extent=extent, points=points)
    parts = parts[~parts["buurtcode"].isin(unknown["buurtcode"]).to_numpy()]
    if parts.empty:
        return unknown
    parts = parts.assign(reden=f"niets bekend binnen {distance:g} m")
    keep = [c for c in unknown.columns if c in parts.columns]
    return gpd.GeoDataFrame(pd.concat([unknown, parts[keep]], ignore_index=True), geometry="geometry",
                            crs=settings.crs)


def _note_far_assets(hand: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, path) -> None:
    """Say which of the team's assets lie far outside the areas (a typo in a coordinate?)."""
    if not len(hand) or not areas.geometry.notna().any():
        return
    far = (hand.distance(areas.union_all()) > settings.osm_margin).to_numpy()
    if far.any():
        rows = pd.Series(hand.attrs.get("source_rows", range(2, len(hand) + 2)))[far].tolist()
        note(f"{Path(path).name}: {int(far.sum())} asset(s) liggen meer dan {settings.osm_margin / 1000:g} km "
             f"buiten de buurten (rij {', '.join(map(str, rows[:10]))}{' ...' if len(rows) > 10 else ''}); "
             "ze tellen niet mee in de buurtcijfers. Klopt de locatie?")


def _load_areas(buurten, gebieden, wijken_file, gemeente, wijken, online, demo, sources: list[str]
                ) -> tuple[gpd.GeoDataFrame | None, Path | None]:
    """Areas from CBS buurten, own areas or PDOK (or None), narrowed to the wijken asked for.

    Returns the areas and the wijk file to use (given, or the CBS sibling of the buurt file).
    """
    if buurten is not None:
        areas = _load_demo_buurten(buurten, gemeente) if demo else load_buurten(buurten, gemeente=gemeente)
        sources.append(SOURCE_LICENCES["demo"] if demo else _cbs_source(Path(buurten)))
        if wijken_file is None:
            wijken_file = _sibling_wijk_file(Path(buurten))
    elif gebieden is not None:
        areas = load_own_areas(gebieden)
        sources.append(f"Eigen gebieden ({Path(gebieden).name})")
    elif online and gemeente:
        from .load.areas import fetch_pdok_buurten

        areas, _wijken = fetch_pdok_buurten(gemeente)  # PDOK buurten carry their wijk names
        sources.append(SOURCE_LICENCES["cbs"].replace("Buurtkaart", "Buurtkaart 2023") + ", via PDOK")
    else:
        return None, wijken_file
    if wijken:
        if wijken_file is not None:  # wijk names may live only in the wijk file (CBS 2015)
            areas = add_wijknamen(areas, load_wijken(wijken_file, areas))
        areas = filter_wijken(areas, list(wijken), str(buurten or gebieden or ""))
    return areas, wijken_file


OUTPUT_NAMES = ("kaart.html", "buurten.csv", "wijken.csv", "tabellen.xlsx", "abcd-map.gpkg", "per-wijk")


def _check_out_spares_inputs(out: Path, inputs: list) -> None:
    """Refuse an output folder where writing would replace one of the input files."""
    targets = {(out / name).resolve() for name in OUTPUT_NAMES}
    for path in inputs:
        if path is not None and Path(path).resolve() in targets:
            raise InputError(InputProblem(
                file=str(path), message="de uitvoer zou dit invoerbestand overschrijven",
                expected=f"een andere map voor --out dan {out}, of een andere bestandsnaam voor de invoer"))


def _cbs_source(path: Path) -> str:
    """'CBS Wijk- en Buurtkaart 2015 (CC BY 4.0)' when the file or folder name gives the year."""
    years = re.findall(r"(?<!\d)(20\d\d)(?!\d)", str(path))
    text = SOURCE_LICENCES["cbs"]
    return text.replace("Buurtkaart", f"Buurtkaart {years[-1]}") if years else text


def _load_demo_buurten(path: Path, gemeente: str | None) -> gpd.GeoDataFrame:
    """The demo's buurten; a --gemeente that is not the demo's gets a message that says why."""
    try:
        return load_buurten(path, gemeente=gemeente)
    except InputError:
        raise InputError(InputProblem(
            file="--gemeente", message="zonder --buurten toont abcd-map de fictieve demo-gemeente Lindewaarde",
            value=gemeente, expected="ook --buurten BESTAND (CBS Wijk- en Buurtkaart) of --online om de "
                                     "buurten van deze gemeente bij PDOK te halen")) from None


def _sibling_wijk_file(buurten: Path) -> Path | None:
    """``x_buurt.geojson`` -> ``x_wijk.geojson`` beside it, if that exists (CBS names files so)."""
    name = buurten.name
    for a, b in (("buurten", "wijken"), ("buurt", "wijk"), ("Buurten", "Wijken"), ("Buurt", "Wijk")):
        if a in name:
            candidate = buurten.with_name(name.replace(a, b))
            if candidate.exists() and candidate != buurten:
                note(f"Wijkgrenzen en wijknamen gelezen uit {candidate.name} (naast het buurtbestand); "
                     "geef --wijkgrenzen om een ander bestand te gebruiken.")
                return candidate
    return None


def _rounded(table: pd.DataFrame) -> pd.DataFrame:
    """Round figures for reading: shares and rates to 1 decimal, access scores to 4 significant."""
    out = table.copy()
    for col in out.columns:
        if not pd.api.types.is_float_dtype(out[col]):
            continue
        if "dekking" in col or col.startswith("per_1000") or col.endswith("_ha") or "inwoners" in col \
                or "binnen" in col:
            out[col] = out[col].round(1)
        elif col.startswith(("toegang", "behoefte")):
            out[col] = out[col].round(6)
    return out


def _wijk_table(figures: pd.DataFrame, wijk_areas: gpd.GeoDataFrame, persons: pd.DataFrame,
                buurt_table: pd.DataFrame, coverage_column: str) -> gpd.GeoDataFrame:
    """Wijk figures joined to the wijk boundaries and names (names from the wijk file win).

    ``inwoners_met_gegevens`` says on how many residents the wijk's coverage rests: buurten
    outside the OSM extent are left out of the share, so a wijk can rest on a few people.
    """
    shapes = wijk_areas.set_index("wijkcode")
    if coverage_column in buurt_table:
        known = buurt_table["inwoners"].where(buurt_table[coverage_column].notna())
        figures = figures.copy()
        figures["inwoners_met_gegevens"] = known.groupby(buurt_table["wijkcode"]).sum(min_count=1).reindex(
            figures.index)
    table = figures.drop(columns=[c for c in ("wijknaam",) if c in figures and c in shapes]).join(
        shapes[[c for c in ("wijknaam", "gemeentecode", "gemeentenaam", "geometry") if c in shapes]], how="left")
    table = table.join(persons, how="left")
    front = [c for c in ("wijknaam", "gemeentecode", "gemeentenaam") if c in table]
    table = table[front + [c for c in table.columns if c not in front]]
    return gpd.GeoDataFrame(_rounded(table.reset_index()), geometry="geometry", crs=settings.crs)


def _meta(demo, areas, sources, mode, distances, lens, today, notes) -> dict:
    gm = areas["gemeentenaam"].dropna().unique() if "gemeentenaam" in areas else []
    place = ", ".join(map(str, gm[:3])) if len(gm) else "eigen gebied"
    title = "ABCD-kaart " + ("Lindewaarde (fictief)" if demo else place)
    return {
        "title": title,
        "gebied": place,
        "datum": today.isoformat(),
        "bronnen": sources,
        "modus": mode,
        "fictief": demo,
        "afstand": ", ".join(f"{d:g}" for d in distances) + " m",
        "afstanden": distances,
        "lens": lens,
        "notes": list(notes),
    }


def _map_layers(result: BuildResult) -> dict:
    """The keyword arguments every map of a run shares (whole area and per wijk)."""
    layers = result.layers
    return {"gaps": {k: v for k, v in layers.items() if k not in ("relaties", "gastvrijheid")},
            "relations": layers.get("relaties"), "welcoming": layers.get("gastvrijheid"),
            "meta": result.meta, "mode": result.meta["modus"]}


def result_map(result: BuildResult):
    """The interactive map of a run (an offlinefolium Map; shows itself in Jupyter)."""
    from .render.map import render_map

    return render_map(result.buurten, result.wijken, result.visible_assets, **_map_layers(result))


def write_outputs(result: BuildResult, out: str | Path, *, per_wijk: bool = False) -> list[Path]:
    """Write ``kaart.html``, ``buurten.csv``, ``wijken.csv``, ``tabellen.xlsx`` and ``abcd-map.gpkg``.

    With ``per_wijk`` also ``per-wijk/``: a map per wijk, an index page, and a PNG/PDF
    overview per wijk. Files are made in a temporary folder and moved into ``out``
    only when all succeeded.
    """
    from .render.map import render_per_wijk, save_map

    names = list(OUTPUT_NAMES[:-1])
    with atomic_folder(out) as tmp:
        save_map(result_map(result), tmp / "kaart.html")
        write_csv(result.buurten, tmp / "buurten.csv")
        write_csv(result.wijken, tmp / "wijken.csv")
        write_xlsx({"buurten": result.buurten, "wijken": result.wijken,
                    **{k: v for k, v in result.tables.items() if v is not None and len(v)}},
                   tmp / "tabellen.xlsx")
        layers = {"buurten": result.buurten, "wijken": result.wijken, "assets": result.visible_assets,
                  **result.layers}
        write_gpkg(layers, tmp / "abcd-map.gpkg")
        if per_wijk:
            render_per_wijk(result.buurten, result.wijken, result.visible_assets, tmp / "per-wijk",
                            overviews=True, **_map_layers(result))
            names.append("per-wijk")
    if not per_wijk and (Path(out) / "per-wijk").is_dir():
        result.notes.append(f"{Path(out) / 'per-wijk'} is van een eerdere run en is niet bijgewerkt; "
                            "gebruik --per-wijk of verwijder die map.")
    files = [Path(out) / n for n in names]
    result.files = files
    return files
