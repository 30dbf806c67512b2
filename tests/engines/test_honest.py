"""`certify honest`: Theorems 3.3–3.6 on the examples of theory.md §6.1, property tests on random
shallow networks, the honest-shallow certificates (mutations rejected), the subset-sum core."""
from __future__ import annotations

import copy
import itertools
import json
import random
import subprocess
import sys
from fractions import Fraction as F
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from certify.api import hidden_symmetry as decide_hidden
from certify.shallow.honesty import decision
from certify.api import honest as decide_honest
from certify.kernel import check
from certify.kernel.honest import decide
from certify.kernel.subsetsum import TooExpensive, solve01
from certify.network import Network
from strategies import random_network

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load(name: str) -> Network:
    return Network.load(EXAMPLES / f"{name}.json")


# (Σ, U_0, int Σ) per theory.md §6.1 and Theorems 3.3–3.6
EXPECTED = {
    "S1": (True, False, False),   # |x|: in Σ, not in int Σ (split + double flip)
    "S2": (True, False, True),    # Theorem 3.5: int Σ ∖ U_0
    "S3": (False, False, False),  # flip
    "S4": (False, False, False),  # twins (C3)
    "S5": (False, False, False),  # constant neuron (C2)
    "S6": (True, True, True),     # U_0
    "S7": (False, False, False),  # 3-flip
    "S8": (False, False, False),  # pair move
    "S9": (False, False, False),  # two pairs, m = 1
    "S10": (True, False, True),   # U_1 (Theorem 3.6)
    "S11": (False, False, False),  # (d) fails
}
EXIT = {name: 0 if v[2] else 1 for name, v in EXPECTED.items()}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_examples_reproduce_theorems(name):
    data = decide(load(name).net)
    assert (data["sigma"], data["U0"], data["int_sigma"]) == EXPECTED[name]
    answer = decide_honest(load(name))
    assert answer.code == EXIT[name], answer.summary
    assert answer.certified and check(answer.certificate).valid
    assert answer.details["strongly_honest"] is EXPECTED[name][2]


def test_failed_conditions_name_the_mechanism():
    expected = {"S3": ("C6", "M8"), "S4": ("C3", "M6"), "S5": ("C2", "M3"), "S7": ("C6", "M8"),
                "S8": ("C6", "M13"), "S9": ("C6", "M13"), "S11": ("C6", "M13")}
    for name, (cond, mech) in expected.items():
        answer = decide_honest(load(name))
        assert (answer.details["failed"], answer.details["mechanism"]) == (cond, mech), name


def test_s1_family_certificate():
    answer = decide_honest(load("S1"))
    cert = answer.certificate
    assert cert["kind"] == "honest-shallow" and cert["evidence"]["method"] == "split-family"
    assert cert["evidence"]["subset"] == [0, 1]
    nested = cert["evidence"]["witnesses"][0]
    assert nested["evidence"]["mechanism"] == "M8"


def test_manifest_honest_expectations():
    manifest = json.loads((EXAMPLES / "manifest.json").read_text())
    for name, entry in manifest["networks"].items():
        if entry.get("honest") is not None and name in EXPECTED:
            assert entry["honest"] == EXIT[name], name


# --------------------------------------------------------------------------- property tests

def generic_shallow(d: int, n: int, m: int, rng: random.Random) -> Network:
    return random_network([d, n, m], rng, den=7)


@settings(max_examples=25)
@given(st.integers(0, 10 ** 6), st.integers(1, 3), st.integers(1, 3))
def test_generic_shallow_with_n_le_md_is_honest(seed, d, m):
    """Random generic shallow networks with n ≤ m·d: no hidden symmetry (exit 1), in U_0 (exit 0)."""
    rng = random.Random(seed)
    n = rng.randint(1, m * d)
    net = generic_shallow(d, n, m, rng)
    data = decide(net.net)
    if data["sigma"] is not True:  # a non-generic draw (e.g. d = 1 parallel hyperplanes): must have a witness
        answer = decide_hidden(net, search=False)
        assert answer.code == 0 and check(answer.certificate).valid
        return
    assert data["U0"] is True or data["pairs"]
    hidden = decide_hidden(net, search=False)
    assert hidden.code == 1 and check(hidden.certificate).valid
    honest = decide_honest(net)
    assert honest.code in (0, 1) and check(honest.certificate).valid


