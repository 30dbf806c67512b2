"""Kernel pieces behind hidden-symmetry certificates: exact interval bounds, the orbit
separation proofs of B ∉ G·A, affine relations, and the decision data of honest-shallow certificates."""
from __future__ import annotations

import random
from fractions import Fraction as F

import pytest
from hypothesis import given, settings, strategies as st

from certify.kernel.intervals import preactivation_bounds
from certify.group.matching import search
from certify.kernel.orbit import check_group_element, check_separation
from certify.kernel.registry import CheckFailure
from certify.kernel.relations import check_relation
from certify.network import Network
from certify.group.orbit import apply, random_element
from strategies import networks, random_network


@settings(max_examples=40)
@given(networks(max_width=4, max_in=3), st.integers(0, 10 ** 6))
def test_interval_bounds_enclose_every_preactivation(net, seed):
    rng = random.Random(seed)
    box = tuple(sorted((F(rng.randint(-9, 9), 4), F(rng.randint(-9, 9), 4))) for _ in range(net.widths[0]))
    bounds = preactivation_bounds(net.net, box)
    for _ in range(20):
        x = [lo + (hi - lo) * F(rng.randint(0, 8), 8) for lo, hi in box]
        for t, z in enumerate(net.preactivations(x)[:-1]):
            for (lo, hi), v in zip(bounds[t], z):
                assert lo is not None and hi is not None and lo <= v <= hi


@settings(max_examples=40)
@given(networks(max_width=4, max_in=3), st.integers(0, 10 ** 6))
def test_interval_bounds_on_the_whole_space(net, seed):
    """On R^d0, a finite upper bound ≤ 0 (dead) must hold at every point."""
    rng = random.Random(seed)
    bounds = preactivation_bounds(net.net, None)
    for _ in range(20):
        x = [F(rng.randint(-10 ** 4, 10 ** 4), rng.randint(1, 9)) for _ in range(net.widths[0])]
        for t, z in enumerate(net.preactivations(x)[:-1]):
            for (lo, hi), v in zip(bounds[t], z):
                assert (lo is None or lo <= v) and (hi is None or v <= hi)


@settings(max_examples=60)
@given(networks(max_width=5, max_in=3, entries=st.sampled_from([F(0), F(1), F(-2), F(3, 2), F(-1, 3)])),
       st.integers(0, 10 ** 6))
def test_no_separation_proof_passes_for_an_orbit_pair(net, seed):
    """B = g·A: the search finds g, and every separation step the kernel knows fails on (A, B)."""
    g = random_element(net, random.Random(seed))
    moved = apply(g, net)
    found, proof = search(net.net, moved.net)
    assert found is not None and proof is None
    for fake in ({"apart": True}, {"leaf": True}, {"architecture": True},
                 {"individualise": 0, "branches": []}):
        with pytest.raises(CheckFailure):
            check_separation(net.net, moved.net, fake)


@settings(max_examples=60)
@given(networks(max_width=4, max_in=3, entries=st.sampled_from([F(0), F(1), F(-2), F(3, 2)])),
       st.integers(0, 10 ** 6))
def test_separation_proofs_are_accepted_and_tight(net, seed):
    """Changing one weight leaves the orbit (or not: then g is found); a found proof passes
    the kernel, and pruning one branch of it fails."""
    rng = random.Random(seed)
    layers = [(list(map(list, l.weight)), list(l.bias)) for l in net.layers]
    t = rng.randrange(len(layers))
    layers[t][0][rng.randrange(len(layers[t][0]))][0] += 1
    other = Network.from_layers(layers)
    found, proof = search(net.net, other.net)
    if proof is None:
        assert check_group_element(net.net, other.net, *found) is None
        return
    check_separation(net.net, other.net, proof)
    if "branches" in proof:
        with pytest.raises(CheckFailure):
            check_separation(net.net, other.net, {**proof, "branches": proof["branches"][:-1]})


def test_separation_follows_individualisation():
    """Zero-row (free) neurons make refinement stall: the proof needs individualisation,
    and the kernel follows the branches the producer gives, in order."""
    a = Network.from_layers([([[1, 0], [0, 1], [1, 1]], [0, 0, 0]), ([[1, 1, 1]], [0])])
    b = Network.from_layers([([[1, 0], [0, 1], [1, 1]], [0, 0, 0]), ([[1, 1, 2]], [0])])
    found, proof = search(a.net, b.net)
    assert found is None
    check_separation(a.net, b.net, proof)
    with pytest.raises(CheckFailure):
        check_separation(a.net, a.net, proof)


def relation(coefficients, constant, status, layer=0):
    return {"layer": layer, "coefficients": [str(c) for c in coefficients], "constant": str(constant),
            "status": status}


