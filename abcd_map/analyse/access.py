"""Supply and demand: two-step floating catchment area (2SFCA, E2SFCA) and need ranking.

2SFCA (Luo & Wang 2003): step 1 divides the capacity of every supply location j by
the (weighted) demand within reach, ``R_j = S_j / sum_i w(c_ij) D_i``; step 2 sums
those ratios over the supply within reach of every demand location,
``A_i = sum_j w(c_ij) R_j``. ``w`` is 1 for plain 2SFCA and a distance-decay
weight for E2SFCA. The result is "capacity per resident" (multiply by 1,000 for
places per 1,000 residents).

Semantics follow PySAL ``access`` (cross-checked in the tests to 1e-9):

* ``max_cost`` is inclusive (``cost <= max_cost``) and applies in both steps;
  rows with a NaN or infinite cost are unreachable;
* a pair within ``max_cost`` counts as "within reach" even if its weight is 0;
* demand with no supply within reach gets NaN (not 0): there is nothing to share;
* a supply location whose reachable demand is 0 gets ratio ``S/0`` (inf for
  positive capacity; 0/0 is treated as 0 in step 2, as pandas' ``sum`` skips NaN);
* a destination missing from ``supply`` has capacity 0; NaN demand counts as 0.

Everything is vectorised with ``numpy.bincount`` over the long cost table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import metrics, schema, settings
from ..errors import InputError, InputProblem
from .coverage import DATA_WITH_FIGURES, data_status, resident_points, select_assets
from .network import Network, pair_costs

WeightSpec = Callable[[np.ndarray], np.ndarray] | Sequence[tuple[float, float]] | dict | None


def step_weights(steps: Sequence[tuple[float, float]] | dict) -> Callable[[np.ndarray], np.ndarray]:
    """Step function from ``[(upper_cost, weight), ...]``: weight of the first upper >= cost, 0 beyond."""
    items = sorted(steps.items() if isinstance(steps, dict) else steps)
    uppers = np.array([u for u, _ in items], dtype=float)
    values = np.append(np.array([w for _, w in items], dtype=float), 0.0)

    def fn(cost: np.ndarray) -> np.ndarray:
        return values[np.searchsorted(uppers, np.asarray(cost, dtype=float), side="left")]

    return fn


def gaussian(sigma: float) -> Callable[[np.ndarray], np.ndarray]:
    """Gaussian decay ``exp(-c^2 / (2 sigma^2))`` (1 at cost 0), as in PySAL ``access.weights.gaussian``."""
    if sigma == 0:
        raise ValueError("sigma must not be 0")
    return lambda c: np.exp(-np.asarray(c, float) ** 2 / (2 * sigma**2))


def _weight_fn(weights: WeightSpec) -> Callable[[np.ndarray], np.ndarray] | None:
    if weights is None or callable(weights):
        return weights
    return step_weights(weights)


def _positions(index: pd.Index, ids: np.ndarray) -> np.ndarray:
    """Positions of ``ids`` in ``index`` (-1 if absent); direct for a 0..n-1 RangeIndex."""
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1 and ids.dtype.kind in "iu":
        if len(ids) == 0 or (ids.min() >= 0 and ids.max() < len(index)):
            return ids.astype(np.int64, copy=False)
        return np.where((ids >= 0) & (ids < len(index)), ids, -1).astype(np.int64)
    return index.get_indexer(ids)


def _long_costs(cost, demand: pd.Series, supply: pd.Series, max_cost: float | None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Demand position, supply position, cost and "within reach" of every row; supply slots.

    Rows are not filtered (masking large arrays costs more than carrying them):
    rows out of reach, or with a demand id not in ``demand``, have ``reach`` False.
    Destinations missing from ``supply`` get extra slots with capacity 0.
    """
    if isinstance(cost, pd.DataFrame):
        dest_col = "destination" if "destination" in cost.columns else "dest"
        c = cost["cost"].to_numpy()
        if c.dtype.kind not in "fiu":
            c = pd.to_numeric(cost["cost"], errors="coerce").to_numpy(dtype=float)
        c = c.astype(float, copy=False)
        origin = cost["origin"].to_numpy()
        dest = cost[dest_col].to_numpy()
    else:
        m = np.asarray(cost, dtype=float)
        if m.shape != (len(demand), len(supply)):
            raise ValueError(f"cost matrix must have shape {(len(demand), len(supply))}, got {m.shape}")
        origin, dest = np.nonzero(np.isfinite(m))
        c = m[origin, dest]
        origin = origin.astype(np.int64)
        dest = dest.astype(np.int64)
        demand = demand.reset_index(drop=True)
        supply = supply.reset_index(drop=True)
    reach = np.isfinite(c) if max_cost is None else (c <= max_cost)
    oi = _positions(demand.index, origin)
    di = _positions(supply.index, dest)
    n_sup = len(supply)
    unknown = di < 0
    if unknown.any():
        ids = dest[unknown]
        _, inv = np.unique(ids.astype(str) if ids.dtype == object else ids, return_inverse=True)
        di = di.copy()
        di[unknown] = n_sup + inv.ravel()
        n_sup += int(inv.max()) + 1
    missing = oi < 0
    if missing.any():
        reach = reach & ~missing
        oi = np.where(missing, 0, oi)
    return oi, di, c, reach, n_sup


