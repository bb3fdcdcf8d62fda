"""The study held against the literature: the joint display of analysis.md section 1.

``literature(study, comparison)`` gives one row per literature theme (the built-in catalogue's
``kind = "literature"`` themes in catalogue order, then every theme of the study's themes.toml
with at least one source, in file order), the theme that carried the study's evidence for it
(``via``) and the fit: confirmation, discordance, no-difference, insufficient or silence. Themes of
the study's own without sources that distinguish (strong or weak) are ``new`` (expansion).
``links(study_links, comparison)`` gives the statistics-by-themes rows of the study's ``[[link]]``s.

Pure code over a Study and its Comparison: no I/O, no terminal. The texts returned for people
(``text_lines``) hold text from data as written: a renderer passes them through ``cases.escape.clean``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Protocol

from cases.catalogue import Catalogue, load_catalogue
from cases.model import Link, Study, Theme
from metrics.numbers import num
from metrics.parts import MetricResult, ThemeResult

FITS = ("confirmation", "discordance", "no-difference", "insufficient", "silence", "expansion")
ROW_FITS = FITS[:5]
# a symbol AND a word for every fit: never colour alone
SYMBOLS = {
    "confirmation": "✓",
    "discordance": "✗",
    "no-difference": "=",
    "insufficient": "?",
    "silence": "·",
    "expansion": "+",
}
CFIR2_SUFFIX = " (CFIR 2.0)"
GROUPS = ("high", "low", "middle")


class Compared(Protocol):
    """What ``literature`` and ``links`` read of a metrics.results.Comparison. Named by its fields, not
    imported: the Comparison holds this module's Literature and LinkResults (no import cycle)."""

    @property
    def metrics(self) -> tuple[MetricResult, ...]: ...

    @property
    def themes(self) -> tuple[ThemeResult, ...]: ...


def fit_of(distinguishing: str | None, direction: str | None) -> str:
    """A row's fit from its ``via`` theme's label and direction (None: no via theme)."""
    if distinguishing is None:
        return "silence"
    if distinguishing in ("strong", "weak"):
        return "confirmation" if direction == "expected" else "discordance"
    if distinguishing == "none":
        return "no-difference"
    return "insufficient"


def link_fit(q: int, r: int) -> str:
    """The fit of a link from the metric's sign q and the theme's sign r (each -1, 0 or +1)."""
    if q == r == 0:
        return "silence"
    if q == 0 or r == 0:
        return "expansion"
    return "confirmation" if q == r else "discordance"


@dataclass(frozen=True)
class Paper:
    """One of a row's sources, as the catalogue names it (citation and DOI when it has them)."""

    ref: str  # the reference as written in ``sources`` (a DOI or a title)
    title: str | None = None
    citation: str | None = None
    doi: str | None = None

    def text(self) -> str:
        parts = [self.citation or self.title or self.ref]
        if self.doi:
            parts.append(f"doi:{self.doi}")
        return ", ".join(parts)


def _ratings(result: ThemeResult | None) -> dict[str, tuple[tuple[str, str], ...]]:
    """group -> ((site id, canonical token), ...) of a theme result; {} without one."""
    if result is None:
        return {}
    return {g: tuple(getattr(result, g).ratings) for g in GROUPS}


@dataclass(frozen=True)
class LiteratureRow:
    theme: str
    title: str
    influence: str | None
    sources: tuple[str, ...]
    via: str | None
    distinguishing: str | None
    direction: str | None
    fit: str
    # for people and the screen (not in the contract's JSON)
    origin: str = "catalogue"  # catalogue | study (a themes.toml theme with sources)
    domain: str | None = None
    construct: str | None = None
    cfir2009: str | None = None
    claim: str | None = None  # the theme's summary
    via_kind: str | None = None  # own | cfir2009 | cfir2 (None: silence)
    via_title: str | None = None
    papers: tuple[Paper, ...] = ()
    evidence: ThemeResult | None = field(default=None, compare=False, repr=False)

    @property
    def ratings(self) -> dict[str, tuple[tuple[str, str], ...]]:
        """The via theme's ratings by group: {"high": ((site, token), ...), "low": ..., "middle": ...}."""
        return _ratings(self.evidence)

    def to_dict(self) -> dict:
        return {
            "theme": self.theme,
            "title": self.title,
            "influence": self.influence,
            "sources": list(self.sources),
            "via": self.via,
            "distinguishing": self.distinguishing,
            "direction": self.direction,
            "fit": self.fit,
        }


