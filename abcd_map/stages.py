"""The stages of one run: inputs -> assets -> analysis. Each is usable alone from Jupyter.

::

    from abcd_map.options import BuildOptions
    from abcd_map import stages
    options = BuildOptions.create()                  # the fictional demo town
    inputs = stages.load_inputs(options)             # areas, wijken, OSM, the team's list
    assets, merged = stages.combine_assets(inputs)   # OSM places classified, merged with the list
    analysis = stages.analyse(inputs, assets, options)

The analysis holds every figure and *all* assets (persons included); only the
privacy gate (:func:`abcd_map.publication.publish`) turns it into something an
output may show. Location-derived layers (coverage, white spots, walking areas,
2SFCA) are computed from the assets the run's mode allows
(:func:`abcd_map.privacy.location_assets`): in publiek never from persons.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import box

from . import metrics, privacy, schema, settings
from .analyse import access, coverage, gaps
from .analyse.access import load_need, rank_need
from .analyse.network import Network
from .classify import classify_places
from .errors import AbcdWarning, InputError, InputProblem, note
from .load.areas import add_wijknamen, filter_wijken, load_buurten, load_own_areas, load_wijken
from .analyse import nearest
from .load.assets import load_assets, merge_assets
from .load.kwb import correlation, fetch_kerncijfers, join_kerncijfers, load_kerncijfers
from .load.osm import OsmData, load_osm
from .options import BuildOptions

SOURCE_LICENCES = {
    "cbs": "CBS Wijk- en Buurtkaart (CC BY 4.0)",
    "osm": "© OpenStreetMap-bijdragers (ODbL 1.0)",
    "demo": "Fictieve demo-gemeente Lindewaarde, gemaakt door abcd-map (geen echte gegevens)",
}


# --------------------------------------------------------------------------- inputs

@dataclass
class Inputs:
    """What a run read: areas (EPSG:28992), wijken, the team's own assets, OSM, and the sources."""

    areas: gpd.GeoDataFrame
    wijk_areas: gpd.GeoDataFrame
    hand: gpd.GeoDataFrame
    osm: OsmData | None
    sources: list[str] = field(default_factory=list)
    #: False when neither an OSM file nor an asset list was given: coverage is then unknown.
    has_places: bool = True
    #: CBS Kerncijfers wijken en buurten (``--cbs-kerncijfers`` or, online, StatLine), or None.
    kwb: pd.DataFrame | None = None

    @property
    def network(self) -> Network | None:
        """The walking network (None without OSM)."""
        return self.osm.network if self.osm is not None else None

    @property
    def extent(self):
        """Where the OSM extract has data (None without OSM)."""
        return self.osm.extent if self.osm is not None else None


def empty_assets() -> gpd.GeoDataFrame:
    """An asset table without rows (every column of ``schema.ASSET_COLUMNS``)."""
    return gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in schema.ASSET_COLUMNS},
                            geometry=gpd.GeoSeries([], crs=settings.crs), crs=settings.crs)


def load_inputs(options: BuildOptions) -> Inputs:
    """Read every input of ``options``: areas, the team's assets, OSM (file or, online, Overpass)."""
    sources: list[str] = []
    areas, wijken_file = load_areas(options, sources)
    hand = load_assets(options.assets, geocode=options.geocode) if options.assets is not None else empty_assets()
    if options.assets is not None and not options.demo:
        sources.append(f"Eigen lijst van het team ({options.assets.name}, {len(hand)} rijen)")
    osm_data = _load_osm(options, areas, sources)
    if areas is None:
        areas = study_area([hand, osm_data.places if osm_data else None], osm_data.extent if osm_data else None)
    note_far_assets(hand, areas, options.assets)
    wijk_areas = load_wijken(wijken_file, areas)
    areas = add_wijknamen(areas.assign(wijknaam=areas["wijknaam"].fillna("")), wijk_areas)
    return Inputs(areas=areas, wijk_areas=wijk_areas, hand=hand, osm=osm_data,
                  sources=sources, has_places=osm_data is not None or options.assets is not None,
                  kwb=load_cbs_table(options, sources))


