"""Shallow canonical forms (theory §3.1–3.2): equal functions, different parameters."""
from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import assume, given, strategies as st

from certify.shallow import canonical as shallow
from certify.api import equivalent as decide
from certify.kernel import check
from certify.network import Network
from strategies import direct_eval, nonzero_rationals, positive_rationals, random_network, shallow_networks

F = Fraction


def layers_of(net: Network):
    (w1, b1), (w2, b2) = [(list(map(list, l.weight)), list(l.bias)) for l in net.layers]
    return w1, b1, w2, b2


def build(w1, b1, w2, b2) -> Network:
    return Network.from_layers([(w1, b1), (w2, b2)])


def assert_equivalent(a: Network, b: Network, box=None):
    answer = decide(a, b, box, method="shallow")
    assert answer.code == 0, answer.summary
    assert answer.certified and check(answer.certificate).valid
    # independent spot check with a forward pass written in the test
    rng = random.Random(0)
    for _ in range(30):
        if box is None:
            x = [F(rng.randint(-50, 50), rng.randint(1, 7)) for _ in range(a.widths[0])]
        else:
            x = [lo + (hi - lo) * F(rng.randint(0, 100), 100) for lo, hi in box]
        assert direct_eval(a, x) == direct_eval(b, x)


@given(shallow_networks(), st.randoms(use_true_random=False), nonzero_rationals)
def test_flip_compensated_by_a_linear_unit(net, rnd, t):
    """a σ(z) = a σ(−z) + a σ(z + t) − a σ(−z − t) − a t   (flip identity, §1)."""
    w1, b1, w2, b2 = layers_of(net)
    i = rnd.randrange(len(w1))
    a = [row[i] for row in w2]
    w1 += [list(w1[i]), [-x for x in w1[i]]]
    b1 += [b1[i] + t, -b1[i] - t]
    for r, row in enumerate(w2):
        row += [a[r], -a[r]]
    b2 = [c - ar * t for c, ar in zip(b2, a)]
    w1[i] = [-x for x in w1[i]]
    b1[i] = -b1[i]
    assert_equivalent(net, build(w1, b1, w2, b2))


@given(st.lists(nonzero_rationals, min_size=6, max_size=6), nonzero_rationals, st.lists(nonzero_rationals, min_size=3, max_size=3))
def test_three_flip_with_zero_flip_sum(vals, a3, biases):
    """S7-type: Σ_T a_i w_i = 0 ⇒ flipping T changes f by the constant −Σ_T a_i b_i (M8, §4)."""
    a1, a2, w11, w12, w21, w22 = vals
    w3 = [-(a1 * w11 + a2 * w21) / a3, -(a1 * w12 + a2 * w22) / a3]
    assume(any(w3))
    w1 = [[w11, w12], [w21, w22], w3]
    a = [a1, a2, a3]
    net = build(w1, biases, [a], [F(0)])
    flipped = build([[-x for x in r] for r in w1], [-b for b in biases], [a],
                    [sum(ai * bi for ai, bi in zip(a, biases))])
    assert_equivalent(net, flipped)


@given(shallow_networks(), st.randoms(use_true_random=False), positive_rationals, nonzero_rationals)
def test_twins_split_and_merge(net, rnd, lam, s):
    """(w, b) and λ(w, b) with outgoing a', a'': the sum a' + λ a'' is all that matters (M6)."""
    w1, b1, w2, b2 = layers_of(net)
    i = rnd.randrange(len(w1))
    w1.append([lam * x for x in w1[i]])
    b1.append(lam * b1[i])
    for row in w2:
        row.append((row[i] - s) / lam)
        row[i] = s
    assert_equivalent(net, build(w1, b1, w2, b2))


@given(shallow_networks(), st.lists(st.tuples(st.lists(nonzero_rationals, min_size=4, max_size=4), nonzero_rationals),
                                     min_size=1, max_size=3), nonzero_rationals, positive_rationals)
