"""The study-shape matrix: study folders of the shapes users bring, written at run time.

Every dashboard test, monkey and tmux run once used the built-in example only, which happens to set
``[outcome] second``, to rate every theme and to have a contact log. The shapes here follow the
study-folder contract (docs/study-format.md) and vary one thing at a time: no second metric, two
sites, an empty group, every rating Missing, wide ratings only, no ratings, no contact log, metrics
derived only from contacts, sites as Parquet and as xlsx, a middle group of ties, hostile text
everywhere, min_count suppression, pseudonyms, 2,000 sites with 50 rated themes, one metric only,
the study's own themes only.

Each shape is written by a function of a fixed seed (no randomness across runs). ``Shape`` holds
what a test needs to check the dashboard against the data *independently of the app*: the outcome
values per site (as written, or computed from the written contact log), the ids as the dashboard
shows them (pseudonyms for a pseudonymised study), the hostile strings, and ``expected_groups``, an
oracle of the split rules written from the contract's words, not from metrics/splits.py.

Use: ``ShapeFactory(root).get(name)`` (builds once, then cached), or the session fixture
``study_shapes`` (tests/conftest.py); ``SHAPES`` lists the names for parametrisation.
"""

from __future__ import annotations

import csv
import random
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# -- hostile text ------------------------------------------------------------------------------------
MARKUP = "[b]x[/b]"
CLICK = "[@click=app.quit]"
ANSI = "\x1b[31m"
BIDI = "\u202e"
LONG = "Long " * 80  # 400 characters

# labels that start with the hostile part, so that it is on screen however short the column
HOSTILE_SITE_LABELS = [
    f"{MARKUP} Markup site",
    f"{CLICK}Quit site[/]",
    f"{ANSI}Red site",
    f"{BIDI}Bidi site",
    f"{LONG}end",
    f"[red]Red[/red]{ANSI}{BIDI}all",
    "Plain site",
]


def shown(text: str) -> str:
    """``text`` as the dashboard must show it: control, escape and bidi characters made visible.

    Written here, not imported from cases/escape.py: the test's idea of "literally" is the contract's
    (an escape shows as ``\\x1b``, U+202E as ``\\u202e``), not whatever the app's code does.
    """
    out = []
    for ch in text:
        code = ord(ch)
        if code < 0x20 or 0x7F <= code <= 0x9F:
            out.append(f"\\x{code:02x}")
        elif ch in "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069":
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


# -- the split oracle --------------------------------------------------------------------------------
def expected_groups(
    values: dict[str, float | None],
    rule: str,
    *,
    threshold: float | None = None,
    second: dict[str, float | None] | None = None,
    high=(),
    low=(),
) -> dict[str, set[str]]:
    """The groups of study-format.md's split rules, written from its words."""
    groups: dict[str, set[str]] = {"high": set(), "low": set(), "middle": set(), "missing": set()}
    if rule == "quadrants":
        have = [s for s in values if values[s] is not None and (second or {}).get(s) is not None]
        groups["missing"] = set(values) - set(have)
        if have:
            m1 = statistics.median(values[s] for s in have)
            m2 = statistics.median(second[s] for s in have)
            for s in have:
                if values[s] > m1 and second[s] > m2:
                    groups["high"].add(s)
                elif values[s] < m1 and second[s] < m2:
                    groups["low"].add(s)
                else:
                    groups["middle"].add(s)
        return groups
    present = [s for s in values if values[s] is not None]
    groups["missing"] = set(values) - set(present)
    if rule == "median":
        m = statistics.median(values[s] for s in present) if present else None
        for s in present:
            groups["high" if values[s] > m else "low" if values[s] < m else "middle"].add(s)
    elif rule == "threshold":
        for s in present:
            groups["high" if values[s] >= threshold else "low"].add(s)
    elif rule == "tertiles":
        # the k highest are high, the k lowest low, unless tied with a site outside their k
        k = len(present) // 3
        ranked = sorted(present, key=lambda s: -values[s])
        top, bottom = set(ranked[:k]), set(ranked[len(ranked) - k :] if k else [])
        outside_top = {values[o] for o in present if o not in top}
        outside_bottom = {values[o] for o in present if o not in bottom}
        for s in present:
            if s in top and values[s] not in outside_top:
                groups["high"].add(s)
            elif s in bottom and values[s] not in outside_bottom:
                groups["low"].add(s)
            else:
                groups["middle"].add(s)
    elif rule == "explicit":
        for s in present:
            groups["high" if s in high else "low" if s in low else "middle"].add(s)
    else:
        raise ValueError(rule)
    return groups