def load_cbs_table(options: BuildOptions, sources: list[str]) -> pd.DataFrame | None:
    """CBS Kerncijfers wijken en buurten: the file given, or (``--online`` with a gemeente) StatLine."""
    if options.kerncijfers is not None:
        table = load_kerncijfers(options.kerncijfers)
        sources.append(f"CBS Kerncijfers wijken en buurten ({options.kerncijfers.name}, CC BY 4.0)")
        return table
    if options.online and options.gemeenten and options.fetch_kerncijfers:
        parts = [fetch_kerncijfers(g) for g in options.gemeenten]
        table = pd.concat(parts)
        table.attrs = dict(parts[0].attrs)
        sources.append(f"CBS Kerncijfers wijken en buurten {table.attrs.get('jaar', '')}, StatLine-tabel "
                       f"{table.attrs.get('cbs_tabel', '')} (CC BY 4.0)")
        return table
    return None


def _load_osm(options: BuildOptions, areas: gpd.GeoDataFrame | None, sources: list[str]) -> OsmData | None:
    if options.osm is not None:
        if not options.demo:
            sources.append(SOURCE_LICENCES["osm"])
        return load_osm(options.osm, area=areas, extent=options.osm_area)
    if options.online and areas is not None:
        from .load.osm import fetch_osm_online  # online only

        sources.append(SOURCE_LICENCES["osm"] + ", via Overpass")
        return fetch_osm_online(areas.to_crs(settings.crs_wgs84).union_all())
    return None


def load_areas(options: BuildOptions, sources: list[str]) -> tuple[gpd.GeoDataFrame | None, Path | None]:
    """Areas from CBS buurten, own areas or PDOK (or None), narrowed to the wijken asked for.

    Returns the areas and the wijk file to use (given, or the CBS sibling of the buurt file).
    """
    wijken_file = options.wijken_file
    if options.buurten is not None:
        wijken_file = wijken_file or sibling_wijk_file(options.buurten)
        # the wijk file lends its wijknamen to --wijk: CBS 2015 buurt files hold only wijkcodes
        areas = _demo_buurten(options, wijken_file) if options.demo else load_buurten(
            options.buurten, gemeente=options.gemeenten, wijken=options.wijken, wijk_file=wijken_file)
        sources.append(SOURCE_LICENCES["demo"] if options.demo else cbs_source(options.buurten))
        return areas, wijken_file
    if options.gebieden is not None:
        areas = load_own_areas(options.gebieden)
        sources.append(f"Eigen gebieden ({options.gebieden.name})")
    elif options.online and options.gemeenten:
        from .load.areas import fetch_pdok_buurten  # online only

        # PDOK buurten carry their wijk names; one request per gemeente, one combined table
        areas = pd.concat([fetch_pdok_buurten(g)[0] for g in options.gemeenten], ignore_index=True) \
            .drop_duplicates("buurtcode", ignore_index=True)  # 'Delft,GM0503' names one gemeente twice
        sources.append(SOURCE_LICENCES["cbs"].replace("Buurtkaart", "Buurtkaart 2023") + ", via PDOK")
    else:
        return None, wijken_file
    if options.wijken:
        if wijken_file is not None:
            areas = add_wijknamen(areas, load_wijken(wijken_file, areas))
        areas = filter_wijken(areas, options.wijken, str(options.gebieden or ""))
    return areas, wijken_file


def _demo_buurten(options: BuildOptions, wijken_file: Path | None) -> gpd.GeoDataFrame:
    """The demo's buurten; a --gemeente that is not the demo's gets a message that says why."""
    if options.gemeenten:
        try:
            load_buurten(options.buurten, gemeente=options.gemeenten)
        except InputError:
            raise InputError(InputProblem(
                file="--gemeente", message="zonder --buurten toont abcd-map de fictieve demo-gemeente Lindewaarde",
                value=", ".join(options.gemeenten),
                expected="ook --buurten BESTAND (CBS Wijk- en Buurtkaart) of --online om de "
                         "buurten van deze gemeente bij PDOK te halen")) from None
    return load_buurten(options.buurten, gemeente=options.gemeenten, wijken=options.wijken, wijk_file=wijken_file)


def cbs_source(path: Path) -> str:
    """'CBS Wijk- en Buurtkaart 2015 (CC BY 4.0)' when the file or folder name gives the year."""
    years = re.findall(r"(?<!\d)(20\d\d)(?!\d)", str(path))
    text = SOURCE_LICENCES["cbs"]
    return text.replace("Buurtkaart", f"Buurtkaart {years[-1]}") if years else text


