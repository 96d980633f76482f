"""The vocabulary of abcd-map: canonical columns, their aliases and allowed values.

Everything here is read from the data files ``data/columns.csv`` and
``data/vocabulary.csv``; code asks this module instead of repeating literals.
Canonical column names are Dutch because users read them in every output.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache

import numpy as np
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
    "standaard_zichtbaar", "kleine_plek",
]
#: Optional extra column of OSM places and classified OSM assets: the OSM object's own
#: shape (area, outline or line; EPSG:28992) besides its point. Not an asset column:
#: ``merge_assets`` measures distances to it and drops it.
OSM_GEOMETRY_COLUMN = "osm_geometry"
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
def synonyms() -> pd.DataFrame:
    """Other words people use for a code (``data/synoniemen.csv``: field, synonym, code, note_nl).

    Kept beside the vocabulary so that a team can add its own words without touching code.
    A synonym may be written singular or plural: matching also compares rough stems.
    """
    return pd.read_csv(settings.data_path("synoniemen.csv"), dtype=str, keep_default_na=False)


@lru_cache(maxsize=None)
def field_policies() -> pd.DataFrame:
    """Per asset-file vocabulary field: its column, whether it is required, and its fallback.

    Read from ``data/vocabulary_fields.csv`` (field, column, required, default,
    when_unknown_nl), indexed by field. Fields not listed (``modus``) match only
    codes and labels exactly: no synonyms, no plural rule, no default.
    """
    table = pd.read_csv(settings.data_path("vocabulary_fields.csv"), dtype=str, keep_default_na=False)
    return table.set_index("field")


def is_required(field: str) -> bool:
    """True for a required vocabulary field (``soort``): an unknown value stays an error."""
    policies = field_policies()
    return field not in policies.index or policies.at[field, "required"] == "ja"


def _defaults() -> dict[str, str]:
    policies = field_policies()
    return {f: row["default"] for f, row in policies.iterrows() if row["required"] != "ja"}


#: Fallback code per optional vocabulary field for an unknown value ('' = left empty:
#: ``categorie`` then takes the soort's default, a ``doelgroep`` or ``relatie`` is dropped).
DEFAULTS: dict[str, str] = _defaults()

#: Words ignored when matching values: 'Cultuur & verhalen' equals 'Cultuur en verhalen'.
_CONNECTIVES = frozenset({"en", "and"})
_TOKEN_RE = re.compile(r"[a-z0-9]+")
_DOUBLE_VOWEL_RE = re.compile(r"([aeou])\1")
_DOUBLE_CONSONANT_END_RE = re.compile(r"([b-df-hj-np-tv-z])\1$")


def _stem(token: str) -> str:
    """Rough singular of a lower-case ASCII word, the same for both forms of a pair.

    Dutch/English plural endings are cut (-en, -s, and -'s as the apostrophe is gone),
    then a final -e, a doubled final consonant ('plekk'), v/z before -en ('initiatieven',
    'huizen') and doubled vowels ('verhaal'/'verhalen', 'persoon'/'personen').
    """
    if len(token) > 4 and token.endswith("en"):
        token = _DOUBLE_CONSONANT_END_RE.sub(r"\1", token[:-2])
        if token[-1] in "vz":
            token = token[:-1] + ("f" if token[-1] == "v" else "s")
    elif len(token) > 3 and token.endswith("s") and not token.endswith(("is", "us", "ss")):
        token = token[:-1]
    if len(token) > 3 and token.endswith("e"):
        token = token[:-1]
    return _DOUBLE_VOWEL_RE.sub(r"\1", token)


def loose_key(text: object) -> str:
    """Matching key that also ignores plural endings, '&'/'en'/'and' and word order of spaces."""
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    return "".join(_stem(t) for t in _TOKEN_RE.findall(s) if t not in _CONNECTIVES)


def _vocabulary_texts(field: str) -> list[tuple[str, str]]:
    """(text, code) pairs of a field's codes and labels, in table order."""
    out = []
    for row in vocabulary().query("field == @field").itertuples():
        for text in (row.code, row.code.replace("_", " "), row.label_nl, row.label_en):
            out.append((text, row.code))
    return out


def _synonym_texts(field: str) -> list[tuple[str, str]]:
    """(synonym, code) pairs of a field whose code exists; empty for strict fields."""
    if field not in field_policies().index:
        return []
    known = set(codes(field))
    table = synonyms().query("field == @field")
    return [(s, c) for s, c in zip(table["synonym"], table["code"]) if c in known]


@lru_cache(maxsize=None)
def _value_lookup(field: str) -> dict[str, str]:
    """Exact keys: codes and labels first, then synonyms (first claim wins)."""
    out: dict[str, str] = {}
    for text, code in _vocabulary_texts(field) + _synonym_texts(field):
        out.setdefault(normalise_key(text), code)
    out.pop("", None)
    return out


@lru_cache(maxsize=None)
def _loose_lookup(field: str) -> dict[str, str]:
    """Loose keys (:func:`loose_key`); a code's own words win over synonyms."""
    if field not in field_policies().index:
        return {}
    out: dict[str, str] = {}
    for text, code in _vocabulary_texts(field) + _synonym_texts(field):
        out.setdefault(loose_key(text), code)
    out.pop("", None)
    return out


@lru_cache(maxsize=4096)
def _parse_text(field: str, text: str) -> str | None:
    code = _value_lookup(field).get(normalise_key(text))
    if code is None:
        code = _loose_lookup(field).get(loose_key(text))
    return code


def parse_value(field: str, text: object) -> str | None:
    """Canonical code for a user's value of ``field``, or None when not recognised.

    Accepts the code, the Dutch or English label, a synonym from
    ``data/synoniemen.csv``, singular or plural, in any case, with or without
    accents and punctuation, '&' for 'en' ('Cultuur & verhalen' -> 'cultuur').
    Fields without a row in ``data/vocabulary_fields.csv`` (``modus``) accept only
    codes and labels.
    """
    return _parse_text(field, str(text))


def reload_vocabulary() -> None:
    """Forget the cached tables, e.g. after editing ``data/synoniemen.csv`` in a notebook.

    ``DEFAULTS`` is read once at import; re-import the module to change it.
    """
    for cached in (column_table, aliases, vocabulary, codes, synonyms, field_policies, _policy,
                   _value_lookup, _loose_lookup, _parse_text, _choices, _suggest_code, _rows):
        cached.cache_clear()


def vocabulary_problems() -> list[str]:
    """Inconsistencies in the vocabulary data files, as Dutch lines ([] when all is well).

    A synonym that names an unknown field or code, one that another code already
    claims, or two codes of a field whose words share a loose key.
    """
    problems = []
    for row in synonyms().itertuples():
        if row.field not in field_policies().index:
            problems.append(f"synoniemen.csv: veld '{row.field}' kent geen synoniemen ('{row.synonym}')")
        elif row.code not in codes(row.field):
            problems.append(f"synoniemen.csv: '{row.synonym}' verwijst naar onbekende code "
                            f"'{row.code}' van '{row.field}'")
        elif parse_value(row.field, row.synonym) != row.code:
            problems.append(f"synoniemen.csv: '{row.synonym}' ({row.field}) is al "
                            f"'{parse_value(row.field, row.synonym)}', niet '{row.code}'")
    for field, default in field_policies()["default"].items():
        if not codes(field) or (default and default not in codes(field)):
            problems.append(f"vocabulary_fields.csv: veld '{field}' of standaard '{default}' onbekend")
    for field in field_policies().index:
        claimed: dict[str, str] = {}
        for text, code in _vocabulary_texts(field):
            other = claimed.setdefault(loose_key(text), code)
            if other != code:
                problems.append(f"vocabulary.csv: '{text}' ({field}) lijkt op code '{other}'")
    return problems


def display_label(field: str, code: str) -> str:
    """Dutch label as it reads inside a sentence: 'fysieke ruimte', but 'GGZ' stays."""
    text = label(field, code)
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


#: Lowest rapidfuzz ratio (0-100) for a suggestion; below it :func:`suggest` says nothing.
SUGGEST_CUTOFF = 75.0


@lru_cache(maxsize=4096)
def _suggest_code(field: str, key: str) -> str | None:
    from rapidfuzz import fuzz, process

    lookup = _value_lookup(field)
    match = process.extractOne(key, _choices(field), scorer=fuzz.ratio, score_cutoff=SUGGEST_CUTOFF)
    return lookup[match[0]] if match else None


@lru_cache(maxsize=None)
def _choices(field: str) -> tuple[str, ...]:
    return tuple(_value_lookup(field))


def suggest(field: str, text: object) -> str | None:
    """The nearest allowed Dutch label for an unknown value, or None when nothing is near.

    Examples
    --------
    >>> suggest("categorie", "fysike ruimte")
    'fysieke ruimte'
    """
    key = normalise_key(text)
    if not key:
        return None
    code = _parse_text(field, str(text)) or _suggest_code(field, key)
    return display_label(field, code) if code else None


def did_you_mean(field: str, text: object) -> str:
    """"bedoelde je 'fysieke ruimte'?" for an unknown value, or '' when nothing is near."""
    hint = suggest(field, text)
    return f"bedoelde je '{hint}'?" if hint else ""


def _is_empty(text: object) -> bool:
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return True
    return normalise_key(text) == ""


def parse_or_default(field: str, text: object, *, default: str | None = None,
                     column: str | None = None) -> tuple[str, str | None]:
    """Code of an optional field's value, or its fallback with a Dutch note.

    Parameters
    ----------
    field
        An optional vocabulary field (``categorie``, ``fase``, ``doelgroep``, ``relatie``).
    text
        The user's value. Empty, or only punctuation ('?', '-'), gives the fallback
        without a note.
    default
        Fallback code for this row (e.g. the soort's categorie); ``DEFAULTS[field]``
        when None. '' means: leave empty (drop the value).
    column
        Column name for the note; the field's column (``doelgroepen``) when None.

    Returns
    -------
    (code, note)
        ``note`` is None when the value was recognised or empty, else e.g.
        "onbekende waarde 'sport' in kolom 'categorie'; gebruikt: 'fysieke ruimte'".
        The caller adds file and row.

    Raises
    ------
    ValueError
        For a required field (``soort``): an unknown value there is an error.
    """
    if is_required(field):
        raise ValueError(f"{field} is verplicht; gebruik parse_value en did_you_mean")
    fallback = DEFAULTS[field] if default is None else default
    if _is_empty(text):
        return fallback, None
    code = parse_value(field, text)
    if code is not None:
        return code, None
    return fallback, _unknown_note(field, str(text).strip(), fallback, column)


@lru_cache(maxsize=None)
def _policy(field: str) -> dict[str, str]:
    return field_policies().loc[field].to_dict()


def _unknown_note(field: str, text: str, fallback: str, column: str | None) -> str:
    policy = _policy(field)
    used = f"gebruikt: '{display_label(field, fallback)}'" if fallback else policy["when_unknown_nl"]
    note = f"onbekende waarde '{text}' in kolom '{column or policy['column']}'; {used}"
    hint = suggest(field, text)
    if hint and hint != (display_label(field, fallback) if fallback else None):
        note += f" (bedoelde je '{hint}'?)"
    return note


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


# --------------------------------------------------------------------------- capaciteit

#: What a capaciteit cell may say, for error messages.
CAPACITY_EXPECTED = "een aantal, bijv. 25, ca. 25, 20-25 of onbekend"
#: Words that mean 'not known': the capaciteit stays empty.
_CAPACITY_UNKNOWN = frozenset({
    "", "onbekend", "unknown", "nvt", "navt", "weetniet", "nognietbekend", "nietbekend",
    "geen idee", "varieert", "wisselend", "na",
})
#: Words before a number that do not change it: approximately, at most, at least.
_CAPACITY_PREFIX_RE = re.compile(
    r"^(?:(?:ca|circa|c|ong|ongeveer|plm|pl\.\s?m|rond\s+de|rond|zo'?n|ruim|bijna|max|maximaal"
    r"|maximum|hooguit|tot|min|minimaal|minimum|minstens|ten\s+minste|vanaf|approx|approximately"
    r"|about|around|up\s+to|at\s+most|at\s+least)\.?(?![a-z])|±|\+/-|\+-|~|≈|<=?|>=?|≤|≥)\s*")
#: Words after a number: who or what is counted.
_CAPACITY_UNIT_RE = re.compile(
    r"\s*(?:personen|persoon|pers\.?|p\.?|mensen|man|deelnemers|bezoekers|plaatsen|plekken"
    r"|stoelen|zitplaatsen|kinderen|people|persons|participants|visitors|seats|places|pax)$")
_NUMBER = r"-?\d+(?:[.,]\d+)*"
#: A number, or a range 'a-b', 'a tot b', 'a tot en met b', 'a t/m b', 'a à b', 'a to b'.
_CAPACITY_RE = re.compile(
    rf"^(?P<low>{_NUMBER})(?:\s*(?:-|–|—|tot(?:\s+en\s+met)?|t/m|à|a|to)\s*(?P<high>{_NUMBER}))?\s*\+?$")
_THOUSANDS_RE = re.compile(r"^-?\d{1,3}(?:\.\d{3})+$")


def _dutch_number(text: str) -> float:
    """'1.250,5' -> 1250.5, '12,5' -> 12.5, '1.000' -> 1000 (a dot before three digits
    groups thousands, as Dutch users write), '1.5' -> 1.5."""
    if "," in text and "." in text:
        text = (text.replace(".", "").replace(",", ".") if text.rfind(",") > text.rfind(".")
                else text.replace(",", ""))
    elif _THOUSANDS_RE.match(text):
        text = text.replace(".", "")
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    return float(text)


@lru_cache(maxsize=4096)
def _capacity_from_text(text: str) -> float | None:
    s = re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip().lower()
    if s in _CAPACITY_UNKNOWN or normalise_key(s) in _CAPACITY_UNKNOWN:
        return None
    s = _CAPACITY_UNIT_RE.sub("", _CAPACITY_PREFIX_RE.sub("", s)).strip()
    s = re.sub(r"(?<=\d) (?=\d{3}(?!\d))", "", s)  # '1 000' groups thousands
    match = _CAPACITY_RE.match(s)
    if match is None:
        raise ValueError("geen getal")
    try:
        low = _dutch_number(match["low"])
        high = _dutch_number(match["high"]) if match["high"] else low
    except ValueError:
        raise ValueError("geen getal") from None
    if high < low:
        raise ValueError("bereik loopt terug")
    return low


def parse_capacity(value: object) -> float | None:
    """Capacity (places or participants) of a cell; None when empty or unknown.

    Reads what people write: '15', '15 personen', '15 pers.', 'ca. 15', 'circa 15',
    '± 15', '~15', 'ongeveer 15', 'max. 15', '15+' -> 15. A range '15-20',
    '15 tot 20', '15 t/m 20' or '15 à 20' gives its lower bound, 15: capaciteit is
    used to weigh supply against demand, and the lower bound never promises places
    that may not be there. 'onbekend', '?', 'n.v.t.' and '' give None. Decimal
    comma and Dutch thousands ('1.250,5', '1.000') are read; a negative number is
    returned as is so that the caller can say it cannot be negative.

    Raises
    ------
    ValueError
        With a short Dutch reason ('geen getal', 'bereik loopt terug') otherwise.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool) or isinstance(value, (date, datetime)):
        raise ValueError("geen getal")
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            return None
    else:
        number = _capacity_from_text(str(value))
        if number is None:
            return None
    if not math.isfinite(number):
        raise ValueError("geen getal")
    return number


def parse_capacities(values: Iterable[object]) -> tuple[np.ndarray, np.ndarray]:
    """Float array (NaN for empty, unknown or unreadable) and a mask of unreadable cells.

    A drop-in for the loader's ``_parse_numbers`` on the ``capaciteit`` column.
    """
    values = list(values)
    out = np.full(len(values), np.nan)
    bad = np.zeros(len(values), dtype=bool)
    for i, value in enumerate(values):
        try:
            number = parse_capacity(value)
        except ValueError:
            bad[i] = True
            continue
        if number is not None:
            out[i] = number
    return out, bad
