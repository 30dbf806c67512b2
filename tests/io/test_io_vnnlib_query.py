"""Reading two-network VNN-LIB 2.0 equivalence queries (certify.io.vnnlib_query, issue 13 item 5).

Round trip with the writer (export → read gives the same question), the isomorphic_acasxu_2026
template, the liberal spellings, one-line refusals of everything else, the exact evaluator and
the result-file format.
"""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certify.io.vnnlib import equivalence_query
from certify.io.vnnlib_query import (decimal_point, environment, parse_query, read_result, result_text)
from certify.kernel.exact import InputError
from certify.network import Network
from strategies import networks

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

HEAD = """(vnnlib-version <2.0>)
(declare-network f (declare-input X_f real [1,1,1,2]) (declare-output Y_f real [1,2]))
(declare-network g (isomorphic-to f) (declare-input X_g real [1,1,1,2]) (declare-output Y_g real [1,2]))
(assert (and (<= X_f[0,0,0,0] 0.5) (>= X_f[0,0,0,0] -0.5)))
(assert (and (<= X_f[0,0,0,1] 1.0) (>= X_f[0,0,0,1] 0.0)))
(assert (== X_f[0,0,0,0] X_g[0,0,0,0]))
(assert (== X_f[0,0,0,1] X_g[0,0,0,1]))
"""

ISO = HEAD + """(assert (or
 (or (> Y_g[0,0] (+ Y_f[0,0] 0.05)) (< Y_g[0,0] (- Y_f[0,0] 0.05)))
 (or (> Y_g[0,1] (+ Y_f[0,1] 0.05)) (< Y_g[0,1] (- Y_f[0,1] 0.05)))
))
"""


def test_the_isomorphic_acasxu_template_is_eps_equivalence():
    q = parse_query(ISO, "q.vnnlib")
    assert [d.name for d in q.networks] == ["f", "g"] and q.networks[1].relation == ("isomorphic-to", "f")
    assert q.networks[0].input_shape == (1, 1, 1, 2) and q.networks[0].d_out == 2
    assert q.box == [(Fraction(-1, 2), Fraction(1, 2)), (Fraction(0), Fraction(1))]
    assert q.tolerance == [Fraction(1, 20)] * 2 and q.strict == [True, True] and not q.exact
    assert [n for _, n in q.names()][:3] == ["X_f[0,0,0,0]", "X_f[0,0,0,1]", "Y_f[0,0]"]


@pytest.mark.parametrize("relation, eps, strict", [
    ("(or (> (- Y_f[0,0] Y_g[0,0]) 0.1) (< (- Y_f[0,0] Y_g[0,0]) -0.1) (>= Y_f[0,1] (+ Y_g[0,1] 0.25)) "
     "(<= (* 4.0 Y_f[0,1]) (- (* 4.0 Y_g[0,1]) 1.0)))", [Fraction(1, 10), Fraction(1, 4)], [True, False]),
    ("(or (!= Y_f[0,0] Y_g[0,0]) (not (== Y_g[0,1] Y_f[0,1])))", [0, 0], [True, True]),
    ("(or (< Y_f[0,0] Y_g[0,0]) (> Y_f[0,0] Y_g[0,0]) (< Y_f[0,1] Y_g[0,1]) (> Y_f[0,1] Y_g[0,1]))", [0, 0],
     [True, True]),
    ("(not (and (<= (- Y_g[0,1] Y_f[0,1]) 0.5) (>= (- Y_g[0,1] Y_f[0,1]) -0.5)))", [None, Fraction(1, 2)],
     [True, True]),
])
def test_liberal_spellings_mean_one_band_per_output(relation, eps, strict):
    q = parse_query(HEAD + f"(assert {relation})\n", "q.vnnlib")
    assert q.tolerance == eps and q.strict == strict
    assert q.exact == all(e == 0 for e in eps)


BAD = [
    ("(declare-const X_0 Real)\n", "VNN-LIB 1"),
    ("(assert (or (> Y_g[0,0] (+ Y_f[0,0] 0.05)) (< Y_g[0,0] (- Y_f[0,0] 0.1))))", "not symmetric"),
    ("(assert (> Y_g[0,0] (+ Y_f[0,0] 0.05)))", "one side only"),
    ("(assert (and (> Y_g[0,0] (+ Y_f[0,0] 0.05)) (< Y_g[0,0] (- Y_f[0,0] 0.05))))", "violation set is empty"),
    ("(assert (or (> (* Y_g[0,0] Y_f[0,0]) 1.0) (< Y_f[0,0] 0.0)))", "nonlinear"),
    ("(assert (or (> Y_g[0,0] 1.0) (< Y_f[0,0] 0.0)))", "output relation not recognised"),
    ("(assert (or (> Y_g[0,0] Y_f[0,1]) (< Y_g[0,0] Y_f[0,1])))", "output relation not recognised"),
    ("(assert (or (<= X_f[0,0,0,0] 0.0) (>= X_f[0,0,0,0] 0.2)))\n(assert (!= Y_f[0,0] Y_g[0,0]))", "union of boxes"),
    ("(assert (or (> Y_q[0,0] 1.0)))", "unknown variable"),
    ("(assert (!= Y_f[0,3] Y_g[0,3]))", "out of range"),
    ("(assert (!= Y_f[0] Y_g[0]))", "does not match the shape"),
    ("(assert (> (+ X_f[0,0,0,0] Y_f[0,0]) 0.0))", "relating inputs and outputs"),
    ("(assert (>= Y_f[0,0] Y_g[0,0]))\n(assert (<= Y_f[0,1] Y_g[0,1]))", "conjunction of output constraints"),
    ("(assert (or (>= Y_f[0,0] Y_g[0,0]) (<= Y_f[0,0] Y_g[0,0])))", "holds at every point"),
    ("(assert (> 1.0 2.0))", "false"),
    ("", "no output relation"),
]