def _fca(demand: pd.Series, supply: pd.Series, cost, max_cost: float | None,
         weights: WeightSpec) -> pd.Series:
    oi, di, c, reach, n_sup = _long_costs(cost, demand, supply, max_cost)
    fn = _weight_fn(weights)
    d = np.nan_to_num(np.asarray(demand.to_numpy(), dtype=float), nan=0.0)
    s = np.zeros(n_sup)
    s[: len(supply)] = np.nan_to_num(np.asarray(supply.to_numpy(), dtype=float), nan=0.0)
    if fn is None:
        w = reach.astype(float)
    else:
        with np.errstate(invalid="ignore"):
            w = np.where(reach, np.asarray(fn(np.where(reach, c, 0.0)), dtype=float), 0.0)
    weighted_demand = np.bincount(di, weights=w * d[oi], minlength=n_sup)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = s / weighted_demand
        ratio[np.isnan(ratio)] = 0.0  # 0/0: pandas' sum skips NaN
        contrib = w * ratio[di]
    contrib[np.isnan(contrib)] = 0.0  # 0 * inf: out of reach or a zero weight adds nothing
    acc = np.bincount(oi, weights=contrib, minlength=len(demand)).astype(float)
    reached = np.bincount(oi, weights=reach, minlength=len(demand)) > 0
    acc[~reached] = np.nan
    return pd.Series(acc, index=demand.index)


def two_stage_fca(demand: pd.Series, supply: pd.Series, cost, max_cost: float | None = None, *,
                  weights: WeightSpec = None) -> pd.Series:
    """Two-step floating catchment accessibility per demand location.

    Parameters
    ----------
    demand : Series
        Residents per demand id.
    supply : Series
        Capacity per supply id.
    cost : DataFrame or array
        Long table with ``origin`` (demand id), ``destination`` (or ``dest``, supply
        id) and ``cost``; or a dense matrix ``(len(demand), len(supply))`` in the
        order of the two Series, with ``inf``/NaN for unreachable pairs.
    max_cost : float, optional
        Catchment size, inclusive, applied in both steps.
    weights : optional
        Distance-decay weights (see :func:`enhanced_two_stage_fca`).

    Returns
    -------
    Series indexed like ``demand`` (NaN where no supply is within reach).
    """
    out = _fca(demand, supply, cost, max_cost, weights)
    out.name = "2sfca"
    return out


def enhanced_two_stage_fca(demand: pd.Series, supply: pd.Series, cost, max_cost: float | None = None,
                           weights: WeightSpec = None) -> pd.Series:
    """E2SFCA: 2SFCA with distance-decay weights in both steps.

    ``weights`` is a callable on an array of costs, a step function as a list of
    ``(upper_cost, weight)`` pairs (``cost <= upper`` gets that weight, 0 beyond the
    last) or a dict ``{upper: weight}`` like PySAL's ``step_fn``. Required: PySAL's
    default steps assume minutes, not metres.
    """
    if weights is None:
        raise ValueError("enhanced_two_stage_fca needs explicit weights (e.g. [(250, 1.0), (500, 0.5)])")
    out = _fca(demand, supply, cost, max_cost, weights)
    out.name = "e2sfca"
    return out


