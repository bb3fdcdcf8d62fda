"""Disclosure control: replace every site id and label with a stable pseudonym (Site A, Site B, ...).

Pseudonyms follow the order of the sites file: A..Z, then AA, AB, ... as spreadsheet columns are
named. Evidence memos may name places or people, so a pseudonymised study carries no evidence.
"""

from __future__ import annotations

from dataclasses import replace

from cases.model import Study


def letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA, ... (bijective base 26)."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(ord("A") + rem) + out
    return out


def pseudonym_map(study: Study) -> dict[str, str]:
    return {s.id: f"Site {letters(i)}" for i, s in enumerate(study.sites)}


def pseudonymise(study: Study, options):
    """The study (and options) with every site renamed; returns (study, options)."""
    names = pseudonym_map(study)
    sites = tuple(replace(s, id=names[s.id], label=names[s.id]) for s in study.sites)
    ratings = tuple(replace(r, site=names[r.site], evidence=None) for r in study.ratings)

    def rename(outcome):
        if outcome is None:
            return None
        return replace(
            outcome, high=tuple(names.get(s, s) for s in outcome.high), low=tuple(names.get(s, s) for s in outcome.low)
        )

    # excerpts and the reasons of judgements are evidence too (they may name places or people)
    judgements = {t: (label, None) for t, (label, _reason) in (getattr(study, "judgements", None) or {}).items()}
    study = replace(
        study, sites=sites, ratings=ratings, outcome=rename(study.outcome), evidence=(), judgements=judgements
    )
    options = replace(options, outcome=rename(options.outcome))
    return study, options
