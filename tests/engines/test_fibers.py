"""The shallow fiber as explicit families (theory.md §3.3, docs/fibers.md), against planted structure.

Planted answers: a generic point has fiber G·θ (dim n); a silent neuron adds d (its row is
free), a constant neuron adds m, twins add m, a linear unit adds 1 (its offset).  Where DF
has locally constant rank along the fiber (generic points of these strata; twins only for
m ≥ 2 with independent outputs) the stratum dimension equals N − rank DF_X; everywhere it
is at most N − rank DF_X (the tangent of the fiber lies in ker DF).  Every sample point's
certificate must pass the kernel again and the sample must compute the same function.
"""
from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import certify
from certify.kernel.honest import decide as decision
from certify.network import Network
from certify.shallow import fibers

NONZERO = st.integers(-4, 4).filter(bool)


@st.composite
def generic(draw, d=None, m=None, n=None):
    """A shallow network in U_0 (distinct hyperplanes, no zero flip sum), integer entries."""
    d = draw(st.integers(1, 2)) if d is None else d
    m = draw(st.integers(1, 2)) if m is None else m
    n = draw(st.integers(2, 3)) if n is None else n
    W = [[draw(NONZERO) for _ in range(d)] for _ in range(n)]
    b = [draw(st.integers(-3, 3)) for _ in range(n)]
    A = [[draw(NONZERO) for _ in range(n)] for _ in range(m)]
    c = [draw(st.integers(-2, 2)) for _ in range(m)]
    net = Network.from_layers([(W, b), (A, c)])
    data = decision(net.net)
    if not data["U0"]:
        from hypothesis import assume
        assume(False)
    return net


def _edit(net: Network, W=None, b=None, A=None) -> Network:
    (W0, b0), (A0, c0) = [(list(map(list, l.weight)), list(l.bias)) for l in net.layers]
    return Network.from_layers([(W or W0, b or b0), (A or A0, c0)])


def _fdim(net: Network) -> int | None:
    ans = certify.functional_dimension(net, seed=1)
    return ans.details.get("dimension") if ans.code == 0 else None


def _samples_check(net: Network, fib: fibers.Fiber) -> None:
    rng = random.Random(0)
    for c in fib.components:
        if c.type == "orbit":
            assert c.sample is None and c.dim == fib.orbit_dim
            continue
        assert c.sample is not None and c.valid, c.type
        assert certify.check(c.certificate).valid
        assert c.certificate["claim"]["networks"]["A"]["layers"] == net.to_json()["layers"]
        for _ in range(5):
            x = [Fraction(rng.randint(-20, 20), rng.randint(1, 5)) for _ in range(net.widths[0])]
            assert net(x) == c.sample(x)
    assert not fib.dropped


@settings(max_examples=15)
@given(generic())
def test_generic_fiber_is_the_orbit(net):
    fib = certify.fiber(net)
    n = net.widths[1]
    assert fib.orbit_dim == fib.local_dim == n
    assert {c.type for c in fib.components} <= {"orbit", "flip"}  # U_0: no zero flip sum, so only the orbit
    assert [c.type for c in fib.components] == ["orbit"]
    assert fib.dim == n == net.N - _fdim(net)


@settings(max_examples=12)
@given(generic(), st.data())
def test_planted_silent_neuron(net, data):
    d, n, m = net.widths
    i = data.draw(st.integers(0, n - 1))
    A = [list(r) for r in net.layers[1].weight]
    for r in A:
        r[i] = 0
    planted = _edit(net, A=A)
    fib = certify.fiber(planted)
    assert fib.local_dim == n + d
    assert fib.local_dim == planted.N - _fdim(planted)
    types = {c.type: c for c in fib.components}
    assert types["free-row"].dim == n + d and types["free-row"].neurons == (i,)
    assert "constant-slot" in types and "stratum" in types
    _samples_check(planted, fib)


