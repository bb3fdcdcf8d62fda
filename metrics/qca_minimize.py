"""Boolean minimisation for QCA: prime implicants and every minimal cover (Quine-McCluskey).

A configuration is a string of "0"/"1", one character per condition in study order (R's truth
table row number minus 1 is its value as a binary number). A term is a tuple with one digit per
condition: 1 the condition present, 0 absent (``~``), 2 not in the term.

Prime implicants are the maximal terms whose configurations all lie in the permitted set (the
"1" rows, plus don't-cares); they are found for all 3^k terms at once (a term is permitted when
both halves on any free condition are), which is the Quine-McCluskey merging done in one sweep.
The prime-implicant chart keeps every cover of the "1" rows with the minimal number of prime
implicants, as R's QCA does (``minimize``, ``all.sol = FALSE``): ties are all kept (M1, M2, ...).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

Term = tuple[int, ...]
FREE = 2
MAX_CONDITIONS = 14  # 3^14 terms (4.8 million booleans) is the largest sweep allowed
SEARCH_BUDGET = 1_000  # branches of the cover search before a chart counts as too complex


class TooComplex(Exception):
    """The prime-implicant chart is too complex to search every minimal cover."""


def configurations_of(k: int) -> list[str]:
    return [format(m, f"0{k}b") for m in range(2**k)] if k else [""]


def _permitted_terms(permitted: Iterable[str], k: int) -> np.ndarray:
    """Boolean array of shape (3,)*k: whether every configuration of the term is permitted."""
    if k > MAX_CONDITIONS:
        raise ValueError(f"at most {MAX_CONDITIONS} conditions can be minimised, not {k}")
    a = np.zeros((3,) * k, dtype=bool)
    for config in permitted:
        a[tuple(int(ch) for ch in config)] = True
    for axis in range(k):
        lo: list[slice | int] = [slice(None)] * k
        hi, free = list(lo), list(lo)
        lo[axis], hi[axis], free[axis] = 0, 1, 2
        a[tuple(free)] = a[tuple(lo)] & a[tuple(hi)]
    return a


def prime_implicants(permitted: Iterable[str], k: int) -> list[Term]:
    """Every prime implicant of the permitted configurations (unsorted)."""
    permitted = list(permitted)
    if not permitted:
        return []
    a = _permitted_terms(permitted, k)
    prime = a.copy()
    for axis in range(k):
        fixed, free = [slice(None)] * k, [slice(None)] * k
        free[axis] = slice(2, 3)
        for digit in (0, 1):
            fixed[axis] = slice(digit, digit + 1)
            prime[tuple(fixed)] &= ~a[tuple(free)]
    return [tuple(int(d) for d in t) for t in np.argwhere(prime)]


def covers(term: Term, config: str) -> bool:
    mask, value = term_bits(term)
    return int(config, 2) & mask == value if config else True


def term_bits(term: Term) -> tuple[int, int]:
    """(mask, value) of a term over configurations read as binary numbers (first condition highest)."""
    k = len(term)
    mask = sum(1 << (k - 1 - j) for j, d in enumerate(term) if d != FREE)
    value = sum(1 << (k - 1 - j) for j, d in enumerate(term) if d == 1)
    return mask, value


def sort_key(term: Term) -> tuple:
    """R's order (admisc::sortExpressions): fewer literals first, then condition by condition
    ~X before X before X left out."""
    return (sum(d != FREE for d in term), tuple({0: 1, 1: 2, FREE: 3}[d] for d in term))


def notation(term: Term, names: Sequence[str]) -> str:
    """A term as R's QCA prints it: ``DEV*~URB``; the empty term (every configuration) is ``1``."""
    lits = [("~" if d == 0 else "") + n for d, n in zip(term, names) if d != FREE]
    return "*".join(lits) if lits else "1"


def _min_covers(masks: list[int], full: int) -> list[frozenset[int]]:
    """Every cover of ``full`` (a bitmask of chart columns) by the fewest of ``masks``.

    Branch on the open column with the fewest prime implicants; the i-th of them is taken with
    the earlier ones excluded, so each cover is met once. A column whose implicants all cover
    another column too is left out (covering the other covers it)."""
    columns = _columns(masks, full)
    found: list[frozenset[int]] = []
    spent = [0]

    def search(chosen: list[int], open_cols: list[int], banned: int, budget: int, stop: bool) -> None:
        spent[0] += 1
        if spent[0] > SEARCH_BUDGET:
            raise TooComplex
        if not open_cols:
            found.append(frozenset(chosen))
            return
        if budget == 0 or (stop and found):
            return
        best = min(open_cols, key=lambda c: (columns[c] & ~banned).bit_count())
        options = columns[best] & ~banned
        if _lower_bound(open_cols, columns, banned) > budget:
            return
        while options:
            low = options & -options
            p = low.bit_length() - 1
            rest = [c for c in open_cols if not (columns[c] >> p) & 1]
            chosen.append(p)
            search(chosen, rest, banned, budget - 1, stop)
            chosen.pop()
            banned |= low
            options ^= low

    cols = list(columns)
    for size in range(1, len(masks) + 1):
        search([], cols, 0, size, True)
        if found:
            found.clear()
            search([], cols, 0, size, False)
            return sorted(set(found), key=lambda s: sorted(s))
    return []


