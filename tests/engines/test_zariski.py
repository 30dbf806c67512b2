"""The shallow honest set as polynomials (certify.shallow.zariski) against the exact decision.

What a wrong implementation would break:
* the polynomials themselves (fixed formulas for 1-2-1, counts for every d-n-m);
* their meaning: every condition's truth value is invariant under the scaling group, and
  the ℓ¹-normalised evaluation of the invariant chart has the vanishing pattern of the
  sphere model (checked with exact square roots);
* the Zariski claims (theory.md §3.4–3.6): on random points and on points built to make
  each condition vanish in turn, the implications (I1)–(I6) of ``agreement`` hold;
* that the measurement can fail: dropping any family of conditions is detected.
"""
from __future__ import annotations

import dataclasses
import random
from fractions import Fraction
from math import comb

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certify.shallow import agreement, zariski
from certify.shallow.zariski import EQ, NEG, NEQ, evaluate, honest_set, values_of

ARCHS = [(1, 2, 1), (1, 3, 1), (2, 2, 1), (2, 3, 1), (2, 4, 1), (1, 2, 2), (2, 3, 2), (3, 3, 1), (3, 4, 2)]
_CACHE: dict = {}


def described(arch):
    if arch not in _CACHE:
        _CACHE[arch] = (honest_set(*arch), agreement.targets(*arch))
    return _CACHE[arch]


# --------------------------------------------------------------------------- the polynomials

def test_1_2_1_raw_polynomials_are_the_theory_s():
    hs = honest_set(1, 2, 1)
    c = hs.raw.conditions
    assert zariski.text_of(c["D[0,0][0,1]"].components[0]) == "w_{0,0}*b_{1} - b_{0}*w_{1,0}"
    assert zariski.text_of(c["S{[0,0],[0,1]}"].components[0]) == "w_{0,0}*v_{0,0} + w_{1,0}*v_{0,1}"
    assert zariski.text_of(c["O[0,0][0,1]"].components[0]) == "w_{0,0}*w_{1,0}"
    assert zariski.text_of(c["b[0,0][0,1]"].components[0]) == "w_{0,0}*v_{0,0} - w_{1,0}*v_{0,1}"
    assert [n for n, x in c.items() if x.relation == NEG] == ["O[0,0][0,1]"]
    assert [n for n, x in c.items() if x.relation == EQ] == ["E[0,0][0,1]"]
    inv = hs.invariant
    assert not any(x.relation == NEG for x in inv.conditions.values())  # the quotient needs no sign
    assert [zariski.text_of(p) for p in inv.conditions["E[0,0][0,1]"].components] == \
        ["u_{0,0} + u_{1,0}", "u_{0,1} + u_{1,1}"]
    assert zariski.text_of(inv.ambient[0].components[0]) == "u_{0,0}**2 + u_{0,1}**2 - 1"
    assert inv.conditions["b[0,0][0,1]"].components[0] == inv.ring.gens[4] + inv.ring.gens[5]


@pytest.mark.parametrize("arch", ARCHS + [(3, 6, 3)])
def test_counts(arch):
    d, n, m = arch
    hs = honest_set(*arch)
    pairs = comb(n, 2)
    assert len(hs.raw.U0) == 2 * n + pairs + 2 ** n - 1
    assert len(hs.invariant.U0) == 2 * n + 2 * pairs + 2 ** n - 1
    own = 1 + (2 ** (n - 2) - 1 if n >= 2 else 0) + (n - 2) * 2 ** max(n - 3, 0) * 2 * (n > 2)
    assert len(hs.raw.conditions) == len(hs.raw.U0) + pairs * (own + 2)       # E, O
    assert len(hs.invariant.conditions) == len(hs.invariant.U0) + pairs * (own + 1)  # E
    for s in hs.raw.U1:  # a stratum needs every U_0 condition except its own D
        assert len(s.conditions) == len(hs.raw.U0) - 1 + own
    for name, c in hs.raw.conditions.items():
        if name.startswith("S"):
            assert len(c.components) == m * d
        if name[0] in "cd":
            assert len(c.components) == max(m * comb(d, 2), 1)
    assert hs.complete == (m == 1)


def test_d_equal_1_pairs_with_singles_are_never_in_U1():
    """§3.6 special case d = 1: (d) with T = ∅ fails whenever there is a single."""
    hs = honest_set(1, 3, 1)
    for name, c in hs.raw.conditions.items():
        if name[0] in "cd":
            assert c.components == (hs.raw.ring.zero,)


def test_architecture_parsing():
    assert zariski.parse_architecture(" 2-3-1 ") == (2, 3, 1)
    for bad in ["2-3", "2-3-1-1", "a-b-c", "0-2-1", "2-9-1", ""]:
        with pytest.raises(zariski.InputError):
            zariski.parse_architecture(bad)


