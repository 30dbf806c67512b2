"""Adversarial soundness review of the trusted kernel (certify/kernel/).

Each test builds a certificate whose claim is FALSE (or malformed) and asserts that the
kernel rejects it — without raising.  Tests named ``test_hole_*`` are regression tests for
holes that were real (the kernel accepted the false claim before the fix); the others pin
suspicions that turned out to be handled, where the check is cheap and meaningful.
"""
from __future__ import annotations

import copy
import itertools
import json
import random
from fractions import Fraction

import pytest

from certify.kernel import check, check_text
from certify.kernel.exact import primitive
from certify.kernel.honest import decide
from certify.kernel.network import Layer, Net
from certify.group.matching import find_group_element
from certify.group.orbit import apply_group
from certify.kernel.orbit import check_group_element
from certify.kernel.shallow import accumulate
from certify.network import Network

F = Fraction
EX = "examples"


def _net(layers: list[tuple[list[list[str]], list[str]]]) -> dict:
    return {"format": "certify.network/1",
            "layers": [{"weight": w, "bias": b} for w, b in layers]}


def _cert(kind: str, claim: dict, evidence: dict) -> dict:
    return {"format": "certify.certificate/1", "kind": kind, "claim": claim, "evidence": evidence,
            "generator": {"name": "test"}}


def _rejects(cert: dict) -> str:
    verdict = check(json.loads(json.dumps(cert)))  # must not raise
    assert not verdict.valid, "the kernel accepted a false/malformed certificate"
    return verdict.reason


# --------------------------------------------------------------------------- holes (fixed)

# f(x) = 1·σ(x/2 + 1/2): one hidden neuron, N = 4 parameters, H = 1, so N − H = 3.
_ONE_NEURON = _net([([["1/2"]], ["1/2"]), ([["1"]], ["0"])])
# x = −3 (inactive), 1 and 3 (active): admissible, and rank DF_X = 3 (the Jacobian rows are
# (a x, a, wx + b, 1) on the active side and (0, 0, 0, 1) on the inactive side).
_SAMPLE = [{"x0": ["0"], "e": ["1"], "t": ["-3", "1", "3"]}]


def test_hole_fdim_upper_bound_mixed_coordinates():
    """fdim.check_functional_dimension used to compute rank [Ξ; v] with Ξ in θ's coordinates
    but v in the column scaling of J' (v / s, s_l = Π_{m≠l} c_m).  With layer denominators
    c_0 = 2 ≠ c_1 = 1, the scaling generator ξ itself (a kernel vector inside span Ξ) became a
    "new" direction, and the false claim rank DF_X ≤ 2 (true rank 3) was accepted."""
    xi = ["1/2", "1/2", "-1", "0"]  # ξ = (w, b, −a, 0): the scaling direction, DF_X ξ = 0
    claim = {"statement": "batch-functional-dimension", "networks": {"A": _ONE_NEURON}, "domain": None,
             "sample": _SAMPLE, "lower": 0, "upper": 2}
    evidence = {"method": "minor+kernel", "prime": 1000003, "rows": [], "columns": [], "vectors": [xi]}
    assert "rank [Ξ; vectors]" in _rejects(_cert("functional-dimension", claim, evidence))
    # the true statement (upper = 3 = N − H, nothing to show) is still accepted
    claim["upper"] = 3
    assert check(_cert("functional-dimension", claim, {**evidence, "vectors": []})).valid


def test_fdim_engine_certificate_still_valid_after_the_fix():
    """The fix keeps honest certificates with genuine kernel vectors valid (D-DEAD: deficit 3)."""
    from certify.api import functional_dimension
    ans = functional_dimension(Network.load(f"{EX}/D-DEAD.json"), samples=24)
    cert = ans.certificate
    assert check(cert).valid and cert["evidence"]["vectors"]
    bad = copy.deepcopy(cert)
    bad["claim"]["upper"] -= 1  # one kernel direction short: must fail
    bad["claim"]["lower"] = min(bad["claim"]["lower"], bad["claim"]["upper"])
    bad["evidence"]["rows"] = bad["evidence"]["rows"][:bad["claim"]["lower"]]
    bad["evidence"]["columns"] = bad["evidence"]["columns"][:bad["claim"]["lower"]]
    _rejects(bad)


def test_hole_unhashable_method_does_not_raise():
    """check.check used to raise TypeError (unhashable) on a list/dict evidence.method instead
    of returning an invalid verdict."""
    for method in ([], {}, ["region-tree"]):
        cert = _cert("equivalent", {"statement": "equivalent", "networks": {}, "domain": None},
                     {"method": method})
        _rejects(cert)


