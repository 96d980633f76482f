"""Union of discs traced on a raster (abcd_map.analyse.raster): hand-checkable shapes."""

import numpy as np
import pytest
import shapely

from abcd_map.analyse.raster import cell_size, disc_union


def test_one_disc_has_the_area_of_a_circle():
    (disc,) = disc_union(np.array([100.0]), np.array([200.0]), 60.0)
    assert disc.geom_type == "Polygon"
    # traced on a 20 m grid: a polygon of ~16 chords inside the circle, about 2.5% smaller
    assert 0.96 < disc.area / (np.pi * 60**2) < 1.0
    assert disc.contains(shapely.Point(100, 200))
    assert abs(disc.centroid.x - 100) < 0.5 and abs(disc.centroid.y - 200) < 0.5


def test_groups_stay_apart_and_far_points_make_two_parts():
    x = np.array([0.0, 1000.0, 50.0])
    y = np.array([0.0, 0.0, 0.0])
    group = np.array([0, 0, 1])
    a, b, empty = disc_union(x, y, 60.0, group, 3)
    assert a.geom_type == "MultiPolygon" and len(a.geoms) == 2  # 1 km apart: two discs
    assert b.geom_type == "Polygon"  # its own disc only, though it overlaps group 0's
    assert 0.96 < b.area / (np.pi * 60**2) < 1.0
    assert empty.is_empty


def test_close_discs_merge_like_a_union():
    x, y = np.array([0.0, 80.0]), np.array([0.0, 0.0])
    (area,) = disc_union(x, y, 60.0)
    exact = shapely.union_all(shapely.buffer(shapely.points(x, y), 60.0, quad_segs=64))
    assert area.geom_type == "Polygon"
    assert shapely.symmetric_difference(area, exact).area / exact.area < 0.03
    assert shapely.hausdorff_distance(area.exterior, exact.exterior) < 10  # half a cell, where the discs meet


def test_small_holes_are_filled_large_ones_kept():
    # points on a ring of radius 200 m: the discs of 60 m leave a hole of about 140 m radius
    t = np.linspace(0, 2 * np.pi, 80, endpoint=False)
    x, y = 200 * np.cos(t), 200 * np.sin(t)
    (open_ring,) = disc_union(x, y, 60.0)
    assert len(open_ring.interiors) == 1 and 50_000 < shapely.Polygon(open_ring.interiors[0]).area < 70_000
    (filled,) = disc_union(x, y, 60.0, max_hole=100_000)
    assert len(filled.interiors) == 0
    (island,) = disc_union(np.append(x, 0.0), np.append(y, 0.0), 60.0, max_hole=100_000)
    assert island.geom_type == "Polygon" and len(island.interiors) == 0  # the disc inside is absorbed


def test_cell_grows_so_a_raster_stays_bounded():
    assert cell_size(60.0, 1000.0, 1000.0) == 20.0
    assert cell_size(60.0, 400_000.0, 400_000.0) == pytest.approx(400_000 / np.sqrt(8e6))  # 8M nodes at most
