"""`pip install .` (not editable) must carry every data file the package reads."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _package_data() -> dict[str, list[str]]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["setuptools"]["package-data"]


def _covered(folder: Path, patterns: list[str]) -> tuple[list[str], list[str]]:
    files = [p.relative_to(folder).as_posix() for p in folder.rglob("*")
             if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts]
    missing = [f for f in files if not any(fnmatch.fnmatch(f, pat) and f.count("/") == pat.count("/")
                                           for pat in patterns)]
    return files, missing


def test_every_data_file_is_packaged():
    files, missing = _covered(REPO / "data", _package_data()["abcd_map.data"])
    assert "demo/demo.osm" in files and "columns.csv" in files
    assert missing == [], f"add these to [tool.setuptools.package-data] in pyproject.toml: {missing}"


def test_every_map_asset_is_packaged():
    files, missing = _covered(REPO / "abcd_map" / "render" / "assets", [
        p.removeprefix("assets/") for p in _package_data()["abcd_map.render"]])
    assert any(f.endswith(".js") for f in files)
    assert missing == [], f"add these to [tool.setuptools.package-data] in pyproject.toml: {missing}"


def test_data_package_mapping_points_at_data_folder():
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["tool"]["setuptools"]["package-dir"]["abcd_map.data"] == "data"
    assert "abcd_map.data" in config["tool"]["setuptools"]["packages"]