def test_silent_and_constant_neurons(net, silent, a_c, b_c):
    w1, b1, w2, b2 = layers_of(net)
    d = len(w1[0])
    for w, b in silent:  # a = 0: any incoming row
        w1.append(w[:d] + [F(1)] * (d - len(w)))
        b1.append(b)
        for row in w2:
            row.append(F(0))
    w1.append([F(0)] * d)  # w = 0: constant a σ(b) moved into the output bias
    b1.append(b_c)
    for row in w2:
        row.append(a_c)
    b2 = [c - a_c * b_c for c in b2]
    assert_equivalent(net, build(w1, b1, w2, b2))


@given(shallow_networks(max_width=8), st.randoms(use_true_random=False), nonzero_rationals)
def test_random_perturbation_gives_a_kernel_checked_counterexample(net, rnd, delta):
    w1, b1, w2, b2 = layers_of(net)
    where = rnd.choice(["w1", "b1", "w2", "b2"])
    if where == "w1":
        w1[rnd.randrange(len(w1))][rnd.randrange(len(w1[0]))] += delta
    elif where == "b1":
        b1[rnd.randrange(len(b1))] += delta
    elif where == "w2":
        w2[rnd.randrange(len(w2))][rnd.randrange(len(w2[0]))] += delta
    else:
        b2[rnd.randrange(len(b2))] += delta
    other = build(w1, b1, w2, b2)
    equal = shallow.equal(net, other)
    answer = decide(net, other, method="shallow")
    assert answer.certified
    if equal:  # the change hit a free parameter (e.g. a silent neuron); the canonical form must agree
        assert answer.code == 0
        return
    assert answer.code == 1
    ev = answer.certificate["evidence"]
    x = [Fraction(v) for v in ev["x"]]
    assert direct_eval(net, x) != direct_eval(other, x)


@pytest.mark.parametrize("seed", range(30))
def test_box_canonical_form(seed):
    """A neuron whose hyperplane misses the box is affine there (§3.2)."""
    rng = random.Random(seed)
    d = rng.randint(1, 3)
    net = random_network([d, rng.randint(1, 5), rng.randint(1, 2)], rng)
    box = tuple((F(-1), F(1)) for _ in range(d))
    w1, b1, w2, b2 = layers_of(net)
    # an extra neuron dead on the box, and one stably active on it
    w1.append([F(1)] * d); b1.append(F(-d - 1))
    w1.append([F(1)] * d); b1.append(F(d + 1))
    for row in w2:
        row += [F(rng.randint(1, 5)), F(rng.randint(1, 5))]
    a = build(w1, b1, w2, b2)
    # B: the dead neuron gets other outgoing weights; the active one is replaced by its affine part
    w1b, b1b, w2b, b2b = [list(map(list, w1)), list(b1), [list(r) for r in w2], list(b2)]
    for r, row in enumerate(w2b):
        row[-2] = row[-2] + 3
    b = build(w1b, b1b, w2b, b2b)
    assert_equivalent(a, b, box)
    whole = decide(a, b, None, method="shallow")
    assert whole.code == 1 and whole.certified  # not equal on R^d


def test_degenerate_box_coordinates_are_folded():
    a = Network.from_layers([([[1, 1], [1, -1]], [0, 0]), ([[1, 1]], [0])])
    # on x_1 = 0 the two hyperplanes x_1 + x_2 = 0 and x_1 − x_2 = 0 both become x_2 = 0
    b = Network.from_layers([([[0, 1], [0, -1]], [0, 0]), ([[1, 1]], [0])])
    box = ((F(0), F(0)), (F(-1), F(1)))
    assert_equivalent(a, b, box)
    assert decide(a, b, None, method="shallow").code == 1


@pytest.mark.parametrize("seed", range(20))
def test_counterexample_lies_in_the_box(seed):
    rng = random.Random(seed)
    d = rng.randint(1, 3)
    a = random_network([d, 4, 1], rng)
    b = random_network([d, 3, 1], rng)
    box = tuple(sorted((F(rng.randint(-5, 5)), F(rng.randint(-5, 5)))) for _ in range(d))
    box = tuple((lo, hi + 1) for lo, hi in box)
    answer = decide(a, b, box, method="shallow")
    assert answer.certified
    if answer.code == 1:
        x = [Fraction(v) for v in answer.certificate["evidence"]["x"]]
        assert all(lo <= v <= hi for v, (lo, hi) in zip(x, box))