def test_relation_from_stably_active_neurons():
    # on the box [1, 2]^2 the three first-layer neurons are stably active: z3 = z1 + z2 − 1
    net = Network.from_layers([([[1, 0], [0, 1], [1, 1]], [0, 0, -1]), ([[1, 1, 1]], [0])])
    box = ((F(1), F(2)), (F(1), F(2)))
    active = [{"neuron": k, "sign": "nonnegative", "proof": {"method": "interval"}} for k in range(3)]
    assert check_relation(net.net, box, relation([1, 1, -1], 1, active), "r")[2] == 1
    for bad in (relation([1, 1, -1], 0, active), relation([1, 1, -1], 1, active[:2]),
                relation([1, 1, -1], 1, active, layer=1)):
        try:
            check_relation(net.net, box, bad, "r")
        except CheckFailure:
            continue
        raise AssertionError("a false relation was accepted")
    # on R^2 the same neurons are not stably active: the interval proofs fail
    try:
        check_relation(net.net, None, relation([1, 1, -1], 1, active), "r")
    except CheckFailure:
        pass
    else:
        raise AssertionError("sign facts must be proved on the claim's domain")


def test_relation_of_twins_holds_everywhere():
    # σ(2z) − 2σ(z) = 0: twins on one ray need no sign facts
    net = Network.from_layers([([[1, -1], [2, -2]], [1, 2]), ([[1, 1]], [0])])
    assert check_relation(net.net, None, relation([2, -1], 0, []), "r")[2] == 0
    rng = random.Random(0)
    for _ in range(10):
        x = [F(rng.randint(-20, 20), 3) for _ in range(2)]
        a = [max(v, F(0)) for v in net.preactivations(x)[0]]
        assert 2 * a[0] - a[1] == 0


# --------------------------------------------------------------------------- M10 by a conditional region tree

def _exclusive_certificate() -> dict:
    import json
    from pathlib import Path
    path = Path(__file__).resolve().parents[2] / "certificates" / "hidden-symmetry--moves--D-EXCL.json"
    return json.loads(path.read_text())


def _reason(cert: dict) -> str:
    from certify.kernel import check
    v = check(cert)
    assert not v.valid
    return v.reason


def test_exclusive_corpus_certificate_is_a_conditional_tree():
    from certify.kernel import check
    cert = _exclusive_certificate()
    assert check(cert).valid
    move = cert["evidence"]["moves"][0]
    assert move["move"] == "exclusive" and move["proof"]["method"] == "region-tree"
    tree = move["proof"]["evidence"]["tree"]
    assert tree[0] == {"split": [0, 1, move["predecessor"]]} and tree[1] == {"leaf": []}  # k first; off: no target


def _tree(cert: dict) -> list:
    return cert["evidence"]["moves"][0]["proof"]["evidence"]["tree"]


def _first_target_leaf(tree: list) -> int:
    return next(i for i, node in enumerate(tree) if "leaf" in node and node["leaf"])


@pytest.mark.parametrize("mutation", ["negative decrease", "leaf dropped", "leaf multiplier", "fix sign",
                                      "premise false", "wrong predecessor", "no proof"])
def test_exclusive_single_changed_field_fails(mutation):
    import copy
    cert = copy.deepcopy(_exclusive_certificate())
    move = cert["evidence"]["moves"][0]
    tree = _tree(cert)
    if mutation == "negative decrease":
        move["decrease"] = "-1"
        assert "decrease" in _reason(cert)
    elif mutation == "leaf dropped":  # a leaf where k is on must prove z_j ≤ 0
        tree[_first_target_leaf(tree)] = {"leaf": []}
        assert "multiplier lists" in _reason(cert)
    elif mutation == "leaf multiplier":
        leaf = tree[_first_target_leaf(tree)]["leaf"][0]
        leaf[0][1] = "1/2"
        assert "proof" in _reason(cert)
    elif mutation == "fix sign":
        i = next(i for i, node in enumerate(tree) if "fix" in node)
        tree[i]["sign"] = "on"
        assert "proof" in _reason(cert)
    elif mutation == "premise false":  # j's bias +1/2 in A and B: j fires where k does (e.g. x = (1, 0))
        for net in ("A", "B"):
            cert["claim"]["networks"][net]["layers"][2]["bias"][0] = "1/2"
        assert "proof" in _reason(cert)
    elif mutation == "wrong predecessor":  # the same tree for predecessor 2, B moved to match
        move["predecessor"] = 2
        w = cert["claim"]["networks"]["B"]["layers"][2]["weight"][0]
        a = cert["claim"]["networks"]["A"]["layers"][2]["weight"][0]
        w[0], w[2] = a[0], str(F(a[2]) - F(move["decrease"]))
        assert "proof" in _reason(cert)
    else:  # without its proof the sign test must decide, and it cannot (i is not on k's opposite ray)
        del move["proof"]
        move["partners"] = [{"neuron": 1, "by": "opposite"}]
        assert "opposite ray" in _reason(cert)
