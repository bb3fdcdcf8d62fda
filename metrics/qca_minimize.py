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
MAX_CONDITIONS = 14      # 3^14 terms (4.8 million booleans) is the largest sweep allowed


def configurations_of(k: int) -> list[str]:
    return [format(m, f"0{k}b") for m in range(2 ** k)] if k else [""]


def _permitted_terms(permitted: Iterable[str], k: int) -> np.ndarray:
    """Boolean array of shape (3,)*k: whether every configuration of the term is permitted."""
    if k > MAX_CONDITIONS:
        raise ValueError(f"at most {MAX_CONDITIONS} conditions can be minimised, not {k}")
    a = np.zeros((3,) * k, dtype=bool)
    for config in permitted:
        a[tuple(int(ch) for ch in config)] = True
    for axis in range(k):
        lo = [slice(None)] * k
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
    return all(d == FREE or d == int(ch) for d, ch in zip(term, config))


def sort_key(term: Term) -> tuple:
    """R's order (admisc::sortExpressions): fewer literals first, then condition by condition
    ~X before X before X left out."""
    return (sum(d != FREE for d in term), tuple({0: 1, 1: 2, FREE: 3}[d] for d in term))


def notation(term: Term, names: Sequence[str]) -> str:
    """A term as R's QCA prints it: ``DEV*~URB``; the empty term (every configuration) is ``1``."""
    lits = [("~" if d == 0 else "") + n for d, n in zip(term, names) if d != FREE]
    return "*".join(lits) if lits else "1"


def _min_covers(masks: list[int], full: int) -> list[frozenset[int]]:
    """Every cover of ``full`` (a bitmask of chart columns) by the fewest of ``masks``."""
    by_column: dict[int, list[int]] = {}
    for p, m in enumerate(masks):
        bits = m
        while bits:
            low = bits & -bits
            by_column.setdefault(low, []).append(p)
            bits ^= low
    found: set[frozenset[int]] = set()

    def search(chosen: list[int], covered: int, budget: int) -> None:
        if covered == full:
            found.add(frozenset(chosen))
            return
        if budget == 0:
            return
        rest = full & ~covered
        best = None
        bits = rest
        while bits:
            low = bits & -bits
            if best is None or len(by_column[low]) < len(by_column[best]):
                best = low
            bits ^= low
        for p in by_column[best]:
            chosen.append(p)
            search(chosen, covered | masks[p], budget - 1)
            chosen.pop()

    for size in range(1, len(masks) + 1):
        search([], 0, size)
        if found:
            return sorted(found, key=lambda s: sorted(s))
    return []


def solve(on: Sequence[str], permitted: Iterable[str], k: int) -> list[tuple[Term, ...]]:
    """The models (each a tuple of terms, R's order) covering ``on`` with prime implicants of
    ``permitted`` (which must include ``on``); [] when ``on`` is empty."""
    on = sorted(set(on))
    if not on:
        return []
    index = {c: n for n, c in enumerate(on)}
    chart = []
    for term in sorted(prime_implicants(set(permitted) | set(on), k), key=sort_key):
        mask = sum(1 << index[c] for c in on if covers(term, c))
        if mask:
            chart.append((term, mask))
    masks = [m for _, m in chart]
    full = (1 << len(on)) - 1
    covers_found = _min_covers(masks, full)
    essential = set.intersection(*(set(c) for c in covers_found)) if covers_found else set()
    models = []
    for cover in covers_found:
        ordered = sorted(essential) + sorted(set(cover) - essential)
        models.append((tuple(chart[p][0] for p in ordered), tuple(sorted(set(cover) - essential))))
    models.sort(key=lambda m: m[1])
    return [terms for terms, _ in models]


def simplifying_assumptions(model: Sequence[Term], on: Iterable[str], k: int, remainders: Iterable[str]) -> list[str]:
    """The remainders that a model's terms cover (R's ``$SA``), in configuration order."""
    rem = set(remainders) - set(on)
    return sorted(c for c in rem if any(covers(t, c) for t in model))


def easy_counterfactuals(conservative: Sequence[Term], parsimonious: Sequence[Term],
                         assumptions: Iterable[str], expect: dict[int, int]) -> list[str]:
    """The simplifying assumptions of ``parsimonious`` that agree with the directional expectations,
    R's ``C_getEC``: each conservative term, for each parsimonious term it is a subset of, loses the
    literals the parsimonious term does not hold and that contradict an expectation (condition
    index -> expected digit); the assumptions covered by what remains are the easy ones."""
    reduced = []
    for comp in conservative:
        for pars in parsimonious:
            if not all(p == FREE or p == c for p, c in zip(pars, comp)):
                continue
            res = tuple(
                FREE if (p == FREE and c != FREE and j in expect and expect[j] != c) else c
                for j, (p, c) in enumerate(zip(pars, comp))
            )
            reduced.append(res)
    return sorted(a for a in set(assumptions) if any(covers(t, a) for t in reduced))
