"""Projective charts: R^d as finitely many boxes, for sign premises (theory.md §4.3).

**Theorem (charts).**  Let R > 0 and d = d_0.  Then

    R^d = [−R, R]^d  ∪  ⋃_{i < d, ε = ±1} C_{i,ε},   C_{i,ε} = { x : ε x_i = ‖x‖_∞ ≥ R }.

On C_{i,ε} write x = R u / s with s = R/‖x‖_∞ ∈ (0, 1], u_i = ε and v = u_{−i} ∈ [−1, 1]^{d−1}.
The *chart network* N_{i,ε} on input (v, s) ∈ B = [−1, 1]^{d−1} × [0, 1] is

    layer 0:  z'_0 = R W_0[:, −i] v + ε R W_0[:, i] + b_0 s,  plus one extra neuron z' = s;
    layer l:  z'_l = W_l a'_{l−1} + b_l s   (the bias becomes the weight on the extra neuron,
              which every hidden layer carries on: σ(s) = s since s ≥ 0);

hidden neuron (l, j) of N keeps the index (l, j); the extra neuron is the last of each hidden
layer.  Then z'_l(v, s) = s · z_l(R u / s) for s > 0, for every hidden layer l.

*Proof.*  Layer 0: s·(W_0 R u / s + b_0) = R W_0 u + b_0 s.  Induction: σ is positively
homogeneous, σ(s t) = s σ(t) for s > 0, so a'_{l−1} = σ(s z_{l−1}) = s a_{l−1} and the extra
neuron is σ(s) = s; hence z'_l = W_l s a_{l−1} + b_l s = s z_l.  ∎

**Corollary (sign premises on R^d).**  (a) z_{t,j} ≤ 0 (resp. ≥ 0) on R^d iff it holds for N on
[−R, R]^d and for every chart network N_{i,ε} on B.  (b) "z_{t,j} ≤ 0 wherever a_{t−1,k} > 0"
(the premise of M10) on R^d iff the same conditional statement holds for N on [−R, R]^d and for
every N_{i,ε} on B.  *Proof.*  For s > 0 the chart point (v, s) and x = R u / s have the same
signs of every z and a (s > 0 multiplies them), and every x ∈ C_{i,ε} is such a point (s =
R/‖x‖_∞, u = s x / R); the charts and the central box cover R^d.  The closed box B adds the
face s = 0: there the statements hold too if they hold for s > 0, by continuity of z' (a strict
violation at s = 0 persists for small s > 0), so nothing true on R^d is lost.  ∎

The kernel builds the chart networks itself from θ and R (no hints); a certificate names R
and carries one proof per chart, in the order of ``charts``.

Trusts: ``exact``, ``network``: exact rational arithmetic only.
"""
from __future__ import annotations

from fractions import Fraction

from .network import Box, Layer, Net

ZERO, ONE = Fraction(0), Fraction(1)


def chart_net(net: Net, i: int, eps: int, radius: Fraction = ONE) -> Net:
    """N_{i,ε}: inputs (v, s) = (x_{−i} scaled into [−1, 1]^{d−1}, R/‖x‖_∞); see the theorem."""
    first, rest = net.layers[0], net.layers[1:]
    R = Fraction(radius)
    rows = [tuple(R * w for k, w in enumerate(row) if k != i) + (b,) for row, b in zip(first.weight, first.bias)]
    bias = [eps * R * row[i] for row in first.weight]
    d = len(first.weight[0])
    layers = [_with_carrier(rows, bias, d, last=not rest)]
    for n, layer in enumerate(rest):
        rows = [tuple(row) + (b,) for row, b in zip(layer.weight, layer.bias)]
        layers.append(_with_carrier(rows, [ZERO] * len(rows), len(rows[0]), last=n == len(rest) - 1))
    return Net(tuple(layers))


def _with_carrier(rows: list, bias: list, width: int, last: bool) -> Layer:
    """The layer, plus (unless it is the output layer) the extra neuron z = s, s the last input."""
    if not last:
        rows = rows + [tuple([ZERO] * (width - 1) + [ONE])]
        bias = list(bias) + [ZERO]
    return Layer(tuple(rows), tuple(bias))


def charts(net: Net, radius: Fraction = ONE) -> list[tuple[str, Net, Box]]:
    """(name, network, box) covering R^d0: the central box [−R, R]^d for N itself, then the
    charts (i, +) and (i, −) for i = 0 … d−1 on [−1, 1]^{d−1} × [0, 1] (the theorem above)."""
    R = Fraction(radius)
    d = net.widths[0]
    out = [("box", net, tuple((-R, R) for _ in range(d)))]
    chart_box = tuple((-ONE, ONE) for _ in range(d - 1)) + ((ZERO, ONE),)
    for i in range(d):
        for eps, tag in ((1, "+"), (-1, "-")):
            out.append((f"x{i}{tag}", chart_net(net, i, eps, R), chart_box))
    return out


__all__ = ["chart_net", "charts"]
