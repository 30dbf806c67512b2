"""The command line contract (DESIGN.md): exit codes, --json, certificates, check, demo."""
from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from certify.cli import main

EX = Path(__file__).resolve().parents[2] / "examples"
MANIFEST = json.loads((EX / "manifest.json").read_text())


def ex(name: str) -> str:
    return str(EX / f"{name}.json")


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


SHALLOW_PAIRS = [p for p in MANIFEST["pairs"] if p["A"].startswith("S")]


@pytest.mark.parametrize("pair", SHALLOW_PAIRS, ids=[f"{p['A']}-{p['B']}" for p in SHALLOW_PAIRS])
def test_equiv_on_shallow_examples(capsys, tmp_path, pair):
    cert = tmp_path / "c.json"
    code, out, _ = run(capsys, "equiv", ex(pair["A"]), ex(pair["B"]), "--json", "--certificate", str(cert))
    obj = json.loads(out)
    assert code == pair["equiv"] == obj["exit_code"]
    assert obj["certified"] is True and obj["theorem"]
    assert run(capsys, "check", str(cert))[0] == 0


def test_orbit_prints_the_group_element(capsys, tmp_path):
    out_file = tmp_path / "g.json"
    code, out, _ = run(capsys, "orbit", ex("D-ID"), ex("D-ID-moved"), "--certificate", str(out_file))
    assert code == 0 and "hidden layer 0:" in out and "×" in out
    cert = json.loads(out_file.read_text())
    assert cert["kind"] == "orbit" and cert["claim"]["statement"] == "in-orbit"
    code, out, _ = run(capsys, "orbit", ex("S3"), ex("S3-witness"), "--json")
    assert code == 1 and json.loads(out)["verdict"] == "not-in-orbit"


def test_json_output_is_exactly_one_object(capsys):
    code, out, err = run(capsys, "equiv", ex("S6"), ex("S7"), "--json")
    assert code == 1
    obj = json.loads(out)  # raises if there is anything else on stdout
    assert obj["verdict"] == "not-equivalent" and len(obj["evidence"]["x"]) == 2


def test_undecided_is_exit_3_and_writes_nothing(capsys, tmp_path):
    # deep pair outside the orbit, decided only by a complete method; 'orbit' alone must not guess
    cert = tmp_path / "c.json"
    code, out, err = run(capsys, "equiv", ex("D-FLIP"), ex("D-FLIP-witness"), "--method", "orbit",
                         "--certificate", str(cert))
    assert code == 3 and not cert.exists() and "not certified" in err


def test_box_flag_changes_the_question(capsys):
    assert run(capsys, "equiv", ex("S3"), ex("S12-constant"), "--box=2:5")[0] == 0
    assert run(capsys, "equiv", ex("S3"), ex("S12-constant"), "--box=0:5")[0] == 1


def test_check_directories_invalid_and_unreadable(capsys, tmp_path):
    good = tmp_path / "corpus" / "sub"
    good.mkdir(parents=True)
    assert run(capsys, "equiv", ex("S7"), ex("S7-witness"), "--certificate", str(good / "a.json"))[0] == 0
    assert run(capsys, "orbit", ex("D-ID"), ex("D-ID-moved"), "--certificate", str(good / "b.json"))[0] == 0
    code, out, _ = run(capsys, "check", str(tmp_path / "corpus"))
    assert code == 0 and "2 valid" in out
    bad = json.loads((good / "a.json").read_text())
    bad["claim"]["networks"]["B"]["layers"][1]["bias"][0] = "7"
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    code, out, _ = run(capsys, "check", str(tmp_path / "corpus"), str(tmp_path / "bad.json"))
    assert code == 1 and "INVALID" in out and "bad.json" in out
    (tmp_path / "broken.json").write_text("{")
    code, _, err = run(capsys, "check", str(good), str(tmp_path / "broken.json"))
    assert code == 2 and "UNREADABLE" in err
    assert run(capsys, "check", str(tmp_path / "nothing.json"))[0] == 2


def test_certificate_is_written_atomically(capsys, tmp_path):
    target = tmp_path / "c.json"
    target.write_text("old")
    assert run(capsys, "equiv", ex("S8"), ex("S8-witness"), "--certificate", str(target))[0] == 0
    assert json.loads(target.read_text())["kind"] == "equivalent"
    assert [p.name for p in tmp_path.iterdir()] == ["c.json"]  # no temporary files left


def test_demo_runs_and_matches_the_manifest(capsys, tmp_path):
    code, out, _ = run(capsys, "demo", "--out", str(tmp_path / "demo"), "--only", "equiv,orbit")
    assert code == 0, out
    assert "contradicting the manifest" in out and " 0 contradicting" in out
    assert run(capsys, "check", str(tmp_path / "demo"))[0] == 0


def test_version(capsys):
    assert main(["--version"]) == 0 and "certify 0." in capsys.readouterr().out


def test_missing_command_is_usage_error(capsys):
    assert main([]) == 2


# --------------------------------------------------------------------------- --tolerance (issue 13)

@pytest.mark.parametrize("eps", ["-0.1", "nan", "inf", "abc", "1/0", "0.1,0.2,0.3", ""])
def test_equiv_tolerance_bad_values_exit_2_with_one_line(capsys, eps):
    code, out, err = run(capsys, "equiv", ex("D-ID"), ex("D-ID-perturbed"), "--box=-1:1", f"--tolerance={eps}")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "--tolerance" in err and "Traceback" not in err


def test_equiv_tolerance_needs_a_box(capsys):
    code, _, err = run(capsys, "equiv", ex("D-ID"), ex("D-ID-perturbed"), "--tolerance", "0.1")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "needs a box" in err


def test_equiv_tolerance_json_reports_the_gap(capsys, tmp_path):
    cert, cex = tmp_path / "c.json", tmp_path / "x.json"
    code, out, _ = run(capsys, "equiv", ex("D-ID"), ex("D-ID-perturbed"), "--box=-1:1", "--tolerance", "0.01",
                       "--json", "--certificate", str(cert), "--counterexample", str(cex))
    obj = json.loads(out)
    assert code == 1 == obj["exit_code"] and obj["verdict"] == "not-equivalent-within" and obj["certified"]
    ev = obj["evidence"]
    assert abs(ev["gap_decimal"] - float(Fraction(ev["gap"]))) < 1e-12 and Fraction(ev["gap"]) > Fraction(1, 100)
    assert run(capsys, "check", str(cert))[0] == 0 and json.loads(cex.read_text())["x"] == ev["x"]
    code, out, _ = run(capsys, "equiv", ex("D-ID"), ex("D-ID-perturbed"), "--box=-1:1", "--tolerance", "0.05")
    assert code == 0 and "equivalent within 1/20 ≈ 0.05" in out and "gap found ≥" in out
