"""Shallow canonical forms (theory.md §3.1–3.2), checked from a derivation.

For f(x) = c + Σ_i a_i σ(w_i·x + b_i) every neuron with w_i ≠ 0 is written as
(w_i, b_i) = ε_i s_i (p, q) with s_i > 0, ε_i = ±1 and (p, q) a *canonical key*: a
primitive integer vector whose first nonzero normal coordinate is positive.  (theory
§3.1 normalises that coordinate to 1 instead; both pick one representative of the
positive ray, and integer keys avoid rational division.)  Using σ(−z) = σ(z) − z,

    a_i σ(w_i·x + b_i) = γ_i σ(p·x + q) − [ε_i = −1] γ_i (p·x + q),   γ_i = s_i a_i.

Summing gives f = A x + c̃ + Σ_k α_k σ(p_k·x + q_k).  On a box Ω a key whose hyperplane
does not cross int Ω is affine there (§3.2): moved into (A, c̃) if p·x + q ≥ 0 on Ω,
dropped if ≤ 0.  Theorem 3.1 / 3.2: with pairwise distinct keys, nonzero α_k and
every kept hyperplane crossing int Ω, this form is unique, so two networks are
equal on Ω iff their forms agree.  Equality of the forms is sound on any Ω; on a box
with lo_i = hi_i the fixed coordinates are first folded into the biases, so
that int Ω is taken in the box's affine hull and completeness holds too.

The kernel does not search for the form: the certificate names, for every neuron,
its key, sign and scale, and the kernel verifies each identity and sums.

Trusts: ``exact``, ``network``, ``linalg``.
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Sequence

from .exact import Vector, fmt, integer, primitive, rational
from .network import Box, Layer, Net
from .registry import CheckFailure, require

Key = tuple[int, ...]  # (p_1, …, p_d, q)
Canonical = tuple[tuple[Vector, ...], Vector, tuple[tuple[Key, Vector], ...]]  # (A, c, sorted terms)


def fold_fixed_inputs(net: Net, box: Box | None) -> tuple[Net, Box | None, list[int]]:
    """Substitute coordinates with lo = hi into the first layer; return the kept coordinates."""
    if box is None or all(lo < hi for lo, hi in box):
        return net, box, list(range(net.widths[0]))
    keep = [i for i, (lo, hi) in enumerate(box) if lo < hi]
    first = net.layers[0]
    bias = tuple(b + sum((row[i] * box[i][0] for i in range(len(box)) if i not in keep), Fraction(0))
                 for row, b in zip(first.weight, first.bias))
    weight = tuple(tuple(row[i] for i in keep) for row in first.weight)
    if not keep:  # a single point: the network is a constant there
        weight = tuple((Fraction(0),) for _ in first.weight)
        keep_box: Box = ((Fraction(0), Fraction(0)),)
    else:
        keep_box = tuple(box[i] for i in keep)
    return Net((Layer(weight, bias),) + net.layers[1:], keep_box), keep_box, keep


def is_canonical_key(key: Sequence[int]) -> bool:
    normal = key[:-1]
    lead = next((x for x in normal if x), 0)
    return lead > 0 and math.gcd(*key) == 1


def key_range(key: Sequence[int], box: Box) -> tuple[Fraction, Fraction]:
    """(m_−, m_+): min and max of p·x + q over the box (§3.2)."""
    lo = hi = Fraction(key[-1])
    for p, (a, b) in zip(key[:-1], box):
        lo += min(p * a, p * b)
        hi += max(p * a, p * b)
    return lo, hi


def combination(coeffs: Sequence[Vector], keys: Sequence[Key], m: int, width: int) -> list[list[Fraction]]:
    """Σ_k coeffs[k][r] · keys[k], for each output r; integer arithmetic over a common denominator."""
    out = []
    for r in range(m):
        col = [cf[r] for cf in coeffs]
        den = math.lcm(*(x.denominator for x in col)) if col else 1
        nums = [x.numerator * (den // x.denominator) for x in col]
        out.append([Fraction(sum(n * key[j] for n, key in zip(nums, keys) if n), den) for j in range(width)])
    return out


Step = tuple[int, int, Fraction] | None  # (key index, sign, scale), or None for a constant neuron


def verify_steps(net: Net, keys: Sequence[Key], derivation: Sequence[dict], where: str) -> list[Step]:
    """Check every neuron's claimed identity (w_i, b_i) = sign · scale · key (or w_i = 0)."""
    require(len(net.layers) == 2, f"{where}: not a one-hidden-layer network")
    hidden = net.layers[0]
    n = len(hidden.bias)
    require(len(derivation) == n, f"{where}: {len(derivation)} derivation entries for {n} neurons")
    steps: list[Step] = []
    for i, (step, w, b) in enumerate(zip(derivation, hidden.weight, hidden.bias)):
        at = f"{where}[{i}]"
        if not isinstance(step, dict):
            raise CheckFailure(f"{at}: expected an object")
        if step.get("constant") is True:
            require(set(step) == {"constant"}, f"{at}: a constant neuron has no other fields")
            require(not any(w), f"{at}: neuron {i} is marked constant but w ≠ 0")
            steps.append(None)
            continue
        require(set(step) == {"key", "sign", "scale"}, f"{at}: expected fields key, sign, scale")
        k = integer(step["key"], f"{at}.key", 0, len(keys))
        sign = step["sign"]
        require(sign in (1, -1) and not isinstance(sign, bool), f"{at}.sign: must be 1 or -1")
        s = rational(step["scale"], f"{at}.scale")
        require(s > 0, f"{at}.scale: must be positive")
        require(any(w), f"{at}: neuron {i} has w = 0 and must be marked constant")
        # (w, b) = sign·s·key  ⟺  the primitive form of (w, b) is (sign·key, s): it is unique.
        p, s_row = primitive(tuple(w) + (b,))
        require(s_row == s and p == tuple(sign * x for x in keys[k]),
                f"{at}: (w, b) of neuron {i} is not sign·scale·key[{k}]")
        steps.append((k, sign, s))
    return steps


