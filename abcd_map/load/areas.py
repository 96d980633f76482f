"""Area units: CBS buurten and wijken, own working areas, and PDOK downloads.

Every loader returns a GeoDataFrame in EPSG:28992 (``settings.crs``) with the
canonical columns of ``schema.AREA_COLUMNS`` plus ``opmerking`` and geometry.
Columns of the source that are not in the alias table (``data/columns.csv``)
are left out, so that every area table looks the same whatever its source.

What the loaders repair, always with a Dutch note:

- CBS sentinels for secret or missing values (``-99999999``, ``-99997``,
  ``-99998``: every value ``<= -99990``) become NaN;
- a feature that is not a polygon (Point, LineString) keeps its row with
  geometry None and an ``opmerking``, so that its residents stay in totals;
- invalid polygons are repaired (``shapely.make_valid``, polygonal parts kept);
- a file without CRS gets one guessed from its coordinate ranges.
"""

from __future__ import annotations

import difflib
import json
import re
import warnings
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import _http, schema, settings
from ..errors import AbcdWarning, InputError, InputProblem, note

#: Values at or below this are CBS codes for "secret" or "missing".
CBS_SENTINEL_MAX = -99990
#: Text of ``opmerking`` for a feature without a polygon.
NO_POLYGON_NOTE = "geen vlak in het bronbestand; inwoners tellen mee in de totalen"
#: Columns of a wijk table, besides geometry.
WIJK_COLUMNS = ["wijkcode", "wijknaam", "gemeentecode", "gemeentenaam", "inwoners"]
#: Text columns of the area table; the others are numbers.
TEXT_COLUMNS = ["buurtcode", "buurtnaam", "wijkcode", "wijknaam", "gemeentecode", "gemeentenaam"]
NUMBER_COLUMNS = [c for c in schema.AREA_COLUMNS if c not in TEXT_COLUMNS]

#: PDOK WFS of the CBS Wijk- en Buurtkaart 2023.
PDOK_WFS = "https://service.pdok.nl/cbs/wijkenbuurten/2023/wfs/v1_0"
PDOK_TIMEOUT = 10.0
PDOK_PAGE = 1000

_POLYGONAL = ("Polygon", "MultiPolygon")
_NAME_COLUMNS = ("naam", "name", "gebied", "gebiedsnaam", "werkgebied", "buurtnaam", "buurt", "titel")
_WIJK_NAME_COLUMNS = ("wijk", "wijknaam")
OWN_WIJK_CODE = "GB"
OWN_WIJK_NAME = "eigen werkgebied"


# --------------------------------------------------------------------------- reading

def _read_vector(path: str | Path) -> gpd.GeoDataFrame:
    """Read GeoJSON, GeoPackage or Shapefile and return it in EPSG:28992."""
    path = Path(path)
    if not path.exists():
        raise InputError(InputProblem(str(path), "bestand niet gevonden",
                                      expected="een GeoJSON-, GeoPackage- of Shapefile-bestand"))
    try:
        gdf = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several DataSource errors
        raise InputError(InputProblem(str(path), f"bestand kan niet als kaartlaag worden gelezen ({exc})",
                                      expected="GeoJSON, GeoPackage of Shapefile")) from exc
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf or len(gdf) == 0:
        raise InputError(InputProblem(str(path), "het bestand heeft geen vlakken (geen geometrie of geen rijen)",
                                      expected="een kaartlaag met buurt- of gebiedsvlakken (GeoJSON, GeoPackage "
                                               "of Shapefile)"))
    return _to_rd(gdf, str(path))


#: Coordinate ranges (xmin, ymin, xmax, ymax) that are taken as RD New metres.
_RD_RANGE = (-10_000, 280_000, 310_000, 660_000)


def _in_range(bounds, box: tuple[float, float, float, float]) -> bool:
    xmin, ymin, xmax, ymax = bounds
    return box[0] <= xmin and xmax <= box[2] and box[1] <= ymin and ymax <= box[3]


def _bounds_text(bounds) -> str:
    xmin, ymin, xmax, ymax = bounds
    return f"{xmin:.0f}, {ymin:.0f} - {xmax:.0f}, {ymax:.0f}"


def _to_rd(gdf: gpd.GeoDataFrame, file: str) -> gpd.GeoDataFrame:
    """Project to settings.crs; guess the CRS from coordinate ranges when missing.

    A GeoJSON without a ``crs`` member is WGS84 by the standard, and GDAL says so;
    files saved from RD New without the member then hold metres labelled as degrees.
    Such coordinates (far outside +-180/90, inside the RD range) are taken as RD New.
    """
    if gdf.crs is not None and gdf.crs.is_geographic and gdf.geometry.notna().any():
        bounds = gdf.geometry.dropna().total_bounds
        if np.all(np.isfinite(bounds)) and (abs(bounds[2]) > 180 or abs(bounds[3]) > 90):
            return _metres_labelled_as_degrees(gdf, file, bounds)
    if gdf.crs is None:
        gdf = gdf.set_crs(_guess_crs(gdf, file))
    if gdf.crs != settings.crs:
        gdf = gdf.to_crs(settings.crs)
    return gdf


