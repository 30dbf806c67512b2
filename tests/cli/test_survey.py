"""The Monte Carlo survey (theory.md §6.4): Brownlowe et al.'s exact probabilities and the bound."""
from __future__ import annotations

import json
import math
import random
from fractions import Fraction

import pytest
import z3
from hypothesis import given, settings, strategies as st

from certify.cli import main
from certify.api import functional_dimension
from certify.apps.survey import (bounded_above_by_zero, brownlowe, layer2_signs, random_parameters,
                                 run_survey, trial_parameters)
from strategies import small_rationals

F = Fraction


def z3_bounded_above_by_zero(W1, b1, w, b) -> bool:
    """Independent oracle: no x ∈ R^{n0} with w·σ(W1 x + b1) + b > 0 (z3 over the reals)."""
    xs = [z3.Real(f"x{k}") for k in range(len(W1[0]))]
    def val(q):
        return z3.RealVal(f"{q.numerator}/{q.denominator}")
    hidden = [sum((val(a) * x for a, x in zip(row, xs)), val(c)) for row, c in zip(W1, b1)]
    relu = [z3.If(h > 0, h, 0) for h in hidden]
    s = z3.Solver()
    s.add(sum((val(a) * r for a, r in zip(w, relu)), val(b)) > 0)
    return s.check() == z3.unsat


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 2), st.integers(0, 1), st.data())
def test_exact_dead_decision_matches_z3(n0, extra, data):
    n1 = n0 + extra
    W1 = [[data.draw(small_rationals.filter(bool)) for _ in range(n0)] for _ in range(n1)]
    b1 = [data.draw(small_rationals) for _ in range(n1)]
    w = [data.draw(small_rationals) for _ in range(n1)]
    b = data.draw(small_rationals)
    got = bounded_above_by_zero(W1, b1, w, b)
    if got is None:  # no complete test (rank-deficient W1): nothing is claimed
        return
    assert got == z3_bounded_above_by_zero(W1, b1, w, b)


def test_brownlowe_values():
    assert brownlowe(2, 2) == F(1, 8) and brownlowe(3, 1) == F(1, 4)
    assert brownlowe(1, 2) == F(3, 16) and brownlowe(2, 3) == F(5, 64)
    assert brownlowe(1, 3) is None


@pytest.mark.parametrize("arch", [[2, 2, 2, 1], [1, 2, 2, 1], [2, 3, 2, 1]])
def test_brownlowe_probability_reproduced(arch):
    ans = run_survey(arch, 500, seed=11, local=False, hidden=False)
    assert ans.code == 0, ans.details["checks"]
    dead = ans.details["layer2_dead"]
    assert abs(dead["mean"] - float(brownlowe(arch[0], arch[1]))) <= 3 * dead["se"]
    assert ans.details["sign_tests_undecided"] == 0


def test_full_survey_respects_the_bound_and_is_consistent(tmp_path):
    out = tmp_path / "draws.jsonl"
    ans = run_survey([2, 2, 2, 1], 16, seed=5, out=str(out))
    d = ans.details
    assert ans.code == 0, d["checks"]
    assert d["certified"]["count"] + d["witnessed_not_identifiable"]["count"] + d["undecided"]["count"] == 16
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert sum(r["local"] == "certified" for r in records) == d["certified"]["count"]
    for r in records:
        # the recorded signs are those of the draw's parameters, recomputed here
        assert r["layer2"] == layer2_signs(trial_parameters([2, 2, 2, 1], 5, r["trial"]))
        # a certified draw has no dead or stably active layer-2 neuron (they are visible symmetries)
        if r["local"] == "certified":
            assert all(s == "neither" for s in r["layer2"])


def test_symmetric_law_has_no_zeros():
    rng = random.Random(0)
    net = random_parameters([3, 4, 2], rng)
    assert all(v != 0 for l in net.layers for row in l.weight for v in row)


def test_cli(capsys):
    assert main(["survey", "2-2-2-1", "--trials", "50", "--no-local", "--no-hidden"]) == 0
    assert "Brownlowe" in capsys.readouterr().out
    assert main(["survey", "2-x-1", "--trials", "5"]) == 2
    assert main(["survey", "2-2-1", "--trials", "5"]) == 2
    assert main(["survey", "2-2-2-1", "--trials", "0"]) == 2


