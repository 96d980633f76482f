"""Tests of abcd_map.load.areas: CBS/PDOK buurten, wijken, own areas, PDOK download."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from abcd_map import schema, settings
from abcd_map.errors import InputError, OfflineError, collect_notes
from abcd_map.load import areas
from abcd_map.load.areas import (NO_POLYGON_NOTE, fetch_pdok_buurten, load_buurten, load_own_areas,
                                 load_wijken)

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "cbs-wijkenbuurten-2015"
BUURT = DATA / "haaglanden_buurt.geojson"
WIJK = DATA / "haaglanden_wijk.geojson"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "pdok"
real = pytest.mark.skipif(not BUURT.exists(), reason="../shared/data ontbreekt")


def square(x0: float, y0: float, size: float = 100.0) -> shapely.Polygon:
    return shapely.box(x0, y0, x0 + size, y0 + size)


# ----------------------------------------------------------------------------- hand-made cases

@pytest.fixture
def small_file(tmp_path: Path) -> Path:
    """Three buurten in RD New with 2015 CBS names: a sentinel, a Point, a bow-tie polygon."""
    bowtie = shapely.Polygon([(200, 0), (300, 100), (300, 0), (200, 100), (200, 0)])
    gdf = gpd.GeoDataFrame({
        "BU_CODE": ["BU00010101", "BU00010102", "BU00010201"],
        "BU_NAAM": ["Noord", "Punt", "Strik"],
        "GM_CODE": ["GM0001", "GM0001", "GM0001"],
        "GM_NAAM": ["Proefstad", "Proefstad", "Proefstad"],
        "AANT_INW": [100, 50, 30],
        "AANTAL_HH": [40, -99999999, 10],
        "P_65_EO_JR": [20, -99998, -99997],
        "EXTRA": ["a", "b", "c"],
    }, geometry=[square(0, 0), shapely.Point(150, 50), bowtie], crs="EPSG:28992")
    path = tmp_path / "buurten.gpkg"
    gdf.to_file(path)
    return path


def test_small_file_schema_sentinels_point_and_repair(small_file: Path) -> None:
    with collect_notes() as notes:
        b = load_buurten(small_file)
    assert list(b.columns) == schema.AREA_COLUMNS + ["opmerking", "geometry"]
    assert b.crs == settings.crs
    # wijkcode derived from the buurtcode (WK + 6 digits), extra columns dropped
    assert b["wijkcode"].tolist() == ["WK000101", "WK000101", "WK000102"]
    # sentinels -> NaN
    assert np.isnan(b.loc[1, "huishoudens"]) and np.isnan(b.loc[1, "p_65_plus"])
    assert np.isnan(b.loc[2, "p_65_plus"])
    assert b["huishoudens"].tolist()[0] == 40
    # the Point keeps its row and residents, without geometry
    assert b.loc[1, "geometry"] is None
    assert b.loc[1, "opmerking"] == NO_POLYGON_NOTE
    assert b["inwoners"].sum() == 180
    assert any("1 buurten zonder vlak" in n and "(50)" in n for n in notes)
    # bow-tie repaired to a valid polygonal geometry of the same total area (2 triangles of 2500)
    assert b.loc[2, "geometry"].is_valid
    assert b.loc[2, "geometry"].geom_type in ("Polygon", "MultiPolygon")
    assert b.loc[2, "geometry"].area == pytest.approx(5000)


def test_gemeente_code_forms_and_unknown(small_file: Path) -> None:
    for g in ("Proefstad", "PROEFSTAD", "proef-stad", "GM0001", "1", "0001"):
        assert len(load_buurten(small_file, gemeente=g)) == 3
    with pytest.raises(InputError) as err:
        load_buurten(small_file, gemeente="Proefstat")
    assert "Proefstad" in str(err.value)  # nearest match suggested
    assert "gemeente niet gevonden" in str(err.value)


def test_wijken_filter(small_file: Path) -> None:
    assert len(load_buurten(small_file, wijken=["WK000102"])) == 1
    assert len(load_buurten(small_file, wijken=["000101"])) == 2
    with pytest.raises(InputError) as err:
        load_buurten(small_file, wijken=["WK999999"])
    assert "wijk niet gevonden" in str(err.value)


def test_file_without_residents_and_without_crs(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"buurtcode": ["BU00020101"], "buurtnaam": ["Alleen"]},
                           geometry=[square(85000, 445000)], crs=None)
    path = tmp_path / "geen_crs.shp"
    gdf.to_file(path)
    with collect_notes() as notes:
        b = load_buurten(path)
    assert b.crs == settings.crs
    assert b.geometry.iloc[0].bounds[0] == pytest.approx(85000)
    assert b["inwoners"].isna().all()
    assert any("RD New" in n for n in notes)
    assert any("per oppervlakte" in n for n in notes)


def test_lonlat_file_without_crs_is_guessed(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"BU_CODE": ["BU00030101"], "AANT_INW": [10]},
                           geometry=[shapely.box(4.35, 52.0, 4.36, 52.01)], crs=None)
    path = tmp_path / "graden.shp"
    gdf.to_file(path)
    with collect_notes() as notes:
        b = load_buurten(path)
    x0, y0, _, _ = b.total_bounds
    assert 80_000 < x0 < 90_000 and 440_000 < y0 < 450_000
    assert any("WGS84" in n for n in notes)


def test_rd_metres_in_a_geojson_without_crs_member(tmp_path: Path) -> None:
    # GDAL calls a GeoJSON without 'crs' WGS84; metres from RD New then look like huge degrees
    doc = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"BU_CODE": "BU00040101"},
        "geometry": shapely.geometry.mapping(square(85000, 445000))}]}
    path = tmp_path / "rd.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with collect_notes() as notes:
        b = load_buurten(path)
    assert b.geometry.iloc[0].bounds[0] == pytest.approx(85000)
    assert any("meters in RD New" in n for n in notes)


def test_coordinates_that_fit_no_crs_are_an_error() -> None:
    far = gpd.GeoDataFrame(geometry=[square(5_000_000, 5_000_000)], crs="EPSG:4326")
    with pytest.raises(InputError, match="passen niet bij het coördinatenstelsel"):
        areas._to_rd(far, "ver.geojson")
    with pytest.raises(InputError, match="niet te herkennen"):
        areas._to_rd(far.set_crs(None, allow_override=True), "ver.shp")


def test_wijken_dissolved_without_file(small_file: Path) -> None:
    b = load_buurten(small_file)
    w = load_wijken(None, b)
    assert list(w.columns) == areas.WIJK_COLUMNS + ["geometry"]
    w = w.set_index("wijkcode")
    # residents include the geometry-less Point buurt
    assert w.loc["WK000101", "inwoners"] == 150
    assert w.loc["WK000101", "geometry"].area == pytest.approx(10_000)
    assert w.loc["WK000101", "wijknaam"] == "WK000101"  # no names: the code


def test_missing_file_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="niet gevonden"):
        load_buurten(tmp_path / "bestaat_niet.geojson")


# ----------------------------------------------------------------------------- own areas

def test_own_areas_detects_name_and_wijk(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"Gebied": ["Oost", "West", "Zuid"], "Wijk": ["A", "A", "B"],
                            "inwoners": [10, 20, 30]},
                           geometry=[square(0, 0), square(100, 0), square(200, 0)], crs="EPSG:28992")
    path = tmp_path / "eigen.geojson"
    gdf.to_file(path)
    own = load_own_areas(path)
    assert own["buurtcode"].tolist() == ["GB0001", "GB0002", "GB0003"]
    assert own["buurtnaam"].tolist() == ["Oost", "West", "Zuid"]
    assert own["wijkcode"].tolist() == ["GB01", "GB01", "GB02"]
    assert own["inwoners"].tolist() == [10, 20, 30]


def test_own_areas_single_wijk_and_errors(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"titel_x": ["a"], "omschrijving": ["b"]}, geometry=[square(0, 0)],
                           crs="EPSG:28992")
    path = tmp_path / "eigen.gpkg"
    gdf.to_file(path)
    with pytest.raises(InputError) as err:
        load_own_areas(path)
    assert "titel_x" in str(err.value) and "omschrijving" in str(err.value)
    with pytest.raises(InputError, match="naamkolom"):
        load_own_areas(path, name_column="nope")
    own = load_own_areas(path, name_column="titel_x")
    assert own["wijkcode"].tolist() == ["GB"]
    assert own["wijknaam"].tolist() == ["eigen werkgebied"]
    assert own["inwoners"].isna().all()


# ----------------------------------------------------------------------------- PDOK (recorded)

def _recorded(url: str, params: dict, timeout: float = 10.0) -> dict:
    layer = params["typeNames"].split(":")[1]
    assert url.startswith("https://service.pdok.nl/cbs/wijkenbuurten/2023/wfs")
    assert "proefdorp" in params["filter"].lower() or "GM9999" in params["filter"]
    return json.loads((FIXTURES / f"{layer}.json").read_text(encoding="utf-8"))


def test_fetch_pdok_with_recorded_responses(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ABCD_MAP_CACHE", str(tmp_path / "cache"))
    calls: list[str] = []

    def fake(url, params, timeout=10.0):
        calls.append(params["typeNames"])
        return _recorded(url, params, timeout)

    monkeypatch.setattr(areas, "_http_get", fake)
    buurten, wijken = fetch_pdok_buurten("proefdorp")
    assert len(buurten) == 3 and len(wijken) == 2
    assert buurten["inwoners"].sum() == 2045
    assert np.isnan(buurten.set_index("buurtcode").loc["BU99990102", "huishoudens"])  # -99995
    assert buurten.set_index("buurtcode").loc["BU99990201", "p_65_plus"] != buurten.set_index(
        "buurtcode").loc["BU99990201", "p_65_plus"]  # -99997 -> NaN
    assert buurten["oppervlakte_land_ha"].tolist() == [25, 25, 100]
    assert buurten["wijknaam"].tolist() == ["Wijk 01 Dorp", "Wijk 01 Dorp", "Wijk 02 Buitengebied"]
    assert wijken.set_index("wijkcode").loc["WK999901", "inwoners"] == 2000
    assert len(list((tmp_path / "cache" / "pdok").glob("*.json"))) == 2
    # second time: from the cache, no HTTP
    monkeypatch.setattr(areas, "_http_get", lambda *a, **k: pytest.fail("cache niet gebruikt"))
    again, _ = fetch_pdok_buurten("proefdorp")
    assert len(again) == 3
    assert calls == ["wijkenbuurten:buurten", "wijkenbuurten:wijken"]


def test_fetch_pdok_gm_code_filter(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ABCD_MAP_CACHE", str(tmp_path))
    seen = []
    monkeypatch.setattr(areas, "_http_get", lambda u, p, timeout=10.0: seen.append(p["filter"]) or _recorded(u, p))
    fetch_pdok_buurten("GM9999", cache=False)
    assert "gemeentecode" in seen[0] and "GM9999" in seen[0]
    assert not (tmp_path / "pdok").exists()


def test_fetch_pdok_unknown_gemeente(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ABCD_MAP_CACHE", str(tmp_path))
    monkeypatch.setattr(areas, "_http_get", lambda *a, **k: {"type": "FeatureCollection", "features": []})
    with pytest.raises(InputError, match="PDOK kent geen buurten"):
        fetch_pdok_buurten("Nergenshuizen", cache=False)


def test_fetch_pdok_offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import requests

    monkeypatch.setenv("ABCD_MAP_CACHE", str(tmp_path))

    def down(*args, **kwargs):
        assert kwargs.get("timeout") == 10.0
        raise requests.ConnectionError("geen netwerk")

    monkeypatch.setattr(requests, "get", down)
    with pytest.raises(OfflineError, match="PDOK is niet bereikbaar"):
        fetch_pdok_buurten("Delft", cache=False)


# ----------------------------------------------------------------------------- real data

@pytest.fixture(scope="module")
def raw_buurt(haaglanden_buurt) -> gpd.GeoDataFrame:
    return haaglanden_buurt


@real
def test_real_delft(raw_buurt: gpd.GeoDataFrame) -> None:
    b = load_buurten(BUURT, gemeente="Delft")
    raw = raw_buurt[raw_buurt["GM_NAAM"] == "Delft"]
    assert len(b) == 91
    assert b["inwoners"].sum() == raw["AANT_INW"].clip(lower=0).sum() == 100_845
    assert b.crs == settings.crs
    assert b.geometry.notna().all()


@real
@pytest.mark.parametrize("name", ["Den Haag", "'s-Gravenhage", "GM0518", "s gravenhage", "den haag"])
def test_real_den_haag_names(name: str) -> None:
    b = load_buurten(BUURT, gemeente=name)
    assert len(b) == 114
    assert set(b["gemeentenaam"]) == {"'s-Gravenhage"}


@real
def test_real_sentinels_and_point(raw_buurt: gpd.GeoDataFrame) -> None:
    with collect_notes() as notes:
        b = load_buurten(BUURT)
    assert len(b) == len(raw_buurt) == 439
    numbers = b[areas.NUMBER_COLUMNS]
    assert (numbers.fillna(0) >= 0).all().all()
    # every raw sentinel became NaN
    ren = {v: k for k, v in schema.rename_columns(list(raw_buurt.columns), "areas").items()}
    for col in areas.NUMBER_COLUMNS:
        raw_col = raw_buurt[ren[col]]
        assert numbers[col].isna().to_numpy()[raw_col.to_numpy() <= -99990].all()
    # the file holds sentinels (in BEV_DICHTH, GEM_HH_GR ...); none reaches the output as a number
    assert (raw_buurt.select_dtypes("number") <= -99990).to_numpy().sum() > 0
    schenk = b.set_index("buurtnaam").loc["Schenkwijk"]
    assert schenk["geometry"] is None
    assert schenk["inwoners"] == 2075
    assert schenk["opmerking"] == NO_POLYGON_NOTE
    assert b["inwoners"].sum() == raw_buurt["AANT_INW"].clip(lower=0).sum()
    assert any("Schenkwijk" in n and "zonder vlak" in n for n in notes)


@real
def test_real_wijk_completion() -> None:
    b = load_buurten(BUURT)
    raw_w = gpd.read_file(WIJK)
    missing = sorted(set(b["wijkcode"]) - set(raw_w["WK_CODE"]))
    assert len(missing) == 7
    with collect_notes() as notes:
        w = load_wijken(WIJK, b)
    assert set(w["wijkcode"]) == set(b["wijkcode"])
    assert w["wijkcode"].is_unique
    assert any("7 wijkcodes" in n for n in notes)
    # wijk residents add up to the buurten (including buurten without a polygon)
    assert w["inwoners"].sum() == b["inwoners"].sum()
    names = w.set_index("wijkcode")["wijknaam"]
    assert names["WK050311"] == "Wijk 11 Binnenstad"
    assert names[missing[0]] == missing[0]
    # a wijk with LineString geometry in the file still gets a polygon from its buurten
    assert w.geometry.dropna().geom_type.isin(["Polygon", "MultiPolygon"]).all()
    delft = areas.add_wijknamen(load_buurten(BUURT, gemeente="Delft"), w)
    assert (delft["wijknaam"] != "").all()


def test_rd_geojson_without_crs_member_is_read_as_rd(tmp_path):
    """GeoJSON without 'crs' is WGS84 by the standard; metres in it are RD New, with a note."""
    import json as _json
    import warnings as _warnings

    from shapely.geometry import box as _box

    gdf = gpd.GeoDataFrame({"BU_CODE": ["BU00010001"], "BU_NAAM": ["Proef"], "AANT_INW": [100]},
                           geometry=[_box(85_000, 446_000, 86_000, 447_000)], crs="EPSG:28992")
    fc = _json.loads(gdf.to_json())
    fc.pop("crs", None)
    path = tmp_path / "rd.geojson"
    path.write_text(_json.dumps(fc), encoding="utf-8")
    with _warnings.catch_warnings(record=True) as caught:
        _warnings.simplefilter("always")
        out = load_buurten(path)
    assert out.geometry.iloc[0].area == pytest.approx(1_000_000)
    assert any("RD New" in str(w.message) for w in caught)


def test_residents_as_text_are_read_the_dutch_way(tmp_path):
    from shapely.geometry import box as _box

    gdf = gpd.GeoDataFrame({"BU_CODE": ["BU00010001", "BU00010002", "BU00010003"],
                            "BU_NAAM": ["A", "B", "C"], "AANT_INW": ["1.234", "onbekend", "250"]},
                           geometry=[_box(0, 0, 1, 1), _box(1, 0, 2, 1), _box(2, 0, 3, 1)], crs="EPSG:28992")
    path = tmp_path / "tekst.geojson"
    gdf.to_file(path, driver="GeoJSON")
    with pytest.warns(Warning, match="AANT_INW.*onbekend"):
        out = load_buurten(path)
    assert out["inwoners"].iloc[0] == 1234 and np.isnan(out["inwoners"].iloc[1]) and out["inwoners"].iloc[2] == 250