def _metres_labelled_as_degrees(gdf: gpd.GeoDataFrame, file: str, bounds) -> gpd.GeoDataFrame:
    """RD New for coordinates in its range under a degrees label; anything else is an error."""
    if _in_range(bounds, _RD_RANGE):
        note(f"{Path(file).name}: het bestand noemt graden (WGS84), maar de coördinaten zijn meters "
             f"in RD New (EPSG:28992); zo gelezen.")
        return gdf.set_crs(settings.crs, allow_override=True)
    raise InputError(InputProblem(
        file, "de coördinaten passen niet bij het coördinatenstelsel van het bestand",
        value=_bounds_text(bounds),
        expected="WGS84 (graden) of RD New (meters); sla het bestand op met het juiste CRS"))


def _guess_crs(gdf: gpd.GeoDataFrame, file: str) -> str:
    """The CRS of a file that names none: WGS84 or RD New by its coordinates (with a note)."""
    bounds = gdf.geometry.dropna().total_bounds if gdf.geometry.notna().any() else None
    if bounds is None or not np.all(np.isfinite(bounds)):
        return settings.crs
    if _in_range(bounds, (-180, -90, 180, 90)):
        guess, text = settings.crs_wgs84, "lengte- en breedtegraden (WGS84)"
    elif _in_range(bounds, _RD_RANGE):
        guess, text = settings.crs, "RD New (EPSG:28992)"
    else:
        raise InputError(InputProblem(
            file, "het bestand heeft geen coördinatenstelsel en de coördinaten zijn niet te herkennen",
            value=_bounds_text(bounds),
            expected="WGS84 (graden) of RD New (meters); sla het bestand op met een CRS"))
    note(f"{Path(file).name}: geen coördinatenstelsel in het bestand; "
         f"aangenomen {text} op grond van de coördinaten.")
    return guess


# --------------------------------------------------------------------------- normalising

def _clean_numbers(values: pd.Series, file: str = "", column: str = "") -> pd.Series:
    """Numbers with CBS sentinels (<= -99990) as NaN.

    Text is read the Dutch way ('1.234' = 1234, '12,5' = 12.5); text that is no
    number becomes NaN with one note naming the column and an example.
    """
    if values.dtype.kind in "if":
        num = values.astype("float64")
    else:
        text = values.astype("string").str.strip()
        dutch = text.str.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?") | text.str.fullmatch(r"-?\d+,\d+")
        text = text.where(~dutch.fillna(False), text.str.replace(".", "", regex=False).str.replace(",", ".",
                                                                                                  regex=False))
        num = pd.to_numeric(text, errors="coerce").astype("float64")
        bad = num.isna() & text.notna() & (text != "")
        if bad.any():
            example = values[bad].iloc[0]
            note(f"{Path(file).name}: {int(bad.sum())} waarde(n) in kolom '{column}' zijn geen getal "
                 f"(bijv. '{example}'); die tellen als onbekend.")
    return num.mask(num <= CBS_SENTINEL_MAX)


def _clean_text(values: pd.Series) -> pd.Series:
    out = values.astype("object").where(values.notna(), "")
    return out.astype(str).str.strip().astype("str")


def _gm_code(values: pd.Series) -> pd.Series:
    """'GM0503', '503', 503 -> 'GM0503'; other text unchanged."""
    text = _clean_text(values)
    digits = text.str.extract(r"^(?:GM)?0*(\d{1,4})$", flags=re.IGNORECASE)[0]
    return text.where(digits.isna(), "GM" + digits.fillna("0").str.zfill(4)).astype("str")


def _polygonal(geom: Any) -> Any:
    """Polygonal part of a geometry (None if there is none)."""
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in _POLYGONAL and geom.is_valid:
        return geom
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in _POLYGONAL and not p.is_empty]
    # make_valid may return nested collections: flatten one more level
    polys: list = []
    for p in parts:
        polys.extend(shapely.get_parts(p))
    if not polys:
        return None
    return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)


