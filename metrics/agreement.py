"""How far the raters agree, before consensus (analysis.md section 2, ``crosscase agreement``).

Definitions, as the contract states them:

- a *unit* is a (site, theme) pair that at least one rater rated (has a row for); a rater's *value*
  for a unit is its valence (-2..+2), any other token or no row is no value; a unit is *pairable*
  when at least two raters gave it a value;
- Krippendorff's alpha over the pairable units, from the coincidence matrix (Krippendorff 2011,
  "Computing Krippendorff's alpha-reliability", sections C and E): a pairable unit u with m_u values
  adds 1/(m_u - 1) to o_ck for every ordered pair of values (c, k) of two different raters;
  n_c = sum_k o_ck, n = sum_c n_c, and

      alpha = 1 - (n - 1) * sum_ck o_ck d2_ck / sum_ck n_c n_k d2_ck

  with d2 the difference function: nominal 0 / 1; interval (c - k)^2; ordinal, from the marginal
  frequencies, (sum_{g from c to k} n_g - (n_c + n_k) / 2)^2. ``None`` when fewer than two values
  occur or the expected disagreement is 0. Computed in exact fractions, then rounded once;
- ``exact``: the share of pairable units whose values are all equal; ``within_one``: whose largest
  and smallest value differ by at most 1 (``None`` without a pairable unit);
- with exactly two raters, also Cohen's weighted kappa with quadratic weights (``kappa_quadratic``,
  weights (i - j)^2) over the units both raters gave a value: 1 - N sum_u (a_u - b_u)^2 /
  sum_u sum_v (a_u - b_v)^2. It is an addition to the contract's figures, named by its weights.

Disagreements: every unit where the raters' canonical tokens differ (a rater without a row counts as
the token ``absent``), with the consensus token from the study's ratings (``None`` when it has none),
sorted by theme (the summary's theme order) then site (sites-file order).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from cases.model import Rating
from cases.tokens import VALENCE_OF
from metrics.numbers import plain

ABSENT = "absent"
METRICS = ("nominal", "ordinal", "interval")
RELIABLE, TENTATIVE = 0.8, 0.667  # Krippendorff (2004, 2011): rely on >= .800; tentative >= .667


class TooFewRaters(ValueError):
    """Agreement needs two rater files or more."""


# --- Krippendorff's alpha from the coincidence matrix --------------------------------------------


def coincidences(units: Iterable[Sequence[int]]) -> dict[tuple[int, int], Fraction]:
    """The coincidence matrix o_ck of the pairable units (a unit with fewer than two values adds nothing)."""
    by_m: dict[int, dict[tuple[int, int], int]] = {}  # integer pair counts by m_u, weighted once at the end
    for values in units:
        m = len(values)
        if m < 2:
            continue
        counts: dict[int, int] = {}
        for v in values:
            counts[v] = counts.get(v, 0) + 1
        pairs = by_m.setdefault(m, {})
        for c, nc in counts.items():
            for k, nk in counts.items():
                n = nc * (nc - 1) if c == k else nc * nk
                if n:
                    pairs[(c, k)] = pairs.get((c, k), 0) + n
    o: dict[tuple[int, int], Fraction] = {}
    for m, pairs in sorted(by_m.items()):
        for ck, n in pairs.items():
            o[ck] = o.get(ck, 0) + Fraction(n, m - 1)
    return o


def _differences(metric: str, marginals: dict[int, Fraction]) -> Callable[[int, int], Fraction]:
    if metric == "nominal":
        return lambda c, k: Fraction(int(c != k))
    if metric == "interval":
        return lambda c, k: Fraction((c - k) ** 2)
    if metric == "ordinal":
        ranked = sorted(marginals)

        def ordinal(c: int, k: int) -> Fraction:
            lo, hi = min(c, k), max(c, k)
            between = sum((marginals[g] for g in ranked if lo <= g <= hi), Fraction(0))
            return (between - (marginals[c] + marginals[k]) / 2) ** 2

        return ordinal
    raise ValueError(f"unknown metric {metric!r} (one of {', '.join(METRICS)})")


def alpha_from(o: Mapping[tuple[int, int], Fraction], metric: str) -> Fraction | None:
    """Krippendorff's alpha of a coincidence matrix with the ``metric`` difference function."""
    marginals: dict[int, Fraction] = {}
    for (c, _k), v in o.items():
        marginals[c] = marginals.get(c, 0) + v
    n = sum(marginals.values(), Fraction(0))
    if len(marginals) < 2:
        return None
    d2 = _differences(metric, marginals)
    observed = sum((v * d2(c, k) for (c, k), v in o.items()), Fraction(0))
    expected = sum((marginals[c] * marginals[k] * d2(c, k) for c in marginals for k in marginals), Fraction(0))
    if expected == 0:
        return None
    return 1 - (n - 1) * observed / expected


def alpha(units: Iterable[Sequence[int]], metric: str) -> float | None:
    """Krippendorff's alpha of ``units`` (each the values the raters gave it; missing values left out)."""
    found = alpha_from(coincidences(units), metric)
    return None if found is None else float(found)


