"""Every gemeente of every shared CBS file builds, and so do the odd shapes other regions' files hold."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import MultiPolygon, Polygon, box

import abcd_map as am
from abcd_map.errors import InputError
from abcd_map.outputs import publication_map

CBS_FILES = ["haaglanden_buurt.geojson", "amsterdam-amstelland_buurt.geojson"]


def _gemeenten(path: Path) -> list[str]:
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    return sorted({f["properties"]["GM_NAAM"] for f in features})


def _build_and_draw(**kwargs) -> am.BuildResult | None:
    """Build areas only and draw the map; an InputError is allowed, nothing else."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = am.build(**kwargs)
        except InputError:
            return None
        publication_map(result.publication)
    return result


@pytest.mark.realdata
@pytest.mark.slow
@pytest.mark.parametrize("name", CBS_FILES)
def test_every_gemeente_of_the_file_builds(shared_data: Path, name: str):
    path = shared_data / "cbs-wijkenbuurten-2015" / name
    built = 0
    for gemeente in _gemeenten(path):
        result = _build_and_draw(buurten=path, gemeente=gemeente)
        if result is not None:
            built += 1
            assert result.meta["title"] == f"ABCD-kaart {gemeente}"
            assert set(result.buurten["gemeentenaam"]) == {gemeente}
    assert built == len(_gemeenten(path))


@pytest.mark.realdata
@pytest.mark.slow
def test_whole_region_is_titled_by_the_file(shared_data: Path):
    path = shared_data / "cbs-wijkenbuurten-2015" / "haaglanden_buurt.geojson"
    result = _build_and_draw(buurten=path)
    assert result is not None and result.meta["title"] == "ABCD-kaart 15 gemeenten in Haaglanden"


def _file(tmp_path: Path, shapes: list, residents: list, gemeente: str = "Snipperdam") -> Path:
    n = len(shapes)
    gdf = gpd.GeoDataFrame(
        {"BU_CODE": [f"BU0999010{i}" for i in range(n)], "BU_NAAM": [f"Buurt {i}" for i in range(n)],
         "WK_CODE": ["WK099901"] * n, "GM_CODE": ["GM0999"] * n, "GM_NAAM": [gemeente] * n,
         "AANT_INW": residents}, geometry=shapes, crs="EPSG:28992")
    path = tmp_path / "regio_buurt.geojson"
    gdf.to_file(path, driver="GeoJSON")
    return path


SLIVER = Polygon([(85000, 445000), (85007, 445000), (85007, 445001), (85000, 445001)])  # 7 m2


@pytest.mark.slow
@pytest.mark.parametrize("shapes, residents", [
    ([SLIVER], [0]),                                                     # the measured NaN-location crash
    ([Polygon([(85000, 445000), (85001, 445000), (85000.5, 445000.2)])], [3]),   # smaller than a map pixel
    ([MultiPolygon([box(85000, 445000, 85500, 445500), box(86000, 445000, 86500, 445500)])], [800]),
    ([box(85000, 445000, 86000, 446000), box(86000, 445000, 87000, 446000)], [0, -99999999]),
    ([box(85000, 445000, 86000, 446000)], [1200]),                       # a gemeente with one buurt
    ([SLIVER, box(86000, 445000, 87000, 446000)], [0, 500]),
], ids=["sliver", "tiny-triangle", "multipolygon", "no-residents", "one-buurt", "sliver-and-buurt"])
def test_odd_regions_build_with_every_output(tmp_path: Path, shapes, residents):
    path = _file(tmp_path, shapes, residents)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = am.build(buurten=path, gemeente="Snipperdam", out=tmp_path / "uit", per_wijk=True)
    assert (tmp_path / "uit" / "kaart.html").exists()
    assert result.meta["title"] == "ABCD-kaart Snipperdam"
    html = (tmp_path / "uit" / "kaart.html").read_text(encoding="utf-8")
    assert "NaN" not in html.split("<script", 1)[0]


@pytest.mark.slow
def test_lone_sliver_gemeente_draws_a_map(tmp_path: Path):
    """The measured crash: 'Location values cannot contain NaNs' from the map of a 7 m2 gemeente."""
    result = _build_and_draw(buurten=_file(tmp_path, [SLIVER], [0]), gemeente="Snipperdam")
    assert result is not None and len(result.buurten) == 1


def test_sliver_stays_on_the_map():
    from abcd_map.render.map import simplify_areas

    areas = gpd.GeoDataFrame(geometry=[SLIVER, box(86000, 445000, 87000, 446000)], crs="EPSG:28992")
    drawn = simplify_areas(areas)
    assert not drawn.is_empty.any()
    assert np.all(np.isfinite(drawn.total_bounds))
