"""abcd-map: map what a neighbourhood has, for Asset-Based Community Development.

The public API follows the flow load -> classify -> analyse -> render/export::

    import abcd_map as am
    result = am.build()                       # the fictional demo town
    buurten = am.load_buurten("buurt.geojson", gemeente="Delft")
    osm = am.load_osm("delft.osm.bz2", area=buurten)
    places = am.classify_places(osm.places)
    cov = am.coverage(buurten, places[places.ontmoetingsplek], osm.network, [500])

Names are imported lazily so that ``import abcd_map`` stays quick.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_API = {
    "build": "pipeline",
    "write_outputs": "pipeline",
    "result_map": "pipeline",
    "BuildResult": "pipeline",
    "load_buurten": "load.areas",
    "load_wijken": "load.areas",
    "load_own_areas": "load.areas",
    "load_osm": "load.osm",
    "load_kerncijfers": "load.kwb",
    "fetch_kerncijfers": "load.kwb",
    "join_kerncijfers": "load.kwb",
    "load_assets": "load.assets",
    "validate_assets": "load.assets",
    "merge_assets": "load.assets",
    "classify_places": "classify",
    "Network": "analyse.network",
    "coverage": "analyse.coverage",
    "count_assets": "analyse.coverage",
    "resident_points": "analyse.coverage",
    "summarise_wijken": "analyse.coverage",
    "nearest_for_facilities": "analyse.nearest",
    "nearest_distance": "analyse.nearest",
    "summarise_nearest": "analyse.nearest",
    "white_spots": "analyse.gaps",
    "knowledge_gaps": "analyse.gaps",
    "two_stage_fca": "analyse.access",
    "enhanced_two_stage_fca": "analyse.access",
    "public_assets": "privacy",
    "person_counts": "privacy",
    "render_map": "render.map",
    "render_per_wijk": "render.map",
    "publication_map": "render.map",
    "BuildOptions": "options",
    "publish": "publication",
    "Publication": "publication",
    "write_publication": "outputs",
    "save_map": "render.map",
    "write_template": "template",
    "InputError": "errors",
}

__all__ = sorted(_API)


def __getattr__(name: str):
    if name in _API:
        module = importlib.import_module(f".{_API[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'abcd_map' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
