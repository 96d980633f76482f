"""The one point-in-area rule (abcd_map.geo) on hand-made squares.

Areas: W (x 0-100) and E (x 100-200), both y 0-100; they share the edge x = 100.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point, box

from abcd_map import settings
from abcd_map.geo import assign_areas, has_geometry, share_inside, with_geometry


def squares(order=("W", "E"), index=None) -> gpd.GeoDataFrame:
    geoms = {"W": box(0, 0, 100, 100), "E": box(100, 0, 200, 100)}
    return gpd.GeoDataFrame({"buurtcode": list(order), "buurtnaam": [c.lower() for c in order]},
                            geometry=[geoms[c] for c in order], index=index, crs=settings.crs)


def points(*xy, index=None) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=[None if p is None else Point(p) for p in xy], index=index,
                            crs=settings.crs)


def test_inside_outside_and_missing_geometry():
    got = assign_areas(points((50, 50), (150, 50), (500, 500), None, index=[7, 3, 9, 1]), squares())
    assert got.name == "buurtcode" and list(got.index) == [7, 3, 9, 1]
    assert got.loc[7] == "W" and got.loc[3] == "E"
    assert pd.isna(got.loc[9]) and pd.isna(got.loc[1])


def test_boundary_point_goes_to_the_first_area_in_table_order():
    edge = points((100, 50))
    assert assign_areas(edge, squares(("W", "E"))).iloc[0] == "W"
    assert assign_areas(edge, squares(("E", "W"))).iloc[0] == "E"
    # table order, not index labels
    assert assign_areas(edge, squares(("E", "W"), index=[5, 2])).iloc[0] == "E"
    # a corner of the outer boundary counts as inside
    assert assign_areas(points((0, 0)), squares()).iloc[0] == "W"


def test_other_code_column_repeated_index_and_crs():
    pts = points((50, 50), (150, 50), index=[4, 4])
    assert list(assign_areas(pts, squares(), code="buurtnaam")) == ["w", "e"]
    wgs = pts.to_crs(settings.crs_wgs84)
    assert list(assign_areas(wgs, squares())) == ["W", "E"]
    assert list(assign_areas(wgs.geometry, squares())) == ["W", "E"]


def test_areas_without_geometry_are_skipped_and_nothing_to_assign():
    areas = squares()
    areas.loc[0, "geometry"] = None
    assert list(has_geometry(areas)) == [False, True]
    got = assign_areas(points((50, 50), (150, 50)), areas)
    assert pd.isna(got.iloc[0]) and got.iloc[1] == "E"
    assert assign_areas(points(), squares()).empty
    assert len(with_geometry(areas)) == 1


def test_share_inside():
    share = share_inside(squares(), box(50, 0, 100, 100))
    np.testing.assert_allclose(share, [0.5, 0.0])
    np.testing.assert_allclose(share_inside(squares(), None), [0.0, 0.0])
