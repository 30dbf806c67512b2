"""`certify hidden`: the examples of theory.md §6, the CLI, the kernel's hidden-symmetry checker
(mutations must be rejected), re-checking witness pairs with the equivalence methods, search."""
from __future__ import annotations

import copy
import json
import random
import subprocess
import sys
from fractions import Fraction as F
from pathlib import Path

import pytest

from certify.api import equivalent as decide
from certify.api import hidden_symmetry as decide_hidden
from certify.kernel import check
from certify.hidden.mechanisms import detect
from certify.network import Network

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MANIFEST = json.loads((EXAMPLES / "manifest.json").read_text())
HIDDEN = {k: v for k, v in MANIFEST["networks"].items() if "hidden" in v}


def load(name: str) -> Network:
    return Network.load(EXAMPLES / f"{name}.json")


@pytest.mark.parametrize("name", sorted(HIDDEN))
def test_examples_match_theory(name):
    """Exit code and mechanism of theory.md §6 (manifest), every certificate accepted by the kernel."""
    expected = HIDDEN[name]
    answer = decide_hidden(load(name), search=False)
    assert answer.code == expected["hidden"], answer.summary
    if answer.code in (0, 1):
        assert check(answer.certificate).valid
    if expected.get("mechanism"):
        assert answer.details["mechanism"] == expected["mechanism"]
        assert expected["mechanism"] in {f["mechanism"] for f in answer.details["findings"]}


@pytest.mark.parametrize("name", ["S1", "S2", "S6", "S10"])
def test_no_hidden_symmetry_is_a_theorem_3_3_certificate(name):
    answer = decide_hidden(load(name), search=False)
    assert answer.code == 1
    assert answer.certificate["kind"] == "honest-shallow"
    assert answer.certificate["claim"]["statement"] == "in-sigma"


@pytest.mark.parametrize("name", sorted(k for k, v in HIDDEN.items() if v["hidden"] == 0))
def test_witness_pairs_rechecked_by_equivalence(name):
    """Every catalogue witness is equal to θ for the deep-equivalence strategy too (never refuted)."""
    net = load(name)
    for f in detect(net):
        w = f.witness()
        answer = decide(net, w, net.box)
        assert answer.code != 1, f"{f.mechanism}: equivalence refuted a witness: {answer.summary}"
        if net.is_shallow:
            assert answer.code == 0
        else:  # the region tree of the deep-equivalence engine proves the pair equal
            regiontree = pytest.importorskip("certify.deep.regiontree")
            import time
            result = regiontree.prove_equivalence(net, w, net.box, deadline=time.perf_counter() + 30)
            assert result.verdict == "proved", f"{f.mechanism}: {result.verdict} {result.reason}"


def run(*args: str):
    return subprocess.run([sys.executable, "-m", "certify", *args], capture_output=True, text=True, timeout=120)


def test_cli_writes_witness_and_certificate(tmp_path):
    out, cert = tmp_path / "w.json", tmp_path / "c.json"
    r = run("hidden", str(EXAMPLES / "D-FLIP.json"), "--witness", str(out), "--certificate", str(cert), "--json")
    assert r.returncode == 0, r.stderr
    obj = json.loads(r.stdout)
    assert obj["verdict"] == "hidden-symmetry" and obj["evidence"]["mechanism"] == "M8"
    witness = Network.load(out)
    original = load("D-FLIP")
    rng = random.Random(0)
    for _ in range(20):
        x = [F(rng.randint(-50, 50), 7) for _ in range(2)]
        assert witness(x) == original(x)
    assert check(json.loads(cert.read_text())).valid
    r = run("check", str(cert))
    assert r.returncode == 0, r.stdout + r.stderr


def test_cli_none_exists_and_undecided():
    assert run("hidden", str(EXAMPLES / "S6.json")).returncode == 1
    r = run("hidden", str(EXAMPLES / "D-ID.json"), "--no-search")
    assert r.returncode == 3
    assert "checks:" in r.stdout


def test_cli_box_changes_the_answer():
    # S3 on [2, 5]: both neurons stably active (M12); the flip M8 is still there on R
    r = run("hidden", str(EXAMPLES / "S3.json"), "--box", "2:5", "--json")
    assert r.returncode == 0
    assert json.loads(r.stdout)["evidence"]["mechanism"] == "M12"


def test_cli_bad_input(tmp_path):
    r = run("hidden", str(tmp_path / "missing.json"))
    assert r.returncode == 2 and "missing.json" in r.stderr and "Traceback" not in r.stderr
    r = run("hidden", str(EXAMPLES / "S3.json"), "--box", "1:0")
    assert r.returncode == 2 and "--box" in r.stderr


# --------------------------------------------------------------------------- kernel mutations

def certificate(name: str, mechanism: str | None = None) -> dict:
    net = load(name)
    f = next(f for f in detect(net) if mechanism is None or f.mechanism == mechanism)
    cert = f.certificate()
    assert check(cert).valid
    return cert