def access_per_buurt(buurten: gpd.GeoDataFrame, assets: gpd.GeoDataFrame, network: Network | None = None,
                     distance: float | None = None, capacity_column: str = "capaciteit", *, selection=None,
                     weights: WeightSpec = None, points: gpd.GeoDataFrame | None = None,
                     extent=None) -> pd.DataFrame:
    """2SFCA accessibility of the selected assets, per buurt.

    Demand is every resident point (:func:`resident_points`: inside the data only, so the
    residents of a buurt without data ask nothing of any place), supply every selected
    asset with its capacity (1 where missing), cost the walking distance. The buurt
    value ``toegang_2sfca`` is the residents-weighted mean over its points, where a
    point with nothing within reach counts as 0 (a known zero); ``toegang_per_1000`` is
    the same times 1,000 (places per 1,000 residents). Both are empty (unknown) for a
    buurt without points or, with an ``extent``, without data (``geen OSM-gegevens``).
    """
    distance = settings.default_distance if distance is None else float(distance)
    pts = points if points is not None else resident_points(buurten, network, extent=extent)
    w = pd.to_numeric(pts["inwoners"], errors="coerce").to_numpy(dtype=float)
    sel = select_assets(assets, selection)
    cap = pd.to_numeric(sel[capacity_column], errors="coerce") if capacity_column in sel.columns \
        else pd.Series(np.nan, index=sel.index)
    supply = pd.Series(cap.fillna(1.0).to_numpy(dtype=float), index=np.arange(len(sel)))
    demand = pd.Series(np.nan_to_num(w, nan=0.0), index=np.arange(len(pts)))
    costs = pair_costs(pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy(), sel.geometry.x.to_numpy(),
                       sel.geometry.y.to_numpy(), distance, network)
    acc = _fca(demand, supply, costs, distance, weights).fillna(0.0).to_numpy()
    with np.errstate(invalid="ignore"):  # NaN residents (unknown buurt totals) stay NaN, quietly
        weighted = w * acc
    df = pd.DataFrame({"buurtcode": pts["buurtcode"].to_numpy(), "w": w, "wa": weighted})
    df = df[np.isfinite(w)]
    g = df.groupby("buurtcode")[["w", "wa"]].sum()
    codes = pd.Index(buurten["buurtcode"]).drop_duplicates()
    g = g.reindex(codes)
    out = pd.DataFrame(index=codes)
    out.index.name = "buurtcode"
    known = data_status(buurten, extent).reindex(codes).isin(DATA_WITH_FIGURES)
    out["toegang_2sfca"] = (g["wa"] / g["w"].where(g["w"] > 0)).where(known)
    out["toegang_per_1000"] = 1000.0 * out["toegang_2sfca"]
    out.attrs.update({"afstand": distance, "aantal_assets": len(sel)})
    return out


# ------------------------------------------------------------------ need
NEED_LABELS = {
    (True, False): "hoge behoefte, lage dekking",
    (True, True): "hoge behoefte, hoge dekking",
    (False, False): "lage behoefte, lage dekking",
    (False, True): "lage behoefte, hoge dekking",
}


def load_need(path: str | Path) -> pd.DataFrame:
    """Need indicators per buurt from a CSV keyed by ``buurtcode`` (numbers only).

    Raises InputError naming every row/column that is wrong (header = row 1).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(InputProblem(file=str(path), message="bestand niet gevonden",
                                      expected="een CSV met een kolom buurtcode en getallen per buurt"))
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, sep=None, engine="python")
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(InputProblem(file=str(path), message=f"kan het bestand niet lezen ({exc})")) from exc
    rename = {c: "buurtcode" for c in raw.columns if schema.aliases("areas").get(schema.normalise_key(c))
              == "buurtcode"}
    raw = raw.rename(columns=rename)
    if "buurtcode" not in raw.columns:
        raise InputError(InputProblem(file=str(path), message="kolom 'buurtcode' ontbreekt", row=1,
                                      expected="een kolom buurtcode met codes als BU05030000"))
    problems: list[InputProblem] = []
    codes = raw["buurtcode"].str.strip()
    for i in np.flatnonzero((codes == "").to_numpy()):
        problems.append(InputProblem(file=str(path), message="buurtcode ontbreekt", row=int(i) + 2,
                                     column="buurtcode"))
    for i in np.flatnonzero(codes.duplicated() & (codes != "")):
        problems.append(InputProblem(file=str(path), message="buurtcode komt dubbel voor", row=int(i) + 2,
                                     column="buurtcode", value=codes.iloc[i]))
    out = pd.DataFrame(index=pd.Index(codes, name="buurtcode"))
    for col in raw.columns:
        if col == "buurtcode":
            continue
        text = raw[col].str.strip()
        # '1.234,5' (Dutch, thousands dot and decimal comma) and '12,5' as well as '12.5'
        both = text.str.contains(".", regex=False) & text.str.contains(",", regex=False)
        text = text.where(~both, text.str.replace(".", "", regex=False)).str.replace(",", ".", regex=False)
        num = pd.to_numeric(text, errors="coerce")
        bad = num.isna() & (text != "")
        for i in np.flatnonzero(bad.to_numpy()):
            problems.append(InputProblem(file=str(path), message="geen getal", row=int(i) + 2, column=col,
                                         value=raw[col].iloc[i], expected="een getal, bijv. 12,5 of 1.234,5"))
        out[col] = num.to_numpy()
    if problems:
        raise InputError(problems)
    return out


def _z(s: pd.Series) -> pd.Series:
    s = pd.to_numeric(s, errors="coerce")
    sd = s.std(ddof=0)
    if not np.isfinite(sd) or sd == 0:
        return (s - s.mean()) * 0.0
    return (s - s.mean()) / sd


def _by_buurtcode(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` indexed by ``buurtcode`` (unchanged when it already is, or has no such column)."""
    if table.index.name == "buurtcode" or "buurtcode" not in table.columns:
        return table
    return table.set_index("buurtcode")