# -- what a shape is -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Shape:
    name: str
    folder: Path
    ids: tuple[str, ...]  # site ids as the dashboard shows them, file order
    labels: dict[str, str]  # shown id -> label as the dashboard shows it (raw)
    outcome: str  # the outcome metric
    split: str  # the study's own split rule
    values: dict[str, float | None]  # shown id -> outcome value
    metrics: tuple[str, ...]  # metric keys, study.toml order
    metric_labels: dict[str, str]
    second: str | None = None  # a second metric for a quadrants walk (None: one metric)
    second_values: dict[str, float | None] = field(default_factory=dict)
    in_toml_second: bool = False  # [outcome] second is set
    threshold: float | None = None  # the study's own threshold (split = threshold)
    walk_threshold: float = 0.5  # a threshold the walk types into the dialog
    explicit: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
    rated_themes: tuple[str, ...] = ()  # theme ids with at least one rating
    theme_titles: dict[str, str] = field(default_factory=dict)  # the study's own themes' titles
    hostile: tuple[str, ...] = ()  # raw texts that must show literally (their start)
    hidden: tuple[str, ...] = ()  # texts that must never show (pseudonymised originals)
    suppressed: dict[str, dict[str, float]] = field(default_factory=dict)  # metric -> site -> count < min_count
    min_count: int = 10
    conditions: tuple[str, ...] = ()
    big: bool = False

    def groups(self, rule: str | None = None, **kw) -> dict[str, set[str]]:
        rule = rule or self.split
        if rule == "threshold":
            kw.setdefault(
                "threshold",
                self.threshold if rule == self.split and self.threshold is not None else self.walk_threshold,
            )
        if rule == "quadrants":
            kw.setdefault("second", self.second_values)
        if rule == "explicit":
            kw.setdefault("high", self.explicit[0])
            kw.setdefault("low", self.explicit[1])
        return expected_groups(self.values, rule, **kw)

    def step_order(self) -> list[str]:
        """The Site screen's n/p order: highest outcome first, missing last, ties in file order."""
        return sorted(self.ids, key=lambda s: (self.values[s] is None, -(self.values[s] or 0.0)))


# -- writing files -----------------------------------------------------------------------------------
def _toml(data: dict) -> str:
    import tomli_w

    return tomli_w.dumps(data)


def _csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            w.writerow(["" if v is None else v for v in row])


def _num(v: float | None) -> str | None:
    return None if v is None else f"{v:g}"


def write_sites(
    folder: Path, header: list[str], rows: list[list[object]], fmt: str = "csv", numeric: tuple[str, ...] = ()
) -> None:
    """sites.csv, sites.parquet or sites.xlsx; ``numeric`` columns are written as numbers."""
    if fmt == "csv":
        _csv(folder / "sites.csv", header, rows)
        return
    import polars as pl

    columns = {}
    for i, name in enumerate(header):
        cells = [r[i] for r in rows]
        if name in numeric:
            columns[name] = pl.Series(name, [None if v is None else float(v) for v in cells], dtype=pl.Float64)
        else:
            columns[name] = pl.Series(name, [None if v is None else str(v) for v in cells], dtype=pl.String)
    frame = pl.DataFrame(columns)
    if fmt == "parquet":
        frame.write_parquet(folder / "sites.parquet")
    elif fmt == "xlsx":
        frame.write_excel(folder / "sites.xlsx", autofit=False)
    else:
        raise ValueError(fmt)


RATING_TOKENS = ["-2", "-1", "0", "+1", "+2", "X", "Missing", "N/A"]
BUILTIN_THEMES = [
    "leadership-support",
    "peer-role-clarity",
    "training-and-supervision",
    "clinical-team-preparation",
    "ward-staff-relationships",
    "supervisor-resourcing",
]


