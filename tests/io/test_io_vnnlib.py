"""VNN-LIB 2.0 equivalence queries: accepted by the official parser, and mean what they say.

The meaning is checked with a small evaluator written here (independent of the
writer): the query, read with exact rationals and the networks' exact outputs, holds
at x iff x is in the box and f_A(x) ≠ f_B(x).
"""
from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certify.io import load_any
from certify.io.vnnlib import equivalence_query, write_equivalence_query
from certify.network import Network
from strategies import direct_eval, networks

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _parse(text: str):
    text = re.sub(r";[^\n]*", "", text)
    tokens = re.findall(r"\(|\)|[^\s()]+", text)
    pos = 0

    def expr():
        nonlocal pos
        tok = tokens[pos]
        pos += 1
        if tok != "(":
            return tok
        out = []
        while tokens[pos] != ")":
            out.append(expr())
        pos += 1
        return out

    forms = []
    while pos < len(tokens):
        forms.append(expr())
    return forms


def _holds(query: str, a: Network, b: Network, xa: list[Fraction], xb: list[Fraction]) -> bool:
    """Evaluate every assertion with the given inputs (exact outputs from an independent forward pass)."""
    forms = _parse(query)
    assert forms[0] == ["vnnlib-version", "<2.0>"]
    decls = [f for f in forms if f[0] == "declare-network"]
    env = {}
    for decl, net, x in zip(decls, (a, b), (xa, xb)):
        ins = [d for d in decl if isinstance(d, list) and d[0] == "declare-input"]
        outs = [d for d in decl if isinstance(d, list) and d[0] == "declare-output"]
        assert len(ins) == len(outs) == 1 and ins[0][2] == outs[0][2] == "real"
        env[ins[0][1]] = x
        env[outs[0][1]] = direct_eval(net, x)

    def value(e):
        if isinstance(e, str):
            m = re.fullmatch(r"([A-Za-z]\w*)\[0,(\d+)\]", e)
            if m:
                return env[m.group(1)][int(m.group(2))]
            assert re.fullmatch(r"-?\d+\.\d+", e), f"not a VNN-LIB real literal: {e}"
            return Fraction(e)
        op, *args = e
        vals = [value(v) for v in args]
        if op == "*":
            out = Fraction(1)
            for v in vals:
                out *= v
            return out
        if op == "+":
            return sum(vals, Fraction(0))
        if op == "-":
            return -vals[0] if len(vals) == 1 else vals[0] - sum(vals[1:], Fraction(0))
        raise AssertionError(op)

    def truth(e):
        op, *args = e
        if op == "and":
            return all(truth(v) for v in args)
        if op == "or":
            return any(truth(v) for v in args)
        lhs, rhs = (value(v) for v in args)
        return {"<=": lhs <= rhs, ">=": lhs >= rhs, "<": lhs < rhs, ">": lhs > rhs, "==": lhs == rhs,
                "!=": lhs != rhs}[op]

    return all(truth(f[1]) for f in forms if f[0] == "assert")


def test_official_parser_accepts_the_query():
    vnnlib = pytest.importorskip("vnnlib")
    a, b = Network.load(EXAMPLES / "D-FLIP.json"), Network.load(EXAMPLES / "D-FLIP-witness.json")
    box = ((Fraction(-1, 3), Fraction(5, 2)), (Fraction(-7), Fraction(1, 8)))
    query = vnnlib.parse_query_string(equivalence_query(a, b, box))
    assert len(query.networks) == 2
    assert "isomorphic-to A" in str(query)
    # different architectures: no isomorphic-to (it would claim identical graph structure)
    c = Network.from_layers([([["1", "0"], ["0", "1"], ["1", "1"]], ["0", "0", "0"]), ([["1", "1", "1"]], ["0"])])
    text = equivalence_query(a, c, None)
    vnnlib.parse_query_string(text)
    assert "isomorphic-to" not in text


