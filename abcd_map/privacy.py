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

:func:`leak_scan` searches a folder of outputs for personal data; the leak test uses it.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from . import schema, settings
from .errors import InputError, InputProblem, note

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


def _blank_rows(df: pd.DataFrame, rows: pd.Series, columns) -> None:
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
    _blank_rows(out, person, HOME_ADDRESS_COLUMNS)
    if mode == PUBLIC:
        _blank_rows(out, person, PERSON_CONTACT_COLUMNS)
        out = out.drop(columns=[c for c in CONTACT_PERSON_COLUMNS if c in out.columns])
    return out


def _drop_hidden_relations(df: pd.DataFrame, shown_ids: set[str]) -> pd.DataFrame:
    if "relaties" not in df.columns:
        return df

    def keep(text: object) -> str:
        if not isinstance(text, str) or not text.strip():
            return "" if not isinstance(text, str) else text
        parts = [p.strip() for p in re.split(r"[;\n]", text) if p.strip()]
        kept = []
        for part in parts:
            target = part.rsplit(":", 1)[-1]
            targets = [t.strip() for t in target.split(",") if t.strip()]
            if targets and all(t in shown_ids for t in targets):
                kept.append(part)
        return "; ".join(kept)
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
        out = _drop_hidden_relations(out, set(out["id"].astype(str)))
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


def _assign_buurt(points: gpd.GeoDataFrame, buurten: gpd.GeoDataFrame) -> pd.Series:
    """buurtcode of each point: see :func:`abcd_map.geo.assign_areas`."""
    from .geo import assign_areas  # the one point-in-area rule (import belongs at the top)

    return assign_areas(points, buurten)


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
        where = _assign_buurt(persons, buurten)
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


