"""Generate crosscase's example study: seven SYNTHETIC sites, illustrative data only.

    python data/generate_example.py [OUTDIR]     (default: data/example next to this script)

The example is modelled on the pattern reported by Gillard et al. 2024 (BMC Health Services
Research, doi 10.1186/s12913-024-11447-5), a comparative case study of peer support for discharge
from inpatient to community mental health care in the seven sites of the ENRICH trial. No value
here comes from that trial: every site, participant, contact, rating and memo is invented.

The pattern it encodes:
- High-engagement sites (S1 Northgate, S3 Eastbrook, S5 Ashcombe) have high fidelity to peer
  support principles, well-resourced supervision (>= 4 hours per peer worker per month), positive
  relationships with ward staff and NHS employers; they are positive on clinical team preparation,
  ward relationships, supervisor resourcing and consistent delivery.
- Low-engagement sites (S2 Fenmoor, S7 Marshby, S6 Kestrel Vale) mostly employ peer workers in
  not-for-profit organisations and/or are rural; supervision is constrained, ward relationships
  are harder, and they are negative on cross-organisation working and geography and capacity.
- S4 Harrowfield sits in the middle (the median site).
Honest noise, so that not every attribute lines up:
- S5 Ashcombe is a RURAL NHS site with fairly good engagement (rural is not sufficient for low).
- S6 Kestrel Vale is an URBAN NHS site with low engagement: its problems are thin supervision and
  a difficult relationship with the wards, not its employer or geography.
- S4 Harrowfield is a not-for-profit urban site doing middling, with good ward relationships.
- The four fidelity domains do not move in lockstep (e.g. reciprocity at Kestrel Vale).
- leadership-support and funding-and-sustainability do not distinguish the groups, and
  boundary-crossing runs the "wrong" way: not-for-profit peer workers are rated a little higher
  for bridging into community services.

Site-level values and ratings are set by hand below; participants and contacts are drawn from
random.Random(SEED), with the number of engaged participants fixed by each site's target share,
so the derived engagement follows the design. Output is deterministic byte for byte.
"""

import csv
import datetime
import random
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

SEED = 20240517
NFP = "Not-for-profit"

# site, label, employer, setting, peer_workers, supervisors, fidelity domains
# (trust, reciprocity, leadership, community), supervisor_hours, ward_relationship,
# target engagement, mean extra contacts per engaged participant
SITES = [
    ("S1", "Northgate", "NHS", "Urban", 4, 1, (4.40, 4.10, 4.30, 4.00), 6.0, 5, 0.83, 4.0),
    ("S2", "Fenmoor", NFP, "Rural", 2, 1, (3.10, 2.80, 3.30, 3.40), 1.5, 2, 0.36, 1.5),
    ("S3", "Eastbrook", "NHS", "Urban", 5, 2, (4.20, 4.40, 3.80, 4.10), 4.5, 4, 0.76, 3.5),
    ("S4", "Harrowfield", NFP, "Urban", 3, 1, (3.90, 3.20, 3.50, 3.80), 3.0, 4, 0.60, 2.5),
    ("S5", "Ashcombe", "NHS", "Rural", 3, 1, (4.10, 4.00, 3.60, 3.70), 4.0, 4, 0.71, 3.0),
    ("S6", "Kestrel Vale", "NHS", "Urban", 4, 1, (3.50, 3.60, 2.90, 3.20), 2.5, 2, 0.48, 2.0),
    ("S7", "Marshby", NFP, "Urban", 2, 1, (3.00, 3.40, 2.60, 3.20), 2.0, 3, 0.41, 1.5),
]

THEMES = [
    "leadership-support", "peer-role-clarity", "training-and-supervision",
    "clinical-team-preparation", "ward-staff-relationships", "supervisor-resourcing",
    "consistent-delivery", "cross-organisation-working", "geography-and-capacity",
    "boundary-crossing", "organisational-culture", "funding-and-sustainability",
]