def _metric_spec(label: str, lo: float | None = None, hi: float | None = None, **extra) -> dict:
    spec = {"label": label}
    if lo is not None:
        spec["min"] = lo
    if hi is not None:
        spec["max"] = hi
    spec.update(extra)
    return spec


def _ratings(
    rng: random.Random,
    ids: list[str],
    themes: list[str],
    evidence: Callable[[str, str], str] | None,
    tokens: list[str] = RATING_TOKENS,
) -> list[list[object]]:
    """Long-form rows: every (site, theme), a token leaning + for the sites listed first."""
    rows = []
    for i, s in enumerate(ids):
        leaning = ("+1", "+2") if i < len(ids) / 2 else ("-1", "-2")
        for t in themes:
            token = rng.choice(tokens) if rng.random() < 0.3 else rng.choice(leaning)
            rows.append([s, t, token, evidence(s, t) if evidence else None])
    return rows


def _write_ratings_long(folder: Path, rows: list[list[object]], with_evidence: bool = True) -> None:
    if with_evidence:
        _csv(folder / "ratings.csv", ["site", "theme", "rating", "evidence"], rows)
    else:
        _csv(folder / "ratings.csv", ["site", "theme", "rating"], [r[:3] for r in rows])


@dataclass
class _Plan:
    """A study being planned: what the files will hold."""

    name: str
    seed: int
    ids: list[str]
    labels: list[str]
    outcome: str = "engagement"
    split: dict = field(default_factory=lambda: {"split": "median"})
    metrics: dict[str, dict] = field(default_factory=dict)  # key -> study.toml spec
    columns: dict[str, list[float | None]] = field(default_factory=dict)  # sites.csv metric columns
    attributes: dict[str, list[str]] = field(default_factory=dict)
    ratings: list[list[object]] | None = None  # long rows
    wide: list[list[object]] | None = None  # wide rows: theme, then one per site
    themes_toml: list[dict] | None = None
    disclosure: dict | None = None
    conditions: list[dict] = field(default_factory=list)
    title: str = ""
    sites_format: str = "csv"
    contacts: list[list[object]] | None = None
    derived: dict[str, list[float | None]] = field(default_factory=dict)  # the oracle's derived values
    shape_extra: dict = field(default_factory=dict)

    def write(self, root: Path) -> Shape:
        folder = root / self.name
        folder.mkdir(parents=True)
        outcome = {"metric": self.outcome, **self.split}
        manifest = {
            "study": {"title": self.title or f"Shape: {self.name}", "synthetic": True},
            "outcome": outcome,
            "metrics": self.metrics,
        }
        if self.disclosure is not None:
            manifest["disclosure"] = self.disclosure
        if self.conditions:
            manifest["condition"] = self.conditions
        (folder / "study.toml").write_text(_toml(manifest), encoding="utf-8")
        header = ["site", "label", *self.attributes, *self.columns]
        rows = [
            [
                sid,
                lab,
                *(self.attributes[a][i] for a in self.attributes),
                *(_num(self.columns[m][i]) if self.sites_format == "csv" else self.columns[m][i] for m in self.columns),
            ]
            for i, (sid, lab) in enumerate(zip(self.ids, self.labels))
        ]
        write_sites(folder, header, rows, self.sites_format, numeric=tuple(self.columns))
        if self.contacts is not None:
            _csv(folder / "contacts.csv", ["site", "participant", "date", "minutes"], self.contacts)
        if self.themes_toml is not None:
            (folder / "themes.toml").write_text(_toml({"theme": self.themes_toml}), encoding="utf-8")
        if self.ratings is not None:
            _write_ratings_long(folder, self.ratings, with_evidence=any(r[3] for r in self.ratings))
        if self.wide is not None:
            _csv(folder / "ratings-wide.csv", ["theme", "domain", *self.ids], self.wide)
        return self.shape(folder)

    def value_column(self, key: str) -> list[float | None]:
        return self.columns[key] if key in self.columns else self.derived[key]

    def shape(self, folder: Path) -> Shape:
        pseud = bool((self.disclosure or {}).get("pseudonymise"))
        shown_ids = [f"Site {_letters(i)}" for i in range(len(self.ids))] if pseud else list(self.ids)
        labels = dict(zip(shown_ids, shown_ids)) if pseud else dict(zip(shown_ids, self.labels))
        values = dict(zip(shown_ids, self.value_column(self.outcome)))
        others = [k for k in self.metrics if k != self.outcome]
        second = self.split.get("second") or (others[0] if others else None)
        second_values = dict(zip(shown_ids, self.value_column(second))) if second else {}
        rated = []
        if self.ratings is not None:
            rated = list(dict.fromkeys(r[1] for r in self.ratings))
        if self.wide is not None:
            rated = [r[0] for r in self.wide]
        n = len(shown_ids)
        explicit = (tuple(shown_ids[:2]), tuple(shown_ids[-2:])) if n >= 4 else ((shown_ids[0],), (shown_ids[-1],))
        present = sorted(v for v in values.values() if v is not None)
        walk_threshold = present[len(present) // 2] if present else 0.5
        extra = dict(self.shape_extra)
        return Shape(
            name=self.name,
            folder=folder,
            ids=tuple(shown_ids),
            labels=labels,
            outcome=self.outcome,
            split=self.split["split"],
            values=values,
            metrics=tuple(self.metrics),
            metric_labels={k: v["label"] for k, v in self.metrics.items()},
            second=second,
            second_values=second_values,
            in_toml_second="second" in self.split,
            threshold=self.split.get("threshold"),
            walk_threshold=extra.pop("walk_threshold", walk_threshold),
            explicit=explicit,
            rated_themes=tuple(rated),
            theme_titles={t["id"]: t["title"] for t in self.themes_toml or []},
            min_count=int((self.disclosure or {}).get("min_count", 10)),
            conditions=tuple(c["name"] for c in self.conditions),
            **extra,
        )


def _letters(index: int) -> str:
    out, index = "", index + 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(ord("A") + rem) + out
    return out


def _round(v: float, digits: int = 2) -> float:
    return float(f"{v:.{digits}f}")


def _base(name: str, seed: int, n: int = 7, labels: list[str] | None = None) -> _Plan:
    """n sites, an outcome (engagement 0-1) and fidelity (1-5), attributes, no contacts, no ratings."""
    rng = random.Random(seed)
    ids = [f"S{i + 1}" for i in range(n)]
    labels = labels or [f"Site number {i + 1}" for i in range(n)]
    # distinct values, falling with the file order plus noise, so that the two groups differ
    engagement = sorted((_round(rng.uniform(0.05, 0.95)) for _ in range(n)), reverse=True)
    while len(set(engagement)) < n:
        engagement = sorted((_round(rng.uniform(0.05, 0.95)) for _ in range(n)), reverse=True)
    fidelity = [_round(min(5.0, max(1.0, 1 + 4 * e + rng.uniform(-0.8, 0.8)))) for e in engagement]
    plan = _Plan(name, seed, ids, labels)
    plan.metrics = {
        "engagement": _metric_spec("Engagement", 0.0, 1.0, unit="share engaged"),
        "fidelity": _metric_spec("Fidelity", 1.0, 5.0),
    }
    plan.columns = {"engagement": engagement, "fidelity": fidelity}
    plan.attributes = {
        "employer": [rng.choice(["NHS", "Charity"]) for _ in range(n)],
        "setting": [rng.choice(["Urban", "Rural"]) for _ in range(n)],
    }
    plan.conditions = [
        {"name": "NHS employer", "attribute": "employer", "equals": "NHS"},
        {"name": "High fidelity", "metric": "fidelity", "at_least": 3.5},
    ]
    return plan


def _with_ratings(plan: _Plan, themes: list[str] = BUILTIN_THEMES[:4], evidence: bool = True) -> _Plan:
    rng = random.Random(plan.seed + 1)
    memo = (lambda s, t: f"Memo for {s} on {t}.") if evidence else None
    plan.ratings = _ratings(rng, plan.ids, themes, memo)
    return plan


# -- the shapes ----------------------------------------------------------------------------------------
def no_second(root: Path) -> Shape:
    """No [outcome] second; one site without an outcome value (missing)."""
    plan = _with_ratings(_base("no-second", 101))
    plan.columns["engagement"][3] = None
    return plan.write(root)


def two_sites(root: Path) -> Shape:
    plan = _with_ratings(_base("two-sites", 102, n=2))
    plan.split = {"split": "median", "second": "fidelity"}
    return plan.write(root)


def empty_group(root: Path) -> Shape:
    """split = threshold above every value: the high group is empty."""
    plan = _with_ratings(_base("empty-group", 103))
    plan.split = {"split": "threshold", "threshold": 0.99}
    plan.shape_extra = {"walk_threshold": 0.99}
    return plan.write(root)


def all_missing(root: Path) -> Shape:
    plan = _base("all-missing", 104)
    plan.ratings = [[s, t, "Missing", None] for s in plan.ids for t in BUILTIN_THEMES[:3]]
    return plan.write(root)


def wide_only(root: Path) -> Shape:
    """ratings-wide.csv only, themes named by id and by title (any case), a domain column."""
    plan = _base("wide-only", 105)
    rng = random.Random(105)
    names = [
        ("leadership-support", "leadership-support"),
        ("peer-role-clarity", "PEER ROLE CLARITY"),
        ("training-and-supervision", "training-and-supervision"),
    ]
    from cases.catalogue import load_catalogue

    titles = {t.id: t.title for t in load_catalogue().themes}
    plan.wide = []
    for i, (tid, _) in enumerate(names):
        name = titles[tid].upper() if i == 1 else tid
        cells = [
            rng.choice(["+2", "+1", "", "X"]) if j < 3 else rng.choice(["-1", "-2", "0 (mixed)", "Missing"])
            for j in range(len(plan.ids))
        ]
        plan.wide.append([name, "Inner setting", *cells])
    shape = plan.write(root)
    return _replace(shape, rated_themes=tuple(tid for tid, _ in names))


def no_ratings(root: Path) -> Shape:
    return _base("no-ratings", 106).write(root)


def no_contacts(root: Path) -> Shape:
    """Like the example (second set, conditions, ratings with evidence) but no contact log."""
    plan = _with_ratings(_base("no-contacts", 107))
    plan.split = {"split": "median", "second": "fidelity"}
    plan.metrics["supervisor_hours"] = _metric_spec("Supervisor hours", 0.0, 40.0)
    rng = random.Random(1070)
    plan.columns["supervisor_hours"] = [_round(rng.uniform(0, 10), 1) for _ in plan.ids]
    return plan.write(root)


def derived_only(root: Path) -> Shape:
    """Every metric derived from contacts.csv; sites.csv has ids, labels and attributes only."""
    rng = random.Random(108)
    n = 6
    plan = _Plan("derived-only", 108, [f"site-{i + 1}" for i in range(n)], [f"Derived {i + 1}" for i in range(n)])
    plan.metrics = {
        "engagement": _metric_spec(
            "Engaged (>= 1 contact)", 0.0, 1.0, derive={"from": "contacts", "rule": "share_with_at_least", "n": 1}
        ),
        "contacts_mean": _metric_spec(
            "Contacts per participant", 0.0, derive={"from": "contacts", "rule": "mean_contacts"}
        ),
        "contacts_median": _metric_spec("Median contacts", 0.0, derive={"from": "contacts", "rule": "median_contacts"}),
        "participants": _metric_spec("Participants", derive={"from": "contacts", "rule": "participants"}),
    }
    plan.attributes = {"region": [rng.choice(["North", "South"]) for _ in range(n)]}
    contacts, share, mean, med, count = [], [], [], [], []
    for i, site in enumerate(plan.ids):
        people = 10 + i * 3  # >= min_count: nothing suppressed here
        engaged = people - 1 - i  # distinct shares, falling
        per = []
        for p in range(people):
            k = rng.randint(1, 5) if p < engaged else 0
            per.append(k)
            pid = f"P{p + 1:03d}"
            if k == 0:
                contacts.append([site, pid, None, None])  # listed, no contact
            for c in range(k):
                contacts.append([site, pid, f"2024-0{1 + c % 9}-1{c % 9}", 30 + 5 * c])
        share.append(engaged / people)
        mean.append(sum(per) / people)
        med.append(float(statistics.median(per)))
        count.append(float(people))
    plan.contacts = contacts
    plan.derived = {"engagement": share, "contacts_mean": mean, "contacts_median": med, "participants": count}
    plan.conditions = [{"name": "Northern", "attribute": "region", "equals": "North"}]
    _with_ratings(plan, BUILTIN_THEMES[:3])
    return plan.write(root)


def parquet(root: Path) -> Shape:
    plan = _with_ratings(_base("parquet", 109))
    plan.sites_format = "parquet"
    plan.columns["fidelity"][2] = None
    return plan.write(root)


def xlsx(root: Path) -> Shape:
    plan = _with_ratings(_base("xlsx", 110))
    plan.sites_format = "xlsx"
    plan.columns["fidelity"][2] = None
    return plan.write(root)


def middle(root: Path) -> Shape:
    """Nine sites, ties at the median (three in the middle) and across the tertile boundary."""
    plan = _with_ratings(_base("middle", 111, n=9))
    plan.columns["engagement"] = [0.9, 0.8, 0.7, 0.6, 0.5, 0.5, 0.5, 0.3, 0.2]
    plan.split = {"split": "median", "second": "fidelity"}
    return plan.write(root)


def hostile(root: Path) -> Shape:
    """Markup, click actions, escape sequences, bidi overrides and very long text in every text field."""
    n = len(HOSTILE_SITE_LABELS)
    plan = _base("hostile", 112, n=n, labels=list(HOSTILE_SITE_LABELS))
    plan.title = f"{MARKUP} Hostile {CLICK} study {ANSI}title{BIDI}"
    plan.metrics["engagement"]["label"] = f"{MARKUP}Engagement{ANSI}"
    plan.metrics["fidelity"]["label"] = f"{CLICK}Fidelity{BIDI}"
    plan.attributes["employer"] = [f"{ANSI}NHS", f"{MARKUP}", f"{BIDI}Charity", f"{CLICK}", LONG, "NHS", "NHS"]
    plan.conditions = [
        {"name": f"{MARKUP}Cond{CLICK}", "attribute": "employer", "equals": "NHS"},
        {"name": f"{ANSI}Fid{BIDI}", "metric": "fidelity", "at_least": 3.0},
    ]
    themes = [
        {"id": "hostile-markup", "title": f"{MARKUP}Markup theme", "summary": f"{CLICK}summary {ANSI}red"},
        {"id": "hostile-escape", "title": f"{ANSI}Escape theme{BIDI}", "domain": f"{MARKUP}Inner"},
        {"id": "hostile-long", "title": f"{LONG}theme"},
    ]
    plan.themes_toml = themes
    plan.split = {"split": "median", "second": "fidelity"}
    rng = random.Random(1120)
    plan.ratings = _ratings(
        rng,
        plan.ids,
        [t["id"] for t in themes] + BUILTIN_THEMES[:1],
        lambda s, t: f"{CLICK}evil memo {MARKUP}{ANSI}{BIDI} " + "very long memo " * 40,
    )
    shape = plan.write(root)
    hostile_texts = (
        *HOSTILE_SITE_LABELS[:-1],
        plan.metrics["engagement"]["label"],
        plan.metrics["fidelity"]["label"],
        *[t["title"] for t in themes],
    )
    return _replace(shape, hostile=hostile_texts)


def min_count(root: Path) -> Shape:
    """A count metric (count = true) below min_count at some sites."""
    plan = _with_ratings(_base("min-count", 113))
    plan.metrics["clients"] = _metric_spec("Clients", 0, count=True)
    plan.columns["clients"] = [3.0, 25.0, 8.0, 40.0, 11.0, 2.0, 60.0]
    plan.disclosure = {"min_count": 10}
    shape = plan.write(root)
    low = {s: v for s, v in zip(shape.ids, plan.columns["clients"]) if v < 10}
    return _replace(shape, suppressed={"clients": low})


def pseudonymised(root: Path) -> Shape:
    plan = _base("pseudonymised", 114, labels=[f"Secretplace {i}" for i in range(7)])
    plan.ids = [f"real-id-{i}" for i in range(7)]
    _with_ratings(plan, BUILTIN_THEMES[:3])
    plan.ratings = [[s, t, tok, f"Confidential memo about {s}"] for s, t, tok, _ in plan.ratings]
    plan.disclosure = {"pseudonymise": True}
    plan.split = {"split": "median", "second": "fidelity"}
    shape = plan.write(root)
    return _replace(shape, hidden=("real-id-", "Secretplace", "Confidential memo"))


def big(root: Path) -> Shape:
    """2,000 sites, four metrics, 50 catalogue themes rated at every site (100,000 ratings)."""
    from cases.catalogue import load_catalogue

    n = 2000
    rng = random.Random(115)
    plan = _Plan("big-2000", 115, [f"S{i + 1:04d}" for i in range(n)], [f"Big site {i + 1}" for i in range(n)])
    plan.metrics = {
        "engagement": _metric_spec("Engagement", 0.0, 1.0),
        "fidelity": _metric_spec("Fidelity", 1.0, 5.0),
        "supervisor_hours": _metric_spec("Supervisor hours", 0.0, 40.0),
        "peer_workers": _metric_spec("Peer workers", 0.0),
    }
    eng = [_round(rng.uniform(0, 1), 3) for _ in range(n)]
    plan.columns = {
        "engagement": eng,
        "fidelity": [_round(min(5, max(1, 1 + 4 * e + rng.uniform(-1, 1)))) for e in eng],
        "supervisor_hours": [_round(rng.uniform(0, 12), 1) for _ in range(n)],
        "peer_workers": [float(rng.randint(1, 9)) for _ in range(n)],
    }
    plan.attributes = {"employer": [rng.choice(["NHS", "Charity", "Council"]) for _ in range(n)]}
    plan.conditions = [{"name": "NHS employer", "attribute": "employer", "equals": "NHS"}]
    plan.split = {"split": "median", "second": "fidelity"}
    themes = [t.id for t in load_catalogue().themes][:50]
    order = sorted(range(n), key=lambda i: -eng[i])
    rank = {i: r for r, i in enumerate(order)}
    rows = []
    for i, s in enumerate(plan.ids):
        lean = 1 if rank[i] < n / 2 else -1
        for t in themes:
            if rng.random() < 0.4:
                tok = rng.choice(RATING_TOKENS)
            else:
                tok = rng.choice(("+1", "+2") if lean > 0 else ("-1", "-2"))
            rows.append([s, t, tok, None])
    plan.ratings = rows
    shape = plan.write(root)
    return _replace(shape, big=True)


def single_metric(root: Path) -> Shape:
    plan = _with_ratings(_base("single-metric", 116, n=6))
    del plan.metrics["fidelity"], plan.columns["fidelity"]
    plan.conditions = [{"name": "NHS employer", "attribute": "employer", "equals": "NHS"}]
    return plan.write(root)


def own_themes(root: Path) -> Shape:
    """Ratings only of the study's own themes (themes.toml), none from the catalogue."""
    plan = _base("own-themes", 117)
    own = [
        {
            "id": f"own-theme-{i}",
            "title": f"Own theme number {i}",
            "domain": "Own domain",
            "summary": f"What own theme {i} is about.",
        }
        for i in range(1, 5)
    ]
    plan.themes_toml = own
    _with_ratings(plan, [t["id"] for t in own])
    return plan.write(root)


def _replace(shape: Shape, **changes) -> Shape:
    from dataclasses import replace

    return replace(shape, **changes)


BUILDERS: dict[str, Callable[[Path], Shape]] = {
    "no-second": no_second,
    "two-sites": two_sites,
    "empty-group": empty_group,
    "all-missing": all_missing,
    "wide-only": wide_only,
    "no-ratings": no_ratings,
    "no-contacts": no_contacts,
    "derived-only": derived_only,
    "parquet": parquet,
    "xlsx": xlsx,
    "middle": middle,
    "hostile": hostile,
    "min-count": min_count,
    "pseudonymised": pseudonymised,
    "big-2000": big,
    "single-metric": single_metric,
    "own-themes": own_themes,
}
SHAPES: list[str] = list(BUILDERS)
SMALL_SHAPES: list[str] = [s for s in SHAPES if s != "big-2000"]


class ShapeFactory:
    """Builds each shape once, on first use, under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._built: dict[str, Shape] = {}

    def get(self, name: str) -> Shape:
        if name not in self._built:
            self._built[name] = BUILDERS[name](self.root)
        return self._built[name]

    def __getitem__(self, name: str) -> Shape:
        return self.get(name)
