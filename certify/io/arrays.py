"""Exact conversion between numeric arrays (numpy, ONNX, torch) and rational networks.

Reading: a binary float *is* a rational number (m·2^e), so a float32 or float64 weight
is taken as its exact value, never re-rounded: ``0.1f`` becomes
13421773/134217728, not 1/10.  Integer arrays are exact as they stand.  NaN and
infinities are rejected with the place of the first offending entry.

Writing: the reverse is exact only for *dyadic* rationals with a short enough
mantissa.  ``float_layers`` picks float32 when every number is exactly a float32,
else float64 when every number is exactly a float64; otherwise it refuses, unless
the caller asks to round (``rounding="nearest"``), in which case it rounds to the
nearest float64 and returns a ``Rounding`` report naming what changed.  A rounded
export is a *different* network: certificates about the original do not apply to it,
and callers must say so (ground rule 1: never silently change a network).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from ..kernel.exact import InputError, Matrix, Vector, fmt
from ..kernel.network import Box, Layer, Net
from ..network import Network

__all__ = ["exact_vector", "exact_matrix", "network_from_arrays", "float_layers", "Rounding",
           "decimal_text"]

_FLOAT_KINDS = "f"
_INT_KINDS = "iu"


def _as_array(value: Any, where: str) -> np.ndarray:
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as e:
        raise InputError(where, f"not a numeric array ({e})") from None
    if arr.dtype.kind not in _FLOAT_KINDS + _INT_KINDS:
        raise InputError(where, f"expected a numeric array, got dtype {arr.dtype}")
    if arr.dtype.kind == "f" and arr.dtype.itemsize > 8:
        raise InputError(where, f"dtype {arr.dtype} is not supported (use float16, float32 or float64)")
    return arr


def _exact_list(arr: np.ndarray, where: str) -> list[Fraction]:
    """The entries of ``arr`` (flattened, C order) as exact Fractions."""
    flat = arr.reshape(-1)
    if arr.dtype.kind in _INT_KINDS:
        return [Fraction(int(v)) for v in flat.tolist()]
    # float16/float32 → float64 is exact (a wider format holds every narrower value).
    wide = flat.astype(np.float64)
    bad = np.flatnonzero(~np.isfinite(wide))
    if bad.size:
        index = np.unravel_index(int(bad[0]), arr.shape)
        place = "".join(f"[{i}]" for i in index)
        raise InputError(f"{where}{place}", f"expected a finite number, got {wide[bad[0]]}")
    return [Fraction(*v.as_integer_ratio()) for v in wide.tolist()]


def exact_vector(value: Any, where: str) -> Vector:
    """A 1-D array (or any array with exactly one non-unit axis) as an exact vector."""
    arr = _as_array(value, where)
    if sum(1 for n in arr.shape if n != 1) > 1:
        raise InputError(where, f"expected a vector, got shape {list(arr.shape)}")
    return tuple(_exact_list(arr, where))


def exact_matrix(value: Any, where: str) -> Matrix:
    """A 2-D array as an exact matrix (rows first)."""
    arr = _as_array(value, where)
    if arr.ndim != 2 or 0 in arr.shape:
        raise InputError(where, f"expected a non-empty 2-D matrix, got shape {list(arr.shape)}")
    values = _exact_list(arr, where)
    cols = arr.shape[1]
    return tuple(tuple(values[r * cols:(r + 1) * cols]) for r in range(arr.shape[0]))


def network_from_arrays(layers: Sequence[tuple[Any, Any]], *, path: str,
                        names: Sequence[tuple[str, str]] | None = None, box: Box | None = None,
                        name: str | None = None, source: str | None = None,
                        metadata: dict | None = None) -> Network:
    """Build a Network from (weight out×in, bias) array pairs, checking shapes exactly.

    ``names`` gives each layer's (weight, bias) labels for error messages (an ONNX
    initializer, a state-dict key); by default ``layers[i].weight`` / ``layers[i].bias``.
    A bias of None means zero.  Errors name ``path`` and the place.
    """
    if not layers:
        raise InputError(path, "no affine layers found")
    out: list[Layer] = []
    width = None
    for i, (w, b) in enumerate(layers):
        wname, bname = names[i] if names else (f"layers[{i}].weight", f"layers[{i}].bias")
        weight = exact_matrix(w, f"{path}: {wname}")
        bias = exact_vector(b, f"{path}: {bname}") if b is not None else (Fraction(0),) * len(weight)
        if len(bias) != len(weight):
            raise InputError(path, f"{bname}: has {len(bias)} entries but {wname} has {len(weight)} rows")
        if width is not None and len(weight[0]) != width:
            raise InputError(path, f"{wname}: has {len(weight[0])} inputs but the previous layer "
                                   f"has {width} outputs")
        width = len(weight)
        out.append(Layer(weight, bias))
    if box is not None and len(box) != len(out[0].weight[0]):
        raise InputError(path, f"domain has {len(box)} intervals but the input dimension is "
                               f"{len(out[0].weight[0])}")
    return Network(Net(tuple(out), box), name, source, metadata)


# --------------------------------------------------------------------------- writing floats

@dataclass(frozen=True)
class Rounding:
    """What rounding to the export dtype changed: the number of entries and the largest change."""

    count: int
    max_change: Fraction
    first: str | None  # place of the first changed entry, e.g. "layers[0].weight[1][2]"
    dtype: str = "float64"

    def message(self) -> str:
        target = "the nearest float64" if self.dtype == "float64" else "float32 (via the nearest float64)"
        return (f"{self.count} number(s) are not {self.dtype} values and were rounded to {target} "
                f"(largest change {float(self.max_change):.3g}, first at {self.first}); the exported "
                "network differs from the original, so certificates about the original do not apply to it")


def _flatten(network: Network, include_domain: bool) -> tuple[list[Fraction], list[tuple[str, tuple]]]:
    """All numbers in export order, and (name, shape) blocks to cut them back into arrays."""
    values: list[Fraction] = []
    blocks: list[tuple[str, tuple]] = []
    for i, layer in enumerate(network.layers):
        for row in layer.weight:
            values.extend(row)
        values.extend(layer.bias)
        blocks += [(f"layers[{i}].weight", (len(layer.weight), len(layer.weight[0]))),
                   (f"layers[{i}].bias", (len(layer.bias),))]
    if include_domain and network.box is not None:
        for lo, hi in network.box:
            values += [lo, hi]
        blocks.append(("domain.box", (len(network.box), 2)))
    return values, blocks


def _place(blocks: list[tuple[str, tuple]], index: int) -> str:
    for name, shape in blocks:
        size = int(np.prod(shape))
        if index < size:
            return name + "".join(f"[{k}]" for k in np.unravel_index(index, shape))
        index -= size
    raise IndexError(index)


def _short(q: Fraction) -> str:
    text = fmt(q)
    return text if len(text) <= 40 else f"{text[:20]}… ({len(text)} characters)"


def _nearest_float(q: Fraction) -> float:
    try:
        return float(q)  # int/int true division in CPython is correctly rounded
    except OverflowError:
        return math.inf if q > 0 else -math.inf


def float_layers(network: Network, dtype: str = "auto", rounding: str = "refuse", include_domain: bool = False
                 ) -> tuple[str, list[tuple[np.ndarray, np.ndarray]], np.ndarray | None, Rounding | None]:
    """(dtype name, [(W, b) float arrays], domain array d0×2 or None, rounding report or None).

    ``dtype``: "auto" (float32 if every number is exactly a float32, else float64),
    "float32" or "float64".  ``rounding``: "refuse" raises InputError naming the first
    number the dtype cannot hold exactly; "nearest" rounds to the nearest float64 (then
    to float32 if that is the dtype) and reports what changed.  The domain is converted
    only if ``include_domain``.
    """
    if dtype not in ("auto", "float32", "float64"):
        raise ValueError(f"unknown dtype {dtype!r}")
    if rounding not in ("refuse", "nearest"):
        raise ValueError(f"unknown rounding {rounding!r}")
    values, blocks = _flatten(network, include_domain)
    wide = np.array([_nearest_float(q) for q in values], dtype=np.float64)
    # q is a float64 iff its nearest float64 has the same (reduced) numerator and denominator.
    exact64 = np.array([math.isfinite(f) and f.as_integer_ratio() == (q.numerator, q.denominator)
                        for f, q in zip(wide.tolist(), values)], dtype=bool)
    with np.errstate(over="ignore"):
        narrow = wide.astype(np.float32)
    exact32 = exact64 & np.isfinite(narrow) & (narrow.astype(np.float64) == wide)
    if dtype == "auto":
        dtype = "float32" if exact32.all() else "float64"
    chosen, exact = (narrow, exact32) if dtype == "float32" else (wide, exact64)
    report = None
    if not exact.all():
        bad = np.flatnonzero(~exact)
        first = _place(blocks, int(bad[0]))
        if rounding == "refuse":
            raise InputError(first, f"{_short(values[bad[0]])} is not exactly representable as {dtype}; refusing "
                                    "to change the network (round explicitly, e.g. certify convert --round, "
                                    "to export anyway)")
        overflow = [int(i) for i in bad if not np.isfinite(chosen[i])]
        if overflow:
            raise InputError(_place(blocks, overflow[0]), f"{_short(values[overflow[0]])} overflows {dtype}")
        worst = max(abs(Fraction(float(chosen[i])) - values[i]) for i in bad)
        report = Rounding(len(bad), worst, first, dtype)
    offset = 0
    cut = []
    for _, shape in blocks:
        size = int(np.prod(shape))
        cut.append(chosen[offset:offset + size].reshape(shape))
        offset += size
    arrays = [(cut[2 * i], cut[2 * i + 1]) for i in range(len(network.layers))]
    domain = cut[-1] if include_domain and network.box is not None else None
    return dtype, arrays, domain, report


def decimal_text(q: Fraction) -> str | None:
    """The exact finite decimal expansion of q ("-0.375", "12.0"), or None if it has none.

    q has a finite decimal expansion iff its reduced denominator is 2^a·5^b; then
    q = n / 10^k with k = max(a, b).  The text always contains a point (formats such
    as VNN-LIB distinguish integer from real constants).
    """
    den = q.denominator
    a = b = 0
    while den % 2 == 0:
        den //= 2
        a += 1
    while den % 5 == 0:
        den //= 5
        b += 1
    if den != 1:
        return None
    k = max(a, b)
    n = abs(q.numerator) * (10 ** k // q.denominator)
    digits = str(n).rjust(k + 1, "0")
    whole, frac = digits[:len(digits) - k], digits[len(digits) - k:] or "0"
    return f"{'-' if q < 0 else ''}{whole}.{frac}"