def accumulate(net: Net, box: Box | None, keys: Sequence[Key], steps: Sequence[Step]) -> Canonical:
    """The canonical form from verified steps: sum γ_i = s_i a_i per key, move flips and
    hyperplanes that miss the box into the affine part (§3.1–3.2)."""
    hidden, out = net.layers
    d, m = net.widths[0], net.widths[-1]
    zero = Fraction(0)
    c = list(out.bias)
    alpha: dict[int, list[Fraction]] = {}
    negative: dict[int, list[Fraction]] = {}  # Σ γ_i over flipped neurons ("negative mass", §3.3)
    columns = list(zip(*out.weight))  # columns[i] = a_i
    for i, step in enumerate(steps):
        a = columns[i]
        if step is None:  # a σ(b) is a constant
            b = hidden.bias[i]
            if b > 0:
                for r in range(m):
                    c[r] += a[r] * b
            continue
        k, sign, s = step
        gamma = [s * x for x in a]
        acc = alpha.setdefault(k, [zero] * m)
        for r in range(m):
            acc[r] += gamma[r]
        if sign == -1:  # σ(−z) = σ(z) − z
            neg = negative.setdefault(k, [zero] * m)
            for r in range(m):
                neg[r] += gamma[r]
    terms = []
    affine_keys, affine_coeffs = [], []
    for k, al in alpha.items():
        coeff = [-x for x in negative.get(k, [zero] * m)]
        key = keys[k]
        if box is not None:
            lo, hi = key_range(key, box)
            if lo >= 0:  # σ(z) = z on the box
                coeff = [x + y for x, y in zip(coeff, al)]
            if lo >= 0 or hi <= 0:  # affine (or zero) on the box: no kink inside
                al = [zero] * m
        if any(coeff):
            affine_keys.append(key)
            affine_coeffs.append(coeff)
        if any(al):
            terms.append((tuple(key), tuple(al)))
    lin = combination(affine_coeffs, affine_keys, m, d + 1)
    A = tuple(tuple(row[:d]) for row in lin)
    c_total = tuple(ci + row[d] for ci, row in zip(c, lin))
    return A, c_total, tuple(sorted(terms))


def canonical_from_derivation(net: Net, box: Box | None, keys: Sequence[Key],
                              derivation: Sequence[dict], where: str) -> Canonical:
    """Verify a per-neuron derivation of the canonical form of a shallow ``net`` and return the form."""
    return accumulate(net, box, keys, verify_steps(net, keys, derivation, where))


def parse_keys(value: object, where: str, dim: int) -> list[Key]:
    if not isinstance(value, list):
        raise CheckFailure(f"{where}: expected a list of keys")
    keys = []
    for i, raw in enumerate(value):
        if not isinstance(raw, list) or len(raw) != dim + 1:
            raise CheckFailure(f"{where}[{i}]: expected {dim + 1} integers")
        key = tuple(integer_any(x, f"{where}[{i}][{j}]") for j, x in enumerate(raw))
        require(is_canonical_key(key), f"{where}[{i}]: not a canonical key (primitive, leading normal entry > 0)")
        keys.append(key)
    require(len(set(keys)) == len(keys), f"{where}: keys are not pairwise distinct")
    return keys


def integer_any(value: object, where: str) -> int:
    """An integer given as a JSON integer or a decimal string (keys may exceed 2^53)."""
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise CheckFailure(f"{where}: expected an integer")


def canonical_to_json(form: Canonical) -> dict:
    A, c, terms = form
    return {"A": [[fmt(x) for x in row] for row in A], "c": [fmt(x) for x in c],
            "terms": [{"key": [str(p) for p in key], "alpha": [fmt(x) for x in al]} for key, al in terms]}