def test_hole_check_text_duplicate_keys_and_huge_integers():
    """check.check_text silently kept the last of duplicate keys (a reader keeping the first
    sees another claim), and let ValueError escape on integers past Python's digit limit."""
    a = _net([([["1"]], ["0"]), ([["1"]], ["0"])])
    b = _net([([["1"]], ["0"]), ([["2"]], ["0"])])
    good = _cert("not-equivalent", {"statement": "not-equivalent", "networks": {"A": a, "B": b},
                                    "domain": None}, {"x": ["1"], "fA": ["1"], "fB": ["2"]})
    text = json.dumps(good)
    assert check_text(text).valid
    dup = text.replace('"x": ["1"]', '"x": ["-1"], "x": ["1"]')
    assert json.loads(dup)["evidence"]["x"] == ["1"]
    assert not check_text(dup).valid
    assert not check_text('{"format": ' + "1" * 5000 + "}").valid


# --------------------------------------------------------------------------- claim ↔ evidence binding

def test_hole_ignored_claim_fields():
    """check.check used to ignore unknown claim fields, so a valid local certificate with
    "radius": null could also carry "radius_linf": "1" (theory.md §5.6's name for the radius)
    and a reader would believe an explicit radius 1 was certified."""
    from certify.api import locally_identifiable as decide_local
    cert = decide_local(Network.load(f"{EX}/S6.json")).certificate
    assert check(cert).valid and cert["claim"]["radius"] is None
    bad = copy.deepcopy(cert)
    bad["claim"]["radius_linf"] = "1"
    assert "radius_linf" in _rejects(bad)
    neq = _cert("not-equivalent", {"statement": "not-equivalent", "domain": None, "box": [["0", "1"]],
                                   "networks": {"A": _ONE_NEURON, "B": _net([([["1"]], ["0"]), ([["1"]], ["0"])])}},
                {"x": ["1"], "fA": ["1"], "fB": ["1"]})
    assert "box" in _rejects(neq)


def test_counterexample_outside_the_claimed_box():
    a = _net([([["1"]], ["0"]), ([["1"]], ["0"])])       # σ(x)
    b = _net([([["1"]], ["0"]), ([["1"]], ["0"])])
    b["layers"][0]["bias"] = ["-1"]                       # σ(x − 1): equal on [−5, 0]
    claim = {"statement": "not-equivalent", "networks": {"A": a, "B": b}, "domain": {"box": [["-5", "0"]]}}
    assert "outside" in _rejects(_cert("not-equivalent", claim, {"x": ["1"], "fA": ["1"], "fB": ["0"]}))


@pytest.mark.parametrize("method", ["shallow", "tree"])
def test_box_equivalence_does_not_transfer_to_the_whole_space(method):
    """S12: S3 = σ(x) − σ(x − 1) restricted to [2, 5] is the constant 1 (so it is on [1, ∞)).
    A proof on the box must not validate once the claim's domain is widened past x = 1."""
    from certify.api import equivalent as equiv
    s12 = Network.load(f"{EX}/S12.json")
    const = Network.from_json(_net([([["0"]], ["0"]), ([["0"]], ["1"])]))
    ans = equiv(s12, const, ((F(2), F(5)),), method=method)
    cert = ans.certificate
    assert ans.code == 0 and check(cert).valid
    for domain in (None, {"box": [["1/2", "5"]]}, {"box": [["-7", "-1"]]}):
        bad = copy.deepcopy(cert)
        bad["claim"]["domain"] = domain
        _rejects(bad)


def test_local_sample_outside_the_box_and_composite_prime():
    from certify.api import locally_identifiable as decide_local
    cert = decide_local(Network.load(f"{EX}/S6.json")).certificate
    assert check(cert).valid
    bad = copy.deepcopy(cert)
    bad["claim"]["domain"] = {"box": [["-1/1000", "1/1000"], ["-1/1000", "1/1000"]]}
    assert "outside" in _rejects(bad)
    for p in (561, 3215031751, (1 << 61) + 1, 1 << 63, True):  # Carmichael, strong pseudoprime, …
        bad = copy.deepcopy(cert)
        bad["evidence"]["prime"] = p
        _rejects(bad)


def test_fdim_sample_outside_the_box():
    claim = {"statement": "batch-functional-dimension", "networks": {"A": _ONE_NEURON},
             "domain": {"box": [["0", "3"]]}, "sample": _SAMPLE, "lower": 0, "upper": 3}
    evidence = {"method": "minor+kernel", "prime": 1000003, "rows": [], "columns": [], "vectors": []}
    assert "outside" in _rejects(_cert("functional-dimension", claim, evidence))


# --------------------------------------------------------------------------- group elements and orbits

