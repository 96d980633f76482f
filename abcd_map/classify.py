"""Classify OpenStreetMap places into ABCD assets with the tag table ``data/osm_tags.csv``.

The table has one row per OSM ``key,value`` (value ``*`` matches every value of
the key) with the ABCD ``categorie``, ``soort``, Dutch and English labels,
``ontmoetingsplek``, ``doelgroepen``, ``standaard_zichtbaar``, ``kleine_plek`` and ``ruis``.
A place with several matching tags takes the **first matching row in file
order** (so put specific rows before wildcards, and noise last). Rows with
``ruis=ja`` are dropped (parking, waste baskets ...). Places that match no row
are left out and reported once via ``note()`` (top 10 key=value and total).

The asset table gets one column beyond ``schema.ASSET_COLUMNS``: ``osm_tag``, the
OSM tags that say what the place is, as ``key=value`` joined by `` | `` (the tag
that matched the table first, then every other tag whose key the tag table or
``data/voorzieningen.csv`` uses, e.g. ``amenity=school | isced:level=1``). It lets
later steps pick facilities by their OSM tag (:mod:`abcd_map.analyse.nearest`).

Small places (``kleine_plek=ja``): street furniture that helps people stay
outside but is not a community asset: benches, picnic tables, drinking water,
public toilets, shelters, barbecues, fountains. They stay in the asset table
(``kleine_plek`` True, drawn as their own hidden map layer) but are counted
separately per buurt (``kleine_plekken``) and kept out of ``aantal_*``,
``per_1000_inwoners`` and the relation network. Waste baskets, bicycle and
car parking stay noise (``ruis``): not on the map at all. ``standaard_zichtbaar=nee``
alone (offices, banks, gardens, artwork) only hides a layer; those remain assets.

When the places table has an ``osm_geometry`` column (the OSM object's own
shape: a park's area, a building's outline; EPSG:28992), it is passed on as an
extra column so that :func:`abcd_map.load.assets.merge_assets` can measure the
distance to the shape instead of to the point; it is not part of the asset
schema and ``merge_assets`` drops it.

Target groups: the row's ``doelgroepen``, plus groups that more specific tags
name (``social_facility:for=senior`` -> senioren ...; table
``data/osm_doelgroepen.csv``, values may be ``;``-lists as OSM writes them).
"""

from __future__ import annotations

import json
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd

from . import schema, settings
from .errors import note

#: Tag keys read for contact details, first non-empty wins.
_CONTACT_KEYS = {
    "website": ("website", "contact:website"),
    "telefoon": ("phone", "contact:phone"),
    "email": ("email", "contact:email"),
}


@lru_cache(maxsize=None)
def tag_table() -> pd.DataFrame:
    """The tag table with an ``order`` column (file order = precedence)."""
    table = pd.read_csv(settings.data_path("osm_tags.csv"), dtype=str, keep_default_na=False)
    table["order"] = np.arange(len(table))
    for col in ("ontmoetingsplek", "standaard_zichtbaar", "kleine_plek", "ruis"):
        table[col] = table[col].map(schema.parse_bool).astype(bool)
    return table


@lru_cache(maxsize=None)
def target_group_table() -> pd.DataFrame:
    """OSM key/value -> doelgroep codes (``data/osm_doelgroepen.csv``)."""
    return pd.read_csv(settings.data_path("osm_doelgroepen.csv"), dtype=str, keep_default_na=False)


def _target_groups(places: pd.DataFrame, base: pd.Series) -> pd.Series:
    """``base`` groups joined with the groups the places' own tags name, in vocabulary order."""
    table = target_group_table()
    extra: list[list[str]] = [[] for _ in range(len(places))]
    for key, rows in table.groupby("key"):
        lookup = dict(zip(rows["value"], rows["doelgroepen"]))
        for pos, val in enumerate(_tag_values(places, key)):
            if val is not None:  # OSM lists several values with ';'
                extra[pos] += [g for v in str(val).split(";") for g in lookup.get(v.strip(), "").split(";")]
    order = {code: i for i, code in enumerate(schema.codes("doelgroep"))}

    def join(first: str, more: list[str]) -> str:
        codes = {c.strip() for c in first.split(";") + more if c.strip()}
        if len(codes) > 1:
            codes.discard("iedereen")  # a specific group says more than 'everyone'
        return "; ".join(sorted(codes, key=lambda c: order.get(c, len(order))))

    return pd.Series([join(a, b) for a, b in zip(base.astype(str), extra)], index=places.index, dtype="str")