def rejected(cert: dict) -> str:
    v = check(json.loads(json.dumps(cert)))
    assert not v.valid
    return v.reason


def test_mutated_witness_is_rejected():
    cert = certificate("D-DEAD")
    bad = copy.deepcopy(cert)
    bad["claim"]["networks"]["B"]["layers"][2]["weight"][0][1] = "2"
    assert "do not produce B" in rejected(bad)


def test_wrong_mechanism_label_is_rejected():
    bad = copy.deepcopy(certificate("D-DEAD"))
    bad["evidence"]["mechanism"] = "M8"
    assert "mechanism" in rejected(bad)
    bad["evidence"]["mechanism"] = "M12"  # M12 needs a box and a first-layer move
    rejected(bad)


def test_precondition_must_hold():
    bad = copy.deepcopy(certificate("D-DEAD"))
    bad["evidence"]["moves"][0]["neuron"] = 1  # neuron (2, 1) is not dead
    rejected(bad)
    bad = copy.deepcopy(certificate("D-ACT"))
    bad["evidence"]["moves"][0]["shift"] = "-5"  # a negative shift needs a proof after the move
    rejected(bad)
    bad = copy.deepcopy(certificate("D-DEAD"))
    bad["evidence"]["moves"][0]["proof"] = {"method": "region-tree", "evidence": {"method": "region-tree", "tree": []}}
    rejected(bad)


def test_orbit_element_is_not_hidden():
    cert = certificate("D-DEAD")
    bad = copy.deepcopy(cert)
    move = bad["evidence"]["moves"][0]
    move["column"] = [row[0] for row in bad["claim"]["networks"]["A"]["layers"][2]["weight"]]
    bad["claim"]["networks"]["B"] = copy.deepcopy(bad["claim"]["networks"]["A"])
    move["bias"] = bad["claim"]["networks"]["A"]["layers"][1]["bias"][0]
    assert "separation" in rejected(bad)  # B = A is in the orbit: no proof can separate them


def test_flip_that_changes_the_function_is_rejected():
    bad = copy.deepcopy(certificate("D-FLIP", "M8"))
    bad["evidence"]["moves"][0]["neurons"] = [0, 1]
    rejected(bad)


def test_shallow_move_must_keep_the_canonical_form():
    cert = certificate("S4", "M6")
    bad = copy.deepcopy(cert)
    entry = bad["evidence"]["moves"][0]["set"][0]
    entry[-1] = str(F(entry[-1]) + 1)
    rejected(bad)


def test_relation_constant_must_match():
    rng = random.Random(0)
    net = Network.from_layers([([[1, 0], [0, 1]], [0, 0]),
                               ([[1, 2], [2, 1], [3, 3]], [1, 1, 2]),
                               ([[1, -1, 2]], [0])])
    del rng
    f = next(f for f in detect(net) if f.mechanism == "M7")
    cert = f.certificate()
    assert check(cert).valid
    bad = copy.deepcopy(cert)
    rel = bad["evidence"]["moves"][0]["relation"]
    rel["constant"] = str(F(rel["constant"]) + 1)
    rejected(bad)
    bad = copy.deepcopy(cert)
    bad["evidence"]["moves"][0]["relation"]["status"] = []
    rejected(bad)


def test_exclusive_partner_must_be_opposite():
    net = Network.from_layers([([[1, 0], [-2, 0], [1, 1]], [0, -1, 0]),
                               ([[-1, 1, 0], [1, 1, 1]], [-1, 0]),
                               ([[2, 1]], [0])])
    cert = next(f for f in detect(net) if f.mechanism == "M10").certificate()
    bad = copy.deepcopy(cert)
    bad["claim"]["networks"]["A"]["layers"][0]["bias"][1] = "1"  # z_i = −2x + 1 no longer vanishes where x > 0
    bad["claim"]["networks"]["B"]["layers"][0]["bias"][1] = "1"
    rejected(bad)


# --------------------------------------------------------------------------- search

def test_search_finds_and_certifies_a_flip():
    from certify.hidden.search import search_witness
    result = search_witness(load("S3"), None, seconds=30)
    assert result is not None
    witness, cert, verdict, _ = result
    assert verdict.valid and cert["evidence"]["mechanism"] == "search"
    assert cert["evidence"]["method"] == "equivalence"
    assert check(cert).valid


def test_search_finds_nothing_where_theorem_3_3_says_none():
    from certify.hidden.search import search_witness
    assert search_witness(load("S2"), None, seconds=10) is None


def test_cli_network_without_hidden_layer(tmp_path):
    path = tmp_path / "linear.json"
    path.write_text(json.dumps({"format": "certify.network/1", "layers": [{"weight": [["1", "2"]], "bias": ["0"]}]}))
    for command in ("hidden", "honest"):
        r = run(command, str(path))
        assert r.returncode == 2 and "linear.json" in r.stderr and "no hidden layer" in r.stderr