def sibling_wijk_file(buurten: Path) -> Path | None:
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


def study_area(frames: list[gpd.GeoDataFrame | None], osm_extent) -> gpd.GeoDataFrame:
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


def note_far_assets(hand: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, path: Path | None) -> None:
    """Say which of the team's assets lie far outside the areas (a typo in a coordinate?)."""
    if not len(hand) or not areas.geometry.notna().any():
        return
    far = (hand.distance(areas.union_all()) > settings.osm_margin).to_numpy()
    if far.any():
        rows = pd.Series(hand.attrs.get("source_rows", range(2, len(hand) + 2)))[far].tolist()
        note(f"{Path(path).name}: {int(far.sum())} asset(s) liggen meer dan {settings.osm_margin / 1000:g} km "
             f"buiten de buurten (rij {', '.join(map(str, rows[:10]))}{' ...' if len(rows) > 10 else ''}); "
             "ze tellen niet mee in de buurtcijfers. Klopt de locatie?")


# --------------------------------------------------------------------------- classify and merge

def combine_assets(inputs: Inputs) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """OSM places classified into assets and merged with the team's own list.

    Returns all assets (persons included) and the report of merged pairs.
    """
    osm_assets = classify_places(inputs.osm.places) if inputs.osm is not None else empty_assets()
    assets, merged = merge_assets(inputs.hand, osm_assets)
    if "osm_tag" in osm_assets and "osm_id" in assets:  # the raw tag picks CBS's facility types
        tags = osm_assets.drop_duplicates("osm_id").set_index("osm_id")["osm_tag"]
        assets["osm_tag"] = assets["osm_id"].map(tags).fillna("")
    return assets, merged


# --------------------------------------------------------------------------- analyse

@dataclass
class Analysis:
    """Every figure of one run, before the privacy gate.

    ``assets`` holds every asset, persons included, and ``buurten``/``wijken`` hold exact
    person counts: never write an Analysis; :func:`abcd_map.publication.publish` turns it
    into what a mode may show.
    """

    options: BuildOptions
    buurten: gpd.GeoDataFrame
    wijken: gpd.GeoDataFrame
    assets: gpd.GeoDataFrame
    layers: dict[str, gpd.GeoDataFrame]
    merged: pd.DataFrame
    sources: list[str]
    network: Network | None = None
    specs: list[metrics.CoverageSpec] = field(default_factory=list)
    #: Resident points (where people live, with weights) shared by every figure.
    points: gpd.GeoDataFrame | None = None
    #: The same figures per gemeente (made by :func:`compare_facilities`).
    gemeenten: gpd.GeoDataFrame | None = None
    #: Welcoming-place coverage at the main distance per opening time (for the map's time filter only;
    #: see :func:`abcd_map.analyse.coverage.open_time_coverage`); None without places.
    open_coverage: pd.DataFrame | None = None


@dataclass
class _Context:
    """What every analysis step shares: areas, assets the mode allows, network, residents."""

    areas: gpd.GeoDataFrame
    located: gpd.GeoDataFrame
    welcoming: gpd.GeoDataFrame
    network: Network | None
    extent: object
    points: gpd.GeoDataFrame
    distance: float


def analyse(inputs: Inputs, assets: gpd.GeoDataFrame, options: BuildOptions,
            merged: pd.DataFrame | None = None) -> Analysis:
    """Coverage, counts, gaps, walking areas and access per buurt and wijk.

    Street furniture (``kleine_plek``: benches, picnic tables) is counted apart and
    feeds no coverage, gap or access figure: a bench does not make a buurt "known".
    """
    located = privacy.location_assets(assets, options.mode)
    located = located[~coverage.small_places(located)]
    ctx = _Context(areas=inputs.areas, located=located, welcoming=located[located["ontmoetingsplek"].astype(bool)],
                   network=inputs.network, extent=inputs.extent, distance=options.main_distance,
                   points=coverage.resident_points(inputs.areas, inputs.network, extent=inputs.extent))
    specs = options.coverage_specs(located["categorie"].dropna().unique())
    parts = coverage_tables(ctx, specs, options, inputs.has_places)
    layers = gap_layers(ctx, assets, parts[0], options, inputs.has_places)
    buurten = buurt_table(ctx, assets, parts, options)
    wijken = wijk_table(buurten, inputs, options)
    open_coverage = coverage.open_time_coverage(ctx.areas, ctx.located, ctx.network, ctx.distance, extent=ctx.extent,
                                                points=ctx.points) if inputs.has_places else None
    return Analysis(options=options, buurten=buurten, wijken=wijken, assets=assets, layers=layers,
                    merged=merged if merged is not None else pd.DataFrame(), sources=list(inputs.sources),
                    network=inputs.network, specs=specs, points=ctx.points, open_coverage=open_coverage)


