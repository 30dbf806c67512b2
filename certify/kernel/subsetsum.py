"""Exact 0/1 solutions of F y = t: the subset-sum conditions of theory.md §3.4–3.7.

Every honesty condition of the shallow theory is of the form "is there a subset T with
Σ_{i∈T} v_i = t" for rational vectors v_i (flip matrices F_i = a_i w_i^T, possibly
projected onto a subspace).  Deciding it is NP-hard in general (ZERO-SUBSET-SUM, §3.7),
so this module decides it exactly with an explicit cost and fails closed past a budget:

* kernel enumeration: bring [F | t] to reduced echelon form.  A solution y is fixed by
  its values on the κ = n − rank F free columns, so the 2^κ patterns of free values
  cover every solution (generic parameters with n ≤ m·d have κ = 0: one pattern);
* meet in the middle on the reduced system: 2^⌈n/2⌉ + 2^⌊n/2⌋ partial sums, better when
  κ > n/2 (e.g. m = d = 1, where rank F ≤ 1).

Both are complete; the cheaper one runs.  Arithmetic is over the integers (each reduced
row scaled by its denominators) with a Gray-code walk over the free values.

Trusts: ``exact``, ``clock``, python-flint (exact elimination).
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Sequence

from flint import fmpq, fmpq_mat, nmod_mat

from .clock import tick


class TooExpensive(Exception):
    """The exact decision would exceed the budget; ``cost`` is the number of patterns needed."""

    def __init__(self, cost: int, method: str, n: int | None = None, kappa: int | None = None,
                 budget: int | None = None):
        detail = f"n = {n}, κ = n − rank F = {kappa}: " if n is not None else ""
        over = f" > budget {budget}" if budget is not None else ", over budget"
        super().__init__(f"{detail}the exact subset test needs {cost} patterns ({method}){over}")
        self.cost = cost
        self.method = method


def _reduce(columns: Sequence[Sequence[Fraction]], target: Sequence[Fraction] | None, dim: int
            ) -> tuple[list[tuple[list[int], int, int]], list[int], list[int]] | None:
    """Integer rows (coefficients on free columns, rhs, pivot-scale) of rref[F | t].

    Returns (rows, pivots, free) or None if F y = t has no rational solution at all.
    """
    n = len(columns)
    t = list(target) if target is not None else [Fraction(0)] * dim
    entries = []
    for r in range(dim):
        row = [columns[i][r] for i in range(n)] + [t[r]]
        if any(row):
            entries.append(row)
    if not entries:
        return [], [], list(range(n))
    mat = fmpq_mat(len(entries), n + 1, [fmpq(q.numerator, q.denominator) for row in entries for q in row])
    ref, rank = mat.rref()
    table = ref.tolist()
    rows, pivots = [], []
    for k in range(rank):
        vals = [Fraction(int(x.p), int(x.q)) for x in table[k]]
        p = next(j for j, x in enumerate(vals) if x)
        if p == n:  # 0 = nonzero: inconsistent
            return None
        den = math.lcm(*(x.denominator for x in vals))
        pivots.append(p)
        rows.append(([int(x * den) for x in vals[:n]], int(vals[n] * den), den))
    free = [j for j in range(n) if j not in set(pivots)]
    return rows, pivots, free


PRIME = (1 << 61) - 1


def _full_rank_mod_p(columns, n: int, dim: int) -> bool:
    """rank of [columns] modulo the Mersenne prime 2^61 − 1 equals n (a lower bound for rank over Q)."""
    rows = []
    for r in range(dim):
        row = []
        for i in range(n):
            q = columns[i][r]
            if q.denominator % PRIME == 0:
                return False
            row.append(q.numerator * pow(q.denominator, -1, PRIME) % PRIME if q.denominator != 1 else q.numerator % PRIME)
        if any(row):
            rows.append(row)
    if len(rows) < n:
        return False
    return nmod_mat(len(rows), n, [x for row in rows for x in row], PRIME).rank() == n


def plan(n: int, free: int) -> tuple[str, int]:
    """(method, number of patterns) of the cheaper complete method."""
    enum = 2 ** free
    mitm = 2 ** ((n + 1) // 2) + 2 ** (n // 2)
    return ("kernel-enumeration", enum) if enum <= mitm else ("meet-in-the-middle", mitm)


def solve01(columns: Sequence[Sequence[Fraction]], target: Sequence[Fraction] | None = None,
            nonempty: bool = True, budget: int = 1 << 20, dim: int | None = None,
            stats: dict | None = None) -> list[int] | None:
    """A subset T (sorted indices) with Σ_{i∈T} columns[i] = target, or None if none exists.

    ``target`` None means 0; ``nonempty`` excludes T = ∅.  Raises TooExpensive when the
    complete decision needs more than ``budget`` patterns.  ``stats`` (if given) receives
    the rank, κ = n − rank, the method and its pattern count.
    """
    n = len(columns)
    dim = len(columns[0]) if n else (dim if dim is not None else (len(target) if target else 0))
    zero_target = target is None or not any(target)
    if n == 0:
        return [] if zero_target and not nonempty else None
    if zero_target and dim >= n and _full_rank_mod_p(columns, n, dim):
        # rank F = n over F_p, hence over Q: F y = 0 only for y = 0 (κ = 0, one pattern)
        if stats is not None:
            stats.update(rank=n, kappa=0, method="rank mod p", patterns=1)
        return None if nonempty else []
    reduced = _reduce(columns, target, dim)
    if reduced is None:
        return None
    rows, pivots, free = reduced
    if not rows:  # F = 0 and t = 0: every y solves it
        return [0] if nonempty and zero_target else []
    method, cost = plan(n, len(free))
    if stats is not None:
        stats.update(rank=len(rows), kappa=len(free), method=method, patterns=min(cost, budget))
    # Past the budget the search still runs up to ``budget`` patterns: finding a solution
    # needs no completeness; only "none exists" does (then TooExpensive, fail closed).
    limit = min(cost, budget)
    if method == "kernel-enumeration" or cost > budget:
        found = _enumerate(rows, pivots, free, n, nonempty and zero_target, limit)
    else:
        found = _meet(rows, n, nonempty and zero_target)
    if found is None and cost > budget:
        raise TooExpensive(cost, method, n, len(free), budget)
    return found


def _enumerate(rows, pivots, free, n, nonempty, limit: int) -> list[int] | None:
    """Gray-code walk over (at most ``limit`` of) the free values; pivots follow from the rows."""
    # value of pivot k (times its scale) = rhs_k − Σ_f coef_k[f] y_f
    acc = [rhs for _, rhs, _ in rows]
    y_free = [0] * len(free)
    for step in range(min(1 << len(free), limit)):
        if step & 4095 == 0:
            tick()
        if step:
            bit = (step & -step).bit_length() - 1  # Gray code: flip one free value per step
            f = free[bit]
            sign = -1 if y_free[bit] == 0 else 1
            y_free[bit] ^= 1
            for k, (coef, _, _) in enumerate(rows):
                if coef[f]:
                    acc[k] += sign * coef[f]
        if all(a == 0 or a == den for a, (_, _, den) in zip(acc, rows)):
            chosen = [p for p, a in zip(pivots, acc) if a] + [f for f, v in zip(free, y_free) if v]
            if chosen or not nonempty:
                return sorted(chosen)
    return None


def _meet(rows, n, nonempty) -> list[int] | None:
    """Meet in the middle on the reduced system R y = rhs (same solutions as F y = t)."""
    half = (n + 1) // 2
    coef = [c for c, _, _ in rows]
    rhs = tuple(r for _, r, _ in rows)

    def sums(indices):
        out: dict[tuple, list[int]] = {}
        for mask in range(1 << len(indices)):
            if mask & 4095 == 0:
                tick()
            s = tuple(sum(c[indices[b]] for b in range(len(indices)) if mask >> b & 1) for c in coef)
            bucket = out.setdefault(s, [])
            if len(bucket) < 2:  # keep the empty subset and one nonempty one per sum
                bucket.append(mask)
        return out

    left, right = list(range(half)), list(range(half, n))
    table = sums(left)
    for mask in range(1 << len(right)):
        if mask & 4095 == 0:
            tick()
        s = tuple(r - sum(c[right[b]] for b in range(len(right)) if mask >> b & 1) for c, r in zip(coef, rhs))
        for lmask in table.get(s, ()):
            chosen = [left[b] for b in range(len(left)) if lmask >> b & 1] + \
                     [right[b] for b in range(len(right)) if mask >> b & 1]
            if chosen or not nonempty:
                return sorted(chosen)
    return None
