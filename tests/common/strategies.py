"""Shared hypothesis strategies and small helpers for the test suite."""
from __future__ import annotations

import random
from fractions import Fraction

from hypothesis import strategies as st

from certify.network import Network

small_rationals = st.builds(Fraction, st.integers(-9, 9), st.integers(1, 6))
nonzero_rationals = small_rationals.filter(bool)
positive_rationals = st.builds(Fraction, st.integers(1, 9), st.integers(1, 9))


def widths(min_depth: int = 2, max_depth: int = 4, max_width: int = 8, min_in: int = 1, max_in: int = 4,
           max_out: int = 2) -> st.SearchStrategy[list[int]]:
    return st.builds(lambda d0, hidden, out: [d0, *hidden, out],
                     st.integers(min_in, max_in),
                     st.lists(st.integers(1, max_width), min_size=min_depth - 1, max_size=max_depth - 1),
                     st.integers(1, max_out))


@st.composite
def networks(draw, arch=None, entries=small_rationals, **kw) -> Network:
    w = draw(arch if arch is not None else widths(**kw))
    layers = [([[draw(entries) for _ in range(a)] for _ in range(b)], [draw(entries) for _ in range(b)])
              for a, b in zip(w, w[1:])]
    return Network.from_layers(layers)


def shallow_networks(**kw):
    return networks(min_depth=2, max_depth=2, **kw)


def random_network(widths: list[int], rng: random.Random, den: int = 6, zero: float = 0.0) -> Network:
    def q():
        if zero and rng.random() < zero:
            return Fraction(0)
        return Fraction(rng.randint(-9, 9) or 1, rng.randint(1, den))
    return Network.from_layers([([[q() for _ in range(a)] for _ in range(b)], [q() for _ in range(b)])
                                for a, b in zip(widths, widths[1:])])


def direct_eval(network: Network, x) -> list[Fraction]:
    """A forward pass written independently of certify (oracle for tests)."""
    a = [Fraction(v) for v in x]
    for t, layer in enumerate(network.layers):
        z = [sum((w * v for w, v in zip(row, a)), Fraction(0)) + b for row, b in zip(layer.weight, layer.bias)]
        a = z if t == len(network.layers) - 1 else [max(v, Fraction(0)) for v in z]
    return a


def planted_dead(seed: int) -> Network:
    """2-3-3-1 with hidden neuron [1, 0] dead on R^2 although interval bounds cannot show it:
    y_a = σ(w·x + b), y_b = σ(2(w·x + b) + 1) ≥ 2 y_a for w·x + b ≥ 0, so y_a − y_b ≤ 0, and
    z = y_a − y_b − c ≤ −c < 0 (interval bounds only see y_a ∈ [0, ∞)); it is dead on every chart box."""
    rng = random.Random(seed)

    def q() -> Fraction:
        return Fraction(rng.randint(1, 9), rng.randint(1, 4))
    net = random_network([2, 3, 3, 1], rng)
    layers = [[[list(r) for r in l.weight], list(l.bias)] for l in net.layers]
    (w0, b0), (w1, b1) = layers[0], layers[1]
    w0[1] = [2 * x for x in w0[0]]
    b0[1] = 2 * b0[0] + 1
    s = q()
    w1[0] = [s, -s, -q()]
    b1[0] = -q()
    return Network.from_layers([(w, b) for w, b in layers])