@dataclass(frozen=True)
class NewTheme:
    theme: str
    title: str
    distinguishing: str
    direction: str
    fit: str = "expansion"
    domain: str | None = None
    claim: str | None = None
    evidence: ThemeResult | None = field(default=None, compare=False, repr=False)

    @property
    def ratings(self) -> dict[str, tuple[tuple[str, str], ...]]:
        return _ratings(self.evidence)

    def to_dict(self) -> dict:
        return {
            "theme": self.theme,
            "title": self.title,
            "distinguishing": self.distinguishing,
            "direction": self.direction,
            "fit": self.fit,
        }


@dataclass(frozen=True)
class Literature:
    rows: tuple[LiteratureRow, ...]
    new: tuple[NewTheme, ...]

    @property
    def counts(self) -> dict[str, int]:
        """Every fit (all six keys), rows by their fit, ``expansion`` = the new themes."""
        out = dict.fromkeys(FITS, 0)
        for row in self.rows:
            out[row.fit] += 1
        out["expansion"] = len(self.new)
        return out

    def row(self, theme: str) -> LiteratureRow:
        for r in self.rows:
            if r.theme == theme:
                return r
        raise KeyError(theme)

    def to_dict(self) -> dict:
        """The summary's ``literature`` object, exactly as analysis.md section 1 writes it."""
        return {"rows": [r.to_dict() for r in self.rows], "new": [n.to_dict() for n in self.new], "counts": self.counts}

    def to_toml(self) -> dict:
        """``to_dict`` ready for a TOML writer: nulls left out (TOML has none)."""
        return drop_nulls(self.to_dict())

    @classmethod
    def from_dict(cls, data: Mapping) -> Literature:
        """The object rebuilt from ``to_dict`` (or a snapshot's TOML, nulls restored): the contract's
        fields only (no claim, papers or ratings: a snapshot does not carry them)."""
        rows = tuple(
            LiteratureRow(
                r["theme"],
                r.get("title", r["theme"]),
                r.get("influence"),
                tuple(r.get("sources", ())),
                r.get("via"),
                r.get("distinguishing"),
                r.get("direction"),
                r["fit"],
            )
            for r in data.get("rows", ())
        )
        new = tuple(
            NewTheme(
                n["theme"], n.get("title", n["theme"]), n["distinguishing"], n["direction"], n.get("fit", "expansion")
            )
            for n in data.get("new", ())
        )
        return cls(rows, new)

    def headline(self) -> str:
        """ "this study confirms 6 of the 14 literature themes it can speak to, contradicts 1, ..."."""
        c = self.counts
        speaks = len(self.rows) - c["silence"]
        themes = "theme" if speaks == 1 else "themes"
        news = "theme" if c["expansion"] == 1 else "themes"
        return (
            f"this study confirms {c['confirmation']} of the {speaks} literature {themes} it can speak to, "
            f"contradicts {c['discordance']}, finds no difference on {c['no-difference']}, has too few "
            f"ratings on {c['insufficient']}; it is silent on {c['silence']} of {len(self.rows)}, and adds "
            f"{c['expansion']} new {news} (expansion)"
        )

    def text_lines(self) -> list[str]:
        """Lines for people: the headline, then one block per row (symbol and word for the fit, the
        claim, the evidence by group, the papers), then the new themes. Text from data is as written."""
        lines = [f"Literature: {self.headline()}", "  (" + ", ".join(f"{SYMBOLS[f]} {f}" for f in FITS) + ")"]
        for r in self.rows:
            lines.append(f"  {fit_word(r.fit)}  {r.title} [{r.theme}]" + (f" ({r.influence})" if r.influence else ""))
            if r.claim:
                lines.append(f"      claim: {r.claim}")
            if r.via is None:
                lines.append("      evidence: none (the study rated neither the theme nor its CFIR construct)")
            else:
                how = {
                    "own": "the theme itself",
                    "cfir2009": "its CFIR 2009 construct",
                    "cfir2": "its CFIR 2.0 construct",
                }.get(r.via_kind or "", "")
                lines.append(
                    f"      evidence: {r.via_title or r.via} [{r.via}]{', ' + how if how else ''}: "
                    f"{r.distinguishing}, {r.direction}"
                )
                lines.extend(_rating_lines(r.ratings))
            for p in r.papers:
                lines.append(f"      source: {p.text()}")
        if self.new:
            lines.append("  New themes the study adds to the literature:")
            for n in self.new:
                lines.append(f"  {fit_word(n.fit)}  {n.title} [{n.theme}]: {n.distinguishing}, {n.direction}")
                lines.extend(_rating_lines(n.ratings))
        return lines


