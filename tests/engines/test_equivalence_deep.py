"""`certify equiv` on deep networks: methods, the auto order, certificates, budgets, exit codes."""
from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from certify import api
from certify.deep import strategy as equivalence, regiontree
from certify.cli import main
from certify.kernel import check
from certify.network import Network
from deep_pairs import box_move_pair

ROOT = Path(__file__).resolve().parents[2]
EX = ROOT / "examples"


def load(name: str) -> Network:
    return Network.load(EX / f"{name}.json")


@pytest.mark.parametrize("a,b", [("D-DEAD", "D-DEAD-witness"), ("D-ACT", "D-ACT-witness"),
                                 ("D-FLIP", "D-FLIP-witness")])
def test_auto_certifies_the_deep_witness_pairs(a, b, tmp_path, capsys):
    out = tmp_path / "cert.json"
    code = main(["equiv", str(EX / f"{a}.json"), str(EX / f"{b}.json"), "--certificate", str(out), "--json"])
    obj = json.loads(capsys.readouterr().out)
    assert code == 0 == obj["exit_code"] and obj["certified"] and obj["method"] == "region-tree"
    cert = json.loads(out.read_text())
    assert cert["kind"] == "equivalent" and cert["evidence"]["method"] == "region-tree"
    assert check(cert).valid


def test_auto_order_reports_the_deciding_method():
    assert api.equivalent(load("D-ID"), load("D-ID-perturbed")).method == "sample"
    assert api.equivalent(load("D-ID"), load("D-ID-moved")).method == "orbit"
    assert api.equivalent(load("S3"), load("S3-witness")).method == "shallow-canonical"
    assert api.equivalent(load("D-DEAD"), load("D-DEAD-witness")).method == "region-tree"


def test_auto_refutes_a_gap_below_float_rounding():
    """auto samples without random exact points (a complete method follows): a gap floats
    cannot see must still be refuted exactly — by the region tree — and ``sample`` alone,
    which keeps its random exact points, refutes it too."""
    a = load("D-DEAD")
    out = a.layers[-1]
    b = a.replace(layers=a.layers[:-1] + (out.__class__(out.weight, tuple(v + Fraction(1, 10 ** 30)
                                                                          for v in out.bias)),))
    auto = api.equivalent(a, b)
    assert auto.code == 1 and auto.certified and auto.method == "region-tree"
    assert api.equivalent(a, b, method="sample").code == 1


def test_float_forward_in_blocks_is_the_plain_product():
    import numpy as np
    from certify import network as module
    net = load("D-ID")
    X = np.random.default_rng(0).standard_normal((3 * module.FLOAT_BLOCK + 5, net.widths[0]))
    blocked = net.float_forward(X)
    plain = []
    a = X
    for W, b in net.float_layers:
        plain.append(a @ W.T + b)
        a = np.maximum(plain[-1], 0.0)
    assert [z.shape for z in blocked] == [z.shape for z in plain]
    assert all(np.allclose(u, v, rtol=1e-12, atol=1e-12) for u, v in zip(blocked, plain))


def test_smt_says_equal_only_with_a_certificate():
    """z3's unsat is not evidence: the region tree earns the certificate, or the answer is exit 3."""
    a, b = load("D-ACT"), load("D-ACT-witness")
    ans = api.equivalent(a, b, method="smt")
    assert ans.code == 0 and ans.certified and ans.certificate["evidence"]["method"] == "region-tree"
    starved = api.equivalent(a, b, method="smt", budget=1)  # the tree cannot finish in one node
    assert starved.code == 3 and not starved.certified and starved.certificate is None
    assert starved.details["uncertified_verdict"] == "equivalent"
    ans = api.equivalent(load("D-ID"), load("D-ID-perturbed"), method="smt")
    assert ans.code == 1 and ans.certified and ans.certificate["kind"] == "not-equivalent"


