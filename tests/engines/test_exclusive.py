"""M10 by conditional region trees (theory.md §4: z_{l,j} ≤ 0 wherever predecessor k is active)
and deep M1 by region trees on R^d: planted answers come out exit 1 with a kernel-checked
witness; claims that a float sample refutes are never proved."""
from __future__ import annotations

import random
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from certify import api
from certify.kernel import check
from certify.network import Network
from strategies import direct_eval, planted_dead, random_network

regiontree = pytest.importorskip("certify.deep.regiontree")

seeds = st.integers(0, 10_000)


def q(rng: random.Random, lo: int = 1, hi: int = 9) -> F:
    return F(rng.randint(lo, hi), rng.randint(1, 4))


def planted_exclusive(seed: int) -> Network:
    """2-3-3-2-1 with hidden neuron [2, 0] dead wherever [1, 0] is active, but not by the sign test.

    Hidden layer 1: z_i = −λ z_k − u·y − c with u ≥ 0, c ≥ 0 (y ≥ 0, so z_i ≤ −λ z_k: i vanishes
    where k fires; not on k's opposite ray, so the exact sign test of the catalogue misses it).
    Hidden layer 2: z_j = w_i y_i − (weights ≥ 0)·(the other y) + b, b ≤ 0 (fires only through i)."""
    rng = random.Random(seed)
    net = random_network([2, 3, 3, 2, 1], rng)
    layers = [[[list(r) for r in l.weight], list(l.bias)] for l in net.layers]
    (w1, b1), (w2, b2) = layers[1], layers[2]
    lam, c = q(rng), F(rng.randint(0, 3), 4)
    u = [F(rng.randint(0, 2), 8) for _ in w1[0]]
    u[rng.randrange(len(u))] += F(1, 8)  # u ≠ 0: the row is not proportional to k's
    w1[0][0], b1[0] = q(rng), q(rng)  # k fires somewhere (checked by ``alive``)
    w1[1] = [-lam * x - ux for x, ux in zip(w1[0], u)]
    b1[1] = -lam * b1[0] - c
    w2[0] = [-q(rng), q(rng), -q(rng)]  # k, i, the third neuron
    b2[0] = -F(rng.randint(0, 4), 3)
    return Network.from_layers([(w, b) for w, b in layers])


def alive(net: Network, *neurons: tuple[int, int]) -> bool:
    """Each (layer, neuron) is active at some point of a float sample (genericity of the draw)."""
    xs = np.random.default_rng(0).standard_normal((4000, net.widths[0])) * np.repeat([0.3, 3.0, 30.0, 300.0], 1000)[:, None]
    zs = net.float_forward(xs)
    return all(np.any(zs[t][:, j] > 0) for t, j in neurons)


def assert_witness(network: Network, answer) -> None:
    assert answer.code == 1 and answer.certified, answer.summary
    witness = answer.artifacts["witness"]
    assert witness.net != network.net
    rng = random.Random(3)
    for _ in range(30):
        x = [F(rng.randint(-90, 90), 7) for _ in range(network.widths[0])]
        assert direct_eval(network, x) == direct_eval(witness, x)


@settings(max_examples=6, deadline=None)
@given(seeds)
def test_planted_exclusive_pair_is_a_kernel_checked_m10(seed):
    from certify.hidden.mechanisms import detect
    net = planted_exclusive(seed)
    assume(alive(net, (1, 0), (2, 0)))
    assert not [f for f in detect(net, nested=False) if f.mechanism == "M10"]  # the sign test misses it
    found = [f for f in detect(net, nested_seconds=20) if f.mechanism == "M10" and f.layer == 2 and f.neurons == (0, 0)]
    assert found, "planted M10 premise not proved"
    move = found[0].moves()[0]
    assert move["move"] == "exclusive" and move["proof"]["method"] == "charts"  # R^d: one proof per chart box
    cert = found[0].certificate(F(1, 1000))
    assert check(cert).valid
    answer = api.hidden_symmetry(net, search=False, nested_timeout=20)
    assert answer.code == 0 and answer.certified  # certify hidden: a hidden symmetry exists (exit 0)


@settings(max_examples=4, deadline=None)
@given(seeds)
def test_local_refutes_planted_exclusive_pair(seed):
    net = planted_exclusive(seed)
    assume(alive(net, (1, 0), (2, 0)))
    answer = api.locally_identifiable(net, timeout=60)
    if answer.code == 1 and answer.details["mechanism"] != "M10":
        return  # another genuine mechanism of the random part came first (also kernel-checked)
    assert_witness(net, answer)
    assert answer.details["mechanism"] == "M10"


@settings(max_examples=4, deadline=None)
@given(seeds)
def test_local_refutes_planted_dead_deep_neuron(seed):
    net = planted_dead(seed)
    answer = api.locally_identifiable(net, timeout=60)
    assert_witness(net, answer)


@settings(max_examples=8, deadline=None)
@given(seeds)
def test_co_active_pairs_are_never_proved_exclusive(seed):
    """A generic network: a pair that a float sample shows active together is never proved
    (the claim is false), and every proved pair holds on the sample."""
    rng = random.Random(seed)
    net = random_network([2, 3, 3, 1], rng)
    xs = np.random.default_rng(seed).standard_normal((4000, 2)) * np.repeat([0.3, 3.0, 30.0, 300.0], 1000)[:, None]
    zs = net.float_forward(xs)
    for j in range(3):
        for k in range(3):
            both = np.any((zs[0][:, k] > 1e-9) & (zs[1][:, j] > 1e-9))
            ev = regiontree.prove_exclusive(net, 1, j, k, None, budget=400, timeout=5)
            if both:
                assert ev is None, (j, k)
            if ev is not None:
                assert not np.any((zs[0][:, k] > 1e-6) & (zs[1][:, j] > 1e-6))


def test_generic_network_gives_no_m10_witness():
    """D-ID (a generic deep network, locally identifiable): no conditional premise is proved."""
    from pathlib import Path
    from certify.hidden.mechanisms import detect
    net = Network.load(Path(__file__).resolve().parents[2] / "examples" / "D-ID.json")
    assert not [f for f in detect(net, nested_seconds=5) if f.mechanism == "M10"]
    assert api.locally_identifiable(net).code == 0
