"""ε-equivalence (issue 13): planted gaps just above and below ε, zero-gap and equal pairs,
bad tolerances.  Every yes is re-checked by exact sampling (an oracle independent of the
kernel) and every no by an independent forward pass."""
from __future__ import annotations

import json
import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certify import api
from certify.deep import tolerance as engine
from certify.group import orbit as symmetry
from certify.kernel import check
from certify.kernel.exact import InputError
from certify.network import Network
from strategies import direct_eval, random_network

F = Fraction
BOX = ((F(-1), F(1)), (F(-1), F(1)))


def shifted(net: Network, output: int, g: Fraction) -> Network:
    """The network with output ``output`` shifted by g: the gap is exactly |g| everywhere."""
    layers = [(list(map(list, l.weight)), list(l.bias)) for l in net.layers]
    layers[-1][1][output] += g
    return Network.from_layers(layers)


def exact_gaps(a: Network, b: Network, box, rng: random.Random, n: int = 200) -> list[list[Fraction]]:
    out = []
    for _ in range(n):
        x = [lo + (hi - lo) * F(rng.randint(0, 64), 64) for lo, hi in box]
        out.append([abs(p - q) for p, q in zip(direct_eval(a, x), direct_eval(b, x))])
    return out


def assert_sound(ans, a: Network, b: Network, box, eps) -> None:
    """A yes holds at sampled points; a no holds at its point; both carry a kernel-valid certificate."""
    if ans.code == 0:
        assert ans.certified and check(json.loads(json.dumps(ans.certificate))).valid
        for gaps in exact_gaps(a, b, box, random.Random(3)):
            assert all(g <= e for g, e in zip(gaps, eps))
    elif ans.code == 1:
        assert ans.certified
        x = ans.counterexample
        assert all(lo <= v <= hi for v, (lo, hi) in zip(x, box))
        assert any(abs(p - q) > e for p, q, e in zip(direct_eval(a, x), direct_eval(b, x), eps))
    else:
        assert ans.code == 3 and ans.verdict == "unknown"


arch = st.sampled_from([[2, 3, 1], [2, 4, 3, 2], [3, 3, 3, 1]])


@settings(max_examples=20)
@given(arch, st.integers(0, 10 ** 6), st.integers(1, 40), st.integers(1, 999), st.booleans())
def test_planted_gap_slightly_above_and_below_eps(widths, seed, num, per_mille, partition):
    """B = A + g on one output: max gap = g exactly.  ε = g(1 ± δ): no, resp. yes, always decided."""
    rng = random.Random(seed)
    a = random_network(widths, rng)
    g = F(num, 10)
    b = shifted(a, rng.randrange(widths[-1]), g if rng.random() < 0.5 else -g)
    box = tuple(BOX[0] for _ in range(widths[0]))
    delta = F(per_mille, 1000 * 1000)
    old = engine.SMALL_NETWORK
    engine.SMALL_NETWORK = 10 ** 6 if not partition else -1  # region tree, resp. box partition
    try:
        above = api.equivalent(a, b, box=box, tolerance=g * (1 + delta))
        below = api.equivalent(a, b, box=box, tolerance=g * (1 - delta))
    finally:
        engine.SMALL_NETWORK = old
    assert above.code == 0 and above.verdict == "equivalent-within", above.summary
    assert below.code == 1 and below.verdict == "not-equivalent-within", below.summary
    assert_sound(above, a, b, box, [g * (1 + delta)] * widths[-1])
    assert F(below.details["gap"]) == g


@settings(max_examples=15)
@given(arch, st.integers(0, 10 ** 6), st.sampled_from([F(0), F(1, 10 ** 9), F(1, 3), F(7)]), st.booleans())
def test_equal_pairs_at_any_eps(widths, seed, eps, partition):
    a = random_network(widths, random.Random(seed))
    box = tuple(BOX[0] for _ in range(widths[0]))
    old = engine.SMALL_NETWORK
    engine.SMALL_NETWORK = 10 ** 6 if not partition else -1
    try:
        ans = api.equivalent(a, a, box=box, tolerance=eps)
    finally:
        engine.SMALL_NETWORK = old
    assert ans.code == 0 and ans.certified, ans.summary
    assert F(ans.details["gap_lower"]) == 0


