"""The headless commands that read a study and print: summary, validate, themes, example."""

from __future__ import annotations

import sys
from pathlib import Path

from tui.core.errors import UsageError
from tui.core.output import quiet_stdout
from tui.core.study import comparison_for


def summary(args) -> int:
    from tui.headless.render import RENDERERS

    _, comparison = comparison_for(args)
    sys.stdout.write(RENDERERS[args.format](comparison))
    return 0


def validate(args) -> int:
    from cases.errors import StudyError
    from cases.escape import clean
    from cases.loader import load_study

    try:
        study = load_study(Path(args.study))
    except StudyError as exc:
        try:
            for p in exc.problems:
                print(clean(p))  # one line per problem, control characters from data made visible
            print(f"{len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''} found")
        except BrokenPipeError:
            quiet_stdout()  # `validate | head`: the reader left, the verdict stands
        return 2
    derived = sum(1 for m in study.metrics.values() if m.derive)
    rated = len(study.rated_themes())
    print(
        f'ok: "{clean(study.title)}": {len(study.sites)} sites, {len(study.metrics)} metrics'
        f" ({derived} derived from contacts), {rated} themes rated ({len(study.ratings)} ratings)"
        f"{', synthetic' if study.synthetic else ''}; outcome {clean(study.outcome.metric)} by {study.outcome.split}"
    )
    for note in study.notes:  # how cells were read (not problems): "0 (mixed)" as X, a dropped suffix
        print(f"note: {clean(note)}")
    return 0


def themes(args) -> int:
    from cases.catalogue import load_catalogue
    from cases.escape import clean

    cat = load_catalogue()
    if args.format == "json":
        import json

        data = {
            "sources": [{"key": s.key, "doi": s.doi, "title": s.title, "citation": s.citation} for s in cat.sources],
            "themes": [
                {
                    k: v
                    for k, v in {
                        "id": t.id,
                        "title": t.title,
                        "kind": t.kind,
                        "influence": t.influence,
                        "domain": t.domain,
                        "construct": t.construct,
                        "parent": t.parent,
                        "summary": t.summary,
                        "sources": list(t.sources),
                    }.items()
                    if v is not None
                }
                for t in cat.themes
            ],
        }
        from cases.escape import escape_serialised

        print(escape_serialised(json.dumps(data, indent=2, ensure_ascii=False)))
        return 0
    kinds = {
        "literature": "Themes reported by the seed papers",
        "cfir2009": "CFIR (2009) constructs",
        "cfir2": "CFIR 2.0 constructs",
    }
    for kind, heading in kinds.items():
        print(f"{heading}\n")
        for t in (t for t in cat.themes if t.kind == kind):
            indent = "    " if t.parent else "  "
            where = " / ".join(x for x in (t.domain, t.construct if t.construct != t.title else None) if x)
            print(f"{indent}{clean(t.id)}: {clean(t.title)}" + (f"  [{clean(t.influence)}]" if t.influence else ""))
            if kind == "literature":
                print(f"{indent}    {clean(t.summary)}")
                print(f"{indent}    CFIR: {clean(where) or '-'}; sources: {clean('; '.join(t.sources))}")
        print()
    return 0


def example(args) -> int:
    import shutil

    from cases.catalogue import example_dir

    target = Path(args.dir)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"{target}: not an empty folder; crosscase example writes only into a new or empty folder")
    try:
        target.mkdir(parents=True, exist_ok=True)
        for src in sorted(example_dir().iterdir()):
            if src.suffix in (".toml", ".csv"):
                shutil.copyfile(src, target / src.name)
        raters = example_dir() / "ratings"  # the example's two rater files
        if raters.is_dir():
            (target / "ratings").mkdir(exist_ok=True)
            for src in sorted(raters.glob("*.csv")):
                shutil.copyfile(src, target / "ratings" / src.name)
    except OSError as exc:
        raise UsageError(f"{target}: cannot write the example: {exc.strerror or exc}") from None
    print(f"wrote the example study to {target}; try: crosscase validate {target}")
    return 0
