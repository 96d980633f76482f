"""The package's shape: imports point down the flow, no cycles, no borrowing of private names.

Read from the source with :mod:`ast`, so a new import that breaks the layering fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parents[1] / "abcd_map"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports() -> tuple[nx.DiGraph, list[str]]:
    """Import graph between abcd_map modules, and every import of a private name of another module."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    private = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                target = _resolve(name, node, path.name == "__init__.py")
                for alias in node.names:
                    full = f"{target}.{alias.name}"
                    dest = full if full in modules else target
                    if dest in modules and dest != name:
                        graph.add_edge(name, dest)
                    if alias.name.startswith("_") and not alias.name.startswith("__") and full not in modules:
                        private.append(f"{name} imports {target}.{alias.name}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in modules and alias.name != name:
                        graph.add_edge(name, alias.name)
    return graph, private


def test_no_import_cycles():
    graph, _ = _imports()
    graph.remove_node("abcd_map")  # the package's lazy public API imports everything by design
    cycles = list(nx.simple_cycles(graph))
    assert cycles == []


def test_no_module_imports_another_modules_private_names():
    _, private = _imports()
    assert private == []


def test_imports_point_down_the_flow():
    """cli -> pipeline -> stages/publication/outputs -> load/analyse/render -> schema/settings."""
    graph, _ = _imports()
    lower = ["abcd_map.schema", "abcd_map.settings", "abcd_map.errors", "abcd_map.metrics"]
    for module in lower:
        ups = [d for d in graph.successors(module) if d.startswith(("abcd_map.load", "abcd_map.analyse",
                                                                     "abcd_map.render", "abcd_map.pipeline",
                                                                     "abcd_map.stages", "abcd_map.cli"))]
        assert ups == [], module
    for module in [m for m in graph if m.startswith(("abcd_map.load", "abcd_map.analyse"))]:
        ups = [d for d in graph.successors(module) if d.startswith(("abcd_map.render", "abcd_map.pipeline",
                                                                     "abcd_map.stages", "abcd_map.publication",
                                                                     "abcd_map.outputs", "abcd_map.cli"))]
        assert ups == [], module
    assert not [d for d in graph.successors("abcd_map.stages") if d.startswith("abcd_map.render")]
    # the loaders build the walking network (a data structure that imports only settings) and nothing else
    # of the analysis
    for module in [m for m in graph if m.startswith("abcd_map.load")]:
        assert [d for d in graph.successors(module) if d.startswith("abcd_map.analyse")] in ([],
                                                                                           ["abcd_map.analyse.network"])
    assert set(graph.successors("abcd_map.analyse.network")) <= {"abcd_map.settings"}
