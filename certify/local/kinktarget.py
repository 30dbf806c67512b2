"""Points on a bent hyperplane where a missing input is active: region-hopping LPs (theory.md §5.5).

(K1) of Theorem 5.4 needs, for hidden neuron (l, j), d_{l−1} kink vectors (a_{l−1}(x*), 1) that are
linearly independent.  If input k of layer l − 1 is zero at every kink found, the vectors lie in
{v_k = 0} and the block is singular.  Random lines miss such kinks when the set

    K_{l,j,k} = {x : z_{l,j}(x) = 0,  z_{l−1,k}(x) ≥ m}

is thin or lies far from the origin (ACAS Xu: beyond |x| ~ 10^2).  This module proposes points of
K_{l,j,k} by linear programs over fixed activation patterns.  With the pattern P of layers < t
frozen, every z_t is affine in x on the region R_P (a polyhedron: one sign constraint per neuron),
so "maximise z_{l−1,k} on R_P" and "find z_{l,j} = 0 on R_P with z_{l−1,k} ≥ m" are LPs in d_0
variables.  When the optimum lies on the boundary of R_P the search steps just across it into the
neighbouring region and repeats (region hopping: a local ascent of a continuous piecewise-affine
function, no optimality claim).

1. climb: from the best of a random cloud, maximise z_{l−1,k} region by region — one climb per
   missing input k, shared by every neuron of layer l that misses k;
2. reach: from the climbed point, move region by region towards z_{l,j} = 0 keeping
   z_{l−1,k} ≥ m, and solve for a point on the hyperplane inside the last region.

The search domain is the box [−B, B]^{d_0} for growing B (10, 10^3, 10^5); the LPs are solved in
y = x / B, where the network is the same one with biases b / B (ReLU networks are positively
homogeneous), so the numbers stay of the size of the weights for every B.

(A big-M MILP over the same boxes was tried first: HiGHS found no incumbent for ACAS Xu within
seconds, even from a feasible start, so it is not used.)

Everything here is a float proposal: the points only seed lines (``KinkSearch.round(through=…)``),
whose probes are verified exactly (or with a rigorous float bound) before they enter a certificate.
A failed search proves nothing and is simply skipped.
"""
from __future__ import annotations

import time

import numpy as np

from .linewalk import preactivations

RADII = (10.0, 1e3, 1e5)   # growing boxes [−B, B]^{d_0}: the kinks of deep neurons may lie far out
HOPS = 40                  # regions visited per climb / reach
STEP = 1e-7                # how far past a region's boundary a hop lands (in y = x / B)
LP_SECONDS = 1.0           # per LP (d_0 columns: milliseconds normally; a guard against stalls)


