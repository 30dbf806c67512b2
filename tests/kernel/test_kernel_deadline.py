"""The kernel follows hints and never searches; what it must still compute fails closed at
its deadline (issue: "certify check busy for 218 s").  Each slow pattern is built here and
must be rejected, with the reason, rather than run on."""
from __future__ import annotations

import json
import math

import pytest

from certify.core.certificate import claim, envelope
from certify.group.matching import Undecided, search
from certify.kernel import check, check_text
from certify.kernel.honest import BUDGET, decide
from certify.network import Network


def _free_twins(k: int, bump: int) -> Network:
    """k zero-row neurons feeding two neurons: 1-WL cannot tell them apart (only signs label
    the edges at free neurons), so deciding the orbit needs individualisation; ``bump`` ≠ 1
    gives free neuron 0 outgoing weights (1, bump) that no positive scale maps to (1, 1)."""
    hidden = ([[0, 0]] * k + [[1, 1]], [0] * (k + 1))
    second = ([[1] * (k + 1), [1] * (k + 1)], [0, 0])
    second[0][1][0] = bump
    return Network.from_layers([hidden, second, ([[1, 1]], [0])])


def test_not_in_orbit_without_a_separation_proof_is_rejected_at_once():
    a, b = _free_twins(9, 1), _free_twins(9, 2)
    cert = envelope("orbit", claim("not-in-orbit", {"A": a, "B": b}, None), {}, "exact-matching", "§1", 0)
    verdict = check(cert, deadline=5)
    assert not verdict.valid and "expected separation" in verdict.reason


def test_many_free_neurons_need_a_proof_the_producer_cannot_afford():
    """The search stops at its budget (undecided); the kernel never starts one."""
    a, b = _free_twins(9, 1), _free_twins(9, 2)
    with pytest.raises(Undecided):
        search(a.net, b.net, budget=200)
    for fake in ({"apart": True}, {"leaf": True}, {"individualise": 0, "branches": [{"apart": True}] * 9}):
        cert = envelope("orbit", claim("not-in-orbit", {"A": a, "B": b}, None), {"separation": fake},
                        "exact-matching", "§1", 0)
        assert not check(cert, deadline=5).valid


def test_a_found_separation_proof_is_followed():
    a, b = _free_twins(3, 1), _free_twins(3, 2)
    found, proof = search(a.net, b.net)
    assert found is None and "individualise" in json.dumps(proof)
    cert = envelope("orbit", claim("not-in-orbit", {"A": a, "B": b}, None), {"separation": proof},
                    "exact-matching", "§1", 0)
    assert check(cert).valid
    swapped = envelope("orbit", claim("not-in-orbit", {"A": a, "B": a}, None), {"separation": proof},
                       "exact-matching", "§1", 0)
    assert not check(swapped).valid


def _expensive_honest() -> dict:
    """44 neurons on parallel lines with all flips positive: no zero-sum subset exists,
    but the complete test needs 2^23 patterns, past the kernel's fixed budget."""
    n = 44
    net = Network.from_layers([([[1]] * n, list(range(n))), ([[1] * n], [0])])
    return envelope("honest-shallow", claim("in-sigma", {"A": net}, None),
                    {"method": "decision", "decision": {"sigma": True}}, "decision", "§3.4", 0)


def test_honest_decision_fails_closed_at_the_deadline():
    verdict = check(_expensive_honest(), deadline=0.2)
    assert not verdict.valid and "cannot confirm in time" in verdict.reason


def test_honest_budget_is_the_kernels_not_the_certificates():
    cert = _expensive_honest()
    cert["evidence"]["budget"] = 1 << 24
    verdict = check(cert, deadline=5)
    assert not verdict.valid and "expected method, decision" in verdict.reason


def test_the_kernels_budget_decides_small_networks():
    net = Network.from_layers([([[1], [2]], [0, 1]), ([[1, -1]], [0])])
    assert decide(net.net, BUDGET)["undecided"] is None


def test_check_text_takes_a_deadline():
    text = json.dumps(_expensive_honest())
    verdict = check_text(text, deadline=0.2)
    assert not verdict.valid and "cannot confirm in time" in verdict.reason
    unlimited = check_text(text, deadline=math.inf)  # runs to the end of the fixed budget
    assert not unlimited.valid and "in time" not in unlimited.reason


def test_certify_check_deadline_option(tmp_path):
    import subprocess
    import sys
    path = tmp_path / "slow.json"
    path.write_text(json.dumps(_expensive_honest()))
    r = subprocess.run([sys.executable, "-m", "certify", "check", str(path), "--deadline", "0.3"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "cannot confirm in time" in r.stdout + r.stderr
