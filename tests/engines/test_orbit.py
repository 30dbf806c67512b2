"""Orbit matching B ∈ G·A (issue 2, item 4): exact, complete, with ties."""
from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from certify import api
from certify.group import orbit as symmetry
from certify.api import equivalent as decide
from certify.kernel import check
from certify.kernel.network import Layer
from certify.group.matching import find_group_element
from certify.network import Network
from orbit_oracle import z3_in_orbit
from strategies import networks, random_network


@given(networks(max_width=8), st.randoms(use_true_random=False))
def test_random_group_element_is_recovered_and_certified(net, rnd):
    g = symmetry.random_element(net, rnd)
    moved = symmetry.apply(g, net)
    found = symmetry.orbit_element(net, moved)
    assert found is not None and symmetry.verify(net, moved, found) is None
    answer = api.orbit(net, moved)
    assert answer.code == 0 and answer.certified
    assert check(answer.certificate).valid
    eq = decide(net, moved, method="orbit")
    assert eq.code == 0 and eq.certified and eq.certificate["evidence"]["method"] == "orbit"


def _with_ties(rng: random.Random, widths: list[int]) -> Network:
    """Random net with twins (equal normalised rows), zero rows and zero columns."""
    net = random_network(widths, rng, zero=0.3)
    layers = [list(map(list, l.weight)) for l in net.layers]
    biases = [list(l.bias) for l in net.layers]
    for t in range(len(layers) - 1):
        n = len(layers[t])
        if n >= 2 and rng.random() < 0.6:  # twin: neuron 1 = c · neuron 0
            c = Fraction(rng.randint(1, 4), rng.randint(1, 4))
            layers[t][1] = [c * x for x in layers[t][0]]
            biases[t][1] = c * biases[t][0]
        if rng.random() < 0.3:  # zero row
            i = rng.randrange(n)
            layers[t][i] = [Fraction(0)] * len(layers[t][i])
            biases[t][i] = Fraction(0)
        if rng.random() < 0.3:  # zero column
            j = rng.randrange(n)
            for row in layers[t + 1]:
                row[j] = Fraction(0)
    return Network.from_layers(list(zip(layers, biases)))


@pytest.mark.parametrize("seed", range(40))
def test_ties_need_a_real_matching(seed):
    rng = random.Random(seed)
    widths = [rng.randint(1, 3)] + [rng.randint(2, 4) for _ in range(rng.randint(1, 3))] + [rng.randint(1, 2)]
    net = _with_ties(rng, widths)
    moved = symmetry.apply(symmetry.random_element(net, rng), net)
    found = symmetry.orbit_element(net, moved)
    assert found is not None and symmetry.verify(net, moved, found) is None


@pytest.mark.parametrize("seed", range(60))
def test_complete_matcher_agrees_with_z3_oracle(seed):
    rng = random.Random(1000 + seed)
    widths = [rng.randint(1, 2)] + [rng.randint(1, 3) for _ in range(rng.randint(1, 2))] + [1]
    a = _with_ties(rng, widths)
    b = symmetry.apply(symmetry.random_element(a, rng), a)
    if rng.random() < 0.6:  # one entry changed: may or may not leave the orbit
        layers = [Layer(tuple(map(tuple, l.weight)), l.bias) for l in b.layers]
        t = rng.randrange(len(layers))
        w = [list(r) for r in layers[t].weight]
        i, j = rng.randrange(len(w)), rng.randrange(len(w[0]))
        w[i][j] = rng.choice([Fraction(0), w[i][j] * 2, w[i][j] + 1])
        layers[t] = Layer(tuple(map(tuple, w)), layers[t].bias)
        b = b.replace(layers=layers)
    expected = z3_in_orbit(a, b)
    found = find_group_element(a.net, b.net)
    assert (found is not None) == expected
    answer = api.orbit(a, b)
    assert answer.code == (0 if expected else 1) and answer.certified


def test_identical_twins_and_free_neurons():
    # two identical neurons (an automorphism) and a neuron with zero row and zero column
    a = Network.from_layers([([[1, 2], [1, 2], [0, 0]], [1, 1, 0]), ([[3, 3, 0]], [0])])
    b = Network.from_layers([([[0, 0], [2, 4], [1, 2]], [0, 2, 1]), ([[0, Fraction(3, 2), 3]], [0])])
    g = symmetry.orbit_element(a, b)
    assert g is not None and symmetry.verify(a, b, g) is None


def test_different_architectures_are_not_in_orbit():
    a = Network.from_layers([([[1], [2]], [0, 0]), ([[1, 1]], [0])])
    b = Network.from_layers([([[1]], [0]), ([[3]], [0])])
    answer = api.orbit(a, b)
    assert answer.code == 1 and "architectures differ" in answer.summary and answer.certified


def test_a_wrong_float_proposal_is_caught_by_the_kernel_and_the_exact_matcher_decides():
    """B = g·A with one weight moved by 2^-70: floats cannot tell, so the float proposal maps A
    to B; it goes to the kernel unverified, the kernel rejects it, and the complete exact
    matcher then proves B ∉ G·A (and equiv never answers by the orbit method)."""
    rng = random.Random(7)
    a = random_network([3, 4, 3, 1], rng)
    b = symmetry.apply(symmetry.random_element(a, rng), a)
    w = [list(map(list, layer.weight)) for layer in b.layers]
    w[1][0][0] += Fraction(1, 2 ** 70)
    b = b.replace(layers=[Layer(tuple(map(tuple, wt)), layer.bias) for wt, layer in zip(w, b.layers)])
    assert symmetry._float_proposal(a, b) is not None          # the floats are fooled
    ans = api.orbit(a, b)
    assert ans.code == 1 and ans.certified and ans.verdict == "not-in-orbit"
    eq = decide(a, b, None)
    assert eq.method != "orbit" and (eq.code == 3 or eq.certified)