def run_spec(ctx: _Context, spec: metrics.CoverageSpec) -> pd.DataFrame:
    """The coverage table of one spec, with its columns named by the spec (see :mod:`abcd_map.metrics`)."""
    return coverage.coverage_for_spec(ctx.areas, ctx.located, ctx.network, spec, extent=ctx.extent,
                                      points=ctx.points)


def coverage_tables(ctx: _Context, specs: list[metrics.CoverageSpec], options: BuildOptions,
                    has_places: bool) -> list[pd.DataFrame]:
    """One coverage table per spec; without any source of places every figure is unknown, not 0%."""
    with warnings.catch_warnings():
        if not has_places:  # coverage is blanked below; its notes (e.g. "no network") would only confuse
            warnings.simplefilter("ignore", AbcdWarning)
        parts = [run_spec(ctx, spec) for spec in specs]
    if not has_places:
        for part in parts:
            figures = [c for c in part.columns if metrics.is_coverage_column(c) or metrics.is_within_column(c)
                       or c in (metrics.RESIDENTS_WITH_DATA_COLUMN, metrics.DATA_SHARE_COLUMN)]
            part[figures] = np.nan
        parts[0]["gegevens"] = NO_PLACES
        note("Alleen gebieden, geen OSM-bestand of eigen assets: de dekking is onbekend, niet 0%.")
    return parts


def gap_layers(ctx: _Context, assets: gpd.GeoDataFrame, welcoming_coverage: pd.DataFrame, options: BuildOptions,
               has_places: bool) -> dict[str, gpd.GeoDataFrame]:
    """White spots, knowledge gaps (whole buurten and parts of buurten) and the walking area.

    Knowledge gaps are looked for only in buurten with data (``ok`` or ``gedeeltelijk``, the
    latter cut to its part inside the data): outside the OSM extract nothing is known *because
    the data ends* ("geen gegevens"), which is not a gap; nor in a run without any places.
    """
    if not has_places:
        white = gaps.white_spots(ctx.areas.iloc[:0], ctx.welcoming, None, ctx.distance)
    else:
        white = gaps.white_spots(ctx.areas, ctx.welcoming, ctx.network, ctx.distance, extent=ctx.extent,
                                 points=ctx.points)
    known = assets[~privacy.is_person(assets).to_numpy()] if options.mode == privacy.PUBLIC else assets
    known = known[~coverage.small_places(known)]
    with_data = welcoming_coverage["gegevens"].reindex(ctx.areas["buurtcode"]).isin(coverage.DATA_WITH_FIGURES)
    unknown = gaps.knowledge_gaps(ctx.areas[with_data.to_numpy()], known, today=options.today, extent=ctx.extent)
    layers = {"witte_vlekken": white, "kennisgaten": unknown}
    if has_places:
        layers["kennisgaten"] = _unknown_parts(unknown, ctx)
        walk = gaps.walking_areas(ctx.welcoming, ctx.network, ctx.distance)
        if walk is not None and len(walk):
            layers["loopgebied"] = walk
    return layers


def _unknown_parts(unknown: gpd.GeoDataFrame, ctx: _Context) -> gpd.GeoDataFrame:
    """Knowledge gaps inside buurten: inhabited parts with no known asset of any kind within the distance.

    Uses the white-spot method with every located asset (persons only in team mode);
    buurten that are a knowledge gap as a whole are not repeated.
    """
    parts = gaps.white_spots(ctx.areas, ctx.located, ctx.network, ctx.distance, selection={}, extent=ctx.extent,
                             points=ctx.points)
    parts = parts[~parts["buurtcode"].isin(unknown["buurtcode"]).to_numpy()]
    if parts.empty:
        return unknown
    parts = parts.assign(reden=f"niets bekend binnen {ctx.distance:g} m")
    keep = [c for c in unknown.columns if c in parts.columns]
    return gpd.GeoDataFrame(pd.concat([unknown, parts[keep]], ignore_index=True), geometry="geometry",
                            crs=settings.crs)