def _fix_geometries(gdf: gpd.GeoDataFrame, file: str, what: str = "buurten") -> gpd.GeoDataFrame:
    """Repair invalid polygons, keep polygonal parts; non-polygons -> None with opmerking."""
    geoms = gdf.geometry
    types = geoms.geom_type
    ok = types.isin(_POLYGONAL) & geoms.is_valid
    todo = ~ok & geoms.notna()
    repaired_invalid = int((types.isin(_POLYGONAL) & ~geoms.is_valid).sum())
    if todo.any():
        fixed = [(_polygonal(g)) for g in geoms[todo]]
        gdf.loc[todo, gdf.geometry.name] = gpd.GeoSeries(fixed, index=gdf.index[todo], crs=gdf.crs)
    if repaired_invalid:
        note(f"{Path(file).name}: {repaired_invalid} ongeldige vlakken van {what} zijn gerepareerd.")
    missing = gdf.geometry.isna() | gdf.geometry.is_empty
    if missing.any():
        gdf.loc[missing, gdf.geometry.name] = None
        gdf.loc[missing, "opmerking"] = NO_POLYGON_NOTE
        names = gdf.loc[missing, "buurtnaam" if "buurtnaam" in gdf else "wijknaam"].astype(str).tolist()
        residents = gdf.loc[missing, "inwoners"].sum(min_count=1) if "inwoners" in gdf else np.nan
        res_text = "onbekend aantal" if pd.isna(residents) else f"{int(residents):,}".replace(",", ".")
        note(f"{Path(file).name}: {int(missing.sum())} {what} zonder vlak in het bronbestand "
             f"({', '.join(names[:5])}{' ...' if len(names) > 5 else ''}); ze staan niet op de kaart, "
             f"maar hun inwoners ({res_text}) tellen mee in de totalen.")
    return gdf


def _normalise(gdf: gpd.GeoDataFrame, file: str, columns: list[str], what: str,
               fix_geometry: bool = True) -> gpd.GeoDataFrame:
    """Rename via the alias table, keep ``columns``, clean text, numbers and sentinels."""
    ren = schema.rename_columns([c for c in gdf.columns if c != gdf.geometry.name], "areas")
    data = gdf.rename(columns=ren)
    out = pd.DataFrame(index=gdf.index)
    for col in columns:
        if col in TEXT_COLUMNS:
            out[col] = _clean_text(data[col]) if col in data else pd.Series("", index=gdf.index, dtype="str")
        else:
            source = next((k for k, v in ren.items() if v == col), col)
            out[col] = _clean_numbers(data[col], file, source) if col in data else np.nan
    out["opmerking"] = pd.Series("", index=gdf.index, dtype="str")
    res = gpd.GeoDataFrame(out, geometry=gdf.geometry.values, crs=gdf.crs).reset_index(drop=True)
    if "gemeentecode" in res:
        res["gemeentecode"] = _gm_code(res["gemeentecode"])
    # derive codes that CBS encodes in the buurtcode (BU05030102: GM0503, WK050301)
    if "buurtcode" in res:
        code = res["buurtcode"].str.extract(r"^BU(\d{4})(\d{2})(\d{2})$", flags=re.IGNORECASE)
        has = code[0].notna()
        if "wijkcode" in res:
            fill = has & (res["wijkcode"] == "")
            res.loc[fill, "wijkcode"] = "WK" + code.loc[fill, 0] + code.loc[fill, 1]
        if "gemeentecode" in res:
            fill = has & (res["gemeentecode"] == "")
            res.loc[fill, "gemeentecode"] = "GM" + code.loc[fill, 0]
    if "wijkcode" in res and "gemeentecode" in res:
        code = res["wijkcode"].str.extract(r"^WK(\d{4})\d{2}$", flags=re.IGNORECASE)[0]
        fill = code.notna() & (res["gemeentecode"] == "")
        res.loc[fill, "gemeentecode"] = "GM" + code[fill]
    return _fix_geometries(res, file, what) if fix_geometry else res


def normalise_buurten(gdf: gpd.GeoDataFrame, file: str = "", fix_geometry: bool = True) -> gpd.GeoDataFrame:
    """Bring a buurt table from any CBS/PDOK release to the canonical area schema.

    Parameters
    ----------
    gdf : GeoDataFrame in EPSG:28992 with source column names.
    file : file name used in notes and errors.
    fix_geometry : repair polygons and blank non-polygons (see module notes).
    """
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    ren = schema.rename_columns(cols, "areas")
    if "buurtcode" not in ren.values():
        raise InputError(InputProblem(
            file, "geen kolom met de buurtcode gevonden",
            value=", ".join(map(str, cols[:20])),
            expected="een CBS-buurtbestand (BU_CODE of buurtcode); gebruik voor eigen gebieden --gebieden BESTAND"))
    return _normalise(gdf, file, schema.AREA_COLUMNS, "buurten", fix_geometry=fix_geometry)


def _note_no_residents(buurten: gpd.GeoDataFrame, file: str) -> None:
    if buurten["inwoners"].isna().all():
        note(f"{Path(file).name or 'buurten'}: geen inwonersaantallen gevonden; "
             "de dekking wordt per oppervlakte berekend in plaats van per inwoner.")


# --------------------------------------------------------------------------- gemeente and wijk filters

