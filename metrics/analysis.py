"""The whole analysis of a study: the comparison with its split sensitivity and configurations."""

from __future__ import annotations

from dataclasses import replace

from cases.model import Study
from metrics.compare import compare, resolve
from metrics.results import Comparison, Options


def analyse(study: Study, options: Options = Options()) -> Comparison:
    """compare() plus the split-sensitivity table, the configuration truth table and the literature.

    With disclosure's ``pseudonymise`` on, the study's sites are renamed first, so that no site id
    or label reaches any figure, warning or key.
    """
    from metrics.configurations import configurations
    from metrics.pseudonyms import pseudonymise
    from metrics.qca_study import with_qca
    from metrics.sensitivity import sensitivity

    _, rule, disclosure = resolve(study, options)
    if disclosure.pseudonymise:
        study, options = pseudonymise(study, options)
    comparison = compare(study, options)
    outcome = options.outcome or study.outcome
    return with_literature(
        study,
        with_qca(
            study,
            replace(
                comparison,
                sensitivity=sensitivity(study, outcome, rule, comparison.disclosure),
                configurations=configurations(study, comparison.split, comparison.disclosure),
            ),
        ),
    )


def with_literature(study: Study, comparison: Comparison) -> Comparison:
    """The comparison with its joint display: the literature rows and the [[link]]s (analysis.md
    section 1), from this comparison's labels and effects (so every split and rule has its own)."""
    from metrics.literature import links, literature

    return replace(comparison, literature=literature(study, comparison), links=links(study.links, comparison))
