"""certify orbit --tolerance on the command line: exit codes, one-line errors, --json."""
from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from certify.cli import main

EX = Path(__file__).resolve().parents[2] / "examples"


def ex(name: str) -> str:
    return str(EX / f"{name}.json")


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("delta", ["-0.1", "nan", "inf", "abc", "1/0", "0.1,0.2", ""])
def test_bad_tolerance_exit_2_with_one_line(capsys, delta):
    code, out, err = run(capsys, "orbit", ex("D-ID"), ex("D-ID-perturbed"), f"--tolerance={delta}")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "--tolerance" in err and "Traceback" not in err


def test_box_without_tolerance_is_refused(capsys):
    code, _, err = run(capsys, "orbit", ex("D-ID"), ex("D-ID-moved"), "--box=-1:1")
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_json_reports_g_the_exact_distance_and_the_implied_bound(capsys, tmp_path):
    cert = tmp_path / "c.json"
    code, out, _ = run(capsys, "orbit", ex("D-ID"), ex("D-ID-perturbed"), "--tolerance", "1/100", "--box=-1:1",
                       "--json", "--certificate", str(cert))
    obj = json.loads(out)
    assert code == 0 == obj["exit_code"] and obj["verdict"] == "orbit-within" and obj["certified"]
    ev = obj["evidence"]
    d = Fraction(ev["distance"]["exact"])
    assert 0 < d <= Fraction(1, 1000) and abs(float(ev["distance"]["decimal"]) - float(d)) < 1e-9
    assert set(ev["group_element"]) == {"permutations", "scales"}
    assert Fraction(ev["implied"]["bound"]["exact"]) > 0 and "implied" in ev["implied"]["statement"]
    assert run(capsys, "check", str(cert))[0] == 0
    code, out, _ = run(capsys, "orbit", ex("D-ID"), ex("D-ID-perturbed"), "--tolerance", "1/100000")
    assert code == 3 and "best group element found" in out