def test_survey_resumes_from_its_jsonl_and_does_not_depend_on_workers(tmp_path):
    """Draws are seeded one by one: an interrupted run continued later, on two processes,
    reports exactly what one uninterrupted sequential run reports."""
    out = tmp_path / "draws.jsonl"
    whole = run_survey([2, 2, 2, 1], 8, seed=9, local=False, workers=1)
    run_survey([2, 2, 2, 1], 3, seed=9, local=False, workers=1, out=str(out))
    assert len(out.read_text().splitlines()) == 3
    with out.open("a") as fh:
        fh.write('{"key": "torn')                      # a crash mid-write
    resumed = run_survey([2, 2, 2, 1], 8, seed=9, local=False, workers=2, out=str(out))
    lines = out.read_text().splitlines()
    assert len(lines) == 8 and len({json.loads(l)["key"] for l in lines}) == 8
    for key in ("layer2_dead", "layer2_active", "hidden_symmetry_witnessed"):
        assert resumed.details[key] == whole.details[key]
    assert resumed.details["trials"] == 8


# --------------------------------------------------------------------------- the 3σ test (theoretical variance)

from certify.apps.survey import Tally, _report, dead_deficit_bound, tally, three_sigma  # noqa: E402
from certify.apps.laws import Law, parse_law  # noqa: E402


def test_rare_event_never_observed_is_consistent():
    """10-10-10-10-1: P(dead) = 2^-11; 11 draws without a dead neuron are what theory expects
    (the empirical standard error is 0 there, which made z infinite)."""
    t = Tally(trials=11, dead=[0.0] * 11, active=[0.0] * 11)
    ans = _report([10, 10, 10, 10, 1], t, local=False, hidden=False, seed=0, seconds=0.0)
    assert ans.code == 0, ans.details["checks"]
    dead = ans.details["checks"][0]
    assert dead["se_empirical"] == 0 and dead["se"] == pytest.approx((2 ** -11 * (1 - 2 ** -11) / 11) ** 0.5, abs=1e-5)


def test_planted_excess_is_inconsistent():
    """2-2-2-1: P(dead) = 1/8; every draw with half its layer-2 neurons dead is far outside 3σ."""
    t = Tally(trials=100, dead=[0.5] * 100, active=[0.125] * 100)
    ans = _report([2, 2, 2, 1], t, local=False, hidden=False, seed=0, seconds=0.0)
    assert ans.code == 1 and not ans.details["checks"][0]["within_3_sigma"] and ans.details["checks"][1]["within_3_sigma"]


def test_degenerate_theory():
    assert three_sigma(0.0, 10, F(0))[2] and three_sigma(1.0, 10, F(1))[2]
    assert not three_sigma(0.01, 10, F(0))[2] and not three_sigma(0.99, 10, F(1))[2]


@given(st.integers(1, 11), st.integers(1, 10 ** 4), st.floats(0, 2.9), st.sampled_from([1, -1]))
def test_three_sigma_boundary(k, n, c, sign):
    """Means within 2.9σ of p pass, means beyond 3.1σ fail, with σ = sqrt(p(1 − p)/n)."""
    p = F(1, 2 ** k)
    sigma = (float(p) * (1 - float(p)) / n) ** 0.5
    z, s, good = three_sigma(float(p) + sign * c * sigma, n, p)
    assert good and s == pytest.approx(sigma) and abs(z) == pytest.approx(c, abs=1e-6)
    assert not three_sigma(float(p) + sign * (c + 3.1) * sigma, n, p)[2]


# --------------------------------------------------------------------------- laws

def test_default_law_is_the_old_law():
    """gaussian with bias scale 1 reproduces the draws of earlier versions (old --out files resume)."""
    rng = random.Random("x")
    old = []
    for a, b in zip([3, 4, 2], [4, 2]):
        w = [[None] * a for _ in range(b)]
        for i in range(b):
            for j in range(a):
                while True:
                    q = F(round(rng.gauss(0.0, 1.0) * 65536), 65536)
                    if q:
                        break
                w[i][j] = q
        bias = []
        for _ in range(b):
            while True:
                q = F(round(rng.gauss(0.0, 1.0) * 65536), 65536)
                if q:
                    break
            bias.append(q)
        old.append((w, bias))
    new = Law().parameters([3, 4, 2], random.Random("x"))
    assert [(list(map(list, l.weight)), list(l.bias)) for l in new.layers] == old


def test_laws_scales_and_signs():
    he = parse_law("he", "1/4").parameters([8, 5, 1], random.Random(1))
    s0, s1 = F(math.sqrt(2 / 8)), F(math.sqrt(2 / 5))
    for layer, s in zip(he.layers, (s0, s1)):
        assert all((v / s * 65536).denominator == 1 and v for row in layer.weight for v in row)
        assert all((v / (s / 4) * 65536).denominator == 1 and v for v in layer.bias)
    uni = parse_law("uniform").parameters([6, 40, 40, 1], random.Random(2))
    values = [v for l in uni.layers for row in l.weight for v in row]
    assert all(0 < abs(v) <= 1 for v in values)
    assert abs(sum(v > 0 for v in values) / len(values) - 0.5) < 0.05   # symmetric (1880 draws, ~4σ)
    with pytest.raises(Exception, match="--bias-scale"):
        parse_law("gaussian", "0")