@settings(max_examples=15)
@given(arch, st.integers(0, 10 ** 6), st.sampled_from([F(0), F(1, 100), F(2)]))
def test_zero_gap_pairs_permuted_and_rescaled(widths, seed, eps):
    """B = g·A (a permutation and positive rescaling): gap 0; the region tree proves it at any ε ≥ 0."""
    rng = random.Random(seed)
    a = random_network(widths, rng)
    b = symmetry.apply(symmetry.random_element(a, rng), a)
    box = tuple(BOX[0] for _ in range(widths[0]))
    ans = api.equivalent(a, b, box=box, tolerance=eps, timeout=60)
    assert ans.code == 0 and ans.certified, ans.summary


@settings(max_examples=15)
@given(st.integers(0, 10 ** 6), st.sampled_from([F(1, 100), F(1, 10), F(1)]))
def test_random_pairs_never_answer_wrongly(seed, eps):
    """Perturbed copies with unknown gaps: whatever the answer, it is right."""
    rng = random.Random(seed)
    a = random_network([2, 4, 3, 2], rng)
    layers = [(list(map(list, l.weight)), list(l.bias)) for l in a.layers]
    layers[rng.randrange(2)][0][0][0] += F(rng.randint(-5, 5), 50)
    b = Network.from_layers(layers)
    old = engine.SMALL_NETWORK
    engine.SMALL_NETWORK = -1
    try:
        ans = api.equivalent(a, b, box=BOX, tolerance=eps, timeout=30)
    finally:
        engine.SMALL_NETWORK = old
    assert_sound(ans, a, b, BOX, [eps, eps])


def _nudged(widths, seed: int, delta: F) -> tuple[Network, Network]:
    """A random network and its copy with W_0[0][0] moved by ``delta``."""
    a = random_network(widths, random.Random(seed))
    layers = [(list(map(list, l.weight)), list(l.bias)) for l in a.layers]
    layers[0][0][0][0] += delta
    return a, Network.from_layers(layers)


def test_undecided_reports_a_proved_upper_and_a_found_lower_bound():
    """Intervals alone and 50 cells cannot close ε just above the true maximum 12/5: exit 3 with a
    kernel-checked weaker bound U ≥ ε and an exact lower bound L ≤ the true gap."""
    a, b = _nudged([2, 6, 6, 1], 5, F(1, 5))
    box = ((F(-4), F(4)),) * 2
    eps = F(12, 5) + F(1, 10 ** 12)
    old = engine.SMALL_NETWORK, engine.LP_DEPTH
    engine.SMALL_NETWORK, engine.LP_DEPTH = -1, 10 ** 6
    try:
        ans = api.equivalent(a, b, box=box, tolerance=eps, budget=50)
    finally:
        engine.SMALL_NETWORK, engine.LP_DEPTH = old
    assert ans.code == 3 and ans.verdict == "unknown"
    up = max(F(v) for v in ans.details["gap_upper"])
    low = F(ans.details["gap_lower"])
    assert 0 < low <= F(12, 5) and up >= eps
    assert ans.certified and check(json.loads(json.dumps(ans.certificate))).valid
    assert [F(v) for v in ans.certificate["claim"]["tolerance"]] == [F(v) for v in ans.details["gap_upper"]]
    assert "proved max|f_A − f_B| ≤" in ans.summary and "found max|f_A − f_B| ≥" in ans.summary
    # and with region-tree leaves the same question is decided, just above the true maximum
    old = engine.SMALL_NETWORK
    engine.SMALL_NETWORK = -1
    try:
        assert api.equivalent(a, b, box=box, tolerance=eps).code == 0
    finally:
        engine.SMALL_NETWORK = old


