"""Polyhedra on the engine side: float LPs that propose, exact multipliers that dispose.

A polyhedron is a list of rows r(v) ≤ 0 with r an exact affine expression (a dict
var ↦ Fraction, the constant under ``ONE``; the format of ``certify.kernel.regiontree``).
HiGHS solves the float LP; its dual support (or its optimal basis) names the rows
that matter, and the multipliers are then solved **exactly** on that support
(python-flint) and checked: y ≥ 0 and t − Σ y_i r_i ≡ c ≤ 0 (LP duality, weak
direction; theory.md §4.2).  A float answer that does not survive this is discarded.

HiGHS prints a banner on stdout when its first instance is created; ``_highs`` makes
that instance with file descriptor 1 redirected, so ``--json`` output stays clean.
"""
from __future__ import annotations

import contextlib
import math
import os
import sys
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable, Sequence

import numpy as np
from flint import fmpq, fmpq_mat

from ..kernel.regiontree import ONE, FExpr as Expr

INF = float("inf")
_HIGHS = None


@contextlib.contextmanager
def quiet_stdout():
    """Redirect the process's stdout (fd 1) to /dev/null, for solver libraries that print."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def silent_highs(presolve: bool = True):
    """A new HiGHS instance that prints nothing (its banner goes to fd 1 at construction)."""
    import highspy
    with quiet_stdout():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    if not presolve:
        h.setOptionValue("presolve", "off")
    return h


def _highs():
    global _HIGHS
    if _HIGHS is None:
        _HIGHS = silent_highs(presolve=False)
    return _HIGHS


@dataclass
class Solution:
    status: str  # "optimal", "infeasible", "unbounded", "error"
    value: float = math.nan
    point: dict | None = None  # var ↦ float
    duals: dict | None = None  # row id ↦ |dual| for rows with a nonzero dual (column bounds included)
    basis: list | None = None  # row ids that are nonbasic (tight) in the optimal basis
    reason: str = ""

    @property
    def support(self) -> list | None:
        return None if self.duals is None else list(self.duals)


class FloatLP:
    """max t(v) s.t. rows r(v) ≤ 0, in floating point (HiGHS).  Untrusted.

    Columns are variable ids ``cols``; ``col_lower``/``col_upper`` are their bounds, and
    ``lower_rows``/``upper_rows`` name the rows the bounds stand for (box rows, a ≥ 0).
    Rows come in CSR form over *variable ids* (``starts``, ``var_ids``, ``values``) with
    constants ``consts`` (row: Σ values·v + const ≤ 0) and ids ``rids``.  Successive
    objectives on one LP reuse HiGHS's basis (warm start).
    """

    def __init__(self, cols: Sequence[int], col_lower, col_upper, lower_rows: list, upper_rows: list,
                 rids: list, starts, var_ids, values, consts, n_vars: int):
        import highspy
        self.cols = list(cols)
        self.col_of = {v: i for i, v in enumerate(self.cols)}
        self.lower_rows, self.upper_rows = lower_rows, upper_rows
        self.rids = rids
        n, m = len(self.cols), len(rids)
        pos = np.full(n_vars, -1, dtype=np.int64)
        pos[np.array(self.cols, dtype=np.int64)] = np.arange(n)
        index = pos[np.asarray(var_ids, dtype=np.int64)] if len(var_ids) else np.zeros(0, dtype=np.int64)
        if (index < 0).any():
            raise ValueError("a row uses a variable without a column")
        inf = highspy.kHighsInf
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, m
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_ = np.where(np.isfinite(col_lower), col_lower, -inf)
        lp.col_upper_ = np.where(np.isfinite(col_upper), col_upper, inf)
        lp.row_lower_ = np.full(m, -inf)
        lp.row_upper_ = -np.asarray(consts, dtype=float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = np.asarray(starts, dtype=np.int32)
        lp.a_matrix_.index_ = index.astype(np.int32)
        lp.a_matrix_.value_ = np.asarray(values, dtype=float)
        lp.sense_ = highspy.ObjSense.kMaximize
        self.lp = lp
        self._loaded = False

    def _load(self) -> None:
        h = _highs()
        if not self._loaded or getattr(h, "_certify_owner", None) is not self:
            h.clearModel()
            h.passModel(self.lp)
            h._certify_owner = self
            self._loaded = True

    def maximize(self, objective: list[tuple[int, float]], time_limit: float | None = None,
                 clamp: float = 0.0) -> Solution:
        """Maximise; ``clamp`` > 0 bounds every column by ±clamp (to get a point of an unbounded LP)."""
        import highspy
        cost = np.zeros(len(self.cols))
        offset = 0.0
        for k, w in objective:
            if k == ONE:
                offset = w
            elif k in self.col_of:
                cost[self.col_of[k]] += w
            else:  # a variable without a column is unconstrained: the LP is unbounded
                return Solution("unbounded")
        self._load()
        h = _highs()
        n = len(self.cols)
        idx = np.arange(n, dtype=np.int32)
        h.changeColsCost(n, idx, cost)
        if clamp:
            h.changeColsBounds(n, idx, np.maximum(self.lp.col_lower_, -clamp), np.minimum(self.lp.col_upper_, clamp))
        # HiGHS measures time_limit against the instance's accumulated run time
        h.setOptionValue("time_limit", h.getRunTime() + float(time_limit) if time_limit else highspy.kHighsInf)
        h.run()
        try:
            return self._solution(cost, offset)
        finally:
            if clamp:
                h.changeColsBounds(n, idx, self.lp.col_lower_, self.lp.col_upper_)

    def _solution(self, cost, offset) -> Solution:
        import highspy
        h = _highs()
        status = h.getModelStatus()
        S = highspy.HighsModelStatus
        if status == S.kInfeasible:
            return Solution("infeasible")
        if status in (S.kUnbounded, S.kUnboundedOrInfeasible):
            return Solution("unbounded")
        if status != S.kOptimal:
            return Solution("error", reason=str(status))
        sol = h.getSolution()
        x = np.array(sol.col_value)
        value = float(cost @ x) + offset
        point = dict(zip(self.cols, x.tolist()))
        duals = self._duals(np.array(sol.row_dual), np.array(sol.col_dual), x)
        basis = h.getBasis()
        B = highspy.HighsBasisStatus
        tight = [rid for rid, st in zip(self.rids, basis.row_status) if st in (B.kLower, B.kUpper)]
        for i, st in enumerate(basis.col_status):
            if st == B.kLower and self.lower_rows[i] is not None:
                tight.append(self.lower_rows[i])
            elif st == B.kUpper and self.upper_rows[i] is not None:
                tight.append(self.upper_rows[i])
        return Solution("optimal", value, point, duals, tight)

    def _duals(self, row_dual: np.ndarray, col_dual: np.ndarray, x: np.ndarray) -> dict:
        out = {}
        for i in np.flatnonzero(np.abs(row_dual) > 1e-12):
            out[self.rids[i]] = abs(float(row_dual[i]))
        lo, hi = self.lp.col_lower_, self.lp.col_upper_
        for i in np.flatnonzero(np.abs(col_dual) > 1e-12):
            # the active bound is the one the value sits at (ties: both are candidates)
            d = abs(float(col_dual[i]))
            if self.lower_rows[i] is not None and abs(x[i] - lo[i]) <= 1e-9 * (1 + abs(lo[i])):
                out[self.lower_rows[i]] = d
            if self.upper_rows[i] is not None and abs(x[i] - hi[i]) <= 1e-9 * (1 + abs(hi[i])):
                out[self.upper_rows[i]] = d
        return out

    def farkas(self) -> tuple[dict, float] | None:
        """Duals of an infeasibility proof — the elastic LP max −s, r_i(v) ≤ s, s ≥ 0 — and s."""
        import highspy
        h = _highs()
        lp = self.lp
        n, m = lp.num_col_, lp.num_row_
        ext = highspy.HighsLp()
        ext.num_col_, ext.num_row_ = n + 1, m
        ext.col_cost_ = np.concatenate([np.zeros(n), [-1.0]])
        ext.col_lower_ = np.concatenate([np.asarray(lp.col_lower_), [0.0]])
        ext.col_upper_ = np.concatenate([np.asarray(lp.col_upper_), [highspy.kHighsInf]])
        ext.row_lower_, ext.row_upper_ = lp.row_lower_, lp.row_upper_
        starts = np.asarray(lp.a_matrix_.start_, dtype=np.int64)
        index = np.asarray(lp.a_matrix_.index_)
        value = np.asarray(lp.a_matrix_.value_)
        # append the column s (coefficient −1) to every row
        new_starts = starts + np.arange(m + 1)
        new_index = np.empty(len(index) + m, dtype=np.int32)
        new_value = np.empty(len(index) + m)
        ends = new_starts[1:] - 1
        mask = np.ones(len(index) + m, dtype=bool)
        mask[ends] = False
        new_index[mask], new_value[mask] = index, value
        new_index[ends], new_value[ends] = n, -1.0
        ext.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        ext.a_matrix_.start_ = new_starts.astype(np.int32)
        ext.a_matrix_.index_ = new_index
        ext.a_matrix_.value_ = new_value
        ext.sense_ = highspy.ObjSense.kMaximize
        h.clearModel()
        h.passModel(ext)
        h._certify_owner = None
        h.setOptionValue("time_limit", highspy.kHighsInf)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        sol = h.getSolution()
        x = np.array(sol.col_value)
        if x[-1] <= 0:
            return None
        return self._duals(np.array(sol.row_dual), np.array(sol.col_dual)[:-1], x[:-1]), float(x[-1])


# --------------------------------------------------------------------------- exact multipliers

def _to_fmpq(q: Fraction) -> fmpq:
    return fmpq(q.numerator, q.denominator)


def solve_multipliers(rows: dict, target: Expr, support: Iterable, farkas: bool = False) -> list | None:
    """Exact y ≥ 0 on ``support`` with t − Σ y_i r_i ≡ c ≤ 0 (or, for ``farkas``,
    Σ y_i r_i ≡ 1 so that the rows prove 1 ≤ 0); None if the support admits none.

    The variable coefficients give a linear system, solved exactly by reduced row
    echelon form; free unknowns are set to 0."""
    sup = [r for r in dict.fromkeys(tuple(r) for r in support) if r in rows]
    if not sup and not farkas:
        return [] if _constant_leq_zero(target) else None
    keys = sorted({k for r in sup for k in rows[r] if k != ONE} | {k for k in target if k != ONE})
    if farkas:  # the constant is an equation too: Σ y_i r_i ≡ 1
        keys.append(ONE)
        goal = {k: Fraction(int(k == ONE)) for k in keys}
    else:
        goal = {k: target.get(k, Fraction(0)) for k in keys}
    n, m = len(keys), len(sup)
    if m == 0:
        return None
    entries = []
    for k in keys:
        entries += [_to_fmpq(rows[r].get(k, Fraction(0))) for r in sup]
        entries.append(_to_fmpq(goal[k]))
    M = fmpq_mat(n, m + 1, entries)
    R, rank = M.rref()
    y = [Fraction(0)] * m
    for i in range(rank):
        lead = next((j for j in range(m + 1) if R[i, j] != 0), None)
        if lead is None or lead == m:
            return None  # inconsistent: the target is not in the span of these rows
        v = R[i, m]
        y[lead] = Fraction(int(v.p), int(v.q))
    if any(v < 0 for v in y):
        return None
    acc = dict(target) if not farkas else {ONE: Fraction(1)}
    for r, v in zip(sup, y):
        if v:
            for k, c in rows[r].items():
                acc[k] = acc.get(k, Fraction(0)) - v * c
    if any(c != 0 for k, c in acc.items() if k != ONE) or acc.get(ONE, Fraction(0)) > 0:
        return None
    return [[r, v] for r, v in zip(sup, y) if v]


def _constant_leq_zero(e: Expr) -> bool:
    return all(k == ONE for k in e) and e.get(ONE, Fraction(0)) <= 0


__all__ = ["FloatLP", "Solution", "solve_multipliers", "quiet_stdout", "INF"]
