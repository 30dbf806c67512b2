"""Projective charts (theory.md §4.3): R^d0 = [−R, R]^d0 ∪ 2·d0 chart boxes, on which the chart
networks compute s·z(R u / s).  The identity is tested exactly at random far points; planted
premises (dead on R^d0, M10 on R^d0) are proved by chart proofs the kernel accepts; a neuron or
pair that a float sample shows active is never proved; altered chart proofs are rejected."""
from __future__ import annotations

import copy
import json
import random
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from certify.kernel.charts import chart_net, charts
from certify.kernel.moves import check_exclusive_proof
from certify.kernel.network import affine_maps, preactivations
from certify.kernel.registry import CheckFailure
from certify.kernel.relations import check_sign
from strategies import planted_dead, random_network

dc = pytest.importorskip("certify.deep.charts")
seeds = st.integers(0, 10_000)


@settings(max_examples=25, deadline=None)
@given(seeds, st.integers(1, 3), st.sampled_from([F(1), F(5, 2), F(1, 3)]))
def test_chart_network_is_the_homogenised_network(seed, d, R):
    """z'_l(v, s) = s · z_l(R u / s) on every hidden layer and the output, the carrier equals s."""
    rng = random.Random(seed)
    net = random_network([d, 3, 2, 1], rng).net
    for _ in range(10):
        x = [F(rng.randint(-400, 400), rng.randint(1, 7)) for _ in range(d)]
        m = max(abs(t) for t in x)
        if m < R:
            continue
        i = max(range(d), key=lambda k: abs(x[k]))
        eps = 1 if x[i] > 0 else -1
        s = R / m
        v = [s * x[k] / R for k in range(d) if k != i] + [s]
        assert all(-1 <= t <= 1 for t in v) and 0 < s <= 1
        z = preactivations(affine_maps(net), x)
        zc = preactivations(affine_maps(chart_net(net, i, eps, R)), v)
        for l in range(len(z)):
            assert list(zc[l][:len(z[l])]) == [s * q for q in z[l]]
            if l < len(z) - 1:
                assert zc[l][-1] == s
    assert len(charts(net, R)) == 2 * d + 1


def _json(obj):
    return json.loads(json.dumps(obj))


@settings(max_examples=6, deadline=None)
@given(seeds)
def test_planted_dead_neuron_is_proved_on_charts(seed):
    net = planted_dead(seed)
    proof = dc.prove_sign_on_charts(net, 1, 0, "nonpositive", budget=400, timeout=20)
    assert proof is not None and proof["method"] == "charts"
    check_sign(net.net, None, 1, 0, "nonpositive", _json(proof), "proof")
    with pytest.raises(CheckFailure):  # the opposite sign is false (z ≤ −c < 0)
        check_sign(net.net, None, 1, 0, "nonnegative", _json(proof), "proof")


@settings(max_examples=8, deadline=None)
@given(seeds)
def test_generic_active_neurons_are_never_proved_dead(seed):
    """A generic network: a neuron that a float sample shows active is never proved dead on R^d0."""
    rng = random.Random(seed)
    net = random_network([2, 3, 3, 1], rng)
    xs = np.random.default_rng(seed).standard_normal((4000, 2)) * np.repeat([0.3, 3.0, 30.0, 300.0], 1000)[:, None]
    zs = net.float_forward(xs)
    for j in range(3):
        proof = dc.prove_sign_on_charts(net, 1, j, "nonpositive", budget=300, timeout=5)
        if np.any(zs[1][:, j] > 1e-6):
            assert proof is None, j
        for k in range(3):
            pair = dc.prove_exclusive_on_charts(net, 1, j, k, budget=300, timeout=5)
            if np.any((zs[0][:, k] > 1e-6) & (zs[1][:, j] > 1e-6)):
                assert pair is None, (j, k)


