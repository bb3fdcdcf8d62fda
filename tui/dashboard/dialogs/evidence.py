"""The evidence behind a cell of the Matrix: the rating memo and every coded excerpt, with its source.

One cell (a site and a theme), or with ``a`` the same theme at every site, grouped high, middle,
low (and sites without an outcome), so one construct can be read across the cases. Every piece of
text comes from the study's files and is shown literally (``safe``/``safe_block``). A pseudonymised
comparison shows no memo and no excerpt: evidence may name the places the pseudonyms hide.

Excerpts come from ``study.excerpts(site, theme)`` (evidence.csv, analysis.md section 2) when the
Study has it; a Study without it has no excerpts.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from cases.model import BY_OUTCOME, is_number
from tui.dashboard.dialogs.base import Dialog
from tui.dashboard.widgets.judgement import judgement_words
from tui.dashboard.widgets.palette import GROUP_MARK
from tui.dashboard.widgets.safe_text import join, safe, safe_block

GROUPS = BY_OUTCOME
SITES_AT_MOST = 200  # sites per group listed with every site (a 2,000-site study stays quick)
WITHHELD = "Evidence is not shown with pseudonymised sites: memos and excerpts may name them."


def excerpts_of(study, site: str, theme: str) -> tuple:
    """The coded excerpts of (site, theme), or () when the study has none (or no evidence.csv)."""
    find = getattr(study, "excerpts", None)
    if not callable(find):
        return ()
    try:
        return tuple(find(site, theme) or ())
    except (KeyError, LookupError):
        return ()


def _site_evidence(study, theme: str, site: str, indent: str = "") -> Text:
    rating = study.ratings_by_theme.get(theme, {}).get(site)
    out = Text(end="")
    memo = getattr(rating, "evidence", None)
    out.append(f"{indent}Rating memo: ", style="bold")
    if memo:
        out.append_text(safe_block(memo))
    else:
        out.append("(none)", style="dim")
    found = excerpts_of(study, site, theme)
    out.append(f"\n{indent}Excerpts ({len(found)})", style="bold")
    if not found:
        has_file = bool(getattr(study, "evidence", ())) or "evidence.csv" in (getattr(study, "files", None) or {})
        out.append(
            ": none coded for this site and theme" if has_file else ": the study has no evidence.csv", style="dim"
        )
    for e in found:
        out.append(f"\n{indent}• ")
        out.append_text(safe_block(getattr(e, "excerpt", "")))
        source = getattr(e, "source", None)
        out.append(f"\n{indent}  — source: ", style="dim")
        out.append_text(safe(source, 80, "dim") if source else Text("(not given)", style="dim"))
    return out


def evidence_text(study, comparison, theme: str, site: str | None) -> Text:
    """What the dialog shows: one cell's evidence (``site``), or the theme's at every site (None)."""
    title = study.themes[theme].title if theme in study.themes else theme
    tokens = study.rating_tokens.get(theme, {})
    pseudonymised = bool(getattr(comparison.disclosure, "pseudonymise", False))
    out = join(safe(title, 200, "bold"), Text(f"  ({theme})", style="dim"), "\n")
    result = next((r for r in comparison.themes if r.theme == theme), None)
    if (
        result is not None and result.judgement is not None
    ):  # the analyst's judgement (judgements.csv) beside the rule's label, and why
        out.append(judgement_words(result))
        if result.judgement_reason:
            out.append_text(join(" · reason: ", safe_block(result.judgement_reason)))
        out.append("\n")
    if site is not None:
        group = comparison.split.group_of(site) or "missing"
        out.append_text(
            join(
                safe(f"{site} {comparison.labels.get(site, site)}", 80),
                f" · group {GROUP_MARK[group]} ({group}) · rating ",
                Text(tokens.get(site, "no rating"), style="bold"),
                "\n\n",
            )
        )
        if pseudonymised:
            out.append(WITHHELD, style="dim")
        else:
            out.append_text(_site_evidence(study, theme, site))
        return out
    out.append("Every site, by group (highest outcome first)\n", style="dim")
    if pseudonymised:
        out.append(WITHHELD + "\n", style="dim")
    order = outcome_order(study, comparison)
    for group in GROUPS:
        members = sorted(getattr(comparison.split, group), key=order)
        if not members:
            continue
        out.append(f"\n{GROUP_MARK[group]} {group} ({len(members)})\n", style="bold underline")
        for s in members[:SITES_AT_MOST]:
            out.append_text(
                join(
                    Text(f"{tokens.get(s, 'no rating'):>9}  ", style="bold"),
                    safe(f"{s} {comparison.labels.get(s, s)}", 60),
                    "\n",
                )
            )
            if not pseudonymised:
                out.append_text(_site_evidence(study, theme, s, indent="    "))
                out.append("\n")
        if len(members) > SITES_AT_MOST:
            out.append(f"  … and {len(members) - SITES_AT_MOST} more sites\n", style="dim")
    return out


def outcome_order(study, comparison):
    """A sort key of site ids: the highest outcome first, sites without a value last, ties in sites-file order."""
    values = study.column(comparison.split.outcome)
    position = {s.id: i for i, s in enumerate(study.sites)}

    def key(site: str):
        v = values.get(site)
        number = v if is_number(v) else None
        return (number is None, -(number or 0.0), position.get(site, 0))

    return key


class EvidenceDialog(Dialog[None]):
    """One cell's evidence; ``a`` switches to the theme at every site and back."""

    BINDINGS = [Binding("escape", "close", "Close"), Binding("a", "toggle_all", "Every site / this site")]
    DEFAULT_CSS = """
    #evidence-box { width: 100; height: 90%; }
    #evidence-body { height: 1fr; }
    """

    def __init__(self, study, comparison, theme: str, site: str | None) -> None:
        super().__init__()
        self.study, self.comparison, self.theme, self.site = study, comparison, theme, site
        self.every_site = site is None

    def compose(self) -> ComposeResult:
        with Vertical(id="evidence-box", classes="dialog"):
            yield Static("Evidence", id="evidence-title", classes="dialog-title", markup=False)
            with VerticalScroll(id="evidence-body"):
                yield Static("", id="evidence-text", markup=False)
            yield Static("", id="evidence-hint", classes="hint", markup=False)

    def on_mount(self) -> None:
        self._fill()
        self.query_one("#evidence-body").focus()

    @property
    def text(self) -> Text:
        return evidence_text(self.study, self.comparison, self.theme, None if self.every_site else self.site)

    def _fill(self) -> None:
        self.query_one("#evidence-title", Static).update(
            "Evidence: the theme at every site" if self.every_site else "Evidence: one cell"
        )
        self.query_one("#evidence-text", Static).update(self.text)
        hint = "arrows/PgUp/PgDn scroll · Escape closes"
        if self.site is not None:
            hint = ("a: this site only · " if self.every_site else "a: the theme at every site · ") + hint
        self.query_one("#evidence-hint", Static).update(hint)
        self.query_one("#evidence-body", VerticalScroll).scroll_home(animate=False)

    def action_toggle_all(self) -> None:
        if self.site is not None:
            self.every_site = not self.every_site
            self._fill()

    def action_close(self) -> None:
        self.dismiss(None)
