"""Global defaults of abcd-map: one place for distances, thresholds, CRS and folders.

Change them at run time (``abcd_map.settings.default_distance = 400``) or pass
explicit arguments to the functions that use them.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

#: Working CRS of every analysis: RD New (metres).
crs: str = "EPSG:28992"
#: CRS of the HTML map and of WGS84 input.
crs_wgs84: str = "EPSG:4326"

#: Default walking distance in metres (about 6 minutes on foot).
default_distance: float = 500.0
#: Person counts below this number are shown as "< N" in publiek mode.
suppression_threshold: int = 5
#: Output mode when none is asked for.
default_mode: str = "publiek"
#: Furthest an asset or resident point may lie from the walking network and
#: still be snapped to it (metres). Beyond this, straight-line distance is used.
max_snap_distance: float = 250.0
#: Components of the walking network whose nearest node lies within this many metres
#: of a street of the main (largest) component are joined to it by connector edges as
#: long as the gap (pedestrian squares drawn as an outline that shares no node with the
#: streets, paths that stop just short of a street).
network_join_tolerance: float = 15.0
#: Components (after joining) with less street length than this (m) are islands:
#: nothing is snapped to them (points snap to a larger component instead). The
#: largest component is never an island.
network_min_component_length: float = 500.0
#: Snap points to the nearest point on a street segment (True) or to the nearest node.
snap_to_edges: bool = True
#: Margin around the study area when clipping OSM data (metres).
osm_margin: float = 1000.0
#: A contact older than this many months is flagged as stale.
stale_contact_months: int = 12
#: Buffer (m) around the walking network that marks where an OSM extract has data.
osm_extent_buffer: float = 150.0
#: Inferring where an OSM file without ``<bounds>`` has data (see abcd_map.load.osm):
#: raster cell (m); a cell has data when at least ``osm_infer_min_ways`` distinct ways
#: that are not members of a route relation have a node in it.
osm_infer_cell: float = 100.0
osm_infer_min_ways: int = 4
#: Components of data cells smaller than this share of the largest one are dropped.
osm_infer_min_component: float = 0.1
#: Buffer (m) around the inferred extent.
osm_infer_buffer: float = 0.0
#: Network nodes and places within this many metres outside the OSM extent are kept
#: (an edge is kept when both its ends are), so a facility just across the edge is reachable.
osm_clip_margin: float = 100.0
#: Share of a buurt's residents (estimated by area, or by own address points when given)
#: that must live inside the OSM extent for the buurt to have figures at all; below it the
#: buurt is "geen OSM-gegevens" and every figure of it is empty (unknown, never 0).
osm_extent_min_share: float = 0.5
#: From this share of its residents inside the OSM extent a buurt is "ok"; between
#: ``osm_extent_min_share`` and this it is "gedeeltelijk": its figures are about the
#: residents inside only (``inwoners_met_gegevens``, ``gegevens_pct``).
osm_extent_full_share: float = 0.9
#: CBS kerncijfers used as need indicators when ``--cbs-kerncijfers`` is given (higher = more
#: need); the share of single-person households is derived from the counts. ``--behoefte``
#: wins for the indicators it names.
kwb_need_indicators: tuple[str, ...] = ("cbs_pct_laag_inkomen", "cbs_pct_huishoudens_laag_inkomen",
                                         "cbs_wmo_per_1000", "cbs_pct_65_plus")
#: Spacing (m) of the grid of points that stands in for homes where a buurt has no streets.
resident_grid_spacing: float = 50.0
#: Radius (m) around an uncovered home point that a white spot (witte vlek) covers.
white_spot_buffer: float = 60.0
#: Half-width (m) of the walking-area band drawn along reachable streets.
walking_area_width: float = 40.0
#: Holes in the walking area smaller than this (m²) are filled: a block enclosed by
#: reachable streets is within reach too.
walking_area_fill: float = 20_000.0
#: Name similarity (0-100) and distance (m) to merge an OSM place with a hand-collected one.
merge_min_similarity: float = 80.0
merge_max_distance: float = 75.0
#: Rounding of map coordinates (degrees); 1e-5 degree is about 1 m.
map_precision: float = 1e-5
#: Tolerance (m) for simplifying shared area boundaries on the map.
map_simplify_tolerance: float = 5.0
#: Tolerance (m) for the gap layers on the map (white spots, knowledge gaps, walking area): they are
#: traced from a raster of a third of the distance (17 m cells at 500 m), so 10 m hides nothing known.
gap_simplify_tolerance: float = 10.0

#: Output folder of ``abcd-map build`` when --out is not given.
default_out_dir: str = "abcd-kaart"


def cache_folder() -> Path:
    """Folder for downloaded data (Overpass, PDOK), outside any checkout.

    ``ABCD_MAP_CACHE`` overrides it; default ``~/.cache/abcd-map``.
    """
    env = os.environ.get("ABCD_MAP_CACHE")
    base = Path(env) if env else Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "abcd-map"
    return base


def data_path(name: str = "") -> Path:
    """Path of a file in the package's data folder (``data/`` in the repository)."""
    try:
        root = Path(str(resources.files("abcd_map.data")))
    except ModuleNotFoundError:  # a plain checkout on sys.path, not installed
        root = Path(__file__).resolve().parent.parent / "data"
    return root / name if name else root

#: Walking distances a user may ask for (m); below 25 m is a typo ('500,5' is 500 and 5).
min_distance: int = 25
max_distance: int = 5000
