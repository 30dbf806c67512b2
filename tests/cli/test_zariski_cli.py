"""certify zariski D-N-M and certify honest NET --explain (theory.md §3.4–3.6)."""
from __future__ import annotations

import json
import random
from fractions import Fraction
from pathlib import Path

import pytest

from certify.cli import main
from certify.shallow import agreement, zariski

EX = Path(__file__).resolve().parents[2] / "examples"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_zariski_text_latex_json(capsys):
    code, text, _ = run(capsys, "zariski", "2-3-1")
    assert code == 0
    assert "== raw coordinates" in text and "== invariant coordinates" in text
    assert "O[0,0][0,1] [§3.6] negative: w_{0,0}*w_{1,0} + w_{0,1}*w_{1,1}" in text
    code, tex, _ = run(capsys, "zariski", "2-3-1", "--format", "latex")
    assert code == 0 and "\\begin{align*}" in tex and "\\gamma_{0,0}" in tex and "\\neq 0" in tex
    code, out, _ = run(capsys, "zariski", "2-3-1", "--json")
    obj = json.loads(out)
    assert obj["exit_code"] == 0 and obj["architecture"] == "2-3-1" and obj["complete"] is True
    assert set(obj["charts"]) == {"raw", "invariant"}
    raw = obj["charts"]["raw"]
    assert raw["counts"]["U1_strata"] == 3 and len(raw["U0"]) == 6 + 3 + 7
    assert run(capsys, "zariski", "2-3-1", "--format", "json")[1] == out


def test_json_terms_are_the_polynomials(capsys):
    """The exact terms in the JSON evaluate like the ring's polynomials at a random point."""
    code, out, _ = run(capsys, "zariski", "2-3-2", "--json", "--chart", "raw")
    obj = json.loads(out)
    assert code == 0 and set(obj["charts"]) == {"raw"}
    hs = zariski.honest_set(2, 3, 2)
    rng = random.Random(3)
    point = [Fraction(rng.randint(-5, 5), rng.randint(1, 4)) for _ in hs.raw.symbols]
    for item in obj["charts"]["raw"]["conditions"]:
        ring_polys = hs.raw.conditions[item["name"]].components
        for terms, poly in zip(item["terms"], ring_polys, strict=True):
            total = Fraction(0)
            for coeff, factors in terms:
                term = Fraction(coeff)
                for k, e in factors:
                    term *= point[k] ** e
                total += term
            assert total == zariski.value(poly, point)


@pytest.mark.parametrize("bad", ["2-3", "x-3-1", "0-3-1", "2-9-1"])
def test_bad_architecture_is_one_line_exit_2(capsys, bad):
    code, out, err = run(capsys, "zariski", bad)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "architecture" in err
    code, out, err = run(capsys, "zariski", bad, "--json")
    assert code == 2 and json.loads(out)["exit_code"] == 2


def test_honest_explain_on_the_seed_example(capsys):
    """S1 is in Σ but not int Σ: on the stratum of its pair, (a) vanishes."""
    code, out, _ = run(capsys, "honest", str(EX / "S1.json"), "--explain")
    assert code == 1
    assert "zariski:  raw coordinates: θ ∈ U_0: no; θ ∈ U_1: no (U_1[0,0][0,1] no)" in out
    assert "vanish: D[0,0][0,1] S{[0,0],[0,1]}" in out
    code, out, _ = run(capsys, "honest", str(EX / "S1.json"), "--explain", "--json")
    z = json.loads(out)["evidence"]["zariski"]
    assert z["raw"]["vanish"] == ["D[0,0][0,1]", "S{[0,0],[0,1]}"]
    assert z["invariant"]["vanish"] == ["D-[0,0][0,1]", "S{[0,0],[0,1]}"]
    assert "O[0,0][0,1]" in z["raw"]["hold"]


def test_honest_explain_agrees_in_U1(capsys, tmp_path):
    """θ_{p,q} = 2σ(x) + 3σ(−x) (Theorem 3.5): honest, in U_1 but not in U_0."""
    net = agreement.network_of({"W": [[1], [-1]], "b": [0, 0], "A": [[2], [3]], "c": [0]})
    path = tmp_path / "pq.json"
    net.save(path)
    code, out, _ = run(capsys, "honest", str(path), "--explain", "--json")
    obj = json.loads(out)
    assert code == 0 and obj["evidence"]["int_sigma"] is True
    for chart in ("raw", "invariant"):
        z = obj["evidence"]["zariski"][chart]
        assert z["U0"] is False and z["U1"] is True and z["strata"] == [{"pair": [[0, 0], [0, 1]], "member": True}]


def test_honest_explain_on_a_deep_network(capsys):
    code, out, _ = run(capsys, "honest", str(EX / "D-ID.json"), "--explain")
    assert "zariski:  not evaluated: the polynomial description is for one hidden layer" in out


def test_api_zariski_spellings():
    import certify
    from certify.kernel.exact import InputError
    a, b = certify.zariski("2-2-1"), certify.zariski((2, 2, 1))
    assert a.architecture == b.architecture == "2-2-1" and list(a.raw.conditions) == list(b.raw.conditions)
    for bad in [(2, 2), (2, "2", 1), (True, 2, 1), "2x2x1"]:
        with pytest.raises(InputError):
            certify.zariski(bad)