@settings(max_examples=20)
@given(st.integers(0, 10 ** 6))
def test_planted_zero_subset_is_found(seed):
    """A planted zero subset sum Σ_T a_i w_i^T = 0 is found exactly (M8) and breaks honesty."""
    rng = random.Random(seed)
    d, m = rng.randint(1, 2), rng.randint(1, 2)
    net = generic_shallow(d, rng.randint(3, 6), m, rng)
    size = rng.randint(2, min(4, len(net.layers[0].bias)))
    T = rng.sample(range(len(net.layers[0].bias)), size)
    w = [list(r) for r in net.layers[0].weight]
    a = [list(r) for r in net.layers[1].weight]
    # make column T[-1] of W_2 a multiple of a fixed vector u and solve for its row w
    last = T[-1]
    u = [F(rng.randint(1, 5)) for _ in range(m)]
    for r in range(m):
        a[r][last] = u[r]
    for i in T[:-1]:
        c = F(rng.choice([-3, -2, -1, 1, 2, 3]), rng.randint(1, 3))
        for r in range(m):
            a[r][i] = u[r] * c
    coef = [a[0][i] / u[0] for i in T[:-1]]
    w[last] = [-sum((c * w[i][j] for c, i in zip(coef, T[:-1])), F(0)) for j in range(d)]
    if not any(w[last]):
        return
    net = Network.from_layers([(w, net.layers[0].bias), (a, net.layers[1].bias)])
    data = decide(net.net)
    assert data["sigma"] is False or isinstance(data["a"], list)
    honest = decide_honest(net)
    assert honest.code == 1 and check(honest.certificate).valid


@settings(max_examples=15)
@given(st.integers(0, 10 ** 6))
def test_one_pair_points_are_stable_under_perturbation(seed):
    """Theorem 3.6: a point declared in int Σ keeps every small generic perturbation in Σ."""
    rng = random.Random(seed)
    d, m = 2, rng.randint(1, 2)
    net = generic_shallow(d, rng.randint(2, 4), m, rng)
    w = [list(r) for r in net.layers[0].weight]
    b = list(net.layers[0].bias)
    lam = F(rng.randint(1, 4), rng.randint(1, 3))
    w[1] = [-lam * x for x in w[0]]
    b[1] = -lam * b[0]
    net = Network.from_layers([(w, b), net.layers[1]])
    data = decide(net.net)
    if data["int_sigma"] is not True:
        return
    for k in range(3):
        eps = F(1, 10 ** 6)
        layers = [([[x + eps * rng.randint(-9, 9) for x in row] for row in l.weight],
                   [x + eps * rng.randint(-9, 9) for x in l.bias]) for l in net.layers]
        near = decide(Network.from_layers(layers).net)
        assert near["sigma"] is True, f"perturbation {k} left Σ"


# --------------------------------------------------------------------------- certificates

def rejected(cert: dict) -> None:
    assert not check(json.loads(json.dumps(cert))).valid


def test_decision_certificate_mutations():
    cert = decide_honest(load("S6")).certificate
    assert check(cert).valid
    bad = copy.deepcopy(cert)
    bad["evidence"]["decision"]["U0"] = False
    rejected(bad)
    bad = copy.deepcopy(cert)
    bad["claim"]["networks"]["A"]["layers"][1]["weight"][0] = ["1", "1", "-1"]  # S7: a flip exists
    rejected(bad)
    bad = copy.deepcopy(cert)
    bad["claim"]["domain"] = {"box": [["0", "1"], ["0", "1"]]}
    rejected(bad)
    # S1 is in Σ but not in int Σ: an in-int-sigma claim must fail
    s1 = decide_hidden(load("S1"), search=False).certificate
    bad = copy.deepcopy(s1)
    bad["claim"]["statement"] = "in-int-sigma"
    rejected(bad)


