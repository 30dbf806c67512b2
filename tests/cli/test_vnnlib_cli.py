"""certify vnnlib: VNN-LIB 2.0 equivalence queries answered as VNN-COMP runs them (issue 13 item 5).

Equal pairs → unsat with a certificate the kernel accepts; planted gaps above ε → sat with a
result file whose point, read back, violates the query exactly; below ε → unsat; the decimal
point keeps enough digits; bad input → exit 2 in one line.
"""
from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certify.cli import main
from certify.commands.vnnlib import verified_point
from certify.io.vnnlib import equivalence_query
from certify.io.vnnlib_query import environment, parse_query, read_query, read_result
from certify.network import Network
from strategies import networks

EX = Path(__file__).resolve().parents[2] / "examples"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def band_query(d0: int, m: int, eps: str, lo: str = "-1.0", hi: str = "1.0") -> str:
    """The isomorphic_acasxu_2026 template for a d0 → m pair."""
    lines = ["(vnnlib-version <2.0>)",
             f"(declare-network f (declare-input X_f real [1,{d0}]) (declare-output Y_f real [1,{m}]))",
             f"(declare-network g (isomorphic-to f) (declare-input X_g real [1,{d0}]) (declare-output Y_g real [1,{m}]))"]
    lines += [f"(assert (and (<= X_f[0,{i}] {hi}) (>= X_f[0,{i}] {lo})))" for i in range(d0)]
    lines += [f"(assert (== X_f[0,{i}] X_g[0,{i}]))" for i in range(d0)]
    lines += ["(assert (or " + " ".join(f"(or (> Y_g[0,{j}] (+ Y_f[0,{j}] {eps})) (< Y_g[0,{j}] (- Y_f[0,{j}] {eps})))"
                                        for j in range(m)) + "))"]
    return "\n".join(lines) + "\n"


def shifted(net: Network, delta: Fraction) -> Network:
    """The same network with every output moved by delta: |f − g| = delta everywhere."""
    last = net.layers[-1]
    return net.replace(layers=list(net.layers[:-1]) + [last._replace(bias=tuple(b + delta for b in last.bias))])


def test_an_equal_pair_is_unsat_with_a_certificate(capsys, tmp_path):
    q = tmp_path / "q.vnnlib"
    q.write_text(equivalence_query(Network.load(EX / "D-ID.json"), Network.load(EX / "D-ID-moved.json"),
                                   ((Fraction(-1), Fraction(1)),) * 2))
    res, cert = tmp_path / "r.txt", tmp_path / "c.json"
    code, out, _ = run(capsys, "vnnlib", q, EX / "D-ID.json", EX / "D-ID-moved.json", "--result", res,
                       "--certificate", cert)
    assert code == 0 and out.splitlines()[0] == "unsat" and res.read_text() == "unsat\n"
    assert run(capsys, "check", cert)[0] == 0


def test_a_planted_gap_above_eps_is_sat_and_the_point_reads_back_as_a_violation(capsys, tmp_path):
    a = Network.load(EX / "S3.json")
    b = shifted(a, Fraction(1, 100))
    a.save(tmp_path / "a.json")
    b.save(tmp_path / "b.json")
    q = tmp_path / "q.vnnlib"
    q.write_text(band_query(1, 1, "0.005"))
    res = tmp_path / "r.txt"
    code, out, _ = run(capsys, "vnnlib", q, "--network", f"f={tmp_path / 'a.json'}", "--network",
                       f"g={tmp_path / 'b.json'}", "--result", res, "--json")
    obj = json.loads(out)
    assert code == 1 and obj["vnnlib"]["result"] == "sat" and obj["certified"] and obj["exit_code"] == 1
    status, values = read_result(res.read_text())
    assert status == "sat" and list(values) == ["X_f[0,0]", "Y_f[0,0]", "X_g[0,0]", "Y_g[0,0]"]
    parsed = read_query(q)
    x = [values["X_f[0,0]"]]
    assert parsed.holds(environment(parsed, x, a(x), b(x)))
    # the same pair with ε above the gap: unsat, in the VNN-COMP instances.csv network field too
    q.write_text(band_query(1, 1, "0.02"))
    field = f"[('f', '{tmp_path / 'a.json'}'), ('g', '{tmp_path / 'b.json'}')]"
    code, out, _ = run(capsys, "vnnlib", q, field, "--result", res)
    assert code == 0 and out.startswith("unsat\n") and res.read_text() == "unsat\n"


