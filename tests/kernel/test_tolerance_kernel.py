"""The ε-equivalence checkers (kernel/tolerance.py): the differential interval propagation
contains the exact values, and every single-field mutation of an ``equivalent-within`` or
``not-equivalent-within`` certificate fails — unless the mutated claim is still true, which
exact sampling (an oracle independent of the kernel) then supports."""
from __future__ import annotations

import json
import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certify import api
from certify.deep import tolerance as engine
from certify.kernel import check
from certify.kernel import tolerance as kt
from certify.kernel.exact import rational
from certify.network import Network
from mutation import mutations
from strategies import direct_eval, random_network

F = Fraction
BOX = ((F(-1), F(1)), (F(-1), F(1)))


def _perturbed(a: Network, rng: random.Random, size: Fraction) -> Network:
    layers = [(list(map(list, l.weight)), list(l.bias)) for l in a.layers]
    for t in range(len(layers)):
        w = layers[t][0]
        w[rng.randrange(len(w))][rng.randrange(len(w[0]))] += size * F(rng.randint(-3, 3), 3)
    return Network.from_layers(layers)


@settings(max_examples=40)
@given(st.integers(0, 10 ** 6), st.sampled_from([[2, 3, 1], [2, 4, 3, 2], [3, 5, 4, 3, 2]]),
       st.integers(-8, 8), st.integers(1, 16))
def test_differential_intervals_contain_the_exact_gap(seed, widths, c, r):
    """Soundness of the propagation: at exact points of the cell, f_A − f_B lies in the intervals."""
    rng = random.Random(seed)
    a = random_network(widths, rng)
    b = _perturbed(a, rng, F(1, 4))
    cell = tuple((F(c, 4) - F(r, 8), F(c, 4) + F(r, 8)) for _ in range(widths[0]))
    ivs = kt.interval_gap(kt.DiffNet(a.net, b.net), cell)
    for _ in range(30):
        x = [lo + (hi - lo) * F(rng.randint(0, 16), 16) for lo, hi in cell]
        for (lo, hi), p, q in zip(ivs, direct_eval(a, x), direct_eval(b, x)):
            assert lo <= p - q <= hi


def _nets(cert):
    return {k: Network.from_json(v) for k, v in cert["claim"]["networks"].items()}


def still_true(cert) -> bool:
    """Independent oracle for a mutated certificate the kernel accepted."""
    try:
        nets = _nets(cert)
        box = [(rational(lo), rational(hi)) for lo, hi in cert["claim"]["domain"]["box"]]
        eps = [rational(e) for e in cert["claim"]["tolerance"]]
    except Exception:
        return False
    a, b = nets["A"], nets["B"]
    if cert["kind"] == "not-equivalent-within":
        x = [rational(v) for v in cert["evidence"]["x"]]
        return all(lo <= v <= hi for v, (lo, hi) in zip(x, box)) and any(
            abs(p - q) > e for p, q, e in zip(direct_eval(a, x), direct_eval(b, x), eps))
    rng = random.Random(1)
    for _ in range(300):
        x = [lo + (hi - lo) * F(rng.randint(0, 64), 64) for lo, hi in box]
        if any(abs(p - q) > e for p, q, e in zip(direct_eval(a, x), direct_eval(b, x), eps)):
            return False
    return True


def _certificates():
    rng = random.Random(15)
    a = random_network([2, 3, 2, 2], rng)
    b = _perturbed(a, rng, F(1, 20))
    out = []
    root = max(max(-lo, hi) for lo, hi in kt.interval_gap(kt.DiffNet(a.net, b.net), BOX))
    grid = [[F(i, 8), F(j, 8)] for i in range(-8, 9) for j in range(-8, 9)]
    gap = max(abs(p - q) for x in grid for p, q in zip(direct_eval(a, x), direct_eval(b, x)))
    eps = (root + gap) / 2  # a cell split is needed, and the claim is true
    old = engine.SMALL_NETWORK, engine.LP_DEPTH, engine.PARTITION_LEAF
    try:
        engine.SMALL_NETWORK, engine.LP_DEPTH = -1, 10 ** 6  # interval leaves only
        engine.PARTITION_LEAF = "intervals"
        ans = api.equivalent(a, b, box=BOX, tolerance=eps)
        assert ans.code == 0 and any("split" in n for n in ans.certificate["evidence"]["tree"])
        out.append(("within/intervals", ans.certificate))
        engine.SMALL_NETWORK = 10 ** 6  # one region-tree leaf
        ans = api.equivalent(a, b, box=BOX, tolerance=eps)
        assert ans.code == 0 and "region-tree" in ans.certificate["evidence"]["tree"][0]["leaf"]
        out.append(("within/region-tree", ans.certificate))
    finally:
        engine.SMALL_NETWORK, engine.LP_DEPTH, engine.PARTITION_LEAF = old
    gap = max(abs(p - q) for p, q in zip(direct_eval(a, [F(1), F(1)]), direct_eval(b, [F(1), F(1)])))
    ans = api.equivalent(a, b, box=BOX, tolerance=gap / 2)
    assert ans.code == 1
    out.append(("exceeds", ans.certificate))
    return out