def _tag_values(places: pd.DataFrame, key: str) -> pd.Series:
    """Values of one tag key: the column if present, else parsed from the ``tags`` JSON."""
    if key in places.columns:
        return places[key].astype("object").where(places[key].notna(), None)
    if "tags" in places.columns:
        return places["tags"].map(lambda t: json.loads(t).get(key) if isinstance(t, str) and t else None)
    return pd.Series(None, index=places.index, dtype="object")


def match_rows(places: pd.DataFrame) -> pd.Series:
    """Index (``order``) of the first matching tag-table row per place; -1 if none."""
    table = tag_table()
    keys = list(dict.fromkeys(table["key"]))
    long = pd.concat(
        [pd.DataFrame({"pos": np.arange(len(places)), "key": k, "value": _tag_values(places, k).values})
         for k in keys], ignore_index=True)
    long = long[long["value"].notna()]
    long["value"] = long["value"].astype(str)
    exact = long.merge(table[table["value"] != "*"][["key", "value", "order"]], on=["key", "value"])
    wild = long.merge(table[table["value"] == "*"][["key", "order"]], on="key")
    hits = pd.concat([exact[["pos", "order"]], wild[["pos", "order"]]])
    first = hits.groupby("pos")["order"].min()
    out = np.full(len(places), -1, dtype=np.int64)
    out[first.index.to_numpy()] = first.to_numpy()
    return pd.Series(out, index=places.index)


#: Separator of the ``key=value`` pairs in ``osm_tag`` (OSM itself uses ';' inside values).
OSM_TAG_SEPARATOR = " | "


@lru_cache(maxsize=None)
def recorded_keys() -> tuple[str, ...]:
    """Tag keys kept in ``osm_tag``: those of the tag table and of ``data/voorzieningen.csv``."""
    keys = list(tag_table()["key"])
    facilities = pd.read_csv(settings.data_path("voorzieningen.csv"), dtype=str, keep_default_na=False)
    keys += list(facilities["osm_key"])
    for condition in facilities["osm_voorwaarde"]:
        keys += [part.split("=", 1)[0].strip() for part in condition.split("|") if "=" in part]
    return tuple(dict.fromkeys(k for k in keys if k))


def _osm_tags(places: pd.DataFrame, rules: pd.DataFrame) -> pd.Series:
    """``osm_tag`` text per place: the matched tag first, then the other recorded tags."""
    matched = rules["key"].astype(str).to_numpy()
    firsts = [""] * len(places)
    others: list[list[str]] = [[] for _ in range(len(places))]
    for key in recorded_keys():
        values = _tag_values(places, key).to_numpy()
        for pos in np.flatnonzero(pd.notna(values)):
            pair = f"{key}={str(values[pos]).strip()}"
            if matched[pos] == key and not firsts[pos]:
                firsts[pos] = pair
            else:
                others[pos].append(pair)
    text = [OSM_TAG_SEPARATOR.join([f, *o] if f else o) for f, o in zip(firsts, others)]
    return pd.Series(text, index=places.index, dtype="str")


def _report_unmapped(places: pd.DataFrame, unmapped: np.ndarray) -> None:
    if not unmapped.any():
        return
    from .load.osm import WHOLE_KEYS

    sub = places[unmapped]
    pairs = pd.Series("", index=sub.index, dtype="str")
    for key in WHOLE_KEYS:
        vals = _tag_values(sub, key)
        fill = (pairs == "") & vals.notna()
        pairs[fill] = key + "=" + vals[fill].astype(str)
    counts = pairs[pairs != ""].value_counts()
    top = ", ".join(f"{k} ({n})" for k, n in counts.head(10).items())
    note(f"OpenStreetMap: {int(unmapped.sum())} plekken hebben een soort die de tagtabel niet kent en "
         f"staan niet op de kaart: {top}{' ...' if len(counts) > 10 else ''}. "
         "Voeg ze zo nodig toe aan osm_tags.csv.")


