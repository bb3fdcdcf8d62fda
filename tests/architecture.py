"""A static scan of every import in cases, metrics and tui, function-level ones included.

Run as a script (``.ci/check`` does): it prints each import cycle between modules and each edge that
points up the layers, and exits 1 if there is any. ``tests/test_architecture.py`` runs the same scan.
The packages and the layers are read from pyproject.toml's [tool.importlinter], their one home
(docs/architecture.md says what they are).
"""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
IMPORTLINTER = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]


def layers_of(importlinter: dict) -> tuple[str, ...]:
    """The layers, lowest first, from import-linter's "layers" contracts (which list them highest
    first): the contract without containers orders the packages, and a contract with containers puts
    its layers in the place of each container (``tui`` -> ``tui.core``, ..., ``tui.cli``). Layer
    syntax this does not read (``a | b``, ``a : b``, optional ``(a)``) is a ValueError, not a guess."""
    contracts = [c for c in importlinter["contracts"] if c["type"] == "layers"]
    for contract in contracts:
        for name in contract["layers"]:
            if not all(part.isidentifier() for part in name.split(".")):
                raise ValueError(f'{contract["name"]}: layer "{name}" is not a plain module name')
    tops = [c for c in contracts if not c.get("containers")]
    if len(tops) != 1:
        raise ValueError(f"expected one layers contract without containers, found {len(tops)}")
    order = list(reversed(tops[0]["layers"]))
    inner = [(container, c) for c in contracts for container in c.get("containers", [])]
    for container, contract in sorted(inner, key=lambda pair: pair[0].count(".")):
        if container not in order:
            raise ValueError(f'{contract["name"]}: container "{container}" is not a layer')
        at = order.index(container)
        order[at : at + 1] = [f"{container}.{name}" for name in reversed(contract["layers"])]
    return tuple(order)


PACKAGES = tuple(IMPORTLINTER["root_packages"])
LAYERS = layers_of(IMPORTLINTER)


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
