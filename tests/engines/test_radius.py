"""The explicit radius (Theorem 5.3 + Lemma 5.2, block form) and its kernel check."""
from __future__ import annotations

import copy
import json
import random
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from certify.kernel import check
from certify.kernel.exact import fmt
from certify.api import locally_identifiable as decide_local
from certify.network import Network
from local_oracle import certificate_points, flat_params, jacobian, pattern, rank
from strategies import random_network

F = Fraction


def perturbed(net: Network, eps: Fraction, rng: random.Random) -> Network:
    """A random θ' with ||θ' − θ||∞ ≤ ε (corners and interior points of the box)."""
    def move(v):
        return v + eps * rng.choice([-1, 1, F(rng.randint(-8, 8), 8)])
    return Network.from_layers([([[move(v) for v in row] for row in l.weight], [move(v) for v in l.bias])
                                for l in net.layers])


def consequences_hold(net: Network, cert: dict, trials: int = 6, seed: int = 0) -> bool:
    """What Theorem 5.3's proof implies on B_ε: θ's pattern at X is kept (Lemma 5.2) and the
    Jacobian keeps rank N − H (the block Jacobian is regular on the slice box)."""
    eps = F(cert["claim"]["radius"])
    points = certificate_points(cert)
    rng = random.Random(seed)
    for _ in range(trials):
        other = perturbed(net, eps, rng)
        for x in points:
            if pattern(other, x) != pattern(net, x):
                return False
        if rank(jacobian(other, points)) != net.N - net.H:
            return False
    return True


@pytest.mark.parametrize("name", ["D-ID", "S3", "S7"])
def test_radius_examples(name):
    net = Network.load(f"examples/{name}.json")
    ans = decide_local(net, radius=True)
    assert ans.code == 0 and ans.certified
    cert = ans.certificate
    assert cert["claim"]["radius"] is not None and "radius" in cert["evidence"]
    assert ans.details["radius"]["found"]
    assert consequences_hold(net, cert)


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 10 ** 6))
def test_radius_random_shallow(seed):
    rng = random.Random(seed)
    net = random_network([2, 3, 1], rng)
    if not all(net.layers[1].weight[0]):
        return
    ans = decide_local(net, radius=True)
    assert ans.code == 0
    if ans.details["radius"]["found"]:
        assert consequences_hold(net, ans.certificate, trials=3, seed=seed)


def _with_radius(cert: dict, eps: Fraction) -> dict:
    out = copy.deepcopy(cert)
    out["claim"]["radius"] = fmt(eps)
    return out


def test_kernel_rejects_inflated_radius():
    net = Network.load("examples/D-ID.json")
    cert = decide_local(net, radius=True).certificate
    eps = F(cert["claim"]["radius"])
    assert check(cert).valid
    for factor in (2 ** 12, 2 ** 20):
        assert not check(_with_radius(cert, eps * factor)).valid
    smaller = _with_radius(cert, eps / 2)
    assert check(smaller).valid  # a smaller ball is implied


def test_kernel_rejects_bad_radius_evidence():
    cert = decide_local(Network.load("examples/S7.json"), radius=True).certificate
    bad = copy.deepcopy(cert)
    del bad["evidence"]["radius"]
    assert not check(bad).valid
    bad = copy.deepcopy(cert)
    bad["claim"]["radius"] = None
    assert not check(bad).valid                      # radius evidence without a radius claim
    bad = copy.deepcopy(cert)
    bad["evidence"]["radius"]["pivots"][0][0] = 1    # S7 row 0 is (1, 0; 0): W[0][1] = 0 is no pivot
    assert not check(bad).valid
    bad = copy.deepcopy(cert)
    bad["claim"]["radius"] = "0"
    assert not check(bad).valid
