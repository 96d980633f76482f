"""Kwartiermaken: how far places are in becoming welcoming, and how fresh the contact is.

The stages (``fase``) come from ``data/vocabulary.csv``: onbekend -> benaderd ->
in gesprek -> getraind -> ontvangend. A contact is stale (``contact_verouderd``)
when the last contact is more than ``settings.stale_contact_months`` months ago,
or when there never was one.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from . import schema, settings
from .schema import ORIGIN_HAND

#: Kinds of asset that go through the welcoming stages.
WELCOMING_KINDS = ("plek", "organisatie", "initiatief")
UNKNOWN_STAGE = "onbekend"


def _text(series: pd.Series) -> pd.Series:
    return series.astype(object).map(lambda v: "" if v is None or (not isinstance(v, str) and pd.isna(v))
                                     else str(v).strip())


def stale_contact(dates: pd.Series, today: dt.date | str | None = None, months: int | None = None,
                  unknown_is_stale: bool = True) -> pd.Series:
    """True where the last contact is older than ``months`` (default ``settings.stale_contact_months``).

    ``unknown_is_stale``: whether a missing date counts as stale (for the team's own
    places it does: nobody knows when there was contact).
    """
    months = settings.stale_contact_months if months is None else int(months)
    today_ts = pd.Timestamp(today if today is not None else dt.date.today()).normalize()
    when = pd.to_datetime(dates, errors="coerce")
    if getattr(when.dt, "tz", None) is not None:
        when = when.dt.tz_localize(None)
    old = (when < today_ts - pd.DateOffset(months=months)).fillna(False)
    return (old | when.isna()).astype(bool) if unknown_is_stale else old.astype(bool)


def welcoming_table(assets: pd.DataFrame, today: dt.date | str | None = None,
                    months: int | None = None, include_osm: bool = False) -> pd.DataFrame:
    """Places, organisations and initiatives by welcoming stage, with contact freshness.

    Parameters
    ----------
    assets : DataFrame
        Asset table.
    today : date, optional
        Reference date (default: today).
    months : int, optional
        Contact older than this is stale (default ``settings.stale_contact_months``).
    include_osm : bool
        Also rows from OpenStreetMap that nobody has worked on (stage onbekend, no
        contact); left out by default so the table lists the team's own work.

    Returns
    -------
    DataFrame
        id, naam, soort, categorie, beheerder, fase, fase_label, laatste_contact,
        maanden_sinds_contact (whole months, <NA> if never), contact_verouderd (bool),
        sorted by stage (vocabulary order) and name.
    """
    months = settings.stale_contact_months if months is None else int(months)
    today_ts = pd.Timestamp(today if today is not None else dt.date.today()).normalize()
    soort = _text(assets["soort"]) if "soort" in assets else pd.Series("", index=assets.index)
    rows = assets[soort.isin(WELCOMING_KINDS).to_numpy()]
    stages = schema.codes("fase")
    fase = _text(rows["fase"]) if "fase" in rows else pd.Series("", index=rows.index)
    fase = fase.map(lambda v: schema.parse_value("fase", v) or UNKNOWN_STAGE if v else UNKNOWN_STAGE)
    contact = (pd.to_datetime(rows["laatste_contact"], errors="coerce", dayfirst=True)
               if "laatste_contact" in rows else pd.Series(pd.NaT, index=rows.index, dtype="datetime64[ns]"))
    if not include_osm:
        origin = _text(rows["herkomst"]) if "herkomst" in rows else pd.Series(ORIGIN_HAND, index=rows.index)
        worked = origin.ne(schema.ORIGIN_OSM) | fase.ne(UNKNOWN_STAGE) | contact.notna()
        rows, fase, contact = rows[worked.to_numpy()], fase[worked], contact[worked]

    c = contact.dt.tz_localize(None) if getattr(contact.dt, "tz", None) is not None else contact
    whole = (today_ts.year - c.dt.year) * 12 + (today_ts.month - c.dt.month)
    whole = whole - (c.dt.day > today_ts.day).astype(int)
    whole = whole.clip(lower=0).astype("Int64")
    stale = stale_contact(c, today=today_ts, months=months, unknown_is_stale=True)

    def col(name: str) -> np.ndarray:
        return _text(rows[name]).to_numpy() if name in rows else np.array([""] * len(rows), dtype=object)

    out = pd.DataFrame({
        "id": col("id"), "naam": col("naam"), "soort": col("soort"), "categorie": col("categorie"),
        "beheerder": col("beheerder"),
        "fase": fase.to_numpy(),
        "fase_label": [schema.label("fase", f) for f in fase],
        "laatste_contact": c.to_numpy(),
        "maanden_sinds_contact": pd.array(whole.to_numpy(dtype=object, na_value=pd.NA), dtype="Int64"),
        "contact_verouderd": stale.to_numpy(),
    })
    order = {code: i for i, code in enumerate(stages)}
    out["_o"] = out["fase"].map(order).fillna(len(order))
    return out.sort_values(["_o", "naam"], kind="stable").drop(columns="_o").reset_index(drop=True)


def stage_summary(assets: pd.DataFrame, today: dt.date | str | None = None,
                  months: int | None = None, include_osm: bool = False) -> pd.DataFrame:
    """Number of places per welcoming stage, in vocabulary order (zeros included).

    Columns fase, fase_label, aantal, contact_verouderd (how many of them are stale).
    """
    return summarise_stages(welcoming_table(assets, today=today, months=months, include_osm=include_osm))


def summarise_stages(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`stage_summary` of a table that :func:`welcoming_table` already made."""
    stages = list(schema.codes("fase"))
    counts = table.groupby("fase").size().reindex(stages, fill_value=0)
    stale = table.groupby("fase")["contact_verouderd"].sum().reindex(stages, fill_value=0)
    return pd.DataFrame({
        "fase": stages,
        "fase_label": [schema.label("fase", s) for s in stages],
        "aantal": counts.astype(int).to_numpy(),
        "contact_verouderd": stale.astype(int).to_numpy(),
    })
