"""Exact interval bounds of hidden pre-activations over a box or over R^d0.

Interval arithmetic with rational endpoints, where ``None`` stands for −∞ (lower)
or +∞ (upper).  For every input in the domain and every hidden neuron (t, j),

    lo[t][j] ≤ z_{t,j}(x) ≤ hi[t][j]                       (a sound enclosure)

because each pre-activation is an affine function of the previous layer's
post-activations, whose ranges are enclosed coordinate-wise, and σ is monotone.

This is the "sign test" of theory.md §4 generalised: on R^d0 every post-activation
lies in [0, ∞), so a neuron of hidden layer t ≥ 1 with W_t[j, :] ≤ 0 and b_t[j] ≤ 0 gets
hi ≤ 0 (dead, M1) and one with W_t[j, :] ≥ 0, b_t[j] ≥ 0 gets lo ≥ 0 (stably active, M4).
When layer t − 1 is onto the orthant (Im = R^{d}_{≥0}) these tests are complete.  On a
box the same propagation decides first-layer neurons exactly (M12: a hyperplane that
misses the box) and gives sound, incomplete bounds deeper down.

Trusts: ``exact``, ``network``: exact rational interval arithmetic, no rounding.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Sequence

from .exact import common_denominator
from .network import Box, Net

Bound = Fraction | None
Interval = tuple[Bound, Bound]


def affine_bounds(weight: Sequence[Sequence[Fraction]], bias: Sequence[Fraction],
                  inputs: Sequence[Interval]) -> list[Interval]:
    """Exact enclosure of W y + b for y in the product of ``inputs``.

    Lower bound: b + Σ_{w>0} w·lo + Σ_{w<0} w·hi (−∞ as soon as a needed endpoint is
    infinite); the upper bound symmetrically.  Integer arithmetic over common denominators.
    """
    finite_lo = [lo for lo, _ in inputs if lo is not None]
    finite_hi = [hi for _, hi in inputs if hi is not None]
    lo_nums, lo_den = common_denominator(finite_lo)
    hi_nums, hi_den = common_denominator(finite_hi)
    lo_at: list[int | None] = []
    hi_at: list[int | None] = []
    it_lo, it_hi = iter(lo_nums), iter(hi_nums)
    for lo, hi in inputs:
        lo_at.append(next(it_lo) if lo is not None else None)
        hi_at.append(next(it_hi) if hi is not None else None)
    out: list[Interval] = []
    for row, b in zip(weight, bias):
        nums, den = common_denominator(row)
        # Σ w·lo and Σ w·hi split by the sign of w; each sum is over one common denominator.
        low_a = low_b = high_a = high_b = 0
        low_inf = high_inf = False
        for w, l, h in zip(nums, lo_at, hi_at):
            if w > 0:
                if l is None:
                    low_inf = True
                else:
                    low_a += w * l
                if h is None:
                    high_inf = True
                else:
                    high_b += w * h
            elif w < 0:
                if h is None:
                    low_inf = True
                else:
                    low_b += w * h
                if l is None:
                    high_inf = True
                else:
                    high_a += w * l
        low = None if low_inf else b + Fraction(low_a, den * lo_den) + Fraction(low_b, den * hi_den)
        high = None if high_inf else b + Fraction(high_a, den * lo_den) + Fraction(high_b, den * hi_den)
        out.append((low, high))
    return out


def relu_bounds(intervals: Sequence[Interval]) -> list[Interval]:
    """σ is monotone: σ([lo, hi]) = [σ(lo), σ(hi)], with σ(−∞) = 0 and σ(+∞) = +∞."""
    zero = Fraction(0)
    return [(zero if lo is None or lo < 0 else lo, hi if hi is None or hi > 0 else zero)
            for lo, hi in intervals]


def input_bounds(box: Box | None, dim: int) -> list[Interval]:
    if box is None:
        return [(None, None)] * dim
    return [(lo, hi) for lo, hi in box]


def preactivation_bounds(net: Net, box: Box | None, upto: int | None = None) -> list[list[Interval]]:
    """Enclosures of z_t for every hidden layer t = 0 … L−2 (0-based; up to ``upto`` if given),
    on the box or on R^d0 (box None)."""
    current = input_bounds(box, net.widths[0])
    out = []
    last = len(net.layers) - 1 if upto is None else upto + 1
    for layer in net.layers[:last]:
        z = affine_bounds(layer.weight, layer.bias, current)
        out.append(z)
        current = relu_bounds(z)
    return out


def sign_by_interval(net: Net, box: Box | None, layer: int, neuron: int, sign: str) -> bool:
    """True if interval bounds prove z ≤ 0 ("nonpositive") or z ≥ 0 ("nonnegative") on the domain."""
    lo, hi = preactivation_bounds(net, box, layer)[layer][neuron]
    if sign == "nonpositive":
        return hi is not None and hi <= 0
    if sign == "nonnegative":
        return lo is not None and lo >= 0
    raise ValueError(f"unknown sign {sign!r}")