# --------------------------------------------------------------------------- leak scan

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_BREAK = re.compile(r"[\[\](){}\n]")
_WORD = re.compile(r"\w+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: Files where coordinates come as [x, y] pairs: only adjacent numbers are paired.
_PAIRED_SUFFIXES = {".html", ".htm", ".js", ".json", ".geojson"}
_PHONE = re.compile(r"\+?\d[\d\s\-.()/]{6,}\d")


def _phone_digits(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    if digits.startswith("0031"):
        digits = "0" + digits[4:]
    elif digits.startswith("31") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def _file_texts(path: Path) -> list[tuple[str, str]]:
    """(label, text) pieces of a file: zip members (xlsx, docx, kmz) are opened."""
    data = path.read_bytes()
    if zipfile.is_zipfile(io.BytesIO(data)):
        out = []
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for name in zf.namelist():
                out.append((f"{path.name}:{name}", zf.read(name).decode("utf-8", errors="replace")))
        return out
    return [(path.name, data.decode("utf-8", errors="replace"))]


def _variants(text: str) -> set[str]:
    out = {text, html.escape(text), json.dumps(text)[1:-1], html.escape(json.dumps(text)[1:-1])}
    return {v.lower() for v in out if v}


def _number_pairs(text: str, window: int = 120, reach: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of numbers that lie close together in ``text`` (both orders).

    A number is paired with each of the next ``reach`` numbers within ``window``
    characters (1 for GeoJSON/HTML, where coordinates come in pairs), as long as
    no bracket, brace or line break lies between them: "[4.36, 52.01], [4.37, 52.02]"
    gives the two vertices, not the mixed pair "52.01], [4.37".
    """
    found = [(m.start(), m.end(), float(m.group())) for m in _NUMBER.finditer(text)]
    if len(found) < 2:
        return np.empty((0, 2)), np.empty((0, 2))
    start = np.array([f[0] for f in found])
    end = np.array([f[1] for f in found])
    val = np.array([f[2] for f in found])
    breaks = np.array([m.start() for m in _BREAK.finditer(text)], dtype=np.int64)
    pairs = []
    # numbers within the window after each number (typically a handful)
    for k in range(1, reach + 1):
        close = (start[k:] - start[:-k]) <= window
        between = np.searchsorted(breaks, start[k:]) - np.searchsorted(breaks, end[:-k])
        close &= between == 0
        if not close.any():
            break
        i = np.nonzero(close)[0]
        pairs.append(np.column_stack([val[i], val[i + k]]))
    p = np.vstack(pairs) if pairs else np.empty((0, 2))
    return p, p[:, ::-1]


def _persons_xy(persons: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    pts = persons[persons.geometry.notna() & ~persons.geometry.is_empty]
    pts = pts[pts.geometry.geom_type == "Point"]
    rd = pts.to_crs(settings.crs) if pts.crs is not None and pts.crs != settings.crs else pts
    wgs = rd.set_crs(settings.crs, allow_override=True).to_crs(settings.crs_wgs84)
    xy = np.column_stack([rd.geometry.x.to_numpy(), rd.geometry.y.to_numpy()])
    lonlat = np.column_stack([wgs.geometry.x.to_numpy(), wgs.geometry.y.to_numpy()])
    return xy, lonlat, pts.index


def _lonlat_to_rd(lonlat: np.ndarray) -> np.ndarray:
    from pyproj import Transformer

    if len(lonlat) == 0:
        return np.empty((0, 2))
    t = Transformer.from_crs(settings.crs_wgs84, settings.crs, always_xy=True)
    x, y = t.transform(lonlat[:, 0], lonlat[:, 1])
    return np.column_stack([x, y])


def _points_near_persons(candidates_rd: np.ndarray, persons_rd: np.ndarray, ids: list[str],
                         tolerance: float) -> list[tuple[str, float]]:
    from scipy.spatial import cKDTree

    if len(candidates_rd) == 0 or len(persons_rd) == 0:
        return []
    ok = np.isfinite(candidates_rd).all(axis=1)
    tree = cKDTree(candidates_rd[ok])
    out = []
    for i, p in enumerate(persons_rd):
        d, _ = tree.query(p, k=1)
        if d <= tolerance:
            out.append((ids[i], float(d)))
    return out


def _text_coordinates(text: str, reach: int = 3) -> np.ndarray:
    """Every nearby number pair read as RD x/y or as WGS84 lon/lat, in RD metres."""
    p, q = _number_pairs(text, reach=reach)
    pairs = np.vstack([p, q]) if len(p) else np.empty((0, 2))
    if len(pairs) == 0:
        return pairs
    rd = pairs[(pairs[:, 0] > 0) & (pairs[:, 0] < 300_000) & (pairs[:, 1] > 289_000) & (pairs[:, 1] < 630_000)]
    ll = pairs[(pairs[:, 0] > 2.5) & (pairs[:, 0] < 7.5) & (pairs[:, 1] > 50.5) & (pairs[:, 1] < 54)]
    return np.vstack([rd, _lonlat_to_rd(ll)])


def _layer_coordinates(path: Path) -> list[tuple[str, np.ndarray]]:
    import pyogrio
    import shapely

    out = []
    try:
        layers = [row[0] for row in pyogrio.list_layers(path)]
    except Exception:  # noqa: BLE001 - not a readable vector file
        return out
    for layer in layers:
        try:
            gdf = pyogrio.read_dataframe(path, layer=layer)
        except Exception:  # noqa: BLE001
            continue
        if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.isna().all():
            continue
        if gdf.crs is not None and gdf.crs != settings.crs:
            gdf = gdf.to_crs(settings.crs)
        out.append((f"{path.name}:{layer}", shapely.get_coordinates(gdf.geometry.dropna().to_numpy())))
    return out


def leak_scan(folder: str | Path, persons: gpd.GeoDataFrame, mode: str | None = None,
              tolerance: float = 10.0) -> list[str]:
    """Search every file under ``folder`` for personal data of ``persons``.

    Looks for names, phone numbers (any spacing, dashes or +31), e-mail addresses,
    home addresses and postcodes as text (also HTML- and JSON-escaped, also inside
    .xlsx/zip members), and for coordinates within ``tolerance`` metres of a person:
    number pairs in any text (WGS84 lon/lat or lat/lon, RD x/y; this covers GeoJSON
    embedded in HTML and CSV columns) and every vertex of every layer of vector files
    (GeoPackage, GeoJSON, ...).

    What counts as a leak depends on ``mode`` (default publiek): in publiek, the name
    and location of a person with ``toestemming`` and ``openbaar`` may appear but not
    the contact details or address; of any other person nothing may appear. In team,
    only home addresses are leaks.

    Returns
    -------
    list of str
        Findings in Dutch, e.g. "kaart.html: telefoon van persoon P02"; empty = no leak.
    """
    mode = check_mode(mode)
    folder = Path(folder)
    persons = persons[is_person(persons).to_numpy()] if ("soort" in persons or "categorie" in persons) else persons
    shown = may_show_person(persons) if mode == PUBLIC else pd.Series(True, index=persons.index)
    ids = (persons["id"].astype(str) if "id" in persons else pd.Series(persons.index.astype(str),
                                                                       index=persons.index))

    def values(col: str, rows: pd.Series) -> list[tuple[str, str]]:
        if col not in persons:
            return []
        sel = persons.loc[rows.to_numpy(), col].astype(object)
        return [(ids[i], str(v).strip()) for i, v in sel.items()
                if isinstance(v, str) and len(str(v).strip()) >= 3]

    all_rows = pd.Series(True, index=persons.index)
    text_needles: list[tuple[str, str, str]] = []  # (kind, id, text)
    for col in HOME_ADDRESS_COLUMNS:
        text_needles += [(col, i, v) for i, v in values(col, all_rows)]
    phones: list[tuple[str, str]] = []
    if mode == PUBLIC:
        text_needles += [("naam", i, v) for i, v in values("naam", ~shown)]
        text_needles += [("email", i, v) for i, v in values("email", all_rows)]
        text_needles += [("contactpersoon", i, v) for i, v in values("contactpersoon", all_rows)]
        phones = [(i, _phone_digits(v)) for i, v in values("telefoon", all_rows) if len(_phone_digits(v)) >= 7]
    hidden_locations = ~shown
    xy, _lonlat, loc_index = _persons_xy(persons[hidden_locations.to_numpy()])
    loc_ids = [ids[i] for i in loc_index]

    # Each needle as (kind, id, variant, first word of the variant, pattern); a file's
    # word set filters the candidates so that thousands of persons stay quick.
    prepared = []
    for kind, pid, needle in text_needles:
        if kind == "postcode":
            compact = re.sub(r"\s+", "", needle.lower())
            variants = {compact, f"{compact[:4]} {compact[4:]}"} if len(compact) >= 6 else {needle.lower()}
            pattern = (re.compile(re.escape(compact[:4]) + r"\s*" + re.escape(compact[4:]) + r"(?!\w)")
                       if len(compact) >= 6 else None)
        else:
            variants = _variants(needle)
            pattern = None
        for v in variants:
            words = _WORD.findall(v)
            if kind in ("naam", "adres", "contactpersoon"):
                pat = re.compile(r"(?<!\w)" + re.escape(v) + r"(?!\w)")
            else:
                pat = pattern
            prepared.append((kind, pid, v, words[0] if words else None, pat))
    phone_ids: dict[str, list[str]] = {}
    for pid, digits in phones:
        phone_ids.setdefault(digits[-9:], []).append(pid)

    findings: list[str] = []
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    for path in files:
        rel = path.relative_to(folder).as_posix()
        for label, text in _file_texts(path):
            where = rel if label == path.name else f"{rel} ({label.split(':', 1)[1]})"
            low = text.lower()
            words = set(_WORD.findall(low))
            emails = {e.lower() for e in _EMAIL.findall(text)}
            for kind, pid, variant, first, pat in prepared:
                if first is not None and first not in words and kind != "email":
                    continue
                if kind == "email":
                    hit = variant in emails or (first in words and variant in low)
                elif pat is not None:
                    hit = pat.search(low) is not None
                else:
                    hit = variant in low
                if hit:
                    findings.append(f"{where}: {kind} van persoon {pid} gevonden")
            if phone_ids:
                found = {_phone_digits(m.group()) for m in _PHONE.finditer(text)}
                found |= {_phone_digits(m.group()) for m in re.finditer(r"\d{7,}", text)}
                cores = {d[i:i + 9] for d in found for i in range(max(len(d) - 8, 0))}
                for core in cores & set(phone_ids):
                    for pid in phone_ids[core]:
                        findings.append(f"{where}: telefoon van persoon {pid} gevonden")
            if len(xy):
                reach = 1 if path.suffix.lower() in _PAIRED_SUFFIXES else 3
                for pid, dist in _points_near_persons(_text_coordinates(text, reach), xy, loc_ids, tolerance):
                    findings.append(f"{where}: coördinaat op {dist:.1f} m van persoon {pid} gevonden")
        if path.suffix.lower() in {".gpkg", ".geojson", ".json", ".shp", ".fgb", ".gml", ".kml"} and len(xy):
            for label, coords in _layer_coordinates(path):
                for pid, dist in _points_near_persons(coords, xy, loc_ids, tolerance):
                    findings.append(f"{rel} (laag {label.split(':', 1)[1]}): punt op {dist:.1f} m "
                                    f"van persoon {pid} gevonden")
    return list(dict.fromkeys(findings))