@settings(max_examples=12)
@given(generic(), st.data())
def test_planted_constant_neuron(net, data):
    d, n, m = net.widths
    i = data.draw(st.integers(0, n - 1))
    W = [list(r) for r in net.layers[0].weight]
    b = list(net.layers[0].bias)
    W[i] = [0] * d
    b[i] = data.draw(st.integers(1, 3))
    planted = _edit(net, W=W, b=b)
    fib = certify.fiber(planted)
    assert fib.local_dim == n + m
    assert fib.local_dim == planted.N - _fdim(planted)
    types = {c.type for c in fib.components}
    assert {"constant", "silence"} <= types
    _samples_check(planted, fib)


@settings(max_examples=12)
@given(generic(m=2), st.data())
def test_planted_twins(net, data):
    """Neuron 1 on the ray of neuron 0: the twin split adds m; a merge is another stratum."""
    d, n, m = net.widths
    lam = data.draw(st.integers(1, 3))
    W = [list(r) for r in net.layers[0].weight]
    b = list(net.layers[0].bias)
    W[1], b[1] = [lam * x for x in W[0]], lam * b[0]
    planted = _edit(net, W=W, b=b)
    data_ = decision(planted.net)
    fib = certify.fiber(planted)
    types = {c.type: c for c in fib.components}
    assert types["twins"].neurons == (0, 1) and "merge" in types
    cols = [[r[0] for r in planted.layers[1].weight], [r[1] for r in planted.layers[1].weight]]
    independent = cols[0][0] * cols[1][1] != cols[0][1] * cols[1][0]
    alpha = any(lam * x + y for x, y in zip(cols[1], cols[0]))
    if alpha and n == 2:
        assert fib.local_dim == n + m
        if independent:
            assert fib.local_dim == planted.N - _fdim(planted)
    assert data_["sigma"] is False
    _samples_check(planted, fib)


def test_twins_scalar_output_is_below_the_kernel_of_DF():
    """m = 1 twins: the stratum has dim n + 1 but DF loses more rank (not a generic point of DF)."""
    net = Network.from_layers([([[1], [2]], [0, 0]), ([[1, 3]], [0])])
    fib = certify.fiber(net)
    assert fib.local_dim == 3 < net.N - _fdim(net) == 4


def test_planted_flip_and_slide():
    flip = Network.from_layers([([[1], [1]], [0, 1]), ([[1, -1]], [0])])
    fib = certify.fiber(flip)
    assert [c.type for c in fib.components] == ["orbit", "flip"] and fib.dim == 2
    _samples_check(flip, fib)
    unit = Network.from_layers([([[1], [-1]], [0, 0]), ([[1, -1]], [0])])  # σ(x) − σ(−x) = x
    fib = certify.fiber(unit)
    assert {c.type for c in fib.components} == {"orbit", "stratum", "slide"} and fib.dim == 3
    assert fib.dim == unit.N - _fdim(unit)
    _samples_check(unit, fib)


def test_abs_flip_lands_in_the_orbit():
    """|x| = σ(x) + σ(−x): the double flip is a permutation — no new family, nothing dropped."""
    fib = certify.fiber(Network.from_layers([([[1], [-1]], [0, 0]), ([[1, 1]], [0])]))
    assert [c.type for c in fib.components] == ["orbit"] and fib.in_orbit and not fib.dropped


def test_two_pairs_move():
    """theory.md §3.6: 2σ(x_1)+σ(−x_1)+3σ(x_2)−5σ(−x_2) has a (C6) move with a new linear unit."""
    net = Network.from_layers([([[1, 0], [-1, 0], [0, 1], [0, -1]], [0, 0, 0, 0]), ([[2, 1, 3, -5]], [0])])
    fib = certify.fiber(net)
    moves = [c for c in fib.components if c.type == "move"]
    assert moves and moves[0].dim == 5 > fib.orbit_dim == fib.local_dim == 4
    _samples_check(net, fib)


