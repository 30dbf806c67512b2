"""Exact batched forward passes at points on lines, in integer form (python-flint ``fmpz_mat``).

The local-identifiability certificates (theory.md §5.1, §5.5) evaluate a network at
thousands of rational points x = x0 + t·e lying on a few lines.  Fractions cost
microseconds per multiply; here each layer is one integer matrix product for a whole
batch of points, and nothing is ever rounded:

* layer ``layers[l]`` is written over one positive denominator: (W | b) = (Wn | bn)/c_l;
* a point's activations a_l are kept as an *augmented integer row* R_l = (D·a_l, D) with
  D > 0, so R_l · (Wn | bn)^T = c_l·D·z_{l+1}: the pre-activations of a whole batch are
  one ``fmpz_mat`` product, and their signs are the signs of the integer numerators;
* on a line, layer 0 is z(t) = (W x0 + b) + t·(W e): two vectors per line, so the input
  dimension d_0 is paid once per line, not once per point.

A line of a certificate is ``{"x0": [...], "e": [...], "t": [...]}`` with strictly
increasing exact t; its points are x0 + t·e.  Hidden layers are 0-based here: hidden
layer l is the output of ``layers[l]`` (theory.md's layer l + 1).

Trusts: ``exact``, ``clock``, python-flint ``fmpz_mat`` (exact integer matrix products).
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import NamedTuple, Sequence

from flint import fmpz, fmpz_mat

from .clock import tick
from .exact import InputError, int_row, vector
from .network import Box, Net
from .registry import CheckFailure, require

CHUNK = 4096  # points per batch: bounds memory (every activation of a batch is kept)


class Line(NamedTuple):
    x0: tuple[Fraction, ...]
    e: tuple[Fraction, ...]
    t: tuple[Fraction, ...]


class IntNet(NamedTuple):
    """Integer numerators of each layer: ``mats[l]`` is (d_in + 1) × d_out = (Wn | bn)^T."""
    widths: tuple[int, ...]
    mats: tuple[fmpz_mat, ...]
    dens: tuple[int, ...]
    first: tuple[tuple[int, ...], ...]   # rows of (Wn | bn) of layers[0], for the per-line products


def int_net(net: Net) -> IntNet:
    mats, dens, first = [], [], ()
    for l, layer in enumerate(net.layers):
        rows = [int_row(tuple(w) + (b,)) for w, b in zip(layer.weight, layer.bias)]
        c = math.lcm(*(d for _, d in rows))
        nums = [tuple(x * (c // d) for x in r) for r, d in rows]
        mats.append(fmpz_mat([list(col) for col in zip(*nums)]))
        dens.append(c)
        if l == 0:
            first = tuple(nums)
    return IntNet(net.widths, tuple(mats), tuple(dens), first)


def parse_lines(value: object, where: str, d0: int, box: Box | None) -> list[Line]:
    """Lines of a certificate, exactly; every point must lie in the box (if any)."""
    require(isinstance(value, list) and value, f"{where}: expected a non-empty list of lines")
    lines = []
    for m, obj in enumerate(value):
        at = f"{where}[{m}]"
        require(isinstance(obj, dict) and set(obj) == {"x0", "e", "t"}, f"{at}: expected x0, e, t")
        try:
            x0 = vector(obj["x0"], f"{at}.x0", d0)
            e = vector(obj["e"], f"{at}.e", d0)
            ts = vector(obj["t"], f"{at}.t")
        except InputError as err:
            raise CheckFailure(str(err)) from None
        require(len(ts) > 0, f"{at}.t: empty")
        require(all(a < b for a, b in zip(ts, ts[1:])), f"{at}.t: not strictly increasing")
        if box is not None:
            lo, hi = segment_in_box(x0, e, box)
            require(lo is not None and lo <= ts[0] and ts[-1] <= hi, f"{at}: a point lies outside the domain")
        lines.append(Line(x0, e, ts))
    return lines


def segment_in_box(x0: Sequence[Fraction], e: Sequence[Fraction], box: Box) -> tuple:
    """The exact interval [lo, hi] of t with x0 + t·e in the box, or (None, None) if empty."""
    lo, hi = None, None
    for x, d, (a, b) in zip(x0, e, box):
        if d == 0:
            if not a <= x <= b:
                return None, None
            continue
        u, v = sorted(((a - x) / d, (b - x) / d))
        lo = u if lo is None else max(lo, u)
        hi = v if hi is None else min(hi, v)
    if lo is None:
        return Fraction(-10**30), Fraction(10**30)  # e = 0: every t gives x0
    return (lo, hi) if lo <= hi else (None, None)


def point(line: Line, k: int) -> tuple[Fraction, ...]:
    return tuple(a + line.t[k] * d for a, d in zip(line.x0, line.e))


class Batch:
    """Exact values at the points of some lines (one row per point, in line order).

    ``pre[l]`` is the flat list of integer numerators of z_{l+1} (pre-activations of
    ``layers[l]``), row k over the positive denominator ``den(k, l)``; ``inp[l]`` (l ≥ 1)
    the flat augmented rows R_l = (D·a_l, D); ``pattern[k]`` one ``bytes`` of 0/1 per hidden
    layer; ``zero[k]`` whether some hidden pre-activation of point k is exactly 0.
    """

    def __init__(self, net: IntNet, lines: Sequence[Line], ids: Sequence[int]):
        self.net, self.lines = net, lines
        self.index: list[tuple[int, int]] = [(m, k) for m in ids for k in range(len(lines[m].t))]
        self.row_of = {mk: r for r, mk in enumerate(self.index)}
        self._line_data = {m: _line_ints(net, lines[m]) for m in ids}
        widths = net.widths
        z0, self.D = [], []
        for m in ids:
            dx, de, P, Q, X, E = self._line_data[m]
            rows, consts = [], []
            for t in lines[m].t:
                T, dt = t.numerator, t.denominator
                rows.append([de * dt, T * dx])
                self.D.append(dx * de * dt)
            z0.extend((fmpz_mat(rows) * fmpz_mat([P, Q])).entries())
        self.pre: list[list] = [z0]
        self.inp: list[list | None] = [None]
        self.pattern: list[list[bytes]] = [[] for _ in self.index]
        self.zero = [False] * len(self.index)
        n = len(self.index)
        scale = 1  # den(k, l) = D_k · c_0 ⋯ c_l
        for l in range(len(net.mats)):
            scale *= net.dens[l]
            if l == 0:
                flat = z0
            else:
                flat = (fmpz_mat(n, widths[l] + 1, self.inp[l]) * net.mats[l]).entries()
                self.pre.append(flat)
            if l == len(net.mats) - 1:
                break
            d = widths[l + 1]
            nxt = []
            positive = _ZERO.__lt__  # C-level 0 < v: the hot loop runs once per activation
            for k in range(n):
                row = flat[k * d:(k + 1) * d]
                if _ZERO in row:
                    self.zero[k] = True
                self.pattern[k].append(bytes(map(positive, row)))
                nxt.extend([v if v > _ZERO else _ZERO for v in row])
                nxt.append(self.D[k] * scale)
            self.inp.append(nxt)
        self._scales = [math.prod(net.dens[:l + 1]) for l in range(len(net.dens))]

    # ------------------------------------------------------------------ accessors
    def den(self, k: int, l: int) -> int:
        """Positive denominator of row k of ``pre[l]``."""
        return self.D[k] * self._scales[l]

    def z(self, k: int, l: int, j: int) -> int:
        """Integer numerator of z_{l+1, j} at point k (over ``den(k, l)``)."""
        return int(self.pre[l][k * self.net.widths[l + 1] + j])

    def output(self, k: int) -> tuple[Fraction, ...]:
        d, L = self.net.widths[-1], len(self.net.mats) - 1
        den = self.den(k, L)
        return tuple(Fraction(int(v), den) for v in self.pre[L][k * d:(k + 1) * d])

    def input_row(self, k: int, l: int) -> list[int]:
        """R_l = (D·a_l, D) at point k as Python ints (l = 0: the point x itself)."""
        if l == 0:
            m, i = self.index[k]
            dx, de, P, Q, X, E = self._line_data[m]
            t = self.lines[m].t[i]
            T, dt = t.numerator, t.denominator
            return [a * de * dt + T * dx * b for a, b in zip(X, E)] + [dx * de * dt]
        w = self.net.widths[l] + 1
        return [int(v) for v in self.inp[l][k * w:(k + 1) * w]]


_ZERO = fmpz(0)


def _line_ints(net: IntNet, line: Line):
    """(dx, de, P, Q, X, E) with x0 = X/dx, e = E/de, P = Wn x0·dx + bn·dx, Q = Wn·E."""
    X, dx = int_row(line.x0)
    E, de = int_row(line.e)
    P = [sum(map(int.__mul__, row[:-1], X)) + row[-1] * dx for row in net.first]
    Q = [sum(map(int.__mul__, row[:-1], E)) for row in net.first]
    return dx, de, P, Q, X, E


def groups(lines: Sequence[Line], chunk: int | None = None) -> list[list[int]]:
    """Consecutive line indices in groups of ≈ ``chunk`` points (whole lines per group)."""
    chunk = CHUNK if chunk is None else chunk
    out: list[list[int]] = [[]]
    count = 0
    for m, line in enumerate(lines):
        out[-1].append(m)
        count += len(line.t)
        if count >= chunk:
            out.append([])
            count = 0
    return [g for g in out if g]


def batches(net: IntNet, lines: Sequence[Line], chunk: int | None = None):
    """Yield Batch objects covering all lines (whole lines per batch, ≈ ``chunk`` points each)."""
    for ids in groups(lines, chunk):
        tick()
        yield Batch(net, lines, ids)


def map_batches(net: Net, lines: Sequence[Line], task, payload) -> list:
    """[task(batch, payload) for every batch of the lines], in order, under the deadline."""
    inet = int_net(net)
    out = []
    for ids in groups(lines):
        tick()
        out.append(task(Batch(inet, lines, ids), payload))
    return out
