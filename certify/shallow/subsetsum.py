"""Zero-subset-sum search for the honesty conditions (theory.md §3.7), exact with an accelerator.

The complete exact method (kernel enumeration over 2^κ patterns, κ = n − rank F, or
meet in the middle) lives in ``certify.kernel.subsetsum``: it is the only way to prove
that *no* subset works.  To *find* a subset when the complete method is too expensive,
a 0/1 integer program (pulp with HiGHS, CBC as fallback) proposes one:

    find y ∈ {0,1}^n,  Σ y ≥ 1,  F y = t    (rows scaled to integers).

Floats only propose: a proposal is accepted after the exact check Σ_{i∈T} F_i = t, and an
"infeasible" from the solver proves nothing (the answer stays "too expensive").
"""
from __future__ import annotations

import io
import math
import os
import contextlib
from fractions import Fraction
from typing import Sequence

from ..kernel.subsetsum import TooExpensive, solve01

__all__ = ["find_subset", "propose_by_milp", "TooExpensive"]


def subset_sum(columns: Sequence[Sequence[Fraction]], chosen: Sequence[int], dim: int) -> list[Fraction]:
    """Σ_{i∈chosen} columns[i], exactly (to check a float proposal)."""
    out = [Fraction(0)] * dim
    for i in chosen:
        for r in range(dim):
            out[r] += columns[i][r]
    return out


def find_subset(columns: Sequence[Sequence[Fraction]], target: Sequence[Fraction] | None = None,
                nonempty: bool = True, budget: int = 1 << 20, dim: int | None = None,
                accelerate: bool = True, time_limit: float = 20.0) -> list[int] | None:
    """Exact: a subset summing to ``target`` (0 if None), or None if none exists.

    Raises TooExpensive when the complete method is over budget and the accelerator
    found nothing (its "no" is not a proof).
    """
    try:
        return solve01(columns, target, nonempty, budget=budget, dim=dim)
    except TooExpensive:
        if not accelerate:
            raise
        proposal = propose_by_milp(columns, target, nonempty, time_limit)
        d = len(columns[0]) if columns else (dim or 0)
        goal = list(target) if target is not None else [Fraction(0)] * d
        if proposal is not None and (proposal or not nonempty) and subset_sum(columns, proposal, d) == goal:
            return proposal
        raise


def propose_by_milp(columns: Sequence[Sequence[Fraction]], target: Sequence[Fraction] | None,
                    nonempty: bool, time_limit: float = 20.0) -> list[int] | None:
    """A candidate subset from a 0/1 program, or None (untrusted either way)."""
    import pulp

    n = len(columns)
    if n == 0:
        return None
    dim = len(columns[0])
    t = list(target) if target is not None else [Fraction(0)] * dim
    prob = pulp.LpProblem("zero_subset_sum", pulp.LpMinimize)
    y = [pulp.LpVariable(f"y{i}", cat="Binary") for i in range(n)]
    prob += 0 * y[0]  # a pure feasibility problem: the first feasible point is the answer
    if nonempty:
        prob += pulp.lpSum(y) >= 1
    for r in range(dim):
        row = [columns[i][r] for i in range(n)] + [t[r]]
        if not any(row):
            continue
        den = math.lcm(*(q.denominator for q in row))
        coeffs = [int(q * den) for q in row]
        g = math.gcd(*coeffs)
        coeffs = [c // g for c in coeffs]
        prob += pulp.lpSum(c * y[i] for i, c in enumerate(coeffs[:-1]) if c) == coeffs[-1]
    solver = _solver(time_limit)
    # HiGHS prints a banner to stdout even when asked not to (NOTES.md): keep stdout clean.
    with open(os.devnull, "w") as null, contextlib.redirect_stdout(io.StringIO()):
        try:
            fd = os.dup(1)
            os.dup2(null.fileno(), 1)
            try:
                prob.solve(solver)
            finally:
                os.dup2(fd, 1)
                os.close(fd)
        except Exception:
            return None
    # Whatever the status says (a time limit may still leave a feasible point), the values are
    # only a proposal: the caller verifies them exactly.
    if any(v.value() is None for v in y):
        return None
    return sorted(i for i, v in enumerate(y) if v.value() > 0.5)


def _solver(time_limit: float):
    import pulp

    try:
        solver = pulp.HiGHS(msg=False, timeLimit=time_limit)
        if solver.available():
            return solver
    except Exception:
        pass
    return pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit)