@lru_cache(maxsize=None)
def gemeente_aliases() -> dict[str, str]:
    """Map normalised alias -> official gemeentenaam (``data/gemeente_aliases.csv``)."""
    table = pd.read_csv(settings.data_path("gemeente_aliases.csv"), dtype=str, keep_default_na=False)
    return {schema.normalise_key(a): g for a, g in zip(table["alias"], table["gemeentenaam"])}


def resolve_gemeente(text: str) -> tuple[str, str]:
    """('code', 'GM0503') for a code, else ('naam', official name after aliases)."""
    raw = str(text).strip()
    m = re.fullmatch(r"(?:GM)?0*(\d{1,4})", raw, flags=re.IGNORECASE)
    if m:
        return "code", f"GM{int(m.group(1)):04d}"
    return "naam", gemeente_aliases().get(schema.normalise_key(raw), raw)


def _nearest(text: str, options: list[str], n: int = 5) -> list[str]:
    keys = {schema.normalise_key(o): o for o in options}
    hits = difflib.get_close_matches(schema.normalise_key(text), list(keys), n=n, cutoff=0.4)
    return [keys[h] for h in hits]


def split_names(values: str | Sequence[str] | None) -> tuple[str, ...]:
    """Names from one text or a list, each split on commas, stripped, without repeats.

    ``"Hoorn,Den Helder"`` and ``["Hoorn", "Den Helder"]`` both give ``("Hoorn", "Den Helder")``.
    CBS gemeentenamen contain no commas (``'s-Gravenhage`` keeps its quote).
    """
    if values is None:
        return ()
    items = [values] if isinstance(values, str) else list(values)
    parts = [p.strip() for item in items for p in str(item).split(",")]
    return tuple(dict.fromkeys(p for p in parts if p))


def _gemeente_mask(buurten: gpd.GeoDataFrame, gemeente: str) -> pd.Series:
    kind, value = resolve_gemeente(gemeente)
    if kind == "code":
        return buurten["gemeentecode"].str.upper() == value
    key = schema.normalise_key(value)
    return buurten["gemeentenaam"].map(schema.normalise_key) == key


def filter_gemeente(buurten: gpd.GeoDataFrame, gemeente: str | Sequence[str],
                    file: str = "") -> gpd.GeoDataFrame:
    """Rows of one or more gemeenten, by name (any case/accents, aliases) or GM code.

    ``gemeente`` is a name, a comma-separated list or a list of names; every unknown
    name is reported (with the nearest names of the file) in one InputError.
    """
    mask = pd.Series(False, index=buurten.index)
    problems = []
    for name in split_names(gemeente):
        hit = _gemeente_mask(buurten, name)
        if not hit.any():
            problems.append(_unknown_gemeente(buurten, name, file))
        mask |= hit
    if problems:
        raise InputError(problems)
    return buurten[mask].reset_index(drop=True)


def _unknown_gemeente(buurten: gpd.GeoDataFrame, gemeente: str, file: str) -> InputProblem:
    names = sorted(set(buurten["gemeentenaam"]) - {""})
    near = _nearest(gemeente, names + list(_alias_names(names)))
    expected = ("een van: " + ", ".join(near)) if near else \
        ("een gemeente uit het bestand, bijvoorbeeld " + ", ".join(names[:8]))
    return InputProblem(file, "gemeente niet gevonden in het buurtbestand",
                        column="gemeentenaam", value=gemeente, expected=expected)


def _alias_names(names: list[str]) -> list[str]:
    """Aliases (as typed in the table) of the given official names."""
    table = pd.read_csv(settings.data_path("gemeente_aliases.csv"), dtype=str, keep_default_na=False)
    return table.loc[table["gemeentenaam"].isin(names), "alias"].tolist()


def _wijk_mask(buurten: gpd.GeoDataFrame, raw: str) -> pd.Series:
    """Buurten of one wijk given as wijkcode ('WK050301', '050301') or wijknaam."""
    codes = buurten["wijkcode"].str.upper()
    m = re.fullmatch(r"(?:WK)?(\d{6})", raw, flags=re.IGNORECASE)
    hit = (codes == f"WK{m.group(1)}") if m else (buurten["wijknaam"].map(schema.normalise_key)
                                                 == schema.normalise_key(raw))
    if not m and not hit.any():
        hit = codes == raw.upper()
    return hit


def _wijk_items(buurten: gpd.GeoDataFrame, wijken: str | Sequence[str]) -> list[str]:
    """The wijken asked for: an item that names no wijk as a whole is split on its commas.

    So ``"Wijk 01,Wijk 02"`` is two wijken, while a wijknaam with a comma in it
    (``"Bijlmer-Centrum (D, F, H)"``) stays one.
    """
    items = [wijken] if isinstance(wijken, str) else list(wijken)
    out: list[str] = []
    for item in items:
        raw = str(item).strip()
        if "," in raw and not _wijk_mask(buurten, raw).any():
            out.extend(split_names(raw))
        elif raw:
            out.append(raw)
    return list(dict.fromkeys(out))