@settings(max_examples=8, deadline=None)
@given(networks(max_in=2, max_width=3, max_depth=3), st.sampled_from([1, 3, 7]), st.booleans())
def test_planted_gaps_slightly_above_and_below_eps(tmp_path_factory, net, k, above):
    """|f − g| = δ = k/64 everywhere; ε = δ ∓ 1/1000."""
    folder = tmp_path_factory.mktemp("planted")
    delta = Fraction(k, 64)
    eps = delta - Fraction(1, 1000) if above else delta + Fraction(1, 1000)
    from certify.io.arrays import decimal_text
    q = folder / "q.vnnlib"
    q.write_text(band_query(net.widths[0], net.widths[-1], decimal_text(eps)))
    net.save(folder / "a.json")
    shifted(net, delta).save(folder / "b.json")
    code = main(["vnnlib", str(q), str(folder / "a.json"), str(folder / "b.json"), "--result", str(folder / "r.txt"),
                 "--timeout", "30"])
    status = (folder / "r.txt").read_text().splitlines()[0]
    assert (code, status) in ((1, "sat"), (3, "unknown"), (3, "timeout")) if above else \
        (code, status) in ((0, "unsat"), (3, "unknown"), (3, "timeout"))
    assert code != 3 or not above  # a counterexample is everywhere: always found


def test_the_decimal_point_gets_the_digits_the_violation_needs():
    """f(x) = x, g = 0 on [0, 0.5], violation f − g > 0.333…3 (30 threes); at x = 1/3 the 17- and
    25-digit roundings fall below ε, so the written point needs more digits."""
    f = Network.from_layers([([["1"]], ["0"]), ([["1"]], ["0"])])
    g = Network.from_layers([([["0"]], ["0"]), ([["0"]], ["0"])])
    eps = "0." + "3" * 30
    text = band_query(1, 1, eps, "0.0", "0.5")
    q = parse_query(text, "q.vnnlib")
    x, fy, gy, pairs = verified_point(q, f, g, [Fraction(1, 3)], ((Fraction(0), Fraction(1, 2)),))
    assert x[0] > Fraction(eps) and len(dict(pairs)["X_f[0,0]"]) > 32
    assert q.holds(environment(q, x, fy, gy))


@pytest.mark.parametrize("argv, message", [
    (["vnnlib", "QUERY"], "no file for network f"),
    (["vnnlib", "QUERY", "--network", "h=x.json"], "declares no such network"),
    (["vnnlib", "QUERY", "A", "B", "C"], "3 network file(s) for 2"),
    (["vnnlib", "QUERY", "--network", "f=A", "--network", "g=WIDE"], "network g is 2→"),
    (["vnnlib", "QUERY", "A", "B", "--timeout", "0"], "--timeout"),
])
def test_bad_command_lines_are_one_line_exit_2(capsys, tmp_path, argv, message):
    q = tmp_path / "q.vnnlib"
    q.write_text(band_query(1, 1, "0.05"))
    Network.load(EX / "S3.json").save(tmp_path / "a.json")
    Network.load(EX / "D-ID.json").save(tmp_path / "wide.json")
    subst = {"QUERY": str(q), "A": str(tmp_path / "a.json"), "B": str(tmp_path / "a.json"),
             "C": str(tmp_path / "a.json")}
    argv = [a.replace("WIDE", str(tmp_path / "wide.json")).replace("=A", f"={tmp_path / 'a.json'}")
            for a in (subst.get(a, a) for a in argv)]
    code, out, err = run(capsys, *argv)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    code, out, err = run(capsys, *argv, "--json")
    assert code == 2 and json.loads(out)["exit_code"] == 2


