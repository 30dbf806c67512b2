"""The top-1 agreement checkers (kernel/top1.py): the interval margins contain the exact
margins, and every single-field mutation of a ``top1-agreement`` or ``not-top1-agreement``
certificate fails — unless the mutated claim is still true, which exact sampling (an
oracle independent of the kernel) then supports."""
from __future__ import annotations

import json
import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certify import api
from certify.deep import top1 as engine
from certify.kernel import check
from certify.kernel import top1 as k1
from certify.kernel.exact import rational
from certify.network import Network
from mutation import mutations
from strategies import direct_eval, random_network

F = Fraction
EX = "examples/C-TOP.json", "examples/C-TOP-perturbed.json"


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10 ** 6), st.integers(-8, 8), st.integers(1, 16))
def test_interval_margins_contain_the_exact_margins(seed, c, r):
    rng = random.Random(seed)
    a = random_network([2, 4, 3, 3], rng)
    cell = tuple((F(c, 4) - F(r, 8), F(c, 4) + F(r, 8)) for _ in range(2))
    for cls in range(3):
        lows = k1.margin_bounds(k1.margin_rows(a.net, cls), cell)
        for _ in range(20):
            x = [lo + (hi - lo) * F(rng.randint(0, 16), 16) for lo, hi in cell]
            f = direct_eval(a, x)
            assert all(lo <= f[cls] - f[k] for lo, k in zip(lows, [k for k in range(3) if k != cls]))


def still_true(cert) -> bool:
    try:
        nets = {k: Network.from_json(v) for k, v in cert["claim"]["networks"].items()}
        box = [(rational(lo), rational(hi)) for lo, hi in cert["claim"]["domain"]["box"]]
        mu = rational(cert["claim"]["margin"])
    except Exception:
        return False
    a, b = nets["A"], nets["B"]
    if cert["kind"] == "not-top1-agreement":
        x = [rational(v) for v in cert["evidence"]["x"]]
        return all(lo <= v <= hi for v, (lo, hi) in zip(x, box)) and not k1.agrees(direct_eval(a, x),
                                                                                    direct_eval(b, x), mu)
    rng = random.Random(1)
    for _ in range(300):
        x = [lo + (hi - lo) * F(rng.randint(0, 64), 64) for lo, hi in box]
        if not k1.agrees(direct_eval(a, x), direct_eval(b, x), mu):
            return False
    return True


def _certificates():
    out = []
    ans = api.equivalent(*EX, box="0:1/2,0:1/2", top1=True)
    assert ans.code == 0 and ans.certificate["evidence"]["tree"][0]["leaf"][1] == "intervals"
    out.append(("agree/intervals", ans.certificate))
    ans = api.equivalent(*EX, box="0:1,0:1/2", top1=True)
    assert ans.code == 0 and "region-tree" in ans.certificate["evidence"]["tree"][0]["leaf"][1]
    out.append(("agree/region-tree", ans.certificate))
    old = engine.TREE_SHARE
    try:
        engine.TREE_SHARE = 0.0  # no region tree on the whole box: bisection
        ans = api.equivalent(*EX, box="-1:0,0:1", top1=True, margin="1/100")
    finally:
        engine.TREE_SHARE = old
    assert ans.code == 0, ans.summary
    out.append(("agree/partition", ans.certificate))
    ans = api.equivalent(*EX, box="-1:1,-1:1", top1=True)
    assert ans.code == 1
    out.append(("disagree", ans.certificate))
    return out


CERTS = _certificates()


@pytest.mark.parametrize("label,cert", CERTS, ids=[c[0] for c in CERTS])
def test_single_field_mutations_fail_the_kernel(label, cert):
    cert = json.loads(json.dumps(cert))
    assert check(cert).valid
    accepted = []
    for what, mutant in mutations(cert, limit=3000):
        if check(mutant).valid:
            assert still_true(mutant), f"kernel accepted a false certificate after {what}"
            accepted.append(what)
    assert not [w for w in accepted if w.startswith("evidence/tree") and ":=" not in w], accepted
    assert not [w for w in accepted if w.endswith("'intervalsx'") or "evidence/method" in w], accepted


def test_claim_fields_are_load_bearing():
    cert = json.loads(json.dumps(dict(CERTS)["agree/intervals"]))
    for claim in ({**cert["claim"], "domain": None}, {**cert["claim"], "margin": "-1"},
                  {k: v for k, v in cert["claim"].items() if k != "margin"},
                  {**cert["claim"], "statement": "equivalent-within"}, {**cert["claim"], "tolerance": ["0"] * 3}):
        assert not check({**cert, "claim": claim}).valid
    # a margin the cell's intervals do not reach
    assert not check({**cert, "claim": {**cert["claim"], "margin": "1000"}}).valid


def test_leaf_shape_and_class_are_checked():
    cert = json.loads(json.dumps(dict(CERTS)["agree/intervals"]))
    c = cert["evidence"]["tree"][0]["leaf"][0]
    for leaf in ([(c + 1) % 3, "intervals"], [c], "intervals", [c, "boxes"], [True, "intervals"], [3, "intervals"],
                 [c, {"region-tree": []}]):
        assert not check({**cert, "evidence": {"method": "box-partition", "tree": [{"leaf": leaf}]}}).valid


def test_tied_point_is_not_a_counterexample_at_margin_0():
    cert = json.loads(json.dumps(dict(CERTS)["disagree"]))
    fa = [rational(v) for v in cert["evidence"]["fA"]]
    assert not k1.agrees(fa, [rational(v) for v in cert["evidence"]["fB"]], F(0))
    assert k1.agrees([F(1), F(1), F(0)], [F(0), F(1), F(0)], F(0))      # A tied at {0, 1}, B at 1: agree
    assert not k1.agrees([F(1), F(1), F(0)], [F(0), F(1), F(0)], F(1, 10))  # margin > 0: A has no unique top
    assert not k1.agrees([F(1), F(1), F(0)], [F(0), F(0), F(1)], F(0))  # disjoint maximiser sets
