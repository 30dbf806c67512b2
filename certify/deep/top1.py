"""Deciding top-1 agreement: do classifiers A and B have a common top class everywhere on a box?

The claim, the certificate and its theorem are in ``certify.kernel.top1`` (margin μ ≥ 0;
μ = 0: the maximiser sets intersect).  This engine:

1. **attacks** with floats: random points and corners, then, for pairs of points where A's
   argmax differs, bisection along the segment to A's and B's decision boundaries (a
   perturbed copy moves its boundary, and between the two boundaries the networks
   disagree).  Candidates are evaluated exactly; a point where no class is a top class of
   both is a ``not-top1-agreement`` certificate (exit 1);
2. tries one **interval leaf** on the whole box (float margins propose the class), then a
   **region tree** on the whole box (``deep.regiontree.search`` with the kernel's
   ``top1_targets``);
3. **bisects** the box (widest relative axis first): a cell whose float interval margins
   exceed μ gets an interval leaf, a small cell a region-tree leaf;
4. hands the tree to the kernel.

Undecided (exit 3): the share of the box volume whose cells passed the kernel's own leaf
checks (exact, but not a certificate of the whole claim), and the best point found.
Floats only propose: classes, split points, candidate points.
"""
from __future__ import annotations

import time
from fractions import Fraction

import numpy as np

from ..core.answer import NO, UNDECIDED, YES, Answer, judged, timed
from ..core.certificate import claim, envelope
from ..core.problem import Problem
from ..kernel import top1 as k1
from ..kernel.exact import fmt, fmt_vector
from ..kernel.network import Box, affine_maps, evaluate
from .strategy import decimal, show_point

__all__ = ["decide", "THEOREM_AGREE", "THEOREM_DISAGREE"]

THEOREM_AGREE = ("issue 13 (box partition): the cells cover the box, and on each cell its class c has "
                 "f_N,c − f_N,k ≥ μ for both networks and every k ≠ c, by exact interval propagation of the "
                 "margin rows (outward-rounded dyadics) or LP-duality multipliers (§4.2)")
THEOREM_DISAGREE = "exact evaluation: at a rational x in the box no class is a top class (margin μ) of both"
DEFAULT_SECONDS = 120.0
DEFAULT_CELLS = 20_000
TREE_SHARE = 0.4  # of the time, for the region tree on the whole box
LEAF_NODES, LEAF_SECONDS = 400, 2.0
MIN_WIDTH = 2.0 ** -20  # relative cell width below which a cell gets a region-tree leaf
_DYADIC = 2 ** 30


# --------------------------------------------------------------------------- float margins

