"""Approximate orbits: B is within δ of the orbit G·A in parameter space (issue 13, theory.md §1, §5.4).

**Claim** (kind ``orbit-within``): networks A, B of one architecture, ``tolerance`` δ ≥ 0
(one rational), and the statement min_{g ∈ G} ‖g·A − B‖∞ ≤ δ, the maximum running over
every weight and bias.  Evidence: the group element g (``permutations``, ``scales``, as
for ``orbit``); the kernel applies g to A exactly and checks every entry.  Optional
``implies`` = L with a box domain Ω: then also sup_{x∈Ω} ‖f_A(x) − f_B(x)‖∞ ≤ L, which the
kernel re-derives from B, Ω and δ alone (``implied_bound``); f_{g·A} = f_A since σ(λz) = λσ(z).

Kind ``not-orbit-within``: every g ∈ G has ‖g·A − B‖∞ > δ.  Evidence, one of:
``{"architecture": true}`` (widths differ: no g applies); ``{"output-bias": i}`` (G fixes the
output layer's biases, so ‖g·A − B‖∞ ≥ |b_A,i − b_B,i| > δ for every g); ``{"hall": S}`` (rows S
of A's first hidden layer with fewer than |S| rows of B within δ up to a positive scale:
``_check_hall``); or, for δ = 0 only, ``{"separation": P}``, the proof of B ∉ G·A of
``orbit.check_separation``.

**Implied bound (Lemma 5.2, uniform on Ω).**  For θ' with ‖θ' − B‖∞ ≤ δ: Δ_0 = 0,
Δ_l = (|W_l| + δ11ᵀ)Δ_{l−1} + δ(s_{l−1} + 1)1 with s_{l−1} ≥ sup_Ω ‖a_{l−1}(x; B)‖_1 from
interval propagation through B; then |z_l(x; θ') − z_l(x; B)| ≤ Δ_l on Ω, and L = max Δ_L.
Integers over 2^PREC, rounded up.

Trusts: ``exact``, ``network``, ``claims``, ``orbit`` (group elements, separation),
``tolerance`` (dyadic interval rows), ``clock``.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Sequence

from .claims import claim_domain, claim_networks
from .clock import tick
from .equivalence import _group_element
from .exact import InputError, fmt, rational
from .network import Box, Net
from .orbit import check_separation, invalid_element
from .registry import CheckFailure, checker, require
from .tolerance import _ONE, _dot, _dyadic_box, _relu, _rows

CLAIM_FIELDS = {"orbit-within": {"tolerance", "implies"}, "not-orbit-within": {"tolerance"}}


def _number(claim: dict, key: str) -> Fraction:
    require(key in claim, f"claim.{key}: missing")
    try:
        q = rational(claim[key], f"claim.{key}")
    except InputError as e:
        raise CheckFailure(str(e)) from None
    require(q >= 0, f"claim.{key}: must be ≥ 0")
    return q


def distance(a: Net, b: Net, perms, scales) -> Fraction:
    """‖g·A − B‖∞ over all weights and biases: (g·A)_t[π i][π j] = λ_i A_t[i][j] / λ_j, b ↦ λ_i b."""
    worst, layers = Fraction(0), len(a.layers)
    prev_perm, prev_lam = list(range(a.widths[0])), [Fraction(1)] * a.widths[0]
    for t, (la, lb) in enumerate(zip(a.layers, b.layers)):
        n = len(la.bias)
        perm, lam = (range(n), [Fraction(1)] * n) if t == layers - 1 else (perms[t], scales[t])
        for i, (row, bias) in enumerate(zip(la.weight, la.bias)):
            tick()
            brow = lb.weight[perm[i]]
            worst = max(worst, abs(lam[i] * bias - lb.bias[perm[i]]),
                        *(abs(lam[i] * x / prev_lam[j] - brow[prev_perm[j]]) for j, x in enumerate(row)))
        prev_perm, prev_lam = perm, lam
    return worst


def implied_bound(b: Net, box: Box, delta: Fraction) -> Fraction:
    """L ≥ sup_{x∈Ω} ‖f_θ'(x) − f_B(x)‖∞ for every θ' with ‖θ' − B‖∞ ≤ δ (module docstring)."""
    act = _dyadic_box(box)
    norm1 = sum(max(-lo, hi) for lo, hi in act)  # ‖x‖_1 on Ω, ×2^PREC
    big = [0] * len(act)                            # Δ_{l−1}, ×2^PREC
    for layer in b.layers:
        tick()
        rows = _rows(layer.weight, layer.bias)
        spill = sum(big) + norm1 + _ONE            # 11ᵀΔ + s + 1: the δ-terms of every row
        extra = -((-delta.numerator * spill) // delta.denominator)
        big = [-((-sum(abs(w) * d for w, d in zip(ws, big))) // den) + extra for ws, _, den in rows]
        act = [_relu(iv) for iv in _dot(rows, act)]
        norm1 = sum(hi for _, hi in act)
    return Fraction(max(big), _ONE)


def fits(p: Sequence[Fraction], q: Sequence[Fraction], delta: Fraction) -> bool:
    """Is there λ > 0 with |λ p_j − q_j| ≤ δ for every j?  Each j confines λ to an interval."""
    lo, hi = Fraction(0), None
    for x, y in zip(p, q):
        if not x:
            if abs(y) > delta:
                return False
            continue
        u, v = sorted(((y - delta) / x, (y + delta) / x))
        lo, hi = max(lo, u), v if hi is None else min(hi, v)
    return hi is None or (lo <= hi and hi > 0)


def _check_hall(a: Net, b: Net, delta: Fraction, rows: object) -> None:
    """Hall's condition fails in the first hidden layer: the rows S of A (bias appended) have fewer
    than |S| rows of B that some λ > 0 brings within δ.  (g·A)'s first layer has row π(i) = λ_i·row i
    (inputs are not permuted), so every π sends some i ∈ S to a row farther than δ."""
    require(len(a.widths) > 2, "evidence.hall: needs a hidden layer")
    n = a.widths[1]
    require(isinstance(rows, list) and all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < n
                                           for i in rows) and len(set(rows)) == len(rows) and rows,
            f"evidence.hall: expected distinct rows of the first hidden layer (0..{n - 1})")
    la, lb = a.layers[0], b.layers[0]
    ra = [(*la.weight[i], la.bias[i]) for i in rows]
    partners = set()
    for k in range(n):
        tick()
        if any(fits(r, (*lb.weight[k], lb.bias[k]), delta) for r in ra):
            partners.add(k)
    require(len(partners) < len(rows), f"evidence.hall: the {len(rows)} rows have {len(partners)} partners within "
                                       "the tolerance: Hall's condition holds")


@checker("orbit-within")
def check_orbit_within(claim: dict, evidence: dict) -> None:
    """‖g·A − B‖∞ ≤ δ for the given g, exactly; with ``implies``: the Lemma 5.2 bound on the box."""
    require(claim.get("statement") == "orbit-within", "claim.statement: expected 'orbit-within'")
    a, b = claim_networks(claim, ("A", "B"))
    box, delta = claim_domain(claim, a.widths[0]), _number(claim, "tolerance")
    require(set(evidence) == {"permutations", "scales"}, "evidence: expected permutations, scales")
    perms, scales = _group_element(evidence, a)
    reason = invalid_element(a, b, perms, scales)
    require(reason is None, f"evidence: {reason}")
    d = distance(a, b, perms, scales)
    require(d <= delta, f"‖g·A − B‖∞ = {fmt(d)} exceeds the tolerance {fmt(delta)}")
    if "implies" in claim:
        require(box is not None, "claim.implies: needs a box domain")
        bound = implied_bound(b, box, delta)
        require(bound <= _number(claim, "implies"), f"claim.implies: the derived bound is {fmt(bound)}")


@checker("not-orbit-within")
def check_not_orbit_within(claim: dict, evidence: dict) -> None:
    """No g ∈ G brings A within δ of B: different widths, an output bias (fixed by G), or δ = 0 and B ∉ G·A."""
    require(claim.get("statement") == "not-orbit-within", "claim.statement: expected 'not-orbit-within'")
    a, b = claim_networks(claim, ("A", "B"))
    claim_domain(claim, a.widths[0])
    delta = _number(claim, "tolerance")
    require(isinstance(evidence, dict) and len(evidence) == 1, "evidence: expected one field")
    if a.widths != b.widths:
        require(evidence == {"architecture": True}, "evidence: the widths differ: expected {'architecture': true}")
        return
    if "separation" in evidence:
        require(delta == 0, "evidence.separation: proves B ∉ G·A, which is the claim only for tolerance 0")
        check_separation(a, b, evidence["separation"])
        return
    if "hall" in evidence:
        _check_hall(a, b, delta, evidence["hall"])
        return
    i = evidence.get("output-bias")
    require(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < a.widths[-1],
            "evidence: expected output-bias (an output index), hall or separation")
    gap = abs(a.layers[-1].bias[i] - b.layers[-1].bias[i])
    require(gap > delta, f"evidence.output-bias: |b_A − b_B| = {fmt(gap)} is not above the tolerance {fmt(delta)}")
