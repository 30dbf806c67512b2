"""Exact refutation by sampling: floats pick promising points, exact evaluation decides.

Points are rational (dyadic) and lie in the domain.  They come from random points,
points on random lines, and points straddling the first-layer hyperplanes (where the
two functions are most likely to bend differently).  The float forward pass ranks
them by |f_A − f_B|; the best ones, and some random ones, are evaluated exactly.  A
point is returned only if the *exact* values differ (theory.md §4.2, "Refutation").
"""
from __future__ import annotations

import random
from fractions import Fraction
from typing import Sequence

import numpy as np

from ..kernel.exact import Vector
from ..network import Box, Network

_DYADIC = 2 ** 20


def _to_rational(v: float, lo: Fraction | None, hi: Fraction | None) -> Fraction:
    q = Fraction(round(v * _DYADIC), _DYADIC)
    if lo is not None and q < lo:
        q = lo
    if hi is not None and q > hi:
        q = hi
    return q


def _spread(networks: Sequence[Network]) -> float:
    """A length scale on R^d0: where the first-layer kinks are (|b|/|w|), at least 1."""
    dists = []
    for n in networks:
        W, b = n.float_layers[0]
        norms = np.linalg.norm(W, axis=1)
        ok = norms > 0
        dists.extend(np.abs(b[ok]) / norms[ok])
    return float(max(1.0, 2.0 * np.percentile(dists, 90))) if dists else 1.0


def candidate_points(networks: Sequence[Network], box: Box | None, count: int,
                     rng: np.random.Generator) -> np.ndarray:
    d = networks[0].widths[0]
    if box is not None:
        lo = np.array([float(a) for a, _ in box])
        hi = np.array([float(b) for _, b in box])
    else:
        r = _spread(networks)
        lo, hi = -r * np.ones(d), r * np.ones(d)
    n_uniform = count // 3
    pts = [lo + (hi - lo) * rng.random((n_uniform, d))]
    # points straddling first-layer hyperplanes: project a random point, step off both sides
    hyper = [(W, b) for n in networks for W, b in [n.float_layers[0]]]
    W = np.vstack([h[0] for h in hyper])
    bb = np.concatenate([h[1] for h in hyper])
    norms = np.linalg.norm(W, axis=1)
    rows = np.flatnonzero(norms > 0)
    if len(rows):
        k = count - n_uniform - count // 6
        pick = rng.choice(rows, size=k)
        base = lo + (hi - lo) * rng.random((k, d))
        w = W[pick]
        t = -(np.einsum("ij,ij->i", w, base) + bb[pick]) / norms[pick] ** 2
        on = base + t[:, None] * w
        eps = (1e-3 + 1e-1 * rng.random(k)) * np.mean(hi - lo)
        side = np.where(rng.random(k) < 0.5, -1.0, 1.0)
        pts.append(np.clip(on + (side * eps / norms[pick])[:, None] * w, lo, hi))
    # points along random lines through the domain
    m = count // 6
    start = lo + (hi - lo) * rng.random((max(m // 8, 1), d))
    direction = rng.standard_normal((max(m // 8, 1), d))
    ts = np.linspace(-1, 1, 8)
    line = (start[:, None, :] + ts[None, :, None] * direction[:, None, :] * np.mean(hi - lo) / 2).reshape(-1, d)
    pts.append(np.clip(line, lo, hi))
    return np.vstack(pts)


def refute(a: Network, b: Network, box: Box | None, samples: int = 2000, exact_checks: int = 24,
           seed: int = 0, random_checks: bool = True) -> tuple[list[Fraction], Vector, Vector] | None:
    """An exact x in the domain with f_A(x) ≠ f_B(x), or None (which proves nothing).

    ``random_checks``: also evaluate a few random points exactly, for gaps below float rounding.
    A caller that runs a complete method next (auto: the region tree or the canonical forms,
    which find such gaps exactly) skips them: on ACAS Xu they cost 0.1–0.2 s of an equal pair's
    0.6 s (issue 12, item 7)."""
    rng = np.random.default_rng(seed)
    X = candidate_points([a, b], box, samples, rng)
    with np.errstate(all="ignore"):
        fa = a.float_eval(X)
        diff = np.abs(fa - b.float_eval(X)).max(axis=1)
    diff = np.nan_to_num(diff, nan=np.inf)
    # Exact evaluation costs far more than a float pass: check exactly only the points where
    # floats see a gap beyond rounding, plus a few random ones (a miss proves nothing either way).
    scale = np.abs(fa[:64]).max() if len(X) else 1.0
    order = [int(i) for i in np.argsort(-diff)[:exact_checks] if diff[i] > 1e-9 * (1.0 + scale)]
    extra = random.Random(seed).sample(range(len(X)), min(exact_checks // 8, len(X))) if random_checks else []
    lows = [lo for lo, _ in box] if box is not None else [None] * a.widths[0]
    highs = [hi for _, hi in box] if box is not None else [None] * a.widths[0]
    for idx in order + extra:
        x = [_to_rational(v, lo, hi) for v, lo, hi in zip(X[idx], lows, highs)]
        fa, fb = a(x), b(x)
        if fa != fb:
            return x, fa, fb
    return None
