"""Checkers for ``not-equivalent``, ``equivalent`` (shallow-canonical, orbit) and ``orbit``.

Trusts: ``exact``, ``network`` (exact evaluation), ``orbit`` (the group action), ``shallow`` (canonical forms).
"""
from __future__ import annotations

from .claims import claim_domain, claim_networks, same_shape
from .exact import InputError, fmt, vector
from .network import affine_maps, evaluate, in_box
from .orbit import check_group_element, check_separation
from .registry import CheckFailure, checker, require
from .shallow import canonical_from_derivation, canonical_to_json, fold_fixed_inputs, parse_keys


def _vector(value: object, where: str, n: int):
    try:
        return vector(value, where, n)
    except InputError as e:
        raise CheckFailure(str(e)) from None


def _statement(claim: dict, expected: str) -> None:
    require(claim.get("statement") == expected, f"claim.statement: expected {expected!r}")


@checker("not-equivalent")
def check_counterexample(claim: dict, evidence: dict) -> None:
    """Exact evaluation: x lies in the domain and f_A(x) ≠ f_B(x); recorded values must match."""
    _statement(claim, "not-equivalent")
    a, b = claim_networks(claim, ("A", "B"))
    same_shape(a, b, "claim.networks")
    box = claim_domain(claim, a.widths[0])
    require(set(evidence) == {"x", "fA", "fB"}, "evidence: expected fields x, fA, fB")
    x = _vector(evidence["x"], "evidence.x", a.widths[0])
    require(in_box(x, box), "evidence.x: the point lies outside the domain")
    fa, fb = evaluate(affine_maps(a), x), evaluate(affine_maps(b), x)
    require(list(fa) == list(_vector(evidence["fA"], "evidence.fA", len(fa))),
            f"evidence.fA: recorded value differs from f_A(x) = {[fmt(v) for v in fa]}")
    require(list(fb) == list(_vector(evidence["fB"], "evidence.fB", len(fb))),
            f"evidence.fB: recorded value differs from f_B(x) = {[fmt(v) for v in fb]}")
    require(fa != fb, "f_A(x) = f_B(x): the point is not a counterexample")


def _group_element(evidence: dict, a, where: str = "evidence"):
    require(set(evidence) >= {"permutations", "scales"}, f"{where}: expected permutations and scales")
    perms, scales = evidence["permutations"], evidence["scales"]
    hidden = a.widths[1:-1]
    require(isinstance(perms, list) and len(perms) == len(hidden), f"{where}.permutations: one list per hidden layer")
    require(isinstance(scales, list) and len(scales) == len(hidden), f"{where}.scales: one list per hidden layer")
    for t, p in enumerate(perms):
        require(isinstance(p, list) and all(isinstance(i, int) and not isinstance(i, bool) for i in p),
                f"{where}.permutations[{t}]: expected a list of integers")
    return perms, [_vector(s, f"{where}.scales[{t}]", n) for t, (s, n) in enumerate(zip(scales, hidden))]


@checker("equivalent", "orbit")
def check_equivalent_orbit(claim: dict, evidence: dict) -> None:
    """B = g·A for the given g ∈ G, hence f_A = f_B everywhere (σ(λz) = λσ(z), λ > 0)."""
    _statement(claim, "equivalent")
    a, b = claim_networks(claim, ("A", "B"))
    claim_domain(claim, a.widths[0])  # equality holds on every domain; the domain must still parse
    require(set(evidence) == {"method", "permutations", "scales"}, "evidence: expected method, permutations, scales")
    reason = check_group_element(a, b, *_group_element(evidence, a))
    require(reason is None, f"evidence: {reason}")


@checker("orbit")
def check_orbit(claim: dict, evidence: dict) -> None:
    """in-orbit: g·A = B for the given g.  not-in-orbit: a separation proof (``orbit.py``)."""
    a, b = claim_networks(claim, ("A", "B"))
    statement = claim.get("statement")
    if statement == "in-orbit":
        require(set(evidence) == {"permutations", "scales"}, "evidence: expected permutations, scales")
        reason = check_group_element(a, b, *_group_element(evidence, a))
        require(reason is None, f"evidence: {reason}")
    elif statement == "not-in-orbit":
        require(set(evidence) == {"separation"}, "evidence: expected separation")
        check_separation(a, b, evidence["separation"])
    else:
        raise CheckFailure("claim.statement: expected 'in-orbit' or 'not-in-orbit'")


@checker("equivalent", "shallow-canonical")
def check_equivalent_shallow(claim: dict, evidence: dict) -> None:
    """Theorem 3.1 (R^d) / 3.2 (box): both derivations give the same canonical form."""
    _statement(claim, "equivalent")
    a, b = claim_networks(claim, ("A", "B"))
    same_shape(a, b, "claim.networks")
    box = claim_domain(claim, a.widths[0])
    require(set(evidence) == {"method", "keys", "derivations", "canonical"},
            "evidence: expected method, keys, derivations, canonical")
    fa, fbox, _ = fold_fixed_inputs(a, box)
    fb, _, _ = fold_fixed_inputs(b, box)
    keys = parse_keys(evidence["keys"], "evidence.keys", fa.widths[0])
    der = evidence["derivations"]
    require(isinstance(der, dict) and set(der) == {"A", "B"}, "evidence.derivations: expected A and B")
    require(all(isinstance(v, list) for v in der.values()), "evidence.derivations: expected lists")
    form_a = canonical_from_derivation(fa, fbox, keys, der["A"], "evidence.derivations.A")
    form_b = canonical_from_derivation(fb, fbox, keys, der["B"], "evidence.derivations.B")
    require(canonical_to_json(form_a) == evidence["canonical"],
            "evidence.canonical: differs from the canonical form derived for A")
    require(form_a == form_b, "the canonical forms of A and B differ")
