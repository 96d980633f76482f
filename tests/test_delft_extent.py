"""Issue 11 'done when': on the shared Delft extract, figures exist exactly where the data is.

The extract really holds a box of about 4.355-4.386 E x 51.995-52.005 N (see
../shared/data/README.md) plus long route roads. No buurt less than 10% inside that box
may get a coverage, 2SFCA, rank, white spot or knowledge gap; every buurt at least 90%
inside gets a coverage and 2SFCA.
"""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import box

import abcd_map as am
from abcd_map import settings
from abcd_map.geo import share_inside

TRUE_BOX = box(4.355, 51.995, 4.386, 52.005)


@pytest.fixture(scope="module")
def delft(shared_data, tmp_path_factory):
    result = am.build(buurten=shared_data / "cbs-wijkenbuurten-2015" / "haaglanden_buurt.geojson",
                      gemeente="Delft", osm=shared_data / "osm" / "delft-tudelft.osm.bz2",
                      out=tmp_path_factory.mktemp("delft"))
    boxed = gpd.GeoSeries([TRUE_BOX], crs=settings.crs_wgs84).to_crs(settings.crs).iloc[0]
    share = share_inside(result.buurten, boxed)
    return result, share


@pytest.mark.slow
def test_no_figures_where_the_box_does_not_reach(delft):
    result, share = delft
    b = result.buurten
    outside = b[(share < 0.10).to_numpy()]
    assert len(outside) > 50
    for col in ("dekking_500m", "toegang_2sfca", "toegang_per_1000", "rang", "aantal_assets"):
        assert outside[col].isna().all(), col
    codes = set(outside["buurtcode"])
    for layer in ("witte_vlekken", "kennisgaten"):
        assert not codes & set(result.layers[layer]["buurtcode"]), layer


@pytest.mark.slow
def test_figures_where_the_box_covers_the_buurt(delft):
    result, share = delft
    inside = result.buurten[(share >= 0.90).to_numpy()]
    assert len(inside) >= 3
    assert inside["dekking_500m"].notna().all()
    assert inside["toegang_2sfca"].notna().all()
    assert (inside["gegevens"] == "ok").all()