def _first_text(places: pd.DataFrame, keys: tuple[str, ...]) -> pd.Series:
    out = pd.Series("", index=places.index, dtype="str")
    for key in keys:
        vals = _tag_values(places, key)
        fill = (out == "") & vals.notna()
        out[fill] = vals[fill].astype(str).str.strip()
    return out


def _address(places: pd.DataFrame) -> pd.Series:
    street = _first_text(places, ("addr:street",))
    number = _first_text(places, ("addr:housenumber",))
    city = _first_text(places, ("addr:city",))
    line = (street + " " + number).str.strip()
    return line.where(city == "", (line + ", " + city).str.strip(", ")).astype("str")


def classify_places(places: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Turn OSM places (from ``load_osm``) into an asset table.

    Parameters
    ----------
    places : GeoDataFrame with ``osm_id``, tag columns or a ``tags`` JSON column, Points.

    Returns
    -------
    GeoDataFrame with ``schema.ASSET_COLUMNS`` + ``osm_tag`` + geometry (EPSG:28992); id = osm_id,
    herkomst ``OpenStreetMap``, fase ``onbekend``, ``kleine_plek`` from the tag table.
    Noise rows and unknown tags are left out. An ``osm_geometry`` column of
    ``places`` is passed on after geometry (see the module notes).
    """
    table = tag_table().set_index("order")
    row = match_rows(places).to_numpy()
    unmapped = row < 0
    _report_unmapped(places, unmapped)
    keep = ~unmapped
    keep[keep] = ~table.loc[row[keep], "ruis"].to_numpy()
    sub = places[keep]
    rules = table.loc[row[keep]].reset_index(drop=True)
    rules.index = sub.index
    n = len(sub)
    name = _first_text(sub, ("name",))
    out = pd.DataFrame(index=sub.index)
    out["id"] = sub["osm_id"].astype("str")
    out["naam"] = name.where(name != "", rules["label_nl"]).astype("str")
    out["soort"] = rules["soort"].astype("str")
    out["categorie"] = rules["categorie"].astype("str")
    out["label"] = rules["label_nl"].astype("str")
    out["omschrijving"] = _first_text(sub, ("description",))
    out["doelgroepen"] = _target_groups(sub, rules["doelgroepen"])
    out["inloop"] = False
    out["wanneer"] = ""
    out["openingstijden"] = _first_text(sub, ("opening_hours",))
    out["beheerder"] = _first_text(sub, ("operator",))
    out["contactpersoon"] = ""
    for col, keys in _CONTACT_KEYS.items():
        out[col] = _first_text(sub, keys)
    out["adres"] = _address(sub)
    out["laatste_contact"] = pd.Series(pd.NaT, index=sub.index, dtype="datetime64[ns]")
    out["bron"] = "OpenStreetMap"
    out["fase"] = "onbekend"
    out["toestemming"] = False
    out["openbaar"] = True
    out["ontmoetingsplek"] = rules["ontmoetingsplek"].astype(bool)
    out["capaciteit"] = np.full(n, np.nan)
    out["relaties"] = ""
    out["osm_id"] = sub["osm_id"].astype("str")
    out["herkomst"] = schema.ORIGIN_OSM
    out["standaard_zichtbaar"] = rules["standaard_zichtbaar"].astype(bool)
    out["kleine_plek"] = rules["kleine_plek"].astype(bool)
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].astype("str")
    out["osm_tag"] = _osm_tags(sub, rules)
    result = gpd.GeoDataFrame(out[schema.ASSET_COLUMNS + ["osm_tag"]], geometry=sub.geometry.values,
                              crs=places.crs or settings.crs)
    if schema.OSM_GEOMETRY_COLUMN in sub.columns:
        result[schema.OSM_GEOMETRY_COLUMN] = sub[schema.OSM_GEOMETRY_COLUMN].to_numpy()
    return result.reset_index(drop=True)
