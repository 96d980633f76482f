"""Who lives within walking distance of a welcoming place: coverage per buurt and wijk.

Where people live
-----------------
CBS gives the number of residents per buurt, not where in the buurt they live.
Putting them all at the buurt's centre would make a buurt either fully covered or
not at all. Instead the residents of each buurt are spread over the places where
homes are likely to be:

1. **Own address points** (optional): when a team supplies address points (with an
   optional weight column ``gewicht``), the residents of a buurt are divided over
   its address points in proportion to their weight (1 when there is no weight).
2. **Streets** (default): over the walking-network nodes inside the buurt, each node
   weighted by half the length of the street segments that meet there. This
   approximates street frontage: a long street has more front doors than a short
   one, a dead end fewer than a junction. Limits: paths through parks and streets on
   industrial estates count like residential streets, and a node on a street just
   outside the buurt does not count.
3. **Grid** (fallback): a buurt with residents but no network node inside it gets a
   regular grid of points (``settings.resident_grid_spacing``, 50 m) over its
   polygon, or its representative point when it is smaller than one grid cell. A
   note says how many buurten this happened to.

The weights of a buurt's points always add up to the buurt's residents, so
coverage is "share of residents", not "share of area". When a whole table has no
resident numbers at all, coverage is measured by area instead (equal-area grid
points; ``dekking_basis`` = ``oppervlakte``).

Coverage
--------
A resident point is *covered* at distance d when the walking distance to the
nearest selected asset is at most d metres (inclusive); see
:mod:`abcd_map.analyse.network` for how walks are measured. ``dekking_{d}m`` is the
covered share of the buurt's residents in percent.

Where the data ends
-------------------
An OpenStreetMap extract has data inside its *extent* only. The share of a buurt's
residents inside it is estimated by the share of the buurt's area inside the extent,
or, when own address points are given, by the share of their weight inside it
(:func:`data_share`); where the streets happen to be mapped plays no part.

* ``ok``: at least ``settings.osm_extent_full_share`` (90%) inside: taken as wholly
  inside (all its residents, its whole area), as before partial data existed;
* ``gedeeltelijk``: at least ``settings.osm_extent_min_share`` (50%): its figures are
  about the residents inside only (``inwoners_met_gegevens``, ``gegevens_pct``);
* ``geen OSM-gegevens``: less: every figure of the buurt is empty (unknown, never 0 and
  never a gap).

Residents of a ``gedeeltelijk`` buurt are never moved from the part without data onto the
part with data: its resident points lie inside the extent only and carry together its
residents times its share inside (:func:`figure_share`); coverage shares are taken of
those residents.

Lenses
------
A lens (``data/lenses.csv``) looks through the eyes of one group: residents are the
group's share (age columns, e.g. ``p_65_plus``), assets are those whose
``doelgroepen`` name one of the lens's groups, ``iedereen``, or nothing at all (an
asset that names no target group is taken to be for everyone), and the default
distance is the lens's own (seniors walk less far).
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from typing import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import hours, metrics, schema, settings
from ..errors import InputError, InputProblem, note
from ..geo import assign_areas, has_geometry, share_inside, to_working_crs, with_geometry
from .network import METHOD_NETWORK, METHOD_STRAIGHT, Network, pair_costs, point_distances

#: Values of the ``gegevens`` column.
DATA_OK = "ok"
DATA_PARTIAL = "gedeeltelijk"
DATA_NO_OSM = "geen OSM-gegevens"
DATA_NO_GEOMETRY = "geen geometrie"
#: The ``gegevens`` values of buurten that have figures (about their residents inside the data).
DATA_WITH_FIGURES = (DATA_OK, DATA_PARTIAL)
#: Values of ``dekking_basis``.
BASIS_RESIDENTS = "inwoners"
BASIS_AREA = "oppervlakte"
#: Value of ``afstand_methode`` for a buurt measured partly each way.
METHOD_MIXED = "gemengd"

_SELECTION_KEYS = ("categorie", "soort", "ontmoetingsplek", "inloop", "doelgroep")


# --------------------------------------------------------------------- lenses
@lru_cache(maxsize=None)
def lenses() -> pd.DataFrame:
    """The lens table (``data/lenses.csv``), indexed by lens code."""
    table = pd.read_csv(settings.data_path("lenses.csv"), dtype=str, keep_default_na=False)
    table["afstand"] = table["afstand"].astype(float)
    return table.set_index("lens")


def lens_info(lens: str) -> dict:
    """Age columns, target groups and default distance of a lens."""
    table = lenses()
    lens = str(lens).strip().lower()
    if lens not in table.index:
        raise InputError(InputProblem(file="", message=f"onbekende lens '{lens}'", value=lens,
                                      expected=", ".join(table.index)))
    row = table.loc[lens]
    split = lambda text: [t.strip() for t in str(text).split(";") if t.strip()]  # noqa: E731
    return {"lens": lens, "label": row["label_nl"], "leeftijd_kolommen": split(row["leeftijd_kolommen"]),
            "doelgroepen": split(row["doelgroepen"]), "afstand": float(row["afstand"])}


# ------------------------------------------------------------------ selection
def _bool_column(assets: pd.DataFrame, column: str) -> pd.Series:
    if column not in assets.columns:
        return pd.Series(False, index=assets.index)
    s = assets[column]
    return s.where(s.notna(), False).astype(bool)


def _has_group(assets: pd.DataFrame, groups: Iterable[str], empty_counts: bool = False) -> pd.Series:
    if "doelgroepen" not in assets.columns:
        return pd.Series(empty_counts, index=assets.index)
    text = assets["doelgroepen"].astype(object).where(assets["doelgroepen"].notna(), "").astype(str)
    groups = [g for g in groups if g]
    if groups:
        pattern = r"(?:^|;)\s*(?:" + "|".join(re.escape(g) for g in groups) + r")\s*(?:;|$)"
        mask = text.str.contains(pattern, regex=True)
    else:
        mask = pd.Series(False, index=assets.index)
    if empty_counts:
        mask = mask | (text.str.strip() == "")
    return mask.astype(bool)


def _dict_mask(assets: pd.DataFrame, selection: dict) -> pd.Series:
    """AND of the conditions of a selection dict (see :func:`select_assets`)."""
    mask = pd.Series(True, index=assets.index)
    for key, value in selection.items():
        if key not in _SELECTION_KEYS:
            raise InputError(InputProblem(file="", message=f"onbekende selectie '{key}'", value=key,
                                          expected=", ".join(_SELECTION_KEYS)))
        if key in ("ontmoetingsplek", "inloop"):
            mask &= _bool_column(assets, key) == bool(value)
            continue
        values = [value] if isinstance(value, str) else list(value)
        if key == "doelgroep":
            mask &= _has_group(assets, values)
        else:
            col = assets[key] if key in assets.columns else pd.Series("", index=assets.index)
            mask &= col.isin(values)
    return mask


def selection_mask(assets: pd.DataFrame, selection=None, lens: str | None = None) -> pd.Series:
    """Boolean Series: the rows of ``assets`` a selection (and a lens) picks, location not checked.

    Parameters
    ----------
    assets : DataFrame
        Asset table.
    selection, lens
        As in :func:`select_assets`.

    Returns
    -------
    Series of bool, indexed like ``assets``.
    """
    if selection is None:
        mask = _bool_column(assets, "ontmoetingsplek")
    elif callable(selection):
        mask = pd.Series(selection(assets), index=assets.index).astype(bool)
    elif isinstance(selection, pd.Series):
        mask = selection.reindex(assets.index).where(lambda s: s.notna(), False).astype(bool)
    elif isinstance(selection, dict):
        mask = _dict_mask(assets, selection)
    else:
        raise TypeError("selection must be None, a dict, a callable or a boolean Series")
    if lens is not None:
        info = lens_info(lens)
        if lens != "iedereen":
            mask &= _has_group(assets, info["doelgroepen"] + ["iedereen"], empty_counts=True)
    return mask


def select_assets(assets: gpd.GeoDataFrame, selection=None, lens: str | None = None) -> gpd.GeoDataFrame:
    """Assets picked by a selection (and a lens) that have a point location.

    Parameters
    ----------
    selection : None, dict, callable or boolean Series
        ``None``: welcoming places (``ontmoetingsplek`` true). A dict may hold
        ``categorie``, ``soort``, ``doelgroep`` (a code or a list of codes) and
        ``ontmoetingsplek``, ``inloop`` (booleans); all keys must hold (AND); ``{}``
        selects everything. A callable gets the table and returns a boolean mask.
    lens : str, optional
        Keep only assets for the lens's target groups, ``iedereen`` or no group.

    Returns
    -------
    GeoDataFrame of the selected assets with a Point geometry, in EPSG:28992.
    """
    out = with_geometry(assets[selection_mask(assets, selection, lens).to_numpy()])
    if len(out):
        out = out[(out.geometry.geom_type == "Point").to_numpy()]
    return out


# ------------------------------------------------------------ resident points
def _residents(table: pd.DataFrame, codes: pd.Index | None = None) -> pd.Series:
    """Residents per buurtcode (the first row of a repeated code; NaN when unknown)."""
    ref = table.drop_duplicates("buurtcode").set_index("buurtcode")
    inw = pd.to_numeric(ref["inwoners"], errors="coerce") if "inwoners" in ref.columns \
        else pd.Series(np.nan, index=ref.index)
    return inw if codes is None else inw.reindex(codes)


def _grid(geom, spacing: float) -> np.ndarray:
    minx, miny, maxx, maxy = geom.bounds
    xs = np.arange(minx + spacing / 2, maxx, spacing)
    ys = np.arange(miny + spacing / 2, maxy, spacing)
    gx, gy = np.meshgrid(xs, ys)
    gx, gy = gx.ravel(), gy.ravel()
    inside = shapely.contains_xy(geom, gx, gy)
    return np.column_stack([gx[inside], gy[inside]])


def _grid_points(buurten: gpd.GeoDataFrame, spacing: float) -> pd.DataFrame:
    """Grid points over each buurt (representative point for tiny buurten)."""
    frames = []
    for code, geom in zip(buurten["buurtcode"], buurten.geometry):
        xy = _grid(geom, spacing)
        source = "raster"
        if len(xy) == 0:
            p = geom.representative_point()
            xy = np.array([[p.x, p.y]])
            source = "middelpunt"
        frames.append(pd.DataFrame({"buurtcode": code, "x": xy[:, 0], "y": xy[:, 1], "bron": source}))
    if not frames:
        return pd.DataFrame({"buurtcode": [], "x": [], "y": [], "bron": []})
    return pd.concat(frames, ignore_index=True)


def _weight_column(addresses: pd.DataFrame) -> pd.Series:
    for col in ("gewicht", "weight", "inwoners", "aantal"):
        if col in addresses.columns:
            return pd.to_numeric(addresses[col], errors="coerce").fillna(0.0).clip(lower=0)
    return pd.Series(1.0, index=addresses.index)


def resident_points(buurten: gpd.GeoDataFrame, network: Network | None = None,
                    addresses: gpd.GeoDataFrame | None = None, *,
                    grid_spacing: float | None = None, extent=None) -> gpd.GeoDataFrame:
    """Points standing for where the residents of each buurt live.

    Parameters
    ----------
    buurten : GeoDataFrame
        Area table with ``buurtcode`` and ``inwoners`` (rows without geometry are skipped).
    network : Network, optional
        Residents are spread over its nodes inside each buurt, weighted by street frontage.
    addresses : GeoDataFrame, optional
        Own address points, optionally with a weight column ``gewicht``; used for the
        buurten they fall in.
    grid_spacing : float
        Grid spacing (m) of the fallback; default ``settings.resident_grid_spacing``.
    extent : geometry, optional
        Where the OSM data ends. A buurt with less than ``settings.osm_extent_min_share``
        of its residents inside gets no points; the points of a ``gedeeltelijk`` buurt lie
        inside the extent and carry its residents times its share inside
        (:func:`figure_share`), never the residents of the part outside.

    Returns
    -------
    GeoDataFrame with ``buurtcode``, ``inwoners`` (weights adding up to the buurt's
    residents inside the data; NaN when the buurt's residents are unknown), ``bron``
    (``adres``, ``netwerk``, ``raster`` or ``middelpunt``) and Point geometry (EPSG:28992).
    """
    spacing = settings.resident_grid_spacing if grid_spacing is None else grid_spacing
    share = data_share(buurten, extent, addresses)
    b = areas_with_data(buurten, extent, share=share)
    frames: list[pd.DataFrame] = []
    done: set = set()
    if addresses is not None and len(addresses):
        frame = _address_points(addresses, b)
        if frame is not None:
            frames.append(frame)
            done |= set(frame.loc[frame["w"] > 0, "buurtcode"].unique())
    rest = b[~b["buurtcode"].isin(done).to_numpy()]
    if network is not None and network.n_nodes and len(rest):
        frame = _street_points(network, rest)
        if frame is not None:
            frames.append(frame)
            done |= set(frame["buurtcode"].unique())
        rest = rest[~rest["buurtcode"].isin(done).to_numpy()]
        _note_streetless(rest, spacing)
    if len(rest):
        g = _grid_points(rest, spacing)
        g["w"] = 1.0
        frames.append(g)
    if frames:
        pts = pd.concat(frames, ignore_index=True)
    else:
        pts = pd.DataFrame({"buurtcode": [], "x": [], "y": [], "bron": [], "w": []})
    inw = _residents(b)
    inw = inw * figure_share(share).reindex(inw.index).fillna(1.0)
    total = pts.groupby("buurtcode")["w"].transform("sum")
    share = np.where(total > 0, pts["w"] / total.where(total > 0, 1), 0.0)
    pts["inwoners"] = share * pts["buurtcode"].map(inw).to_numpy(dtype=float)
    return gpd.GeoDataFrame(pts[["buurtcode", "inwoners", "bron"]],
                            geometry=gpd.points_from_xy(pts["x"], pts["y"]), crs=settings.crs)


def _address_points(addresses: gpd.GeoDataFrame, buurten: gpd.GeoDataFrame) -> pd.DataFrame | None:
    """Own address points inside ``buurten`` with their weight ``w``; None when none is inside."""
    addr = with_geometry(addresses)
    code = assign_areas(addr, buurten)
    keep = code.notna().to_numpy()
    if not keep.any():
        return None
    a = addr[keep]
    return pd.DataFrame({"buurtcode": code[keep].to_numpy(), "x": a.geometry.x.to_numpy(),
                         "y": a.geometry.y.to_numpy(), "bron": "adres", "w": _weight_column(a).to_numpy()})


def _street_points(network: Network, buurten: gpd.GeoDataFrame) -> pd.DataFrame | None:
    """Network nodes inside ``buurten`` weighted by street frontage; None when none is inside."""
    w = network.node_weights()
    idx = np.flatnonzero(w > 0)
    nodes = gpd.GeoDataFrame({"w": w[idx]}, geometry=gpd.points_from_xy(network.x[idx], network.y[idx]),
                             crs=settings.crs)
    code = assign_areas(nodes, buurten)
    keep = code.notna().to_numpy()
    if not keep.any():
        return None
    return pd.DataFrame({"buurtcode": code[keep].to_numpy(), "x": network.x[idx][keep],
                         "y": network.y[idx][keep], "bron": "netwerk", "w": w[idx][keep]})


def _note_streetless(rest: gpd.GeoDataFrame, spacing: float) -> None:
    """Say how many inhabited buurten (with data) have no street of the network."""
    inhabited = pd.to_numeric(rest["inwoners"], errors="coerce").fillna(0) > 0
    if inhabited.any():
        note(f"{int(inhabited.sum())} buurt(en) met inwoners hebben geen straat in het loopnetwerk; "
             f"hun inwoners zijn verdeeld over een raster van {metrics.distance_text(spacing)} m.")


# --------------------------------------------------------------------- extent
def extent_share(buurten: gpd.GeoDataFrame, extent) -> pd.Series:
    """Share (0-1) of each buurt's area inside the OSM extent, by buurtcode (1 if no extent).

    Exactly 1 for a buurt that lies wholly inside the extent.
    """
    b = with_geometry(buurten)
    if extent is None:
        return pd.Series(1.0, index=b["buurtcode"].to_numpy())
    # one run asks this for the same buurten and extent some 15 times (every figure, gap and table):
    # the overlay is made once per distinct input
    key = hashlib.sha1(shapely.to_wkb(extent) + b"".join(shapely.to_wkb(b.geometry.to_numpy()))
                       + "\x1f".join(map(str, b["buurtcode"])).encode()).hexdigest()
    if key not in _EXTENT_SHARES:
        share = share_inside(b, extent).fillna(0.0).to_numpy()
        whole = shapely.covered_by(b.geometry.to_numpy(), extent) if not extent.is_empty else False
        if len(_EXTENT_SHARES) >= 4:
            _EXTENT_SHARES.pop(next(iter(_EXTENT_SHARES)))
        _EXTENT_SHARES[key] = np.where(whole, 1.0, share)
    return pd.Series(_EXTENT_SHARES[key].copy(), index=b["buurtcode"].to_numpy())


#: :func:`extent_share` answers by a hash of the buurten and the extent (the last few only).
_EXTENT_SHARES: dict[str, np.ndarray] = {}


def data_share(buurten: gpd.GeoDataFrame, extent, addresses: gpd.GeoDataFrame | None = None) -> pd.Series:
    """Share (0-1) of each buurt's residents estimated to live inside the OSM extent, by buurtcode.

    Parameters
    ----------
    buurten : GeoDataFrame
        Area table (rows without geometry are left out).
    extent : geometry or None
        Where the OSM data ends (EPSG:28992); None: everything is inside (share 1).
    addresses : GeoDataFrame, optional
        Own address points (weight column as in :func:`resident_points`). A buurt with
        address points of positive weight gets the share of that weight inside the
        extent; any other buurt the share of its area (:func:`extent_share`).

    Returns
    -------
    Series of float indexed by buurtcode (one row per code).
    """
    share = extent_share(buurten, extent)
    share = share[~share.index.duplicated()]
    if extent is None or addresses is None or not len(addresses):
        return share
    b = with_geometry(buurten)
    addr = with_geometry(addresses)
    weight = _weight_column(addr).to_numpy()
    inside = shapely.intersects(addr.geometry.to_numpy(), extent)
    per = pd.DataFrame({"buurtcode": assign_areas(addr, b).to_numpy(), "w": weight, "inside": weight * inside})
    per = per.dropna(subset=["buurtcode"]).groupby("buurtcode")[["w", "inside"]].sum()
    per = per[per["w"] > 0]
    share.loc[per.index] = (per["inside"] / per["w"]).to_numpy()
    return share


def status_of_share(share: pd.Series) -> pd.Series:
    """The ``gegevens`` value of a share (0-1) of residents inside the data.

    ``ok`` from ``settings.osm_extent_full_share``, ``gedeeltelijk`` from
    ``settings.osm_extent_min_share``, ``geen OSM-gegevens`` below (and for NaN).
    """
    values = np.select([share >= settings.osm_extent_full_share, share >= settings.osm_extent_min_share],
                       [DATA_OK, DATA_PARTIAL], DATA_NO_OSM)
    return pd.Series(values, index=share.index, dtype=object)


def figure_share(share: pd.Series) -> pd.Series:
    """The share (0-1) of a buurt's residents its figures are about, from its share inside the data.

    1 for an ``ok`` buurt (taken as wholly inside), the share itself for a ``gedeeltelijk``
    one, 0 below ``settings.osm_extent_min_share``.
    """
    return share.where(share < settings.osm_extent_full_share, 1.0).where(
        share >= settings.osm_extent_min_share, 0.0)


def data_status(buurten: gpd.GeoDataFrame, extent, addresses: gpd.GeoDataFrame | None = None) -> pd.Series:
    """The ``gegevens`` value of each buurt, by buurtcode (first row of a repeated code).

    ``ok`` (:data:`DATA_OK`), ``gedeeltelijk`` (:data:`DATA_PARTIAL`) or ``geen
    OSM-gegevens`` (:data:`DATA_NO_OSM`) by the share of the buurt's residents inside the
    OSM ``extent`` (:func:`data_share`, :func:`status_of_share`; ``ok`` without extent),
    ``geen geometrie`` (:data:`DATA_NO_GEOMETRY`) for a buurt without polygon. Analyses
    give figures only for :data:`DATA_WITH_FIGURES`.
    """
    codes = pd.Index(buurten["buurtcode"]).drop_duplicates()
    status = status_of_share(data_share(buurten, extent, addresses)).reindex(codes)
    return status.fillna(DATA_NO_GEOMETRY).astype(object)


def areas_with_data(buurten: gpd.GeoDataFrame, extent, *, share: pd.Series | None = None) -> gpd.GeoDataFrame:
    """The buurten that have figures, each cut to the part inside the OSM extent.

    Parameters
    ----------
    buurten : GeoDataFrame
        Area table; rows without geometry are left out.
    extent : geometry or None
        Where the OSM data ends; None: every buurt, uncut.
    share : Series, optional
        Share of residents inside by buurtcode (default :func:`data_share` by area).

    Returns
    -------
    GeoDataFrame with the rows of ``buurten`` whose share is at least
    ``settings.osm_extent_min_share``; the geometry of a ``gedeeltelijk`` buurt cut to the
    extent (an ``ok`` buurt keeps its own geometry).
    """
    b = with_geometry(buurten)
    if extent is None:
        return b
    share = data_share(b, extent) if share is None else share
    own = share.reindex(b["buurtcode"]).to_numpy()
    b, own = b[own >= settings.osm_extent_min_share], own[own >= settings.osm_extent_min_share]
    if b.empty:
        return b
    geoms = b.geometry.to_numpy()
    whole = own >= settings.osm_extent_full_share
    cut = geoms.copy()
    cut[~whole] = shapely.intersection(geoms[~whole], extent)
    b = b.copy()
    b[b.geometry.name] = gpd.GeoSeries(cut, index=b.index, crs=b.crs)
    return b[has_geometry(b)]


# ------------------------------------------------------------------- coverage

def _demand(areas: gpd.GeoDataFrame, network: Network | None, extent, points: gpd.GeoDataFrame | None):
    """Areas in the working CRS, their codes and residents, whether to count area instead, and the points.

    Without any residents the points stand for area (one per grid cell inside the data);
    otherwise they are the resident points (``points`` when given).
    """
    b_all = to_working_crs(areas)
    codes = pd.Index(b_all["buurtcode"]).drop_duplicates()
    inw = _residents(b_all, codes)
    area_mode = not (inw.fillna(0) > 0).any()
    pts = _area_points(areas_with_data(b_all, extent)) if area_mode \
        else points if points is not None else resident_points(b_all, network, extent=extent)
    return b_all, codes, inw, area_mode, pts

def coverage(buurten: gpd.GeoDataFrame, assets: gpd.GeoDataFrame, network: Network | None = None,
             distances: float | Iterable[float] | None = None, *, selection=None, lens: str | None = None,
             extent=None, points: gpd.GeoDataFrame | None = None) -> pd.DataFrame:
    """Share of residents within walking distance of at least one selected asset, per buurt.

    Parameters
    ----------
    buurten : GeoDataFrame
        Area table (``buurtcode``, ``inwoners``, age shares for lenses).
    assets : GeoDataFrame
        Asset table.
    network : Network, optional
        Walking network; without it distances are straight lines (``hemelsbreed``).
    distances : float or list of float
        Walking distances in metres; default the lens's distance or
        ``settings.default_distance``. Several distances cost one search.
    selection : see :func:`select_assets` (default: welcoming places).
    lens : str, optional
        A lens code from ``data/lenses.csv``.
    extent : shapely geometry, optional
        Where the OSM extract has data (EPSG:28992); see "Where the data ends" above.
    points : GeoDataFrame, optional
        Resident points from :func:`resident_points`, made with the same ``extent``
        (computed when not given).

    Returns
    -------
    DataFrame indexed by ``buurtcode`` with ``inwoners``, ``inwoners_binnen_{d}m`` and
    ``dekking_{d}m`` (percent 0-100 of the residents inside the data) for every d — with
    a lens ``{lens}_inwoners``, ``{lens}_binnen_{d}m``, ``{lens}_dekking_{d}m`` — plus
    ``inwoners_met_gegevens`` (residents inside the data; empty for a buurt without
    figures), ``afstand_methode``, ``gegevens``, ``gegevens_pct`` and ``dekking_basis``.
    The figures of a buurt whose ``gegevens`` is not ``ok`` or ``gedeeltelijk`` are empty.
    """
    info = lens_info(lens) if lens is not None else None
    distances = _distance_list(distances, info)
    b_all, codes, inw, area_mode, pts = _demand(buurten, network, extent, points)
    # residents (or area) per point inside the data, and the lens's share of them
    raw, weight, group_factor = _point_weights(pts, b_all, codes, inw, info, lens, area_mode)
    # walk from every point to the nearest selected asset, then sum per buurt
    sel = select_assets(assets, selection, lens)
    px, py = pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy()
    dist, method = point_distances(px, py, sel.geometry.x.to_numpy(), sel.geometry.y.to_numpy(),
                                   max(distances), network)
    df = pd.DataFrame({"buurtcode": pts["buurtcode"].to_numpy(), "w": weight, "raw": raw,
                       "net": method == METHOD_NETWORK})
    valid = np.isfinite(weight)
    denom = df[valid].groupby("buurtcode")["w"].sum().reindex(codes)
    out = _names(b_all, codes)
    on_points = df.groupby("buurtcode")["raw"].sum().reindex(codes)
    on_points = on_points.mask((on_points - inw).abs() <= 1e-9 * inw, inw)  # a sum of weights: rounding
    status, share = _data_columns(b_all, codes, extent, inw, on_points, area_mode)
    usable = status.isin(DATA_WITH_FIGURES) & (denom > 0)
    prefix = lens or ""
    _base_columns(out, inw, denom if area_mode else on_points, status.isin(DATA_WITH_FIGURES), area_mode,
                  inw * group_factor if info is not None else None, prefix)
    for d in distances:
        within = np.where(valid & (dist <= d), weight, 0.0)
        covered = pd.Series(within).groupby(df["buurtcode"]).sum().reindex(codes).fillna(0.0).where(usable)
        out[metrics.area_within_column(d) if area_mode else metrics.within_column(d, prefix)] = covered
        out[metrics.coverage_column(d, prefix)] = 100.0 * covered / denom.where(usable)
    _add_distance_method(out, df, codes)
    out["gegevens"] = status
    out[metrics.DATA_SHARE_COLUMN] = 100.0 * share
    out["dekking_basis"] = BASIS_AREA if area_mode else BASIS_RESIDENTS
    out.attrs.update({"afstanden": distances, "lens": lens, "dekking_basis": out["dekking_basis"].iloc[0]
                      if len(out) else BASIS_RESIDENTS, "aantal_assets": len(sel)})
    if network is None:
        note("Geen loopnetwerk: afstanden zijn hemelsbreed gemeten.")
    return out


def _point_weights(pts: gpd.GeoDataFrame, buurten: gpd.GeoDataFrame, codes: pd.Index, inw: pd.Series,
                   info: dict | None, lens: str | None, area_mode: bool) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """Residents (or ha) per point, the same for the lens's group, and the group's share per buurt."""
    raw = pd.to_numeric(pts["inwoners"], errors="coerce").to_numpy(dtype=float)
    group_factor = pd.Series(1.0, index=codes)
    if info is None:
        return raw, raw, group_factor
    if not area_mode:
        group_factor = _lens_factor(buurten, codes, inw, info, lens)
    return raw, raw * pts["buurtcode"].map(group_factor).to_numpy(dtype=float), group_factor


def _base_columns(out: pd.DataFrame, inw: pd.Series, with_data: pd.Series, known: pd.Series, area_mode: bool,
                  group: pd.Series | None, prefix: str) -> None:
    """What the shares of ``out`` are taken of: ``oppervlak_ha`` in area mode, else ``inwoners``,
    ``inwoners_met_gegevens`` (empty where not ``known``) and a lens's ``<lens>_inwoners``."""
    if area_mode:
        out[metrics.AREA_TOTAL_COLUMN] = with_data.where(known)
        return
    out[metrics.residents_column()] = inw
    if group is not None:
        out[metrics.residents_column(prefix)] = group
    out[metrics.RESIDENTS_WITH_DATA_COLUMN] = with_data.where(known)


def _data_columns(buurten: gpd.GeoDataFrame, codes: pd.Index, extent, inw: pd.Series, on_points: pd.Series,
                  area_mode: bool) -> tuple[pd.Series, pd.Series]:
    """``gegevens`` and the share (0-1) of residents inside the data, by buurtcode.

    The share of the buurt's area inside the extent; for a ``gedeeltelijk`` buurt the share
    of its residents its resident points carry (so own address points count when the points
    were made from them).
    """
    share = data_share(buurten, extent).reindex(codes)
    if not area_mode:
        carried = (on_points.reindex(codes) / inw.where(inw > 0)).clip(0.0, 1.0)
        share = carried.where(carried < settings.osm_extent_full_share - 1e-9).fillna(share)
    status = data_status(buurten, extent).reindex(codes)
    has_geom = status != DATA_NO_GEOMETRY
    status[has_geom] = status_of_share(share[has_geom])
    return status, share.where(has_geom)


def _names(buurten: pd.DataFrame, codes: pd.Index) -> pd.DataFrame:
    """A frame indexed by ``buurtcode`` (``codes``) with ``buurtnaam`` and ``wijkcode`` when known."""
    out = pd.DataFrame(index=codes)
    out.index.name = "buurtcode"
    for col in ("buurtnaam", "wijkcode"):
        if col in buurten.columns:
            out[col] = buurten.drop_duplicates("buurtcode").set_index("buurtcode")[col].reindex(codes)
    return out


def _distance_list(distances: float | Iterable[float] | None, info: dict | None) -> list[float]:
    """Sorted distinct distances; default the lens's distance or ``settings.default_distance``."""
    if distances is None:
        distances = [info["afstand"] if info else settings.default_distance]
    elif np.isscalar(distances):
        distances = [distances]
    return sorted({float(d) for d in distances})


def _area_points(buurten: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Equal-area grid points carrying hectares in ``inwoners``: coverage by area, for tables
    without any resident numbers."""
    spacing = settings.resident_grid_spacing
    g = _grid_points(buurten, spacing)
    g["inwoners"] = spacing * spacing / 10_000.0  # hectare per grid cell
    tiny = (g["bron"] == "middelpunt").to_numpy()
    if tiny.any():  # a buurt smaller than one cell: its representative point carries its area
        areas = pd.Series(buurten.geometry.area.to_numpy() / 10_000.0, index=buurten["buurtcode"].to_numpy())
        g.loc[tiny, "inwoners"] = g.loc[tiny, "buurtcode"].map(areas).to_numpy(dtype=float)
    note("Geen inwonersaantallen: de dekking is berekend als aandeel van de oppervlakte.")
    return gpd.GeoDataFrame(g, geometry=gpd.points_from_xy(g["x"], g["y"]), crs=settings.crs)


def _lens_factor(buurten: gpd.GeoDataFrame, codes: pd.Index, inw: pd.Series, info: dict,
                 lens: str) -> pd.Series:
    """Share (0-1) of each buurt's residents in the lens's age groups (1 for a lens without them)."""
    cols = info["leeftijd_kolommen"]
    if not cols:
        return pd.Series(1.0, index=codes)
    missing = [c for c in cols if c not in buurten.columns]
    if missing:
        raise InputError(InputProblem(file="", message=f"kolom ontbreekt voor lens '{lens}'",
                                      column=", ".join(missing)))
    shares = buurten.set_index("buurtcode")[cols].apply(pd.to_numeric, errors="coerce")
    shares = shares[~shares.index.duplicated()].reindex(codes)
    factor = shares.sum(axis=1, min_count=len(cols)) / 100.0
    unknown = factor.isna() & (inw.fillna(0) > 0)
    if unknown.any():
        note(f"Lens '{info['label']}': van {int(unknown.sum())} buurt(en) is de leeftijdsopbouw "
             "onbekend; daar is geen dekking berekend.")
    return factor


def _add_distance_method(out: pd.DataFrame, df: pd.DataFrame, codes: pd.Index) -> None:
    """``afstand_methode`` per buurt: netwerk, hemelsbreed, gemengd, or None without points."""
    net_share = df.groupby("buurtcode")["net"].mean().reindex(codes)
    out["afstand_methode"] = np.select([net_share == 1, net_share == 0], [METHOD_NETWORK, METHOD_STRAIGHT],
                                       METHOD_MIXED)
    out.loc[net_share.isna().to_numpy(), "afstand_methode"] = None


# ---------------------------------------------------------- one spec, by name
def prefix_columns(table: pd.DataFrame, prefix: str) -> pd.DataFrame:
    """The coverage figures of ``table`` named for a selection; other columns are dropped.

    ``dekking_500m`` -> ``<prefix>_dekking_500m`` and ``inwoners_binnen_500m`` ->
    ``<prefix>_binnen_500m`` (see :func:`abcd_map.metrics.with_prefix`), in the
    order of ``table``.
    """
    names = {col: metrics.with_prefix(col, prefix) for col in table.columns}
    names = {old: new for old, new in names.items() if new is not None}
    return table[list(names)].rename(columns=names)


def _spec_selection(spec: metrics.CoverageSpec):
    """The asset selection of a spec; an empty one means the kind's own default."""
    if spec.selection:
        return dict(spec.selection)
    if spec.kind == metrics.KIND_CATEGORY:
        return {"categorie": spec.prefix}
    return None  # the welcoming places


def _open_now(assets: gpd.GeoDataFrame, selection, spec: metrics.CoverageSpec) -> gpd.GeoDataFrame:
    """The selected assets open at the spec's day (and part of the day); a note for unknown hours."""
    if spec.day is None:
        raise ValueError(f"coverage spec '{spec.prefix}' of kind '{metrics.KIND_OPEN}' needs a day")
    chosen = assets[selection_mask(assets, selection).to_numpy()]
    states = hours.open_filter(chosen, spec.day, spec.part_of_day)
    unknown = int(states.eq(hours.UNKNOWN).sum())
    if unknown:
        when = f"{spec.day}{' ' + spec.part_of_day if spec.part_of_day else ''}"
        note(f"{unknown} ontmoetingsplek(ken) hebben onbekende openingstijden; ze tellen niet mee als "
             f"open op {when}, maar staan wel op de kaart.")
    return chosen[states.eq(hours.OPEN).to_numpy()]


def coverage_for_spec(areas: gpd.GeoDataFrame, assets: gpd.GeoDataFrame, network: Network | None,
                      spec: metrics.CoverageSpec, *, extent=None,
                      points: gpd.GeoDataFrame | None = None) -> pd.DataFrame:
    """Run one coverage analysis described by ``spec``, its columns named by the spec's prefix.

    Parameters
    ----------
    areas, assets : GeoDataFrame
        Area and asset tables (as for :func:`coverage`).
    network : Network or None
        Walking network (straight lines without it).
    spec : CoverageSpec
        What to measure. An empty ``spec.selection`` means: the welcoming places, or for
        ``KIND_CATEGORY`` every asset of category ``spec.prefix``. Empty
        ``spec.distances`` means the default (the lens's own distance for a lens).
    extent, points
        As for :func:`coverage`.

    Returns
    -------
    DataFrame indexed by ``buurtcode``:

    * ``KIND_WELCOMING``: everything :func:`coverage` returns (``dekking_500m``, ...);
    * ``KIND_LENS`` (lens ``spec.lens``, or ``spec.prefix`` when unset): everything
      ``coverage(..., lens=...)`` returns (``senioren_dekking_300m``, ...);
    * ``KIND_CATEGORY`` and ``KIND_OPEN``: only the figures, prefixed
      (``cultuur_dekking_500m``, ``cultuur_binnen_500m``; ``open_zondag_middag_dekking_500m``).
      ``KIND_OPEN`` keeps the selected assets open at ``spec.day``/``spec.part_of_day``
      and notes how many have unknown opening hours.
    """
    distances = list(spec.distances) or None
    selection = _spec_selection(spec)
    if spec.kind == metrics.KIND_OPEN:
        assets = _open_now(assets, selection, spec)
    lens = (spec.lens or spec.prefix) if spec.kind == metrics.KIND_LENS else None
    table = coverage(areas, assets, network, distances, selection=selection, lens=lens, extent=extent,
                     points=points)
    if spec.kind in (metrics.KIND_CATEGORY, metrics.KIND_OPEN):
        return prefix_columns(table, spec.prefix)
    return table


# ------------------------------------------------- every opening time at once
#: Parts of the day of :func:`open_time_coverage` (None: the whole day).
OPEN_TIME_PARTS = (None, "ochtend", "middag", "avond")
#: Day key of "some day of the week" in :func:`open_time_coverage`.
ANY_DAY = "*"


def open_time_key(day: int | str, part_of_day: str | None = None) -> str:
    """Column of :func:`open_time_coverage`: ``'6|middag'``, ``'6|'`` (whole day), ``'*|avond'`` (any day)."""
    return f"{day}|{part_of_day or ''}"


def _open_matrix(oh: pd.Series, keys: list[tuple[int | str, str | None]]) -> np.ndarray:
    """Per place (row) and opening time (column): True only where the hours say open (unknown is not open)."""
    cache: dict[str, list[bool]] = {}
    week = [(d, p) for d in range(7) for p in OPEN_TIME_PARTS]
    rows = []
    for s in oh:
        if s is None:
            rows.append([False] * len(keys))
            continue
        if s not in cache:
            known = {(d, p): hours.is_open(s, d, p) is True for d, p in week}
            cache[s] = [known[(d, p)] if d != ANY_DAY else any(known[(x, p)] for x in range(7)) for d, p in keys]
        rows.append(cache[s])
    return np.array(rows, dtype=bool).reshape(len(rows), len(keys))


def open_time_coverage(areas: gpd.GeoDataFrame, assets: gpd.GeoDataFrame, network: Network | None,
                       distance: float, *, extent=None, points: gpd.GeoDataFrame | None = None) -> pd.DataFrame:
    """Coverage by the welcoming places open at every day and part of the day, in one go.

    The same figure as ``coverage_for_spec`` with a ``KIND_OPEN`` spec at one distance
    (places with unknown hours do not count as open), for all 7 days x (whole day,
    ochtend, middag, avond) and for "some day" x each part of the day. One search finds
    every (resident point, place) pair within ``distance``
    (:func:`abcd_map.analyse.network.pair_costs`); each time then only keeps the pairs
    whose place is open, so the cost is one search, not one per time.

    Parameters
    ----------
    areas, assets, network, extent, points
        As for :func:`coverage` (welcoming places are selected from ``assets``).
    distance
        Walking distance (m).

    Returns
    -------
    DataFrame indexed by ``buurtcode``, one column per :func:`open_time_key`
    (percent, 1 decimal; empty where the buurt has no figures).
    """
    keys = [(d, p) for d in range(7) for p in OPEN_TIME_PARTS] + [(ANY_DAY, p) for p in OPEN_TIME_PARTS[1:]]
    b_all, codes, inw, area_mode, pts = _demand(areas, network, extent, points)
    weight = pd.to_numeric(pts["inwoners"], errors="coerce").to_numpy(dtype=float)
    valid = np.isfinite(weight)
    buurt = pts["buurtcode"].to_numpy()
    denom = pd.Series(np.where(valid, weight, 0.0)).groupby(buurt).sum().reindex(codes)
    on_points = pd.Series(weight).groupby(buurt).sum().reindex(codes)
    status, _ = _data_columns(b_all, codes, extent, inw, on_points, area_mode)
    usable = status.isin(DATA_WITH_FIGURES) & (denom > 0)
    sel = select_assets(assets, None)
    is_open = _open_matrix(hours.resolve_hours(sel)["oh"], keys)
    covered = np.zeros((len(pts), len(keys)), dtype=bool)
    if is_open.any():  # one search for every (point, place) pair within the distance, then OR per time
        pairs = pair_costs(pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy(), sel.geometry.x.to_numpy(),
                           sel.geometry.y.to_numpy(), distance, network)
        pairs = pairs[pairs["cost"] <= distance]
        origin, destination = pairs["origin"].to_numpy(), pairs["destination"].to_numpy()
        for j in range(len(keys)):
            covered[origin[is_open[destination, j]], j] = True
    within = np.where(valid[:, None] & covered, weight[:, None], 0.0)
    sums = pd.DataFrame(within, columns=[open_time_key(d, p) for d, p in keys]).groupby(buurt).sum().reindex(codes)
    out = (100.0 * sums.fillna(0.0).div(denom, axis=0)).where(usable, axis=0).round(1)
    out.index.name = "buurtcode"
    return out


# ---------------------------------------------------------------- wijken
def _covered_and_total(columns: pd.Index, prefix: str, distance: float) -> tuple[str, str]:
    """The columns behind a coverage share: (covered, total)."""
    if prefix:
        # a lens has its own group size; a selection (category, opening time) counts all residents
        total = metrics.residents_column(prefix)
        return metrics.within_column(distance, prefix), total if total in columns else metrics.residents_column()
    if metrics.area_within_column(distance) in columns:
        return metrics.area_within_column(distance), metrics.AREA_TOTAL_COLUMN
    return metrics.within_column(distance), metrics.residents_column()


def _wijk_sum(values: pd.Series, wijk: pd.Series, index: pd.Index) -> pd.Series:
    """Sum per wijk of numeric ``values`` (NaN where a wijk has no value)."""
    return pd.to_numeric(values, errors="coerce").groupby(wijk).sum(min_count=1).reindex(index)


def _numeric(table: pd.DataFrame, column: str) -> pd.Series | None:
    return pd.to_numeric(table[column], errors="coerce") if column in table.columns else None


def _data_base(table: pd.DataFrame, areas_ha: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Per buurt: what a wijk's figures could rest on, and the part they do rest on.

    Residents and ``inwoners_met_gegevens``; in a table without residents the area (ha)
    and the part of it inside the data (``gegevens_pct``). A table from before partial
    data (without those columns) counts a buurt with any coverage whole.
    """
    has_figures = table[metrics.coverage_columns(table.columns)].notna().any(axis=1)
    inw = _numeric(table, metrics.residents_column())
    if inw is not None and (inw.fillna(0) > 0).any():
        inside = _numeric(table, metrics.RESIDENTS_WITH_DATA_COLUMN)
        return inw, inside if inside is not None else inw.where(has_figures)
    base = areas_ha.reindex(table.index)
    pct = _numeric(table, metrics.DATA_SHARE_COLUMN)
    inside = base * pct / 100.0 if pct is not None else base
    return base, inside.where(has_figures)


def _wijk_counts(table: pd.DataFrame, wijk: pd.Series, out: pd.DataFrame, enough: pd.Series) -> None:
    """``aantal_*`` and ``kleine_plekken`` per wijk, and assets per 1,000 residents with data.

    Counts that rest on OSM are summed over the buurten with data and left empty in a
    wijk with too little data (``enough`` False); the team's own list counts everywhere.
    """
    for col in table.columns:
        if not (col.startswith("aantal_") or col == "kleine_plekken"):
            continue
        total = _wijk_sum(table[col], wijk, out.index)
        out[col] = total if col == metrics.OWN_LIST_COUNT_COLUMN else total.where(enough)
    with_data = metrics.RESIDENTS_WITH_DATA_COLUMN
    if "aantal_assets" in out.columns and with_data in out.columns:
        out["per_1000_inwoners"] = 1000 * out["aantal_assets"] / out[with_data].where(out[with_data] > 0)


def summarise_wijken(buurt_table: pd.DataFrame, buurten: gpd.GeoDataFrame) -> pd.DataFrame:
    """Coverage and counts per wijk, weighted by residents.

    A wijk's coverage is the sum of covered residents over the sum of the residents inside
    the data of its buurten *that have a coverage* (buurten without OSM data or residents
    are left out of both; of a ``gedeeltelijk`` buurt only its residents inside count).
    ``inwoners_met_gegevens`` says how many residents that is, ``gegevens_pct`` which
    share of the wijk, ``gegevens`` the status by the same thresholds as a buurt's: below
    ``settings.osm_extent_min_share`` every figure of the wijk that rests on OSM is empty.
    ``aantal_*`` columns are summed.
    """
    table = buurt_table if buurt_table.index.name == "buurtcode" else buurt_table.set_index("buurtcode")
    ref = pd.DataFrame(buurten.drop(columns="geometry", errors="ignore")).drop_duplicates("buurtcode")
    ref = ref.set_index("buurtcode")
    if "inwoners" not in table.columns and "inwoners" in ref.columns:
        table = table.assign(inwoners=ref["inwoners"].reindex(table.index))
    wijk = ref["wijkcode"].reindex(table.index)
    out = pd.DataFrame(index=pd.Index(wijk.dropna().unique(), name="wijkcode"))
    if "wijknaam" in ref.columns:
        out["wijknaam"] = ref.dropna(subset=["wijkcode"]).drop_duplicates("wijkcode").set_index("wijkcode")[
            "wijknaam"].reindex(out.index)
    geo = with_geometry(buurten).drop_duplicates("buurtcode").set_index("buurtcode").geometry
    base, inside = _data_base(table, geo.area / 10_000.0)
    share = _wijk_sum(inside, wijk, out.index).fillna(0.0) / _wijk_sum(base, wijk, out.index)
    enough = share >= settings.osm_extent_min_share
    if "inwoners" in table.columns:
        out["inwoners"] = _wijk_sum(table["inwoners"], wijk, out.index)
        if (pd.to_numeric(table["inwoners"], errors="coerce").fillna(0) > 0).any():
            out[metrics.RESIDENTS_WITH_DATA_COLUMN] = _wijk_sum(inside, wijk, out.index)
    _wijk_counts(table, wijk, out, enough)
    _wijk_coverage(table, wijk, out, (inside / base).where(base > 0, 1.0), enough)
    out["gegevens"] = status_of_share(share)
    out[metrics.DATA_SHARE_COLUMN] = 100.0 * share
    return out


def _wijk_coverage(table: pd.DataFrame, wijk: pd.Series, out: pd.DataFrame, fraction: pd.Series,
                   enough: pd.Series) -> None:
    """Coverage shares per wijk: covered over the residents inside the data of buurten with a coverage."""
    for col in metrics.coverage_columns(table.columns):
        covered_col, total_col = _covered_and_total(table.columns, *metrics.parse_coverage_column(col))
        if covered_col not in table.columns or total_col not in table.columns:
            continue
        has = table[col].notna()
        # the area behind an area share is already the part inside the data
        part = 1.0 if total_col == metrics.AREA_TOTAL_COLUMN else fraction
        cov_w = _wijk_sum(table[covered_col].where(has), wijk, out.index)
        tot_w = _wijk_sum((pd.to_numeric(table[total_col], errors="coerce") * part).where(has), wijk, out.index)
        out[covered_col] = cov_w.where(enough)
        if total_col not in out.columns:
            out[total_col] = _wijk_sum(table[total_col], wijk, out.index)
        out[col] = (100.0 * cov_w / tot_w.where(tot_w > 0)).where(enough)


def small_places(assets: pd.DataFrame) -> np.ndarray:
    """True for street furniture (``kleine_plek``: benches, picnic tables ...), counted apart from assets."""
    if "kleine_plek" not in assets.columns:
        return np.zeros(len(assets), dtype=bool)
    return assets["kleine_plek"].astype(object).where(assets["kleine_plek"].notna(), False).astype(bool).to_numpy()


def _category_counts(areas: gpd.GeoDataFrame, assets: gpd.GeoDataFrame, codes: pd.Index) -> pd.DataFrame:
    """``aantal_<categorie>``, ``aantal_assets`` and ``kleine_plekken`` of the assets in ``areas`` (0 where none).

    Street furniture (``kleine_plek``) is counted in ``kleine_plekken`` only.
    """
    cats = list(schema.codes("categorie"))
    out = pd.DataFrame(0, index=codes, columns=[f"aantal_{c}" for c in cats], dtype=np.int64)
    out.index.name = "buurtcode"
    total = small = pd.Series(0, index=codes, dtype=np.int64)
    if len(assets) and len(areas):
        code = assign_areas(assets, areas)
        cat = assets["categorie"] if "categorie" in assets.columns else pd.Series("", index=assets.index)
        found = pd.DataFrame({"buurtcode": code.to_numpy(), "categorie": cat.to_numpy(),
                              "klein": small_places(assets)}).dropna(subset=["buurtcode"])
        small = found[found["klein"]].groupby("buurtcode").size().reindex(codes).fillna(0).astype(np.int64)
        found = found[~found["klein"]]
        counts = pd.crosstab(found["buurtcode"], found["categorie"])
        for c in cats:
            if c in counts.columns:
                out[f"aantal_{c}"] = counts[c].reindex(codes).fillna(0).astype(np.int64)
        total = found.groupby("buurtcode").size().reindex(codes).fillna(0).astype(np.int64)
    out["aantal_assets"] = total
    out["kleine_plekken"] = small
    return out

def count_assets(buurten: gpd.GeoDataFrame, assets: gpd.GeoDataFrame, extent=None) -> pd.DataFrame:
    """Number of assets per buurt and ABCD category (point in polygon).

    Parameters
    ----------
    buurten, assets : GeoDataFrame
        Area and asset tables. Persons are counted too; :mod:`abcd_map.privacy`
        suppresses small counts later.
    extent : geometry, optional
        Where the OSM data ends. OpenStreetMap is known inside it only, so the counts of
        all sources are too: they are empty for a buurt without data
        (``geen OSM-gegevens``, or without geometry), and count the part inside the data
        of a ``gedeeltelijk`` buurt.

    Returns
    -------
    DataFrame by buurtcode with ``aantal_<categorie>`` for every category,
    ``aantal_assets``, ``per_1000_inwoners`` (all assets per 1,000 residents inside the
    data; NaN without residents), ``kleine_plekken``: street furniture (rows with
    ``kleine_plek`` True: benches, picnic tables, drinking water ...), counted apart and
    left out of every other column, so that a campus full of benches does not look rich in
    assets; and, when any asset comes from the team's own list, ``aantal_eigen_lijst``:
    the team's own assets in the whole buurt, known everywhere.
    """
    codes = pd.Index(buurten["buurtcode"]).drop_duplicates()
    a = with_geometry(assets)
    share = data_share(buurten, extent)
    inside = areas_with_data(buurten, extent, share=share)
    out = _category_counts(inside, a, codes)
    known = codes.isin(inside["buurtcode"])
    if not known.all():
        out = out.astype(float).where(pd.Series(known, index=codes), axis=0)
    hand = (a["herkomst"] == schema.ORIGIN_HAND).to_numpy() if "herkomst" in a.columns else np.zeros(len(a), bool)
    if hand.any():
        own = _category_counts(with_geometry(buurten), a[hand], codes)["aantal_assets"]
        drawn = codes.isin(with_geometry(buurten)["buurtcode"])
        out[metrics.OWN_LIST_COUNT_COLUMN] = own if drawn.all() else own.astype(float).where(drawn)
    inw = _residents(buurten, codes) * figure_share(share).reindex(codes)
    out["per_1000_inwoners"] = 1000.0 * out["aantal_assets"] / inw.where(inw > 0)
    out["kleine_plekken"] = out.pop("kleine_plekken")
    return out