# --------------------------------------------------------------------------- evaluation

rationals = st.builds(Fraction, st.integers(-6, 6), st.integers(1, 4))


@st.composite
def points(draw, arch):
    rng = random.Random(draw(st.integers(0, 10 ** 6)))
    hs, targets = described(arch)
    steps = draw(st.lists(st.sampled_from([t for _, t in targets]), max_size=2))
    net = agreement.build(*arch, [s for t in steps for s in t], rng)
    if net is None:
        net = agreement.network_of(agreement.random_theta(*arch, rng))
    return net


@settings(max_examples=80)
@given(st.sampled_from(ARCHS[:6]).flatmap(lambda a: st.tuples(st.just(a), points(a))),
       st.lists(st.builds(Fraction, st.integers(1, 9), st.integers(1, 9)), min_size=4, max_size=4))
def test_every_condition_is_scaling_invariant(case, lambdas):
    """θ ↦ (λ_j row_j, column_j / λ_j) preserves the truth value of every condition (both charts)."""
    arch, net = case
    hs, _ = described(arch)
    hidden, out = net.layers
    lam = (lambdas * 2)[:arch[1]]
    scaled = net.replace(layers=(hidden._replace(weight=tuple(tuple(l * x for x in r) for l, r in zip(lam, hidden.weight)),
                                                 bias=tuple(l * x for l, x in zip(lam, hidden.bias))),
                                 out._replace(weight=tuple(tuple(x / l for x, l in zip(r, lam)) for r in out.weight))))
    for chart in hs.charts():
        p, q = values_of(net, chart), values_of(scaled, chart)
        if p is None:
            assert q is None
            continue
        assert evaluate(chart, p).holds == evaluate(chart, q).holds


@pytest.mark.parametrize("arch", [(1, 2, 1), (2, 2, 1)])
def test_l1_evaluation_has_the_sphere_model_s_vanishing(arch):
    """The invariant chart evaluated on the unit sphere (exact square roots) and at the
    ℓ¹-normalised representative: the same conditions vanish."""
    import sympy
    hs, targets = described(arch)
    chart = hs.invariant
    rng = random.Random(5)
    for _, steps in targets:
        net = agreement.build(*arch, steps, rng)
        if net is None:
            continue
        hidden, out = net.layers
        n, m = arch[1], arch[2]
        rows, outs = [], []
        for j in range(n):
            r = [sympy.Rational(x) for x in list(hidden.weight[j]) + [hidden.bias[j]]]
            norm = sympy.sqrt(sum(x * x for x in r))
            if norm == 0:
                break
            rows += [x / norm for x in r]
            outs += [sympy.Rational(out.weight[k][j]) * norm for k in range(m)]
        else:
            point = rows + outs + [sympy.Rational(c) for c in out.bias]
            subs = dict(zip(chart.symbols, point))
            for amb in chart.ambient:
                assert sympy.simplify(amb.components[0].as_expr().subs(subs)) == 0
            l1 = evaluate(chart, values_of(net, chart)).holds
            for name, c in chart.conditions.items():
                if c.relation != NEQ and c.relation != EQ:
                    continue
                vals = [sympy.simplify(p.as_expr().subs(subs)) for p in c.components]
                sphere = any(v != 0 for v in vals) if c.relation == NEQ else all(v == 0 for v in vals)
                if name.startswith("b"):  # γ_i + γ_j is only meaningful on its stratum u_i = −u_j
                    pair = name[1:]
                    if not l1[f"E{pair}"]:
                        continue
                assert sphere == l1[name], (name, steps)


# --------------------------------------------------------------------------- the Zariski claims

def test_each_target_makes_its_condition_vanish():
    for arch in ARCHS:
        hs, targets = described(arch)
        built = 0
        for label, steps in targets:
            net = agreement.build(*arch, steps, random.Random(label))
            if net is None:
                continue
            built += 1
            ev = evaluate(hs.raw, values_of(net, hs.raw)).holds
            name = label.split(" ")[0].rstrip("+-")
            assert not ev[name], (arch, label)
        assert built >= 0.9 * len(targets), (arch, built, len(targets))


@pytest.mark.parametrize("arch", ARCHS)
def test_every_condition_vanishing_in_turn_agrees_with_the_decision(arch):
    """The deterministic sweep: each target once (boundary of each condition), all implications."""
    hs, targets = described(arch)
    seen = {k: 0 for k in ("I1", "I2", "I3", "I4", "I5", "I6")}
    for label, steps in targets:
        net = agreement.build(*arch, steps, random.Random(label))
        if net is None:
            continue
        result = agreement.implications(net, hs)
        for k, ok in result["checks"].items():
            assert ok is not False, (arch, label, k, result)
            seen[k] += ok is True
    assert seen["I1"] and seen["I6"]
    if arch[1] >= 2:
        assert seen["I3"], "no point with exactly one opposite pair was built"


