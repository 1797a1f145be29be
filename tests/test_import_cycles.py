"""No import cycles among aeon_studio's modules, counting function-level (lazy) imports too.

The graph is built statically from the source (``ast``), so an import inside a function counts as much as one at
the top: a lazy import that points back up is still an arrow the wrong way (see docs/ARCHITECTURE.md).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import aeon_studio

PACKAGE_ROOT = Path(aeon_studio.__file__).parent


def _modules(root: Path) -> dict[str, tuple[Path, bool]]:
    """Dotted module name -> (file, is a package ``__init__``) for every ``.py`` under ``root``."""
    mods = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        is_pkg = parts[-1] == "__init__"
        if is_pkg:
            parts = parts[:-1]
        mods[".".join(parts)] = (path, is_pkg)
    return mods


def _resolve(current: str, is_pkg: bool, level: int, name: str | None) -> str:
    """The absolute module a ``from ... import`` names (relative imports resolved against ``current``)."""
    if not level:
        return name or ""
    base = current.split(".")
    base = base if is_pkg else base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports anywhere in its source."""
    pkg = root.name
    mods = _modules(root)
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for mod, (path, is_pkg) in mods.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(mod, is_pkg, node.level, node.module)
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    targets.append(sub if sub in mods else base)  # ``from pkg import submodule`` or a name
            for target in targets:
                while target and target not in mods:  # a name inside a module: the module itself
                    target = target.rpartition(".")[0]
                if target and target != mod and target.split(".")[0] == pkg:
                    graph[mod].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for v in sorted(graph):
            if v not in index:
                visit(v)
    finally:
        sys.setrecursionlimit(limit)
    return sorted(found)


def test_no_import_cycles_among_aeon_studio_modules():
    found = cycles(import_graph(PACKAGE_ROOT))
    listing = "\n".join("  " + " <-> ".join(found_cycle) for found_cycle in found)
    assert not found, f"{len(found)} import cycle(s) (lazy imports count; pass the dependency in instead):\n{listing}"


def test_the_checker_sees_a_cycle_through_a_lazy_relative_import(tmp_path):
    pkg = tmp_path / "demo_pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "low.py").write_text("def f():\n    from .sub.high import g  # lazy, still an arrow\n    return g\n")
    (pkg / "sub" / "high.py").write_text("from .. import low\n\ndef g():\n    return low\n")
    (pkg / "leaf.py").write_text("import demo_pkg.low\n")
    graph = import_graph(pkg)
    assert graph["demo_pkg.low"] == {"demo_pkg.sub.high"} and graph["demo_pkg.sub.high"] == {"demo_pkg.low"}
    assert cycles(graph) == [["demo_pkg.low", "demo_pkg.sub.high"]]
