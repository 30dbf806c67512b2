"""Explicit points of the shallow fiber (theory.md §3.3): the witnesses of Theorem 3.3.

Every construction here works on a *layer pair* (W_in, b_in, W_out, b_out), i.e. on
y ↦ W_out σ(W_in y + b_in) + b_out, so that the same code serves one-hidden-layer
networks and the two layers around a hidden layer of a deep network (M13).  Nothing is
trusted: the caller checks f' = f with the canonical form (Theorem 3.1) and θ' ∉ G·θ
with the exact orbit matcher, and the kernel re-checks both.

Families through θ (continuous; parameter t, θ(0) = θ):
* ``free_row`` (C1, M2):   a_i = 0  ⇒  b_i += t.
* ``twins`` (C3, M6):      (w_k, b_k) = λ(w_j, b_j), λ > 0  ⇒  a_j += t v, a_k −= t v/λ.
* ``slide`` (C4, M9):      (w_k, b_k) = −λ(w_j, b_j), a_j + λ a_k = 0  ⇒  b_j += t, b_k −= λt, c −= t a_j.
* ``redistribute`` (C5):   Σ_k c_k ν_k = 0 over pairs  ⇒  γ_{k−} += t c_k u, γ_{k+} −= t c_k u,
                           c += t u Σ_k c_k β_k  (the affine part −Σ μ_k ν_k^T is unchanged).
Discrete points:
* ``flip`` (M8):           Σ_T a_j w_j^T = 0  ⇒  rows T negated, c += Σ_T a_j b_j.
* ``realise_move`` (C6):   the construction in the proof of Theorem 3.3 for a realisable
                           move μ = (R, r, A', g, T), with the free negative masses and the
                           g new linear units found by exact linear algebra.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

from ..kernel.exact import primitive
from ..kernel.honest import Shallow, u_basis
from ..kernel.linalg import nullspace_q, rank_q, rref_q
from ..kernel.network import Layer

ZERO = Fraction(0)


@dataclass
class Pair:
    """A mutable copy of a layer pair: rows (w_i, b_i), output columns a_i, output bias c."""

    w: list[list[Fraction]]
    b: list[Fraction]
    a: list[list[Fraction]]  # a[i] = column i of W_out
    c: list[Fraction]

    @classmethod
    def of(cls, hidden: Layer, out: Layer) -> "Pair":
        m, n = len(out.bias), len(hidden.bias)
        return cls([list(r) for r in hidden.weight], list(hidden.bias),
                   [[out.weight[r][i] for r in range(m)] for i in range(n)], list(out.bias))

    def layers(self) -> tuple[Layer, Layer]:
        m = len(self.c)
        out_w = tuple(tuple(self.a[i][r] for i in range(len(self.a))) for r in range(m))
        return (Layer(tuple(tuple(r) for r in self.w), tuple(self.b)), Layer(out_w, tuple(self.c)))


def free_row(p: Pair, i: int, t: Fraction) -> Pair:
    p.b[i] += t
    return p


def twins(p: Pair, j: int, k: int, t: Fraction, v: Sequence[Fraction]) -> Pair:
    lam = ratio(p.w[k] + [p.b[k]], p.w[j] + [p.b[j]])
    p.a[j] = [x + t * y for x, y in zip(p.a[j], v)]
    p.a[k] = [x - t * y / lam for x, y in zip(p.a[k], v)]
    return p


def slide(p: Pair, j: int, k: int, t: Fraction) -> Pair:
    lam = -ratio(p.w[k] + [p.b[k]], p.w[j] + [p.b[j]])
    p.b[j] += t
    p.b[k] -= lam * t
    p.c = [x - t * y for x, y in zip(p.c, p.a[j])]
    return p


def redistribute(p: Pair, sh: Shallow, pairs: Sequence[tuple[int, int]], relation: Sequence[Fraction],
                 t: Fraction, u: Sequence[Fraction]) -> Pair:
    """Move negative mass t·c_k·u between the members of each pair (Σ_k c_k ν_k = 0)."""
    shift = [ZERO] * len(p.c)
    for (plus, minus), ck in zip(pairs, relation):
        if not ck:
            continue
        delta = [t * ck * x for x in u]
        p.a[minus] = [x + y / sh.scale[minus] for x, y in zip(p.a[minus], delta)]
        p.a[plus] = [x - y / sh.scale[plus] for x, y in zip(p.a[plus], delta)]
        beta = sh.key[plus][-1]  # type: ignore[index]
        shift = [s + y * beta for s, y in zip(shift, delta)]
    p.c = [x + y for x, y in zip(p.c, shift)]
    return p


def flip(p: Pair, T: Sequence[int]) -> Pair:
    for j in T:
        p.c = [x + y * p.b[j] for x, y in zip(p.c, p.a[j])]
        p.w[j] = [-x for x in p.w[j]]
        p.b[j] = -p.b[j]
    return p


def ratio(u: Sequence[Fraction], v: Sequence[Fraction]) -> Fraction:
    """λ with u = λ v (v ≠ 0 and u, v known to be proportional)."""
    k = next(i for i, x in enumerate(v) if x)
    return u[k] / v[k]


def pair_relation(sh: Shallow, pairs: Sequence[tuple[int, int]]) -> list[Fraction]:
    """A non-zero c with Σ_k c_k ν_k = 0 (C5 fails)."""
    cols = [[Fraction(x) for x in sh.normal(plus)] for plus, _ in pairs]
    rows = [[cols[k][r] for k in range(len(cols))] for r in range(sh.d)]
    return nullspace_q(rows, len(cols))[0]


# --------------------------------------------------------------------------- (C6) moves

def _solve(columns: list[list[Fraction]], rhs: list[Fraction], rng: random.Random) -> list[Fraction] | None:
    """A solution y of Σ_k y_k columns[k] = rhs (a random point of the solution set), or None."""
    n = len(columns)
    if n == 0:
        return [] if not any(rhs) else None
    aug = [[columns[k][r] for k in range(n)] + [rhs[r]] for r in range(len(rhs))]
    if not aug:
        return [Fraction(rng.randint(-3, 3)) for _ in range(n)]
    ref, rank = rref_q(aug)
    y = [Fraction(rng.randint(-3, 3)) for _ in range(n)]  # free coordinates: generic values
    pivots = []
    for row in ref[:rank]:
        piv = next(j for j, x in enumerate(row) if x)
        if piv == n:
            return None
        pivots.append((piv, row))
    for piv, _ in pivots:
        y[piv] = ZERO
    for piv, row in pivots:
        y[piv] = row[n] - sum((row[j] * y[j] for j in range(n) if j != piv), ZERO)
    return y


def realise_move(p: Pair, sh: Shallow, pairs: Sequence[tuple[int, int]], move: dict, seed: int = 0) -> Pair | None:
    """θ' for a realisable move μ = (R, r, A', g, T) (proof of Theorem 3.3).

    Collapse the pairs of R (the member r_k is freed, the other carries α_k), give each
    single of A' a freed neuron of the opposite orientation, build g linear units from
    pairs of freed neurons on new hyperplanes, flip T, leave the rest silent; then solve
    exactly for the negative masses μ'_H that restore the affine part A = −Σ μ_H ν_H^T.
    The output bias is fixed afterwards by the caller (canonical constants).
    """
    rng = random.Random(seed)
    m = sh.m
    R = [tuple(x) for x in move["R"]]
    removed, A, g, T = list(move["remove"]), list(move["A"]), move["g"], list(move["T"])

    def gamma(i: int) -> list[Fraction]:
        return [sh.scale[i] * x for x in sh.a[i]]

    def neg(i: int, sign: int) -> list[Fraction]:
        return gamma(i) if sign == -1 else [ZERO] * m

    # A of θ: −Σ_{ε_i = −1} γ_i ν_i^T
    def outer(vec, nu):
        return [[x * y for y in nu] for x in vec]

    def add(acc, mat, s=1):
        for r in range(m):
            for c in range(sh.d):
                acc[r][c] += s * mat[r][c]

    A_target = [[ZERO] * sh.d for _ in range(m)]
    for i in range(sh.n):
        add(A_target, outer(neg(i, sh.sign[i]), sh.normal(i)), -1)
    adjustable: list[tuple[list[int], tuple[int, ...], list[Fraction], tuple[int, int] | None]] = []
    fixed = [[ZERO] * sh.d for _ in range(m)]
    in_R = {x for pr in R for x in pr}
    freed = list(removed)
    kept_pairs = [pr for pr in pairs if tuple(pr) not in R]
    for plus, minus in kept_pairs:
        alpha = [x + y for x, y in zip(gamma(plus), gamma(minus))]
        adjustable.append(([plus, minus], sh.normal(plus), alpha, (plus, minus)))
    for plus, minus in R:
        keep = minus if plus in removed else plus
        alpha = [x + y for x, y in zip(gamma(plus), gamma(minus))]
        p.a[keep] = [x / sh.scale[keep] for x in alpha]
        add(fixed, outer(alpha if sh.sign[keep] == -1 else [ZERO] * m, sh.normal(keep)), -1)
    singles = [i for i in range(sh.n) if i not in in_R and all(i not in pr for pr in kept_pairs)]
    for i in singles:
        if i in A:
            f = freed.pop(0)
            key = sh.key[i]
            p.w[f] = [Fraction(-sh.sign[i] * x) for x in key[:-1]]  # type: ignore[index]
            p.b[f] = Fraction(-sh.sign[i] * key[-1])  # type: ignore[index]
            members = [i, f] if sh.sign[i] == 1 else [f, i]
            adjustable.append((members, sh.normal(i), gamma(i), None))
            continue
        sign = -sh.sign[i] if i in T else sh.sign[i]
        if i in T:
            p.w[i] = [-x for x in p.w[i]]
            p.b[i] = -p.b[i]
        add(fixed, outer(neg(i, sign), sh.normal(i)), -1)
    residual = [[x - y for x, y in zip(r1, r2)] for r1, r2 in zip(A_target, fixed)]
    normals = [list(map(Fraction, h[1])) for h in adjustable]
    new_normals: list[list[Fraction]] = []
    if g:
        basis = u_basis(sh, [h[1] for h in adjustable])
        if basis is None:
            basis = [[Fraction(int(i == j)) for j in range(sh.d)] for i in range(sh.d)]
        proj = [[sum((x * y for x, y in zip(row, u)), ZERO) for u in basis] for row in residual]
        ref, rank = rref_q(proj) if proj and basis else ([], 0)
        if rank > g:
            return None
        gram = [[sum((x * y for x, y in zip(u, v)), ZERO) for v in basis] for u in basis]
        for e in range(rank):
            z = _solve([list(col) for col in zip(*gram)], list(ref[e]), rng)  # G z = Y_e^T (G symmetric)
            if z is None:
                return None
            eta = [sum((z[k] * basis[k][c] for k in range(len(basis))), ZERO) for c in range(sh.d)]
            new_normals.append(eta)
    # new hyperplanes: linear units on two freed neurons each, offsets avoiding existing keys
    existing = {k for k in sh.key if k is not None}
    new_members = []
    for e, eta in enumerate(new_normals):
        offset = Fraction(e + 1, 7)
        while True:
            key, _ = primitive(tuple(eta) + (offset,))
            lead = next(x for x in key[:-1] if x)
            key = tuple(x if lead > 0 else -x for x in key)
            if key not in existing:
                break
            offset += Fraction(1, 11)
        existing.add(key)
        f1, f2 = freed.pop(0), freed.pop(0)
        p.w[f1], p.b[f1] = [Fraction(x) for x in key[:-1]], Fraction(key[-1])
        p.w[f2], p.b[f2] = [Fraction(-x) for x in key[:-1]], Fraction(-key[-1])
        new_members.append(([f1, f2], key[:-1]))
        normals.append([Fraction(x) for x in key[:-1]])
    for f in freed:  # silent
        p.a[f] = [ZERO] * m
    # −Σ_H μ'_H ν_H^T = residual, one output row at a time
    mus = [[ZERO] * m for _ in normals]
    for r in range(m):
        y = _solve(normals, [-x for x in residual[r]], rng)
        if y is None:
            return None
        for h in range(len(normals)):
            mus[h][r] = y[h]
    # members: the − oriented one carries μ', the + oriented one α − μ'
    for h, (members, _, alpha, _) in enumerate(adjustable):
        plus, minus = members
        mu = mus[h]
        p.a[minus] = [x / _scale(p, minus) for x in mu]
        p.a[plus] = [(x - y) / _scale(p, plus) for x, y in zip(alpha, mu)]
    for e, (members, _) in enumerate(new_members):
        mu = mus[len(adjustable) + e]
        f1, f2 = members
        p.a[f2] = [x / _scale(p, f2) for x in mu]
        p.a[f1] = [-x / _scale(p, f1) for x in mu]
    return p


def _scale(p: Pair, i: int) -> Fraction:
    return primitive(tuple(p.w[i]) + (p.b[i],))[1]


__all__ = ["Pair", "free_row", "twins", "slide", "redistribute", "flip", "realise_move", "pair_relation",
           "ratio", "rank_q"]