def test_an_unrecognised_relation_names_the_file_line_and_construct(capsys, tmp_path):
    q = tmp_path / "q.vnnlib"
    q.write_text(band_query(1, 1, "0.05").replace("(assert (or (or", "(assert (or (and", 1))
    code, _, err = run(capsys, "vnnlib", q, EX / "S3.json", EX / "S3.json")
    assert code == 2 and f"{q}: line 6: output relation not recognised" in err and "empty" in err


def test_a_query_from_export_finds_its_models(capsys, tmp_path):
    pytest.importorskip("onnx")
    a, b = str(EX / "S7.json"), str(EX / "S7-witness.json")
    assert run(capsys, "export", a, b, "--box", "-1:1", "--vnnlib", tmp_path / "eq.vnnlib", "--onnx-dir",
               tmp_path)[0] == 0
    code, out, _ = run(capsys, "vnnlib", tmp_path / "eq.vnnlib")
    assert code == 0 and out.startswith("unsat\n") and "eq-A.onnx" in out


def test_an_output_the_relation_does_not_mention_is_unconstrained(capsys, tmp_path):
    """g differs from f by 1 on output 1 only; the query bounds output 0 alone: unsat (restricted networks)."""
    f = Network.from_layers([([["1"], ["-1"]], ["0", "0"]), ([["1", "1"], ["1", "-1"]], ["0", "0"])])
    g = Network.from_layers([([["1"], ["-1"]], ["0", "0"]), ([["1", "1"], ["1", "-1"]], ["0", "1"])])
    f.save(tmp_path / "f.json")
    g.save(tmp_path / "g.json")
    text = band_query(1, 2, "0.05").replace(" (or (> Y_g[0,1] (+ Y_f[0,1] 0.05)) (< Y_g[0,1] (- Y_f[0,1] 0.05)))", "")
    (tmp_path / "q.vnnlib").write_text(text)
    cert = tmp_path / "c.json"
    code, out, _ = run(capsys, "vnnlib", tmp_path / "q.vnnlib", tmp_path / "f.json", tmp_path / "g.json",
                       "--json", "--certificate", cert)
    obj = json.loads(out)
    assert code == 0 and obj["vnnlib"]["outputs"] == [0] and obj["vnnlib"]["tolerance"] == ["1/20", None]
    assert "outputs 0 of f and g" in obj["summary"] and run(capsys, "check", cert)[0] == 0
    # with both outputs constrained the gap of 1 on output 1 is found
    (tmp_path / "q2.vnnlib").write_text(band_query(1, 2, "0.05"))
    code, out, _ = run(capsys, "vnnlib", tmp_path / "q2.vnnlib", tmp_path / "f.json", tmp_path / "g.json",
                       "--certificate", cert)
    assert code == 1 and out.startswith("sat\nX_f[0,0]=") and run(capsys, "check", cert)[0] == 0


@pytest.mark.parametrize("op, expected", [(">", (0, "unsat")), (">=", (1, "sat"))])
def test_a_gap_exactly_eps_is_unsat_for_strict_and_sat_for_non_strict_atoms(tmp_path, op, expected):
    """|f − g| = 1/64 everywhere; violation |d| > 1/64 is empty, |d| ≥ 1/64 is everywhere."""
    net = Network.load(EX / "S3.json")
    net.save(tmp_path / "a.json")
    shifted(net, Fraction(1, 64)).save(tmp_path / "b.json")
    text = band_query(1, 1, "0.015625").replace("(> Y_g", f"({op} Y_g").replace("(< Y_g", f"({op.replace('>', '<')} Y_g")
    (tmp_path / "q.vnnlib").write_text(text)
    code = main(["vnnlib", str(tmp_path / "q.vnnlib"), str(tmp_path / "a.json"), str(tmp_path / "b.json"),
                 "--result", str(tmp_path / "r.txt")])
    assert (code, (tmp_path / "r.txt").read_text().splitlines()[0]) == expected
