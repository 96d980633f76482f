"""Privacy (AVG/GDPR): what each output mode may show.

Every output is made in one of two modes (``data/vocabulary.csv``, field ``modus``):

``publiek`` (default: safe to share)
    * Organisations, initiatives, places and public spaces are shown with name,
      location, address and their general telephone, e-mail and website.
    * A person (``soort`` = persoon) is shown with name and location only if the row
      records consent (``toestemming`` = ja) and public visibility (``openbaar`` = ja).
      Even then the person's telephone, e-mail, website, source (``bron``) and
      address are left out.
    * Named contact persons (``contactpersoon``) of any asset are left out.
    * Relations only between assets that are shown (never to hidden persons).
    * Persons never feed layers derived from their location (walking areas, gap
      polygons, coverage, heat maps), not even consenting persons.
    * Otherwise persons only count, per buurt and per wijk; counts below
      ``settings.suppression_threshold`` (5) are shown as "< 5" and further counts
      are hidden ("afgeschermd") so that no hidden count can be recovered by
      subtracting shown buurt counts from a wijk total, or wijk totals from a
      gemeente total. A count of 0 is hidden like any small count.

``team`` (asked for explicitly, for the team's own use)
    * All assets, persons included, with contact persons and contact details;
      exact person counts.

In both modes a person's home address (``adres``, ``postcode``) never reaches any
output. The address of an organisation or place is public information.

:func:`abcd_map.leakscan.leak_scan` searches a folder of outputs for personal data; the leak test uses it.
"""

from __future__ import annotations


import geopandas as gpd
import numpy as np
import pandas as pd

from . import schema, settings
from .errors import InputError, InputProblem, note
from .geo import assign_areas
from .relation_text import parse_relation_text

PUBLIC = "publiek"
TEAM = "team"
PERSON = "persoon"
#: Columns that hold a person's home address: blanked for persons in every mode.
HOME_ADDRESS_COLUMNS = ("adres", "postcode")
#: Columns with a person's contact details: blanked for persons in publiek mode.
PERSON_CONTACT_COLUMNS = ("telefoon", "email", "website", "bron")
#: Columns with named contact persons: dropped in publiek mode.
CONTACT_PERSON_COLUMNS = ("contactpersoon",)
#: Display value of a secondarily suppressed count.
HIDDEN = "afgeschermd"


def check_mode(mode: str | None) -> str:
    """The canonical mode code ('publiek' or 'team'); None gives ``settings.default_mode``.

    Raises
    ------
    InputError
        For an unknown mode (Dutch message).
    """
    if mode is None or (isinstance(mode, str) and not mode.strip()):
        return settings.default_mode
    code = schema.parse_value("modus", mode)
    if code is None:
        allowed = " of ".join(f"'{c}'" for c in schema.codes("modus"))
        raise InputError(InputProblem(file="", message=f"onbekende modus '{mode}'", value=mode,
                                      expected=allowed))
    return code


def _flag(values: pd.Series) -> pd.Series:
    """True only where a value is explicitly true (bool True or 'ja'-like text)."""
    def one(v: object) -> bool:
        if isinstance(v, (bool, np.bool_)):
            return bool(v)
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return False
        return schema.parse_bool(v) is True
    return pd.Series([one(v) for v in values.astype(object)], index=values.index, dtype=bool)


