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