def kappa_quadratic(pairs: Sequence[tuple[int, int]]) -> float | None:
    """Cohen's weighted kappa with quadratic weights of two raters' values ``(a, b)`` per unit."""
    if not pairs:
        return None
    observed = sum((a - b) ** 2 for a, b in pairs)
    n = len(pairs)
    sum_a, sum_b = sum(a for a, _ in pairs), sum(b for _, b in pairs)
    # sum over every (u, v) of (a_u - b_v)^2, without the N^2 loop
    expected = n * sum(a * a for a, _ in pairs) + n * sum(b * b for _, b in pairs) - 2 * sum_a * sum_b
    if expected == 0:
        return None
    return float(1 - Fraction(len(pairs) * observed, expected))


# --- the figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    units: int
    pairable: int
    alpha_nominal: float | None
    alpha_ordinal: float | None
    alpha_interval: float | None
    exact: float | None
    within_one: float | None
    kappa_quadratic: float | None = None  # only with exactly two raters (see ``two``)
    two: bool = False

    def to_dict(self) -> dict:
        from metrics.numbers import num

        out = {
            "units": self.units,
            "pairable": self.pairable,
            "alpha_nominal": num(self.alpha_nominal),
            "alpha_ordinal": num(self.alpha_ordinal),
            "alpha_interval": num(self.alpha_interval),
            "exact": num(self.exact),
            "within_one": num(self.within_one),
        }
        if self.two:
            out["kappa_quadratic"] = num(self.kappa_quadratic)
        return out


@dataclass(frozen=True)
class ThemeFigures:
    theme: str
    figures: Figures

    def to_dict(self) -> dict:
        return {"theme": self.theme, **self.figures.to_dict()}


@dataclass(frozen=True)
class Disagreement:
    site: str
    theme: str
    ratings: tuple[tuple[str, str], ...]  # (rater, canonical token or "absent"), in rater order
    consensus: str | None

    def to_dict(self) -> dict:
        return {"site": self.site, "theme": self.theme, "ratings": dict(self.ratings), "consensus": self.consensus}


def figures(unit_tokens: Sequence[Sequence[str]], two: bool = False) -> Figures:
    """The figures of some units, each given as its raters' tokens (``absent`` for no row), in rater order."""
    values = [[VALENCE_OF[t] for t in tokens if t in VALENCE_OF] for tokens in unit_tokens]
    pairable = [v for v in values if len(v) >= 2]
    o = coincidences(pairable)
    alphas = {m: alpha_from(o, m) for m in METRICS}
    share = (lambda hits: Fraction(hits, len(pairable))) if pairable else (lambda hits: None)
    exact = share(sum(1 for v in pairable if max(v) == min(v)))
    within = share(sum(1 for v in pairable if max(v) - min(v) <= 1))
    kappa = None
    if two:
        pairs = [(VALENCE_OF[a], VALENCE_OF[b]) for a, b in unit_tokens if a in VALENCE_OF and b in VALENCE_OF]
        kappa = kappa_quadratic(pairs)
    as_float = lambda x: None if x is None else float(x)  # noqa: E731
    return Figures(
        len(unit_tokens),
        len(pairable),
        as_float(alphas["nominal"]),
        as_float(alphas["ordinal"]),
        as_float(alphas["interval"]),
        as_float(exact),
        as_float(within),
        kappa,
        two,
    )


@dataclass(frozen=True)
class Agreement:
    raters: tuple[str, ...]
    overall: Figures
    themes: tuple[ThemeFigures, ...]
    disagreements: tuple[Disagreement, ...]
    pseudonymised: bool = False

    def to_dict(self) -> dict:
        """The JSON object of ``crosscase agreement --format json`` (analysis.md section 2)."""
        return {
            "raters": list(self.raters),
            "overall": self.overall.to_dict(),
            "themes": [t.to_dict() for t in self.themes],
            "disagreements": [d.to_dict() for d in self.disagreements],
        }

    def text_lines(self, clean: Callable[[object], str]) -> list[str]:
        """The text form for people. ``clean`` shows text from data literally (``cases.escape.clean``:
        metrics never imports tui); site and theme ids go through it."""
        o = self.overall
        lines = [
            f"Agreement of {len(self.raters)} raters ({', '.join(clean(r) for r in self.raters)}), before consensus"
        ]
        lines.append(
            f"  {o.units} units (site and theme rated by at least one rater), {o.pairable} pairable "
            "(a valence from at least two raters)"
        )
        lines.append(
            f"  Krippendorff's alpha: ordinal {_fig(o.alpha_ordinal)}, interval {_fig(o.alpha_interval)}, "
            f"nominal {_fig(o.alpha_nominal)}"
        )
        lines.append(f"  exact agreement {_pct(o.exact)} of the pairable units, within one point {_pct(o.within_one)}")
        if o.two:
            lines.append(
                f"  weighted kappa (Cohen, quadratic weights (i - j)^2, {clean(self.raters[0])} and "
                f"{clean(self.raters[1])}): {_fig(o.kappa_quadratic)}"
            )
        lines.append("  How to read alpha: 1 is perfect agreement, 0 is what chance gives. Krippendorff: rely on")
        lines.append("  ratings with alpha >= 0.800; from 0.667 to 0.800 draw tentative conclusions only; below")
        lines.append("  0.667 the ratings are not reliable. The ratings are ordered (-2..+2): read the ordinal alpha.")
        lines.append(f"  Here: {verdict(o.alpha_ordinal)}")
        width = max([len("theme"), *(len(clean(t.theme)) for t in self.themes)])
        if self.themes:
            lines.append("")
            lines.append("By theme")
            lines.append(f"  {'theme':<{width}}  units  pairable  ordinal  interval  nominal  exact  within one")
            for t in self.themes:
                f = t.figures
                lines.append(
                    f"  {clean(t.theme):<{width}}  {f.units:>5}  {f.pairable:>8}  {_fig(f.alpha_ordinal):>7}  "
                    f"{_fig(f.alpha_interval):>8}  {_fig(f.alpha_nominal):>7}  {_pct(f.exact):>5}  {_pct(f.within_one):>10}"
                )
        lines.append("")
        lines.append(
            f'Disagreements ({len(self.disagreements)}): each rater\'s token; "absent" = no row; '
            "consensus = the study's ratings"
        )
        if not self.disagreements:
            lines.append("  (none: every unit has the same token from every rater)")
        for d in self.disagreements:
            tokens = ", ".join(f"{clean(r)} {t}" for r, t in d.ratings)
            lines.append(
                f"  {clean(d.theme):<{width}}  {clean(d.site)}: {tokens}; consensus "
                f"{d.consensus if d.consensus is not None else '(none yet)'}"
            )
        return lines