def is_person(assets: pd.DataFrame) -> pd.Series:
    """Rows that describe a person: ``soort`` persoon, or no soort and categorie individuen.

    A table without ``soort`` and ``categorie`` is treated as persons (safe side).
    """
    if "soort" not in assets and "categorie" not in assets:
        return pd.Series(True, index=assets.index)
    soort = assets["soort"].astype(object) if "soort" in assets else pd.Series(None, index=assets.index)
    soort = soort.map(lambda v: "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v).strip())
    person = soort.eq(PERSON)
    if "categorie" in assets:
        cat = assets["categorie"].astype(object).map(lambda v: str(v) if isinstance(v, str) else "")
        person |= soort.eq("") & cat.eq("individuen")
    return person.astype(bool)


def may_show_person(assets: pd.DataFrame) -> pd.Series:
    """Persons with consent and public visibility (``toestemming`` and ``openbaar`` true)."""
    consent = _flag(assets["toestemming"]) if "toestemming" in assets else pd.Series(False, index=assets.index)
    public = _flag(assets["openbaar"]) if "openbaar" in assets else pd.Series(False, index=assets.index)
    return consent & public


def blank_rows(df: pd.DataFrame, rows: pd.Series, columns) -> None:
    """Empty ``columns`` in place for ``rows`` (NaN, NaT or ""); boolean columns are left alone."""
    for col in columns:
        if col in df.columns and rows.any():
            if df[col].dtype == bool:
                continue
            if pd.api.types.is_numeric_dtype(df[col]) or pd.api.types.is_datetime64_any_dtype(df[col]):
                df.loc[rows.to_numpy(), col] = np.nan if pd.api.types.is_numeric_dtype(df[col]) else pd.NaT
            else:
                if not pd.api.types.is_string_dtype(df[col]):
                    df[col] = df[col].astype(object)
                df.loc[rows.to_numpy(), col] = ""


def scrub_columns(df: pd.DataFrame, mode: str) -> pd.DataFrame:
    """Strip from a table (assets or a table derived from them) what ``mode`` may not show.

    Rows are not removed (see :func:`public_assets`); values are: home addresses of
    persons in every mode; in publiek also the contact details of persons and the
    ``contactpersoon`` column.
    """
    mode = check_mode(mode)
    out = df.copy()
    person = is_person(out)
    blank_rows(out, person, HOME_ADDRESS_COLUMNS)
    if mode == PUBLIC:
        blank_rows(out, person, PERSON_CONTACT_COLUMNS)
        out = out.drop(columns=[c for c in CONTACT_PERSON_COLUMNS if c in out.columns])
    return out


def drop_hidden_relations(df: pd.DataFrame, shown_ids: set[str]) -> pd.DataFrame:
    """Keep in ``relaties`` only the relations whose every target is in ``shown_ids``."""
    if "relaties" not in df.columns:
        return df

    def keep(text: object) -> str:
        return "; ".join(item.text for item in parse_relation_text(text)
                         if item.targets and all(t in shown_ids for t in item.targets))
    df = df.copy()
    df["relaties"] = df["relaties"].astype(object).map(keep)
    return df


def public_assets(assets: gpd.GeoDataFrame, mode: str | None = None) -> gpd.GeoDataFrame:
    """Asset rows that may be shown with name and location in ``mode``, columns stripped.

    publiek: every non-person, plus persons with ``toestemming`` and ``openbaar``;
    team: every row. See the module docstring for the columns.
    """
    mode = check_mode(mode)
    person = is_person(assets)
    keep = ~person | may_show_person(assets) if mode == PUBLIC else pd.Series(True, index=assets.index)
    out = scrub_columns(assets[keep.to_numpy()], mode)
    if mode == PUBLIC and "id" in out.columns:
        out = drop_hidden_relations(out, set(out["id"].astype(str)))
    return out


#: Name used in the architecture document.
apply_privacy = public_assets


def location_assets(assets: gpd.GeoDataFrame, mode: str | None = None) -> gpd.GeoDataFrame:
    """Assets that may feed location-derived layers (walking areas, gaps, coverage, heat maps).

    publiek: no persons at all (not even consenting ones); team: all rows.
    Columns are stripped as in :func:`scrub_columns`.
    """
    mode = check_mode(mode)
    keep = ~is_person(assets) if mode == PUBLIC else pd.Series(True, index=assets.index)
    return scrub_columns(assets[keep.to_numpy()], mode)


# --------------------------------------------------------------------------- counts


def suppress(counts: pd.Series, groups: pd.Series | None = None, threshold: int | None = None,
             force: pd.Series | None = None) -> pd.Series:
    """Which counts to hide so that no count below ``threshold`` can be read or recovered.

    Primary: every count below the threshold (0 included: also hidden, which is the
    safe choice; NaN counts are hidden too). Secondary, within each group (e.g. the
    buurten of one wijk, whose total may be published): while a group has hidden
    members and either only one member is hidden or the hidden members together
    sum to less than the threshold, the smallest shown member of the group is hidden
    as well (ties: first in order). Then ``group total - shown members`` reveals
    neither a single hidden count nor a sum below the threshold.

    Parameters
    ----------
    counts : Series
        Non-negative counts.
    groups : Series, optional
        Group of each count (same index); None = all in one group.
    threshold : int, optional
        Default ``settings.suppression_threshold``.
    force : Series of bool, optional
        Counts to hide anyway (e.g. to protect a hidden total at a higher level).

    Returns
    -------
    Series of bool
        True where the count must be hidden.
    """
    threshold = settings.suppression_threshold if threshold is None else threshold
    values = pd.to_numeric(counts, errors="coerce").astype(float)
    hidden = (values.isna() | (values < threshold)).to_numpy().copy()
    if force is not None:
        hidden |= force.reindex(counts.index).fillna(False).astype(bool).to_numpy()
    grp = (pd.Series(0, index=counts.index) if groups is None else groups.reindex(counts.index))
    grp = grp.astype(object).where(grp.notna(), "__geen_groep__")
    vals = values.fillna(0).to_numpy()
    for _, positions in pd.Series(np.arange(len(vals)), index=counts.index).groupby(grp.to_numpy()):
        idx = positions.to_numpy()
        order = idx[np.argsort(vals[idx], kind="stable")]
        while True:
            hid = order[hidden[order]]
            shown = order[~hidden[order]]
            if len(hid) == 0 or len(shown) == 0:
                break
            if len(hid) >= 2 and vals[hid].sum() >= threshold:
                break
            hidden[shown[0]] = True
    return pd.Series(hidden, index=counts.index, name="onderdrukt")


def _display(values: pd.Series, primary: pd.Series, hidden: pd.Series, threshold: int) -> pd.Series:
    text = values.map(lambda v: "" if pd.isna(v) else str(int(v))).astype(object)
    text[hidden.to_numpy()] = HIDDEN
    text[primary.to_numpy()] = f"< {threshold}"
    return text


def person_counts(assets: gpd.GeoDataFrame, buurten: gpd.GeoDataFrame,
                  wijken: gpd.GeoDataFrame | None = None, mode: str | None = None,
                  threshold: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Number of persons per buurt and per wijk, suppressed in publiek mode.

    Every person with a point counts (also those who are not shown); a person lies in
    the buurt whose polygon contains the point, a wijk total is the sum of its buurten.
    In publiek, :func:`suppress` hides buurt counts within each wijk and wijk totals
    within each gemeente (a gemeente total may be published); a hidden wijk whose
    buurten would all be shown gets hidden buurten too, so its total cannot be summed.

    Returns
    -------
    (per_buurt, per_wijk)
        Indexed by ``buurtcode`` and ``wijkcode``, with ``personen_aantal`` (float,
        NaN when hidden) and ``personen`` (text: the count, "< 5" or "afgeschermd").
    """
    mode = check_mode(mode)
    threshold = settings.suppression_threshold if threshold is None else threshold
    persons = assets[is_person(assets).to_numpy()]
    codes = pd.Index(buurten["buurtcode"].astype(object)).drop_duplicates()
    if len(persons):
        where = assign_areas(persons, buurten)
        outside = int(where.isna().sum())
        if outside:
            note(f"{outside} perso{'on ligt' if outside == 1 else 'nen liggen'} buiten de gebieden "
                 f"en tel{'t' if outside == 1 else 'len'} niet mee in de aantallen personen.")
        per_buurt = where.dropna().value_counts().reindex(codes, fill_value=0).astype(float)
    else:
        per_buurt = pd.Series(0.0, index=codes)
    per_buurt.index.name = "buurtcode"

    ref = pd.DataFrame(buurten.drop(columns="geometry", errors="ignore")).drop_duplicates("buurtcode")
    ref = ref.set_index("buurtcode").reindex(codes)
    wijk_of = (ref["wijkcode"] if "wijkcode" in ref else pd.Series(np.nan, index=codes)).astype(object)
    wijk_key = wijk_of.where(wijk_of.notna() & (wijk_of.astype(str) != ""), "")
    per_wijk = per_buurt.groupby(wijk_key.to_numpy()).sum()
    per_wijk = per_wijk[per_wijk.index != ""]
    per_wijk.index.name = "wijkcode"
    if "gemeentecode" in ref:
        gem = ref.assign(_w=wijk_key).drop_duplicates("_w").set_index("_w")["gemeentecode"]
        gem_of_wijk = gem.reindex(per_wijk.index)
    else:
        gem_of_wijk = pd.Series("", index=per_wijk.index)

    if mode == TEAM:
        b = pd.DataFrame({"personen_aantal": per_buurt,
                          "personen": per_buurt.map(lambda v: str(int(v))).astype(object)})
        w = pd.DataFrame({"personen_aantal": per_wijk,
                          "personen": per_wijk.map(lambda v: str(int(v))).astype(object)})
        return b, w

    b_primary = per_buurt < threshold
    w_primary = per_wijk < threshold
    w_hidden = suppress(per_wijk, gem_of_wijk, threshold)
    force = pd.Series(False, index=per_buurt.index)
    b_hidden = suppress(per_buurt, wijk_key, threshold)
    for _ in range(len(per_buurt) + 1):
        # A hidden wijk total must not be recoverable by adding up its buurten.
        new = False
        for wijk in w_hidden.index[w_hidden.to_numpy()]:
            members = wijk_key.index[(wijk_key == wijk).to_numpy()]
            if len(members) and not b_hidden.reindex(members).any():
                smallest = per_buurt.reindex(members).sort_values(kind="stable").index[0]
                force[smallest] = True
                new = True
        if not new:
            break
        b_hidden = suppress(per_buurt, wijk_key, threshold, force=force)

    b = pd.DataFrame({"personen_aantal": per_buurt.where(~b_hidden),
                      "personen": _display(per_buurt, b_primary, b_hidden, threshold)})
    w = pd.DataFrame({"personen_aantal": per_wijk.where(~w_hidden),
                      "personen": _display(per_wijk, w_primary, w_hidden, threshold)})
    return b, w