@settings(max_examples=15)
@given(generic(), st.data())
def test_stratum_never_exceeds_the_kernel_of_DF(net, data):
    """Any planted mix: dim of the fiber near θ ≤ N − rank DF_X(θ)."""
    d, n, m = net.widths
    W = [list(r) for r in net.layers[0].weight]
    A = [list(r) for r in net.layers[1].weight]
    for i in range(n):
        what = data.draw(st.sampled_from(["keep", "silent", "twin"]))
        if what == "silent":
            for r in A:
                r[i] = 0
        elif what == "twin" and i:
            W[i] = [2 * x for x in W[0]]
    planted = Network.from_layers([(W, [0] * n), (A, [0] * m)])
    fdim = _fdim(planted)
    fib = certify.fiber(planted)
    if fdim is not None:
        assert fib.local_dim <= planted.N - fdim
    _samples_check(planted, fib)


def test_deep_network_is_refused():
    deep = Network.from_layers([([[1]], [0]), ([[1]], [0]), ([[1]], [0])])
    from certify.kernel.exact import InputError
    with pytest.raises(InputError, match="one hidden layer only"):
        certify.fiber(deep)


def test_family_records_are_certified():
    recs = certify.fiber_family("pair", [-1, Fraction(-1, 2), 0, 1])
    assert [(r["fiber_dim"], r["honesty"]) for r in recs] == [(3, "not-sigma"), (2, "int-sigma"), (3, "not-sigma"),
                                                               (2, "sigma")]
    for r in recs:
        assert r["certified"] and certify.check(r["honest_certificate"]).valid
        for c in r["components"]:
            if "certificate" in c:
                assert certify.check(c["certificate"]).valid
    assert fibers.family_grid("pair", Fraction(-2), Fraction(2), 3) == [-2, -1, 0, 1, 2]


@st.composite
def planted(draw):
    """Small 1-d or 2-d networks with coincidences: shared/opposite rows, zero outputs, zero rows."""
    d, n, m = draw(st.integers(1, 2)), draw(st.integers(2, 4)), draw(st.integers(1, 2))
    rows = []
    for i in range(n):
        how = draw(st.sampled_from(["new", "new", "copy", "opposite", "zero"])) if rows else "new"
        if how == "new":
            rows.append(([draw(NONZERO) for _ in range(d)], draw(st.integers(-2, 2))))
        elif how == "zero":
            rows.append(([0] * d, draw(st.integers(-2, 2))))
        else:
            w, b = rows[draw(st.integers(0, len(rows) - 1))]
            s = draw(st.integers(1, 2)) * (1 if how == "copy" else -1)
            rows.append(([s * x for x in w], s * b))
    A = [[draw(st.integers(-3, 3)) for _ in range(n)] for _ in range(m)]
    return Network.from_layers([([w for w, _ in rows], [b for _, b in rows]), (A, [0] * m)])


@settings(max_examples=40)
@given(planted())
def test_sigma_iff_the_fiber_is_the_orbit(net):
    """Theorem 3.3: θ ∈ Σ ⟺ no family outside G·θ; each listed family is certified."""
    data = decision(net.net)
    fib = certify.fiber(net)
    assert not fib.dropped
    others = [c for c in fib.components if c.type != "orbit"]
    if data["sigma"] is True:
        assert not others and fib.dim == fib.orbit_dim
    elif data["sigma"] is False:
        assert others
    _samples_check(net, fib)


def test_the_rank_upper_bound_closes_the_linear_unit_count_only_where_it_meets_it():
    """Three linear units on R: the stratum formula alone is only a lower bound (the units may
    rotate), but it equals N − rank DF_X (the kernel-checked upper bound on the fiber's local
    dimension), so the dimension is exact.  Four neurons on one hyperplane: 7 < 9, stays a bound."""
    three = Network.from_layers([([[1], [-1], [1], [-1], [1], [-1]], [0, 0, 1, -1, 2, -2]),
                                 ([[1, -1, 1, -1, 1, -1]], [0])])
    assert fibers.stratum_dimension(three) == (11, False)
    fib = fibers.describe(three)
    assert (fib.local_dim, fib.local_exact) == (11, True) and three.N - _fdim(three) == 11
    four = Network.from_layers([([[1], [-1], [2], [-2]], [0, 0, 0, 0]), ([[1, -1, 1, -1]], [0])])
    fib = fibers.describe(four)
    assert (fib.local_dim, fib.local_exact) == (7, False) and four.N - _fdim(four) == 9
    assert not fibers.closed_by_rank(four, 7)