def _first_coverage_column(table: pd.DataFrame) -> str:
    """The first coverage column (``[<prefix>_]dekking_<d>m``) of ``table``."""
    columns = metrics.coverage_columns(table.columns)
    if not columns:
        raise InputError(InputProblem(file="", message="geen dekkingskolom gevonden",
                                      expected="een kolom als " + metrics.coverage_column(500)))
    return columns[0]


def _need_table(need: pd.DataFrame | pd.Series) -> pd.DataFrame:
    """Need indicators as a frame indexed by buurtcode."""
    if isinstance(need, pd.Series):
        need = need.to_frame(need.name or "behoefte")
    if "buurtcode" in need.columns:
        need = need.set_index("buurtcode")
    return need


def _need_columns(need: pd.DataFrame, need_columns: Sequence[str] | None, coverage_column: str) -> list[str]:
    """The indicators to combine: as asked, or every numeric column that is not a figure of ours."""
    if need_columns is None:
        need_columns = [c for c in need.columns if pd.api.types.is_numeric_dtype(need[c])
                        and c != coverage_column and not str(c).startswith(("dekking", "inwoners", "aantal"))]
    missing = [c for c in need_columns if c not in need.columns]
    if missing or not need_columns:
        raise InputError(InputProblem(file="", message="behoeftekolom ontbreekt",
                                      column=", ".join(missing) or None))
    return list(need_columns)


def rank_need(buurt_table: pd.DataFrame, need: pd.DataFrame | pd.Series | None = None,
              need_columns: Sequence[str] | None = None, coverage_column: str | None = None) -> pd.DataFrame:
    """Combine need indicators into an index and set it against coverage.

    Parameters
    ----------
    buurt_table : DataFrame
        Indexed (or keyed) by ``buurtcode``, with a coverage column (``[<prefix>_]dekking_<d>m``).
    need : DataFrame or Series, optional
        Need indicators keyed by buurtcode (from :func:`load_need`); default: columns
        of ``buurt_table`` itself (e.g. ``p_65_plus``).
    need_columns : list of str, optional
        Which indicators to use (default: all numeric columns of ``need``).
        Higher values mean more need.
    coverage_column : str, optional
        Default: the first coverage column (see :func:`abcd_map.metrics.coverage_columns`).

    Returns
    -------
    DataFrame by buurtcode with ``behoefte_index`` (mean z-score of the indicators),
    ``dekking``, ``rang`` (1 = highest need with lowest coverage: ordered by
    z(behoefte) - z(dekking)) and ``duiding`` (quadrant around the medians).
    """
    table = _by_buurtcode(buurt_table)
    if coverage_column is None:
        coverage_column = _first_coverage_column(table)
    need = _need_table(table if need is None else need)
    need_columns = _need_columns(need, need_columns, coverage_column)
    z = pd.concat([_z(need[c]) for c in need_columns], axis=1).reindex(table.index)
    out = pd.DataFrame(index=table.index)
    out["behoefte_index"] = z.mean(axis=1, skipna=True).where(z.notna().any(axis=1))
    out["dekking"] = pd.to_numeric(table[coverage_column], errors="coerce")
    score = _z(out["behoefte_index"]) - _z(out["dekking"])
    out["rang"] = score.rank(ascending=False, method="min").astype("Int64")
    high_need = out["behoefte_index"] > out["behoefte_index"].median()
    high_cov = out["dekking"] >= out["dekking"].median()
    labels = [NEED_LABELS[(hn, hc)] for hn, hc in zip(high_need, high_cov)]
    known = out["behoefte_index"].notna() & out["dekking"].notna()
    out["duiding"] = np.where(known, labels, "onbekend")
    out.attrs["dekking_kolom"] = coverage_column
    return out.sort_values("rang", na_position="last", kind="stable")