@pytest.mark.parametrize("eps", ["-1", "-0.001", "nan", "NaN", "inf", "-inf", "abc", "", "1/0", "0.1,x",
                                 float("nan"), float("inf"), -1, True, "0.1,0.2,0.3"])
def test_bad_tolerances_are_input_errors(eps):
    a = random_network([2, 3, 2], random.Random(1))
    with pytest.raises(InputError) as e:
        api.equivalent(a, a, box=BOX, tolerance=eps)
    assert "--tolerance" in str(e.value)


def test_tolerance_needs_a_box_and_its_own_methods():
    a = random_network([2, 3, 1], random.Random(1))
    with pytest.raises(InputError, match="needs a box"):
        api.equivalent(a, a, tolerance="0.1")
    with pytest.raises(InputError, match="--method"):
        api.equivalent(a, a, box=BOX, tolerance="0.1", method="smt")
    for method in ("tree", "partition"):
        assert api.equivalent(a, a, box=BOX, tolerance="0.1", method=method).code == 0


def test_per_output_tolerances():
    a = random_network([2, 3, 2], random.Random(2))
    b = shifted(a, 1, F(1, 2))
    assert api.equivalent(a, b, box=BOX, tolerance="0,1/2").code == 0
    ans = api.equivalent(a, b, box=BOX, tolerance=[F(1), F(1, 3)])
    assert ans.code == 1 and ans.details["output"] == 1


def test_different_architectures_use_the_region_tree():
    a = random_network([2, 3, 1], random.Random(4))
    layers = [(list(map(list, l.weight)), list(l.bias)) for l in a.layers]
    layers[0][0].append([F(0), F(0)])
    layers[0][1].append(F(-1))  # a dead extra neuron
    layers[1][0][0].append(F(5))
    b = Network.from_layers(layers)
    ans = api.equivalent(a, b, box=BOX, tolerance=0)
    assert ans.code == 0 and ans.certified, ans.summary


def test_a_rejected_certificate_reports_no_upper_bound(monkeypatch):
    # if the kernel rejects the partition (e.g. a multiplier too long to read), the answer is
    # exit 3 and must not claim the tolerance as a proved upper bound (seen on ACAS Xu, issue 13)
    from certify.core import certificate
    from certify.kernel.dispatch import Verdict
    a = random_network([2, 3, 2], random.Random(2))
    b = shifted(a, 1, F(1, 4))

    def reject(cert, deadline=None):
        return cert, Verdict(False, "equivalent-within", "box-partition", "planted rejection"), 0.0
    monkeypatch.setattr(certificate, "finish", reject)
    ans = api.equivalent(a, b, box=BOX, tolerance="1/2")
    assert ans.code == 3 and not ans.certified and "planted rejection" in ans.summary
    assert "gap_upper" not in ans.details and "gap_upper_decimal" not in ans.details


def test_the_kernel_gets_what_is_left_of_the_timeout(monkeypatch):
    """A partition whose check outlasts the kernel's default deadline is still checked when the
    user's --timeout leaves the time (ACAS Xu on the property-1 box needs ~100 s): with a default
    of ~0 s the check fails closed without a timeout, and passes with one."""
    a, b = _nudged([2, 5, 5, 1], 3, F(1, 1000))
    box = ((F(-1), F(1)),) * 2
    monkeypatch.setattr(engine.clock, "BASE_SECONDS", 1e-9)
    monkeypatch.setattr(engine, "SMALL_NETWORK", -1)  # the box partition, not one region tree
    monkeypatch.setattr(engine, "KERNEL_SHARE", 10 ** 12)  # send it whatever the prediction says
    assert api.equivalent(a, b, box=box, tolerance=F(1, 2)).code == 3
    ans = api.equivalent(a, b, box=box, tolerance=F(1, 2), timeout=120)
    assert ans.code == 0 and ans.certified
    assert engine.kernel_seconds(type("P", (), {"deadline": None})()) == 1e-9