def fit_word(fit: str) -> str:
    """The fit as a symbol and its word, padded to one width ("✓ confirmation ")."""
    return f"{SYMBOLS.get(fit, ' ')} {fit:<13}"


def _rating_lines(ratings: Mapping[str, tuple[tuple[str, str], ...]]) -> list[str]:
    out = []
    for g in GROUPS:
        entries = ratings.get(g) or ()
        if entries or g != "middle":
            out.append(f"        {g}: " + (", ".join(f"{site} {token}" for site, token in entries) or "no ratings"))
    return out


def drop_nulls(value):
    """The same object without None (TOML has no null)."""
    if isinstance(value, dict):
        return {k: drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [drop_nulls(v) for v in value if v is not None]
    return value


def _papers(catalogue: Catalogue, sources: Iterable[str]) -> tuple[Paper, ...]:
    out = []
    for ref in sources:
        s = catalogue.source_for(ref)
        if s is not None:
            out.append(Paper(ref, s.title, s.citation, s.doi))
        elif ref.startswith("10."):
            out.append(Paper(ref, doi=ref))
        else:
            out.append(Paper(ref, title=ref))
    return tuple(out)


def _construct_ids(catalogue: Catalogue) -> tuple[dict[str, str], dict[str, str]]:
    """CFIR 2009 title -> id, and CFIR 2.0 title without " (CFIR 2.0)" -> id, from the catalogue."""
    cfir09: dict[str, str] = {}
    cfir2: dict[str, str] = {}
    for t in catalogue.themes:
        if t.kind == "cfir2009":
            cfir09.setdefault(t.title, t.id)
        elif t.kind == "cfir2":
            title = t.title[: -len(CFIR2_SUFFIX)] if t.title.endswith(CFIR2_SUFFIX) else t.title
            cfir2.setdefault(title, t.id)
    return cfir09, cfir2


def _row(
    theme: Theme, origin: str, rated: Mapping[str, ThemeResult], cfir09: dict, cfir2: dict, catalogue: Catalogue
) -> LiteratureRow:
    via, kind = None, None
    if theme.id in rated:
        via, kind = theme.id, "own"
    elif theme.cfir2009 is not None and cfir09.get(theme.cfir2009) in rated:
        via, kind = cfir09[theme.cfir2009], "cfir2009"
    elif theme.construct is not None and cfir2.get(theme.construct) in rated:
        via, kind = cfir2[theme.construct], "cfir2"
    result = rated.get(via) if via is not None else None
    label = result.distinguishing if result is not None else None
    direction = result.direction if result is not None else None
    return LiteratureRow(
        theme.id,
        theme.title,
        theme.influence,
        tuple(theme.sources),
        via,
        label,
        direction,
        fit_of(label, direction),
        origin=origin,
        domain=theme.domain,
        construct=theme.construct,
        cfir2009=theme.cfir2009,
        claim=theme.summary,
        via_kind=kind,
        via_title=result.title if result is not None else None,
        papers=_papers(catalogue, theme.sources),
        evidence=result,
    )


def literature(study: Study, comparison: Compared, catalogue: Catalogue | None = None) -> Literature:
    """The joint display of ``study`` and its ``comparison`` (analysis.md section 1).

    A themes.toml theme that overrides a catalogue literature theme is that catalogue row (the
    catalogue's title, influence, sources and constructs: what the literature says) and its own
    ratings are the row's evidence; it is neither a second row nor a new theme.
    """
    catalogue = catalogue or load_catalogue()
    rated = {t.theme: t for t in comparison.themes}
    cfir09, cfir2 = _construct_ids(catalogue)
    literature_ids = {t.id for t in catalogue.themes if t.kind == "literature"}
    rows = [_row(t, "catalogue", rated, cfir09, cfir2, catalogue) for t in catalogue.themes if t.kind == "literature"]
    new = []
    for t in study.themes.values():
        if t.kind != "study" or t.id in literature_ids:  # only the study's own themes.toml themes
            continue
        if t.sources:
            rows.append(_row(t, "study", rated, cfir09, cfir2, catalogue))
        elif (r := rated.get(t.id)) is not None and r.distinguishing in ("strong", "weak"):
            new.append(
                NewTheme(t.id, t.title, r.distinguishing, r.direction, domain=t.domain, claim=t.summary, evidence=r)
            )
    return Literature(tuple(rows), tuple(new))


# ---- statistics by themes ([[link]]) ----


def _sign(x: float | None) -> int:
    if x is None or x == 0:
        return 0
    return 1 if x > 0 else -1


@dataclass(frozen=True)
class LinkResult:
    theme: str
    metric: str
    mean_difference: float | None
    hedges_g: float | None
    cliffs_delta: float | None
    distinguishing: str | None  # None: the theme is unrated
    direction: str | None
    fit: str
    q: int  # the metric's sign, +1 when the high group is better
    r: int  # the theme's sign, +1 strong/weak expected, -1 reversed, else 0
    line: int | None = None  # the [[link]]'s line in study.toml
    label: str | None = None  # the metric's label
    title: str | None = None  # the theme's title
    higher_is_better: bool = True

    def to_dict(self) -> dict:
        return {
            "theme": self.theme,
            "metric": self.metric,
            "mean_difference": num(self.mean_difference),
            "hedges_g": num(self.hedges_g),
            "cliffs_delta": num(self.cliffs_delta),
            "distinguishing": self.distinguishing,
            "direction": self.direction,
            "fit": self.fit,
        }

    def text(self) -> str:
        effect = "n/a" if self.mean_difference is None else f"{self.mean_difference:+.3g}"
        theme = "unrated" if self.distinguishing is None else f"{self.distinguishing}, {self.direction}"
        return (
            f"  {fit_word(self.fit)}  {self.title or self.theme} [{self.theme}] ({theme})  ~  "
            f"{self.label or self.metric} [{self.metric}] high minus low {effect}"
        )


def link_result(link: Link, comparison: Compared) -> LinkResult:
    metric: MetricResult | None = next((m for m in comparison.metrics if m.metric == link.metric), None)
    theme: ThemeResult | None = next((t for t in comparison.themes if t.theme == link.theme), None)
    md = metric.mean_difference if metric is not None else None
    higher = metric.higher_is_better if metric is not None else True
    q = _sign(md) * (1 if higher else -1)
    r = 0
    if theme is not None and theme.distinguishing in ("strong", "weak"):
        r = 1 if theme.direction == "expected" else -1
    # the figures as the summary writes them (12 digits), so that a snapshot's links read back the same
    return LinkResult(
        link.theme,
        link.metric,
        num(md),
        num(metric.hedges_g) if metric is not None else None,
        num(metric.cliffs_delta) if metric is not None else None,
        theme.distinguishing if theme is not None else None,
        theme.direction if theme is not None else None,
        link_fit(q, r),
        q,
        r,
        link.line,
        metric.label if metric is not None else None,
        theme.title if theme is not None else None,
        higher,
    )


def links(study_links: Iterable[Link], comparison: Compared) -> tuple[LinkResult, ...]:
    """One result per ``[[link]]``, in file order (the metric missing from the comparison, as the
    outcome of an overridden split is, or withheld by disclosure control, gives q = 0)."""
    return tuple(link_result(link, comparison) for link in study_links)


def links_dict(results: Iterable[LinkResult]) -> list[dict]:
    """The summary's ``links`` list (analysis.md section 1)."""
    return [r.to_dict() for r in results]


def links_toml(results: Iterable[LinkResult]) -> list[dict]:
    return drop_nulls(links_dict(results))


# ---- rebuilt from a summary or a snapshot (metrics.summary.from_dict) ----


def restore(data: Mapping, themes: Iterable[ThemeResult], catalogue: Catalogue | None = None) -> Literature:
    """``Literature.from_dict`` with what the screens and the text show put back: each row's evidence
    (the rebuilt ``via`` theme), and, from the catalogue, the claim, domain and papers of its themes
    (a themes.toml row keeps its title and sources; its claim is not in a snapshot)."""
    catalogue = catalogue or load_catalogue()
    bare = Literature.from_dict(data)
    results = {t.theme: t for t in themes}
    known = {t.id: t for t in catalogue.themes}
    rows = []
    for r in bare.rows:
        theme = known.get(r.theme) if known.get(r.theme) is not None and known[r.theme].kind == "literature" else None
        evidence = results.get(r.via) if r.via is not None else None
        kind = None
        if r.via is not None:
            kind = "own" if r.via == r.theme else (known[r.via].kind if r.via in known else None)
        rows.append(
            replace(
                r,
                origin="catalogue" if theme is not None else "study",
                domain=theme.domain if theme is not None else None,
                construct=theme.construct if theme is not None else None,
                cfir2009=theme.cfir2009 if theme is not None else None,
                claim=theme.summary if theme is not None else None,
                via_kind=kind,
                via_title=evidence.title if evidence is not None else None,
                papers=_papers(catalogue, r.sources),
                evidence=evidence,
            )
        )
    new = tuple(
        replace(n, domain=results[n.theme].domain if n.theme in results else None, evidence=results.get(n.theme))
        for n in bare.new
    )
    return Literature(tuple(rows), new)


def restore_links(
    data: Iterable[Mapping], metrics: Iterable[MetricResult], themes: Iterable[ThemeResult]
) -> tuple[LinkResult, ...]:
    """The ``links`` of a summary as LinkResults (their fit as recorded)."""
    by_metric = {m.metric: m for m in metrics}
    by_theme = {t.theme: t for t in themes}
    out = []
    for d in data:
        m, t = by_metric.get(d["metric"]), by_theme.get(d["theme"])
        higher = m.higher_is_better if m is not None else True
        q = _sign(d.get("mean_difference")) * (1 if higher else -1)
        label, direction = d.get("distinguishing"), d.get("direction")
        r = (1 if direction == "expected" else -1) if label in ("strong", "weak") else 0
        out.append(
            LinkResult(
                d["theme"],
                d["metric"],
                d.get("mean_difference"),
                d.get("hedges_g"),
                d.get("cliffs_delta"),
                label,
                direction,
                d.get("fit", link_fit(q, r)),
                q,
                r,
                None,
                m.label if m is not None else None,
                t.title if t is not None else None,
                higher,
            )
        )
    return tuple(out)
