"""Pruning with a proof (certify prune; kernel: equivalent/pruning, theory §4 M1)."""
from __future__ import annotations

import copy
import json
import random
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from certify.cli import main
from certify.api import equivalent as decide
from certify.kernel import check
from certify.network import Network
from certify.api import prune
from strategies import direct_eval, random_network

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BOX = ((Fraction(-1), Fraction(1)), (Fraction(-1), Fraction(1)))


def test_dead_neuron_of_d_dead_is_deleted_and_the_region_tree_agrees():
    net = Network.load(EXAMPLES / "D-DEAD.json")
    ans = prune(net)
    pruned = ans.artifacts.get("pruned")
    assert ans.code == 0 and ans.certified
    assert net.widths == (2, 2, 2, 1) and pruned.widths == (2, 2, 1, 1)
    assert ans.details["removed"] == [[1, 0]]
    # an independent method proves the same equality
    tree = decide(net, pruned, None, method="tree")
    assert tree.code == 0 and tree.certified


def planted(seed: int) -> tuple[Network, set[tuple[int, int]]]:
    """A random 2-4-4-1 network in which some neurons are made dead on [-1, 1]^2: zero
    incoming row and a negative bias (layer 0), or a bias below −Σ|w|·(bound) (layer 1)."""
    rng = random.Random(seed)
    net = random_network([2, 4, 4, 1], rng)
    layers = [[list(map(list, l.weight)), list(l.bias)] for l in net.layers]
    dead = set()
    for t in (0, 1):
        for j in rng.sample(range(4), rng.randint(0, 2)):
            if t == 0:
                layers[0][0][j] = [Fraction(0), Fraction(0)]
                layers[0][1][j] = -Fraction(rng.randint(1, 5), 3)
            else:
                layers[1][0][j] = [-abs(w) for w in layers[1][0][j]]   # nonincreasing in a ≥ 0
                layers[1][1][j] = -Fraction(rng.randint(1, 5), 7)
            dead.add((t, j))
    return Network.from_layers([(w, b) for w, b in layers]), dead


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10 ** 6), st.lists(st.tuples(st.integers(-8, 8), st.integers(-8, 8)), min_size=5, max_size=5))
def test_planted_dead_neurons_are_pruned_and_the_function_is_unchanged_on_the_box(seed, points):
    net, dead = planted(seed)
    ans = prune(net, BOX, nested_timeout=0)
    pruned = ans.artifacts.get("pruned")
    assert ans.certified and check(ans.certificate).valid
    removed = {tuple(tj) for tj in ans.details["removed"]}
    # every planted dead neuron is found (one per layer may be kept so that no layer is empty)
    for t in (0, 1):
        planted_t = {j for (s, j) in dead if s == t}
        found_t = {j for (s, j) in removed if s == t}
        assert found_t <= set(range(4)) and (planted_t <= found_t or len(found_t) == 3)
    assert pruned.box == BOX
    for px, py in points:
        x = [Fraction(px, 8), Fraction(py, 8)]
        assert direct_eval(pruned, x) == direct_eval(net, x)


def _cert() -> dict:
    ans = prune(Network.load(EXAMPLES / "D-DEAD.json"))
    return ans.certificate


def _mutants() -> list[tuple[str, dict]]:
    base = _cert()
    out = []

    def mut(name, fn):
        c = copy.deepcopy(base)
        fn(c)
        out.append((name, c))
    mut("remove a live neuron too", lambda c: c["evidence"]["removed"].append([0, 0]))
    mut("drop the move (column stays nonzero)", lambda c: c["evidence"].__setitem__("moves", []))
    mut("bool index", lambda c: c["evidence"]["removed"].__setitem__(0, [True, 0]))
    mut("duplicate", lambda c: c["evidence"]["removed"].append([1, 0]))
    mut("empty the layer", lambda c: c["evidence"]["removed"].append([1, 1]))
    mut("B changed", lambda c: c["claim"]["networks"]["B"]["layers"][-1]["bias"].__setitem__(0, "7"))
    mut("proof of another neuron", lambda c: c["evidence"]["moves"][0].__setitem__("neuron", 1))
    mut("unknown evidence field", lambda c: c["evidence"].__setitem__("note", 1))
    return out


def test_the_pruning_certificate_is_valid():
    assert check(_cert()).valid


@pytest.mark.parametrize("name,cert", _mutants(), ids=[n for n, _ in _mutants()])
def test_mutated_pruning_certificates_fail_the_kernel(name, cert):
    assert not check(json.loads(json.dumps(cert))).valid


def test_a_proof_on_a_box_does_not_extend_beyond_it():
    # σ(−x) is dead on [0, 1] but not on [−1, 1]
    net = Network.from_layers([([[1], [-1]], [0, 0]), ([[1, 1]], [0])])
    ans = prune(net, ((Fraction(0), Fraction(1)),))
    pruned = ans.artifacts.get("pruned")
    assert ans.certified and pruned.widths == (1, 1, 1)
    wider = copy.deepcopy(ans.certificate)
    wider["claim"]["domain"] = {"box": [["-1", "1"]]}
    assert not check(wider).valid
    whole = copy.deepcopy(ans.certificate)
    whole["claim"]["domain"] = None
    assert not check(whole).valid


def test_cli_writes_the_pruned_network_with_its_domain(tmp_path):
    out, cert = tmp_path / "p.json", tmp_path / "c.json"
    assert main(["prune", str(EXAMPLES / "D-DEAD.json"), "--box=-1:1", "--out", str(out),
                 "--certificate", str(cert)]) == 0
    pruned = Network.load(out)
    assert pruned.box == BOX and pruned.widths == (2, 2, 1, 1)
    bind = ["--bind", f"B={out}", "--bind", f"A={EXAMPLES / 'D-DEAD.json'}"]
    assert main(["check", str(cert), *bind, "--expect", "equivalent", "--expect-domain=-1:1"]) == 0
    # a gate for a larger box than the proof covers fails, and --bind alone is refused
    assert main(["check", str(cert), *bind, "--expect", "equivalent", "--expect-domain=-2:2"]) == 1
    assert main(["check", str(cert), *bind]) == 2


def test_box_from_a_vnnlib_property(tmp_path, capsys):
    prop = tmp_path / "p.vnnlib"
    prop.write_text("; bounds\n(declare-const X_0 Real)\n(declare-const X_1 Real)\n"
                    "(assert (<= X_0 0.5))\n(assert (>= X_0 -0.25))\n(assert (<= X_1 1e-1))\n(assert (>= X_1 -1))\n"
                    "(assert (<= Y_0 3))\n")
    out = tmp_path / "p.json"
    assert main(["prune", str(EXAMPLES / "D-DEAD.json"), "--box", str(prop), "--out", str(out)]) == 0
    assert Network.load(out).box == ((Fraction(-1, 4), Fraction(1, 2)), (Fraction(-1), Fraction(1, 10)))
    prop.write_text("(assert (<= X_0 0.5))\n")
    assert main(["prune", str(EXAMPLES / "D-DEAD.json"), "--box", str(prop), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "p.vnnlib" in err and "X_0" in err
