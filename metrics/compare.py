"""The Comparison: one pure function from a loaded Study (and options) to a plain result object.

The headless summary, the snapshot and the dashboard all render this object, so they cannot
disagree. Definitions follow interfaces.md to the letter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import overload

from cases.model import COMPARED, PLACED, Disclosure, Metric, Outcome, Study, count_limits, is_number
from cases.rules import Rule, make_rule
from metrics import stats
from metrics.parts import GroupFigures, MetricResult, ThemeGroup
from metrics.results import Comparison, Options
from metrics.splits import Split, split_sites, threshold_problem, withhold_cut

SMALL_GROUP = 5


def resolve(study: Study, options: Options) -> tuple[Outcome, Rule, Disclosure]:
    outcome = options.outcome or study.outcome
    rule = options.rule or make_rule(study.distinguishing.name, dict(study.distinguishing.params))
    return outcome, rule, options.disclosure or study.disclosure


def check_outcome(study: Study, outcome: Outcome, disclosure: Disclosure | None = None) -> list[str]:
    """Problems with an overridden outcome (an unknown metric, a missing option, a threshold on a
    count below ``min_count``; ``disclosure`` defaults to the study's)."""
    problems = []
    if outcome.metric not in study.metrics:
        problems.append(f'outcome: "{outcome.metric}" is not a metric of the study')
    if outcome.split == "threshold" and outcome.threshold is None:
        problems.append("a threshold split needs a threshold (a number)")
    limit = count_limits(study, [outcome.metric], disclosure or study.disclosure).get(outcome.metric)
    if (problem := threshold_problem(outcome, limit)) is not None:
        problems.append(problem)
    if outcome.split == "quadrants":
        if outcome.second is None:
            problems.append("a quadrants split needs a second metric")
        elif outcome.second not in study.metrics:
            problems.append(f'second metric: "{outcome.second}" is not a metric of the study')
        elif outcome.second == outcome.metric:
            problems.append("the second metric must be another metric than the outcome")
    if outcome.split == "explicit":
        ids = {s.id for s in study.sites}
        for s in (*outcome.high, *outcome.low):
            if s not in ids:
                problems.append(f'explicit split: "{s}" is not a site of the study')
        for s in sorted(set(outcome.high) & set(outcome.low)):
            problems.append(f'explicit split: "{s}" is in both high and low')
    return problems


def compare(study: Study, options: Options = Options(), previous: Comparison | None = None) -> Comparison:
    """Compare the high and low sites of ``study``; raise ValueError on an unusable outcome.

    ``previous``, a comparison of the same study, lends its figures that do not depend on the
    split (each metric's Spearman's rho with the outcome, when the outcome metric is the same), so
    that a change of split rule or threshold does not rank every site again.
    """
    outcome, rule, disclosure = resolve(study, options)
    problems = check_outcome(study, outcome, disclosure)
    if problems:
        raise ValueError("\n".join(problems))
    order = [s.id for s in study.sites]
    column = study.column
    second = column(outcome.second) if outcome.second else None
    split = split_sites(order, outcome, column(outcome.metric), second)
    limits = count_limits(
        study,
        [outcome.metric, *([outcome.second] if outcome.split == "quadrants" and outcome.second is not None else [])],
        disclosure,
    )
    split = withhold_cut(split, limits, column(outcome.metric), second)
    warnings = _group_warnings(split) + disclosure_warnings(study, split, outcome, disclosure)
    skip = {outcome.metric, outcome.second if outcome.split == "quadrants" else None}
    outcome_values = column(outcome.metric)
    known_rho = {}
    if previous is not None and previous.fingerprint == study.fingerprint and previous.split.outcome == outcome.metric:
        known_rho = {m.metric: m.spearman_with_outcome for m in previous.metrics if not m.suppressed}
    metrics = []
    for key, metric in study.metrics.items():
        if key in skip:
            continue
        result, notes = metric_result(
            metric,
            column(key),
            outcome_values,
            split,
            disclosure,
            options.permutations,
            rho=known_rho.get(key, _UNKNOWN),
        )
        metrics.append(result)
        warnings.extend(notes)
    themes = tuple(theme_results(study, split, rule))
    return Comparison(
        title=study.title,
        synthetic=study.synthetic,
        fingerprint=study.fingerprint,
        folder=study.name,
        split=split,
        rule=rule,
        disclosure=disclosure,
        metrics=tuple(metrics),
        themes=themes,
        warnings=tuple(warnings),
        labels={s.id: s.label for s in study.sites},
    )


def disclosure_warnings(study: Study, split: Split, outcome: Outcome, disclosure: Disclosure) -> list[str]:
    """What disclosure control left out of the split, the sensitivity table and the configurations."""
    notes = []
    limit = disclosure.min_count
    for key in split.withheld:
        notes.append(f"{key}: the split's cut is withheld: it would reveal counts below {limit} (disclosure control)")
    if outcome.metric in count_limits(study, [outcome.metric], disclosure):
        values = [v for v in study.column(outcome.metric).values() if v is not None]
        if values and min(values) < limit and max(values) > min(values):
            notes.append(
                f"{outcome.metric}: the sensitivity cuts next to counts below {limit} are withheld (disclosure control)"
            )
    from metrics.configurations import withheld_condition

    for condition in study.conditions:
        if withheld_condition(condition, study, disclosure):
            notes.append(
                f'condition "{condition.name}": left out of the configuration table: its bound on '
                f"{condition.metric}, a count, would show which sites have fewer than {limit} "
                "(disclosure control)"
            )
    return notes


def _group_warnings(split: Split) -> list[str]:
    warnings = []
    for name in COMPARED:
        if not getattr(split, name):
            warnings.append(f"the {name} group is empty: its figures are null")
    if len(split.high) < SMALL_GROUP or len(split.low) < SMALL_GROUP:
        warnings.append(
            f"small groups ({len(split.high)} high, {len(split.low)} low): the figures describe these sites "
            "and do not generalise"
        )
    return warnings


def _figures(sites: tuple[str, ...], values: Mapping[str, float | None]) -> tuple[GroupFigures, list[float]]:
    present = [v for s in sites if (v := values.get(s)) is not None]
    d = stats.describe(present)
    return GroupFigures(d.n, d.mean, d.median, d.min, d.max, tuple((s, values.get(s)) for s in sites)), present


_UNKNOWN = object()


def metric_result(
    metric: Metric,
    values: Mapping[str, float | None],
    outcome_values: Mapping[str, float | None],
    split: Split,
    disclosure: Disclosure,
    permutations: bool = True,
    rho=_UNKNOWN,
) -> tuple[MetricResult, list[str]]:
    """One metric's figures; ``rho``, when known, is its Spearman's rho with the outcome over every site."""
    high, h = _figures(split.high, values)
    low, lo = _figures(split.low, values)
    notes: list[str] = []
    suppressed = False
    if metric.count and disclosure.min_count > 0:
        small = [s for s in (*split.high, *split.low) if (v := values.get(s)) is not None and v < disclosure.min_count]
        if small:
            suppressed = True
            high, low = _suppress(high, disclosure.min_count), _suppress(low, disclosure.min_count)
            notes.append(
                f"{metric.key}: counts below {disclosure.min_count} are shown as <{disclosure.min_count}; "
                "the group figures, differences and effect sizes are withheld (disclosure control)"
            )
    figures: dict[str, float | None]
    perm: stats.Permutation | None
    if suppressed:
        figures = dict(mean_difference=None, median_difference=None, hedges_g=None, cliffs_delta=None)
        perm = stats.Permutation(None, True, 0, None)
    else:
        figures = dict(
            mean_difference=stats.mean_difference(h, lo),
            median_difference=stats.median_difference(h, lo),
            hedges_g=stats.hedges_g(h, lo),
            cliffs_delta=stats.cliffs_delta(h, lo),
        )
        # p is null exactly when a group has no value, so only a computable p is ever left pending
        perm = stats.permutation_test(h, lo) if (permutations or not h or not lo) else None
        notes.extend(_null_notes(metric.key, figures, perm, len(h), len(lo)))
    if suppressed:
        rho = None
    elif rho is _UNKNOWN:
        rho = spearman_with(values, outcome_values)
    if rho is None and not suppressed:
        notes.append(
            f"{metric.key}: spearman_with_outcome is null: fewer than 3 sites have both values, or one is constant"
        )
    result = MetricResult(
        metric.key,
        metric.label,
        metric.unit,
        metric.higher_is_better,
        metric.count,
        high,
        low,
        permutation=perm,
        spearman_with_outcome=rho,
        suppressed=suppressed,
        **figures,
    )
    return result, notes


def spearman_with(values: Mapping[str, float | None], outcome_values: Mapping[str, float | None]) -> float | None:
    """Spearman's rho over every site that has both values (middle sites included)."""
    both = [(v, o) for s, v in values.items() if v is not None and (o := outcome_values.get(s)) is not None]
    return stats.spearman([a for a, _ in both], [b for _, b in both])


def shown(value: float | str | None, min_count: int) -> float | str | None:
    """A count as disclosure control lets it be shown: below ``min_count`` (when above 0) it is
    "<min_count"; anything else as it is. The one display rule: the group figures and the screens."""
    return f"<{min_count}" if min_count > 0 and is_number(value) and value < min_count else value


def shown_value(
    study: Study | None, metric_key: str, value: float | str | None, disclosure: Disclosure | None
) -> float | str | None:
    """A site's value of one metric as it may be shown (``shown`` for a count metric; other values as is)."""
    metric = study.metrics.get(metric_key) if study is not None else None
    if metric is None or not metric.count:
        return value
    return shown(value, getattr(disclosure, "min_count", 0) or 0)


def _suppress(group: GroupFigures, min_count: int) -> GroupFigures:
    values = tuple((s, shown(v, min_count)) for s, v in group.values)
    return GroupFigures(group.n, None, None, None, None, values)


def _null_notes(key: str, figures: dict, perm, n_high: int, n_low: int) -> list[str]:
    notes = []
    empty = "a group has no value" if (n_high == 0 or n_low == 0) else None
    for name in ("mean_difference", "median_difference", "cliffs_delta"):
        if figures[name] is None:
            notes.append(f"{key}: {name} is null: {empty}")
    if figures["hedges_g"] is None:
        why = "a group has fewer than 2 values" if min(n_high, n_low) < 2 else "every value within each group is equal"
        notes.append(f"{key}: hedges_g is null: {why}")
    if perm is not None and perm.p is None:
        notes.append(f"{key}: p_permutation is null: {empty}")
    return notes


@overload
def fill_permutations(comparison: Comparison, cancelled: None = None) -> Comparison: ...
@overload
def fill_permutations(comparison: Comparison, cancelled: Callable[[], bool]) -> Comparison | None: ...
def fill_permutations(comparison: Comparison, cancelled: Callable[[], bool] | None = None) -> Comparison | None:
    """The same comparison with every pending permutation p-value computed.

    ``cancelled``, when given, is asked before each metric; once it says True the work stops and
    None is returned (the dashboard drops p-values of a split the user has already left).
    """
    metrics = []
    for m in comparison.metrics:
        if m.permutation is None and cancelled is not None and cancelled():
            return None
        if m.permutation is None:
            h = [v for _, v in m.high.values if is_number(v)]
            lo = [v for _, v in m.low.values if is_number(v)]
            m = replace(m, permutation=stats.permutation_test(h, lo))
        metrics.append(m)
    return replace(comparison, metrics=tuple(metrics))


LARGE_THEME_PASS = 20_000  # ratings from which the theme pass runs on numpy (metrics.themepass)


def theme_results(study: Study, split: Split, rule: Rule):
    """Per rated theme: each group's ratings (sites-file order), valence mean and the rule's label."""
    if len(study.ratings) >= LARGE_THEME_PASS:
        yield from _theme_results_large(study, split, rule)
        return
    from metrics.distinguishing import Summary
    from metrics.themepass import published_of, theme_result

    group_of = split.group_of
    described = rule.describe()
    entries = study.rating_entries
    published = published_of(study)
    judgements = getattr(study, "judgements", None) or {}
    for theme in study.rated_themes():
        ratings: dict[str, list[tuple[str, str]]] = {g: [] for g in PLACED}
        valences: dict[str, list[int]] = {g: [] for g in PLACED}
        for site, token, valence in entries[theme.id]:
            group = group_of(site)
            if group in ratings:
                ratings[group].append((site, token))
                if valence is not None:
                    valences[group].append(valence)
        groups = {g: ThemeGroup(len(v), sum(v) / len(v) if v else None, tuple(ratings[g])) for g, v in valences.items()}
        yield theme_result(
            theme,
            groups,
            rule,
            described,
            Summary.of(valences["high"]) if valences["high"] else None,
            Summary.of(valences["low"]) if valences["low"] else None,
            published.get(theme.id),
            judgements.get(theme.id),
        )


def _theme_results_large(study: Study, split: Split, rule: Rule):
    """theme_results for large studies: the same results, by matrix, with ratings built lazily."""
    from metrics.distinguishing import Summary
    from metrics.themepass import LazyRatings, hist_of, published_of, summaries, theme_result

    theme_ids, stats = summaries(study, split)
    published = published_of(study)
    judgements = getattr(study, "judgements", None) or {}
    described = rule.describe()
    tokens = study.rating_tokens
    for row, tid in enumerate(theme_ids):
        theme = study.themes[tid]
        groups, summary = {}, {}
        for g in PLACED:
            counts, sums, mins, maxs, hist = stats[g]
            n = int(counts[row])
            mean = float(sums[row]) / n if n else None
            groups[g] = ThemeGroup(n, mean, LazyRatings(getattr(split, g), tokens[tid]))
            summary[g] = (
                Summary(n, float(mins[row]), float(maxs[row]), float(sums[row]) / n, hist_of(hist[row])) if n else None
            )
        yield theme_result(
            theme, groups, rule, described, summary["high"], summary["low"], published.get(tid), judgements.get(tid)
        )
