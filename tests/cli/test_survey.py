"""The Monte Carlo survey (theory.md §6.4): Brownlowe et al.'s exact probabilities and the bound."""
from __future__ import annotations

import json
import random
from fractions import Fraction

import pytest
import z3
from hypothesis import given, settings, strategies as st

from certify.cli import main
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
