"""The static import scan of tests/architecture.py, as a test: every import of cases, metrics and tui
(function-level ones included) goes one way down the layers and no group of modules imports itself."""

from __future__ import annotations

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
