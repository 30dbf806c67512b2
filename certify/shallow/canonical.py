"""One hidden layer: canonical forms and exact counterexamples (theory.md §3.1–3.2).

The canonical form is *derived* here (each neuron's key, orientation and scale) and
*checked* by ``certify.kernel.shallow``, which also turns the derivation into the form:
one implementation of the arithmetic, used by the engine and re-run by the kernel.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

from ..kernel.exact import Vector, dot, primitive
from ..kernel.shallow import Canonical, Key, accumulate, fold_fixed_inputs, key_range
from ..network import Box, Network


@dataclass(frozen=True)
class Derivation:
    """Per-neuron derivation of the canonical forms of several networks over one key table."""

    keys: list[Key]
    steps: dict[str, list[dict]]
    forms: dict[str, Canonical]
    box: Box | None           # the (folded) box the forms live on
    kept: list[int]           # original coordinates that the folded networks use


def _steps(net, key_index: dict[Key, int], keys: list[Key]) -> list[dict]:
    """Key, sign and scale of every hidden neuron: (w_i, b_i) = sign · scale · key."""
    steps = []
    for w, b in zip(net.layers[0].weight, net.layers[0].bias):
        if not any(w):
            steps.append({"constant": True})
            continue
        p, s = primitive(tuple(w) + (b,))
        lead = next(x for x in p[:-1] if x)
        sign = 1 if lead > 0 else -1
        key = p if sign == 1 else tuple(-x for x in p)
        if key not in key_index:
            key_index[key] = len(keys)
            keys.append(key)
        steps.append({"key": key_index[key], "sign": sign, "scale": s})
    return steps


def derive(nets: dict[str, Network], box: Box | None) -> Derivation:
    """Canonical forms of shallow networks on R^d (box None) or on a box (Theorems 3.1, 3.2)."""
    keys: list[Key] = []
    index: dict[Key, int] = {}
    steps, folded, fbox, kept = {}, {}, box, []
    for name, network in nets.items():
        if not network.is_shallow:
            raise ValueError(f"network {name} has {network.depth - 1} hidden layers, not 1")
        folded[name], fbox, kept = fold_fixed_inputs(network.net, box)
        steps[name] = _steps(folded[name], index, keys)
    # The steps hold by construction (primitive forms); the kernel re-verifies them from the
    # certificate.  Here only the (shared) accumulation runs.
    forms = {name: accumulate(folded[name], fbox, keys, [None if "constant" in st else
                                                         (st["key"], st["sign"], st["scale"]) for st in steps[name]])
             for name in nets}
    return Derivation(keys, steps, forms, fbox, kept)


def canonical_form(network: Network, box: Box | None = None) -> Canonical:
    return derive({"A": network}, box).forms["A"]


def equal(a: Network, b: Network, box: Box | None = None) -> bool:
    """f_A = f_B on the box (or R^d): Theorem 3.1 / 3.2, exact."""
    forms = derive({"A": a, "B": b}, box).forms
    return forms["A"] == forms["B"]


# --------------------------------------------------------------------------- counterexamples

def _interior_point_on(key: Key, box: Box | None, rng: random.Random) -> list[Fraction]:
    """A rational point with p·x + q = 0, strictly inside the box (the key must cross it)."""
    p, q = key[:-1], Fraction(key[-1])
    d = len(p)
    if box is None:
        nn = sum(x * x for x in p)
        return [-q * x / nn for x in p]
    center = [(lo + hi) / 2 for lo, hi in box]
    lo_v = [lo if x > 0 else hi for x, (lo, hi) in zip(p, box)]  # minimises p·x
    hi_v = [hi if x > 0 else lo for x, (lo, hi) in zip(p, box)]

    def z(x: Sequence[Fraction]) -> Fraction:
        return dot(p, x) + q

    shrink = Fraction(1, 2)
    while True:
        u = [c + (1 - shrink) * (v - c) for c, v in zip(center, lo_v)]
        w = [c + (1 - shrink) * (v - c) for c, v in zip(center, hi_v)]
        if z(u) < 0 < z(w):
            break
        shrink /= 2
    tau = -z(u) / (z(w) - z(u))
    del d, rng
    return [a + tau * (b - a) for a, b in zip(u, w)]


def _inside(x: Sequence[Fraction], box: Box | None, strict: bool = False) -> bool:
    if box is None:
        return True
    if strict:
        return all(lo < v < hi for v, (lo, hi) in zip(x, box))
    return all(lo <= v <= hi for v, (lo, hi) in zip(x, box))


def kink_candidates(key: Key, others: Sequence[Key], box: Box | None,
                    rng: random.Random, tries: int = 64) -> list[list[Fraction]]:
    """Points x0 − t p, x0, x0 + t p around the hyperplane of ``key``, crossing no other key.

    If g = f_A − f_B has kink coefficient δ ≠ 0 on this hyperplane, the second difference
    g(x0+tp) + g(x0−tp) − 2 g(x0) = δ t |p|² ≠ 0 (affine parts cancel, no other kink
    lies between the points), so g ≠ 0 at one of the three points (§3.1 proof).
    """
    p = [Fraction(x) for x in key[:-1]]
    d = len(p)
    nn = sum(x * x for x in p)
    base = _interior_point_on(key, box, rng)
    for attempt in range(tries):
        # a random step inside the hyperplane, shrunk until it stays in the box
        v = [Fraction(rng.randint(-7, 7)) for _ in range(d)]
        v = [vi - dot(v, p) / nn * pi for vi, pi in zip(v, p)]
        step = Fraction(1, 2 ** attempt) if box is not None else Fraction(1)
        x0 = [b + step * vi for b, vi in zip(base, v)]
        if not _inside(x0, box, strict=box is not None):
            x0 = base
        if any(dot(o[:-1], x0) + o[-1] == 0 for o in others):
            continue
        t = Fraction(1)
        for _ in range(200):
            lo = [x - t * pi for x, pi in zip(x0, p)]
            hi = [x + t * pi for x, pi in zip(x0, p)]
            if _inside(lo, box) and _inside(hi, box) and all(
                    (dot(o[:-1], lo) + o[-1] > 0) == (dot(o[:-1], x0) + o[-1] > 0) ==
                    (dot(o[:-1], hi) + o[-1] > 0) for o in others):
                return [lo, x0, hi]
            t /= 2
    return []


def affine_candidates(box: Box | None, d: int) -> list[list[Fraction]]:
    """d + 1 affinely independent points of the box: a nonzero affine map is nonzero at one."""
    if box is None:
        center = [Fraction(0)] * d
        steps = [Fraction(1)] * d
    else:
        center = [(lo + hi) / 2 for lo, hi in box]
        steps = [(hi - lo) / 4 for lo, hi in box]
    points = [center]
    for j in range(d):
        x = list(center)
        x[j] += steps[j]
        points.append(x)
    return points


def counterexample(a: Network, b: Network, box: Box | None = None,
                   seed: int = 0) -> tuple[list[Fraction], Vector, Vector] | None:
    """An exact x in the domain with f_A(x) ≠ f_B(x), built from differing canonical data.

    Returns (x, f_A(x), f_B(x)), each value computed exactly, or None if the forms agree.
    """
    der = derive({"A": a, "B": b}, box)
    fa, fb = der.forms["A"], der.forms["B"]
    if fa == fb:
        return None
    rng = random.Random(seed)
    ta, tb = dict(fa[2]), dict(fb[2])
    m = a.widths[-1]
    zero = (Fraction(0),) * m
    diff = {k: tuple(x - y for x, y in zip(ta.get(k, zero), tb.get(k, zero))) for k in set(ta) | set(tb)}
    kinks = sorted(k for k, v in diff.items() if any(v))
    d = len(der.kept) if box is not None else a.widths[0]
    candidates: list[list[Fraction]] = []
    for k in kinks:
        candidates += kink_candidates(k, [o for o in kinks if o != k], der.box, rng)
        if candidates:
            break
    if not kinks:
        candidates = affine_candidates(der.box, d)
    for x in candidates:
        full = _unfold(x, der.kept, box, a.widths[0])
        va, vb = a(full), b(full)
        if va != vb:
            return full, va, vb
    return None


def _unfold(x: Sequence[Fraction], kept: Sequence[int], box: Box | None, d0: int) -> list[Fraction]:
    if box is None or len(kept) == d0:
        return list(x)
    full = [lo for lo, _ in box]
    for value, i in zip(x, kept):
        full[i] = value
    return full


__all__ = ["Derivation", "derive", "canonical_form", "equal", "counterexample", "key_range"]