def buurt_table(ctx: _Context, assets: gpd.GeoDataFrame, parts: list[pd.DataFrame],
                options: BuildOptions) -> gpd.GeoDataFrame:
    """The buurt table: areas joined with counts, coverage, exact person counts, access and need rank.

    Every figure of a buurt without data (``gegevens`` not ``ok`` or ``gedeeltelijk``) is empty,
    never 0 (see :func:`blank_unknown`).
    """
    counts = coverage.count_assets(ctx.areas, assets[~privacy.is_person(assets).to_numpy()], extent=ctx.extent)
    persons, _ = privacy.person_counts(assets, ctx.areas, mode=privacy.TEAM)
    acc = access.access_per_buurt(ctx.areas, ctx.welcoming, ctx.network, ctx.distance, points=ctx.points,
                                  extent=ctx.extent)
    table = ctx.areas.set_index("buurtcode")
    if ctx.extent is not None:
        table["osm_aandeel_pct"] = (100 * coverage.extent_share(ctx.areas, ctx.extent)).round(0).reindex(table.index)
    for part in (counts, *parts, persons, acc):
        table = table.join(part.drop(columns=[c for c in part.columns if c in table]), how="left")
    table = rounded(blank_unknown(table).reset_index())
    ranked = need_ranking(table, options)
    if ranked is not None:
        table = table.join(ranked, on="buurtcode")
    return gpd.GeoDataFrame(table, geometry="geometry", crs=settings.crs)


#: ``gegevens`` of every buurt in a run without any source of places (areas only).
NO_PLACES = "geen gegevens over plekken"
#: Columns of the buurt table that rest on the data, besides the coverage figures.
DATA_FIGURES = ("toegang_2sfca", "toegang_per_1000", "per_1000_inwoners", "kleine_plekken",
                metrics.RESIDENTS_WITH_DATA_COLUMN)


