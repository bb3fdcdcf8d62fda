"""Every SVG snapshot belongs to a test that exists.

syrupy fails a run that leaves a snapshot unused, but only in one process: under pytest-xdist (the
suite runs with `-n 2`, pyproject.toml) it skips that check. This test keeps it: it collects the
snapshot tests' modules in one process and looks for the test of each file under __snapshots__.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SNAPSHOTS = HERE / "__snapshots__"


def test_every_svg_snapshot_has_its_test():
    files = sorted(SNAPSHOTS.glob("*/*.svg"))
    assert files, "no SVG snapshot found"
    modules = sorted({f.parent.name for f in files})
    missing = [m for m in modules if not (HERE / f"{m}.py").is_file()]
    assert not missing, f"snapshots of test files that do not exist: {missing}"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-n", "0", "-p", "no:randomly"]
        + [f"tests/tui/{m}.py" for m in modules],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    tests = {line.strip() for line in proc.stdout.splitlines() if "::" in line}
    unused = [
        f"{f.parent.name}/{f.name}"
        for f in files
        # syrupy names a test in a class Class.test; its node id is Class::test
        if not {f"tests/tui/{f.parent.name}.py::{name}" for name in (f.stem, f.stem.replace(".", "::", 1))} & tests
    ]
    assert not unused, f"SVG snapshots no test uses (remove them, or run `-n 0 --snapshot-update`): {unused}"
