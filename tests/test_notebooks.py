"""The notebooks run top to bottom, so they cannot rot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def _needs_shared_data(path: Path) -> bool:
    return bool(json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
                .get("abcd_map", {}).get("needs_shared_data"))


# a notebook on the real data (metadata abcd_map.needs_shared_data) is realdata as well
CASES = [pytest.param(p, id=p.name, marks=[pytest.mark.realdata] if _needs_shared_data(p) else [])
         for p in NOTEBOOKS]


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.allow_hosts(["127.0.0.1"])  # the kernel talks to the test over loopback only
@pytest.mark.parametrize("path", CASES)
def test_notebook_runs(path, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(path, as_version=4)
    shared = path.resolve().parents[1].parent / "shared" / "data"
    if nb.metadata.get("abcd_map", {}).get("needs_shared_data") and not shared.is_dir():
        pytest.skip("../shared/data ontbreekt: notebook met echte gegevens overgeslagen")
    monkeypatch.setenv("ABCD_MAP_SHARED_DATA", str(shared))  # the kernel runs in a temporary folder
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors


def test_there_is_a_notebook():
    assert NOTEBOOKS, "notebooks/ holds no notebook"
