"""What changed since a previous run: ``--vergelijk VORIGE_MAP`` (issue 14 item 2).

A previous output folder (its ``run.json`` and ``abcd-map.gpkg``; the folder is only
read, never written) is compared with the publication of this run:

* assets added, removed and changed (:data:`COMPARED_FIELDS`, and a location moved
  more than :data:`MOVE_THRESHOLD_M` metres). Assets are matched by ``id`` first, then
  by name and place as :func:`abcd_map.load.assets.merge_assets` merges (normalised
  name similarity >= ``settings.merge_min_similarity`` within
  ``settings.merge_max_distance`` m, one-to-one, best first); the rest is added or removed;
* the share of residents within walking distance of a welcoming place per buurt,
  then and now (``dekking_<d>m``), for the distances both runs computed;
* in team mode, contacts that went stale since the previous run.

Privacy: a team-mode folder is never compared into a publiek run (:func:`read_previous`
refuses with an InputError). A publiek folder compared into a team run compares the
publiek view of this run. Persons are compared only when both runs are team runs:
a person who left a publiek output (consent withdrawn) must not be named in the next.

The tables are described, column by column, in :data:`CHANGE_TABLES`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from rapidfuzz import fuzz

from . import metrics, privacy, schema, settings, welcoming
from .errors import InputError, InputProblem
from .load.assets import normalise_name
from .publication import Publication, gate_assets

#: An asset whose location moved more than this many metres counts as moved.
MOVE_THRESHOLD_M = 25.0
#: Asset fields compared between the runs, in this order (only those both runs wrote).
COMPARED_FIELDS = ("id", "naam", "soort", "categorie", "fase", "openingstijden", "wanneer", "inloop",
                   "doelgroepen", "omschrijving", "beheerder", "website", "telefoon", "email", "capaciteit",
                   "contactpersoon")
#: Compared fields that hold yes/no (a GeoPackage stores a yes/no column with gaps as 1.0/0.0).
FLAG_FIELDS = ("inloop",)
#: The values of ``wijziging``, in the order the tables list them.
ADDED, REMOVED, CHANGED = "erbij", "weg", "veranderd"
#: Name of the map layer of changed assets (a circle of MOVE_THRESHOLD_M around each).
CHANGE_LAYER = "wijzigingen"

#: The change tables (sheets of ``tabellen.xlsx`` and tables of ``abcd-map.gpkg``) and their columns.
CHANGE_TABLES: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "wijzigingen_assets": MappingProxyType({
        "wijziging": "'erbij' (only now), 'weg' (only then) or 'veranderd' (one row per changed field)",
        "id": "id now ('weg': id then)",
        "naam": "name now ('weg': name then)",
        "soort": "kind now ('weg': then)",
        "categorie": "ABCD category now ('weg': then)",
        "veld": "'veranderd': the changed field (a COMPARED_FIELDS name, or 'locatie'); else empty",
        "toen": "'veranderd': the value then, as text ('' = empty); else empty",
        "nu": "'veranderd': the value now, as text; else empty",
        "verplaatst_m": "metres between the locations then and now (matched assets; else empty)",
        "gekoppeld_op": "how the pair was matched: 'id' or 'naam en plek'; empty for 'erbij'/'weg'",
    }),
    "wijzigingen_dekking": MappingProxyType({
        "buurtcode": "CBS buurt code (buurten of either run)",
        "buurtnaam": "buurt name (now, else then)",
        "afstand_m": "walking distance (m); only distances both runs computed",
        "dekking_toen": "share of residents (%) within afstand_m of a welcoming place then (empty: unknown)",
        "dekking_nu": "the same now",
        "verschil": "dekking_nu - dekking_toen (percentage points)",
    }),
    "verouderde_contacten": MappingProxyType({
        "id": "asset id (team mode only: this table is not made in publiek)",
        "naam": "name",
        "soort": "kind",
        "categorie": "ABCD category",
        "fase": "welcoming stage",
        "laatste_contact": "last contact date now (older than settings.stale_contact_months)",
        "laatste_contact_toen": "last contact date in the previous run (empty when not known then)",
        "maanden_sinds_contact": "whole months since the last contact, counted to this run's date",
    }),
})

#: Columns of the map layer :data:`CHANGE_LAYER` (besides its geometry: a circle of MOVE_THRESHOLD_M m).
CHANGE_LAYER_COLUMNS: Mapping[str, str] = MappingProxyType({
    "naam": "name (now; 'weg': then)",
    "wijziging": "'erbij', 'weg' or 'veranderd'",
    "reden": "Dutch text for the map, e.g. 'veranderd: naam, locatie (100 m)'",
})

_MATCH_ID, _MATCH_PLACE = "id", "naam en plek"


@dataclass(frozen=True)
class PreviousRun:
    """What a previous output folder says: mode, date, distances, assets and buurten (EPSG:28992)."""

    folder: Path
    mode: str
    date: dt.date | None
    distances: tuple[float, ...]
    assets: gpd.GeoDataFrame
    buurten: gpd.GeoDataFrame

    @property
    def is_team(self) -> bool:
        """True when the previous output was made in team mode."""
        return self.mode == privacy.TEAM

    def describe(self) -> str:
        """'12-09-2026 (publiek, 500 m)': the date, mode and distances of the previous run."""
        when = self.date.strftime("%d-%m-%Y") if self.date else "onbekende datum"
        return f"{when} ({self.mode}, {_distances_text(self.distances)})"


# --------------------------------------------------------------------------- reading

def _problem(folder: Path, message: str, expected: str | None = None) -> InputError:
    return InputError(InputProblem(file="--vergelijk", message=message, value=str(folder), expected=expected))


def _read_meta(folder: Path, gpkg: Path) -> dict:
    """``run.json`` of the folder; without it the ``over_deze_run`` table of the GeoPackage."""
    path = folder / "run.json"
    if path.is_file():
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise _problem(folder, "run.json van de vorige uitvoer is onleesbaar",
                           "de map van een eerdere 'abcd-map build'") from None
    table = _read_layer(gpkg, "over_deze_run")
    meta: dict = {}
    for key, value in zip(table.get("sleutel", []), table.get("waarde", [])):
        try:
            meta[str(key)] = json.loads(value) if key != "modus" and key != "datum" else value
        except (TypeError, ValueError):
            meta[str(key)] = value
    return meta


def _read_layer(gpkg: Path, layer: str) -> pd.DataFrame:
    """A layer of the GeoPackage (empty when it is not there, as write_gpkg skips empty layers)."""
    import pyogrio

    names = {str(row[0]) for row in pyogrio.list_layers(gpkg)}
    if layer not in names:
        return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=settings.crs), crs=settings.crs)
    frame = pyogrio.read_dataframe(gpkg, layer=layer)
    if isinstance(frame, gpd.GeoDataFrame) and frame.crs is not None:
        frame = frame.to_crs(settings.crs)
    return frame


def _previous_mode(meta: Mapping, assets: pd.DataFrame, folder: Path) -> str:
    """The mode of the previous run; team when any part of it says so (run.json, table, team mark)."""
    stated = meta.get("modus") or (meta.get("opties") or {}).get("modus")
    if "let_op" in assets.columns or meta.get("let_op") or stated == privacy.TEAM:
        return privacy.TEAM
    if stated != privacy.PUBLIC:
        raise _problem(folder, "de modus van de vorige uitvoer is onbekend (geen 'modus' in run.json of "
                       "in de tabel over_deze_run)", "de map van een eerdere 'abcd-map build'")
    return privacy.PUBLIC


def _previous_date(meta: Mapping) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(meta.get("datum"))[:10])
    except ValueError:
        return None


def _previous_distances(meta: Mapping, buurten: pd.DataFrame) -> tuple[float, ...]:
    """The walking distances of the previous run (run.json, else the buurt table's coverage columns)."""
    stated = meta.get("afstanden") or (meta.get("opties") or {}).get("afstanden")
    if isinstance(stated, list) and stated:
        return tuple(sorted(float(d) for d in stated))
    found = {parsed[1] for c in buurten.columns if (parsed := metrics.parse_coverage_column(c)) and not parsed[0]}
    return tuple(sorted(found))


def check_modes(previous_mode: str, mode: str | None, folder: str | Path) -> None:
    """Refuse (InputError) to compare a team-mode previous output into a publiek run."""
    if privacy.check_mode(mode) == privacy.PUBLIC and previous_mode == privacy.TEAM:
        raise _problem(Path(folder), "de vorige uitvoer is in modus team gemaakt; vergelijk een publieke run "
                       "alleen met een publieke vorige uitvoer", "een map van een publieke run, of --modus team")


def read_previous(folder: str | Path, mode: str | None = None) -> PreviousRun:
    """Read a previous output folder (never written to) to compare a run in ``mode`` with.

    Parameters
    ----------
    folder
        A folder written by ``abcd-map build`` (``run.json`` and ``abcd-map.gpkg``).
        Without ``run.json`` the mode, date and distances come from the GeoPackage's
        ``over_deze_run`` table.
    mode
        The mode of this run; ``publiek`` refuses a previous team-mode folder.

    Raises
    ------
    InputError
        When the folder or its GeoPackage is missing, its mode is unknown, or a team
        folder is compared into a publiek run.
    """
    folder = Path(folder)
    gpkg = folder / "abcd-map.gpkg"
    if not folder.is_dir() or not gpkg.is_file():
        raise _problem(folder, "geen map met een eerdere uitvoer" if not folder.is_dir()
                       else "abcd-map.gpkg ontbreekt in de vorige uitvoer", "de map van een eerdere 'abcd-map build'")
    meta = _read_meta(folder, gpkg)
    assets = _read_layer(gpkg, "assets")
    previous_mode = _previous_mode(meta, assets, folder)
    check_modes(previous_mode, mode, folder)
    buurten = _read_layer(gpkg, "buurten")
    return PreviousRun(folder=folder, mode=previous_mode, date=_previous_date(meta),
                       distances=_previous_distances(meta, buurten),
                       assets=assets.drop(columns=["let_op"], errors="ignore").reset_index(drop=True),
                       buurten=buurten.drop(columns=["let_op"], errors="ignore"))


# --------------------------------------------------------------------------- matching

def _ids(assets: pd.DataFrame) -> list[str]:
    return [_text(v) for v in assets["id"]] if "id" in assets else [""] * len(assets)


def match_assets(before: gpd.GeoDataFrame, after: gpd.GeoDataFrame, *, min_similarity: float | None = None,
                 max_distance: float | None = None) -> list[tuple[int, int, str]]:
    """Pairs (position in ``before``, position in ``after``, how) of the same asset in two runs.

    By ``id`` first; then the rest by name and place as the merge does (persons only by id).
    Pairs are one-to-one. Positions are row positions (``iloc``); ``how`` is ``'id'`` or
    ``'naam en plek'``.
    """
    min_similarity = settings.merge_min_similarity if min_similarity is None else min_similarity
    max_distance = settings.merge_max_distance if max_distance is None else max_distance
    after_pos: dict[str, list[int]] = {}
    for pos, key in enumerate(_ids(after)):
        if key:
            after_pos.setdefault(key, []).append(pos)
    pairs = []
    for pos, key in enumerate(_ids(before)):
        if after_pos.get(key):
            pairs.append((pos, after_pos[key].pop(0), _MATCH_ID))
    used_b, used_a = {p[0] for p in pairs}, {p[1] for p in pairs}
    rest_b = [b for b in range(len(before)) if b not in used_b and not _is_person_at(before, b)]
    rest_a = [a for a in range(len(after)) if a not in used_a and not _is_person_at(after, a)]
    pairs += _match_by_place(before, after, rest_b, rest_a, min_similarity, max_distance)
    return sorted(pairs)


def _is_person_at(assets: pd.DataFrame, pos: int) -> bool:
    return "soort" in assets and _text(assets["soort"].iat[pos]) == "persoon"


def _points(assets: gpd.GeoDataFrame, positions: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The positions whose geometry is a point that is there, and those geometries."""
    geoms = assets.geometry.to_numpy()[positions] if positions else np.array([], dtype=object)
    ok = np.array([g is not None and not g.is_empty for g in geoms], dtype=bool)
    return np.asarray(positions, dtype=int)[ok], geoms[ok]


def _match_by_place(before: gpd.GeoDataFrame, after: gpd.GeoDataFrame, rest_b: list[int], rest_a: list[int],
                    min_similarity: float, max_distance: float) -> list[tuple[int, int, str]]:
    """One-to-one pairs, best name similarity first, within ``max_distance`` metres (as merge_assets)."""
    pos_b, geom_b = _points(before, rest_b)
    pos_a, geom_a = _points(after, rest_a)
    if not (len(pos_b) and len(pos_a)):
        return []
    ib, ia = shapely.STRtree(geom_a).query(geom_b, predicate="dwithin", distance=max_distance)
    candidates = []
    for i, j, dist in zip(ib, ia, shapely.distance(geom_b[ib], geom_a[ia])):
        b, a = int(pos_b[i]), int(pos_a[j])
        left, right = normalise_name(before["naam"].iat[b]), normalise_name(after["naam"].iat[a])
        sim = float(fuzz.token_set_ratio(left, right)) if left and right else 0.0
        if sim >= min_similarity:
            candidates.append((-sim, -fuzz.ratio(left, right), float(dist), b, a))
    used_b: set[int] = set()
    used_a: set[int] = set()
    pairs = []
    for *_, b, a in sorted(candidates):
        if b not in used_b and a not in used_a:
            used_b.add(b)
            used_a.add(a)
            pairs.append((b, a, _MATCH_PLACE))
    return pairs


# --------------------------------------------------------------------------- asset changes

def _text(value: object) -> str:
    """A field value as comparable text: '' for empty, 'ja'/'nee' for yes/no, whole numbers without '.0'."""
    if value is None or (not isinstance(value, (str, list, tuple)) and bool(pd.isna(value))):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "ja" if value else "nee"
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date().isoformat()
    text = str(value).strip()
    return {"True": "ja", "False": "nee", "true": "ja", "false": "nee"}.get(text, text)


def _field_text(field: str, value: object) -> str:
    """:func:`_text` of a field's value; yes/no fields as 'ja'/'nee' whether stored as bool, 1/0 or text."""
    text = _text(value)
    if field in FLAG_FIELDS and text:
        flag = schema.parse_bool(text)
        return text if flag is None else ("ja" if flag else "nee")
    return text


def _row(assets: pd.DataFrame, pos: int, change: str) -> dict:
    return {"wijziging": change, **{c: _text(assets[c].iat[pos]) if c in assets else ""
                                    for c in ("id", "naam", "soort", "categorie")},
            "veld": "", "toen": "", "nu": "", "verplaatst_m": np.nan, "gekoppeld_op": ""}


def _moved(before: gpd.GeoDataFrame, after: gpd.GeoDataFrame, b: int, a: int) -> float:
    gb, ga = before.geometry.iat[b], after.geometry.iat[a]
    if gb is None or ga is None or gb.is_empty or ga.is_empty:
        return np.nan
    return round(float(shapely.distance(gb, ga)), 1)


def _pair_rows(before: gpd.GeoDataFrame, after: gpd.GeoDataFrame, b: int, a: int, how: str,
               fields: list[str]) -> list[dict]:
    """One row per changed field of a matched pair (none when nothing changed)."""
    rows = []
    moved = _moved(before, after, b, a)
    for name in fields:
        then, now = _field_text(name, before[name].iat[b]), _field_text(name, after[name].iat[a])
        if then != now:
            rows.append({**_row(after, a, CHANGED), "veld": name, "toen": then, "nu": now})
    if moved > MOVE_THRESHOLD_M:
        rows.append({**_row(after, a, CHANGED), "veld": "locatie"})
    for row in rows:
        row.update(verplaatst_m=moved, gekoppeld_op=how)
    return rows


def asset_changes(before: gpd.GeoDataFrame, after: gpd.GeoDataFrame,
                  pairs: list[tuple[int, int, str]] | None = None) -> pd.DataFrame:
    """The table ``wijzigingen_assets`` (see :data:`CHANGE_TABLES`) of two asset tables (EPSG:28992)."""
    before, after = before.reset_index(drop=True), after.reset_index(drop=True)
    pairs = match_assets(before, after) if pairs is None else pairs
    fields = [f for f in COMPARED_FIELDS if f in before.columns and f in after.columns]
    matched_b, matched_a = {p[0] for p in pairs}, {p[1] for p in pairs}
    rows = [_row(after, a, ADDED) for a in range(len(after)) if a not in matched_a]
    rows += [_row(before, b, REMOVED) for b in range(len(before)) if b not in matched_b]
    for b, a, how in pairs:
        rows += _pair_rows(before, after, b, a, how, fields)
    table = pd.DataFrame(rows, columns=list(CHANGE_TABLES["wijzigingen_assets"]))
    order = {ADDED: 0, REMOVED: 1, CHANGED: 2}
    field_order = {f: i for i, f in enumerate([*COMPARED_FIELDS, "locatie"])}
    keys = pd.DataFrame({"w": table["wijziging"].map(order), "n": table["naam"].str.lower(), "i": table["id"],
                         "f": table["veld"].map(field_order).fillna(-1)})
    return table.loc[keys.sort_values(["w", "n", "i", "f"], kind="stable").index].reset_index(drop=True)


# --------------------------------------------------------------------------- coverage

def _distances_text(distances: tuple[float, ...]) -> str:
    return ", ".join(f"{d:g}" for d in distances) + " m" if distances else "onbekend"


def coverage_changes(before: pd.DataFrame, after: pd.DataFrame, distances_before: tuple[float, ...],
                     distances_after: tuple[float, ...]) -> tuple[pd.DataFrame, str | None]:
    """The table ``wijzigingen_dekking`` and a Dutch note when the runs' distances differ.

    Only distances both runs computed are compared (and only those with a
    ``dekking_<d>m`` column in both buurt tables).
    """
    columns = list(CHANGE_TABLES["wijzigingen_dekking"])
    common = [d for d in sorted(set(distances_before) & set(distances_after))
              if metrics.coverage_column(d) in before and metrics.coverage_column(d) in after]
    note = None
    if tuple(distances_before) != tuple(distances_after):
        shared = _distances_text(tuple(common)) if common else "geen enkele afstand"
        note = (f"De loopafstanden verschillen: toen {_distances_text(tuple(distances_before))}, nu "
                f"{_distances_text(tuple(distances_after))}; de dekking is vergeleken voor {shared}.")
    if not common or "buurtcode" not in before or "buurtcode" not in after:
        return pd.DataFrame(columns=columns), note
    parts = []
    for d in common:
        col = metrics.coverage_column(d)
        then = before[["buurtcode", *(["buurtnaam"] if "buurtnaam" in before else []), col]]
        now = after[["buurtcode", *(["buurtnaam"] if "buurtnaam" in after else []), col]]
        both = pd.merge(pd.DataFrame(then).astype({"buurtcode": str}), pd.DataFrame(now).astype({"buurtcode": str}),
                        on="buurtcode", how="outer", suffixes=("_toen", "_nu"))
        name_now = both.get("buurtnaam_nu", pd.Series(np.nan, index=both.index))
        both["buurtnaam"] = name_now.fillna(both.get("buurtnaam_toen", pd.Series(np.nan, index=both.index)))
        both["afstand_m"] = d
        both["dekking_toen"] = pd.to_numeric(both[f"{col}_toen"], errors="coerce")
        both["dekking_nu"] = pd.to_numeric(both[f"{col}_nu"], errors="coerce")
        both["verschil"] = both["dekking_nu"] - both["dekking_toen"]
        parts.append(both[columns])
    table = pd.concat(parts, ignore_index=True).sort_values(["buurtcode", "afstand_m"], kind="stable")
    return table.reset_index(drop=True), note


# --------------------------------------------------------------------------- stale contacts

def stale_since(before: pd.DataFrame, after: pd.DataFrame, pairs: list[tuple[int, int, str]],
                then: dt.date, now: dt.date, current: pd.DataFrame | None = None) -> pd.DataFrame:
    """The table ``verouderde_contacten``: stale at ``now`` but not at ``then`` (team data only).

    ``pairs`` match ``before`` and ``after`` (:func:`match_assets`); the contact dates
    now come from ``current`` (default ``after``: the team's assets, also when ``after``
    is their publiek view). The date then is the previous run's ``laatste_contact`` of
    the matched asset (when that run recorded it), else today's value; a contact never
    recorded is not listed (it was never fresh).
    """
    columns = list(CHANGE_TABLES["verouderde_contacten"])
    current = after if current is None else current
    if "laatste_contact" not in current or not len(current):
        return pd.DataFrame(columns=columns)
    table = welcoming.welcoming_table(current, today=now)
    table = table[table["contact_verouderd"] & table["laatste_contact"].notna()]
    back = {_text(after["id"].iat[a]): b for b, a, _ in pairs} if "id" in after else {}
    earlier = [pd.NaT] * len(table)
    if "laatste_contact" in before:
        dates = pd.to_datetime(before["laatste_contact"], errors="coerce", utc=True).dt.tz_localize(None)
        earlier = [dates.iat[back[i]] if i in back else pd.NaT for i in table["id"]]
    table = table.assign(laatste_contact_toen=pd.to_datetime(pd.Series(earlier, index=table.index)))
    recorded_then = table["id"].isin(back) if "laatste_contact" in before else pd.Series(False, index=table.index)
    known_then = table["laatste_contact_toen"].where(recorded_then, table["laatste_contact"])
    was_stale = welcoming.stale_contact(known_then, today=then, unknown_is_stale=False)
    return table.loc[~was_stale.to_numpy(), columns].reset_index(drop=True)


# --------------------------------------------------------------------------- the stage

def _comparable(publication: Publication, previous: PreviousRun) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The asset tables to compare: publiek fields when either run is publiek; persons only team-team."""
    after = publication.assets
    if previous.mode == privacy.PUBLIC and publication.is_team:
        after = gate_assets(after, privacy.PUBLIC)
    before = previous.assets
    if not (publication.is_team and previous.is_team):
        before = before[~privacy.is_person(before).to_numpy()] if "soort" in before else before
        after = after[~privacy.is_person(after).to_numpy()] if "soort" in after else after
    return before.reset_index(drop=True), after.reset_index(drop=True)


def _reason(rows: pd.DataFrame) -> str:
    """'veranderd: naam, locatie (100 m)': the changed fields of one asset, for the map."""
    parts = [f"locatie ({r.verplaatst_m:.0f} m)" if r.veld == "locatie" else r.veld for r in rows.itertuples()]
    return "veranderd: " + ", ".join(parts)


def change_layer(table: pd.DataFrame, before: gpd.GeoDataFrame, after: gpd.GeoDataFrame,
                 pairs: list[tuple[int, int, str]]) -> gpd.GeoDataFrame:
    """Map layer :data:`CHANGE_LAYER`: a circle per added, removed or changed asset (naam, wijziging, reden).

    ``table`` is :func:`asset_changes` of ``before`` and ``after`` with these ``pairs``.
    """
    changed = {key: _reason(rows) for key, rows in table[table["wijziging"].eq(CHANGED)].groupby("id", sort=False)}
    matched_a, matched_b = {a for _, a, _ in pairs}, {b for b, _, _ in pairs}
    ids = _ids(after)
    points, rows = [], []
    for a in range(len(after)):
        if a not in matched_a:
            rows.append((_text(after["naam"].iat[a]), ADDED, "nieuw sinds de vorige uitvoer"))
        elif ids[a] in changed:
            rows.append((_text(after["naam"].iat[a]), CHANGED, changed[ids[a]]))
        else:
            continue
        points.append(after.geometry.iat[a])
    for b in range(len(before)):
        if b not in matched_b:
            rows.append((_text(before["naam"].iat[b]), REMOVED, "niet meer in de lijst"))
            points.append(before.geometry.iat[b])
    frame = pd.DataFrame(rows, columns=list(CHANGE_LAYER_COLUMNS))
    geoms = [None if p is None or p.is_empty else p.buffer(MOVE_THRESHOLD_M, quad_segs=4) for p in points]
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=settings.crs), crs=settings.crs)


def compare_runs(publication: Publication, previous: PreviousRun
                 ) -> tuple[dict[str, pd.DataFrame], gpd.GeoDataFrame, list[str]]:
    """The change tables, the map layer and the Dutch notes of a publication against a previous run."""
    before, after = _comparable(publication, previous)
    pairs = match_assets(before, after)
    assets_table = asset_changes(before, after, pairs)
    now_distances = tuple(float(d) for d in publication.meta.get("afstanden") or (publication.main_distance,))
    coverage, distance_note = coverage_changes(previous.buurten, publication.buurten, previous.distances,
                                               now_distances)
    tables = {"wijzigingen_assets": assets_table, "wijzigingen_dekking": coverage}
    counts = assets_table.drop_duplicates(["wijziging", "id", "naam"])["wijziging"].value_counts()
    notes = [f"Vergeleken met de uitvoer van {previous.describe()}: {int(counts.get(ADDED, 0))} assets erbij, "
             f"{int(counts.get(REMOVED, 0))} weg, {int(counts.get(CHANGED, 0))} veranderd."]
    if not (publication.is_team and previous.is_team):
        notes.append("Personen zijn niet vergeleken: dat gebeurt alleen tussen twee team-uitvoeren.")
    if distance_note:
        notes.append(distance_note)
    if publication.is_team:
        today = dt.date.fromisoformat(str(publication.meta.get("datum") or dt.date.today())[:10])
        if previous.date is None:
            tables["verouderde_contacten"] = pd.DataFrame(columns=list(CHANGE_TABLES["verouderde_contacten"]))
        else:
            tables["verouderde_contacten"] = stale_since(before, after, pairs, previous.date, today,
                                                         current=publication.assets)
            notes.append(f"{len(tables['verouderde_contacten'])} contact(en) sinds de vorige uitvoer verouderd "
                         f"(ouder dan {settings.stale_contact_months} maanden).")
    return tables, change_layer(assets_table, before, after, pairs), notes


def add_changes(publication: Publication, previous: PreviousRun | str | Path | None) -> Publication:
    """The publication with what changed since ``previous`` (a folder or :class:`PreviousRun`); as is for None.

    Adds ``changes`` (the tables of :data:`CHANGE_TABLES`), the map layer
    :data:`CHANGE_LAYER`, a note saying what was compared, and ``vergelijking`` in the
    run's metadata.
    """
    if previous is None:
        return publication
    if not isinstance(previous, PreviousRun):
        previous = read_previous(previous, publication.mode)
    check_modes(previous.mode, publication.mode, previous.folder)
    tables, layer, notes = compare_runs(publication, previous)
    layers = {**publication.layers, CHANGE_LAYER: layer}
    meta = {**publication.meta, "vergelijking": {
        "map": previous.folder.name, "datum": previous.date.isoformat() if previous.date else None,
        "modus": previous.mode, "afstanden": list(previous.distances)}}
    out = replace(publication, changes=MappingProxyType(tables), layers=MappingProxyType(layers),
                  meta=MappingProxyType(meta))
    return out.with_notes(notes)
