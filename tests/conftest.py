"""Shared test set-up: no network, caches outside the checkout, test markers, shared expensive fixtures.

Markers (see pyproject.toml). A plain ``pytest`` runs the quick loop and deselects:

- ``slow``: one test takes more than about 2 seconds on its own;
- ``realdata``: reads the real data in ../shared/data. Applied automatically to every
  test that requests the ``shared_data`` fixture (directly or through another fixture,
  such as ``delft_osm``), and to tests skipped with a reason that names ``shared/data``;
  such tests are skipped when ../shared/data is not there;
- ``browser``: drives headless Chromium;
- ``notebook``: runs a notebook in a Jupyter kernel.

The README's test command (and so ``.ci/run``) selects all of them.

Expensive things that several test modules need are built once per session here:
``demo_build`` (the demo through the CLI, with its output folder and BuildResult),
``delft_osm`` (load_osm of the Delft extract), ``delft_street_graph`` (its osmnx graph)
and ``haaglanden_buurt`` (the raw CBS 2015 buurten). Treat them as read-only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
HAAGLANDEN_BUURT = CBS / "haaglanden_buurt.geojson"
NO_SHARED_DATA = "../shared/data ontbreekt: echte-datatests overgeslagen"


def _reads_shared_data(item: pytest.Item) -> bool:
    if "shared_data" in getattr(item, "fixturenames", ()):
        return True
    return any("shared/data" in str(m.kwargs.get("reason", "")) for m in item.iter_markers("skipif"))


@pytest.hookimpl(tryfirst=True)  # before -m deselects: the marks set here must count
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("realdata") is None and _reads_shared_data(item):
            item.add_marker(pytest.mark.realdata)
        if item.get_closest_marker("realdata") is not None and not SHARED_DATA.is_dir():
            item.add_marker(pytest.mark.skip(reason=NO_SHARED_DATA))


@pytest.fixture(autouse=True, scope="session")
def _caches_outside_checkout(tmp_path_factory):
    """Point abcd-map's and osmnx's caches at a temporary folder for the whole run."""
    cache = tmp_path_factory.mktemp("cache")
    os.environ["ABCD_MAP_CACHE"] = str(cache)
    if osmnx is not None:
        osmnx.settings.cache_folder = str(cache / "osmnx")
        osmnx.settings.use_cache = False
    yield cache


# ------------------------------------------------------------------ the demo, built once
@dataclass(frozen=True)
class DemoBuild:
    """``abcd-map build --out <out>`` of the demo town, run once per session."""

    out: Path  #: the output folder (kaart.html, buurten.csv, wijken.csv, tabellen.xlsx, abcd-map.gpkg)
    output: str  #: what the command printed
    result: Any  #: the BuildResult behind it (publiek, the default mode)


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory) -> DemoBuild:
    """The demo built end to end through the CLI, once; read its outputs, never write into them."""
    from typer.testing import CliRunner

    from abcd_map import pipeline
    from abcd_map.cli import app

    results = []
    real_run = pipeline.run

    def keep_result(*args, **kwargs):
        results.append(real_run(*args, **kwargs))
        return results[-1]

    out = tmp_path_factory.mktemp("demo") / "kaart"
    with pytest.MonkeyPatch.context() as mp:  # the CLI imports pipeline.run when it runs
        mp.setattr(pipeline, "run", keep_result)
        run = CliRunner().invoke(app, ["build", "--out", str(out)], catch_exceptions=False)
    assert run.exit_code == 0, run.output
    assert len(results) == 1
    return DemoBuild(out=out, output=run.output, result=results[0])


# ------------------------------------------------------------------ real data (../shared/data)
@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The read-only real data beside the project; skip when it is not there.

    Every test that reads ../shared/data requests this fixture (directly or through one
    of the fixtures below): that is what marks it ``realdata``.
    """
    if not SHARED_DATA.is_dir():
        pytest.skip(NO_SHARED_DATA)
    return SHARED_DATA


@pytest.fixture(scope="session")
def delft_osm(shared_data):
    """``load_osm`` of the Delft extract (places and walking network), once per session."""
    from abcd_map.load.osm import load_osm

    return load_osm(shared_data / "osm" / "delft-tudelft.osm.bz2")


@pytest.fixture(scope="session")
def delft_street_graph(shared_data, tmp_path_factory):
    """The osmnx street graph of the Delft extract (for cross-checks), once per session."""
    from abcd_map.load.osm import osmnx_street_graph

    return osmnx_street_graph(shared_data / "osm" / "delft-tudelft.osm.bz2", folder=tmp_path_factory.mktemp("osm"))


@pytest.fixture(scope="session")
def haaglanden_buurt(shared_data):
    """The raw CBS 2015 buurten of Haaglanden (gpd.read_file, all columns), once per session."""
    import geopandas as gpd

    return gpd.read_file(shared_data / "cbs-wijkenbuurten-2015" / "haaglanden_buurt.geojson")