class FloatMargins:
    """Interval bounds of the margins f_c − f_k of both networks, over many cells at once."""

    def __init__(self, a, b):
        self.nets = []
        for n in (a, b):
            *hidden, (w, bias) = n.float_layers
            M = w[:, None, :] - w[None, :, :]  # (c, k, h)
            m = len(bias)
            self.nets.append((hidden, M.reshape(m * m, -1), (bias[:, None] - bias[None, :]).reshape(-1), m))

    def lower(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """(N, m): per cell and class c, the least lower bound of f_N,c − f_N,k over N and k ≠ c."""
        out = None
        for hidden, M, db, m in self.nets:
            l, u = lo, hi
            for w, b in hidden:
                wp, wn = np.maximum(w, 0), np.minimum(w, 0)
                l, u = np.maximum(l @ wp.T + u @ wn.T + b, 0), np.maximum(u @ wp.T + l @ wn.T + b, 0)
            Mp, Mn = np.maximum(M, 0), np.minimum(M, 0)
            low = (l @ Mp.T + u @ Mn.T + db).reshape(len(lo), m, m)
            zero = ~np.any(M, axis=1).reshape(m, m) & (db.reshape(m, m) == 0)  # f_c ≡ f_k: exactly 0
            low = np.where(zero[None], np.inf, low)
            low[:, np.arange(m), np.arange(m)] = np.inf
            low = low.min(axis=2)
            out = low if out is None else np.minimum(out, low)
        return out  # type: ignore[return-value]


# --------------------------------------------------------------------------- the attack

def _rational(x: np.ndarray, box: Box) -> list[Fraction]:
    return [min(max(Fraction(round(v * _DYADIC), _DYADIC), lo), hi) for v, (lo, hi) in zip(x.tolist(), box)]


def _exact(p: Problem, mu: Fraction, points) -> tuple | None:
    ma, mb = affine_maps(p.a.net), affine_maps(p.b.net)
    for x in points:
        q = _rational(np.asarray(x, dtype=float), p.box)
        fa, fb = evaluate(ma, q), evaluate(mb, q)
        if not k1.agrees(fa, fb, mu):
            return q, fa, fb
    return None


def _score(fa: np.ndarray, fb: np.ndarray) -> np.ndarray:
    """max_c min_N (f_N,c − max_{k≠c} f_N,k): < μ means no common top class (float)."""
    def margins(f):
        m = f.shape[1]
        if m == 1:
            return np.full_like(f, np.inf)
        s = np.sort(f, axis=1)
        return f - np.where(f == s[:, -1:], s[:, -2:-1], s[:, -1:])
    return np.max(np.minimum(margins(fa), margins(fb)), axis=1)


def attack(p: Problem, mu: Fraction, count: int = 2048, pairs: int = 64) -> tuple | None:
    """Float search for a point without a common top class, verified exactly."""
    rng = np.random.default_rng(p.seed)
    lo = np.array([float(l) for l, _ in p.box])
    hi = np.array([float(h) for _, h in p.box])
    X = np.vstack([lo + (hi - lo) * rng.random((count, len(lo))),
                   lo + (hi - lo) * rng.integers(0, 2, (256, len(lo))), (lo + hi)[None] / 2])
    fa, fb = p.a.float_eval(X), p.b.float_eval(X)
    s = _score(fa, fb)
    found = _exact(p, mu, X[np.argsort(s)[:16]])
    if found is not None:
        return found
    ca, cb = fa.argmax(axis=1), fb.argmax(axis=1)
    cands = []
    for _ in range(pairs):  # boundary bisection between points of different classes
        i, j = rng.integers(0, len(X), 2)
        if ca[i] == ca[j] and cb[i] == cb[j]:
            continue
        ends = []
        for net, cls in ((p.a, ca), (p.b, cb)):
            t0, t1 = 0.0, 1.0
            if cls[i] == cls[j]:
                continue
            for _ in range(50):
                t = (t0 + t1) / 2
                if net.float_eval((X[i] + t * (X[j] - X[i]))[None])[0].argmax() == cls[i]:
                    t0 = t
                else:
                    t1 = t
            ends.append((t0 + t1) / 2)
        ts = [sum(ends) / len(ends)] + ends
        cands += [X[i] + t * (X[j] - X[i]) for t in ts]
    if cands:
        C = np.array(cands)
        order = np.argsort(_score(p.a.float_eval(C), p.b.float_eval(C)))
        return _exact(p, mu, C[order[:32]])
    return None


# --------------------------------------------------------------------------- the proof

def _region_tree(p: Problem, mu: Fraction, cell: Box, c: int, budget: int, deadline: float):
    from ..kernel import regiontree as krt
    from . import regiontree as rt
    kp = krt.Problem([p.a.net, p.b.net], cell)

    def refute(point):
        if point is None:
            return None
        return _exact(p, mu, [np.array([point.get(i, 0.0) for i in range(p.a.widths[0])])])
    return rt.search(kp, k1.top1_targets(kp, c, mu), refute, budget, deadline)


def _partition(p: Problem, mu: Fraction, fm: FloatMargins, deadline: float, max_cells: int):
    """Bisection; returns (tree or None, proved cells [(cell, spec)], open cells, cells evaluated)."""
    m_tol = float(mu) + 1e-9 * (1 + float(mu))
    span = np.array([max(float(h - l), 1e-300) for l, h in p.box])
    nodes: dict[int, tuple] = {}
    cells = {0: list(p.box)}
    frontier, next_id, evaluated, open_ = [0], 1, 0, []
    while frontier:
        if time.perf_counter() > deadline or evaluated > max_cells:
            open_ += frontier
            break
        lo = np.array([[float(l) for l, _ in cells[n]] for n in frontier])
        hi = np.array([[float(h) for _, h in cells[n]] for n in frontier])
        low = fm.lower(lo, hi)
        evaluated += len(frontier)
        new = []
        for j, n in enumerate(frontier):
            c = int(np.argmax(low[j]))
            if low[j, c] >= m_tol:
                nodes[n] = ("leaf", [c, "intervals"])
                continue
            w = (hi[j] - lo[j]) / span
            if w.max() < MIN_WIDTH:
                res = _region_tree(p, mu, tuple(cells[n]), c, LEAF_NODES,
                                   min(deadline, time.perf_counter() + LEAF_SECONDS))
                if res.verdict == "refuted":
                    return res.counterexample, None, None, evaluated
                if res.verdict == "proved":
                    nodes[n] = ("leaf", [c, {"region-tree": res.tree}])
                else:
                    open_.append(n)
                continue
            k = int(np.argmax(w))
            lk, hk = cells[n][k]
            mid = (lk + hk) / 2
            left, right = next_id, next_id + 1
            next_id += 2
            cl, cr = list(cells[n]), list(cells[n])
            cl[k], cr[k] = (lk, mid), (mid, hk)
            cells[left], cells[right] = cl, cr
            nodes[n] = ("split", k, mid, left, right)
            new += [left, right]
        frontier = new
    proved = [(cells[n], v[1]) for n, v in nodes.items() if v[0] == "leaf"]
    if open_:
        return None, proved, [cells[n] for n in open_], evaluated
    out, stack = [], [0]
    while stack:
        n = stack.pop()
        v = nodes[n]
        if v[0] == "split":
            out.append({"split": [v[1], fmt(v[2])]})
            stack += [v[4], v[3]]
        else:
            out.append({"leaf": v[1]})
    return out, proved, [], evaluated


def _volume(cells, box: Box) -> Fraction:
    total = Fraction(1)
    for l, h in box:
        total *= (h - l) if h > l else 1
    v = Fraction(0)
    for cell in cells:
        c = Fraction(1)
        for (l, h), (L, H) in zip(cell, box):
            c *= (h - l) if H > L else 1
        v += c
    return v / total


# --------------------------------------------------------------------------- answers

def _claim(p: Problem, kind: str, mu: Fraction) -> dict:
    return claim(kind, p.networks, p.box, margin=fmt(mu))


def _show(mu: Fraction) -> str:
    return "" if mu == 0 else f" with margin {fmt(mu)}"


def _disagree(p: Problem, mu: Fraction, x, fa, fb, method: str) -> Answer:
    evidence = {"x": fmt_vector(x), "fA": fmt_vector(fa), "fB": fmt_vector(fb)}
    cert = envelope("not-top1-agreement", _claim(p, "not-top1-agreement", mu), evidence, method,
                    THEOREM_DISAGREE, p.elapsed())
    top = lambda f: [k for k in range(len(f)) if f[k] == max(f)]  # noqa: E731
    g = max(abs(u - v) for u, v in zip(fa, fb))
    details = {**evidence, "x_decimal": [float(v) for v in x], "fA_decimal": [float(v) for v in fa],
               "fB_decimal": [float(v) for v in fb], "argmax_A": top(fa), "argmax_B": top(fb), "margin": fmt(mu),
               "gap": fmt(g), "gap_decimal": float(g)}
    summary = (f"top-1 disagreement{_show(mu)} on {p.domain.text()}: at x = {show_point(x)}, argmax f_A = "
               f"{top(fa)}, argmax f_B = {top(fb)}; gap max|f_A − f_B| = {fmt(g)} ≈ {decimal(g)}")
    answer = Answer("equiv", "not-top1-agreement", NO, THEOREM_DISAGREE, method, summary, details, domain=p.domain)
    return timed(judged(answer, cert), p.start)


def _agree(p: Problem, mu: Fraction, tree: list, stats: dict) -> Answer:
    cert = envelope("top1-agreement", _claim(p, "top1-agreement", mu), {"method": "box-partition", "tree": tree},
                    "box-partition", THEOREM_AGREE, p.elapsed())
    classes = sorted({n["leaf"][0] for n in tree if "leaf" in n})
    details = {"margin": fmt(mu), "classes": classes, **stats}
    summary = (f"top-1 agreement{_show(mu)} on {p.domain.text()}: every x has a common top class of f_A and f_B "
               f"(box partition of {stats['leaves']} cells, {stats['region_leaves']} with region trees; "
               f"classes {classes})")
    answer = Answer("equiv", "top1-agreement", YES, THEOREM_AGREE, "box-partition", summary, details,
                    domain=p.domain)
    return timed(judged(answer, cert), p.start)


def _undecided(p: Problem, mu: Fraction, proved: list, reason: str) -> Answer:
    """Exit 3: the volume share of the cells whose leaves the kernel's own checks accept."""
    from ..kernel.registry import CheckFailure
    leaf = k1._top1_leaf(p.a.net, p.b.net, mu)
    ok = []
    for cell, spec in proved:
        try:
            leaf(tuple(cell), spec, "cell")
            ok.append(cell)
        except CheckFailure:
            pass
    share = _volume(ok, p.box) if ok else Fraction(0)
    details = {"margin": fmt(mu), "certified_fraction": fmt(share), "certified_fraction_decimal": float(share),
               "certified_cells": len(ok)}
    summary = (f"undecided: {reason}; the kernel's leaf checks prove a common top class{_show(mu)} on "
               f"{len(ok)} cells covering {100 * float(share):.4g} % of the box volume; no disagreement found "
               f"on {p.domain.text()}")
    return timed(Answer("equiv", "unknown", UNDECIDED, "none", "box-partition", summary, details,
                        domain=p.domain), p.start)


def decide(p: Problem) -> Answer:
    """Do A and B have a common top class (margin μ) at every x of the box?"""
    mu = p.option("margin", Fraction(0))
    deadline = p.deadline if p.deadline is not None else p.start + DEFAULT_SECONDS
    p.report("attack")
    found = attack(p, mu)
    if found is not None:
        return _disagree(p, mu, *found, "attack")
    fm = FloatMargins(p.a, p.b)
    lo = np.array([[float(l) for l, _ in p.box]])
    hi = np.array([[float(h) for _, h in p.box]])
    low = fm.lower(lo, hi)[0]
    c = int(np.argmax(low))
    if low[c] >= float(mu) + 1e-9 * (1 + float(mu)):
        return _agree(p, mu, [{"leaf": [c, "intervals"]}], {"leaves": 1, "region_leaves": 0, "cells": 1})
    centre = p.a.float_eval((lo + hi) / 2)[0]
    c = int(np.argmax(centre))
    p.report("region tree")
    sub = time.perf_counter() + TREE_SHARE * max(deadline - time.perf_counter(), 0.0)
    res = _region_tree(p, mu, p.box, c, p.budget or 200_000, sub)
    if res.verdict == "refuted":
        return _disagree(p, mu, *res.counterexample, "region-tree")
    if res.verdict == "proved":
        return _agree(p, mu, [{"leaf": [c, {"region-tree": res.tree}]}], {"leaves": 1, "region_leaves": 1, "cells": 0})
    p.report("box partition")
    tree, proved, open_, evaluated = _partition(p, mu, fm, deadline, DEFAULT_CELLS)
    if proved is None:
        return _disagree(p, mu, *tree, "box-partition")
    if tree is not None:
        regions = sum(1 for n in tree if "leaf" in n and n["leaf"][1] != "intervals")
        return _agree(p, mu, tree, {"leaves": len(proved), "region_leaves": regions, "cells": evaluated})
    if open_:  # the open cells are where a disagreement would be
        mids = [[(float(l) + float(h)) / 2 for l, h in cell] for cell in open_[:256]]
        found = _exact(p, mu, mids)
        if found is not None:
            return _disagree(p, mu, *found, "box-partition")
    return _undecided(p, mu, proved, f"the box partition did not finish ({len(open_)} cells open)")
