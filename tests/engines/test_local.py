"""Local identifiability (theory.md §5): the examples of §6, property tests, kernel mutations."""
from __future__ import annotations

import copy
import json
import random
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings, strategies as st

from certify.cli import main
from certify.kernel import check
from certify.api import locally_identifiable as decide_local
from certify.network import Network
from local_oracle import certificate_points, jacobian, rank, theorem_5_1_holds
from mutation import mutations
from strategies import direct_eval, random_network

F = Fraction
EX = "examples"


def load(name: str) -> Network:
    return Network.load(f"{EX}/{name}.json")


def same_function(a: Network, b: Network, trials: int = 300, seed: int = 0) -> bool:
    rng = random.Random(seed)
    for _ in range(trials):
        x = [F(rng.randint(-400, 400), rng.randint(1, 16)) for _ in range(a.widths[0])]
        if direct_eval(a, x) != direct_eval(b, x):
            return False
    return True


# --------------------------------------------------------------------------- examples of §6

def test_d_id_certified_with_rank_n_minus_h():
    net = load("D-ID")
    ans = decide_local(net)
    assert ans.code == 0 and ans.certified and ans.method == "kink-probe"
    assert ans.details["N-H"] == 19
    # independent oracle: the certificate's points really give rank 19 = N − H (Theorem 5.1)
    assert theorem_5_1_holds(net, certificate_points(ans.certificate))


@pytest.mark.parametrize("name", ["D-FLIP", "S7", "S3", "S6"])
def test_locally_identifiable_even_with_discrete_flip(name):
    """Local ≠ global: D-FLIP, S7 and S3 have hidden flips (§4 M8) yet are locally identifiable."""
    net = load(name)
    ans = decide_local(net)
    assert ans.code == 0 and ans.certified
    assert theorem_5_1_holds(net, certificate_points(ans.certificate))


@pytest.mark.parametrize("name,mechanism", [("D-DEAD", "M1"), ("D-ACT", "M4"), ("D-TWIN", "M6"), ("S4", "M6")])
def test_refuted_with_close_witness(name, mechanism):
    net = load(name)
    delta = F(1, 64)
    ans = decide_local(net, delta=delta)
    assert ans.code == 1 and ans.certified and ans.details["mechanism"] == mechanism
    witness = Network.from_json(ans.details["witness"])
    assert F(ans.details["distance"]) <= delta
    assert witness.layers != net.layers and same_function(net, witness)


@pytest.mark.parametrize("name", ["S1", "S2"])
def test_honest_but_no_finite_sample_certificate(name):
    ans = decide_local(load(name))
    assert ans.code == 3 and ans.certificate is None
    assert "§5.2" in ans.summary
    assert ans.details["dense_rank_mod_p"] == 4 < ans.details["N-H"]


def test_box_restricts_the_sample():
    net = load("D-ID")
    box = ((F(-20), F(20)), (F(-20), F(20)))
    ans = decide_local(net, box)
    assert ans.code == 0 and ans.certificate["claim"]["domain"] is not None
    for x in certificate_points(ans.certificate):
        assert all(lo <= v <= hi for v, (lo, hi) in zip(x, box))


# --------------------------------------------------------------------------- properties

def mixed_two_hidden(seed: int) -> Network | None:
    """(d0, d1, d2, m) with d1 ≤ d0, so Im_1 = R^{d1}_{≥0} and layer 2 has no dead or stably
    active neuron iff every layer-2 row (with its bias) has mixed signs (theory §4, sign tests)."""
    rng = random.Random(seed)
    d0 = rng.randint(2, 3)
    d1, d2, m = rng.randint(2, d0), rng.randint(2, 3), rng.randint(1, 2)
    net = random_network([d0, d1, d2, m], rng)
    for row, b in zip(net.layers[1].weight, net.layers[1].bias):
        if len({v > 0 for v in row if v} | ({b > 0} if b else set())) != 2:
            return None
    return net


def test_generic_networks_reach_n_minus_h():
    """Grillo–Montúfar: widths ≥ 2 admit an open set of identifiable parameters with rank N − H.
    Random draws fall outside it with positive probability (e.g. a first-layer neuron that only
    matters where it is active), so we require most draws to be certified, each by a certificate
    whose points pass the independent oracle."""
    nets = [n for n in map(mixed_two_hidden, range(60)) if n is not None]
    certified = 0
    for net in nets:
        ans = decide_local(net, seed=1)
        assert ans.code in (0, 1, 3)
        if ans.code == 0:
            assert ans.certified and theorem_5_1_holds(net, certificate_points(ans.certificate))
            certified += 1
    assert len(nets) >= 25 and certified >= 0.85 * len(nets), (certified, len(nets))


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10 ** 6))
def test_local_answers_are_consistent(seed):
    """Whatever the draw: a certificate satisfies Theorem 5.1 (oracle), a refutation's witness
    computes the same function, and 'undecided' comes with a rank deficit on a large sample."""
    rng = random.Random(seed)
    widths = [rng.randint(2, 3), rng.randint(2, 3), rng.randint(2, 3), rng.randint(1, 2)]
    net = random_network(widths, rng)
    ans = decide_local(net, seed=1)
    if ans.code == 0:
        assert ans.certified and theorem_5_1_holds(net, certificate_points(ans.certificate))
    elif ans.code == 1:
        assert ans.certified and same_function(net, Network.from_json(ans.details["witness"]))
    else:
        assert ans.code == 3 and ans.certificate is None
        assert ans.details["dense_rank_mod_p"] < ans.details["N-H"]


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10 ** 6), st.integers(2, 3), st.integers(2, 4))
def test_shallow_generic_networks_certified(seed, d, n):
    rng = random.Random(seed)
    net = random_network([d, n, 1], rng)
    assume(all(net.layers[1].weight[0]))
    ans = decide_local(net)
    assert ans.code == 0 and ans.certified, ans.summary
    assert theorem_5_1_holds(net, certificate_points(ans.certificate))


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10 ** 6))
def test_planted_stably_active_neuron_blocks_certification(seed):
    rng = random.Random(seed)
    net = random_network([3, 3, 3, 1], rng)
    layers = list(net.layers)
    w2 = [list(r) for r in layers[1].weight]
    b2 = list(layers[1].bias)
    w2[0] = [F(rng.randint(1, 9), rng.randint(1, 4)) for _ in w2[0]]
    b2[0] = F(rng.randint(1, 9), rng.randint(1, 4))  # row ≥ 0, bias > 0: stably active (M4) since a_1 ≥ 0
    planted = Network.from_layers([(layers[0].weight, layers[0].bias), (w2, b2), (layers[2].weight, layers[2].bias)])
    ans = decide_local(planted)
    assert ans.code != 0
    if ans.code == 1:
        assert same_function(planted, Network.from_json(ans.details["witness"]))


