"""Exact linear algebra over Q and modulo a prime, on python-flint.

Over Q: rank, reduced row echelon form and a nullspace basis (rows of Fractions).
Mod p: rank and elimination of integer/rational matrices reduced modulo p, which
is how large ranks are certified (theory.md §5.3: rank over F_p ≤ rank over Q, so a
nonzero minor mod p proves a lower bound on the rational rank).

Trusts: ``exact``, python-flint (exact ranks and null spaces over Q and mod p).
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Sequence

from flint import fmpq, fmpq_mat, fmpz_mat, nmod_mat

Rows = Sequence[Sequence[Fraction]]


def to_fmpq_mat(rows: Rows, ncols: int | None = None) -> fmpq_mat:
    n = len(rows)
    m = len(rows[0]) if n else (ncols or 0)
    return fmpq_mat(n, m, [fmpq(q.numerator, q.denominator) for row in rows for q in row])


def to_fmpz_rows(rows: Rows) -> fmpz_mat:
    """Each row scaled by the lcm of its denominators (the row space and rank are unchanged)."""
    out = []
    for row in rows:
        den = math.lcm(*(q.denominator for q in row)) if row else 1
        out.append([q.numerator * (den // q.denominator) for q in row])
    return fmpz_mat(out) if out else fmpz_mat(0, 0)


def _fraction(x: fmpq) -> Fraction:
    return Fraction(int(x.p), int(x.q))


def rank_q(rows: Rows) -> int:
    if not rows or not len(rows[0]):
        return 0
    return to_fmpz_rows(rows).rank()


def rref_q(rows: Rows) -> tuple[list[list[Fraction]], int]:
    r, rank = to_fmpq_mat(rows).rref()
    return [[_fraction(x) for x in row] for row in r.tolist()], rank


def nullspace_q(rows: Rows, ncols: int | None = None) -> list[list[Fraction]]:
    """A basis of {v : M v = 0} over Q (each vector with a 1 at a free pivot column)."""
    ncols = len(rows[0]) if rows else (ncols or 0)
    if not rows:
        return [[Fraction(int(i == j)) for j in range(ncols)] for i in range(ncols)]
    ref, rank = rref_q(rows)
    pivots = []
    for row in ref[:rank]:
        pivots.append(next(j for j, x in enumerate(row) if x))
    free = [j for j in range(ncols) if j not in pivots]
    basis = []
    for f in free:
        v = [Fraction(0)] * ncols
        v[f] = Fraction(1)
        for row, p in zip(ref, pivots):
            v[p] = -row[f]
        basis.append(v)
    return basis


def mod_p(q: Fraction | int, p: int) -> int:
    """q mod p; raises ZeroDivisionError if p divides the denominator."""
    q = Fraction(q)
    if q.denominator % p == 0:
        raise ZeroDivisionError(f"{p} divides the denominator of {q}")
    return q.numerator * pow(q.denominator, -1, p) % p


def to_nmod_mat(rows: Sequence[Sequence[int | Fraction]], p: int, ncols: int | None = None) -> nmod_mat:
    n = len(rows)
    m = len(rows[0]) if n else (ncols or 0)
    flat = [x % p if isinstance(x, int) else mod_p(x, p) for row in rows for x in row]
    return nmod_mat(n, m, flat, p)


def rank_mod_p(rows: Sequence[Sequence[int | Fraction]], p: int) -> int:
    if not rows or not len(rows[0]):
        return 0
    return to_nmod_mat(rows, p).rank()


def is_probable_prime(n: int) -> bool:
    """Deterministic Miller–Rabin for n < 3.3·10^24 (covers every 64-bit modulus)."""
    if n < 2:
        return False
    small = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41)
    for q in small:
        if n % q == 0:
            return n == q
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for a in small:
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True