def test_brownlowe_n1_equal_n0_plus_1_only_for_isotropic_rows():
    assert brownlowe(1, 2, Law()) == F(3, 16)
    assert brownlowe(1, 2, parse_law("uniform")) is None and brownlowe(1, 2, parse_law("gaussian", "2")) is None
    assert brownlowe(2, 2, parse_law("uniform")) == F(1, 8)   # the sign test: any symmetric law


@pytest.mark.parametrize("law", ["uniform", "he"])
def test_brownlowe_reproduced_under_other_laws(law):
    ans = run_survey([2, 2, 2, 1], 400, seed=3, local=False, hidden=False, fdim=False, law=parse_law(law, "1/3"))
    assert ans.code == 0, ans.details["checks"]
    assert ans.details["law_name"] == law


# --------------------------------------------------------------------------- functional dimension per draw

def test_survey_reports_the_exact_functional_dimension_of_every_draw(tmp_path):
    out = tmp_path / "draws.jsonl"
    ans = run_survey([2, 3, 2, 1], 12, seed=7, local=False, hidden=False, out=str(out))
    fd = ans.details["functional_dimension"]
    assert sum(fd["histogram"].values()) + fd["undecided"] == 12
    assert fd["N-H"] == dead_deficit_bound([2, 3, 2, 1], 0) == 9 + 8 + 3 - 5
    records = [json.loads(line) for line in out.read_text().splitlines()]
    for r in records[:4]:   # each recorded dimension is the one the API gives for the draw
        got = functional_dimension(trial_parameters([2, 3, 2, 1], 7, r["trial"]), seed=r["trial"])
        assert r["fdim"]["dimension"] == got.details["dimension"]
    assert "functional dimension (N − H = 15)" in ans.summary


def test_dead_neuron_deficit_bound_holds_and_is_checked():
    """A planted dead layer-2 neuron (w ≤ 0, b ≤ 0 with rank W1 = n1 ≤ n0): the engine's exact
    dimension obeys the bound; a planted record violating it makes the survey inconsistent."""
    from certify.network import Network
    widths = [3, 2, 2, 2]
    net = Network.from_layers([([[1, 2, 0], [0, 1, -1]], [1, -1]),
                               ([[-1, -2], [1, 1]], [-1, F(1, 2)]),
                               ([[1, 3], [2, -1]], [0, 1])])
    assert layer2_signs(net)[0] == "dead"
    ans = functional_dimension(net)
    assert ans.code == 0 and ans.details["dimension"] <= dead_deficit_bound(widths, 1) < dead_deficit_bound(widths, 0)
    ok = {"layer2": ["dead", "neither"], "fdim": {"dimension": dead_deficit_bound(widths, 1)}, "trial": 0}
    bad = {"layer2": ["dead", "neither"], "fdim": {"dimension": dead_deficit_bound(widths, 1) + 1}, "trial": 1}
    for records, code in (([ok], 0), ([ok, bad], 1)):
        rep = _report(widths, tally(records), local=False, hidden=False, seed=0, seconds=0.0, fdim=True)
        check = [c for c in rep.details["checks"] if "dead layer-2 neurons and rank" in c["check"]][0]
        assert check["within_3_sigma"] == (code == 0)
        assert rep.code == 1 if code else check["violations"] == []


def test_survey_on_user_inputs(tmp_path, capsys):
    pts = [[F(k, 3), F(-k, 5)] for k in range(1, 9)]
    path = tmp_path / "x.json"
    path.write_text(json.dumps([[str(v) for v in x] for x in pts]))
    assert main(["survey", "2-2-2-1", "--trials", "4", "--no-local", "--no-hidden", "--inputs", str(path),
                 "--json"]) in (0, 3)
    obj = json.loads(capsys.readouterr().out)
    assert obj["evidence"]["functional_dimension"]["sample"] == "the user's 8 points"
    ans = run_survey([2, 2, 2, 1], 4, local=False, hidden=False, points=pts)
    for i in range(4):   # the histogram counts the dimensions on exactly these points
        d = functional_dimension(trial_parameters([2, 2, 2, 1], 0, i), points=pts).details.get("dimension")
        assert d is None or str(d) in ans.details["functional_dimension"]["histogram"]
    assert main(["survey", "2-2-2-1", "--trials", "2", "--no-fdim", "--inputs", str(path)]) == 2
    assert main(["survey", "2-2-2-1", "--trials", "2", "--inputs", str(tmp_path / "none.json")]) == 2
