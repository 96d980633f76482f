"""Shared test set-up: no network, caches outside the checkout, paths to the shared real data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

try:  # imported before sockets are blocked: osmnx probes the network stack on import
    import osmnx
except ImportError:  # pragma: no cover
    osmnx = None

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
CBS = SHARED_DATA / "cbs-wijkenbuurten-2015"
DELFT_OSM = SHARED_DATA / "osm" / "delft-tudelft.osm.bz2"


@pytest.fixture(autouse=True, scope="session")
def _caches_outside_checkout(tmp_path_factory):
    """Point abcd-map's and osmnx's caches at a temporary folder for the whole run."""
    cache = tmp_path_factory.mktemp("cache")
    os.environ["ABCD_MAP_CACHE"] = str(cache)
    if osmnx is not None:
        osmnx.settings.cache_folder = str(cache / "osmnx")
        osmnx.settings.use_cache = False
    yield cache


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The read-only real data beside the project; skip when it is not there."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data ontbreekt: echte-datatests overgeslagen")
    return SHARED_DATA
