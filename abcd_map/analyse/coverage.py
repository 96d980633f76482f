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
covered share of the buurt's residents in percent. Buurten for which the
OpenStreetMap extract has too little data (less than
``settings.osm_extent_min_share`` of their area inside the extent) get no coverage
(``gegevens`` = ``geen OSM-gegevens``): they are unknown, never gaps.

Lenses
------
A lens (``data/lenses.csv``) looks through the eyes of one group: residents are the
group's share (age columns, e.g. ``p_65_plus``), assets are those whose
``doelgroepen`` name one of the lens's groups, ``iedereen``, or nothing at all (an
asset that names no target group is taken to be for everyone), and the default
distance is the lens's own (seniors walk less far).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import schema, settings
from ..errors import InputError, InputProblem, note
from .network import METHOD_NETWORK, METHOD_STRAIGHT, Network, point_distances

#: Values of the ``gegevens`` column.
DATA_OK = "ok"
DATA_NO_OSM = "geen OSM-gegevens"
DATA_NO_GEOMETRY = "geen geometrie"
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


def _dname(d: float) -> str:
    d = float(d)
    return str(int(d)) if d.is_integer() else f"{d:g}"


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
    """
    if selection is None:
        mask = _bool_column(assets, "ontmoetingsplek")
    elif callable(selection):
        mask = pd.Series(selection(assets), index=assets.index).astype(bool)
    elif isinstance(selection, pd.Series):
        mask = selection.reindex(assets.index).where(lambda s: s.notna(), False).astype(bool)
    elif isinstance(selection, dict):
        mask = pd.Series(True, index=assets.index)
        for key, value in selection.items():
            if key not in _SELECTION_KEYS:
                raise InputError(InputProblem(file="", message=f"onbekende selectie '{key}'", value=key,
                                              expected=", ".join(_SELECTION_KEYS)))
            if key in ("ontmoetingsplek", "inloop"):
                mask &= _bool_column(assets, key) == bool(value)
            elif key == "doelgroep":
                values = [value] if isinstance(value, str) else list(value)
                mask &= _has_group(assets, values)
            else:
                values = [value] if isinstance(value, str) else list(value)
                col = assets[key] if key in assets.columns else pd.Series("", index=assets.index)
                mask &= col.isin(values)
    else:
        raise TypeError("selection must be None, a dict, a callable or a boolean Series")
    if lens is not None:
        info = lens_info(lens)
        if lens != "iedereen":
            mask &= _has_group(assets, info["doelgroepen"] + ["iedereen"], empty_counts=True)
    out = assets[mask.to_numpy()]
    geom = out.geometry
    ok = geom.notna() & ~geom.is_empty
    out = out[ok.to_numpy()]
    if out.crs is not None and str(out.crs) != settings.crs and not out.empty:
        out = out.to_crs(settings.crs)
    if len(out):
        out = out[(out.geometry.geom_type == "Point").to_numpy()]
    return out


# ------------------------------------------------------------ resident points
def _usable(buurten: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    geom = buurten.geometry
    ok = geom.notna() & ~geom.is_empty
    out = buurten[ok.to_numpy()]
    if out.crs is not None and str(out.crs) != settings.crs:
        out = out.to_crs(settings.crs)
    return out


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


def _assign(points: gpd.GeoDataFrame, buurten: gpd.GeoDataFrame) -> pd.Series:
    """buurtcode of each point (first buurt it touches), NaN outside every buurt."""
    joined = gpd.sjoin(points[["geometry"]], buurten[["buurtcode", "geometry"]], how="left",
                       predicate="intersects")
    joined = joined[~joined.index.duplicated(keep="first")]
    return joined["buurtcode"].reindex(points.index)


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
        Where the OSM data ends; buurten outside it are not mentioned in the note
        about buurten without streets (they are "geen OSM-gegevens" anyway).

    Returns
    -------
    GeoDataFrame with ``buurtcode``, ``inwoners`` (weights adding up to the buurt's
    residents; NaN when the buurt's residents are unknown), ``bron`` (``adres``,
    ``netwerk``, ``raster`` or ``middelpunt``) and Point geometry (EPSG:28992).
    """
    spacing = settings.resident_grid_spacing if grid_spacing is None else grid_spacing
    b = _usable(buurten)
    frames: list[pd.DataFrame] = []
    done: set = set()
    if addresses is not None and len(addresses):
        addr = addresses if addresses.crs is None or str(addresses.crs) == settings.crs \
            else addresses.to_crs(settings.crs)
        addr = addr[(addr.geometry.notna() & ~addr.geometry.is_empty).to_numpy()]
        code = _assign(addr, b)
        keep = code.notna().to_numpy()
        if keep.any():
            a = addr[keep]
            frames.append(pd.DataFrame({"buurtcode": code[keep].to_numpy(), "x": a.geometry.x.to_numpy(),
                                        "y": a.geometry.y.to_numpy(), "bron": "adres",
                                        "w": _weight_column(a).to_numpy()}))
            done |= set(frames[-1].loc[frames[-1]["w"] > 0, "buurtcode"])
    rest = b[~b["buurtcode"].isin(done).to_numpy()]
    if network is not None and network.n_nodes and len(rest):
        w = network.node_weights()
        idx = np.flatnonzero(w > 0)
        nodes = gpd.GeoDataFrame({"w": w[idx]}, geometry=gpd.points_from_xy(network.x[idx], network.y[idx]),
                                 crs=settings.crs)
        code = _assign(nodes, rest)
        keep = code.notna().to_numpy()
        if keep.any():
            frames.append(pd.DataFrame({"buurtcode": code[keep].to_numpy(), "x": network.x[idx][keep],
                                        "y": network.y[idx][keep], "bron": "netwerk",
                                        "w": w[idx][keep]}))
            done |= set(frames[-1]["buurtcode"])
        rest = rest[~rest["buurtcode"].isin(done).to_numpy()]
        inhabited = pd.to_numeric(rest["inwoners"], errors="coerce").fillna(0) > 0
        if extent is not None and inhabited.any():
            inside = extent_share(rest, extent).to_numpy() >= settings.osm_extent_min_share
            inhabited &= inside
        if inhabited.any():
            note(f"{int(inhabited.sum())} buurt(en) met inwoners hebben geen straat in het loopnetwerk; "
                 f"hun inwoners zijn verdeeld over een raster van {_dname(spacing)} m.")
    if len(rest):
        g = _grid_points(rest, spacing)
        g["w"] = 1.0
        frames.append(g)
    if frames:
        pts = pd.concat(frames, ignore_index=True)
    else:
        pts = pd.DataFrame({"buurtcode": [], "x": [], "y": [], "bron": [], "w": []})
    inw = pd.to_numeric(b.set_index("buurtcode")["inwoners"], errors="coerce") if "inwoners" in b.columns \
        else pd.Series(np.nan, index=b["buurtcode"])
    inw = inw[~inw.index.duplicated()]
    total = pts.groupby("buurtcode")["w"].transform("sum")
    share = np.where(total > 0, pts["w"] / total.where(total > 0, 1), 0.0)
    pts["inwoners"] = share * pts["buurtcode"].map(inw).to_numpy(dtype=float)
    return gpd.GeoDataFrame(pts[["buurtcode", "inwoners", "bron"]],
                            geometry=gpd.points_from_xy(pts["x"], pts["y"]), crs=settings.crs)


