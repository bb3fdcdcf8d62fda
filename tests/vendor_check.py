"""Run the importer over real vendor exports kept outside the repository, and print what it made.

    python tests/vendor_check.py DIR [--xsd tests/fixtures/qdpx/Project.xsd]

Public .qdpx exports from NVivo, MAXQDA and ATLAS.ti exist, but few carry a licence that lets this
repository keep them (tests/fixtures/qdpx/README.md lists those tried). Put them in DIR and this
script imports each one with every --sites-from choice. It prints, one line per import: the
schema check, the exit status (0 imported, 2 refused with one line), the sites and excerpts made,
and the number of "not carried over" and "note" lines. Any traceback is a bug.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def valid(path: Path, xsd: Path) -> str:
    try:
        import xmlschema
    except ImportError:
        return "no xmlschema"
    with zipfile.ZipFile(path) as zf:
        name = next((n for n in zf.namelist() if n.lower().endswith(".qde")), None)
        if name is None:
            return "no .qde"
        errors = list(xmlschema.XMLSchema(xsd).iter_errors(zf.read(name).decode("utf-8-sig")))
    return "valid" if not errors else f"{len(errors)} schema errors"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui.cli", *args], capture_output=True, text=True, cwd=ROOT)


def check(path: Path, sites_from: str, xsd: Path) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp) / "study"
        done = run("import", str(path), str(dest), "--sites-from", sites_from)
        err = done.stderr.splitlines()
        if "Traceback" in done.stderr:
            return f"TRACEBACK\n{done.stderr}"
        if done.returncode != 0:
            return f"rc {done.returncode}: {err[0] if err else ''}"
        valid_ = run("validate", str(dest))
        with (dest / "sites.csv").open(encoding="utf-8", newline="") as fh:
            sites = len(list(csv.DictReader(fh)))
        excerpts = 0
        if (dest / "evidence.csv").exists():
            with (dest / "evidence.csv").open(encoding="utf-8", newline="") as fh:
                excerpts = len(list(csv.DictReader(fh)))
        lost = sum(1 for line in err if line.startswith("not carried over: "))
        notes = sum(1 for line in err if line.startswith("note: "))
        checked = "validates" if valid_.returncode == 0 else f"DOES NOT VALIDATE: {valid_.stderr.strip()}"
        return f"rc 0, {checked}: {sites} sites, {excerpts} excerpts, {lost} not carried over, {notes} notes"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", type=Path)
    ap.add_argument("--xsd", type=Path, default=ROOT / "tests" / "fixtures" / "qdpx" / "Project.xsd")
    args = ap.parse_args()
    for path in sorted(args.dir.glob("*.qdpx")):
        print(f"{path.name}: {valid(path, args.xsd)}")
        for sites_from in ("cases", "sources", "sets"):
            print(f"  --sites-from {sites_from}: {check(path, sites_from, args.xsd)}")


if __name__ == "__main__":
    main()
