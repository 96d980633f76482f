"""The privacy gate: one function turns an analysis into what a mode may show.

:func:`publish` is the only way to make a :class:`Publication`, and every output
writer (:mod:`abcd_map.outputs`: HTML map, CSV, Excel, GeoPackage, per-wijk
PNG/PDF, run metadata, anything added later) accepts only a Publication. The
rules are those of the product brief (``../shared/docs/product.md``, privacy):

publiek (default)
    * A person appears only with consent (``toestemming``) and public visibility
      (``openbaar``), and then only with :data:`PUBLIC_PERSON_FIELDS` (name, kind,
      ABCD category, short public description, target groups, location): no
      relations, contact details or dates, welcoming stage, source or notes.
    * Other persons only count, per buurt and wijk, with small counts suppressed
      (:func:`abcd_map.privacy.person_counts`).
    * Named contact persons (``contactpersoon``) never appear; an organisation's
      general phone, e-mail and website do.
    * The team's working data about places and organisations
      (:data:`TEAM_WORK_FIELDS`: welcoming stage, last contact date, who reported it,
      notes) is left out; a place is marked ``gastvrij`` (and keeps ``fase`` =
      ``ontvangend``) only when its stage is ``ontvangend``; the welcoming table
      becomes counts of places per stage.
    * Relations are drawn and counted only between assets that are not persons.
team (asked for)
    * Everything but home addresses; every output says "TEAM — niet delen".

In both modes a person's home address (``adres``, ``postcode``) never reaches an output.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING
from types import MappingProxyType

import geopandas as gpd
import numpy as np
import pandas as pd

from . import __version__, privacy, relations, schema, settings, welcoming
from .render.streets import street_lines
from .load.areas import selection_name

if TYPE_CHECKING:  # the gate needs the Analysis type only for annotations
    from .stages import Analysis

#: What publiek shows of a consenting person (besides the geometry).
PUBLIC_PERSON_FIELDS = ("id", "naam", "soort", "categorie", "omschrijving", "doelgroepen")
#: Flags derived from the kind of asset that the map needs to draw any row (not personal data).
DERIVED_FIELDS = ("ontmoetingsplek", "standaard_zichtbaar", "kleine_plek")
#: The team's working data about places and organisations: team mode only.
TEAM_WORK_FIELDS = ("laatste_contact", "bron", "notities", "fase")
#: The welcoming stage a place wants known: shown in publiek as ``gastvrij``.
WELCOMING_STAGE = "ontvangend"
#: Mark on every page, image and sheet of a team-mode output.
TEAM_MARK = "TEAM — niet delen"


@dataclass(frozen=True)
class Publication:
    """What one mode may show of a run: the only thing output writers accept.

    Make one with :func:`publish` (or :func:`publish_frames`); never by hand.
    """

    mode: str
    buurten: gpd.GeoDataFrame
    wijken: gpd.GeoDataFrame
    assets: gpd.GeoDataFrame
    layers: Mapping[str, gpd.GeoDataFrame]
    tables: Mapping[str, pd.DataFrame]
    meta: Mapping[str, object]
    notes: tuple[str, ...] = ()
    #: Lines of the walking network for the per-wijk sheets' background (only with ``--per-wijk``).
    streets: gpd.GeoSeries | None = None
    #: The figures per gemeente (empty when the run made none).
    gemeenten: gpd.GeoDataFrame | None = None
    #: What changed since a previous run (``--vergelijk``; see :data:`abcd_map.compare.CHANGE_TABLES`).
    changes: Mapping[str, pd.DataFrame] | None = None
    #: Welcoming-place coverage per opening time, by buurtcode (only the map's time filter shows it).
    open_coverage: pd.DataFrame | None = None
    _token: object = field(default=None, repr=False, compare=False)

    @property
    def is_team(self) -> bool:
        """True for a team-mode publication (every output must carry :data:`TEAM_MARK`)."""
        return self.mode == privacy.TEAM

    def with_notes(self, notes: list[str]) -> Publication:
        """The same publication with the run's notes (collected while it was made) added to it."""
        merged = list(dict.fromkeys([*notes, *self.notes]))
        return replace(self, notes=tuple(merged), meta=MappingProxyType({**self.meta, "notes": merged}))

    @property
    def main_distance(self) -> float:
        """The run's main walking distance (m)."""
        return float(self.meta.get("hoofdafstand") or settings.default_distance)


