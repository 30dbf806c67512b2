"""Pairs of deep networks with known answers, for tests and bench/equiv_vs_z3.py.

* ``moved``: (θ, g·θ) — the same function, in the orbit.
* ``m4_pair``: a neuron of hidden layer ``layer`` (0-based, ≥ 1) is planted stably active
  (row ≥ 0, bias > 0: the sign test of theory §4, since a_{l-1} ≥ 0); B shifts its bias by
  t > 0 and compensates in the next bias (M4), then applies a random group element.
  Equal, and outside the orbit whenever the neuron's outgoing column is nonzero.
* ``m1_pair``: a planted dead neuron (row ≤ 0, bias < 0) whose outgoing column B
  replaces (M1), then a random group element.
* ``perturbed``: one weight moved by a small rational: almost always NOT equal.
"""
from __future__ import annotations

import random
from fractions import Fraction

from certify.group import orbit as symmetry
from certify.network import Layer, Network


def random_net(widths, rng: random.Random, den: int = 4, big: int = 9) -> Network:
    def q():
        return Fraction(rng.randint(-big, big) or 1, rng.randint(1, den))
    return Network.from_layers([([[q() for _ in range(a)] for _ in range(b)], [q() for _ in range(b)])
                                for a, b in zip(widths, widths[1:])])


def _replace(net: Network, t: int, weight=None, bias=None) -> Network:
    layers = list(net.layers)
    old = layers[t]
    layers[t] = Layer(tuple(tuple(r) for r in (weight if weight is not None else old.weight)),
                      tuple(bias if bias is not None else old.bias))
    return net.replace(layers=layers)


def moved(a: Network, rng: random.Random) -> Network:
    return symmetry.apply(symmetry.random_element(a, rng), a)


def plant(a: Network, layer: int, j: int, kind: str) -> Network:
    """Make hidden neuron (layer, j) stably active ("M4") or dead ("M1") by the sign test."""
    w = [list(r) for r in a.layers[layer].weight]
    b = list(a.layers[layer].bias)
    if kind == "M4":
        w[j] = [abs(v) for v in w[j]]
        b[j] = abs(b[j]) + Fraction(1, 2)
    else:
        w[j] = [-abs(v) for v in w[j]]
        b[j] = -abs(b[j]) - Fraction(1, 2)
    return _replace(a, layer, w, b)


def m4_move(a: Network, layer: int, j: int, t: Fraction) -> Network:
    """b_l[j] += t, b_{l+1} −= t W_{l+1}[:, j]: equal if z_{l,j} ≥ 0 on the domain."""
    b = list(a.layers[layer].bias)
    b[j] += t
    out = _replace(a, layer, bias=b)
    nxt = a.layers[layer + 1]
    b2 = [bb - t * row[j] for bb, row in zip(nxt.bias, nxt.weight)]
    return _replace(out, layer + 1, bias=b2)


def m1_move(a: Network, layer: int, j: int, column) -> Network:
    """W_{l+1}[:, j] ← column: equal if z_{l,j} ≤ 0 on the domain."""
    w = [list(r) for r in a.layers[layer + 1].weight]
    for r, v in zip(w, column):
        r[j] = Fraction(v)
    return _replace(a, layer + 1, weight=w)


def m4_pair(widths, seed: int, layer: int = 1) -> tuple[Network, Network]:
    rng = random.Random(seed)
    a = random_net(widths, rng)
    j = rng.randrange(widths[layer + 1])
    a = plant(a, layer, j, "M4")
    b = m4_move(a, layer, j, Fraction(rng.randint(1, 9), rng.randint(1, 4)))
    return a, moved(b, rng)


def m1_pair(widths, seed: int, layer: int = 1) -> tuple[Network, Network]:
    rng = random.Random(seed)
    a = random_net(widths, rng)
    j = rng.randrange(widths[layer + 1])
    a = plant(a, layer, j, "M1")
    col = [Fraction(rng.randint(-9, 9), rng.randint(1, 4)) for _ in range(widths[layer + 2])]
    b = m1_move(a, layer, j, col)
    return a, moved(b, rng)


def perturbed(a: Network, rng: random.Random, eps: Fraction = Fraction(1, 1000)) -> Network:
    t = rng.randrange(len(a.layers))
    w = [list(r) for r in a.layers[t].weight]
    i, k = rng.randrange(len(w)), rng.randrange(len(w[0]))
    w[i][k] += eps
    return _replace(a, t, weight=w)


def stable_neurons(a: Network, box, layers=None, budget: int = 2000, deadline: float | None = None):
    """[(layer, j, sign, evidence)] for hidden neurons proved dead/stably active on the box by a
    region tree (certify.deep.regiontree.prove_neuron_sign), skipping those a float sample refutes."""
    import numpy as np
    from certify.deep import regiontree as rt
    rng = np.random.default_rng(0)
    if box is None:
        X = rng.normal(scale=4.0, size=(400, a.widths[0]))
    else:
        lo = np.array([float(l) for l, _ in box])
        hi = np.array([float(h) for _, h in box])
        X = lo + (hi - lo) * rng.random((400, a.widths[0]))
    Z = a.float_forward(X)
    out = []
    for l in (layers if layers is not None else range(1, len(a.layers) - 1)):
        for j in range(a.widths[l + 1]):
            col = Z[l][:, j]
            for sign, ok in (("nonpositive", (col <= 1e-9).all()), ("nonnegative", (col >= -1e-9).all())):
                if ok:
                    ev = rt.prove_neuron_sign(a, l, j, box, sign, budget=budget, deadline=deadline)
                    if ev is not None:
                        out.append((l, j, sign, ev))
    return out


def box_move_pair(widths, seed: int, box, min_splits: int = 1):
    """A (θ, g·move(θ)) pair whose move neuron is stable on the box only by a region-tree proof
    with at least ``min_splits`` splits (not by the sign test); None if the seed has none."""
    rng = random.Random(seed)
    a = random_net(widths, rng)
    for l, j, sign, ev in stable_neurons(a, box):
        if sum("split" in node for node in ev["tree"]) < min_splits:
            continue
        if sign == "nonnegative":
            b = m4_move(a, l, j, Fraction(rng.randint(1, 9), rng.randint(1, 4)))
        else:
            col = [Fraction(rng.randint(-9, 9), rng.randint(1, 4)) for _ in range(widths[l + 2])]
            b = m1_move(a, l, j, col)
        return a, moved(b, rng), (l, j, sign)
    return None