def test_tree_on_a_box_and_budgets_fail_closed():
    box = ((Fraction(-2), Fraction(2)),) * 2
    a, b, _ = box_move_pair([2, 4, 3, 2], 15, box)
    ans = api.equivalent(a, b, box, method="tree")
    assert ans.code == 0 and ans.certified and ans.details["splits"] >= 1
    starved = api.equivalent(a, b, box, method="tree", budget=1)
    assert starved.code == 3 and starved.certificate is None
    # on R^2 the planted neuron is no longer stable: the pair is not equivalent there
    assert api.equivalent(a, b, None, method="tree").code == 1


def test_kernel_rejection_becomes_unknown(monkeypatch):
    real = regiontree.prove_equivalence

    def forged(a, b, box, **kw):
        r = real(a, b, box, **kw)
        if r.tree:
            r.tree = [{"leaf": [[] for _ in r.tree[-1]["leaf"]]}]  # drop every proof step
        return r
    monkeypatch.setattr(regiontree, "prove_equivalence", forged)
    ans = api.equivalent(load("D-DEAD"), load("D-DEAD-witness"), method="tree")
    assert ans.code == 3 and ans.verdict == "unknown" and "kernel rejected" in ans.summary


def test_cli_errors_and_timeouts(capsys):
    A, B = str(EX / "D-DEAD.json"), str(EX / "D-DEAD-witness.json")
    assert main(["equiv", A, B, "--method", "milp"]) == 2  # needs a box
    assert main(["equiv", A, B, "--timeout", "-1"]) == 2
    assert main(["equiv", A, str(EX / "S1.json")]) == 2  # input dimensions differ
    assert main(["equiv", A, B, "--method", "tree", "--timeout", "30"]) == 0
    assert main(["equiv", A, B, "--method", "milp", "--box=-1:1"]) == 3  # never a proof
    err = capsys.readouterr().err
    assert "Traceback" not in err


def test_demo_runs_the_deep_pairs():
    r = subprocess.run([sys.executable, "-m", "certify", "demo", "--only", "equiv", "--json", "--out",
                        "/tmp/certify-demo-equiv-test"], capture_output=True, text=True, cwd=ROOT, timeout=600)
    rows = {row["subject"]: row for row in json.loads(r.stdout)["rows"]}
    for pair in ("D-DEAD vs D-DEAD-witness", "D-ACT vs D-ACT-witness", "D-FLIP vs D-FLIP-witness"):
        assert rows[pair]["status"] == "ok" and rows[pair]["exit_code"] == 0 and rows[pair]["kernel"] == "valid"
    assert all(row["status"] != "WRONG" for row in rows.values())


def test_auto_gives_the_region_tree_the_whole_timeout(monkeypatch):
    """Issue 12, item 7: with --timeout T, `auto` must not stop the tree at T/2 where
    `--method tree --timeout T` would finish.  The tree is given the problem's own deadline;
    z3 runs only in what the tree leaves (here nothing: the tree "used" all the time)."""
    import time
    seen = {}
    real = regiontree.prove_equivalence

    def slow(a, b, box, budget=None, deadline=None, **kw):
        seen["left"] = None if deadline is None else deadline - time.perf_counter()
        seen["budget"] = budget
        while deadline is not None and time.perf_counter() < deadline:
            time.sleep(0.01)
        return regiontree.Result("unknown", reason="deadline")
    monkeypatch.setattr(regiontree, "prove_equivalence", slow)
    from certify.encode import smt
    monkeypatch.setattr(smt, "decide", lambda *a, **k: pytest.fail("z3 must get no time when the tree used it"))
    ans = api.equivalent(load("D-DEAD"), load("D-DEAD-witness"), timeout=2)
    assert ans.code == 3 and "stopped at the 2 s limit" in ans.summary
    assert seen["left"] > 0.75 * 2 and seen["budget"] == equivalence.AUTO_TREE_BUDGET
    monkeypatch.setattr(regiontree, "prove_equivalence", real)
    ans = api.equivalent(load("D-DEAD"), load("D-DEAD-witness"), timeout=30)
    assert ans.code == 0 and ans.method == "region-tree"
