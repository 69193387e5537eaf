"""Imports run one way: frontend -> ir/passes -> lowering -> backends and estimate.

The import graph is read from the source (``ast``), so a new import that breaks the layering
or closes a cycle fails here, naming the modules.
"""

import ast
from pathlib import Path

import networkx as nx
import pytest

import hgq_hls

ROOT = Path(hgq_hls.__file__).parent

#: package -> packages of hgq_hls it must never import (module level or inside functions)
FORBIDDEN = {
    "fixed": {"ir", "passes", "frontend", "reference", "lowering", "backends", "estimate", "precision"},
    "ir": {"passes", "frontend", "reference", "lowering", "backends", "estimate", "precision"},
    "passes": {"frontend", "reference", "lowering", "backends", "estimate", "precision"},
    "reference": {"frontend", "lowering", "backends", "estimate", "precision"},
    "lowering": {"frontend", "reference", "backends", "estimate", "precision"},
    "estimate": {"frontend", "backends", "precision"},
    "backends": {"frontend", "estimate", "precision"},
    "frontend": {"lowering", "backends", "estimate", "precision"},
}


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports():
    """(importer, imported, inside a function?) for every import of an hgq_hls module."""
    modules = {_module(p): p for p in ROOT.rglob("*.py")}
    edges = []
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[:len(package.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                targets = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in modules]
                targets = targets or [target]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            for t in targets:
                if t.startswith("hgq_hls") and t != name:
                    edges.append((name, t, node.col_offset > 0))
    return edges


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "hgq_hls"


EDGES = _imports()


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layering(package):
    wrong = [f"{a} imports {b}" for a, b, _ in EDGES
             if _package(a) == package and _package(b) in FORBIDDEN[package]]
    assert not wrong, "imports against the data path:\n" + "\n".join(wrong)


#: the one module outside hgq_hls.train that reads torch modules (hh.load_torch), lazily
TORCH_READERS = {"hgq_hls.frontend.pytorch"}


def test_only_the_training_package_imports_torch_code():
    """hgq_hls.train needs PyTorch, an extra: nothing else may import it, except hh.load_torch's
    module inside its function (``import hgq_hls`` must work without torch)."""
    wrong = [f"{a} imports {b}" for a, b, local in EDGES if _package(b) == "train" and _package(a) != "train"
             and not (a in TORCH_READERS and local)]
    assert not wrong, wrong


def test_no_module_imports_the_package_face():
    """Submodules import what they need from where it lives, never from ``hgq_hls`` itself."""
    wrong = [a for a, b, _ in EDGES if b == "hgq_hls"]
    assert not wrong, f"import from the package face: {wrong}"


def test_no_import_cycles():
    graph = nx.DiGraph([(a, b) for a, b, local in EDGES if not local])
    cycles = [c for c in nx.simple_cycles(graph)]
    assert not cycles, f"import cycles: {cycles[:5]}"


def test_version_is_the_pyproject_version():
    import tomllib

    project = tomllib.loads((ROOT.parent / "pyproject.toml").read_text())["project"]
    assert hgq_hls.__version__ == project["version"]


def test_every_package_ships_in_the_wheel():
    """A package missing from pyproject's explicit list imports in the checkout but not
    from a wheel (the slow wheel test finds it; this names it in a second)."""
    import tomllib

    listed = set(tomllib.loads((ROOT.parent / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    packages = {_module(p) for p in ROOT.rglob("__init__.py")}
    assert packages <= listed, f"add to [tool.setuptools] packages: {sorted(packages - listed)}"