@settings(max_examples=300)
@given(st.sampled_from(ARCHS).flatmap(lambda a: st.tuples(st.just(a), points(a))))
def test_polynomial_description_agrees_with_the_exact_decision(case):
    """Hypothesis: random rational points and compositions of boundary steps (two conditions
    vanishing at once, two pairs, twins on a pair, …): every guaranteed implication holds."""
    arch, net = case
    hs, _ = described(arch)
    result = agreement.implications(net, hs)
    assert result["undecided"] is None
    assert all(v is not False for v in result["checks"].values()), result


def _drop(hs, prefix):
    def chart(c):
        keep = lambda names: tuple(x for x in names if not x.startswith(prefix))  # noqa: E731
        return dataclasses.replace(c, U0=keep(c.U0), U1=tuple(dataclasses.replace(s, locus=keep(s.locus),
                                                                                   conditions=keep(s.conditions))
                                                              for s in c.U1))
    return dataclasses.replace(hs, raw=chart(hs.raw), invariant=chart(hs.invariant))


@pytest.mark.parametrize("prefix", ["D", "S", "b", "c", "d", "O", "E", ("C1", "S{[0,0]}")])
def test_the_measurement_detects_a_missing_family(prefix):
    """Remove one family of conditions (C1 with the singleton sums that imply it): some boundary
    point then violates a guaranteed implication — the test above can fail."""
    prefixes = prefix if isinstance(prefix, tuple) else (prefix,)
    for arch in [(1, 2, 1), (2, 3, 1), (2, 4, 1), (2, 4, 2)]:
        hs, targets = described(arch)
        mutated = hs
        for p in prefixes:
            mutated = _drop(mutated, p)
        for label, steps in targets:
            net = agreement.build(*arch, steps, random.Random(label))
            if net is not None and False in agreement.implications(net, mutated)["checks"].values():
                return
    pytest.fail(f"dropping {prefix} went unnoticed")


def test_1_2_1_raw_is_not_zariski_but_the_quotient_is():
    """§3.6: θ_{p,q} = pσ(x) + qσ(−x) is in int Σ, its twin-oriented neighbour on the same
    quadric w_0 b_1 − w_1 b_0 = 0 is not; only the sign condition O separates them in raw
    coordinates, while in the quotient they lie on different algebraic sets u_0 = ∓u_1."""
    from certify.network import Network
    from certify.kernel.honest import decide
    hs = honest_set(1, 2, 1)
    honest = Network.from_layers([([[1], [-1]], [0, 0]), ([[2, 3]], [0])])
    twins = Network.from_layers([([[1], [1]], [0, 0]), ([[2, 3]], [0])])
    assert decide(honest.net)["int_sigma"] is True and decide(twins.net)["sigma"] is False
    raw_h = evaluate(hs.raw, values_of(honest, hs.raw)).holds
    raw_t = evaluate(hs.raw, values_of(twins, hs.raw)).holds
    differ = {n for n in raw_h if raw_h[n] != raw_t[n]}
    assert differ == {"O[0,0][0,1]"}  # same vanishing pattern of every polynomial equation
    inv_h = evaluate(hs.invariant, values_of(honest, hs.invariant))
    inv_t = evaluate(hs.invariant, values_of(twins, hs.invariant))
    assert inv_h.holds["E[0,0][0,1]"] and not inv_t.holds["E[0,0][0,1]"]
    assert not inv_t.holds["D+[0,0][0,1]"] and inv_h.holds["D+[0,0][0,1]"]
    assert inv_h.U1 and not inv_t.U1 and not inv_t.U0


@settings(max_examples=40)
@given(st.sampled_from([(1, 2, 1), (2, 3, 1), (1, 3, 1), (2, 2, 2)]).flatmap(lambda a: st.tuples(st.just(a), points(a))))
def test_public_answer_agrees_with_the_polynomials(case):
    """The same through certify.api.honest (kernel-checked answers): for m = 1, exit 0 exactly on
    U_0 ∪ U_1 (Theorem 3.6) and exit 1 elsewhere; for m ≥ 2, U_0 ∪ U_1 ⟹ exit 0."""
    import certify
    arch, net = case
    hs, _ = described(arch)
    ev = evaluate(hs.raw, values_of(net, hs.raw))
    answer = certify.honest(net)
    if arch[2] == 1:
        assert answer.code == (0 if ev.U0 or ev.U1 else 1), answer.summary
    elif ev.U0 or ev.U1:
        assert answer.code == 0, answer.summary
    assert answer.code == 3 or answer.certified