def filter_wijken(buurten: gpd.GeoDataFrame, wijken: str | Sequence[str], file: str = "") -> gpd.GeoDataFrame:
    """Rows whose wijk is in ``wijken`` (wijkcode 'WK050301', '050301' or wijknaam; comma lists too)."""
    mask = pd.Series(False, index=buurten.index)
    problems = []
    for raw in _wijk_items(buurten, wijken):
        hit = _wijk_mask(buurten, raw)
        if not hit.any():
            options = sorted(set(buurten["wijkcode"]) | (set(buurten["wijknaam"]) - {""}))
            near = _nearest(raw, options)
            extra = "" if buurten["wijknaam"].ne("").any() else \
                " (dit bestand heeft geen wijknamen: gebruik de wijkcode)"
            problems.append(InputProblem(file, "wijk niet gevonden" + extra, column="wijkcode", value=raw,
                                         expected="een van: " + ", ".join(near or options[:10])))
        mask |= hit
    if problems:
        raise InputError(problems)
    return buurten[mask].reset_index(drop=True)


# --------------------------------------------------------------------------- naming a selection

#: Words of a file name that say what the file is, not which region it covers.
_FILE_WORDS = {"buurt", "buurten", "wijk", "wijken", "gemeente", "gemeenten", "cbs", "wijkenbuurten",
               "buurtkaart", "wijkenbuurtkaart", "wijkbuurtkaart", "kwb", "pdok", "nl", "nederland", "data",
               "kaart", "v", "versie", "geojson", "gpkg", "shp", "export", "download", "selectie", "alle"}


def region_from_file(path: str | Path | None) -> str | None:
    """The region a CBS file name gives: ``haaglanden_buurt.geojson`` -> 'Haaglanden'; None if none.

    Words such as buurt, wijk, cbs, and years are left out; what is left is the region.
    """
    if path is None:
        return None
    stem = Path(str(path)).name.split(".")[0]
    words = [w for w in re.split(r"[_\s]+", stem) if w]
    words = [w for w in words if w.lower() not in _FILE_WORDS and not re.fullmatch(r"\d+", w)]
    if not words or not all(re.fullmatch(r"[A-Za-z][A-Za-z-]*", w) for w in words):
        return None
    return " ".join("-".join(p[:1].upper() + p[1:] for p in w.split("-")) for w in words)


def selection_name(areas: gpd.GeoDataFrame, path: str | Path | None = None) -> str:
    """What a map of these buurten is called: 'Delft', 'Delft en Rijswijk', '15 gemeenten in Haaglanden'.

    One to three gemeenten are named, the largest (residents, then buurten) first;
    more are counted, with the region of the file name when it gives one.
    Areas without a gemeentenaam are 'eigen gebied'.
    """
    if "gemeentenaam" not in areas:
        return "eigen gebied"
    names = areas["gemeentenaam"].fillna("").astype(str).str.strip()
    names = names[names != ""]
    if names.empty:
        return "eigen gebied"
    residents = areas.loc[names.index, "inwoners"] if "inwoners" in areas else pd.Series(0, index=names.index)
    size = pd.DataFrame({"n": names, "inw": residents.fillna(0)}).groupby("n").agg(inw=("inw", "sum"),
                                                                                   buurten=("inw", "size"))
    order = size.sort_values(["inw", "buurten"], ascending=False).index.tolist()
    if len(order) == 1:
        return order[0]
    if len(order) <= 3:
        return ", ".join(order[:-1]) + " en " + order[-1]
    region = region_from_file(path)
    return f"{len(order)} gemeenten" + (f" in {region}" if region else "")


# --------------------------------------------------------------------------- public loaders

def load_buurten(path: str | Path, *, gemeente: str | Sequence[str] | None = None,
                 wijken: str | Sequence[str] | None = None,
                 wijk_file: str | Path | None = None) -> gpd.GeoDataFrame:
    """Load CBS buurten (any release) as the canonical area table.

    Parameters
    ----------
    path : GeoJSON, GeoPackage or Shapefile of CBS/PDOK buurten, any CRS.
    gemeente : keep these gemeenten: a name (case/accents free, 'Den Haag' works) or GM code,
        a comma-separated text of them, or a list; the buurten of all of them together.
    wijken : keep these wijken: wijkcodes ('WK050301') or wijknamen (a list, or comma-separated).
    wijk_file : a CBS wijk file whose wijknamen may be used in ``wijken`` (CBS 2015 buurt
        files hold only wijkcodes).

    Returns
    -------
    GeoDataFrame in EPSG:28992 with ``schema.AREA_COLUMNS``, ``opmerking`` and geometry.

    Notes
    -----
    The selection is made first; notes (missing polygons, values that are no number)
    speak only of the buurten selected.
    """
    file = str(path)
    raw = _read_vector(path)
    if gemeente or wijken:
        raw = raw.iloc[_selected_rows(raw, file, gemeente, wijken, wijk_file)]
    buurten = normalise_buurten(raw, file)
    _note_no_residents(buurten, file)
    return buurten