def frozen_maps(Ws, bs, y: np.ndarray, upto: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """z_t = A_t y' + c_t for t ≤ upto on the region of y (the pattern of layers < upto frozen)."""
    A, c = np.eye(len(y)), np.zeros(len(y))
    a = y
    out = []
    for t in range(upto + 1):
        At, ct = Ws[t] @ A, Ws[t] @ c + bs[t]
        out.append((At, ct))
        z = Ws[t] @ a + bs[t]
        on = z > 0
        A, c, a = At * on[:, None], ct * on, np.maximum(z, 0.0)
    return out


def region_rows(maps, y: np.ndarray, upto: int) -> tuple[np.ndarray, np.ndarray]:
    """G y' ≤ h: every neuron of layers < upto keeps its sign at y (the closure of the region)."""
    G, h = [], []
    for t in range(upto):
        A, c = maps[t]
        s = np.where(A @ y + c > 0, 1.0, -1.0)
        G.append(-s[:, None] * A)
        h.append(s * c)
    if not G:   # layer 0: the region is the whole box
        return np.zeros((0, len(y))), np.zeros(0)
    return np.vstack(G), np.concatenate(h)


def lp_max(cost: np.ndarray, G: np.ndarray, h: np.ndarray, eq: tuple | None = None) -> np.ndarray | None:
    """argmax cost·y over {G y ≤ h, (a·y = b), |y|_∞ ≤ 1} (HiGHS, floats), or None."""
    import highspy
    rows = [(g, -np.inf, hv) for g, hv in zip(G, h) if np.any(g)]
    if eq is not None:
        rows.append((eq[0], eq[1], eq[1]))
    n, m = len(cost), len(rows)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, m
    inf = highspy.kHighsInf
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_ = -np.ones(n)
    lp.col_upper_ = np.ones(n)
    lp.row_lower_ = np.array([lo if np.isfinite(lo) else -inf for _, lo, _ in rows])
    lp.row_upper_ = np.array([hi for _, _, hi in rows])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = (np.arange(m + 1) * n).astype(np.int32)
    lp.a_matrix_.index_ = np.tile(np.arange(n), m).astype(np.int32)
    lp.a_matrix_.value_ = np.concatenate([g for g, _, _ in rows]).astype(float) if m else np.zeros(0)
    lp.sense_ = highspy.ObjSense.kMaximize
    h_ = _solver()
    h_.passModel(lp)
    h_.setOptionValue("time_limit", h_.getRunTime() + LP_SECONDS)   # HiGHS counts its accumulated run time
    h_.run()
    if h_.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return np.array(h_.getSolution().col_value)


_HIGHS = None


def _solver():
    global _HIGHS
    if _HIGHS is None:  # its own instance: the region tree's LPs keep their models in theirs
        from ..deep.polyhedron import silent_highs
        _HIGHS = silent_highs()
    return _HIGHS


def _hop(y: np.ndarray, y_new: np.ndarray) -> np.ndarray:
    """A point just past y_new on the ray from y (into the next region), kept in the box."""
    d = y_new - y
    n = np.linalg.norm(d)
    return y_new if n == 0 else np.clip(y_new + STEP * d / n, -1, 1)


def climb(Ws, bs, t: int, k: int, rng: np.random.Generator, deadline: float | None = None,
          cloud: int = 4000, starts: int = 12) -> tuple[np.ndarray, float]:
    """A point of [−1, 1]^{d_0} with z_{t,k} as large as region hopping finds, and that value.

    Starts: the best points of a random cloud, half of it on the faces of the box (a maximum of
    the nearly homogeneous far-field network tends to lie on the boundary)."""
    d0 = Ws[0].shape[1]
    Y = rng.uniform(-1, 1, (cloud, d0))
    face = rng.integers(0, d0, cloud // 2)
    Y[np.arange(cloud // 2), face] = rng.choice([-1.0, 1.0], cloud // 2)
    z = preactivations(Ws, bs, Y)[t][:, k]
    best_y, best = Y[int(np.argmax(z))], float(z.max())
    for i in np.argsort(-z)[:starts]:
        if deadline is not None and time.perf_counter() > deadline:
            break
        y, value = _ascend(Ws, bs, t, k, Y[i], float(z[i]), deadline)
        if value > best:
            best_y, best = y, value
    return best_y, best


def _ascend(Ws, bs, t: int, k: int, y: np.ndarray, best: float, deadline: float | None):
    for _ in range(HOPS):
        if deadline is not None and time.perf_counter() > deadline:
            break
        maps = frozen_maps(Ws, bs, y, t)
        G, h = region_rows(maps, y, t)
        A, c = maps[t]
        y_star = lp_max(A[k], G, h)
        if y_star is None:
            break
        y_next = _hop(y, y_star)
        value = float(preactivations(Ws, bs, y_next[None])[t][0, k])
        if value <= best + 1e-12 * (1 + abs(best)):
            if float(A[k] @ y_star + c[k]) > best:   # the region's own optimum (on its boundary)
                y, best = y_star, float(A[k] @ y_star + c[k])
            break
        y, best = y_next, value
    return y, best


def interior(G: np.ndarray, h: np.ndarray, eq: tuple, depth: np.ndarray | None,
             rng: np.random.Generator) -> np.ndarray | None:
    """A point of the face {G y ≤ h, a·y = b} away from its boundary: the mean of LP vertices for
    random costs (and the deepest point for ``depth``).  A vertex alone lies on other neurons'
    hyperplanes, so every line through it would switch several neurons at once (no probe)."""
    n = G.shape[1]
    costs = [rng.standard_normal(n) for _ in range(2 * n)] + ([depth] if depth is not None else [])
    pts = [p for p in (lp_max(c, G, h, eq) for c in costs) if p is not None]
    return np.mean(pts, axis=0) if pts else None


def reach(Ws, bs, y: np.ndarray, l: int, j: int, k: int | None, margin: float,
          rng: np.random.Generator, deadline: float | None = None) -> np.ndarray | None:
    """From y, a point with z_{l,j} = 0 and z_{l−1,k} ≥ margin (k None: no side condition), found
    region by region: in the region of y, solve z_{l,j} = 0 if the region meets the hyperplane,
    else move to where |z_{l,j}| is smallest and hop across."""
    for _ in range(HOPS):
        if deadline is not None and time.perf_counter() > deadline:
            return None
        maps = frozen_maps(Ws, bs, y, l)
        G, h = region_rows(maps, y, l)
        if k is not None:   # z_{l−1,k} ≥ margin on this region: −A_k y ≤ c_k − margin
            A, c = maps[l - 1]
            G, h = np.vstack([G, -A[k][None]]), np.append(h, c[k] - margin)
        A, c = maps[l]
        zj = float(A[j] @ y + c[j])
        sign = 1.0 if zj > 0 else -1.0
        y_star = lp_max(-sign * A[j], G, h)
        if y_star is None:
            return None
        if sign * float(A[j] @ y_star + c[j]) <= 0:   # the hyperplane crosses this region
            return interior(G, h, (A[j], -float(c[j])), maps[l - 1][0][k] if k is not None else None, rng)
        y_next = _hop(y, y_star)
        if k is not None and preactivations(Ws, bs, y_next[None])[l - 1][0, k] < margin:
            return None
        if np.allclose(y_next, y, rtol=0, atol=1e-12):
            return None
        y = y_next
    return None


def bisect(Ws, bs, p: np.ndarray, q: np.ndarray, l: int, j: int, steps: int = 60) -> np.ndarray:
    """A point of the segment [p, q] with z_{l,j} ≈ 0, given opposite signs at p and q."""
    sp = np.sign(preactivations(Ws, bs, p[None])[l][0, j])
    for _ in range(steps):
        mid = (p + q) / 2
        if np.sign(preactivations(Ws, bs, mid[None])[l][0, j]) == sp:
            p = mid
        else:
            q = mid
    return (p + q) / 2


def crossing(Ws, bs, Y: np.ndarray, l: int, j: int, k: int, tries: int = 8) -> np.ndarray | None:
    """A point with z_{l,j} ≈ 0 and z_{l−1,k} > 0 from a cloud Y: bisection between nearby cloud
    points where k is active and z_{l,j} has opposite signs (k must still be active at the root)."""
    zs = preactivations(Ws, bs, Y)
    on = zs[l - 1][:, k] > 0
    pos, neg = np.flatnonzero(on & (zs[l][:, j] > 0)), np.flatnonzero(on & (zs[l][:, j] < 0))
    if not len(pos) or not len(neg):
        return None
    for i in pos[np.argsort(-zs[l - 1][pos, k])][:tries]:   # deepest in the k-active region first
        m = neg[int(np.argmin(np.linalg.norm(Y[neg] - Y[i], axis=1)))]
        y = bisect(Ws, bs, Y[i], Y[m], l, j)
        if preactivations(Ws, bs, y[None])[l - 1][0, k] > 0:
            return y
    return None


def active_cloud(y: np.ndarray, rng: np.random.Generator, n: int = 4000) -> np.ndarray:
    """Points around y at scales 10^-4 … 1 and uniform on the box (where a climb found k active)."""
    near = y + rng.standard_normal((n // 2, len(y))) * np.logspace(-4, 0, n // 2)[:, None]
    return np.clip(np.vstack([near, rng.uniform(-1, 1, (n - n // 2, len(y)))]), -1, 1)


class Proposer:
    """Kink-target proposals for one network, with the climbs cached per (layer, input, B)."""

    def __init__(self, Ws: list[np.ndarray], bs: list[np.ndarray], rng: np.random.Generator, radii=RADII):
        self.Ws, self.bs, self.rng, self.radii = Ws, bs, rng, radii
        self.climbs: dict[tuple[int, int, float], tuple[np.ndarray, float]] = {}

    def propose(self, neuron: tuple[int, int], missing: int | None,
                deadline: float | None = None) -> np.ndarray | None:
        """A float point x with z_{l,j}(x) ≈ 0 and z_{l−1,k}(x) > 0 (k = ``missing``), from the
        first box [−B, B]^{d_0} where the search finds one; None if none is found."""
        l, j = neuron
        if l == 0:
            return None   # a first-layer kink set is a hyperplane: random lines reach it
        for B in self.radii:
            if deadline is not None and time.perf_counter() > deadline:
                return None
            bs = [b / B for b in self.bs]
            if missing is None:
                y0 = self.rng.uniform(-1, 1, self.Ws[0].shape[1])
                y = reach(self.Ws, bs, y0, l, j, None, 0.0, self.rng, deadline)
            else:
                key = (l - 1, missing, B)
                if key not in self.climbs:
                    self.climbs[key] = climb(self.Ws, bs, l - 1, missing, self.rng, deadline)
                y0, top = self.climbs[key]
                if top <= 0:
                    continue   # k never active on this box (as far as the climb sees)
                y = crossing(self.Ws, bs, active_cloud(y0, self.rng), l, j, missing)
                if y is None:
                    y = reach(self.Ws, bs, y0, l, j, missing, top / 4, self.rng, deadline)
            if y is not None:
                return B * y
        return None