# One row per theme, in THEMES order; columns S1..S7.
RATINGS = [
    ["+1", "-1", "X", "+1", "0", "+1", "0"],             # leadership-support: mixed, no pattern
    ["+2", "0", "+1", "+1", "+1", "0", "-1"],            # peer-role-clarity
    ["+2", "-1", "+1", "0", "+1", "X", "-1"],            # training-and-supervision
    ["+2", "-2", "+2", "0", "+1", "-1", "-1"],           # clinical-team-preparation
    ["+2", "-2", "+1", "+1", "+1", "-2", "X"],           # ward-staff-relationships
    ["+2", "-2", "+2", "-1", "+1", "-1", "-2"],          # supervisor-resourcing
    ["+2", "-1", "+2", "0", "+1", "-1", "-2"],           # consistent-delivery
    ["N/A", "-2", "+1", "-1", "0", "0", "-2"],           # cross-organisation-working
    ["+1", "-2", "+1", "0", "-1", "0", "-1"],            # geography-and-capacity
    ["0", "+1", "-1", "+1", "0", "0", "+1"],             # boundary-crossing: the "wrong" way
    ["+1", "-1", "+1", "Missing", "+1", "-1", "-1"],     # organisational-culture
    ["-1", "-1", "0", "-1", "-1", "Missing", "0"],       # funding-and-sustainability: flat
]

# Synthetic evaluator memos per theme: (positive, neutral, negative). {s} is the site label.
MEMOS = {
    "leadership-support": (
        "Managers at {s} were described as visible champions of the peer role.",
        "Peer workers at {s} said senior managers were supportive but rarely involved.",
        "Peer workers at {s} described little contact with senior leaders after set-up."),
    "peer-role-clarity": (
        "Peer workers at {s} described a clear, shared understanding of what the role was for.",
        "The role at {s} was understood by the team but less so by ward staff.",
        "Peer workers at {s} described being asked to cover tasks outside the peer role."),
    "training-and-supervision": (
        "Peer workers at {s} described regular group and one-to-one supervision after training.",
        "Training at {s} was completed as planned; supervision was adequate but irregular.",
        "Peer workers at {s} described gaps between training and their first supervision."),
    "clinical-team-preparation": (
        "The supervisor at {s} met clinical teams regularly to prepare them for peer workers.",
        "Clinical teams at {s} were briefed once at the start, with little follow-up.",
        "Peer workers at {s} described clinical teams unsure why they were on the ward."),
    "ward-staff-relationships": (
        "Peer workers at {s} described ward staff who referred people and made them welcome.",
        "Relationships with ward staff at {s} were described as polite but distant.",
        "Peer workers at {s} described difficulty getting onto wards and being seen as visitors."),
    "supervisor-resourcing": (
        "The supervisor role at {s} had protected time and cover for leave.",
        "The supervisor at {s} managed, though supervision competed with other duties.",
        "The supervisor at {s} described too few hours for the number of peer workers."),
    "consistent-delivery": (
        "Delivery at {s} followed the intervention manual closely, by the evaluator's reading.",
        "Delivery at {s} was broadly in line with the manual, with some local variation.",
        "Peer workers at {s} described adapting sessions ad hoc as cover and caseloads shifted."),
    "cross-organisation-working": (
        "Information sharing between organisations at {s} was described as routine.",
        "Joint working at {s} was workable but depended on a few individuals.",
        "The supervisor at {s} described barriers to access and records across organisations."),
    "geography-and-capacity": (
        "Short travel distances at {s} left time for team meetings and joint visits.",
        "Travel at {s} took time but was described as manageable.",
        "Peer workers at {s} described long journeys that cut into contact and team time."),
    "boundary-crossing": (
        "Peer workers at {s} described easy links between wards and community groups.",
        "Peer workers at {s} made some community links, mostly through existing services.",
        "Peer workers at {s} described staying mostly within statutory services."),
    "organisational-culture": (
        "Peer workers at {s} described a culture that valued lived experience in the team.",
        "The culture at {s} was described as neither welcoming nor resistant.",
        "Peer workers at {s} described a culture where lived experience counted for little."),
    "funding-and-sustainability": (
        "Managers at {s} described plans to fund the roles beyond the study.",
        "Managers at {s} were unsure whether the roles would continue after the study.",
        "Peer workers at {s} described worry that the posts would end with study funding."),
}
MEMO_OVERRIDES = {
    ("S1", "cross-organisation-working"):
        "Not applicable: peer workers, supervisor and wards at Northgate sat within one trust.",
    ("S3", "leadership-support"):
        "Eastbrook leadership memos were mixed: strong early sponsors, then a change of manager.",
    ("S6", "training-and-supervision"):
        "Kestrel Vale training was praised, but supervision was described as often cancelled.",
    ("S7", "ward-staff-relationships"):
        "Peer workers at Marshby described one welcoming ward and one where access was refused.",
}
MISSING_MEMO = "Too little interview material on this theme at {s} to rate it."