def _columns(masks: list[int], full: int) -> dict[int, int]:
    """Column -> bitmask of the implicants covering it, without dominated columns."""
    cols: dict[int, int] = {}
    for p, m in enumerate(masks):
        bits = m & full
        while bits:
            low = bits & -bits
            cols[low.bit_length() - 1] = cols.get(low.bit_length() - 1, 0) | (1 << p)
            bits ^= low
    distinct = sorted(set(cols.values()), key=int.bit_count)
    keep: list[int] = []
    for v in distinct:
        if not any(k & v == k for k in keep):
            keep.append(v)
    first = {}
    for c, v in sorted(cols.items()):
        if v in keep and v not in first:
            first[v] = c
    return {c: v for v, c in first.items()}


def _lower_bound(open_cols: list[int], columns: dict[int, int], banned: int) -> int:
    """Columns that share no implicant each need one of their own."""
    used, bound = 0, 0
    for c in sorted(open_cols, key=lambda c: (columns[c] & ~banned).bit_count()):
        v = columns[c] & ~banned
        if not v:
            return 1 << 30
        if not v & used:
            used |= v
            bound += 1
    return bound


def solve(on: Sequence[str], permitted: Iterable[str], k: int) -> list[tuple[Term, ...]]:
    """The models (each a tuple of terms, R's order) covering ``on`` with prime implicants of
    ``permitted`` (which must include ``on``); [] when ``on`` is empty."""
    return solve_checked(on, permitted, k)[0]


def _greedy(masks: list[int], full: int) -> list[frozenset[int]]:
    chosen, covered = [], 0
    while covered != full:
        p = max(range(len(masks)), key=lambda i: ((masks[i] & ~covered).bit_count(), -i))
        chosen.append(p)
        covered |= masks[p]
    return [frozenset(chosen)]


def solve_checked(on: Sequence[str], permitted: Iterable[str], k: int) -> tuple[list[tuple[Term, ...]], bool]:
    """``solve`` and whether the models are every minimal cover: a chart too complex to search
    within ``SEARCH_BUDGET`` gives one cover found greedily (not guaranteed minimal), and False."""
    on = sorted(set(on))
    if not on:
        return [], True
    codes = [int(c, 2) if c else 0 for c in on]
    chart = []
    for term in sorted(prime_implicants(set(permitted) | set(on), k), key=sort_key):
        tm, tv = term_bits(term)
        mask = sum(1 << n for n, c in enumerate(codes) if c & tm == tv)
        if mask:
            chart.append((term, mask))
    masks = [m for _, m in chart]
    full = (1 << len(on)) - 1
    complete = True
    try:
        covers_found = _min_covers(masks, full)
    except TooComplex:
        covers_found, complete = _greedy(masks, full), False
    essential = set.intersection(*(set(c) for c in covers_found)) if covers_found else set()
    models = []
    for cover in covers_found:
        ordered = sorted(essential) + sorted(set(cover) - essential)
        models.append((tuple(chart[p][0] for p in ordered), tuple(sorted(set(cover) - essential))))
    models.sort(key=lambda m: m[1])
    return [terms for terms, _ in models], complete


def simplifying_assumptions(model: Sequence[Term], on: Iterable[str], k: int, remainders: Iterable[str]) -> list[str]:
    """The remainders that a model's terms cover (R's ``$SA``), in configuration order."""
    rem = set(remainders) - set(on)
    bits = [term_bits(t) for t in model]
    return sorted(c for c in rem if any(int(c, 2) & m == v for m, v in bits))


def easy_counterfactuals(
    conservative: Sequence[Term], parsimonious: Sequence[Term], assumptions: Iterable[str], expect: dict[int, int]
) -> list[str]:
    """The simplifying assumptions of ``parsimonious`` that agree with the directional expectations,
    R's ``C_getEC``: each conservative term, for each parsimonious term it is a subset of, loses the
    literals the parsimonious term does not hold and that contradict an expectation (condition
    index -> expected digit); the assumptions covered by what remains are the easy ones."""
    reduced = []
    for comp in conservative:
        for pars in parsimonious:
            if not all(p in (FREE, c) for p, c in zip(pars, comp)):
                continue
            res = tuple(
                FREE if (p == FREE and c != FREE and j in expect and expect[j] != c) else c
                for j, (p, c) in enumerate(zip(pars, comp))
            )
            reduced.append(res)
    bits = [term_bits(t) for t in set(reduced)]
    return sorted(a for a in set(assumptions) if any(int(a, 2) & m == v for m, v in bits))
