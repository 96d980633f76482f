"""A run per gemeente (issue 15): the partitioned run gives the figures of one run over all gemeenten.

A synthetic street grid (100 m blocks, 3 x 2.4 km) with 6 x 6 buurten of 500 x 400 m
is split over two gemeenten at x = 1,500 m; OSM places sit on both sides and right at
the border. The partitioned run (a dask ``Client(processes=False)``: no sockets) must give
the same per-buurt coverage, distances, counts and 2SFCA as one ``build`` over both
gemeenten -- at the border too. Excluded, because they depend on which buurten are in a
run: the need ranking (``per_gemeente.RUN_DEPENDENT``) and small-count suppression.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from shapely.geometry import box

from abcd_map import per_gemeente, settings
from abcd_map.options import BuildOptions
from abcd_map.pipeline import build

#: dask's scheduler and workers talk over loopback TCP (and the scheduler always opens an HTTP port there).
pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])

X0, Y0 = 84000.0, 444000.0  # RD, near Delft
BLOCK = 100.0
NX, NY = 31, 25  # nodes: 3.0 x 2.4 km
TAGS = ["community_centre", "cafe", "library", "restaurant", "place_of_worship"]


def _osm_xml(seed: int = 7) -> str:
    """A street grid (footways) and places as OSM XML (WGS84)."""
    to_wgs = Transformer.from_crs(settings.crs, settings.crs_wgs84, always_xy=True)
    ii, jj = np.divmod(np.arange(NX * NY), NX)
    lon, lat = to_wgs.transform(X0 + jj * BLOCK, Y0 + ii * BLOCK)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    lines += [f'<node id="{k + 1}" version="1" lat="{la:.7f}" lon="{lo:.7f}"/>' for k, (lo, la) in
              enumerate(zip(lon, lat))]
    rng = np.random.default_rng(seed)
    px = np.concatenate([rng.uniform(0, 3000, 30), [1490, 1510, 1450, 1560]])
    py = np.concatenate([rng.uniform(0, 2400, 30), [1210, 610, 1850, 300]])
    plon, plat = to_wgs.transform(X0 + px, Y0 + py)
    for k, (lo, la) in enumerate(zip(plon, plat)):
        lines.append(f'<node id="{100000 + k}" version="1" lat="{la:.7f}" lon="{lo:.7f}">'
                     f'<tag k="amenity" v="{TAGS[k % len(TAGS)]}"/><tag k="name" v="Plek {k}"/></node>')
    way = 1
    for row in range(NY):  # horizontal streets
        refs = "".join(f'<nd ref="{row * NX + c + 1}"/>' for c in range(NX))
        lines.append(f'<way id="{way}" version="1">{refs}<tag k="highway" v="footway"/></way>')
        way += 1
    for col in range(NX):  # vertical streets
        refs = "".join(f'<nd ref="{r * NX + col + 1}"/>' for r in range(NY))
        lines.append(f'<way id="{way}" version="1">{refs}<tag k="highway" v="residential"/></way>')
        way += 1
    return "\n".join(lines + ["</osm>"])


def _buurten() -> gpd.GeoDataFrame:
    """6 x 6 buurten; gemeente GM9001 west of x = 1,500 m, GM9002 east of it; a wijk per 3 x 3 buurten."""
    rows = []
    rng = np.random.default_rng(3)
    for a in range(6):
        for b in range(6):
            gem = "GM9001" if b < 3 else "GM9002"
            wijk = f"WK{gem[2:]}{a // 3:01d}{b // 3:01d}"
            rows.append({"buurtcode": f"BU{gem[2:]}{a}{b}", "buurtnaam": f"Buurt {a}-{b}", "wijkcode": wijk,
                         "wijknaam": f"Wijk {wijk[-2:]}", "gemeentecode": gem,
                         "gemeentenaam": "Westdorp" if gem == "GM9001" else "Oostwaard",
                         "inwoners": int(rng.integers(200, 3000)), "p_65_plus": float(rng.uniform(5, 40)),
                         "geometry": box(X0 + b * 500 - 20, Y0 + a * 400 - 20, X0 + (b + 1) * 500 - 20,
                                         Y0 + (a + 1) * 400 - 20)})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=settings.crs)


@pytest.fixture(scope="module")
def two_gemeenten(tmp_path_factory) -> tuple[Path, Path]:
    """The synthetic buurten (GeoJSON) and OSM file."""
    folder = tmp_path_factory.mktemp("twee-gemeenten")
    buurten = folder / "twee_buurt.geojson"
    _buurten().to_crs(settings.crs_wgs84).to_file(buurten, driver="GeoJSON")
    osm = folder / "raster.osm"
    osm.write_text(_osm_xml(), encoding="utf-8")
    return buurten, osm


@pytest.fixture(scope="module")
def client():
    """A dask client in this process (threads, in-process transport: no socket is opened)."""
    pytest.importorskip("distributed")
    c = per_gemeente.local_client(2, processes=False)
    yield c
    cluster = c.cluster
    c.close()
    cluster.close()


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(per_gemeente.CACHE_ENV, str(folder))
    return folder


#: Figures that must be equal per buurt: counts, coverage, residents within reach, distances, 2SFCA.
def _compared(columns) -> list[str]:
    keep = [c for c in columns if c.startswith(("aantal_", "dekking", "inwoners_binnen", "afstand_", "toegang_",
                                                "per_1000", "kleine_plekken", "gegevens"))]
    return sorted(c for c in keep if c not in per_gemeente.RUN_DEPENDENT)


@pytest.mark.slow  # a few builds of the grid: 10-20 s
def test_partitioned_run_equals_one_run_at_the_border(two_gemeenten, client, cache):
    buurten, osm = two_gemeenten
    whole = build(buurten, osm, afstand=[300, 500]).buurten.set_index("buurtcode")
    options = BuildOptions.create(buurten, osm, afstand=[300, 500])
    parts = per_gemeente.build_per_gemeente(options, client)
    assert parts.failed == {}
    assert list(parts.results) == ["GM9001", "GM9002"]
    split = parts.combined.buurten.set_index("buurtcode")
    assert sorted(split.index) == sorted(whole.index)
    columns = _compared(whole.columns)
    assert {"dekking_500m", "dekking_300m", "toegang_2sfca", "aantal_assets", "afstand_ontmoetingsplek_km"} \
        <= set(columns)
    border = [c for c in whole.index if c[-1] in "23"]  # the buurten either side of x = 1,500 m
    pd.testing.assert_frame_equal(split.loc[border, columns], whole.loc[border, columns], check_dtype=False)
    pd.testing.assert_frame_equal(split.loc[whole.index, columns], whole[columns], check_dtype=False)
    # a place just over the border counts: the west's border buurten reach places in the east
    assert whole.loc[border, "toegang_2sfca"].gt(0).all()


def test_margin_holds_neighbours_but_only_own_buurten_are_reported(two_gemeenten):
    buurten, osm = two_gemeenten
    options = BuildOptions.create(buurten, osm, afstand=300)
    from abcd_map.stages import load_inputs

    jobs = list(per_gemeente.Cutter(load_inputs(options), options).jobs())
    west = jobs[0]
    assert west.code == "GM9001" and len(west.own) == 18
    margin = set(west.inputs.areas["buurtcode"]) - set(west.own)
    # 600 m margin east of x = 1,480 m: the first two columns of the east (500 m wide) and no further
    assert margin and {c[-1] for c in margin} == {"3", "4"}
    assert west.inputs.network.n_nodes < jobs[0].inputs.network.n_nodes + jobs[1].inputs.network.n_nodes


@pytest.mark.slow  # a few builds of the grid: 10-20 s
def test_failed_gemeente_is_reported_and_the_rest_completes(two_gemeenten, client, cache, tmp_path, monkeypatch):
    buurten, osm = two_gemeenten
    real = per_gemeente.analyse_gemeente

    def failing(job, options, facts):
        if job.code == "GM9002":
            raise RuntimeError("kapotte invoer")
        return real(job, options, facts)

    monkeypatch.setattr(per_gemeente, "analyse_gemeente", failing)
    out = tmp_path / "uit"
    result = per_gemeente.build_per_gemeente(BuildOptions.create(buurten, osm, afstand=300, out=out), client)
    assert list(result.results) == ["GM9001"]
    assert "kapotte invoer" in result.failed["GM9002"]
    assert (out / "GM9001_westdorp" / "buurten.csv").is_file()
    assert not (out / "GM9002_oostwaard").exists()
    assert set(pd.read_csv(out / "buurten.csv", sep=";")["gemeentecode"]) == {"GM9001"}


@pytest.mark.slow  # a few builds of the grid: 10-20 s
def test_rerun_redoes_only_changed_gemeenten(two_gemeenten, client, cache, tmp_path, monkeypatch):
    buurten, osm = two_gemeenten
    calls: list[str] = []
    real = per_gemeente.analyse_gemeente

    def counted(job, options, facts):
        calls.append(job.code)
        return real(job, options, facts)

    monkeypatch.setattr(per_gemeente, "analyse_gemeente", counted)
    first = per_gemeente.build_per_gemeente(BuildOptions.create(buurten, osm, afstand=300), client)
    assert sorted(calls) == ["GM9001", "GM9002"] and first.cached == []
    assert len(list(cache.glob("*.pkl"))) == 2
    calls.clear()
    again = per_gemeente.build_per_gemeente(BuildOptions.create(buurten, osm, afstand=300), client)
    assert calls == [] and sorted(again.cached) == ["GM9001", "GM9002"]
    pd.testing.assert_frame_equal(again.combined.buurten, first.combined.buurten)
    # more residents in one eastern buurt far from the border: only the east is redone
    changed = tmp_path / "veranderd_buurt.geojson"
    table = gpd.read_file(buurten)
    table.loc[table["buurtcode"] == "BU900255", "inwoners"] += 100
    table.to_file(changed, driver="GeoJSON")
    calls.clear()
    third = per_gemeente.build_per_gemeente(BuildOptions.create(changed, osm, afstand=300), client)
    assert calls == ["GM9002"] and third.cached == ["GM9001"]


@pytest.mark.slow  # a few builds of the grid: 10-20 s
def test_cache_holds_no_person_in_publiek(two_gemeenten, client, cache, tmp_path):
    buurten, osm = two_gemeenten
    assets = tmp_path / "assets.csv"
    assets.write_text("naam,soort,categorie,x,y\nJan Jansen,persoon,individuen,84200,444200\n"
                      "Buurthuis De Brug,plek,fysieke_ruimte,84300,444300\n", encoding="utf-8")
    per_gemeente.build_per_gemeente(BuildOptions.create(buurten, osm, assets, afstand=300), client)
    blobs = b"".join(p.read_bytes() for p in cache.glob("*.pkl"))
    assert blobs and b"Jan Jansen" not in blobs


@pytest.mark.slow  # a few builds of the grid: 10-20 s
def test_cli_per_gemeente_writes_folders_and_combined_outputs(two_gemeenten, cache, tmp_path, monkeypatch):
    from abcd_map import cli

    buurten, osm = two_gemeenten
    threads = per_gemeente.local_client
    monkeypatch.setattr(per_gemeente, "local_client", lambda workers=None, processes=True: threads(2, processes=False))
    out = tmp_path / "uit"
    code = cli.run_cli(["build", "--per-gemeente", "--gemeente", "alle", "--buurten", str(buurten), "--osm", str(osm),
                        "--afstand", "300", "--out", str(out)])
    assert code == 0
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["GM9001_westdorp", "GM9002_oostwaard",
                                                                   "geoparquet"]
    for name in ("kaart.html", "buurten.csv", "tabellen.xlsx", "abcd-map.gpkg", "run.json"):
        assert (out / "GM9001_westdorp" / name).is_file()
    assert len(pd.read_csv(out / "buurten.csv", sep=";")) == 36
    assert len(gpd.read_file(out / "abcd-map.gpkg", layer="buurten")) == 36
    assert len(gpd.read_parquet(out / "geoparquet" / "buurten.parquet")) == 36
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["gemeenten"] == ["GM9001", "GM9002"]


def test_gemeente_alle_means_every_gemeente_and_folder_names_are_safe():
    assert BuildOptions.create(gemeente="alle", buurten="x.geojson").gemeenten == ()
    assert BuildOptions.create(gemeente="Delft,Rijswijk", buurten="x.geojson").gemeenten == ("Delft", "Rijswijk")
    assert per_gemeente.slug("'s-Gravenhage") == "s-gravenhage"
    assert per_gemeente.slug("Súdwest-Fryslân") == "sudwest-fryslan"
    assert per_gemeente.walk_margin(BuildOptions.create(afstand=[300, 800])) == 1600


def test_areas_without_gemeentecode_are_refused_before_any_work():
    from abcd_map.errors import InputError

    areas = _buurten().assign(gemeentecode="")
    with pytest.raises(InputError, match="gemeentecode"):
        per_gemeente.gemeente_outlines(areas)


def test_cache_round_trip_keeps_the_mode(cache):
    frame = _buurten().head(2)
    result = per_gemeente.GemeenteResult(code="GM9001", name="Westdorp", mode="publiek", buurten=frame,
                                         wijken=frame, gemeenten=None, assets=frame.iloc[:0], layers={},
                                         tables={}, meta={"modus": "publiek"})
    per_gemeente.write_cache("abc", result)
    assert per_gemeente.read_cache("abc", "publiek").buurten.equals(frame)
    assert per_gemeente.read_cache("abc", "team") is None  # a team run never takes a publiek result, nor back
    (cache / "kapot.pkl").write_bytes(b"geen pickle")
    assert per_gemeente.read_cache("kapot", "publiek") is None


@pytest.mark.slow
def test_delft_and_rijswijk_per_gemeente_equal_one_run(shared_data, client, cache):
    """Real data: Delft (with the OSM extract) and Rijswijk (no OSM data) as two tasks equal one run over both."""
    buurten = shared_data / "cbs-wijkenbuurten-2015" / "haaglanden_buurt.geojson"
    osm = shared_data / "osm" / "delft-tudelft.osm.bz2"
    whole = build(buurten, osm, gemeente="Delft,Rijswijk").buurten.set_index("buurtcode")
    parts = per_gemeente.build_per_gemeente(BuildOptions.create(buurten, osm, gemeente="Delft,Rijswijk"), client)
    assert parts.failed == {} and sorted(parts.results) == ["GM0503", "GM0603"]
    split = parts.combined.buurten.set_index("buurtcode").loc[whole.index]
    columns = _compared(whole.columns)
    pd.testing.assert_frame_equal(split[columns], whole[columns], check_dtype=False)
    assert whole["dekking_500m"].notna().sum() >= 5  # the buurten inside the extract have figures


def test_dask_address_without_per_gemeente_is_an_input_error(tmp_path, capsys):
    from abcd_map import cli

    out = tmp_path / "uit"
    assert cli.run_cli(["build", "--dask", "tcp://10.0.0.5:8786", "--out", str(out)]) == 2
    assert "--per-gemeente" in capsys.readouterr().err
    assert not out.exists()
