"""Deciding ε-equivalence: max over a box of |f_A,i − f_B,i| ≤ ε_i (issue 13).

The certificate and its theorem are in ``certify.kernel.tolerance``.  This engine:

1. **samples** the box (random points, then a local search around the worst ones) with
   the float forward pass; the best points are evaluated exactly, and a point whose exact
   gap exceeds ε is a ``not-equivalent-within`` certificate (exit 1).  The largest exact gap
   found is the reported lower bound;
2. on small networks, tries a **region tree** on the whole box (``deep.regiontree.search``
   with the tolerance targets): complete, and indifferent to permuted hidden neurons;
3. **partitions** the box by bisection: float symbolic differential bounds (the kernel's
   ``symdiff`` propagation, vectorised over cells in ``deep.symdiff``) propose which cells
   are done (with 10^-6 of ε kept free) and which axis to split (the one of largest smear);
   a cell that gets too small gets a region-tree leaf instead.  (``FloatDiff``, the
   concrete differential intervals, drives the same partition with ``"intervals"`` leaves
   and the split that minimises the children's bounds; ``decide`` no longer uses it: on the
   ACAS Xu property-1 box it left bounds 141–2660 after 100 s, bench/RESULTS.md);
4. hands the tree to the kernel, which re-derives every bound in exact dyadic arithmetic.

When the partition does not finish (time or cell budget), the unfinished cells become
interval leaves of a certificate for the *weaker* tolerance U (their largest float bound,
rounded up): if the kernel accepts it, U is a proved upper bound on the gap, reported with
the lower bound (exit 3).  Floats only propose; every number in an answer is exact.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Sequence

import numpy as np

from ..core.answer import NO, UNDECIDED, YES, Answer, judged, timed
from ..core.certificate import claim, envelope
from ..core.problem import Problem
from ..kernel import clock, symdiff
from ..kernel import tolerance as kt
from ..kernel.exact import Vector, fmt, fmt_vector
from ..kernel.network import Box, affine_maps, evaluate
from .strategy import decimal, show_point
from .symdiff import FloatSym, delta_interval

__all__ = ["decide", "Search", "partition", "METHODS", "THEOREM_WITHIN", "THEOREM_EXCEEDS"]

METHODS = ("auto", "tree", "partition")

THEOREM_WITHIN = ("issue 13 (box partition): the cells cover the box, and on each cell exact symbolic "
                  "differential bounds or differential interval propagation (outward-rounded dyadics), or "
                  "LP-duality multipliers (§4.2), bound |f_A,i − f_B,i| by ε_i")
THEOREM_EXCEEDS = "exact evaluation: |f_A,i(x) − f_B,i(x)| > ε_i at a rational x in the box"
DEFAULT_SECONDS = 120.0  # without --timeout
DEFAULT_CELLS = 2_000_000  # interval evaluations (the --budget unit)
SMALL_NETWORK = 48  # hidden neurons per network: try the region tree on the whole box first
MIN_WIDTH = 2.0 ** -30  # relative cell width below which a cell gets a region-tree leaf
_DYADIC = 2 ** 24
LP_DEPTH = 1  # region-tree leaves are tried from depth LP_DEPTH·d on (each input halved LP_DEPTH times)
LP_LEAF_NODES = 400  # region-tree nodes per attempt
LP_LEAF_SECONDS = 2.0
LP_TRIALS, LP_SUCCESS = 8, 0.1  # after 8 attempts at one depth, go on only while ≥ 10 % succeed
LP_HIDDEN = 100  # hidden neurons per network up to which symbolic partitions also try region-tree leaves
PARTITION_LEAF = "symbolic"  # or "intervals": the concrete differential intervals (FloatDiff) of before


# --------------------------------------------------------------------------- float intervals

class FloatDiff:
    """The kernel's differential interval propagation in float64, over many cells at once."""

    def __init__(self, a, b):
        self.layers = []
        for (wa, ba), (wb, bb) in zip(a.float_layers, b.float_layers):
            dw, db = wa - wb, ba - bb
            self.layers.append((wa, ba, wb, bb, np.hstack([wa, dw]), np.hstack([wb, dw]), db))

    @staticmethod
    def _dot(w, b, lo, hi):
        wp, wn = np.maximum(w, 0), np.minimum(w, 0)
        return lo @ wp.T + hi @ wn.T + b, hi @ wp.T + lo @ wn.T + b

    def gap(self, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(N, m) lower and upper bounds of f_A − f_B on N cells [lo, hi]."""
        aal, aau = abl, abu = lo, hi
        dl = du = np.zeros_like(lo)
        last = len(self.layers) - 1
        self.unstable = np.zeros(len(lo))  # per cell: hidden neurons of A or B whose sign the intervals leave open
        for t, (wa, ba, wb, bb, wda, wdb, db) in enumerate(self.layers):
            zal, zau = self._dot(wa, ba, aal, aau)
            zbl, zbu = self._dot(wb, bb, abl, abu)
            d1l, d1u = self._dot(wda, db, np.hstack([dl, abl]), np.hstack([du, abu]))
            d2l, d2u = self._dot(wdb, db, np.hstack([dl, aal]), np.hstack([du, aau]))
            Dl, Du = np.maximum(d1l, d2l), np.minimum(d1u, d2u)
            zal, zau = np.maximum(zal, zbl + Dl), np.minimum(zau, zbu + Du)
            zbl, zbu = np.maximum(zbl, zal - Du), np.minimum(zbu, zau - Dl)
            Dl, Du = np.maximum(Dl, zal - zbu), np.minimum(Du, zau - zbl)
            if t == last:
                return Dl, Du
            # δa = σ(z_A) − σ(z_B), as in the kernel
            self.unstable = self.unstable + ((zal < 0) & (zau > 0)).sum(axis=1) + ((zbl < 0) & (zbu > 0)).sum(axis=1)
            dl, du = delta_interval(zal, zau, zbl, zbu, Dl, Du)
            aal, aau, abl, abu = np.maximum(zal, 0), np.maximum(zau, 0), np.maximum(zbl, 0), np.maximum(zbu, 0)
        return dl, du  # unreachable: a network has at least one layer


# --------------------------------------------------------------------------- the partition

@dataclass
class Search:
    """The outcome of the partition search (floats only; the kernel has the last word)."""

    tree: list | None = None          # pre-order tree when every cell is done
    open_tree: list | None = None     # with unfinished cells as interval leaves (for the upper bound)
    open_bound: list | None = None    # per output: the largest float bound over all leaves of open_tree
    cells: int = 0                    # interval evaluations
    leaves: int = 0
    region_leaves: int = 0
    unfinished: int = 0
    reason: str = ""
    worst_x: list = field(default_factory=list)  # float points of the worst unfinished cells


def _margin(eps: np.ndarray, relative: float = 0.0) -> np.ndarray:
    return 1e-9 * (1.0 + eps) + relative * eps


SYMBOLIC_MARGIN = 1e-6  # share of ε kept free on symbolic leaves (the float mirror agrees with the kernel to ~1e-9)


def _done(lo: np.ndarray, hi: np.ndarray, eps: np.ndarray, relative: float = 0.0) -> np.ndarray:
    """Cells whose float bound is inside ε with a margin for rounding (or exactly 0)."""
    m = _margin(eps, relative)
    inside = (hi <= eps - m) & (lo >= -eps + m)
    zero = (hi == 0) & (lo == 0)
    return np.all(inside | zero, axis=1)


def _score(lo: np.ndarray, hi: np.ndarray, eps: np.ndarray) -> np.ndarray:
    """How far a cell is from done: the worst |bound| / ε over outputs (∞-safe)."""
    return np.max(np.maximum(np.abs(lo), np.abs(hi)) / np.maximum(eps, 1e-300), axis=1)


def partition(fd: FloatDiff, box: Box, eps: Sequence[Fraction], deadline: float | None, max_cells: int,
              leaf_prover=None, lp_depth: int | None = None, upper_leaves: int = 512) -> Search:
    """Bisect the box until float intervals put every cell inside ε (see the module docstring).

    ``leaf_prover(cell) -> region tree | None`` is tried on cells that become too small, and
    with ``lp_depth`` on cells at depth lp_depth, lp_depth + d, lp_depth + 2d, … (d inputs)."""
    E = np.array([float(e) for e in eps])
    leaf_name = getattr(fd, "leaf", "intervals")
    by_smear = leaf_name == "symbolic"  # split the coordinate of largest smear (deep.symdiff)
    rel = SYMBOLIC_MARGIN if by_smear else 0.0
    root_lo = np.array([float(l) for l, _ in box])
    root_hi = np.array([float(h) for _, h in box])
    span = np.maximum(root_hi - root_lo, 1e-300)
    d = len(box)
    # nodes: id -> ("split", axis, c, left, right) | ("leaf", spec); cells: exact bounds per node
    nodes: dict[int, tuple] = {}
    cells: dict[int, list] = {0: [tuple(iv) for iv in box]}
    bounds: dict[int, tuple] = {}
    lo0, hi0 = fd.gap(root_lo[None, :], root_hi[None, :])
    bounds[0] = (lo0[0], hi0[0])
    frontier = [0]
    depth = {0: 0}
    lp_stats: dict[int, list[int]] = {}
    next_id = 1
    out = Search(cells=1)
    while frontier:
        if deadline is not None and time.perf_counter() > deadline:
            out.reason = "timeout"
            break
        if out.cells > max_cells:
            out.reason = f"cell budget {max_cells} exhausted"
            break
        lo = np.array([bounds[n][0] for n in frontier])
        hi = np.array([bounds[n][1] for n in frontier])
        done = _done(lo, hi, E, rel)
        todo = []
        for n, ok in zip(frontier, done):
            if ok:
                nodes[n] = ("leaf", leaf_name)
            else:
                todo.append(n)
        if not todo:
            frontier = []
            break
        todo, waiting = todo[:4096], todo[4096:]  # one batch; the rest waits in the frontier
        small, splittable = [], []
        for n in todo:
            c = cells[n]
            w = np.array([float(h - l) for l, h in c]) / span
            (small if w.max() < MIN_WIDTH else splittable).append(n)
        new_frontier = list(waiting)
        if leaf_prover is not None and lp_depth is not None:  # LP leaves on cells deep enough
            tried = []
            for n in splittable:
                k = depth[n] - lp_depth
                if k >= 0 and k % max(d, 1) == 0 and (deadline is None or time.perf_counter() < deadline):
                    level = lp_stats.setdefault(depth[n], [0, 0])  # attempts, successes at this depth
                    if level[0] >= LP_TRIALS and level[1] < LP_SUCCESS * level[0]:
                        continue  # LP leaves do not pay at this depth: bisect, try again d levels down
                    tree = leaf_prover(cells[n])
                    level[0] += 1
                    if tree is not None:
                        level[1] += 1
                        nodes[n] = ("leaf", {"region-tree": tree})
                        tried.append(n)
            if tried:
                gone = set(tried)
                splittable = [n for n in splittable if n not in gone]
        for n in small:
            tree = leaf_prover(cells[n]) if leaf_prover is not None else None
            if tree is None:
                out.reason = "a cell below the minimum width could not be certified"
                nodes[n] = ("open",)
            else:
                nodes[n] = ("leaf", {"region-tree": tree})
        if splittable and by_smear:
            clo = np.array([[float(l) for l, _ in cells[n]] for n in splittable])
            chi = np.array([[float(h) for _, h in cells[n]] for n in splittable])
            fd.gap(clo, chi)
            smear = np.where(chi > clo, fd.smear, -1.0)
            axes = smear.argmax(axis=1)
            halves = []
            for j, n in enumerate(splittable):
                k = int(axes[j])
                lo_k, hi_k = cells[n][k]
                c = (lo_k + hi_k) / 2
                cl, cr = list(cells[n]), list(cells[n])
                cl[k], cr[k] = (lo_k, c), (c, hi_k)
                halves.append((n, k, c, cl, cr))
            X_lo = np.array([[float(l) for l, _ in cl] for _, _, _, cl, _ in halves]
                            + [[float(l) for l, _ in cr] for _, _, _, _, cr in halves])
            X_hi = np.array([[float(h) for _, h in cl] for _, _, _, cl, _ in halves]
                            + [[float(h) for _, h in cr] for _, _, _, _, cr in halves])
            g_lo, g_hi = fd.gap(X_lo, X_hi)
            out.cells += len(X_lo) + len(splittable)
            N = len(halves)
            for j, (n, k, c, cl, cr) in enumerate(halves):
                left, right = next_id, next_id + 1
                next_id += 2
                cells[left], cells[right] = cl, cr
                bounds[left] = (g_lo[j], g_hi[j])
                bounds[right] = (g_lo[N + j], g_hi[N + j])
                nodes[n] = ("split", k, c, left, right)
                depth[left] = depth[right] = depth[n] + 1
                new_frontier += [left, right]
                del cells[n]
        elif splittable:
            # try every axis: 2d children per cell, evaluated in one batch
            clo = np.array([[float(l) for l, _ in cells[n]] for n in splittable])
            chi = np.array([[float(h) for _, h in cells[n]] for n in splittable])
            mid = (clo + chi) / 2
            L_lo, L_hi, U_lo, U_hi = [], [], [], []
            for k in range(d):
                h1 = chi.copy(); h1[:, k] = mid[:, k]
                l2 = clo.copy(); l2[:, k] = mid[:, k]
                L_lo.append(clo); L_hi.append(h1); U_lo.append(l2); U_hi.append(chi)
            X_lo = np.vstack(L_lo + U_lo)
            X_hi = np.vstack(L_hi + U_hi)
            g_lo, g_hi = fd.gap(X_lo, X_hi)
            out.cells += len(X_lo)
            N = len(splittable)
            s = _score(g_lo, g_hi, E).reshape(2, d, N)
            ok = _done(g_lo, g_hi, E).reshape(2, d, N).sum(axis=0)  # children done, per axis
            unstable = fd.unstable.reshape(2, d, N).sum(axis=0)  # what region-tree leaves would split
            worst = np.maximum(s[0], s[1])  # (d, N)
            # the axis with the most children done, then the fewest open signs, then the best bound
            key = (2 - ok) * 1e6 + unstable + np.minimum(worst, 1e6) / 1e7
            widths = (chi - clo).T  # (d, N): a degenerate axis cannot be split
            key = np.where(widths > 0, key, np.inf)
            axis = np.argmin(key, axis=0)
            for j, n in enumerate(splittable):
                k = int(axis[j])
                lo_k, hi_k = cells[n][k]
                c = (lo_k + hi_k) / 2
                left, right = next_id, next_id + 1
                next_id += 2
                cl, cr = list(cells[n]), list(cells[n])
                cl[k], cr[k] = (lo_k, c), (c, hi_k)
                cells[left], cells[right] = cl, cr
                iL, iU = k * N + j, d * N + k * N + j
                bounds[left] = (g_lo[iL], g_hi[iL])
                bounds[right] = (g_lo[iU], g_hi[iU])
                nodes[n] = ("split", k, c, left, right)
                depth[left] = depth[right] = depth[n] + 1
                new_frontier += [left, right]
                del cells[n]
        frontier = new_frontier
    unfinished = list(frontier) + [n for n, v in nodes.items() if v == ("open",)]
    out.unfinished = len(unfinished)
    out.leaves = sum(1 for v in nodes.values() if v[0] == "leaf")
    out.region_leaves = sum(1 for v in nodes.values() if v[0] == "leaf" and isinstance(v[1], dict))
    if out.unfinished == 0:
        out.tree = _serialise(nodes, {})
        # also a coarse cut: if the kernel cannot confirm the whole tree in time, the cut's
        # weaker tolerance is still a proved upper bound
        out.open_tree, out.open_bound = _coarse(nodes, bounds, len(E), upper_leaves, leaf_name)
        return out
    worst = sorted(unfinished, key=lambda n: -float(_score(bounds[n][0][None], bounds[n][1][None], E)[0]))
    out.worst_x = [[(float(l) + float(h)) / 2 for l, h in cells[n]] for n in worst[:64] if n in cells]
    out.open_tree, out.open_bound = _coarse(nodes, bounds, len(E), upper_leaves, leaf_name)
    return out


KERNEL_SHARE = 0.8  # a complete partition whose predicted check exceeds this share of the kernel deadline is not sent
RESERVE = 0.1  # share of the time kept for the kernel check of the upper-bound certificate


def _coarse(nodes: dict, bounds: dict, m: int, limit: int = 512, leaf: str = "intervals") -> tuple[list, list[float]]:
    """A tree of at most ``limit`` interval leaves (plus the region-tree leaves above the cut),
    cut at the deepest level that fits, and the largest float bound of its interval leaves."""
    depth, order, stack = {0: 0}, [], [0]
    while stack:
        n = stack.pop()
        order.append(n)
        v = nodes.get(n)
        if v is not None and v[0] == "split":
            for c in (v[3], v[4]):
                depth[c] = depth[n] + 1
                stack.append(c)
    top = max(depth.values())
    at, ended = [0] * (top + 2), [0] * (top + 2)  # nodes at each depth; terminal nodes at each depth
    for n in order:
        at[depth[n]] += 1
        v = nodes.get(n)
        if v is None or v[0] != "split":
            ended[depth[n]] += 1
    cut, above = 0, 0  # leaves of the cut at depth k: the nodes at k, and the terminal nodes above k
    for k in range(top + 1):
        if at[k] + above <= limit:
            cut = k
        above += ended[k]
    extra, ub = {}, np.zeros(m)
    for n in order:
        v = nodes.get(n)
        if depth[n] > cut:
            continue
        if (depth[n] == cut or v is None or v[0] != "split") and not (v is not None and v[0] == "leaf"
                                                                    and isinstance(v[1], dict)):
            extra[n] = ("leaf", leaf)
            lo_n, hi_n = bounds[n]
            ub = np.maximum(ub, np.maximum(np.abs(lo_n), np.abs(hi_n)))
    return _serialise(nodes, extra), [float(x) for x in ub]


def _serialise(nodes: dict, extra: dict) -> list:
    """Pre-order JSON nodes from node 0 (iterative: deep trees do not hit the recursion limit)."""
    out, stack = [], [0]
    while stack:
        n = stack.pop()
        v = extra.get(n) or nodes[n]
        if v[0] == "split":
            out.append({"split": [v[1], fmt(v[2])]})
            stack += [v[4], v[3]]
        else:
            out.append({"leaf": v[1]})
    return out


# --------------------------------------------------------------------------- sampling

def _rational_point(x: np.ndarray, box: Box) -> list[Fraction]:
    out = []
    for v, (lo, hi) in zip(x.tolist(), box):
        q = Fraction(round(v * _DYADIC), _DYADIC)
        out.append(min(max(q, lo), hi))
    return out


def _exact_gaps(p: Problem, points: np.ndarray, eps) -> tuple[Fraction, tuple | None, tuple | None]:
    """(largest exact excess-free gap, its (x, fA, fB), a counterexample (x, fA, fB) or None)."""
    ma, mb = affine_maps(p.a.net), affine_maps(p.b.net)
    best, best_pt, cex = Fraction(-1), None, None
    for x in points:
        q = _rational_point(x, p.box)
        fa, fb = evaluate(ma, q), evaluate(mb, q)
        g = max(abs(u - v) for u, v in zip(fa, fb))
        if g > best:
            best, best_pt = g, (q, fa, fb)
        if cex is None and any(abs(u - v) > e for u, v, e in zip(fa, fb, eps)):
            cex = (q, fa, fb)
    return best, best_pt, cex


def sample(p: Problem, eps, count: int = 4096, rounds: int = 6, keep: int = 16,
           extra: Sequence[Sequence[float]] = ()) -> tuple[Fraction, tuple | None, tuple | None]:
    """Float search for the worst point of |f_A − f_B|/ε, then exact evaluation of the best."""
    rng = np.random.default_rng(p.seed)
    lo = np.array([float(l) for l, _ in p.box])
    hi = np.array([float(h) for _, h in p.box])
    E = np.maximum(np.array([float(e) for e in eps]), 1e-12)

    def score(X):
        return np.max(np.abs(p.a.float_eval(X) - p.b.float_eval(X)) / E, axis=1)

    X = lo + (hi - lo) * rng.random((count, len(lo)))
    corners = lo + (hi - lo) * rng.integers(0, 2, (min(count, 256), len(lo)))
    X = np.vstack([X, corners, np.array(extra).reshape(-1, len(lo)) if len(extra) else np.zeros((0, len(lo)))])
    s = score(X)
    best = X[np.argsort(-s)[:keep]]
    radius = 0.25 * (hi - lo)
    for _ in range(rounds):  # local search around the worst points, shrinking
        Y = np.clip(best[:, None, :] + radius * rng.uniform(-1, 1, (len(best), 64, len(lo))), lo, hi)
        Y = np.vstack([best, Y.reshape(-1, len(lo))])
        sy = score(Y)
        best = Y[np.argsort(-sy)[:keep]]
        radius = radius / 3
    return _exact_gaps(p, best, eps)


# --------------------------------------------------------------------------- answers

def _tolerance_json(eps) -> list[str]:
    return fmt_vector(eps)


def _show_eps(eps) -> str:
    if len(set(eps)) == 1:
        e = eps[0]
        return fmt(e) if e.denominator == 1 else f"{fmt(e)} ≈ {decimal(e)}"
    return show_point(eps)


def _gap_details(lower: tuple | None) -> dict:
    if lower is None:
        return {}
    x, fa, fb = lower
    g = max(abs(u - v) for u, v in zip(fa, fb))
    return {"gap_lower": fmt(g), "gap_lower_decimal": float(g), "gap_lower_x": fmt_vector(x),
            "gap_lower_x_decimal": [float(v) for v in x]}


def _exceeds(p: Problem, eps, x, fa: Vector, fb: Vector, method: str) -> Answer:
    evidence = {"x": fmt_vector(x), "fA": fmt_vector(fa), "fB": fmt_vector(fb)}
    cert = envelope("not-equivalent-within",
                    claim("not-equivalent-within", p.networks, p.box, tolerance=_tolerance_json(eps)),
                    evidence, method, THEOREM_EXCEEDS, p.elapsed())
    g = max(abs(u - v) for u, v in zip(fa, fb))
    i = max(range(len(fa)), key=lambda k: abs(fa[k] - fb[k]) - eps[k])
    details = {**evidence, "x_decimal": [float(v) for v in x], "fA_decimal": [float(v) for v in fa],
               "fB_decimal": [float(v) for v in fb], "gap": fmt(g), "gap_decimal": float(g),
               "tolerance": _tolerance_json(eps), "tolerance_decimal": [float(e) for e in eps], "output": i,
               **_gap_details((x, fa, fb))}
    summary = (f"not equivalent within {_show_eps(eps)} on {p.domain.text()}: at x = {show_point(x)}, output {i}: "
               f"|f_A − f_B| = {fmt(abs(fa[i] - fb[i]))} ≈ {decimal(abs(fa[i] - fb[i]))} > {fmt(eps[i])}; "
               f"gap max|f_A − f_B| = {fmt(g)} ≈ {decimal(g)}")
    answer = Answer("equiv", "not-equivalent-within", NO, THEOREM_EXCEEDS, method, summary, details, domain=p.domain)
    return timed(judged(answer, cert), p.start)


def _within_cert(p: Problem, eps, tree: list, method: str) -> dict:
    return envelope("equivalent-within",
                    claim("equivalent-within", p.networks, p.box, tolerance=_tolerance_json(eps)),
                    {"method": "box-partition", "tree": tree}, method, THEOREM_WITHIN, p.elapsed())


def leaf_seconds(net: symdiff.SymNet, box: Box, tree: list, fallback: float, sample: int = 24) -> float:
    """The kernel's mean time per symbolic leaf on ``sample`` leaves spread over the partition ``tree``
    (a leaf's cost depends on how many neurons are off in both networks there, so the partition's own
    leaves predict its check better than one cell near the centre); ``fallback`` if it has none."""
    cells: list = []
    kt.walk_partition(box, tree, lambda cell, spec, where: spec == "symbolic" and cells.append(cell))
    chosen = cells[::max(1, len(cells) // sample)][:sample]
    if not chosen:
        return fallback
    t0 = time.perf_counter()
    for cell in chosen:
        symdiff.symbolic_gap(net, cell)
    return max((time.perf_counter() - t0) / len(chosen), 1e-4)


def kernel_seconds(p: Problem) -> float:
    """The kernel's deadline for this question's certificate: its default, or what is left of the
    user's --timeout when that is longer (the check is part of the question's time; a file
    re-checked later needs ``certify check --deadline`` as long)."""
    left = p.deadline - time.perf_counter() if p.deadline is not None else 0.0
    return max(clock.BASE_SECONDS, left)


def _within(p: Problem, eps, tree: list, lower: tuple | None, stats: dict) -> Answer:
    cert = _within_cert(p, eps, tree, "box-partition")
    det = _gap_details(lower)
    low = f"; gap found ≥ {det['gap_lower']} ≈ {decimal(Fraction(det['gap_lower']))}" if det else ""
    details = {"tolerance": _tolerance_json(eps), "tolerance_decimal": [float(e) for e in eps],
               "gap_upper": _tolerance_json(eps), "gap_upper_decimal": [float(e) for e in eps], **det, **stats}
    summary = (f"equivalent within {_show_eps(eps)} on {p.domain.text()}: max|f_A − f_B| ≤ {_show_eps(eps)} "
               f"(box partition of {stats['leaves']} cells, {stats['region_leaves']} with region trees){low}")
    answer = Answer("equiv", "equivalent-within", YES, THEOREM_WITHIN, "box-partition", summary, details,
                    domain=p.domain)
    answer = judged(answer, cert, deadline=kernel_seconds(p))
    if not answer.certified:  # a rejected certificate proves no upper bound: do not report one
        answer.details = {k: v for k, v in details.items() if k not in ("gap_upper", "gap_upper_decimal")}
    return timed(answer, p.start)


def _round_up(v: float) -> Fraction:
    """A short rational ≥ v (3 significant digits, rounded up)."""
    if v <= 0:
        return Fraction(0)
    e = math.floor(math.log10(v)) - 2
    q = Fraction(math.ceil(v / 10.0 ** e * (1 + 1e-9)) + 1) * Fraction(10) ** e
    return q


def _undecided(p: Problem, eps, search: Search | None, lower: tuple | None, reason: str) -> Answer:
    """Exit 3 with the best proved upper bound (a kernel-checked weaker claim) and the lower bound."""
    det = _gap_details(lower)
    details = {"tolerance": _tolerance_json(eps), "tolerance_decimal": [float(e) for e in eps], **det}
    cert = None
    if search is not None and search.open_tree is not None and search.open_bound is not None:
        upper = tuple(max(e, _round_up(b)) for e, b in zip(eps, search.open_bound))
        cert = _within_cert(p, upper, search.open_tree, "box-partition (upper bound)")
        details.update(cells=search.cells, leaves=search.leaves, region_leaves=search.region_leaves,
                       unfinished=search.unfinished)
    parts = [f"undecided: {reason}"]
    answer = Answer("equiv", "unknown", UNDECIDED, "none", "box-partition", "", details, domain=p.domain)
    if cert is not None:
        from ..core.certificate import finish
        checked, verdict, seconds = finish(cert, kernel_seconds(p))
        answer.timings["kernel"] = seconds
        if not verdict.valid:  # no bound is reported; say why
            details["upper_bound_rejected"] = verdict.reason
        if verdict.valid:
            answer.certificate, answer.kernel = checked, verdict
            answer.theorem = THEOREM_WITHIN
            g = max(upper)
            details.update(gap_upper=_tolerance_json(upper), gap_upper_decimal=[float(v) for v in upper])
            parts.append(f"proved max|f_A − f_B| ≤ {fmt(g)} ≈ {decimal(g)} (kernel-checked certificate of the "
                         "weaker tolerance)")
    if det:
        parts.append(f"found max|f_A − f_B| ≥ {det['gap_lower']} ≈ {decimal(Fraction(det['gap_lower']))}")
    parts.append(f"tolerance {_show_eps(eps)} on {p.domain.text()}")
    answer.summary = "; ".join(parts)
    return timed(answer, p.start)


# --------------------------------------------------------------------------- the decision

def _region_tree(p: Problem, eps, box: Box, budget: int, deadline: float | None, seconds: float | None = None):
    """A region tree for the tolerance targets on ``box``: ("proved", tree) | ("refuted", cex) | None.

    ``seconds`` bounds the search after the problem's exact interval bounds are derived: on a
    large cell of ACAS Xu that derivation alone takes 1–2 s, and counting it against a leaf's
    budget made every attempt there fail for lack of time (issue 13, bench/tolerance_profile.py)."""
    from ..kernel import regiontree as krt
    from . import regiontree as rt
    kp = krt.Problem([p.a.net, p.b.net], box)
    if seconds is not None:
        until = time.perf_counter() + seconds
        deadline = until if deadline is None else min(deadline, until)
    ma, mb = affine_maps(p.a.net), affine_maps(p.b.net)
    d0 = p.a.widths[0]

    def refute(point):
        if point is None:
            return None
        for bits in (6, 16, 40):
            x = rt._rational_point(point, d0, box, 2 ** bits)
            fa, fb = evaluate(ma, x), evaluate(mb, x)
            if any(abs(u - v) > e for u, v, e in zip(fa, fb, eps)):
                return x, fa, fb
        return None
    result = rt.search(kp, kt.tolerance_targets(kp, eps), refute, budget, deadline)
    if result.verdict == "proved":
        return "proved", result.tree
    if result.verdict == "refuted":
        return "refuted", result.counterexample
    return None


def decide(p: Problem) -> Answer:
    """Is max over the box of |f_A,i − f_B,i| ≤ ε_i?  Exit 0/1 only with a kernel-checked
    certificate; otherwise the best proved upper and found lower bounds (exit 3)."""
    eps = tuple(p.option("tolerance"))
    deadline = p.deadline if p.deadline is not None else p.start + DEFAULT_SECONDS
    p.report("sampling the gap")
    lower_gap, lower, cex = sample(p, eps)
    if cex is not None:
        return _exceeds(p, eps, *cex, "sample")
    method = p.option("method", "auto")
    same_shape = p.a.widths == p.b.widths
    if method == "partition" and not same_shape:
        from ..kernel.exact import InputError
        raise InputError("--method", "partition needs two networks of the same architecture "
                                     f"({p.a.widths} vs {p.b.widths})")
    hidden = max(sum(p.a.widths[1:-1]), sum(p.b.widths[1:-1]))
    if method == "tree" or method == "auto" and (hidden <= SMALL_NETWORK or not same_shape):
        p.report("region tree")
        whole = method == "tree" or not same_shape
        budget = p.budget or (2_000 if not whole else 200_000)
        share = 1.0 if whole else 0.25
        sub = time.perf_counter() + share * max(deadline - time.perf_counter(), 0.0)
        found = _region_tree(p, eps, p.box, budget, sub)
        if found is not None and found[0] == "refuted":
            return _exceeds(p, eps, *found[1], "region-tree")
        if found is not None:
            return _within(p, eps, [{"leaf": {"region-tree": found[1]}}], lower,
                           {"leaves": 1, "region_leaves": 1, "cells": 0})
        if whole:
            return _undecided(p, eps, None, lower, "the region tree did not finish" + (
                "" if same_shape else " (the networks have different architectures, so differential intervals "
                                      "do not apply)"))
    p.report("box partition (symbolic differential bounds)")
    fd = FloatSym(p.a, p.b) if PARTITION_LEAF == "symbolic" else FloatDiff(p.a, p.b)

    def leaf_prover(cell):
        box = tuple(cell)
        found = _region_tree(p, eps, box, LP_LEAF_NODES, deadline, LP_LEAF_SECONDS)
        return found[1] if found is not None and found[0] == "proved" else None
    # the upper-bound certificate of an unfinished partition must fit in the reserved time:
    # time one exact symbolic leaf, and cut the partition at as many cells as fit
    # (on a cell 1/8 of the box around its centre: the root's larger numbers cost more than a leaf's)
    sym_net = symdiff.SymNet(p.a.net, p.b.net)
    small = tuple(((lo + hi) / 2 - (hi - lo) / 16, (lo + hi) / 2 + (hi - lo) / 16) for lo, hi in p.box)
    t0 = time.perf_counter()
    symdiff.symbolic_gap(sym_net, small)
    per_leaf = max(time.perf_counter() - t0, 1e-4)
    left = max(deadline - time.perf_counter(), 0.0)
    upper_leaves = int(max(1, min(512, RESERVE * left / per_leaf)))
    # symbolic leaves first (they get within 0.05 on the ACAS Xu property-1 box where intervals do not);
    # region-tree leaves on deep cells only for networks of at most LP_HIDDEN hidden neurons (they close
    # ε just above a maximum attained on a whole linear piece), else only on cells that become too small
    symbolic_only = PARTITION_LEAF == "symbolic" and hidden > LP_HIDDEN
    search = partition(fd, p.box, eps, time.perf_counter() + (1 - RESERVE) * left, p.budget or DEFAULT_CELLS,
                       leaf_prover, None if symbolic_only else LP_DEPTH * len(p.box), upper_leaves)
    stats = {"leaves": search.leaves, "region_leaves": search.region_leaves, "cells": search.cells}
    kernel = kernel_seconds(p)
    if search.tree is not None and search.leaves * per_leaf > KERNEL_SHARE * kernel:
        per_leaf = leaf_seconds(sym_net, p.box, search.tree, per_leaf)
    if search.tree is not None and search.leaves * per_leaf > KERNEL_SHARE * kernel:
        return _undecided(p, eps, search, lower, f"the partition is complete ({search.leaves} cells), but its kernel "
                                                 f"check would take about {search.leaves * per_leaf:.0f} s, beyond the "
                                                 f"{kernel:.0f} s left for the kernel (a larger --timeout gives it more)")
    if search.tree is not None:
        answer = _within(p, eps, search.tree, lower, stats)
        if answer.certified or search.open_tree is None:
            return answer
        why = answer.kernel.reason if answer.kernel else "?"
        return _undecided(p, eps, search, lower, f"the partition was complete ({search.leaves} cells) but the "
                                                 f"kernel rejected it ({why})")
    if search.worst_x:  # the unfinished cells are where a counterexample would be
        g2, pt2, cex = sample(p, eps, count=512, rounds=4, extra=search.worst_x)
        if cex is not None:
            return _exceeds(p, eps, *cex, "box-partition")
        if g2 > lower_gap:
            lower = pt2
    return _undecided(p, eps, search, lower, f"the box partition did not finish ({search.reason}; "
                                             f"{search.unfinished} cells open)")