_GATE = object()


def require_publication(obj: object) -> Publication:
    """``obj`` if it came through the privacy gate; a TypeError otherwise (for writers)."""
    if not isinstance(obj, Publication) or obj._token is not _GATE:
        raise TypeError("uitvoer wordt alleen geschreven uit een Publication (abcd_map.publication.publish); "
                        f"kreeg {type(obj).__name__}")
    return obj


# --------------------------------------------------------------------------- assets

def gate_assets(assets: gpd.GeoDataFrame, mode: str) -> gpd.GeoDataFrame:
    """The asset rows and fields ``mode`` may show (see the module docstring)."""
    mode = privacy.check_mode(mode)
    shown = privacy.public_assets(assets, mode)
    if mode == privacy.TEAM:
        return shown
    person = privacy.is_person(shown).to_numpy()
    out = shown.copy()
    if "fase" in out:
        stage = out["fase"].astype(object).map(lambda v: schema.parse_value("fase", v) if isinstance(v, str) else None)
        out["gastvrij"] = stage.eq(WELCOMING_STAGE).to_numpy() & ~person
        out["fase"] = np.where(out["gastvrij"], WELCOMING_STAGE, "")
    out = out.drop(columns=[c for c in TEAM_WORK_FIELDS if c != "fase" and c in out.columns])
    blank = [c for c in out.columns if c not in (*PUBLIC_PERSON_FIELDS, *DERIVED_FIELDS, out.geometry.name)]
    privacy.blank_rows(out, pd.Series(person, index=out.index), blank)
    if "relaties" in out:  # only relations between assets that are shown and are not persons
        out = privacy.drop_hidden_relations(out, set(out.loc[~person, "id"].astype(str)) if "id" in out else set())
    return out


def _relation_source(assets: gpd.GeoDataFrame, mode: str) -> gpd.GeoDataFrame:
    """Assets whose relations a mode may show: publiek, non-persons only."""
    shown = privacy.public_assets(assets, mode)
    if mode == privacy.PUBLIC:
        shown = shown[~privacy.is_person(shown).to_numpy()]
        shown = privacy.drop_hidden_relations(shown, set(shown["id"].astype(str)) if "id" in shown else set())
    return shown


def _welcoming(shown: gpd.GeoDataFrame, all_assets: gpd.GeoDataFrame, mode: str,
               today: dt.date) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """The welcoming-stage table and map layer: team in full, publiek counts and ``ontvangend`` places."""
    if mode == privacy.TEAM:
        table = welcoming.welcoming_table(shown, today=today)
        layer_rows = table
    else:
        places = all_assets[~privacy.is_person(all_assets).to_numpy()]
        full = welcoming.welcoming_table(places, today=today)
        table = welcoming.summarise_stages(full)[["fase", "fase_label", "aantal"]]
        layer_rows = full.loc[full["fase"].eq(WELCOMING_STAGE), ["id", "naam", "soort", "categorie", "fase",
                                                                  "fase_label"]]
    points = shown.set_index("id").loc[lambda df: df.index.isin(layer_rows["id"]), ["geometry"]].reset_index()
    layer = gpd.GeoDataFrame(layer_rows.merge(points, on="id"), geometry="geometry", crs=settings.crs)
    return table, layer


def _merged_report(merged: pd.DataFrame, shown: gpd.GeoDataFrame) -> pd.DataFrame:
    """The merge report, only for assets that are shown."""
    if merged is None or merged.empty or "id" not in merged:
        return merged
    return merged[merged["id"].astype(str).isin(set(shown["id"].astype(str)))].reset_index(drop=True)