@pytest.mark.parametrize("tail, message", BAD, ids=[m for _, m in BAD])
def test_anything_else_is_refused_in_one_line_naming_the_file(tail, message):
    with pytest.raises(InputError) as e:
        parse_query(HEAD + tail + "\n", "q.vnnlib")
    text = str(e.value)
    assert text.startswith("q.vnnlib") and message in text and "\n" not in text


@pytest.mark.parametrize("text, message", [
    ("(vnnlib-version <2.0>)\n(declare-network f (declare-input X real [2]) (declare-output Y real [1]))\n"
     "(assert (<= X[0] 1.0))", "declares 1"),
    ("(declare-network f (declare-input X real [2]) (declare-hidden H real [3] \"h\") (declare-output Y real [1]))",
     "hidden"),
    ("(declare-network f (declare-input X int8 [2]) (declare-output Y real [1]))", "element type"),
    ("(declare-network f (declare-input X real [2]) (declare-input Z real [2]) (declare-output Y real [1]))",
     "exactly one declare-input"),
    ("(vnnlib-version <1.0>)", "VNN-LIB 2"),
    ("(declare-network f (declare-input X real [2]) (declare-output Y real [1]))\n"
     "(declare-network g (declare-input U real [3]) (declare-output V real [1]))", "different interfaces"),
    (HEAD.replace("(assert (== X_f[0,0,0,1] X_g[0,0,0,1]))", "") + "(assert (!= Y_f[0,0] Y_g[0,0]))",
     "not shared"),
])
def test_declarations_certify_does_not_read_are_refused(text, message):
    with pytest.raises(InputError) as e:
        parse_query(text, "q.vnnlib")
    assert message in str(e.value) and str(e.value).startswith("q.vnnlib")


bounds = st.builds(Fraction, st.integers(-50, 50), st.sampled_from([1, 2, 3, 4, 7, 10, 12]))


@settings(max_examples=30, deadline=None)
@given(networks(max_in=3, max_width=3, max_depth=3), st.lists(bounds, min_size=6, max_size=6), st.booleans())
def test_round_trip_export_then_read_is_the_same_question(net, ends, boxed):
    d0 = net.widths[0]
    box = tuple((min(ends[2 * i], ends[2 * i + 1]), max(ends[2 * i], ends[2 * i + 1])) for i in range(d0))
    q = parse_query(equivalence_query(net, net, box if boxed else None), "q.vnnlib")
    assert [d.name for d in q.networks] == ["A", "B"] and q.networks[1].relation == ("isomorphic-to", "A")
    assert q.exact and q.tolerance == [0] * net.widths[-1]
    assert q.box == (list(box) if boxed else [(None, None)] * d0)


@settings(max_examples=30, deadline=None)
@given(st.lists(bounds, min_size=2, max_size=2), st.lists(bounds, min_size=2, max_size=2))
def test_holds_is_the_query_as_written(x, y):
    """The evaluator: inside the box, shared input, and some |f_j − g_j| > 0.05."""
    q = parse_query(ISO, "q.vnnlib")
    x = [v / 100 for v in x]
    fy, gy = [Fraction(0), Fraction(0)], [y[0] / 100, y[1] / 100]
    inside = -Fraction(1, 2) <= x[0] <= Fraction(1, 2) and 0 <= x[1] <= 1
    assert q.holds(environment(q, x, fy, gy)) == (inside and any(abs(v) > Fraction(1, 20) for v in gy))
    env = environment(q, x, fy, gy)
    env[(1, "X", 0)] += 1  # not shared
    assert not q.holds(env)


def test_result_file_format_and_read_back():
    assert result_text("unsat") == "unsat\n" and result_text("timeout") == "timeout\n"
    text = result_text("sat", [("X_f[0]", "0.5"), ("Y_f[0]", "-1.25")])
    assert text == "sat\n((X_f[0] 0.5)\n (Y_f[0] -1.25))\n"
    assert read_result(text) == ("sat", {"X_f[0]": Fraction(1, 2), "Y_f[0]": Fraction(-5, 4)})


@given(st.fractions(min_value=-10 ** 6, max_value=10 ** 6).filter(lambda q: q != 0), st.integers(1, 60))
def test_decimal_point_keeps_the_significant_digits(q, digits):
    d = decimal_point(q, digits)
    assert abs(d - q) <= abs(q) / 10 ** (digits - 1)
    assert (d.denominator & (d.denominator - 1) == 0) or all(p in (2, 5) for p in _primes(d.denominator))


def _primes(n: int) -> set[int]:
    out, p = set(), 2
    while n > 1:
        while n % p == 0:
            out.add(p)
            n //= p
        p += 1
    return out
