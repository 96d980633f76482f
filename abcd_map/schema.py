"""The vocabulary of abcd-map: canonical columns, their aliases and allowed values.

Everything here is read from the data files ``data/columns.csv`` and
``data/vocabulary.csv``; code asks this module instead of repeating literals.
Canonical column names are Dutch because users read them in every output.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pandas as pd

from . import settings

#: Columns of a normalised area (buurt) table, in output order.
AREA_COLUMNS = [
    "buurtcode", "buurtnaam", "wijkcode", "wijknaam", "gemeentecode", "gemeentenaam",
    "inwoners", "huishoudens", "oppervlakte_land_ha",
    "p_00_14", "p_15_24", "p_25_44", "p_45_64", "p_65_plus",
]
#: Age-share columns (percent of residents).
AGE_COLUMNS = ["p_00_14", "p_15_24", "p_25_44", "p_45_64", "p_65_plus"]

#: Columns of a normalised asset table (hand-collected and OSM alike), besides geometry.
ASSET_COLUMNS = [
    "id", "naam", "soort", "categorie", "label", "omschrijving", "doelgroepen",
    "inloop", "wanneer", "openingstijden", "beheerder", "contactpersoon", "telefoon",
    "email", "website", "adres", "laatste_contact", "bron", "fase", "toestemming",
    "openbaar", "ontmoetingsplek", "capaciteit", "relaties", "osm_id", "herkomst",
    "standaard_zichtbaar",
]
#: Values of ``herkomst``: where an asset row came from.
ORIGIN_HAND = "handmatig"
ORIGIN_OSM = "OpenStreetMap"


def normalise_key(text: object) -> str:
    """Case-, accent-, space- and punctuation-insensitive key for matching names."""
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    s = s.strip().lower()
    return re.sub(r"[^a-z0-9]+", "", s)


@lru_cache(maxsize=None)
def column_table() -> pd.DataFrame:
    """The alias table (``data/columns.csv``)."""
    return pd.read_csv(settings.data_path("columns.csv"), dtype=str, keep_default_na=False)


@lru_cache(maxsize=None)
def aliases(table: str) -> dict[str, str]:
    """Map normalised alias -> canonical column for ``table`` ('areas' or 'assets')."""
    out: dict[str, str] = {}
    for row in column_table().query("table == @table").itertuples():
        out[normalise_key(row.column)] = row.column
        for alias in row.aliases.split("|"):
            if alias:
                out.setdefault(normalise_key(alias), row.column)
    return out


def rename_columns(columns: list[str], table: str) -> dict[str, str]:
    """Rename map from the given column names to canonical names (first match wins)."""
    lookup = aliases(table)
    out: dict[str, str] = {}
    taken: set[str] = set()
    for col in columns:
        canon = lookup.get(normalise_key(col))
        if canon and canon not in taken:
            out[col] = canon
            taken.add(canon)
    return out


@lru_cache(maxsize=None)
def vocabulary() -> pd.DataFrame:
    """Allowed values with Dutch and English labels (``data/vocabulary.csv``)."""
    return pd.read_csv(settings.data_path("vocabulary.csv"), dtype=str, keep_default_na=False)


@lru_cache(maxsize=None)
def codes(field: str) -> tuple[str, ...]:
    """Allowed codes of a field, in table order."""
    return tuple(vocabulary().query("field == @field")["code"])


@lru_cache(maxsize=None)
def _value_lookup(field: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for row in vocabulary().query("field == @field").itertuples():
        for text in (row.code, row.label_nl, row.label_en, row.code.replace("_", " ")):
            out.setdefault(normalise_key(text), row.code)
    return out


def parse_value(field: str, text: object) -> str | None:
    """Canonical code for a user's value of ``field`` (Dutch, English or code), or None."""
    return _value_lookup(field).get(normalise_key(text))


@lru_cache(maxsize=None)
def _rows() -> dict[tuple[str, str], dict[str, str]]:
    return {(r["field"], r["code"]): r for r in vocabulary().to_dict("records")}


def label(field: str, code: str, lang: str = "nl") -> str:
    """Human label of a code (Dutch by default, ``lang='en'`` for English)."""
    row = _rows().get((field, str(code)))
    if row is None:
        return str(code)
    return row["label_nl" if lang == "nl" else "label_en"]


def colour(field: str, code: str) -> str:
    """Colour of a code (colour-blind safe Okabe-Ito palette for categories)."""
    row = _rows().get((field, str(code)))
    return row["colour"] if row and row["colour"] else "#666666"


YES = {"ja", "j", "yes", "y", "true", "waar", "1", "x", "wel"}
NO = {"nee", "n", "no", "false", "onwaar", "0", "niet", ""}


def parse_bool(text: object) -> bool | None:
    """'ja'/'nee' (and English, 1/0, x) to True/False; None if not recognised."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return False
    if isinstance(text, bool):
        return text
    key = str(text).strip().lower()
    if key in YES:
        return True
    if key in NO:
        return False
    return None
