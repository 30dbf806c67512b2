"""One meaning per option, the domain in every answer, exit 0/1 only with a certificate, --json on
every exit, and a light start-up (issue 10 items 3, 6; issue 11 "a verdict that does not say where
it holds", "exit 0 without evidence", "output a person can read")."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

import certify
from certify.cli import main
from certify.kernel.exact import InputError
from certify.network import Network

ROOT = Path(__file__).resolve().parents[2]
EX = ROOT / "examples"


def ex(name: str) -> str:
    return str(EX / f"{name}.json")


def out_json(capsys) -> dict:
    out = capsys.readouterr().out
    lines = [l for l in out.splitlines() if l.strip()]
    assert len(lines) == 1, out  # exactly one JSON object
    return json.loads(lines[0])


# --------------------------------------------------------------------------- the domain is named

def test_a_verdict_on_a_stored_box_names_the_box_and_where_it_came_from(tmp_path, capsys):
    pruned = tmp_path / "pruned.json"
    assert main(["prune", ex("D-DEAD"), "--box=-1:1", "--out", str(pruned)]) == 0
    capsys.readouterr()
    assert main(["equiv", ex("D-DEAD"), str(pruned)]) == 0
    out = capsys.readouterr().out
    assert "equivalent on [-1,1]^2 (the domain of B)" in out
    assert main(["equiv", ex("D-DEAD"), str(pruned), "--json"]) == 0
    dom = out_json(capsys)["domain"]
    assert dom == {"box": [["-1", "1"], ["-1", "1"]], "source": "the domain of B", "text": "[-1,1]^2 (the domain of B)"}
    # off that box the two differ, and the answer says R^2 when asked there
    assert main(["equiv", ex("D-DEAD"), str(pruned), "--box=-1:1,-1:1", "--json"]) == 0
    assert out_json(capsys)["domain"]["source"] == "--box"


def test_batch_records_name_the_domain(tmp_path, capsys):
    out = tmp_path / "r.jsonl"
    assert main(["batch", "equiv", ex("S7-witness"), "--against", ex("S7"), "--out", str(out)]) == 0
    record = json.loads(out.read_text().splitlines()[0])
    assert record["domain"]["text"] == "R^2" and record["exit_code"] == 0


def test_the_api_reports_the_domain_and_accepts_every_box_spelling(tmp_path):
    a, b = ex("D-DEAD"), ex("D-DEAD-witness")
    prop = tmp_path / "p.vnnlib"
    prop.write_text("(declare-const X_0 Real)\n(declare-const X_1 Real)\n(assert (>= X_0 -1))\n(assert (<= X_0 1))\n"
                    "(assert (>= X_1 -1))\n(assert (<= X_1 1))\n")
    import numpy as np
    answers = [certify.equivalent(a, b, box) for box in
               ([(-1, 1), (-1, 1)], "-1:1", str(prop), [(np.float32(-1), np.int64(1))] * 2,
                [(Fraction(-1), "1")] * 2)]
    assert {ans.domain.text() for ans in answers} == {"[-1,1]^2 (--box)"}
    assert all(ans.code == answers[0].code and ans.certified for ans in answers)
    with pytest.raises(InputError, match="empty interval"):
        certify.equivalent(a, b, [(1, 0), (0, 1)])  # lo > hi is bad input, never "unknown"
    with pytest.raises(InputError, match="input dimension"):
        certify.equivalent(a, b, "0:1,0:1,0:1")


def test_counterexample_as_fractions_floats_and_files(tmp_path, capsys):
    ans = certify.equivalent(ex("D-ID"), ex("D-ID-perturbed"))
    x = ans.counterexample
    assert ans.code == 1 and all(isinstance(v, Fraction) for v in x)
    assert ans.counterexample_floats == tuple(float(v) for v in x)
    net_a, net_b = Network.load(ex("D-ID")), Network.load(ex("D-ID-perturbed"))
    gap = max(abs(p - q) for p, q in zip(net_a(x), net_b(x)))
    assert Fraction(ans.details["gap"]) == gap > 0 and "≈" in ans.summary
    cj, ct = tmp_path / "x.json", tmp_path / "x.txt"
    assert main(["equiv", ex("D-ID"), ex("D-ID-perturbed"), "--counterexample", str(cj)]) == 1
    assert main(["equiv", ex("D-ID"), ex("D-ID-perturbed"), "--counterexample", str(ct)]) == 1
    point = json.loads(cj.read_text())
    assert [Fraction(v) for v in point["x"]] == list(x) and Fraction(point["gap"]) == gap
    lines = ct.read_text().splitlines()
    assert lines[0] == "sat" and "(X_0 " in lines[1] and any("(Y_0 " in l for l in lines)
    assert float(lines[1].split()[-1].rstrip(")")) == float(x[0])


# --------------------------------------------------------------------------- exit 0/1 need a certificate

def test_an_uncertified_solver_verdict_is_exit_3(capsys):
    assert main(["equiv", ex("D-ACT"), ex("D-ACT-witness"), "--method", "smt", "--budget", "1", "--json"]) == 3
    obj = out_json(capsys)
    assert obj["exit_code"] == 3 and not obj["certified"] and obj["evidence"]["uncertified_verdict"] == "equivalent"


def test_guard_demotes_any_uncertified_yes_or_no():
    from certify.core.answer import Answer, guarded
    fake = guarded(Answer("equiv", "equivalent", 0, "t", "m", "says so"))
    assert fake.code == 3 and fake.verdict == "unknown" and fake.details["uncertified_verdict"] == "equivalent"


# --------------------------------------------------------------------------- outputs

def test_two_outputs_to_one_file_are_refused_before_any_work(tmp_path, capsys):
    target = tmp_path / "w.json"
    assert main(["hidden", ex("D-FLIP"), "--witness", str(target), "--certificate", str(target)]) == 2
    assert "give each output its own file" in capsys.readouterr().err and not target.exists()


@pytest.mark.parametrize("where, message", [("missing/c.json", "does not exist"), ("", "is a directory")])
def test_bad_output_paths_are_one_line_exit_2(tmp_path, capsys, where, message):
    target = tmp_path / where if where else tmp_path
    assert main(["equiv", ex("S7"), ex("S7-witness"), "--certificate", str(target)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and not (tmp_path / "missing").exists()


def test_an_unwritable_folder_is_exit_2(tmp_path, capsys):
    if os.geteuid() == 0:
        pytest.skip("root writes everywhere")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    assert main(["equiv", ex("S7"), ex("S7-witness"), "--certificate", str(folder / "c.json")]) == 2


def test_witness_and_pruned_network_have_their_own_options(tmp_path):
    w, c, p = tmp_path / "w.json", tmp_path / "c.json", tmp_path / "p.onnx"
    assert main(["hidden", ex("D-FLIP"), "--witness", str(w), "--certificate", str(c)]) == 0
    assert json.loads(c.read_text())["kind"] == "hidden-symmetry"
    assert Network.load(w).widths == Network.load(ex("D-FLIP")).widths
    pytest.importorskip("onnx")
    assert main(["prune", ex("D-DEAD"), "--box=-1:1", "--out", str(p)]) == 0
    assert certify.load(p).widths == (2, 2, 1, 1)


# --------------------------------------------------------------------------- --json on every exit

@pytest.mark.parametrize("argv", [["equiv", "missing.json", "x.json", "--json"],
                                  ["equiv", "--json", "--frobnicate"],
                                  ["local", str(EX / "D-ID.json"), "--box", "1:0", "--json"],
                                  ["check", "--json", "nothing-here.json"]])
def test_json_prints_one_object_on_errors(capsys, argv):
    code = main(argv)
    obj = out_json(capsys)
    assert code == 2 and obj["exit_code"] == 2
    assert (obj["error"] and obj["verdict"] == "error") if argv[0] != "check" else obj["unreadable"] == 1


def test_negative_box_bounds_after_a_space(capsys):
    assert main(["equiv", ex("D-DEAD"), ex("D-DEAD-witness"), "--box", "-1:1", "--json"]) == 0
    assert out_json(capsys)["domain"]["box"] == [["-1", "1"], ["-1", "1"]]


def test_one_neuron_convention_in_text_and_json(capsys):
    assert main(["prune", ex("D-DEAD"), "--box=-1:1", "--out", "/dev/null", "--json"]) == 2  # not a file name
    capsys.readouterr()
    ans = certify.hidden_symmetry(ex("D-DEAD"))
    # D-DEAD's dead neuron is neuron 0 of the second hidden layer: [1, 0] everywhere
    assert "[1, 0]" in ans.summary


# --------------------------------------------------------------------------- start-up and numpy

BLOCK_NUMPY = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "numpy" or name.startswith("numpy."):
            raise ImportError("numpy is blocked for this test")
sys.meta_path.insert(0, Block())
from certify.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_certify_check_needs_no_numpy(tmp_path):
    script = tmp_path / "run.py"
    script.write_text(BLOCK_NUMPY)
    files = [str(p) for p in sorted((ROOT / "certificates").glob("*.json"))]
    r = subprocess.run([sys.executable, str(script), "check", *files], capture_output=True, text=True, cwd=ROOT,
                       timeout=600)
    assert r.returncode == 0, r.stderr + r.stdout
    bind = subprocess.run([sys.executable, str(script), "check", str(ROOT / "certificates" /
                           "equivalent--orbit--D-ID__D-ID-moved.json"), "--bind", f"A={ex('D-ID')}",
                           "--expect", "equivalent", "--expect-domain", "whole"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert bind.returncode == 0, bind.stderr
    version = subprocess.run([sys.executable, str(script), "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("certify ")


def test_help_and_version_import_no_engine():
    code = ("import sys; from certify.cli import build_parser, main; build_parser(); main(['--version']); "
            "heavy = [m for m in ('numpy', 'z3', 'pulp', 'sympy', 'flint', 'certify.api') if m in sys.modules]; "
            "print(heavy)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.stdout.strip().endswith("[]"), r.stdout + r.stderr
