"""Exact affine maps x ↦ (N x + c) / d with an integer matrix N over one common denominator d.

Between two ReLUs a network's operations compose into one affine layer (theory.md §1).
Composing them as Fraction dot products costs one gcd per multiply-add: two 784×256 layers
took over 50 s.  Here a rational matrix is held as integers over one denominator: a matrix
of binary floats has a power-of-two common denominator, so scaling it to integers is exact
and cheap, and the product of two such maps is one integer matrix product (python-flint
``fmpz_mat``, in C) with the denominators multiplied:

    (A/e) · ((N x + c)/d) = (A N x + A c) / (d e).

Nothing is rounded: ``layer()`` divides back into exact reduced Fractions.

**Size bound.** A product is refused (``InputError``) before it is computed when the result
would have more than ``MAX_ENTRIES`` entries or, by the bound height(A N) ≤ height(A) +
height(N) + log2(inner dimension), more than ``MAX_BITS`` bits of numerators in all; the same
bound applies to an elementwise scaling.  The file's own matrices are never refused: only
compositions that would grow beyond them (a Relu missing between very wide layers, or
divisions whose denominators do not share factors).
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Sequence

import numpy as np
from flint import fmpz_mat

from ..kernel.exact import InputError, Matrix, Vector
from ..kernel.network import Layer

__all__ = ["Affine", "scaled", "scaled_array", "MAX_ENTRIES", "MAX_BITS"]

MAX_ENTRIES = 1 << 22   # 4,194,304 entries in a composed matrix
MAX_BITS = 1 << 28      # 268,435,456 bits (32 MiB) of numerators in a composed matrix


def scaled(values: Sequence[Fraction]) -> tuple[list[int], int]:
    """(integers n_i, denominator D) with values[i] = n_i / D and D the lcm of the denominators."""
    den = math.lcm(*{v.denominator for v in values}) if values else 1
    return [v.numerator * (den // v.denominator) for v in values], den


def scaled_array(arr: np.ndarray) -> tuple[list[int], int]:
    """(integers n_i, 2^K) with the entries of a finite float or integer array (C order) = n_i / 2^K.

    A binary float is m·2^e with an integer mantissa m (53 bits for float64; float16/32 widen
    exactly); with the odd part of m and the smallest exponent, 2^K is the least common
    denominator, found without building one Fraction per entry.
    """
    flat = np.ascontiguousarray(arr).reshape(-1)
    if flat.dtype.kind in "iub":
        return [int(v) for v in flat.tolist()], 1
    mant, exp = np.frexp(flat.astype(np.float64))          # x = mant·2^exp, 1/2 ≤ |mant| < 1
    ints = (mant * 2.0 ** 53).astype(np.int64)             # exact: a float64 mantissa has 53 bits
    shift = exp.astype(np.int64) - 53
    nonzero = ints != 0
    if not nonzero.any():
        return [0] * flat.size, 1
    low = np.where(nonzero, ints & -ints, 1)                 # lowest set bit: drop the trailing zeros
    zeros = np.log2(low.astype(np.float64)).astype(np.int64)  # exact on powers of two
    ints, shift = ints >> zeros, shift + zeros
    k = max(0, int(-shift[nonzero].min()))
    shift = np.where(nonzero, shift + k, 0)                  # ≥ 0 everywhere
    return [m << e for m, e in zip(ints.tolist(), shift.tolist())], 1 << k


def _height(values: Sequence[int]) -> int:
    """Bits of the largest |n| (0 for an empty or all-zero list)."""
    if not len(values):
        return 0
    return max(int(max(values)).bit_length(), int(min(values)).bit_length())


def _bound(rows: int, cols: int, height: int, where: str, what: str) -> None:
    if rows * cols > MAX_ENTRIES:
        raise InputError(where, f"{what} would be a {rows}×{cols} exact matrix, more than the "
                                f"{MAX_ENTRIES:,} entries certify composes (insert the missing ReLU or "
                                "compose the layers before export)")
    if rows * cols * height > MAX_BITS:
        raise InputError(where, f"{what} would need about {rows * cols * height:,} bits of exact numerators "
                                f"({rows}×{cols} entries of up to {height} bits), more than the bound of "
                                f"{MAX_BITS:,} bits")


class Affine:
    """x ↦ (N x + c) / d from R^n_in to R^n_out; N = None stands for s·I (not materialised).

    N is a flat row-major list of Python integers; python-flint multiplies only when two
    materialised maps compose, so a single layer never leaves Python integers.
    """

    __slots__ = ("n_in", "n_out", "num", "s", "off", "den", "height")

    def __init__(self, n_in: int, n_out: int, num: list[int] | None, s: int, off: list[int], den: int,
                 height: int):
        self.n_in, self.n_out = n_in, n_out
        self.num, self.s = num, s           # N (n_out × n_in, row-major), or s·I when num is None
        self.off, self.den = off, den       # c (n_out integers), d > 0
        self.height = height                # an upper bound on the bits of N's entries

    @classmethod
    def identity(cls, n: int) -> "Affine":
        return cls(n, n, None, 1, [0] * n, 1, 1)

    @property
    def linear_is_identity(self) -> bool:
        """N/d is the identity (so the map is a translation, or nothing)."""
        return self.num is None and self.s == self.den

    # ------------------------------------------------------------------ composition on the left

    def then_linear(self, ints: Sequence[int], den: int, rows: int, where: str) -> "Affine":
        """(A/den) ∘ self, with A given row by row as ``rows`` × n_out integers."""
        cols = self.n_out
        height = _height(ints)
        a = None
        if self.num is None:
            num = list(ints) if self.s == 1 else [self.s * v for v in ints]
            new_height = height + abs(self.s).bit_length()
        else:
            new_height = height + self.height + max(cols - 1, 0).bit_length()
            _bound(rows, self.n_in, new_height, where, "composing this linear map with the previous one")
            a = fmpz_mat(rows, cols, list(ints))
            num = [int(v) for v in (a * fmpz_mat(cols, self.n_in, self.num)).entries()]
        if any(self.off):
            a = a if a is not None else fmpz_mat(rows, cols, list(ints))
            off = [int(v) for v in (a * fmpz_mat(cols, 1, self.off)).entries()]
        else:
            off = [0] * rows
        return Affine(self.n_in, rows, num, 1, off, self.den * den, new_height)

    def then_add(self, ints: Sequence[int], den: int) -> "Affine":
        """self + a/den, elementwise (len(ints) == n_out)."""
        common = math.lcm(self.den, den)
        up, ua = common // self.den, common // den
        num, s, height = self._times(up)
        off = [u * up + v * ua for u, v in zip(self.off, ints)]
        return Affine(self.n_in, self.n_out, num, s, off, common, height)

    def then_scale(self, ints: Sequence[int], den: int, where: str) -> "Affine":
        """diag(g/den) ∘ self: row i multiplied by ints[i] / den."""
        first = ints[0] if len(ints) else 0
        if all(v == first for v in ints):
            num, s, height = self._times(first)
        else:
            height = self.height + _height(ints)
            _bound(self.n_out, self.n_in, height, where, "this elementwise scaling")
            c = self.n_in
            old = self.num if self.num is not None else self._materialise()
            num = [x * g for r, g in enumerate(ints) for x in old[r * c:(r + 1) * c]]
            s = 1
        off = [u * g for u, g in zip(self.off, ints)]
        return Affine(self.n_in, self.n_out, num, s, off, self.den * den, height)

    def then_gather(self, index: Sequence[int], where: str) -> "Affine":
        """x ↦ self(x)[index]: output k is output index[k] of self (a permutation or a copy)."""
        _bound(len(index), self.n_in, self.height, where, "this rearrangement")
        c = self.n_in
        old = self.num if self.num is not None else self._materialise()
        num = [x for i in index for x in old[i * c:(i + 1) * c]]
        return Affine(self.n_in, len(index), num, 1, [self.off[i] for i in index], self.den, self.height)

    def _times(self, k: int) -> tuple[list[int] | None, int, int]:
        """(num, s, height) of k·N."""
        if self.num is None:
            return None, self.s * k, abs(self.s * k).bit_length()
        if k == 1:
            return self.num, 1, self.height
        return [k * v for v in self.num], 1, self.height + abs(k).bit_length()

    def _materialise(self) -> list[int]:
        """s·I as a flat list."""
        n = self.n_in
        out = [0] * (n * n)
        out[::n + 1] = [self.s] * n
        return out

    # ------------------------------------------------------------------ back to Fractions

    def layer(self) -> Layer:
        """The exact layer (W, b) = (N/d, c/d), every entry a reduced Fraction."""
        d = self.den
        if self.num is None:
            diag, zero = Fraction(self.s, d), Fraction(0)
            weight: Matrix = tuple(tuple(diag if i == j else zero for j in range(self.n_in))
                                   for i in range(self.n_out))
        else:
            flat = [Fraction(v, d) for v in self.num]
            c = self.n_in
            weight = tuple(tuple(flat[r * c:(r + 1) * c]) for r in range(self.n_out))
        bias: Vector = tuple(Fraction(v, d) for v in self.off)
        return Layer(weight, bias)