def test_semantics_on_a_witness_pair_and_a_counterexample():
    a, b = Network.load(EXAMPLES / "S3.json"), Network.load(EXAMPLES / "S3-witness.json")
    box = ((Fraction(-1, 3), Fraction(5, 2)),)
    query = equivalence_query(a, b, box)
    for x in (Fraction(-1, 3), Fraction(0), Fraction(1, 7), Fraction(5, 2)):
        assert not _holds(query, a, b, [x], [x])     # equivalent: "outputs differ" is false
    shifted = a.replace(layers=[a.layers[0], a.layers[1]._replace(bias=(Fraction(1, 100),))])
    q2 = equivalence_query(a, shifted, box)
    assert _holds(q2, a, shifted, [Fraction(1, 7)], [Fraction(1, 7)])  # a real counterexample satisfies it
    assert not _holds(q2, a, shifted, [Fraction(1, 7)], [Fraction(1, 6)])  # inputs must be shared
    assert not _holds(q2, a, shifted, [Fraction(-1, 2)], [Fraction(-1, 2)])  # outside the box (lo = -1/3)
    assert not _holds(q2, a, shifted, [Fraction(11, 4)], [Fraction(11, 4)])  # outside the box (hi = 5/2)


bounds = st.builds(Fraction, st.integers(-50, 50), st.sampled_from([1, 2, 3, 4, 7, 10, 12]))


@settings(max_examples=30)
@given(networks(max_in=2, max_width=3, max_depth=3), st.lists(bounds, min_size=4, max_size=4),
       st.lists(bounds, min_size=2, max_size=2))
def test_box_constraints_are_exactly_the_box(net, ends, point):
    d0 = net.widths[0]
    box = tuple((min(ends[2 * i], ends[2 * i + 1]), max(ends[2 * i], ends[2 * i + 1])) for i in range(d0))
    other = net.replace(layers=list(net.layers[:-1]) + [net.layers[-1]._replace(
        bias=tuple(v + 1 for v in net.layers[-1].bias))])  # differs everywhere by 1
    query = equivalence_query(net, other, box)
    x = point[:d0]
    inside = all(lo <= v <= hi for v, (lo, hi) in zip(x, box))
    assert _holds(query, net, other, x, x) == inside


def test_write_with_onnx_models(tmp_path):
    pytest.importorskip("onnx")
    a, b = Network.load(EXAMPLES / "S3.json"), Network.load(EXAMPLES / "S3-witness.json")
    reports = write_equivalence_query(a, b, None, tmp_path / "q.vnnlib",
                                      onnx_paths=(str(tmp_path / "a.onnx"), str(tmp_path / "b.onnx")))
    assert reports == []
    text = (tmp_path / "q.vnnlib").read_text()
    assert "a.onnx" in text and "b.onnx" in text and "(vnnlib-version <2.0>)" in text
    assert load_any(tmp_path / "b.onnx").layers == b.layers


def test_export_command_writes_the_query_next_to_the_other_encodings(tmp_path, capsys):
    pytest.importorskip("onnx")
    from certify.cli import main
    a, b = str(EXAMPLES / "S7.json"), str(EXAMPLES / "S7-witness.json")
    assert main(["export", a, b, "--vnnlib", str(tmp_path / "eq.vnnlib"), "--onnx-dir", str(tmp_path),
                 "--smt2", str(tmp_path / "eq.smt2")]) == 0
    text = (tmp_path / "eq.vnnlib").read_text()
    assert "eq-A.onnx" in text and "isomorphic-to A" in text
    assert load_any(tmp_path / "eq-B.onnx").layers == Network.load(b).layers
    # a VNN-LIB query compares two networks; one alone is a one-line usage error
    assert main(["export", a, "--vnnlib", str(tmp_path / "one.vnnlib")]) == 2
    assert "--vnnlib" in capsys.readouterr().err and not (tmp_path / "one.vnnlib").exists()