def test_orbit_scales_must_be_positive_and_indices_not_bools():
    a = _net([([["1"], ["2"]], ["0", "0"]), ([["1", "1"]], ["0"])])
    b = copy.deepcopy(a)
    claim = {"statement": "in-orbit", "networks": {"A": a, "B": b}, "domain": None}
    assert check(_cert("orbit", claim, {"permutations": [[0, 1]], "scales": [["1", "1"]]})).valid
    for perms, scales in (([[0, 1]], [["0", "1"]]), ([[0, 1]], [["-1", "1"]]),
                          ([[False, True]], [["1", "1"]]), ([[0, 0]], [["1", "1"]]), ([[0]], [["1"]])):
        _rejects(_cert("orbit", claim, {"permutations": perms, "scales": scales}))


def test_hidden_symmetry_inside_the_orbit_is_rejected():
    """Moves that end at g·A (here: a zero shift of a stably active neuron, i.e. B = A) prove
    equivalence but not a *hidden* symmetry."""
    a = Network.load(f"{EX}/D-ACT.json").to_json()
    a.pop("domain", None)
    claim = {"statement": "hidden-symmetry", "networks": {"A": a, "B": copy.deepcopy(a)}, "domain": None}
    move = {"move": "active-shift", "layer": 1, "neuron": 0, "shift": "0", "proof": {"method": "interval"}}
    for proof in ({"apart": True}, {"leaf": True}):  # B = A: no separation step can hold
        assert "separation" in _rejects(_cert("hidden-symmetry", claim, {"method": "moves", "mechanism": "M4",
                                                                         "moves": [move], "separation": proof}))


def test_orbit_matcher_finds_every_planted_group_element():
    """``not-in-orbit`` (and every hidden-symmetry certificate) relies on the kernel's matcher
    being complete: for B = g·A it must find some g.  Planted cases with twins, zero rows and
    zero columns (free neurons) are the hard ones."""
    rng = random.Random(11)
    values = [F(0)] * 3 + [F(1), F(-1), F(2), F(1, 2), F(-3)]
    for _ in range(400):
        widths = [rng.randint(1, 3)] + [rng.randint(1, 4) for _ in range(rng.randint(1, 3))] + [rng.randint(1, 2)]
        layers = []
        for d_in, d_out in zip(widths, widths[1:]):
            rows = [tuple(rng.choice(values) for _ in range(d_in)) for _ in range(d_out)]
            for i in range(1, d_out):
                if rng.random() < 0.3:  # a positive or negative multiple of an earlier row
                    rows[i] = tuple(x * rng.choice([1, 2, F(1, 3), -1]) for x in rows[rng.randrange(i)])
            layers.append(Layer(tuple(rows), tuple(rng.choice(values) for _ in range(d_out))))
        a = Net(tuple(layers))
        perms = [rng.sample(range(n), n) for n in widths[1:-1]]
        scales = [[F(rng.randint(1, 5), rng.randint(1, 5)) for _ in range(n)] for n in widths[1:-1]]
        b = apply_group(a, perms, scales)
        g = find_group_element(a, b)
        assert g is not None and check_group_element(a, b, *g) is None, (a, perms, scales)


# --------------------------------------------------------------------------- honest-shallow

def _canonical(net: Net):
    """The §3.1 canonical form by the kernel's shallow code (independent of honest.py)."""
    keys, index, steps = [], {}, []
    for w, b in zip(net.layers[0].weight, net.layers[0].bias):
        if not any(w):
            steps.append(None)
            continue
        p, s = primitive(tuple(w) + (b,))
        eps = 1 if next(x for x in p[:-1] if x) > 0 else -1
        key = tuple(eps * x for x in p)
        index.setdefault(key, len(keys))
        if len(keys) == index[key]:
            keys.append(key)
        steps.append((index[key], eps, s))
    return accumulate(net, None, keys, steps)


def test_in_sigma_agrees_with_brute_force_fibers():
    """Theorem 3.3 as implemented by ``honest.decide`` (which the kernel trusts for in-sigma)
    against brute force: among all (1, 2, 1) networks with entries in {−1, 0, 1, 2}, a network
    decided to be in Σ must have no equivalent network outside its orbit."""
    vals = [F(v) for v in (-1, 0, 1, 2)]
    buckets: dict = {}
    for p in itertools.product(vals, repeat=7):
        net = Net((Layer(((p[0],), (p[1],)), (p[2], p[3])), Layer(((p[4], p[5]),), (p[6],))))
        buckets.setdefault(_canonical(net), []).append(net)
    checked = 0
    for nets in buckets.values():
        for theta in nets:
            if len(nets) == 1 or decide(theta)["sigma"] is not True:
                continue
            checked += 1
            for other in nets:
                assert other is theta or find_group_element(theta, other) is not None, (theta, other)
    assert checked > 100


def test_honest_budget_must_be_a_real_integer():
    from certify.api import honest as decide_honest
    cert = decide_honest(Network.load(f"{EX}/S6.json")).certificate
    assert check(cert).valid
    for budget in (True, 0, -1, 1.5, "100", (1 << 24) + 1):
        bad = copy.deepcopy(cert)
        bad["evidence"]["budget"] = budget
        _rejects(bad)