def blank_unknown(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` (by buurtcode) with every figure that rests on data empty where there is none.

    A buurt whose ``gegevens`` is not ``ok`` or ``gedeeltelijk`` gets no coverage, 2SFCA,
    per-1,000 figure or ``aantal_*`` (the team's own count ``aantal_eigen_lijst`` stays:
    that list is known everywhere). Inside the data a zero stays a zero.
    """
    if "gegevens" not in table:
        return table
    unknown = ~table["gegevens"].isin(coverage.DATA_WITH_FIGURES)
    if not unknown.any():
        return table
    figures = [c for c in table.columns if metrics.is_coverage_column(c) or metrics.is_within_column(c)
               or c in DATA_FIGURES or (c.startswith("aantal_") and c != metrics.OWN_LIST_COUNT_COLUMN)]
    if table["gegevens"].eq(NO_PLACES).all():
        figures.append(metrics.DATA_SHARE_COLUMN)
    out = table.copy()
    for col in figures:
        if col in out:
            out[col] = pd.to_numeric(out[col], errors="coerce").astype(float).where(~unknown)
    return out


def need_ranking(table: pd.DataFrame, options: BuildOptions, need: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """Rank buurten by high need with low coverage; None when there is nothing to rank.

    Need comes from ``need`` (e.g. :func:`need_indicators` of the CBS kerncijfers), else
    ``--behoefte``, else the CBS share of 65+.
    """
    column = options.main_coverage_column
    if need is None and options.behoefte is None and "p_65_plus" not in table:
        return None
    if need is None and options.behoefte is not None:
        need = load_need(options.behoefte)
    if column not in table or table[column].notna().sum() < 3:
        return None
    ranked = rank_need(table.set_index("buurtcode"), need,
                       need_columns=None if need is not None else ["p_65_plus"], coverage_column=column)
    ranked = ranked[["behoefte_index", "rang", "duiding"]]
    if "gegevens" in table:  # unknown without data: no index, rank or reading (rank_need's z-scores are unchanged)
        unknown = ~table.set_index("buurtcode")["gegevens"].reindex(ranked.index).isin(coverage.DATA_WITH_FIGURES)
        ranked = ranked.assign(behoefte_index=ranked["behoefte_index"].where(~unknown),
                               rang=ranked["rang"].where(~unknown),
                               duiding=ranked["duiding"].astype(object).where(~unknown, None))
    return ranked


def wijk_table(buurten: gpd.GeoDataFrame, inputs: Inputs, options: BuildOptions) -> gpd.GeoDataFrame:
    """Wijk figures joined to the wijk boundaries and names (names from the wijk file win).

    ``inwoners_met_gegevens`` says on how many residents the wijk's figures rest (its
    buurten's residents inside the data), ``gegevens_pct`` which share of the wijk that is;
    below ``settings.osm_extent_min_share`` the wijk's figures are empty (see
    :func:`abcd_map.analyse.coverage.summarise_wijken`).
    The person counts are exact here; the privacy gate suppresses them.
    """
    figures = coverage.summarise_wijken(buurten, inputs.areas)
    shapes = inputs.wijk_areas.set_index("wijkcode")
    if not inputs.has_places:
        figures = figures.assign(gegevens=NO_PLACES)
        figures[metrics.DATA_SHARE_COLUMN] = np.nan
    table = figures.drop(columns=[c for c in ("wijknaam",) if c in figures and c in shapes]).join(
        shapes[[c for c in ("wijknaam", "gemeentecode", "gemeentenaam", "geometry") if c in shapes]], how="left")
    persons = buurten.groupby("wijkcode")["personen_aantal"].sum() if "personen_aantal" in buurten else None
    if persons is not None:
        table = table.join(persons.rename("personen_aantal"), how="left")
    front = [c for c in ("wijknaam", "gemeentecode", "gemeentenaam") if c in table]
    table = table[front + [c for c in table.columns if c not in front]]
    return gpd.GeoDataFrame(rounded(table.reset_index()), geometry="geometry", crs=settings.crs)


def rounded(table: pd.DataFrame) -> pd.DataFrame:
    """Round figures for reading: shares and rates to 1 decimal, access scores to 6 decimals.

    ``gegevens_pct`` is rounded down, so that a ``gedeeltelijk`` buurt never reads 90.0.
    """
    out = table.copy()
    for col in out.columns:
        if not pd.api.types.is_float_dtype(out[col]):
            continue
        if col == metrics.DATA_SHARE_COLUMN:
            out[col] = np.floor(out[col] * 10 + 1e-6) / 10
        elif "dekking" in col or col.startswith("per_1000") or col.endswith(("_ha", "_pct")) or "inwoners" in col \
                or "binnen" in col:
            out[col] = out[col].round(1)
        elif col.startswith(("toegang", "behoefte")):
            out[col] = out[col].round(6)
    return out


# --------------------------------------------------------------------------- facilities, CBS, gemeenten

def compare_facilities(analysis: Analysis, inputs: Inputs) -> Analysis:
    """Distance to the nearest huisarts, supermarkt, kinderopvang, basisschool and ontmoetingsplek.

    Per buurt the resident-weighted mean walking distance (km; unknown beyond the edge of
    the OSM data), per wijk and gemeente its weighted mean; with CBS kerncijfers, CBS's own
    distances beside ours (``cbs_afstand_*_km``) and the correlation in the notes. Also
    makes the gemeente table (``gemeenten.csv``).
    """
    buurten, wijken = analysis.buurten, analysis.wijken
    if inputs.has_places:
        assets = analysis.assets[~privacy.is_person(analysis.assets).to_numpy()]
        dist = nearest.nearest_for_facilities(inputs.areas, assets, inputs.network, points=analysis.points,
                                              extent=inputs.extent)
        buurten = buurten.join(dist.round(2), on="buurtcode")
        wijken = wijken.join(_nearest_summary(dist, inputs.areas, "wijkcode"), on="wijkcode")
    if inputs.kwb is not None:
        buurten, unmatched = join_kerncijfers(buurten, inputs.kwb)
        if inputs.has_places:
            note_correlation(correlation(buurten.set_index("buurtcode"), buurten.set_index("buurtcode")))
            buurten = with_cbs_difference(buurten)
            buurten = rerank_with(buurten, need_indicators(buurten, analysis.options), analysis.options)
    analysis.buurten, analysis.wijken = buurten, wijken
    analysis.gemeenten = gemeente_table(buurten, inputs, analysis.options)
    return analysis


def need_indicators(buurten: pd.DataFrame, options: BuildOptions) -> pd.DataFrame | None:
    """Need indicators per buurt from the CBS kerncijfers (``settings.kwb_need_indicators``).

    The share of single-person households is derived from the counts. A ``--behoefte``
    file wins for the indicators it names and adds its others.
    """
    table = buurten.set_index("buurtcode")
    need = pd.DataFrame(index=table.index)
    if {"cbs_eenpersoonshuishoudens", "cbs_huishoudens"} <= set(table.columns):
        households = table["cbs_huishoudens"].where(table["cbs_huishoudens"] > 0)
        need["cbs_pct_eenpersoonshuishoudens"] = 100 * table["cbs_eenpersoonshuishoudens"] / households
    for col in settings.kwb_need_indicators:
        if col in table.columns:
            need[col] = table[col]
    if options.behoefte is not None:
        own = load_need(options.behoefte)
        need = need.drop(columns=[c for c in own.columns if c in need.columns]).join(own, how="outer")
    need = need.dropna(axis=1, how="all")
    return need if len(need.columns) else None


def rerank_with(buurten: gpd.GeoDataFrame, need: pd.DataFrame | None, options: BuildOptions) -> gpd.GeoDataFrame:
    """The need ranking again, with ``need`` as indicators (unchanged when there are none)."""
    ranked = need_ranking(buurten, options, need) if need is not None else None
    if ranked is None:
        return buurten
    note("Behoefte-index uit de CBS-kerncijfers: " + ", ".join(need.columns)
         + (" (met --behoefte voor de kolommen die dat bestand noemt)." if options.behoefte else "."))
    kept = buurten.drop(columns=[c for c in ranked.columns if c in buurten.columns])
    return kept.join(ranked, on="buurtcode")


def with_cbs_difference(buurten: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``verschil_cbs_<voorziening>_km``: our walking distance minus CBS's road distance (empty if either is)."""
    out = buurten.copy()
    for code in nearest.facility_codes():
        ours, cbs = nearest.distance_column(code), f"cbs_{nearest.distance_column(code)}"
        if ours in out and cbs in out:
            out[metrics.difference_column(code)] = (out[ours] - out[cbs]).round(2)
    return out


def _nearest_summary(dist: pd.DataFrame, areas: gpd.GeoDataFrame, by: str) -> pd.DataFrame:
    return nearest.summarise_nearest(dist, areas, by=by).drop(columns="inwoners").round(2)


def note_correlation(result: dict[str, dict[str, float]]) -> None:
    """Say in the notes how well our walking distances follow CBS's road distances."""
    parts = [f"{code} r = {v['r']:.2f} (n = {v['n']})" for code, v in result.items() if v["n"]]
    parts = [p.replace("r = nan", "r onbekend") for p in parts]
    if parts:
        note("Afstand tot de dichtstbijzijnde voorziening, onze looproute tegenover CBS (over de weg): "
             + "; ".join(parts) + ". Zie README, 'Afstand tot voorzieningen'.")


def gemeente_table(buurten: gpd.GeoDataFrame, inputs: Inputs, options: BuildOptions) -> gpd.GeoDataFrame:
    """The wijk figures computed per gemeente (the same rules: weighted by the residents they rest on)."""
    def as_wijk(table: pd.DataFrame) -> pd.DataFrame:
        return table.assign(wijkcode=table["gemeentecode"].fillna("GM").astype(str),
                            wijknaam=table["gemeentenaam"].fillna("").astype(str))

    areas = as_wijk(inputs.areas)
    shapes = areas[areas.geometry.notna()].dissolve("wijkcode", as_index=False)[["wijkcode", "wijknaam", "geometry"]]
    gemeente_inputs = Inputs(areas=areas, wijk_areas=shapes, hand=inputs.hand, osm=inputs.osm,
                             has_places=inputs.has_places)
    table = wijk_table(as_wijk(buurten), gemeente_inputs, options)
    dist = [c for c in buurten.columns if c.startswith("afstand_")]
    if dist:
        table = table.join(_nearest_summary(buurten.set_index("buurtcode")[dist], areas, "wijkcode"), on="wijkcode")
    return table.rename(columns={"wijkcode": "gemeentecode", "wijknaam": "gemeentenaam"})
