"""The kink moment Φ behind Theorem 3.8 (theory.md §3.8): no semi-algebraic quotient by the fibers.

The proof needs three facts, each checked here against something a wrong implementation breaks:
Φ is a function of f alone (equal along group orbits, catalogue moves and fiber samples, while
the weights change); Φ(f_θ) ≤ Ψ(θ) = Σ_i ‖a_i‖₁|b_i| (Lemma 3.8a), with cancellations and
merges planted so that the two differ; and the escaping family θ(w, A) has Φ = A for every
w ≠ 0 while θ(0, A) computes 0.
"""
from __future__ import annotations

import random
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from certify.network import Network
from certify.shallow import canonical, fibers
from certify.shallow.quotient import escaping, kink_moment, kink_moment_bound

Q = st.fractions(min_value=-4, max_value=4, max_denominator=4)
NONZERO = Q.filter(bool)


@st.composite
def planted(draw):
    """A shallow network whose neurons share hyperplanes (twins, opposite pairs, exact cancellation)."""
    d, m = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    base = [([draw(Q) for _ in range(d)], draw(Q)) for _ in range(draw(st.integers(1, 3)))]
    rows, cols = [], []
    for w, b in base:
        for _ in range(draw(st.integers(1, 3))):
            lam = draw(NONZERO)  # a negative λ flips the orientation
            rows.append(([lam * x for x in w], lam * b))
            cols.append([draw(Q) for _ in range(m)])
    if draw(st.booleans()) and len(rows) >= 1:  # a twin that cancels neuron 0 exactly
        (w, b), a = rows[0], cols[0]
        rows.append(([2 * x for x in w], 2 * b))
        cols.append([-x / 2 for x in a])
    W = [list(w) for w, _ in rows]
    bias = [b for _, b in rows]
    A = [[cols[i][r] for i in range(len(rows))] for r in range(m)]
    return Network.from_layers([(W, bias), (A, [draw(Q) for _ in range(m)])])


def _moved(net: Network, rng: random.Random) -> Network:
    """The same function under a group element: permute the neurons and rescale each by λ > 0."""
    (W, b), (A, c) = [([list(r) for r in l.weight], list(l.bias)) for l in net.layers]
    n = len(W)
    order = list(range(n))
    rng.shuffle(order)
    lams = [Fraction(rng.randint(1, 5), rng.randint(1, 5)) for _ in range(n)]
    W2 = [[lams[i] * x for x in W[i]] for i in order]
    b2 = [lams[i] * b[i] for i in order]
    A2 = [[row[i] / lams[i] for i in order] for row in A]
    return Network.from_layers([(W2, b2), (A2, c)])


@settings(max_examples=60, deadline=None)
@given(planted(), st.integers(0, 10**6))
def test_kink_moment_is_a_function_of_f_and_bounded_by_the_weights(net, seed):
    phi = kink_moment(net)
    assert phi <= kink_moment_bound(net)
    moved = _moved(net, random.Random(seed))
    assert canonical.equal(net, moved) and kink_moment(moved) == phi


def test_the_bound_is_strict_where_neurons_cancel_and_tight_where_they_do_not():
    one = Network.from_layers([([[1], [-1]], [1, 3]), ([[1, 2]], [0])])
    assert kink_moment(one) == kink_moment_bound(one) == 7
    # σ(x + 1) − ½σ(2x + 2) = 0: both neurons on one key, γ sums to 0, so Φ = 0 < Ψ = 2
    gone = Network.from_layers([([[1], [2]], [1, 2]), ([[1, Fraction(-1, 2)]], [0])])
    assert kink_moment(gone) == 0 and kink_moment_bound(gone) == 2
    # a flip: σ(x − 1) = σ(1 − x) + σ(x) − σ(−x) − 1, moment |α|·|q| = 1 either way
    flipped = Network.from_layers([([[-1], [1], [-1]], [1, 0, 0]), ([[1, 1, -1]], [-1])])
    kinked = Network.from_layers([([[1]], [-1]), ([[1]], [0])])
    assert canonical.equal(flipped, kinked)
    assert kink_moment(flipped) == kink_moment(kinked) == 1


def test_kink_moment_is_constant_on_fiber_samples():
    """Every certified sample θ' of the fiber of a planted network has the same kink moment."""
    nets = [Network.from_layers([([[1], [2]], [0, 0]), ([[1, 3]], [0])]),             # twins
            Network.from_layers([([[1], [-1], [0]], [1, -1, -2]), ([[1, 1, 5]], [0])]),  # flips, constant
            Network.from_layers([([[1, 0], [0, 1]], [-1, 2]), ([[2, 0], [1, 0]], [1, 0])])]  # silent neuron
    for net in nets:
        fib = fibers.describe(net)
        samples = [c.sample for c in fib.components if c.sample is not None]
        assert samples
        for s in samples:
            assert kink_moment(s) == kink_moment(net)


@settings(max_examples=40, deadline=None)
@given(st.fractions(min_value=-10, max_value=10, max_denominator=1000).filter(bool),
       st.fractions(min_value=Fraction(1, 10), max_value=1000, max_denominator=10),
       st.integers(1, 3), st.integers(1, 3), st.integers(1, 3))
def test_escaping_family_keeps_moment_A_up_to_the_limit(w, A, d, n, m):
    net = escaping(w, A, d, n, m)
    assert kink_moment(net) == A == kink_moment_bound(net)
    limit = escaping(Fraction(0), A, d, n, m)
    zero = Network.from_layers([([[0] * d], [0]), ([[0]] * m, [0] * m)])
    assert canonical.equal(limit, zero) and kink_moment(limit) == 0
    assert kink_moment_bound(limit) == A  # the bound is continuous, Φ is not
