"""Import boundaries: the headless path never loads textual, plotext or rich; cases and metrics never
load tui. Checked in fresh interpreters (sys.modules) and statically on the source."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
UI_LIBRARIES = ("textual", "plotext", "rich")


def fresh_python(code: str) -> dict:
    """Run ``code`` in a new interpreter (cwd and PYTHONPATH = the repository); it prints JSON last."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env, cwd=REPO, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def loaded(prefixes) -> str:
    """Python source: the JSON list of loaded modules that are (or are inside) one of ``prefixes``."""
    return f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {tuple(prefixes)!r})))"


def test_headless_summary_imports_no_ui_library():
    code = f"""
        import contextlib, importlib, importlib.util, io, json, sys
        names = ["cases", "cases.loader", "cases.snapshot", "metrics", "metrics.analysis", "metrics.compare",
                 "metrics.summary", "tui.cli", "tui.headless.render"]
        for name in names:
            if name == "cases.snapshot" and importlib.util.find_spec(name) is None:
                continue
            importlib.import_module(name)
        import tui.cli
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            rc = tui.cli.main(["summary", "--format", "json"])
        assert rc == 0, rc
        assert json.loads(buf.getvalue())["groups"]
        {loaded(UI_LIBRARIES)}
    """
    assert fresh_python(code) == []


def test_validate_and_themes_import_no_ui_library():
    code = f"""
        import contextlib, io, json, sys
        import tui.cli
        with contextlib.redirect_stdout(io.StringIO()):
            assert tui.cli.main(["validate", "data/example"]) == 0
            assert tui.cli.main(["themes", "--format", "json"]) == 0
            assert tui.cli.main(["summary", "--format", "toml"]) == 0
            assert tui.cli.main(["summary", "--format", "markdown"]) == 0
        {loaded(UI_LIBRARIES)}
    """
    assert fresh_python(code) == []


def test_cases_and_metrics_never_import_tui():
    code = f"""
        import importlib, json, pkgutil, sys
        import cases, metrics
        for package in (cases, metrics):
            for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
                importlib.import_module(info.name)
        from cases.loader import load_study
        from metrics.analysis import analyse
        analyse(load_study("data/example"))
        {loaded(("tui", *UI_LIBRARIES))}
    """
    assert fresh_python(code) == []


IMPORT = re.compile(
    r"^\s*(?:from\s+(textual|plotext|tui)(?:\.|\s)|import\s+(?:[\w.]+\s*,\s*)*(textual|plotext|tui)\b)", re.M
)


def test_no_source_in_cases_or_metrics_imports_the_ui():
    sources = sorted(p for d in ("cases", "metrics") for p in (REPO / d).rglob("*.py"))
    assert sources
    offenders = [
        f"{p.relative_to(REPO)}:{p.read_text(encoding='utf-8')[: m.start()].count(chr(10)) + 1}"
        for p in sources
        for m in IMPORT.finditer(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_import_regex_catches_what_it_should():
    for line in (
        "import textual",
        "from tui.core.study import load",
        "    from plotext import plot",
        "import os, tui.headless.render",
        "from textual.app import App",
    ):
        assert IMPORT.search(line), line
    for line in ("import textwrap", "from tuition import x", "# textual is not imported here", "import plotextra"):
        assert not IMPORT.search(line), line