# --------------------------------------------------------------------------- areas

def _person_columns(buurten: gpd.GeoDataFrame, wijken: gpd.GeoDataFrame, assets: gpd.GeoDataFrame,
                    mode: str, threshold: int) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Person counts per buurt and wijk as ``mode`` may show them (suppressed in publiek)."""
    per_buurt, per_wijk = privacy.person_counts(assets, buurten, mode=mode, threshold=threshold)
    buurten, wijken = buurten.copy(), wijken.copy()
    for table, counts, key in ((buurten, per_buurt, "buurtcode"), (wijken, per_wijk, "wijkcode")):
        for col in ("personen_aantal", "personen"):
            table[col] = table[key].map(counts[col]).to_numpy() if key in table else np.nan
    return buurten, wijken


def _gemeente_persons(gemeenten: gpd.GeoDataFrame | None, mode: str, threshold: int) -> gpd.GeoDataFrame | None:
    """Person totals per gemeente: exact in team, below the threshold shown as "< N" in publiek.

    The wijk counts are suppressed within each gemeente, so a published gemeente total
    reveals no hidden wijk count (see :func:`abcd_map.privacy.person_counts`).
    """
    if gemeenten is None or "personen_aantal" not in gemeenten:
        return gemeenten
    out = gemeenten.copy()
    exact = pd.to_numeric(out["personen_aantal"], errors="coerce")
    small = exact < threshold if mode == privacy.PUBLIC else pd.Series(False, index=out.index)
    out["personen_aantal"] = exact.where(~small)
    out["personen"] = np.where(small, f"< {threshold}", exact.map(lambda v: "" if pd.isna(v) else str(int(v))))
    return out


# --------------------------------------------------------------------------- metadata

def file_facts(path: Path | None) -> dict | None:
    """Name, modification date, size and SHA-256 of an input file (None when not given)."""
    if path is None:
        return None
    path = Path(path)
    if not path.is_file():
        return {"bestand": path.name}
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    stat = path.stat()
    return {"bestand": path.name, "datum": dt.datetime.fromtimestamp(stat.st_mtime).date().isoformat(),
            "bytes": stat.st_size, "sha256": digest.hexdigest()}


def run_metadata(analysis: Analysis, notes: list[str]) -> dict:
    """What a later run needs to compare with this one: mode, date, distances, inputs, version."""
    options = analysis.options
    areas = analysis.buurten
    place = selection_name(areas, options.buurten)
    inputs = {"buurten": options.buurten, "osm": options.osm, "assets": options.assets,
              "wijkgrenzen": options.wijken_file, "gebieden": options.gebieden, "behoefte": options.behoefte}
    title = "ABCD-kaart " + ("Lindewaarde (fictief)" if options.demo else place)
    return {
        "title": f"{TEAM_MARK} · {title}" if options.mode == privacy.TEAM else title,
        "gebied": place,
        "datum": options.today.isoformat(),
        "bronnen": list(analysis.sources),
        "modus": options.mode,
        "fictief": options.demo,
        "afstand": ", ".join(f"{d:g}" for d in options.distances) + " m",
        "afstanden": list(options.distances),
        "hoofdafstand": options.main_distance,
        "lens": options.lens,
        "notes": list(notes),
        "versie": __version__,
        "opties": options.describe(),
        "invoer": {k: file_facts(v) for k, v in inputs.items() if v is not None},
        "gemaakt": dt.datetime.now().replace(microsecond=0).isoformat(),
    }


# --------------------------------------------------------------------------- the gate

def publish(analysis: Analysis, notes: list[str] | None = None) -> Publication:
    """Turn an analysis into what its mode may show: the one privacy gate of abcd-map."""
    options = analysis.options
    mode, all_assets = options.mode, analysis.assets
    notes = list(notes or [])
    if mode == privacy.PUBLIC and options.threshold < 3:
        notes.append(f"Drempel {options.threshold}: kleine aantallen personen per buurt zijn dan herleidbaar; "
                     f"de standaard is {settings.suppression_threshold}.")
    shown = gate_assets(all_assets, mode)
    buurten, wijken = _person_columns(analysis.buurten, analysis.wijken, all_assets, mode, options.threshold)
    rel_source = _relation_source(all_assets, mode)
    stages_table, stages_layer = _welcoming(shown, all_assets, mode, options.today)
    layers = dict(analysis.layers)
    rel_lines = relations.relation_lines(rel_source, mode)
    if rel_lines is not None and len(rel_lines):
        layers["relaties"] = rel_lines
    layers["gastvrijheid"] = stages_layer
    tables = {"gastvrijheid": stages_table, "relatienetwerk": relations.relation_network(rel_source, mode),
              "samengevoegd": _merged_report(analysis.merged, shown)}
    meta = run_metadata(analysis, notes)
    return Publication(mode=mode, buurten=buurten, wijken=wijken, assets=shown,
                       layers=MappingProxyType(layers), tables=MappingProxyType(tables), meta=MappingProxyType(meta),
                       notes=tuple(notes), _token=_GATE,
                       gemeenten=_gemeente_persons(analysis.gemeenten, mode, options.threshold),
                       open_coverage=analysis.open_coverage, streets=_streets(analysis))


def _streets(analysis: Analysis) -> gpd.GeoSeries | None:
    """The walking network's streets around the buurten, for the per-wijk sheets (only when asked for)."""
    if not analysis.options.per_wijk or analysis.network is None:
        return None
    area = analysis.buurten.geometry.union_all().buffer(analysis.options.main_distance)
    return street_lines(analysis.network, area)


