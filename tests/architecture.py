"""A static scan of every import in cases, metrics and tui, function-level ones included.

Run as a script (``.ci/check`` does): it prints each import cycle between modules and each edge that
points up the layers, and exits 1 if there is any. ``tests/test_architecture.py`` runs the same scan.
The layers, lowest first: cases, metrics, tui.core, tui.headless, tui.dashboard, tui.cli
(docs/architecture.md).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("cases", "metrics", "tui")
LAYERS = ("cases", "metrics", "tui.core", "tui.headless", "tui.dashboard", "tui.cli")


def modules() -> dict[str, Path]:
    """Every module of the three packages by dotted name (a package by its own name)."""
    out = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The longest known module that ``name`` is or lies inside (``a.b.c`` -> ``a.b`` if only that exists)."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def imports(known: dict[str, Path]) -> dict[str, set[str]]:
    """module -> the modules of the three packages it imports anywhere (top level or in a function)."""
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join([*up, base] if base else up)
                targets = [f"{base}.{a.name}" for a in node.names] + [base]
            for target in targets:
                hit = _resolve(target, known)
                if hit is not None and hit != name:
                    found.add(hit)
        graph[name] = found
    return graph


def layer(module: str) -> int:
    ranks = [i for i, prefix in enumerate(LAYERS) if module == prefix or module.startswith(prefix + ".")]
    return ranks[-1] if ranks else len(LAYERS)  # tui/__init__ and anything unplaced: above all


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def upward(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Imports from a lower layer into a higher one (tui/__init__ excepted: it is the top's name)."""
    return sorted((a, b) for a, targets in graph.items() for b in targets if a != "tui" and layer(b) > layer(a))


def main() -> int:
    graph = imports(modules())
    found, up = cycles(graph), upward(graph)
    edges = sum(len(v) for v in graph.values())
    print(
        f"architecture: {len(graph)} modules, {edges} imports between them, {len(found)} cycles, {len(up)} upward edges"
    )
    for component in found:
        print("  cycle: " + " <-> ".join(component))
    for a, b in up:
        print(f"  upward: {a} -> {b}")
    return 1 if found or up else 0


if __name__ == "__main__":
    sys.exit(main())