def test_split_family_mutations():
    cert = decide_honest(load("S1")).certificate
    assert check(cert).valid
    bad = copy.deepcopy(cert)
    bad["evidence"]["subset"] = [0]
    rejected(bad)
    bad = copy.deepcopy(cert)
    bad["evidence"]["shift"] = ["0", "0"]  # the pair is never split
    rejected(bad)
    bad = copy.deepcopy(cert)
    bad["evidence"]["witnesses"][0]["t"] = "2"  # outside (0, t0]
    rejected(bad)


def test_split_family_t0_must_avoid_coincidences():
    """The family b_0 += t meets the parallel hyperplane x = −1/2 at t = 1/2: t0 must stop before."""
    from certify.shallow.honesty import family_certificate
    net = Network.from_layers([([[1], [-1], [1]], [0, 0, F(1, 2)]), ([[1, 1, 3]], [0])])
    cert, _ = family_certificate(net, {"a": [0, 1], "pairs": [[0, 1]]}, 0.0)
    assert check(cert).valid and F(cert["evidence"]["t0"]) < F(1, 2)
    bad = copy.deepcopy(cert)
    bad["evidence"]["t0"] = "1000"
    rejected(bad)


def test_cli_honest(tmp_path):
    cert = tmp_path / "c.json"
    r = subprocess.run([sys.executable, "-m", "certify", "honest", str(EXAMPLES / "S2.json"), "--certificate",
                        str(cert), "--json"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    obj = json.loads(r.stdout)
    assert obj["evidence"]["int_sigma"] is True and obj["evidence"]["U0"] is False
    assert check(json.loads(cert.read_text())).valid
    r = subprocess.run([sys.executable, "-m", "certify", "honest", str(EXAMPLES / "D-ID.json")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 3
    r = subprocess.run([sys.executable, "-m", "certify", "honest", str(EXAMPLES / "D-DEAD.json")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1


def test_over_budget_reports_the_cost():
    rng = random.Random(5)
    net = random_network([1, 30, 1], rng, den=97)  # m = d = 1: rank F = 1, κ = 29
    answer = decide_honest(net, budget=1 << 10)
    if answer.code == 3:
        assert "patterns" in answer.summary or "patterns" in str(answer.details.get("undecided"))
    else:  # the accelerator found a zero subset sum: then it is exact
        assert answer.code == 1 and check(answer.certificate).valid


# --------------------------------------------------------------------------- subset sums

@settings(max_examples=80)
@given(st.lists(st.lists(st.integers(-3, 3), min_size=2, max_size=2), min_size=1, max_size=9),
       st.one_of(st.none(), st.lists(st.integers(-4, 4), min_size=2, max_size=2)), st.booleans())
def test_solve01_matches_brute_force(vectors, target, nonempty):
    cols = [[F(x) for x in v] for v in vectors]
    t = [F(x) for x in target] if target is not None else None
    goal = t if t is not None else [F(0), F(0)]
    truth = [list(T) for k in range(len(cols) + 1) for T in itertools.combinations(range(len(cols)), k)
             if (T or not nonempty or any(goal)) and
             [sum((cols[i][r] for i in T), F(0)) for r in range(2)] == goal]
    found = solve01(cols, t, nonempty)
    if truth:
        assert found is not None
        assert [sum((cols[i][r] for i in found), F(0)) for r in range(2)] == goal
        assert found or not nonempty or any(goal)
    else:
        assert found is None


def test_solve01_fails_closed_over_budget():
    cols = [[F(2 ** k)] for k in range(24)]  # no zero subset sum; κ = 23
    with pytest.raises(TooExpensive):
        solve01(cols, None, True, budget=1000)
    assert solve01(cols, None, True, budget=1 << 13) is None  # meet in the middle: 2^12 + 2^12


def test_accelerated_decision_finds_a_flip_beyond_budget():
    """Exact enumeration over budget (κ = 37, 2^20 meet-in-the-middle): the 0/1 program proposes
    a zero subset sum, verified exactly, which decides θ ∉ Σ."""
    rng = random.Random(2)
    rows = [[F(rng.randint(-3, 3)) for _ in range(3)] for _ in range(40)]
    for r in rows:
        if not any(r):
            r[0] = F(1)
    biases = [F(k + 1, 3) for k in range(40)]
    net = Network.from_layers([(rows, biases), ([[1] * 40], [0])])
    data = decision(net, budget=1 << 6)
    assert data["sigma"] is False and data["undecided"] is None
    T = data["detail"]["T"]
    assert T and all(sum((rows[i][j] for i in T), F(0)) == 0 for j in range(3))


def test_milp_proposal_is_verified():
    from certify.shallow.subsetsum import propose_by_milp
    cols = [[F(v)] for v in (3, 5, -8, 7, 11)]
    T = propose_by_milp(cols, None, True, time_limit=10)
    assert T is not None and sum((cols[i][0] for i in T), F(0)) == 0 and T


@st.composite
def structured_shallow(draw):
    """Small shallow networks with coincident / opposite / parallel hyperplanes and zeros."""
    d = draw(st.integers(1, 2))
    m = draw(st.integers(1, 2))
    n = draw(st.integers(1, 5))
    base = [(1, 0, 0), (1, 0, -1), (0, 1, 0), (1, 1, 1), (1, -1, 0)] if d == 2 else [(1, 0), (1, -1), (2, 1)]
    rows, biases = [], []
    for _ in range(n):
        r = draw(st.sampled_from(base))
        s = draw(st.sampled_from([F(1), F(2), F(1, 2), F(-1), F(-3), F(-1, 2)]))
        rows.append([s * x for x in r[:-1]])
        biases.append(s * r[-1])
    a = [[draw(st.sampled_from([F(0), F(1), F(-1), F(2), F(3), F(-5, 2)])) for _ in range(n)] for _ in range(m)]
    return Network.from_layers([(rows, biases), (a, [F(0)] * m)])


@settings(max_examples=60)
@given(structured_shallow())
def test_decision_and_witnesses_agree(net):
    """Theorem 3.3 and its constructions: θ ∉ Σ ⟺ a catalogue witness passes the kernel."""
    from certify.hidden.mechanisms import NoWitness, detect
    data = decide(net.net)
    if data["undecided"]:
        return
    certified = []
    for f in detect(net, None, nested=False):
        try:
            cert, verdict, _ = f.certified()
        except NoWitness:
            continue
        if verdict.valid:
            certified.append(f.mechanism)
    if data["sigma"]:
        assert not certified, f"Theorem 3.3 says θ ∈ Σ but {certified} gave kernel-checked witnesses"
        hidden = decide_hidden(net, search=False)
        assert hidden.code == 1 and check(hidden.certificate).valid
    else:
        answer = decide_hidden(net, search=False)
        assert answer.code == 0, f"condition {data['failed']} fails but no witness: {answer.summary}"
        assert check(answer.certificate).valid
    honest = decide_honest(net)
    assert honest.code in (0, 1, 3)
    if honest.code != 3:
        assert check(honest.certificate).valid


def test_cli_json_stays_clean_when_the_solver_runs(tmp_path):
    """Over budget the MILP accelerator runs (HiGHS prints banners): stdout must stay one JSON object."""
    rng = random.Random(5)
    net = random_network([1, 24, 1], rng, den=97)
    path = tmp_path / "n.json"
    path.write_text(json.dumps(net.to_json()))
    r = subprocess.run([sys.executable, "-m", "certify", "honest", str(path), "--budget", "64", "--json"],
                       capture_output=True, text=True, timeout=120)
    obj = json.loads(r.stdout)
    assert r.returncode == obj["exit_code"] in (1, 3)
    if r.returncode == 3:
        assert "patterns" in obj["summary"]