def publish_frames(buurten: gpd.GeoDataFrame | None, wijken: gpd.GeoDataFrame | None,
                   assets: gpd.GeoDataFrame | None, *, mode: str | None = None,
                   layers: Mapping[str, gpd.GeoDataFrame] | None = None,
                   meta: Mapping[str, object] | None = None) -> Publication:
    """The gate for GeoDataFrames a user made in Jupyter: assets and relation layers filtered for ``mode``.

    Area tables are passed as they are (they hold no person rows); person-derived
    layers are the caller's responsibility, as with :func:`abcd_map.privacy.location_assets`.
    """
    mode = privacy.check_mode(mode)
    empty = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=settings.crs), crs=settings.crs)
    shown = gate_assets(assets, mode) if assets is not None else empty
    layers = dict(layers or {})
    if mode == privacy.PUBLIC and layers.get("relaties") is not None and "van_id" in layers["relaties"]:
        ok = set(shown.loc[~privacy.is_person(shown).to_numpy(), "id"].astype(str)) if "id" in shown else set()
        rel = layers["relaties"]
        layers["relaties"] = rel[rel["van_id"].astype(str).isin(ok) & rel["naar_id"].astype(str).isin(ok)]
    if mode == privacy.PUBLIC and layers.get("gastvrijheid") is not None:
        layer = layers["gastvrijheid"]
        keep = layer["fase"].eq(WELCOMING_STAGE) if "fase" in layer else pd.Series(False, index=layer.index)
        layers["gastvrijheid"] = layer.loc[keep.to_numpy(), [c for c in layer.columns
                                                             if c not in TEAM_WORK_FIELDS[:-1]
                                                             and c not in ("maanden_sinds_contact",
                                                                           "contact_verouderd", "beheerder")]]
    meta = {**dict(meta or {}), "modus": mode}
    return Publication(mode=mode, buurten=buurten if buurten is not None else empty,
                       wijken=wijken if wijken is not None else empty, assets=shown,
                       layers=MappingProxyType(layers), tables=MappingProxyType({}), meta=MappingProxyType(meta),
                       _token=_GATE)