SITE_COLUMNS = [
    "site", "label", "employer", "setting", "peer_workers", "supervisors", "fidelity",
    "fidelity_trust", "fidelity_reciprocity", "fidelity_leadership", "fidelity_community",
    "supervisor_hours", "ward_relationship",
]

STUDY_TOML = '''\
# crosscase example study: ILLUSTRATIVE, SYNTHETIC data (data/generate_example.py writes it).
# Copy this folder and edit it to start your own study; docs/study-format.md is the contract.

[study]
title = "Peer support for discharge from inpatient care: an illustrative comparative case study"
description = "Seven synthetic sites modelled on the pattern reported by Gillard et al. 2024 (doi 10.1186/s12913-024-11447-5). Illustrative data, not trial data."
synthetic = true           # puts an "illustrative data" banner on every view and export

# The outcome splits sites into high and low groups: here by the median of engagement.
# second = the metric used when split = "quadrants" (high on both / low on both).
[outcome]
metric = "engagement"
split = "median"
second = "fidelity"

# One [metrics.KEY] table per metric. KEY is a column of sites.csv, unless the metric has
# `derive`: then it is computed from contacts.csv and sites.csv must not have that column.

[metrics.engagement]
label = "Engagement"
unit = "share of participants with at least one face-to-face contact after discharge"
min = 0.0
max = 1.0
derive = { from = "contacts", rule = "share_with_at_least", n = 1 }

[metrics.contacts_per_participant]
label = "Contacts per participant"
unit = "mean face-to-face contacts per participant"
min = 0.0
derive = { from = "contacts", rule = "mean_contacts" }

[metrics.participants]
label = "Participants"
derive = { from = "contacts", rule = "participants" }
count = true               # a count of people: disclosure control applies

# Peer support fidelity index: overall score = mean of the four domain scores.
[metrics.fidelity]
label = "Fidelity (overall)"
unit = "peer support fidelity index, mean item score 1-5"
min = 1.0
max = 5.0

[metrics.fidelity_trust]
label = "Fidelity: trusting relationships based on shared lived experience"
unit = "mean item score 1-5"
min = 1.0
max = 5.0

[metrics.fidelity_reciprocity]
label = "Fidelity: reciprocity and mutuality"
unit = "mean item score 1-5"
min = 1.0
max = 5.0

[metrics.fidelity_leadership]
label = "Fidelity: leadership, choice and control"
unit = "mean item score 1-5"
min = 1.0
max = 5.0

[metrics.fidelity_community]
label = "Fidelity: building strengths and connections to community"
unit = "mean item score 1-5"
min = 1.0
max = 5.0

[metrics.supervisor_hours]
label = "Supervisor hours"
unit = "supervision hours per peer worker per month"
min = 0.0
max = 40.0

[metrics.ward_relationship]
label = "Relationship with ward staff"
unit = "researcher rating 1 (challenging) to 5 (positive)"
min = 1
max = 5

# Staff numbers, not participants: count = false, so disclosure control does not hide them.
[metrics.peer_workers]
label = "Peer workers"
min = 0
count = false

[metrics.supervisors]
label = "Supervisors"
min = 0
count = false

# How a theme is judged to distinguish high from low sites (see the docs for the rules).
[distinguishing]
rule = "gap"

# What may leave a secure environment: counts of people below min_count show as "<10".
[disclosure]
min_count = 10
pseudonymise = false       # true: site ids and labels become "Site A", "Site B", ...

# Crisp conditions for the configuration table: a metric with at_least / at_most,
# or a sites.csv attribute column with equals.
[[condition]]
name = "Well-resourced supervision"
metric = "supervisor_hours"
at_least = 4

[[condition]]
name = "Positive ward relationships"
metric = "ward_relationship"
at_least = 4

[[condition]]
name = "NHS employer"
attribute = "employer"
equals = "NHS"

[[condition]]
name = "Urban setting"
attribute = "setting"
equals = "Urban"

# Set-theoretic analysis (crosscase qca; the QCA screen, key Q): every [[condition]] above, and
# calibrated ones. A name that is a QCA name (a letter, then letters, digits or _) is used in the
# terms; the others are written C1, C2, ... (the order of the conditions here).
# fuzzy = [full exclusion, crossover, full inclusion]: direct calibration of a metric (log odds).
[[condition]]
name = "SUP"
metric = "supervisor_hours"
fuzzy = [2.0, 3.5, 5.0]

# A rating condition: membership 1 when the site's rating of the theme is at least +1.
[[condition]]
name = "PREP"
theme = "clinical-team-preparation"
at_least = 1

# The outcome here is engagement calibrated into the set of high-engagement sites (the middle
# site takes part too); outcome = "high" would use the high group of the split instead.
[qca]
outcome = { metric = "engagement", fuzzy = [0.4, 0.55, 0.75] }
incl_cut = 0.8
n_cut = 1
expect = { SUP = "present", PREP = "present" }   # directional expectations: the intermediate solution

# Statistics by themes: a theme and the metric that measures the same thing. Compare and the
# Literature screen show the metric's effect next to the theme's label, with how well they fit.
[[link]]
theme = "supervisor-resourcing"
metric = "supervisor_hours"

[[link]]
theme = "ward-staff-relationships"
metric = "ward_relationship"
'''


