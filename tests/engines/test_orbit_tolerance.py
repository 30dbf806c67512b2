"""certify orbit --tolerance (group/approximate.py): planted approximate orbits.

B = g·A with one entry moved by exactly η: the search finds a group element within η (the
true g is the first guess, and sweeps never increase the distance), the kernel accepts the
claim at any δ ≥ the distance found and rejects it below; an output bias moved by η (G fixes
it) makes the distance exactly η and δ < η a proved "no"; δ = 0 gives the exact orbit answer."""
from __future__ import annotations

import json
import random
from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from certify import api
from certify.group.approximate import assignment
from certify.group.orbit import apply, random_element
from certify.kernel import check
from certify.network import Network
from strategies import direct_eval, random_network

F = Fraction
ARCHS = [[2, 3, 1], [2, 4, 3, 2], [3, 5, 4, 2], [2, 6, 2]]


def _moved(net: Network, t: int, where: tuple, eta: Fraction) -> Network:
    layers = [(list(map(list, l.weight)), list(l.bias)) for l in net.layers]
    if where[0] == "bias":
        layers[t][1][where[1]] += eta
    else:
        layers[t][0][where[1]][where[2]] += eta
    return Network.from_layers(layers)


def _planted(seed: int, widths, eta: Fraction, output_bias: bool = False):
    rng = random.Random(seed)
    a = random_network(widths, rng)
    ga = apply(random_element(a, rng), a)
    t = len(ga.layers) - 1 if output_bias else rng.randrange(len(ga.layers))
    rows, cols = len(ga.layers[t].bias), len(ga.layers[t].weight[0])
    where = ("bias", rng.randrange(rows)) if output_bias or rng.random() < 0.3 else \
        ("weight", rng.randrange(rows), rng.randrange(cols))
    return a, _moved(ga, t, where, eta * rng.choice([1, -1]))


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10 ** 6), st.sampled_from(ARCHS), st.sampled_from([F(1, 10 ** 6), F(1, 1000), F(1, 50)]))
def test_planted_perturbation_is_found_within_eta(seed, widths, eta):
    a, b = _planted(seed, widths, eta)
    ans = api.orbit(a, b, tolerance=eta)
    d = F(ans.details["distance"]["exact"])
    assert ans.code == 0 and ans.certified and d <= eta
    assert abs(float(ans.details["distance"]["decimal"]) - float(d)) <= 1e-5 * float(d)
    cert = json.loads(json.dumps(ans.certificate))
    if d > 0:
        cert["claim"]["tolerance"] = str(d - d / 1000)
        assert not check(cert).valid  # the same g is not within less than its distance


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10 ** 6), st.sampled_from(ARCHS), st.sampled_from([F(1, 10 ** 6), F(1, 1000), F(1, 50)]))
def test_output_bias_makes_the_distance_exact_and_refutes_below(seed, widths, eta):
    a, b = _planted(seed, widths, eta, output_bias=True)
    ans = api.orbit(a, b, tolerance=eta)
    assert ans.code == 0 and F(ans.details["distance"]["exact"]) == eta
    assert F(ans.details["lower_bound"]["exact"]) == eta
    below = api.orbit(a, b, tolerance=eta * F(99, 100))
    assert below.code == 1 and below.certified and below.verdict == "not-orbit-within"


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10 ** 6), st.sampled_from(ARCHS), st.booleans())
def test_zero_tolerance_is_the_exact_orbit_answer(seed, widths, moved):
    a, b = _planted(seed, widths, F(1, 100) if moved else F(0))
    exact, within = api.orbit(a, b), api.orbit(a, b, tolerance=0)
    assert within.certified and exact.certified
    assert (exact.code, within.code) == ((1, 1) if moved else (0, 0))


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10 ** 6), st.sampled_from([[2, 3, 1], [2, 4, 3, 2]]))
def test_the_implied_function_bound_holds_at_exact_points(seed, widths):
    a, b = _planted(seed, widths, F(1, 50))
    box = ((F(-1), F(1)),) * widths[0]
    ans = api.orbit(a, b, tolerance=F(1, 50), box=box)
    bound = F(ans.certificate["claim"]["implies"])
    rng = random.Random(seed)
    for _ in range(50):
        x = [F(rng.randint(-16, 16), 16) for _ in range(widths[0])]
        assert all(abs(p - q) <= bound for p, q in zip(direct_eval(a, x), direct_eval(b, x)))


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10 ** 6), st.integers(1, 7))
def test_assignment_is_optimal(seed, n):
    rng = np.random.default_rng(seed)
    cost = rng.integers(0, 20, size=(n, n)).astype(float)
    from itertools import permutations
    best = min(sum(cost[i, p[i]] for i in range(n)) for p in permutations(range(n)))
    perm = assignment(cost)
    assert sorted(perm) == list(range(n)) and sum(cost[i, perm[i]] for i in range(n)) == best


def test_different_architectures_are_a_proved_no():
    a = random_network([2, 3, 1], random.Random(1))
    b = random_network([2, 4, 1], random.Random(1))
    ans = api.orbit(a, b, tolerance=10)
    assert ans.code == 1 and ans.certificate["evidence"] == {"architecture": True}


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10 ** 6), st.sampled_from(ARCHS))
def test_a_far_first_layer_row_is_a_proved_no(seed, widths):
    """A first-layer row of B replaced by one that no positive scale of any row of A approaches:
    Hall's condition fails for that row alone, exit 1 with the ``hall`` evidence."""
    a, b = _planted(seed, widths, F(0))
    layers = [(list(map(list, l.weight)), list(l.bias)) for l in b.layers]
    layers[0][0][0] = [F(1000 * (-1) ** j) for j in range(widths[0])]
    layers[0][1][0] = F(-1000)
    far = Network.from_layers(layers)
    ans = api.orbit(a, far, tolerance=F(1, 10))
    assert ans.code == 1 and ans.certified and "hall" in ans.certificate["evidence"], ans.summary