def verdict(value: float | None) -> str:
    if value is None:
        return "alpha is undefined (fewer than two different values among the pairable units)"
    if value >= RELIABLE:
        return f"ordinal alpha {_fig(value)} >= 0.800: reliable"
    if value >= TENTATIVE:
        return f"ordinal alpha {_fig(value)} is between 0.667 and 0.800: tentative conclusions only"
    return f"ordinal alpha {_fig(value)} < 0.667: not reliable; discuss the rating rules before the consensus"


def _fig(x: float | None) -> str:
    return plain(x, 3)


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


# --- from rater files to the figures -------------------------------------------------------------


def agreement(
    raters: Mapping[str, Sequence[Rating]],
    theme_order: Sequence[str] = (),
    site_order: Sequence[str] = (),
    consensus: Mapping[tuple[str, str], str] | None = None,
    names: Mapping[str, str] | None = None,
) -> Agreement:
    """The agreement of ``raters`` (rater -> ratings).

    ``theme_order``: the summary's theme order (the study's own themes, then the catalogue's);
    ``site_order``: the sites-file order; a theme or site not in them comes after, by id.
    ``consensus``: (site, theme) -> canonical token of the study's ratings. ``names``: site id ->
    the name shown (pseudonyms); ids not in it are shown as they are.
    """
    if len(raters) < 2:
        raise TooFewRaters(f"agreement needs at least two rater files (ratings/RATER.csv); the study has {len(raters)}")
    order = tuple(sorted(raters, key=lambda r: (r.casefold(), r)))
    consensus = consensus or {}
    names = names or {}
    tokens: dict[tuple[str, str], dict[str, str]] = {}
    for rater in order:
        for r in raters[rater]:
            tokens.setdefault((r.site, r.theme), {})[rater] = r.token
    theme_ix = {t: i for i, t in enumerate(theme_order)}
    site_ix = {s: i for i, s in enumerate(site_order)}
    unit_key = lambda u: (theme_ix.get(u[1], len(theme_ix)), u[1], site_ix.get(u[0], len(site_ix)), u[0])  # noqa: E731
    units = sorted(tokens, key=unit_key)
    row = {u: tuple(tokens[u].get(r, ABSENT) for r in order) for u in units}
    two = len(order) == 2
    overall = figures([row[u] for u in units], two)
    by_theme: dict[str, list[tuple[str, ...]]] = {}
    for u in units:
        by_theme.setdefault(u[1], []).append(row[u])
    themes = tuple(ThemeFigures(t, figures(rows, two)) for t, rows in by_theme.items())
    disagreements = tuple(
        Disagreement(names.get(u[0], u[0]), u[1], tuple(zip(order, row[u])), consensus.get(u))
        for u in units
        if len(set(row[u])) > 1
    )
    return Agreement(order, overall, themes, disagreements, bool(names))


def study_agreement(study, raters, pseudonymise: bool = False) -> Agreement:
    """The agreement of a loaded study's rater files (``cases.raters.Raters``); with ``pseudonymise``
    the sites are named Site A, Site B, ... as in every other output (metrics.pseudonyms)."""
    names = None
    if pseudonymise:
        from metrics.pseudonyms import pseudonym_map

        names = pseudonym_map(study)
    ratings = raters.ratings if hasattr(raters, "ratings") else raters
    return agreement(
        ratings,
        list(study.themes),
        [s.id for s in study.sites],
        {(r.site, r.theme): r.token for r in study.ratings},
        names,
    )