def two_dp(x: Decimal) -> str:
    """Round half up to two decimals (not banker's rounding) and format."""
    return str(x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def site_rows():
    for site, label, employer, setting, pw, sup, dom, hours, ward, *_ in SITES:
        overall = two_dp(sum(Decimal(repr(d)) for d in dom) / 4)
        yield [site, label, employer, setting, pw, sup, overall,
               *(f"{d:.2f}" for d in dom), f"{hours:.1f}", ward]


def contact_rows(rng: random.Random):
    first_discharge = datetime.date(2017, 3, 1)
    pid = 0
    for site, *_rest in SITES:
        target, extra_mean = _rest[-2], _rest[-1]
        n = rng.randint(30, 60)
        engaged = set(rng.sample(range(n), round(target * n)))
        for i in range(n):
            pid += 1
            participant = f"P{pid:04d}"
            if i not in engaged:
                yield [site, participant, "", ""]
                continue
            discharge = first_discharge + datetime.timedelta(days=rng.randint(0, 850))
            k = 1 + sum(rng.random() < extra_mean / 10 for _ in range(10))
            for day in sorted(rng.sample(range(1, 121), k)):
                when = discharge + datetime.timedelta(days=day)
                minutes = 5 * ((rng.randint(15, 120) + rng.randint(15, 120)) // 10)
                yield [site, participant, when.isoformat(), minutes]


def rating_rows():
    for col, (site, label, *_) in enumerate(SITES):
        for theme, row in zip(THEMES, RATINGS):
            token = row[col]
            if (site, theme) in MEMO_OVERRIDES:
                memo = MEMO_OVERRIDES[(site, theme)]
            elif token == "Missing":
                memo = MISSING_MEMO.format(s=label)
            else:
                pos, neutral, neg = MEMOS[theme]
                memo = (pos if token.startswith("+") else neg if token.startswith("-")
                        else neutral).format(s=label)
            yield [site, theme, token, memo]


# Two raters rated every cell independently before the consensus meeting that gave ratings.csv
# (ratings/ana.csv, ratings/ben.csv). Drawn from random.Random(RATER_SEED), cell by cell: usually
# both gave the consensus token; on some cells one rater was a point off (now and then two, or X
# where the consensus settled on a valence); on a few both were off in opposite directions and the
# consensus met in the middle. Where the consensus is X, Missing or N/A, one rater may have given a
# valence, or (Missing) left the cell out.
RATERS = ("ana", "ben")
RATER_SEED = SEED + 1
VALENCES = ("-2", "-1", "0", "+1", "+2")


def _memo(theme: str, token: str, label: str) -> str:
    if token == "Missing":
        return MISSING_MEMO.format(s=label)
    pos, neutral, neg = MEMOS[theme]
    return (pos if token.startswith("+") else neg if token.startswith("-") else neutral).format(s=label)


def _off(rng: random.Random, token: str, direction: int | None = None) -> str | None:
    """A rater's token on a cell where they differ from the consensus ``token`` (None: no row)."""
    if token in VALENCES:
        if direction is None and rng.random() < 0.12:
            return "X"
        at = VALENCES.index(token)
        step = 2 if rng.random() < 0.15 else 1
        if direction is None:
            direction = rng.choice((-1, 1))
        if not 0 <= at + direction * step < len(VALENCES):
            direction = -direction
        return VALENCES[max(0, min(len(VALENCES) - 1, at + direction * step))]
    if token == "Missing" and rng.random() < 0.5:
        return None
    return rng.choice(("-1", "0", "+1"))


def rater_tables():
    """rater -> rows of ratings/RATER.csv (ratings.csv's columns, the rater's memo as evidence)."""
    rng = random.Random(RATER_SEED)
    labels = {site: label for site, label, *_ in SITES}
    tables = {name: [] for name in RATERS}
    for site, theme, token, memo in rating_rows():
        given = dict.fromkeys(RATERS, token)
        draw = rng.random()
        if draw < 0.17:
            given["ana"] = _off(rng, token)
        elif draw < 0.34:
            given["ben"] = _off(rng, token)
        elif draw < 0.39 and token in VALENCES[1:-1]:
            direction = rng.choice((-1, 1))
            given["ana"], given["ben"] = _off(rng, token, direction), _off(rng, token, -direction)
        for name, mine in given.items():
            if mine is not None:
                tables[name].append([site, theme, mine, memo if mine == token else _memo(theme, mine, labels[site])])
    return tables


# evidence.csv: a few short coded excerpts per rated cell (none where the cell is Missing or N/A),
# ILLUSTRATIVE like everything here: invented interview lines, marked "(illustrative)", drawn from
# random.Random(EVIDENCE_SEED) so that the file is the same byte for byte on every run.
EVIDENCE_SEED = SEED + 2
ROLES = ("peer worker", "ward manager", "ward nurse", "peer supervisor", "service lead")
QUOTES = {
    "+": ("It just worked here, and people could see why it mattered.",
          "We had proper backing for this from the start.",
          "Nobody had to be talked into it; it was part of how we worked."),
    "0": ("Some weeks it was fine, some weeks it wasn't.",
          "It depended a lot on who was on shift.",
          "Hard to say either way, honestly."),
    "-": ("It never really got going, if I'm honest.",
          "We kept running into the same problem with it.",
          "Everyone agreed it mattered, and then nothing changed."),
    "X": ("The managers were behind it; the night staff much less so.",
          "Half the team loved it and half ignored it."),
}


def evidence_rows():
    rng = random.Random(EVIDENCE_SEED)
    for col, (site, label, *_) in enumerate(SITES):
        for theme, row in zip(THEMES, RATINGS):
            token = row[col]
            if token in ("Missing", "N/A"):
                continue
            quotes = QUOTES["X" if token == "X" else token[0] if token[0] in "+-" else "0"]
            for n, quote in enumerate(rng.sample(quotes, rng.choice((1, 2, 2))), start=1):
                role = rng.choice(ROLES)
                source = f"interview-{site}-{rng.randint(1, 12):02d}"
                yield [site, theme, f"(illustrative) {role}: \"{quote}\"", source]


def write_csv(path: Path, header, rows) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def generate(outdir: Path) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    with open(outdir / "study.toml", "w", newline="\n", encoding="utf-8") as f:
        f.write(STUDY_TOML)
    write_csv(outdir / "sites.csv", SITE_COLUMNS, site_rows())
    write_csv(outdir / "contacts.csv", ["site", "participant", "date", "minutes"],
              contact_rows(rng))
    write_csv(outdir / "ratings.csv", ["site", "theme", "rating", "evidence"], rating_rows())
    write_csv(outdir / "evidence.csv", ["site", "theme", "excerpt", "source"], evidence_rows())
    (outdir / "ratings").mkdir(exist_ok=True)
    for name, rows in rater_tables().items():
        write_csv(outdir / "ratings" / f"{name}.csv", ["site", "theme", "rating", "evidence"], rows)


if __name__ == "__main__":
    default = Path(__file__).resolve().parent / "example"
    generate(Path(sys.argv[1]) if len(sys.argv) > 1 else default)
