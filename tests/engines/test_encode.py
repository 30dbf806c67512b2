"""Solver encodings: SMT-LIB 2 and LP/MPS files parse back and give the same verdict; the
z3 and MILP methods only ever report exact, re-checked counterexamples."""
from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from certify.commands.export import export
from certify.encode import lp, smt
from certify.api import equivalent as decide
from certify.kernel.exact import InputError
from certify.network import Network
from certify.deep.polyhedron import quiet_stdout
from deep_pairs import m1_pair, m4_pair, moved, perturbed, random_net
from strategies import direct_eval

ROOT = Path(__file__).resolve().parents[2]
ENC = ROOT / "encodings"


def _readme_rows():
    rows = {}
    for line in (ENC / "README.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 6 and cells[0] not in ("A", "---"):
            rows[f"{cells[0]}__{cells[1]}"] = cells
    return rows


ROWS = _readme_rows()


def _z3_file(path: Path):
    import z3
    s = z3.Solver()
    s.add(z3.parse_smt2_file(str(path)))
    return str(s.check())


def _highs_file(path: Path) -> tuple[str, float]:
    import highspy
    from certify.deep.polyhedron import _highs
    _highs()  # the banner is printed (and swallowed) once per process
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    assert h.readModel(str(path)) == highspy.HighsStatus.kOk
    h.run()
    return str(h.getModelStatus()), h.getInfo().objective_function_value


def test_encodings_exist_for_every_example_pair():
    manifest = json.loads((ROOT / "examples" / "manifest.json").read_text())
    expected = {f"{p['A']}__{p['B']}" for p in manifest["pairs"] if "equiv" in p}
    assert expected == set(ROWS)
    for stem in expected:
        for ext in ("smt2", "lp", "mps"):
            assert (ENC / f"{stem}.{ext}").is_file()
    assert not (ENC / "__init__.py").exists()


@pytest.mark.parametrize("stem", sorted(ROWS))
def test_smt2_files_give_the_expected_verdict(stem):
    assert _z3_file(ENC / f"{stem}.smt2") == ROWS[stem][3]
    text = (ENC / f"{stem}.smt2").read_text()
    assert "(set-logic QF_LRA)" in text
    assert not re.search(r"\d\.\d", text.split("(set-logic")[1])  # exact rationals, no decimals


@pytest.mark.parametrize("stem", sorted(ROWS))
def test_lp_and_mps_files_reread_in_highs_and_pulp(stem):
    import pulp
    want = ROWS[stem][5]
    values = []
    for ext in ("lp", "mps"):
        status, value = _highs_file(ENC / f"{stem}.{ext}")
        assert status == "HighsModelStatus.kOptimal"
        values.append(value)
    _, prob = pulp.LpProblem.fromMPS(str(ENC / f"{stem}.mps"), sense=pulp.LpMaximize)
    with quiet_stdout():
        prob.solve(pulp.HiGHS(msg=False))
    values.append(pulp.value(prob.objective))
    assert max(values) - min(values) <= 1e-6 * (1 + abs(values[0]))
    if want == "0":
        assert abs(values[0]) <= 1e-6
    else:
        assert want == "> 0" and values[0] > 1e-6


@pytest.mark.parametrize("stem", ["D-DEAD__D-DEAD-witness", "S12__S12-constant", "D-ID__D-ID-perturbed"])
def test_encodings_are_up_to_date(stem, tmp_path):
    a_name, b_name = stem.split("__")
    a = Network.load(ROOT / "examples" / f"{a_name}.json")
    b = Network.load(ROOT / "examples" / f"{b_name}.json")
    box = a.box or b.box
    export(a, b, box, smt2=str(tmp_path / "x.smt2"))
    ours = (tmp_path / "x.smt2").read_text().split("\n", 1)[1]  # the title line names the pair
    theirs = (ENC / f"{stem}.smt2").read_text().split("\n", 1)[1]
    assert ours == theirs, "encodings/ is stale: run python scripts/export_encodings.py"


def _random_pairs(n: int, seed: int):
    rng = random.Random(seed)
    out = []
    for i in range(n):
        widths = rng.choice([[2, 3, 2, 1], [1, 2, 3, 1], [3, 3, 3, 2]])
        kind = i % 4
        if kind == 0:
            a, b = m4_pair(widths, rng.randrange(10 ** 6))
        elif kind == 1:
            a, b = m1_pair(widths, rng.randrange(10 ** 6))
        else:
            a = random_net(widths, rng)
            b = moved(a, rng) if kind == 2 else perturbed(a, rng, Fraction(1, 5))
        out.append((a, b))
    return out


def test_smt2_text_agrees_with_the_z3_api(tmp_path):
    for i, (a, b) in enumerate(_random_pairs(12, 3)):
        box = ((Fraction(-3), Fraction(2)),) * a.widths[0] if i % 3 == 0 else None
        api = smt.decide(a.net, b.net, box, timeout=30)
        path = tmp_path / f"q{i}.smt2"
        path.write_text(smt.write_smt2(a.net, b.net, box))
        assert _z3_file(path) == api.status
        if api.status == "sat":
            x, fa, fb = api.counterexample
            assert direct_eval(a, x) == list(fa) != list(fb) == direct_eval(b, x)
            assert box is None or all(lo <= v <= hi for v, (lo, hi) in zip(x, box))


def test_smt2_numbers_are_exact():
    third = Fraction(1, 3)
    a = Network.from_layers([([[third], [-third]], [Fraction(-2, 7), 0]), ([[1, 1]], [Fraction(5, 3)])])
    text = smt.write_smt2(a.net, None, None)
    assert "(/ 1 3)" in text and "(- (/ 1 3))" in text and "(- (/ 2 7))" in text and "(/ 5 3)" in text
    import z3
    s = z3.Solver()
    s.add(z3.parse_smt2_string(text))
    s.add(z3.Real("x0") == z3.Q(7, 5))
    assert s.check() == z3.sat
    assert Fraction(s.model().eval(z3.Real("y0")).as_fraction()) == direct_eval(a, [Fraction(7, 5)])[0]


def test_single_network_exports(tmp_path):
    a = Network.load(ROOT / "examples" / "D-ID.json")
    box = ((Fraction(-1), Fraction(1)),) * 2
    export(a, None, box, smt2=str(tmp_path / "a.smt2"), lp_path=str(tmp_path / "a.lp"),
           mps_path=str(tmp_path / "a.mps"))
    assert _z3_file(tmp_path / "a.smt2") == "sat"
    status, value = _highs_file(tmp_path / "a.lp")
    assert status == "HighsModelStatus.kOptimal"
    # the optimum is max f over the box: no sampled point exceeds it, and it is nearly attained
    rng = random.Random(0)
    samples = [direct_eval(a, [Fraction(rng.randint(-64, 64), 64) for _ in range(2)])[0] for _ in range(300)]
    assert max(samples) <= value + 1e-6
    assert _highs_file(tmp_path / "a.mps")[1] == pytest.approx(value, rel=1e-7, abs=1e-7)


def test_milp_counterexamples_are_exact_and_never_prove_equality():
    found = 0
    for a, b in _random_pairs(12, 7):
        box = ((Fraction(-2), Fraction(3)),) * a.widths[0]
        r = lp.search(a.net, b.net, box, time_limit=20)
        if r.status == "sat":
            found += 1
            x, fa, fb = r.counterexample
            assert all(lo <= v <= hi for v, (lo, hi) in zip(x, box))
            assert direct_eval(a, x) == list(fa) != list(fb) == direct_eval(b, x)
        ans = decide(a, b, box, method="milp", timeout=20)
        assert ans.code in (1, 3)  # a MILP never answers "equivalent"
    assert found >= 1
    with pytest.raises(InputError):
        decide(a, b, None, method="milp")


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "certify", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)


def test_cli_export_and_clean_json_stdout(tmp_path):
    A, B = "examples/D-ID.json", "examples/D-ID-perturbed.json"
    r = _cli("export", A, B, "--smt2", str(tmp_path / "q.smt2"), "--mps", str(tmp_path / "q.mps"),
             "--box=-1:1", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["files"] == [str(tmp_path / "q.smt2"), str(tmp_path / "q.mps")]
    assert _z3_file(tmp_path / "q.smt2") in ("sat", "unsat")
    assert _cli("export", A, B, "--lp", str(tmp_path / "q.lp")).returncode == 2  # LP needs a box
    assert _cli("export", A, B).returncode == 2  # nothing to write
    bad = _cli("export", A, "examples/S1.json", "--smt2", str(tmp_path / "z.smt2"))
    assert bad.returncode == 2 and "dimension" in bad.stderr and "Traceback" not in bad.stderr
    # HiGHS prints a banner when first loaded: --json stdout must stay one JSON object
    for method in ("milp", "tree"):
        r = _cli("equiv", A, B, "--method", method, "--box=-1:1", "--json")
        obj = json.loads(r.stdout)
        assert obj["exit_code"] == r.returncode == 1 and obj["certified"]
