"""Exact batch functional dimension (theory.md §2.3, §5.2–5.3) against an independent oracle."""
from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings, strategies as st

from certify.cli import main
from certify.api import functional_dimension
from certify.kernel import check
from certify.network import Network
from local_oracle import certificate_points, jacobian, rank
from mutation import mutations
from strategies import random_network

MANIFEST = json.load(open("examples/manifest.json"))["networks"]
FDIM = sorted(k for k, v in MANIFEST.items() if "fdim" in v)


def oracle_rank(cert: dict) -> int:
    net = Network.from_json(cert["claim"]["networks"]["A"])
    return rank(jacobian(net, certificate_points(cert)))


@pytest.mark.parametrize("name", FDIM)
def test_examples_match_theory(name):
    net = Network.load(f"examples/{MANIFEST[name]['file']}")
    ans = functional_dimension(net)
    assert ans.code == 0 and ans.certified
    assert ans.details["dimension"] == MANIFEST[name]["fdim"] == oracle_rank(ans.certificate)
    assert ans.details["deficit"] == net.N - net.H - MANIFEST[name]["fdim"]


def test_deficit_is_explained_by_the_catalogue():
    ans = functional_dimension(Network.load("examples/D-DEAD.json"))
    assert ans.details["deficit"] == 3 and ans.details["kernel_vectors"] == 3
    assert [m["mechanism"] for m in ans.details["mechanisms"]][:1] == ["M1"]


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10 ** 6), st.integers(1, 3), st.integers(1, 3), st.integers(0, 3))
def test_random_networks_exact_rank(seed, d0, d1, d2):
    rng = random.Random(seed)
    widths = [d0, d1] + ([d2] if d2 else []) + [rng.randint(1, 2)]
    net = random_network(widths, rng, zero=0.15)
    ans = functional_dimension(net, samples=40, seed=seed)
    if any(not any(row) and not b for layer in net.layers[:-1] for row, b in zip(layer.weight, layer.bias)):
        # a neuron whose pre-activation is identically 0: no point is admissible (H1), and the
        # honest answer is "undecided", never a rank
        assert ans.code == 3 and not ans.certified and ans.details["points"] == 0
        return
    assert ans.certified
    assert ans.details["lower"] == ans.details["upper"] == oracle_rank(ans.certificate)


def _still_true(cert: dict) -> bool:
    try:
        r = oracle_rank(cert)
        return (cert["claim"]["statement"] == "batch-functional-dimension"
                and cert["claim"]["lower"] <= r <= cert["claim"]["upper"])
    except Exception:
        return False


@pytest.mark.parametrize("name", ["D-DEAD", "S2"])
def test_mutated_certificates_fail_the_kernel(name):
    cert = functional_dimension(Network.load(f"examples/{name}.json"), samples=24).certificate
    assert check(cert).valid
    muts = mutations(cert, limit=120, seed=5)
    for what, mutant in muts:
        if check(json.loads(json.dumps(mutant))).valid:
            assert _still_true(mutant), f"kernel accepted a false certificate after {what}"


def test_cli(capsys):
    assert main(["fdim", "examples/D-ACT.json", "--json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["evidence"]["dimension"] == 10 and obj["certified"]
    assert main(["fdim", "examples/D-ACT.json", "--samples", "0"]) == 2
    assert "--samples" in capsys.readouterr().err


def test_complete_kink_probes_answer_before_the_dense_rank():
    """Theorem 5.4: complete kink probes prove rank N − H on their own sample, so the default
    path stops there; --samples keeps the dense rank; both give the same exact dimension."""
    net = Network.load("examples/D-ID.json")
    quick = functional_dimension(net)
    assert quick.method == "kink-probe" and quick.certified
    assert quick.details["dimension"] == net.N - net.H == oracle_rank(quick.certificate)
    dense = functional_dimension(net, samples=40)
    assert dense.method == "minor+kernel" and dense.certified
    assert dense.details["dimension"] == quick.details["dimension"] == oracle_rank(dense.certificate)
    # a deficit leaves the probes incomplete: the dense path decides, below N − H
    dead = functional_dimension(Network.load("examples/D-DEAD.json"))
    assert dead.method == "minor+kernel" and dead.details["dimension"] < dead.details["N-H"]