def _selected_rows(raw: gpd.GeoDataFrame, file: str, gemeente: str | Sequence[str] | None,
                   wijken: str | Sequence[str] | None, wijk_file: str | Path | None) -> list[int]:
    """Positions in ``raw`` of the buurten of the gemeenten and wijken asked for (notes silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AbcdWarning)
        probe = normalise_buurten(raw, file, fix_geometry=False)
        probe["_rij"] = np.arange(len(probe))
        if gemeente:
            probe = filter_gemeente(probe, gemeente, file)
        if wijken:
            if wijk_file is not None:
                probe = _wijknamen_from_file(probe, wijk_file)
            probe = filter_wijken(probe, wijken, file)
    if probe.empty:
        raise InputError(InputProblem(file, "er blijven geen buurten over na de selectie"))
    return probe["_rij"].tolist()


def _wijknamen_from_file(buurten: gpd.GeoDataFrame, path: str | Path) -> gpd.GeoDataFrame:
    """Copy of ``buurten`` with empty wijknamen taken from a wijk file (by wijkcode)."""
    wk = _normalise(_read_vector(path), str(path), ["wijkcode", "wijknaam"], "wijken", fix_geometry=False)
    names = wk[wk["wijknaam"] != ""].drop_duplicates("wijkcode").set_index("wijkcode")["wijknaam"]
    out = buurten.copy()
    fill = out["wijknaam"] == ""
    out.loc[fill, "wijknaam"] = out.loc[fill, "wijkcode"].map(names).fillna("")
    return out


def _dissolve_wijken(buurten: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Wijken built from buurten: union of polygons, residents summed (also rows without polygon)."""
    b = buurten.copy()
    if "wijknaam" not in b:
        b["wijknaam"] = ""
    firsts = b.groupby("wijkcode", sort=True).agg(
        wijknaam=("wijknaam", lambda s: next((v for v in s if v), "")),
        gemeentecode=("gemeentecode", "first"),
        gemeentenaam=("gemeentenaam", "first"),
        inwoners=("inwoners", lambda s: s.sum(min_count=1)),
    )
    with_geom = b[b.geometry.notna()]
    geoms = with_geom.geometry.groupby(with_geom["wijkcode"]).agg(lambda g: shapely.union_all(g.values))
    out = gpd.GeoDataFrame(firsts, geometry=geoms.reindex(firsts.index).values, crs=buurten.crs)
    out = out.reset_index()
    out["wijknaam"] = out["wijknaam"].where(out["wijknaam"] != "", out["wijkcode"]).astype("str")
    return out[WIJK_COLUMNS + ["geometry"]]