# --------------------------------------------------------------------- extent
def extent_share(buurten: gpd.GeoDataFrame, extent) -> pd.Series:
    """Share (0-1) of each buurt's area inside the OSM extent, by buurtcode (1 if no extent)."""
    from ..load.osm import osm_extent_share  # one definition of "inside the extract"

    b = _usable(buurten)
    if extent is None:
        return pd.Series(1.0, index=b["buurtcode"].to_numpy())
    return pd.Series(osm_extent_share(b, extent).fillna(0.0).to_numpy(), index=b["buurtcode"].to_numpy())


def _data_status(buurten: gpd.GeoDataFrame, extent) -> pd.Series:
    status = pd.Series(DATA_NO_GEOMETRY, index=buurten["buurtcode"].to_numpy(), dtype=object)
    share = extent_share(buurten, extent)
    status.loc[share.index] = np.where(share >= settings.osm_extent_min_share, DATA_OK, DATA_NO_OSM)
    return status[~status.index.duplicated()]


# ------------------------------------------------------------------- coverage
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
        Where the OSM extract has data (EPSG:28992).
    points : GeoDataFrame, optional
        Resident points from :func:`resident_points` (computed when not given).

    Returns
    -------
    DataFrame indexed by ``buurtcode`` with ``inwoners``, ``inwoners_binnen_{d}m`` and
    ``dekking_{d}m`` (percent 0-100) for every d — with a lens ``{lens}_inwoners``,
    ``{lens}_binnen_{d}m``, ``{lens}_dekking_{d}m`` — plus ``afstand_methode``,
    ``gegevens`` and ``dekking_basis``.
    """
    info = lens_info(lens) if lens is not None else None
    if distances is None:
        distances = [info["afstand"] if info else settings.default_distance]
    elif np.isscalar(distances):
        distances = [distances]
    distances = sorted({float(d) for d in distances})
    b_all = buurten if buurten.crs is None or str(buurten.crs) == settings.crs else buurten.to_crs(settings.crs)
    codes = pd.Index(b_all["buurtcode"]).drop_duplicates()
    inw = pd.to_numeric(b_all.set_index("buurtcode")["inwoners"], errors="coerce") \
        if "inwoners" in b_all.columns else pd.Series(np.nan, index=b_all["buurtcode"])
    inw = inw[~inw.index.duplicated()].reindex(codes)
    area_mode = not (inw.fillna(0) > 0).any()
    b = _usable(b_all)

    # residents (or area) per point
    if area_mode:
        spacing = settings.resident_grid_spacing
        g = _grid_points(b, spacing)
        g["inwoners"] = spacing * spacing / 10_000.0  # hectare per grid cell
        tiny = (g["bron"] == "middelpunt").to_numpy()
        if tiny.any():  # a buurt smaller than one cell: its representative point carries its area
            areas = pd.Series(b.geometry.area.to_numpy() / 10_000.0, index=b["buurtcode"].to_numpy())
            g.loc[tiny, "inwoners"] = g.loc[tiny, "buurtcode"].map(areas).to_numpy(dtype=float)
        pts = gpd.GeoDataFrame(g, geometry=gpd.points_from_xy(g["x"], g["y"]), crs=settings.crs)
        note("Geen inwonersaantallen: de dekking is berekend als aandeel van de oppervlakte.")
    else:
        pts = points if points is not None else resident_points(b_all, network)
    weight = pd.to_numeric(pts["inwoners"], errors="coerce").to_numpy(dtype=float)
    group_factor = pd.Series(1.0, index=codes)
    prefix = ""
    total_col = "inwoners"
    if info is not None:
        prefix = f"{lens}_"
        total_col = f"{lens}_inwoners"
        cols = info["leeftijd_kolommen"]
        if cols and not area_mode:
            missing = [c for c in cols if c not in b_all.columns]
            if missing:
                raise InputError(InputProblem(file="", message=f"kolom ontbreekt voor lens '{lens}'",
                                              column=", ".join(missing)))
            shares = b_all.set_index("buurtcode")[cols].apply(pd.to_numeric, errors="coerce")
            shares = shares[~shares.index.duplicated()].reindex(codes)
            group_factor = shares.sum(axis=1, min_count=len(cols)) / 100.0
            unknown = group_factor.isna() & (inw.fillna(0) > 0)
            if unknown.any():
                note(f"Lens '{info['label']}': van {int(unknown.sum())} buurt(en) is de leeftijdsopbouw "
                     "onbekend; daar is geen dekking berekend.")
        weight = weight * pts["buurtcode"].map(group_factor).to_numpy(dtype=float)

    sel = select_assets(assets, selection, lens)
    px, py = pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy()
    dist, method = point_distances(px, py, sel.geometry.x.to_numpy(), sel.geometry.y.to_numpy(),
                                   max(distances), network)

    df = pd.DataFrame({"buurtcode": pts["buurtcode"].to_numpy(), "w": weight,
                       "net": method == METHOD_NETWORK})
    valid = np.isfinite(weight)
    grouped = df[valid].groupby("buurtcode")
    denom = grouped["w"].sum().reindex(codes)
    out = pd.DataFrame(index=codes)
    out.index.name = "buurtcode"
    for col in ("buurtnaam", "wijkcode"):
        if col in b_all.columns:
            out[col] = b_all.drop_duplicates("buurtcode").set_index("buurtcode")[col].reindex(codes)
    status = _data_status(b_all, extent).reindex(codes)
    usable = (status == DATA_OK) & (denom > 0)
    if area_mode:
        out["oppervlak_ha"] = denom
    else:
        out["inwoners"] = inw
        if info is not None:
            out[total_col] = inw * group_factor
    for d in distances:
        within = np.where(valid & (dist <= d), weight, 0.0)
        covered = pd.Series(within).groupby(df["buurtcode"]).sum().reindex(codes).fillna(0.0)
        covered = covered.where(usable)
        dn = _dname(d)
        if area_mode:
            out[f"oppervlak_binnen_{dn}m_ha"] = covered
        else:
            out[f"{prefix}binnen_{dn}m" if prefix else f"inwoners_binnen_{dn}m"] = covered
        out[f"{prefix}dekking_{dn}m"] = 100.0 * covered / denom.where(usable)
    net_share = df.groupby("buurtcode")["net"].mean().reindex(codes)
    out["afstand_methode"] = np.select([net_share == 1, net_share == 0], [METHOD_NETWORK, METHOD_STRAIGHT],
                                       METHOD_MIXED)
    out.loc[net_share.isna().to_numpy(), "afstand_methode"] = None
    out["gegevens"] = status
    out["dekking_basis"] = BASIS_AREA if area_mode else BASIS_RESIDENTS
    out.attrs.update({"afstanden": distances, "lens": lens, "dekking_basis": out["dekking_basis"].iloc[0]
                      if len(out) else BASIS_RESIDENTS, "aantal_assets": len(sel)})
    if network is None:
        note("Geen loopnetwerk: afstanden zijn hemelsbreed gemeten.")
    return out


_DEKKING = re.compile(r"^(?P<p>.+_)?dekking_(?P<d>[0-9.]+)m$")


def summarise_wijken(buurt_table: pd.DataFrame, buurten: gpd.GeoDataFrame) -> pd.DataFrame:
    """Coverage and counts per wijk, weighted by residents.

    A wijk's coverage is the sum of covered residents over the sum of residents of
    its buurten *that have a coverage* (buurten without OSM data or residents are
    left out of both). ``aantal_*`` columns are summed.
    """
    table = buurt_table if buurt_table.index.name == "buurtcode" else buurt_table.set_index("buurtcode")
    ref = pd.DataFrame(buurten.drop(columns="geometry", errors="ignore")).drop_duplicates("buurtcode")
    ref = ref.set_index("buurtcode")
    wijk = ref["wijkcode"].reindex(table.index)
    out = pd.DataFrame(index=pd.Index(wijk.dropna().unique(), name="wijkcode"))
    if "wijknaam" in ref.columns:
        out["wijknaam"] = ref.dropna(subset=["wijkcode"]).drop_duplicates("wijkcode").set_index("wijkcode")[
            "wijknaam"].reindex(out.index)
    inw = pd.to_numeric(table["inwoners"], errors="coerce") if "inwoners" in table.columns \
        else pd.to_numeric(ref["inwoners"], errors="coerce").reindex(table.index) if "inwoners" in ref.columns \
        else None
    if inw is not None:
        out["inwoners"] = inw.groupby(wijk).sum(min_count=1).reindex(out.index)
    for col in table.columns:
        if col.startswith("aantal_"):
            out[col] = pd.to_numeric(table[col], errors="coerce").groupby(wijk).sum().reindex(out.index)
    if "aantal_assets" in out.columns and "inwoners" in out.columns:
        out["per_1000_inwoners"] = 1000 * out["aantal_assets"] / out["inwoners"].where(out["inwoners"] > 0)
    for col in table.columns:
        m = _DEKKING.match(col)
        if not m:
            continue
        p, d = m.group("p") or "", m.group("d")
        if p:
            # a lens has its own group size; a selection (category, opening time) counts all residents
            covered_col = f"{p}binnen_{d}m"
            total_col = f"{p}inwoners" if f"{p}inwoners" in table.columns else "inwoners"
        elif f"oppervlak_binnen_{d}m_ha" in table.columns:
            covered_col, total_col = f"oppervlak_binnen_{d}m_ha", "oppervlak_ha"
        else:
            covered_col, total_col = f"inwoners_binnen_{d}m", "inwoners"
        if covered_col not in table.columns or total_col not in table.columns:
            continue
        has = table[col].notna()
        cov = pd.to_numeric(table[covered_col], errors="coerce").where(has)
        tot = pd.to_numeric(table[total_col], errors="coerce").where(has)
        cov_w = cov.groupby(wijk).sum(min_count=1).reindex(out.index)
        tot_w = tot.groupby(wijk).sum(min_count=1).reindex(out.index)
        out[covered_col] = cov_w
        if total_col not in out.columns:
            out[total_col] = pd.to_numeric(table[total_col], errors="coerce").groupby(wijk).sum(
                min_count=1).reindex(out.index)
        out[col] = 100.0 * cov_w / tot_w.where(tot_w > 0)
    return out


def count_assets(buurten: gpd.GeoDataFrame, assets: gpd.GeoDataFrame) -> pd.DataFrame:
    """Number of assets per buurt and ABCD category (point in polygon).

    Returns ``aantal_<categorie>`` for every category, ``aantal_assets`` and
    ``per_1000_inwoners`` (all assets per 1,000 residents; NaN without residents).
    Persons are counted too; :mod:`abcd_map.privacy` suppresses small counts later.
    """
    b = _usable(buurten)
    codes = pd.Index(buurten["buurtcode"]).drop_duplicates()
    a = assets[(assets.geometry.notna() & ~assets.geometry.is_empty).to_numpy()]
    if a.crs is not None and str(a.crs) != settings.crs and len(a):
        a = a.to_crs(settings.crs)
    cats = list(schema.codes("categorie"))
    out = pd.DataFrame(0, index=codes, columns=[f"aantal_{c}" for c in cats], dtype=np.int64)
    out.index.name = "buurtcode"
    if len(a) and len(b):
        code = _assign(a[["geometry"]], b)
        cat = a["categorie"] if "categorie" in a.columns else pd.Series("", index=a.index)
        found = pd.DataFrame({"buurtcode": code.to_numpy(), "categorie": cat.to_numpy()}).dropna(
            subset=["buurtcode"])
        counts = pd.crosstab(found["buurtcode"], found["categorie"])
        for c in cats:
            if c in counts.columns:
                out[f"aantal_{c}"] = counts[c].reindex(codes).fillna(0).astype(np.int64)
        total = found.groupby("buurtcode").size().reindex(codes).fillna(0).astype(np.int64)
    else:
        total = pd.Series(0, index=codes, dtype=np.int64)
    out["aantal_assets"] = total
    inw = pd.to_numeric(buurten.drop_duplicates("buurtcode").set_index("buurtcode")["inwoners"],
                        errors="coerce").reindex(codes) if "inwoners" in buurten.columns \
        else pd.Series(np.nan, index=codes)
    out["per_1000_inwoners"] = 1000.0 * out["aantal_assets"] / inw.where(inw > 0)
    return out
