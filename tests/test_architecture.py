"""The static import scan of tests/architecture.py, as a test: every import of cases, metrics and tui
(function-level ones included) goes one way down the layers and no group of modules imports itself."""

from __future__ import annotations

import ast
import importlib
import re
import tomllib

import pytest

from tests import architecture


def graph():
    return architecture.imports(architecture.modules())


def test_no_import_cycle_between_modules():
    assert architecture.cycles(graph()) == []


def test_no_import_points_up_the_layers():
    assert architecture.upward(graph()) == []


def test_the_scan_sees_function_level_imports_and_cycles():
    g = graph()
    # tui.cli imports the headless commands only inside its functions: the scan must see those edges
    assert "tui.headless.snapshot_cmds" in g["tui.cli"]
    assert architecture.cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert architecture.upward({"cases.x": {"metrics.y"}, "metrics.y": set()}) == [("cases.x", "metrics.y")]


def test_every_module_has_a_layer():
    assert all(architecture.layer(m) < len(architecture.LAYERS) for m in graph() if m != "tui")


def test_the_scans_layers_rank_every_module_as_the_import_contracts_do():
    """pyproject.toml's import-linter layers contracts, read here on their own: what a contract puts
    higher, the scan ranks higher, module by module, and the scan knows no layer they do not name."""
    config = tomllib.loads((architecture.REPO / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    assert contracts
    modules = sorted(graph())
    named = set()
    for contract in contracts:
        for container in contract.get("containers") or [""]:
            layers = [f"{container}.{name}" if container else name for name in contract["layers"]]  # highest first
            named |= set(layers)
            ranks = [{architecture.layer(m) for m in modules if m == la or m.startswith(la + ".")} for la in layers]
            assert all(ranks), (contract["name"], layers, ranks)  # every layer holds modules
            for i in range(len(layers) - 1):
                assert min(ranks[i]) > max(ranks[i + 1]), (contract["name"], layers[i], layers[i + 1])
    assert set(architecture.LAYERS) <= named
    assert tuple(config["tool"]["importlinter"]["root_packages"]) == architecture.PACKAGES


def test_the_layers_are_the_order_docs_architecture_md_gives():
    text = " ".join((architecture.REPO / "docs/architecture.md").read_text(encoding="utf-8").split())
    sentence = re.search(r"The layers, lowest first: (.*?)\. ", text)
    assert sentence is not None
    assert tuple(re.findall(r"`([\w.]+)`", sentence.group(1))) == architecture.LAYERS


def test_layers_of_reads_the_contracts_it_is_given():
    def layers(names, **more):
        return {"name": "c", "type": "layers", "layers": names, **more}

    forbidden = {"name": "f", "type": "forbidden", "source_modules": ["lib"], "forbidden_modules": ["app"]}
    config = {"contracts": [layers(["ui", "api"], containers=["app"]), forbidden, layers(["app", "lib"])]}
    assert architecture.layers_of(config) == ("lib", "app.api", "app.ui")
    config["contracts"].append(layers(["screens", "widgets"], containers=["app.ui"]))
    assert architecture.layers_of(config) == ("lib", "app.api", "app.ui.widgets", "app.ui.screens")
    for bad in (
        {"contracts": [layers(["app", "lib | util"])]},  # independent layers: not read, so refused
        {"contracts": [layers(["app", "(lib)"])]},
        {"contracts": [layers(["app", "lib"]), layers(["ui"], containers=["web"])]},  # not a layer
        {"contracts": [layers(["app"]), layers(["lib"])]},  # two top-level orders
        {"contracts": [forbidden]},
    ):
        with pytest.raises(ValueError):
            architecture.layers_of(bad)


MAX_FUNCTION_LINES = 60  # issue 12: a function does one thing (def line to last line, decorators not counted)


def long_functions(source: str, name: str, limit: int = MAX_FUNCTION_LINES) -> list[str]:
    """``NAME:LINE QUALNAME (N lines)`` for every function of ``source`` (methods and nested ones
    too) longer than ``limit`` lines, as ast counts them: lineno..end_lineno, inclusive."""
    import ast

    found = []

    def walk(node, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = child.end_lineno - child.lineno + 1
                if lines > limit:
                    found.append(f"{name}:{child.lineno} {prefix}{child.name} ({lines} lines)")
                walk(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                walk(child, f"{prefix}{child.name}.")
            else:
                walk(child, prefix)

    walk(ast.parse(source), "")
    return found


def test_no_function_is_over_60_lines():
    found = []
    for _module, path in sorted(architecture.modules().items()):
        found += long_functions(path.read_text(encoding="utf-8"), str(path.relative_to(architecture.REPO)))
    assert found == [], "split these into functions that each do one thing:\n" + "\n".join(found)


def test_the_length_check_finds_a_long_function_wherever_it_is():
    body = "".join(f"    x{i} = {i}\n" for i in range(59))
    assert long_functions(f"def f():\n{body}", "a.py") == []  # 60 lines: allowed
    long = f"def f():\n{body}    return x0\n"
    assert long_functions(long, "a.py") == ["a.py:1 f (61 lines)"]
    nested = "class C:\n    def g(self):\n" + "".join(f"        y{i} = {i}\n" for i in range(60))
    assert long_functions(nested, "b.py") == ["b.py:2 C.g (61 lines)"]
    inner = "def outer():\n    async def inner():\n" + "".join(f"        z{i} = {i}\n" for i in range(60))
    assert long_functions(inner, "c.py") == ["c.py:1 outer (62 lines)", "c.py:2 outer.inner (61 lines)"]


# metrics.compare and metrics.distinguishing re-exported the rules' table (home: cases.rules) and the
# Comparison's dataclasses (homes: metrics.results, metrics.parts) until every import named the home
FORMER_SHIMS = ("metrics.compare", "metrics.distinguishing")


def own_names(source: str) -> set[str]:
    """The names a module's top level defines itself (def, class, assignment), not those it imports."""
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {n.id for target in targets for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


def borrowed(source: str, name: str, module: str, own: set[str]) -> list[str]:
    """``NAME:LINE module.X`` for each X that ``source`` takes from ``module`` although ``module`` does
    not define it: ``from module import X`` at any depth, ``alias.X`` or ``setattr(alias, "X", ...)``
    after ``import module [as alias]`` or ``from parent import module``, and a string "module.X" (a
    monkeypatch or mock.patch target)."""
    tree = ast.parse(source)
    parent, _, last = module.rpartition(".")
    aliases: set[str] = set()
    taken: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and not node.level:
            if node.module == module:
                taken += [(node.lineno, a.name) for a in node.names]
            elif node.module == parent:
                aliases |= {a.asname or a.name for a in node.names if a.name == last}
        elif isinstance(node, ast.Import):
            aliases |= {a.asname or a.name for a in node.names if a.name == module}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and ast.unparse(node.value) in aliases:
            taken.append((node.lineno, node.attr))
        elif isinstance(node, ast.Call) and ast.unparse(node.func).endswith("setattr") and len(node.args) > 1:
            target, attr = node.args[0], node.args[1]
            if ast.unparse(target) in aliases and isinstance(attr, ast.Constant) and isinstance(attr.value, str):
                taken.append((node.lineno, attr.value))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith(module + "."):
            rest = node.value.removeprefix(module + ".").split(".")
            if all(part.isidentifier() for part in rest):  # a dotted name, not prose that mentions one
                taken.append((node.lineno, rest[0]))
    return [f"{name}:{line} {module}.{x}" for line, x in sorted(set(taken)) if x not in own]


def test_nothing_takes_a_name_through_a_module_that_only_imports_it():
    known = architecture.modules()
    found = []
    for module in FORMER_SHIMS:
        own = own_names(known[module].read_text(encoding="utf-8"))
        for top in (*architecture.PACKAGES, "tests"):
            for path in sorted((architecture.REPO / top).rglob("*.py")):
                found += borrowed(
                    path.read_text(encoding="utf-8"), str(path.relative_to(architecture.REPO)), module, own
                )
    assert found == [], "import these from their home (cases.rules, metrics.results, metrics.parts):\n" + "\n".join(
        found
    )


def test_the_borrow_scan_sees_every_way_in():
    source = (
        "from m.n import a, own\n"
        "import m.n\n"
        "import m.n as mn\n"
        "from m import n as n2\n"
        "def f(monkeypatch):\n"
        "    from m.n import b\n"
        "    m.n.c, mn.d, n2.e, mn.own\n"
        '    monkeypatch.setattr(mn, "g", 1)\n'
        '    monkeypatch.setattr("m.n.h", 1)\n'
        '    return "m.nothing", "m.n", "m.n.a is the old home"\n'
    )
    assert own_names("import x\nfrom y import z\nown = 1\ndef g(): pass\nclass C: pass\n") == {"own", "g", "C"}
    assert borrowed(source, "x.py", "m.n", {"own"}) == [
        "x.py:1 m.n.a",
        "x.py:6 m.n.b",
        "x.py:7 m.n.c",
        "x.py:7 m.n.d",
        "x.py:7 m.n.e",
        "x.py:8 m.n.g",
        "x.py:9 m.n.h",
    ]


def test_ruffs_immutable_calls_name_each_class_at_its_home():
    """pyproject's flake8-bugbear extend-immutable-calls: each entry is the class's own dotted name
    (ruff matches the name a call resolves to through the imports, so a re-export's name is dead)."""
    config = tomllib.loads((architecture.REPO / "pyproject.toml").read_text(encoding="utf-8"))
    calls = config["tool"]["ruff"]["lint"]["flake8-bugbear"]["extend-immutable-calls"]
    assert calls
    for dotted in calls:
        module, _, name = dotted.rpartition(".")
        cls = getattr(importlib.import_module(module), name)
        assert f"{cls.__module__}.{cls.__qualname__}" == dotted