CERTS = _certificates()


@pytest.mark.parametrize("label,cert", CERTS, ids=[c[0] for c in CERTS])
def test_single_field_mutations_fail_the_kernel(label, cert):
    cert = json.loads(json.dumps(cert))
    assert check(cert).valid
    accepted = []
    muts = mutations(cert)
    for what, mutant in muts:
        if check(mutant).valid:
            assert still_true(mutant), f"kernel accepted a false certificate after {what}"
            accepted.append(what)
    # A bound with slack survives small changes of weights, ε or split points (the oracle agrees);
    # a change of the tree's shape never does.
    assert not [w for w in accepted if w.startswith("evidence/tree") and ":=" not in w], accepted
    assert not [w for w in accepted if w.endswith("'intervalsx'") or "evidence/method" in w], accepted


def _within(label):
    return json.loads(json.dumps(dict(CERTS)[label]))


def test_claim_fields_are_load_bearing():
    cert = _within("within/intervals")
    eps = [rational(e) for e in cert["claim"]["tolerance"]]
    for claim in ({**cert["claim"], "domain": None},
                  {**cert["claim"], "tolerance": ["-1"] * len(eps)},
                  {**cert["claim"], "tolerance": eps[:1]},
                  {k: v for k, v in cert["claim"].items() if k != "tolerance"},
                  {**cert["claim"], "statement": "equivalent"},
                  {**cert["claim"], "gap": "0"}):
        assert not check({**cert, "claim": claim}).valid


def test_tree_shape_is_checked():
    cert = _within("within/intervals")
    tree = cert["evidence"]["tree"]
    split = next(i for i, n in enumerate(tree) if "split" in n)
    axis, c = tree[split]["split"]
    bad = [
        tree[:-1],                                    # a subtree missing
        tree + [{"leaf": "intervals"}],               # a node after the end
        [{"split": [axis, "5"]}] + tree[1:],          # split outside the cell
        [{"split": [7, c]}] + tree[1:],               # no such input
        [{"split": [axis, c], "leaf": "intervals"}],  # two kinds in one node
        [{"leaf": "boxes"}],
        [{"leaf": {"region-tree": [], "x": 1}}],
        [],
    ]
    for t in bad:
        assert not check({**cert, "evidence": {"method": "box-partition", "tree": t}}).valid
    assert not check({**cert, "evidence": {"method": "box-partition", "tree": tree, "x": 1}}).valid
    # one interval leaf over the whole box is too coarse for this ε
    assert not check({**cert, "evidence": {"method": "box-partition", "tree": [{"leaf": "intervals"}]}}).valid


def test_interval_leaves_need_the_same_architecture():
    cert = _within("within/intervals")
    a = Network.from_json(cert["claim"]["networks"]["A"])
    layers = [(list(map(list, l.weight)), list(l.bias)) for l in a.layers]
    layers[0][0].append([0, 0])
    layers[0][1].append(-1)
    layers[1][0][0].append(0)
    for row in layers[1][0][1:]:
        row.append(0)
    wide = Network.from_layers(layers)
    claim = {**cert["claim"], "networks": {**cert["claim"]["networks"], "B": wide.to_json()}}
    verdict = check({**cert, "claim": claim, "evidence": {"method": "box-partition", "tree": [{"leaf": "intervals"}]}})
    assert not verdict.valid and "architecture" in verdict.reason


def test_counterexample_must_exceed_the_tolerance():
    cert = json.loads(json.dumps(dict(CERTS)["exceeds"]))
    fa = [rational(v) for v in cert["evidence"]["fA"]]
    fb = [rational(v) for v in cert["evidence"]["fB"]]
    gap = max(abs(p - q) for p, q in zip(fa, fb))
    at_gap = {**cert["claim"], "tolerance": [str(gap)] * len(fa)}
    assert not check({**cert, "claim": at_gap}).valid  # |f_A − f_B| = ε is not "> ε"
    below = {**cert["claim"], "tolerance": [str(gap - F(1, 10 ** 30))] * len(fa)}
    assert check({**cert, "claim": below}).valid
