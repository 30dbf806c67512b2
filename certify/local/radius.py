"""Finding an explicit ℓ∞ radius for a kink-probe certificate (Theorem 5.3, block form; §5.4–5.5).

Pivots: the largest entry |θ_π| of each hidden row (a large pivot gives tight scale
intervals λ ∈ [|θ_π|/(|θ_π|+ε), |θ_π|/(|θ_π|−ε)]).  ε starts just below min |θ_π| and is
halved until the kernel's own test passes — first the cheap exact Lemma 5.2 margins, then
the interval Rump tests — so that the ε reported is exactly what the kernel accepts.
"""
from __future__ import annotations

import time
from fractions import Fraction

import numpy as np

from ..kernel.forward import batches, int_net, parse_lines
from ..kernel.local import parse_probes
from ..kernel.radius import check_radius, lemma_5_2
from ..kernel.registry import CheckFailure
from ..network import Box, Network

PRECISION = 128
MAX_HALVINGS = 60


def choose_pivots(network: Network) -> list[list[int]]:
    out = []
    for layer in network.layers[:-1]:
        row_pivots = []
        for w, b in zip(layer.weight, layer.bias):
            entries = list(w) + [b]
            row_pivots.append(max(range(len(entries)), key=lambda k: abs(entries[k])))
        out.append(row_pivots)
    return out


def find_radius(network: Network, box: Box | None, evidence: dict, deadline: float | None = None,
                precision: int = PRECISION) -> tuple[Fraction | None, dict | None, dict]:
    """(ε, radius evidence, info): the largest ε = ε₀/2^k the kernel accepts, or (None, None, info)."""
    start = time.perf_counter()
    pivots = choose_pivots(network)
    smallest = min(abs((list(l.weight[j]) + [l.bias[j]])[k]) for l, row in zip(network.layers, pivots)
                   for j, k in enumerate(row))
    widths = network.widths
    lines = parse_lines(evidence["lines"], "lines", widths[0], box)
    probes = parse_probes(evidence["probes"], widths, lines)
    final = [tuple(p) for p in evidence["final"]]
    inet = int_net(network.net)
    ev = {"pivots": pivots, "precision": precision}
    # start just above the float estimate of Lemma 5.2's limit: the exact halvings then
    # confirm it instead of walking down from |θ_π|
    eps = _dyadic_below(min(smallest, 2 * _float_lemma_limit(network, lines)))
    tried, reason = 0, "not tried"
    # cheap exact stage: Lemma 5.2 on every point
    while tried < MAX_HALVINGS:
        if deadline is not None and time.perf_counter() > deadline:
            return None, None, {"found": False, "reason": "timeout", "halvings": tried}
        if all(lemma_5_2(inet, b, eps) is None for b in batches(inet, lines)):
            break
        eps /= 2
        tried += 1
    while tried < MAX_HALVINGS:
        if deadline is not None and time.perf_counter() > deadline:
            return None, None, {"found": False, "reason": "timeout", "halvings": tried}
        try:
            check_radius(network.net, eps, ev, lines, probes, final)
            return eps, ev, {"found": True, "epsilon": _fmt(eps), "approx": float(eps), "halvings": tried,
                             "pivots": "largest entry of each hidden row", "seconds": time.perf_counter() - start}
        except CheckFailure as e:
            reason = str(e)
        eps /= 2
        tried += 1
    return None, None, {"found": False, "reason": f"no ε after {tried} halvings: {reason}", "halvings": tried}


def _float_lemma_limit(network: Network, lines) -> Fraction:
    """Largest ε (float bisection, an estimate only) with Lemma 5.2's Δ < |z| at every point."""
    X = np.array([[float(a + t * d) for a, d in zip(line.x0, line.e)] for line in lines for t in line.t])
    Ws = [np.abs(W) for W, _ in network.float_layers]
    zs = network.float_forward(X)
    margins = [np.abs(z) for z in zs[:-1]]

    def ok(eps: float) -> bool:
        delta = np.zeros_like(X)
        a = np.abs(X)
        for l, W in enumerate(Ws[:-1]):
            delta = delta @ W.T + eps * (delta.sum(axis=1, keepdims=True) + a.sum(axis=1, keepdims=True) + 1)
            if np.any(delta >= margins[l]):
                return False
            a = np.maximum(zs[l], 0)
        return True

    lo, hi = 0.0, 1.0
    while ok(hi) and hi < 1e6:
        lo, hi = hi, hi * 2
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if ok(mid) else (lo, mid)
    return Fraction(max(lo, 2.0 ** -200))


def _dyadic_below(x: Fraction) -> Fraction:
    """The largest power of 2 strictly below x."""
    e = Fraction(1)
    while e >= x:
        e /= 2
    while 2 * e < x:
        e *= 2
    return e


def _fmt(q: Fraction) -> str:
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"