# --------------------------------------------------------------------------- the kernel

def _still_true(cert: dict) -> bool:
    """Independent semantic oracle: Theorem 5.1's hypotheses on the certificate's own points."""
    try:
        net = Network.from_json(cert["claim"]["networks"]["A"])
        return (cert["claim"].get("radius") is None and cert["claim"]["statement"] == "locally-identifiable"
                and theorem_5_1_holds(net, certificate_points(cert)))
    except Exception:
        return False


@pytest.mark.parametrize("name", ["D-ID", "D-FLIP"])
def test_mutated_certificates_fail_the_kernel(name):
    cert = decide_local(load(name)).certificate
    assert check(cert).valid
    muts = mutations(cert, limit=150, seed=3)
    assert len(muts) > 50
    for what, mutant in muts:
        verdict = check(json.loads(json.dumps(mutant)))
        if verdict.valid:
            assert _still_true(mutant), f"kernel accepted a false certificate after {what}"


def test_kernel_rejects_point_on_a_kink():
    cert = copy.deepcopy(decide_local(load("S3")).certificate)
    line = cert["evidence"]["lines"][0]
    # S3's kinks are at x = 0 and x = 1: put a probe point exactly on one
    x0, e = F(line["x0"][0]), F(line["e"][0])
    line["t"][0] = str((F(0) - x0) / e) if e else line["t"][0]
    line["t"] = sorted(line["t"], key=F)
    assert not check(cert).valid


def test_kernel_rejects_dependent_kink_vectors():
    cert = copy.deepcopy(decide_local(load("D-ID")).certificate)
    probes = cert["evidence"]["probes"]
    # give the first neuron the same probe twice: its block loses rank
    first = probes[0]
    twin = next(i for i, p in enumerate(probes) if p[2] == first[2] and p is not first)
    probes[twin] = list(first)
    v = check(cert)
    assert not v.valid and "(K1)" in v.reason


# --------------------------------------------------------------------------- command line

def test_cli_exit_codes_and_json(tmp_path, capsys):
    out = tmp_path / "c.json"
    assert main(["local", f"{EX}/D-ID.json", "--certificate", str(out), "--json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["exit_code"] == 0 and obj["certified"] and obj["files"]["certificate"] == str(out)
    assert obj["domain"] == {"box": None, "source": "the whole space", "text": "R^2"}
    assert main(["check", str(out)]) == 0
    assert main(["local", f"{EX}/D-DEAD.json"]) == 1
    assert main(["local", f"{EX}/S2.json"]) == 3
    capsys.readouterr()
    assert main(["local", str(tmp_path / "missing.json")]) == 2
    assert main(["local", f"{EX}/D-ID.json", "--box", "1:0"]) == 2
    err = capsys.readouterr().err
    assert "missing.json" in err and "empty interval" in err and "Traceback" not in err


def test_exact_screening_mode_gives_valid_certificates():
    """The fallback used when a float-screened certificate is rejected: exact checks during the search."""
    from certify.local import kinkprobe
    from certify.local.identifiability import certificate_answer
    net = load("D-ID")
    res = kinkprobe.search(net, None, seed=3, exact=True)
    assert res.complete
    ans = certificate_answer(net, None, res.evidence, "kink-probe", "Theorem 5.4", 0.0, {"points": res.points})
    assert ans.code == 0 and ans.certified


def test_interval_mechanisms_refute_before_the_kink_search(monkeypatch):
    """On a box where a first-layer neuron is stably active by interval bounds (M12), `local`
    answers 1 with a kernel-checked witness before any kink search (which, on a large network
    under a tight --timeout, would leave the catalogue no time)."""
    from certify import api
    from certify.local import identifiability

    def no_search(*args, **kwargs):
        raise AssertionError("the kink search ran before the interval-bound catalogue")
    monkeypatch.setattr(identifiability, "search", no_search)
    net = Network.from_layers([([[1, 0], [0, 1], [1, -1]], [5, 0, 0]), ([[1, 1, 1]], [0])])
    answer = api.locally_identifiable(net, box=[(-1, 1), (-1, 1)], timeout=60)
    assert answer.code == 1 and answer.certified and answer.details["mechanism"] in ("M4", "M12")
    assert api.check(answer.certificate).valid
