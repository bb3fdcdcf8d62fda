"""The per-theme pass of a comparison, for large studies: valence summaries by matrix, ratings lazily.

A study of 2,000 sites and 50 themes holds 100,000 ratings; walking them on every change of split
takes ~80 ms in Python. Here the valences sit in a (themes x sites) matrix built once per study,
each group's count, sum, min and max come from a few numpy reductions, and each group's list of
(site, token) pairs is built only when something reads it (the dashboard reads a screenful).
The small-study path in metrics.compare gives exactly the same results (tests check both).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice


class LazyRatings(Sequence):
    """A group's (site, token) pairs in sites-file order, built on first full use; equal to a tuple.

    ``sites`` are the group's sites in sites-file order and ``tokens`` the theme's site -> token,
    so reading the first k pairs walks the group only as far as it needs to.
    """

    __slots__ = ("_items", "_sites", "_tokens")

    def __init__(self, sites, tokens) -> None:
        self._sites = sites
        self._tokens = tokens
        self._items: tuple | None = None

    def _pairs(self):
        tokens = self._tokens
        return ((site, tokens[site]) for site in self._sites if site in tokens)

    def _all(self) -> tuple:
        if self._items is None:
            self._items = tuple(self._pairs())
        return self._items

    def __getitem__(self, index):
        if (
            self._items is None
            and isinstance(index, slice)
            and index.step in (None, 1)
            and index.start in (None, 0)
            and index.stop is not None
            and index.stop >= 0
        ):
            return tuple(islice(self._pairs(), index.stop))
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self):
        return iter(self._all())

    def __eq__(self, other) -> bool:
        if isinstance(other, LazyRatings | tuple | list):
            return self._all() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._all())

    def __repr__(self) -> str:
        return f"LazyRatings({self._all()!r})"


def _matrix(study):
    """(theme ids, site -> column, valence matrix with NaN where there is no valence), once per study."""
    import numpy as np

    cached = study.__dict__.get("_valence_matrix")
    if cached is not None:
        return cached
    sites = [s.id for s in study.sites]
    position = {s: i for i, s in enumerate(sites)}
    themes = [t.id for t in study.rated_themes()]
    values = np.full((len(themes), len(sites)), np.nan)
    entries = study.rating_entries
    for row, theme in enumerate(themes):
        for site, _token, valence in entries[theme]:
            if valence is not None and site in position:
                values[row, position[site]] = valence
    result = (themes, position, values)
    study.__dict__["_valence_matrix"] = result  # cached per study object (frozen dataclass)
    return result


def summaries(study, split, groups=("high", "low", "middle")):
    """{group: (counts, sums, mins, maxs, hist)} arrays over the rated themes, for the split's groups;
    ``hist`` is (themes x 5): how many ratings of each valence -2..+2 (the ``share`` rule reads it)."""
    import numpy as np

    themes, position, values = _matrix(study)
    out = {}
    for g in groups:
        idx = np.fromiter((position[s] for s in getattr(split, g) if s in position), dtype=np.intp)
        sub = values[:, idx]
        present = ~np.isnan(sub)
        counts = present.sum(axis=1)
        sums = np.where(present, sub, 0.0).sum(axis=1)
        mins = np.where(present, sub, np.inf).min(axis=1, initial=np.inf)
        maxs = np.where(present, sub, -np.inf).max(axis=1, initial=-np.inf)
        hist = np.stack([(sub == v).sum(axis=1) for v in (-2, -1, 0, 1, 2)], axis=1)
        out[g] = (counts, sums, mins, maxs, hist)
    return themes, out


def hist_of(hist_row) -> tuple[int, ...] | None:
    """One theme's row of ``summaries``' hist, as Summary.hist."""
    return tuple(int(c) for c in hist_row)


def theme_result(
    theme,
    groups,
    rule,
    described: str,
    high,
    low,
    published: str | None = None,
    judgement: tuple[str, str | None] | None = None,
):
    """One ThemeResult: ``groups`` the ThemeGroups, ``high``/``low`` their valence Summaries (None = no
    valence rating); the rule's label with what it looked at (diff, gap, the threshold met) and the
    authors' published judgement, when the study records one, and the analyst's (label, reason) from
    judgements.csv. Both theme passes build it here."""
    from metrics.distinguishing import assess_summaries
    from metrics.results import ThemeResult

    a = assess_summaries(rule, high, low)
    return ThemeResult(
        theme.id,
        theme.title,
        theme.domain,
        groups["high"],
        groups["low"],
        groups["middle"],
        a.label,
        a.direction,
        described,
        diff=a.diff,
        gap=a.gap,
        met=a.met,
        published=published,
        judgement=None if judgement is None else judgement[0],
        judgement_reason=None if judgement is None else judgement[1],
    )


def published_of(study) -> dict:
    """theme id -> the authors' own judgement (ratings-wide.csv's ``distinguishing`` column)."""
    return getattr(study, "published", None) or {}
