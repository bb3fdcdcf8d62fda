"""How long a REFI-QDA import and export take on a large project, generated from a seed.

    python tests/benchmarks/bench_qdpx.py [--cases 2000] [--selections 10] [--runs 3]

The project is QualCoder-shaped (the hard case): a text document per case with CRLF line breaks
and an emoji, positions in UTF-16 units, every selection named with its text (so the counting is
decided per document), and half the case links naming the stored copy of the document (so they are
resolved by text). Prints min / median / max wall time of `import`, then of `export
--include-evidence` of the imported study, and the figures of what was made.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from cases.loader import load_study
from cases.qdpx import import_qdpx
from cases.qdpx_export import export_qdpx

WORDS = [
    "peer",
    "worker",
    "ward",
    "manager",
    "matron",
    "shift",
    "handover",
    "café",
    "budget",
    "rota",
    "supervision",
    "training",
    "champion",
]
CODES = ["Leadership Engagement", "Available Resources", "Networks & Communications", "Peer worker burnout"]


def gid(n: int) -> str:
    return f"{n:08x}-0000-4000-8000-{n:012x}"


def project(path: Path, cases: int, selections: int, seed: int = 17) -> Path:
    rng = random.Random(seed)
    codes = "".join(f'<Code guid="{gid(100 + i)}" name={quoteattr(c)} isCodable="true"/>' for i, c in enumerate(CODES))
    var = f'<Variable guid="{gid(90)}" name="Engagement" typeOfVariable="Float"/>'
    case_xml, source_xml, members = [], [], {}
    for k in range(cases):
        sentences = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))) + "." for _ in range(selections)]
        sentences[0] += " 😊"
        text = "\r\n".join(sentences) + "\r\n"
        one = text.replace("\r\n", "\n")
        sels = []
        for j, sentence in enumerate(sentences):
            at = len(one[: one.index(sentence)].encode("utf-16-le")) // 2
            end = at + len(sentence.encode("utf-16-le")) // 2
            code = gid(100 + rng.randrange(len(CODES)))
            sels.append(
                f'<PlainTextSelection guid="{gid(10_000_000 + k * 1000 + j)}" name={quoteattr(sentence)} '
                f'startPosition="{at}" endPosition="{end}"><Coding guid="{gid(20_000_000 + k * 1000 + j)}">'
                f'<CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>'
            )
        src, copy = gid(1_000_000 + k), gid(2_000_000 + k)
        source_xml.append(
            f'<TextSource guid="{src}" name="Interview {k}.txt" plainTextPath="internal://{src}.txt">{"".join(sels)}</TextSource>'
        )
        members[f"sources/{src}.txt"] = text.encode("utf-8")
        ref = src
        if k % 2:  # QualCoder: the link names the stored copy
            members[f"sources/{copy}.txt"] = text.encode("utf-8")
            ref = copy
        case_xml.append(
            f'<Case guid="{gid(3_000_000 + k)}" name="Site {k:04d}"><VariableValue><VariableRef targetGUID="{gid(90)}"/>'
            f'<FloatValue>{rng.random():.3f}</FloatValue></VariableValue><SourceRef targetGUID="{ref}"/></Case>'
        )
    qde = (
        '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="bench" '
        f'origin="QualCoder 4.0"><CodeBook><Codes>{codes}</Codes></CodeBook><Variables>{var}</Variables>'
        f"<Cases>{''.join(case_xml)}</Cases><Sources>{''.join(source_xml)}</Sources></Project>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", qde)
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=2000)
    ap.add_argument("--selections", type=int, default=10)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = project(root / "bench.qdpx", args.cases, args.selections)
        print(f"project: {args.cases} cases, {args.cases * args.selections} selections, {path.stat().st_size:,} bytes")
        imports, exports = [], []
        for run in range(args.runs):
            dest = root / f"study{run}"
            imports.append(timed(lambda d=dest: import_qdpx(path, d)))
            study = load_study(dest)
            exports.append(timed(lambda s=study, r=run: export_qdpx(s, root / f"out{r}.qdpx", include_evidence=True)))
        print(f"made: {len(study.sites)} sites, {len(study.evidence)} evidence excerpts")
        for name, times in (("import", imports), ("export --include-evidence", exports)):
            print(f"{name}: min {min(times):.2f} s, median {statistics.median(times):.2f} s, max {max(times):.2f} s")


if __name__ == "__main__":
    main()