def test_far_cone_premise_needs_charts():
    """x ↦ σ(x0 − 1000) feeds a neuron dead wherever it is active: the predecessor is active only
    far out (no sample of [−100, 100]^2 sees it), and on the chart boxes the premise is proved."""
    from certify.network import Network
    net = Network.from_layers([([[1, 0], [0, 1], [1, 1]], [-1000, 0, 0]),
                               ([[-1, 1, 0], [1, 0, -1]], [0, 0]), ([[1, 1]], [0])])
    # hidden [1, 1] = σ(x0 − 1000) − σ(x0 + x1) ... ≤ 0 wherever [0, 0] is active? not in general:
    # (x0, x1) = (2000, −3000): z_{0,0} = 1000 > 0, z_{0,2} < 0, so z_{1,1} = 1000 > 0
    assert dc.prove_exclusive_on_charts(net, 1, 1, 0, budget=300, timeout=10) is None
    net = Network.from_layers([([[1, 0], [0, 1], [1, 0]], [-1000, 0, 0]),
                               ([[-1, 1, 0], [1, 0, -1]], [0, 0]), ([[1, 1]], [0])])
    # now z_{1,1} = σ(x0 − 1000) − σ(x0) ≤ 0 everywhere (dead), in particular where [0, 0] fires
    proof = dc.prove_exclusive_on_charts(net, 1, 1, 0, budget=300, timeout=10)
    assert proof is not None
    check_exclusive_proof(net.net, None, 1, 1, 0, _json(proof), "proof")


def _mutants(proof: dict):
    """Altered chart proofs, each of which must be rejected."""
    n = len(proof["charts"])
    dropped = copy.deepcopy(proof)
    del dropped["charts"][n - 1]
    yield "a chart proof dropped", dropped
    swapped = copy.deepcopy(proof)
    nested = [k for k, e in enumerate(swapped["charts"]) if e["method"] != "interval"]
    if nested:
        swapped["charts"][nested[0]] = {"method": "interval"}
        yield "a region tree replaced by a bare interval claim", swapped
    yield "no radius", {k: v for k, v in proof.items() if k != "radius"}
    yield "radius 0", {**copy.deepcopy(proof), "radius": "0"}
    yield "nested charts", {**copy.deepcopy(proof), "charts": [copy.deepcopy(proof)] * n}


def test_mutated_chart_proofs_are_rejected():
    net = planted_dead(1)
    proof = _json(dc.prove_sign_on_charts(net, 1, 0, "nonpositive", budget=400, timeout=20))
    check_sign(net.net, None, 1, 0, "nonpositive", proof, "proof")
    for what, bad in _mutants(proof):
        with pytest.raises(CheckFailure):
            check_sign(net.net, None, 1, 0, "nonpositive", _json(bad), "proof")
            pytest.fail(f"accepted with {what}")
    with pytest.raises(CheckFailure):  # charts are for R^d0 only
        check_sign(net.net, ((F(-1), F(1)), (F(-1), F(1))), 1, 0, "nonpositive", proof, "proof")


def test_mutated_exclusive_chart_proofs_are_rejected():
    """M10 chart entries: claiming the wrong neuron dead, or dropping a chart, fails."""
    from certify.network import Network
    net = Network.from_layers([([[1, 0], [0, 1], [1, 0]], [-1000, 0, 0]),
                               ([[-1, 1, 0], [1, 0, -1]], [0, 0]), ([[1, 1]], [0])])
    proof = _json(dc.prove_exclusive_on_charts(net, 1, 1, 0, budget=300, timeout=10))
    check_exclusive_proof(net.net, None, 1, 1, 0, proof, "proof")
    for what, bad in _mutants(proof):
        with pytest.raises(CheckFailure):
            check_exclusive_proof(net.net, None, 1, 1, 0, _json(bad), "proof")
            pytest.fail(f"accepted with {what}")
    false_net = Network.from_layers([([[1, 0], [0, 1], [1, 1]], [-1000, 0, 0]),
                                     ([[-1, 1, 0], [1, 0, -1]], [0, 0]), ([[1, 1]], [0])])
    with pytest.raises(CheckFailure):  # the same proof for a network where the premise is false
        check_exclusive_proof(false_net.net, None, 1, 1, 0, proof, "proof")
    flipped = copy.deepcopy(proof)
    for e in flipped["charts"]:
        if e["method"] == "dead":
            e["of"] = "both"
    if flipped != proof:
        with pytest.raises(CheckFailure):
            check_exclusive_proof(net.net, None, 1, 1, 0, flipped, "proof")