def load_wijken(path: str | Path | None, buurten: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Wijk table (wijkcode, wijknaam, gemeentecode, gemeentenaam, inwoners, geometry).

    Parameters
    ----------
    path : a CBS/PDOK wijk file, or None to build wijken from the buurten.
    buurten : the area table from :func:`load_buurten`; only its wijken are kept.

    Notes
    -----
    With a file, wijken that the buurten use but the file lacks are built from
    their buurten (with a note); a wijk without a polygon in the file gets the
    union of its buurten. ``inwoners`` comes from the file, or from the buurten
    when the file has none.
    """
    built = _dissolve_wijken(buurten)
    if path is None:
        return built
    file = str(path)
    raw = _read_vector(path)
    ren = schema.rename_columns([c for c in raw.columns if c != raw.geometry.name], "areas")
    if "wijkcode" not in ren.values():
        raise InputError(InputProblem(file, "geen kolom met de wijkcode gevonden",
                                      value=", ".join(map(str, list(raw.columns)[:20])),
                                      expected="WK_CODE of wijkcode"))
    wk = _normalise(raw, file, WIJK_COLUMNS, "wijken", fix_geometry=False)
    return _merge_wijken(built, wk, file)


def _merge_wijken(built: gpd.GeoDataFrame, wk: gpd.GeoDataFrame, file: str) -> gpd.GeoDataFrame:
    """Wijken built from buurten, with names, residents and polygons from a wijk file where it has them."""
    wk = wk[wk["wijkcode"].isin(built["wijkcode"])].drop_duplicates("wijkcode").set_index("wijkcode")
    res = built.set_index("wijkcode").copy()
    common = res.index.intersection(wk.index)
    for col in ("wijknaam", "gemeentenaam"):
        vals = wk.loc[common, col]
        vals = vals[vals != ""]
        res.loc[vals.index, col] = vals
    # residents: the sum of the buurten (consistent with the buurt table); the file's count
    # only where the buurten have none. Much more in the file = the buurten cover part of it.
    file_inw = wk.loc[common, "inwoners"]
    own_inw = res.loc[common, "inwoners"]
    res.loc[common, "inwoners"] = own_inw.fillna(file_inw)
    partial = (file_inw - own_inw > np.maximum(100, 0.1 * own_inw.fillna(0))).fillna(False)
    partial = partial[partial].index
    if len(partial):
        note(f"{Path(file).name}: de buurten beslaan maar een deel van {len(partial)} wijk(en) "
             f"({', '.join(res.loc[partial, 'wijknaam'].where(res.loc[partial, 'wijknaam'] != '', partial)[:5])}); "
             "voor die wijken tellen alleen de geladen buurten en hun vlakken.")
    # a wijk without a usable polygon in the file keeps the union of its buurten
    geom = wk.loc[common.difference(partial)].geometry
    bad = ~(geom.geom_type.isin(_POLYGONAL) & geom.is_valid)
    geom = geom.where(~bad, gpd.GeoSeries([_polygonal(g) for g in geom[bad]], index=geom.index[bad],
                                          crs=geom.crs)).dropna()
    res.loc[geom.index, "geometry"] = geom.values
    missing = sorted(set(res.index) - set(wk.index))
    if missing:
        note(f"{Path(file).name}: {len(missing)} wijkcodes van de buurten staan niet in het wijkbestand "
             f"({', '.join(missing[:8])}{' ...' if len(missing) > 8 else ''}); "
             "die wijken zijn samengesteld uit hun buurten.")
    res = res.reset_index()
    res["wijknaam"] = res["wijknaam"].where(res["wijknaam"] != "", res["wijkcode"]).astype("str")
    return gpd.GeoDataFrame(res[WIJK_COLUMNS], geometry=res.geometry.values, crs=settings.crs)


def add_wijknamen(buurten: gpd.GeoDataFrame, wijken: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Copy of ``buurten`` with empty ``wijknaam`` filled from the wijk table."""
    out = buurten.copy()
    names = wijken.set_index("wijkcode")["wijknaam"]
    fill = out["wijknaam"] == ""
    out.loc[fill, "wijknaam"] = out.loc[fill, "wijkcode"].map(names).fillna(out.loc[fill, "wijkcode"])
    return out


def _find_column(columns: list[str], candidates: tuple[str, ...]) -> str | None:
    keys = {schema.normalise_key(c): c for c in columns}
    for cand in candidates:
        if cand in keys:
            return keys[cand]
    return None


def _own_name_column(file: str, cols: list[str], name_column: str | None) -> str:
    """The column with the names of own areas: the one asked for, or a detected one."""
    if name_column is not None and name_column not in cols:
        raise InputError(InputProblem(file, "de opgegeven naamkolom bestaat niet", column=name_column,
                                      expected="een van: " + ", ".join(map(str, cols))))
    name_col = name_column or _find_column(cols, _NAME_COLUMNS)
    if name_col is None:
        raise InputError(InputProblem(file, "geen kolom met de namen van de gebieden gevonden",
                                      value=", ".join(map(str, cols)) or "(geen kolommen)",
                                      expected="een kolom 'naam', 'name' of 'gebied', of geef de naamkolom op"))
    return name_col


def _own_wijken(raw: gpd.GeoDataFrame, cols: list[str]) -> tuple[Any, Any]:
    """wijkcode and wijknaam of own areas: GB01.. per name of a wijk column, else one 'eigen werkgebied'."""
    wijk_col = _find_column(cols, _WIJK_NAME_COLUMNS)
    if wijk_col is None:
        return OWN_WIJK_CODE, OWN_WIJK_NAME
    names = _clean_text(raw[wijk_col]).replace("", OWN_WIJK_NAME)
    order = {w: f"GB{i:02d}" for i, w in enumerate(pd.unique(names), start=1)}
    return names.map(order).values, names.values


def load_own_areas(path: str | Path, name_column: str | None = None) -> gpd.GeoDataFrame:
    """Own working areas (drawn in QGIS or geojson.io) in the canonical area schema.

    Parameters
    ----------
    path : GeoJSON, GeoPackage or Shapefile with polygons, any CRS.
    name_column : column with the area names; detected (naam, name, gebied ...) when None.

    Returns
    -------
    GeoDataFrame like :func:`load_buurten`: buurtcode GB0001.., buurtnaam from the
    name column, wijkcode 'GB' ('eigen werkgebied') unless a wijk column exists.
    """
    file = str(path)
    raw = _read_vector(path)
    cols = [c for c in raw.columns if c != raw.geometry.name]
    name_col = _own_name_column(file, cols, name_column)
    n = len(raw)
    data = pd.DataFrame(index=raw.index)
    data["buurtcode"] = [f"GB{i:04d}" for i in range(1, n + 1)]
    data["buurtnaam"] = _clean_text(raw[name_col]).values
    data["wijkcode"], data["wijknaam"] = _own_wijken(raw, [c for c in cols if c != name_col])
    ren = schema.rename_columns(cols, "areas")
    for src, canon in ren.items():
        if canon in NUMBER_COLUMNS:
            data[canon] = raw[src].values
    for canon in ("gemeentecode", "gemeentenaam"):
        src = next((s for s, c in ren.items() if c == canon), None)
        data[canon] = raw[src].values if src else ""
    gdf = gpd.GeoDataFrame(data, geometry=raw.geometry.values, crs=raw.crs)
    res = _normalise(gdf, file, schema.AREA_COLUMNS, "gebieden")
    _note_no_residents(res, file)
    return res


# --------------------------------------------------------------------------- PDOK (online)

def _http_get(url: str, params: dict[str, Any], timeout: float = PDOK_TIMEOUT) -> dict:
    """GET a JSON document; the only network call of this module (tests replace it)."""
    return _http.get_json(
        url, params, timeout=timeout,
        offline_message="PDOK is niet bereikbaar (geen internetverbinding of de dienst reageert niet binnen "
                        f"{timeout:.0f} seconden). Download de buurtkaart zelf of probeer het later opnieuw.",
        unusable_message="PDOK gaf een onbruikbaar antwoord")


def _pdok_filter(gemeente: str) -> str:
    kind, value = resolve_gemeente(gemeente)
    prop = "gemeentecode" if kind == "code" else "gemeentenaam"
    value = value.replace("&", "&amp;").replace("<", "&lt;")
    return ('<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0">'
            '<fes:PropertyIsEqualTo matchCase="false">'
            f"<fes:ValueReference>{prop}</fes:ValueReference>"
            f"<fes:Literal>{value}</fes:Literal>"
            "</fes:PropertyIsEqualTo></fes:Filter>")


def _pdok_features(layer: str, gemeente: str, cache: bool) -> list[dict]:
    """All features of a PDOK layer for one gemeente (paged, cached as JSON)."""
    features: list[dict] = []
    start = 0
    while True:
        params = {
            "service": "WFS", "version": "2.0.0", "request": "GetFeature",
            "typeNames": f"wijkenbuurten:{layer}", "outputFormat": "json",
            "srsName": "EPSG:28992", "count": PDOK_PAGE, "startIndex": start,
            "filter": _pdok_filter(gemeente),
        }
        path = _http.cache_path("pdok", json.dumps([PDOK_WFS, params], sort_keys=True), prefix=f"{layer}_",
                                algorithm="sha1", length=16)
        doc = _http.cached_json(path, lambda: _http_get(PDOK_WFS, params), read=cache, write=cache)
        page = doc.get("features", [])
        features.extend(page)
        if len(page) < PDOK_PAGE:
            return features
        start += PDOK_PAGE


def _features_to_gdf(features: list[dict]) -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame.from_features(features, crs=settings.crs)
    if gdf.geometry.name != "geometry":
        gdf = gdf.rename_geometry("geometry")
    return gdf


def fetch_pdok_buurten(gemeente: str, *, cache: bool = True) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Download buurten and wijken of one gemeente from PDOK (CBS Wijk- en Buurtkaart 2023).

    Parameters
    ----------
    gemeente : name ('Delft', 'Den Haag') or GM code.
    cache : reuse and store responses in ``settings.cache_folder()/pdok``.

    Returns
    -------
    (buurten, wijken) in the canonical schemas.

    Raises
    ------
    OfflineError when PDOK cannot be reached; InputError when the gemeente is unknown.
    """
    source = f"PDOK wijkenbuurten 2023 ({gemeente})"
    b_feats = _pdok_features("buurten", gemeente, cache)
    if not b_feats:
        raise InputError(InputProblem(source, "PDOK kent geen buurten van deze gemeente", value=gemeente,
                                      expected="de officiële gemeentenaam of een GM-code, bijv. GM0503"))
    buurten = normalise_buurten(_features_to_gdf(b_feats), source)
    _note_no_residents(buurten, source)
    w_feats = _pdok_features("wijken", gemeente, cache)
    built = _dissolve_wijken(buurten)
    if w_feats:
        wk = _normalise(_features_to_gdf(w_feats), source, WIJK_COLUMNS, "wijken", fix_geometry=False)
        wijken = _merge_wijken(built, wk, source)
    else:
        wijken = built
    return add_wijknamen(buurten, wijken), wijken
