"""Exact rationals: parsing with JSON paths, formatting, and exact affine maps.

This is the one place in certify where numbers are read and written.  Engines
import it; the kernel owns it so that the trusted checker and the engines read a
certificate the same way (DESIGN.md, "Network format").

Accepted numbers: JSON integers; strings "p/q", integer and decimal strings
("0.25", "-1e-3") in ASCII digits (at most 4300 of them), all taken exactly; JSON floats taken as their exact binary64
value (a trained float network is a network with dyadic rational weights).
Rejected: booleans, NaN, infinities, "1/0", anything else.

Trusts: the standard library's ``fractions``, ``re`` and ``math`` only.
"""
from __future__ import annotations

import math
import re
from fractions import Fraction
from operator import attrgetter
from typing import Sequence

Q = Fraction
Vector = tuple[Fraction, ...]
Matrix = tuple[Vector, ...]

# ASCII digits only (re.ASCII): "২" (Bengali two) is a digit to Python's int(), not to a
# certificate, and a number that displays differently from how it parses has no place here.
_RATIO = re.compile(r"[+-]?\d+/\d+", re.ASCII)
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_SPACE = " \t\r\n"  # the only white space stripped around a number string
# Python refuses to convert integer strings of more than 4300 digits (sys.int_info); so does
# the format, with an error that names the place instead of a ValueError from int().
MAX_DIGITS = 4300
# A decimal exponent this large would make an integer with more digits than any
# weight needs; refusing it keeps a hostile file from exhausting memory.
_MAX_EXPONENT = 4000


class InputError(ValueError):
    """Bad input: carries the JSON path of the fault (e.g. ``layers[1].weight[0][2]``)."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


def rational(value: object, path: str = "") -> Fraction:
    """Read one number exactly; raise InputError naming ``path`` if it is not a finite rational."""
    kind = type(value)
    if kind is str:
        return _parse_string(value, path)  # type: ignore[arg-type]
    if kind is float:
        return _parse_float(value, path)  # type: ignore[arg-type]
    if kind is int:
        return Fraction(value)  # type: ignore[arg-type]
    if isinstance(value, bool):
        raise InputError(path, f"expected a number, got {json_repr(value)}")
    if isinstance(value, int):
        return Fraction(int(value))
    if isinstance(value, Fraction):
        return value
    raise InputError(path, f"expected a number, got {json_repr(value)}")


def _parse_float(value: float, path: str) -> Fraction:
    if not math.isfinite(value):
        raise InputError(path, f"expected a finite number, got {value}")
    return Fraction(*value.as_integer_ratio())


def _parse_string(value: str, path: str) -> Fraction:
    text = value.strip(_SPACE)
    if sum(c.isdigit() for c in text) > MAX_DIGITS:
        raise InputError(path, f"a number string may have at most {MAX_DIGITS} digits")
    if _RATIO.fullmatch(text):
        num, den = text.split("/")
        if int(den) == 0:
            raise InputError(path, f"division by zero in {json_repr(value)}")
        return Fraction(int(num), int(den))
    match = _DECIMAL.fullmatch(text)
    if match:
        exponent = match.group(3)
        if exponent and abs(int(exponent[1:])) > _MAX_EXPONENT:
            raise InputError(path, f"exponent out of range in {json_repr(value)}")
        return Fraction(text)
    raise InputError(path, f"not a rational number: {json_repr(value)}")


def json_repr(value: object) -> str:
    """Short human description of a JSON value for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return f"a list of length {len(value)}"
    if isinstance(value, dict):
        return "an object"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def fmt(q: Fraction | int) -> str:
    """Canonical text of a rational: "p/q" or "p" (what certificates store)."""
    # str(Fraction) is exactly this form ("p/q", or "p" for integers) and much faster.
    return str(q) if type(q) is Fraction or type(q) is int else str(Fraction(q))


def fmt_vector(v: Sequence[Fraction]) -> list[str]:
    return [fmt(x) for x in v]


def fmt_matrix(m: Sequence[Sequence[Fraction]]) -> list[list[str]]:
    return [[fmt(x) for x in row] for row in m]


def vector(value: object, path: str, length: int | None = None) -> Vector:
    """A JSON list of numbers, optionally of a given length."""
    if not isinstance(value, list):
        raise InputError(path, f"expected a list of numbers, got {json_repr(value)}")
    if length is not None and len(value) != length:
        raise InputError(path, f"expected {length} entries, got {len(value)}")
    return tuple(rational(x, f"{path}[{i}]") for i, x in enumerate(value))


def matrix(value: object, path: str, rows: int | None = None, cols: int | None = None) -> Matrix:
    """A JSON list of equal-length rows; ``rows``/``cols`` fix the shape when given."""
    if not isinstance(value, list):
        raise InputError(path, f"expected a list of rows, got {json_repr(value)}")
    if rows is not None and len(value) != rows:
        raise InputError(path, f"expected {rows} rows, got {len(value)}")
    out = []
    for i, row in enumerate(value):
        if cols is None and i == 0 and isinstance(row, list):
            cols = len(row)
        out.append(vector(row, f"{path}[{i}]", cols))
    return tuple(out)


def integer(value: object, path: str, lo: int = 0, hi: int | None = None) -> int:
    """A JSON integer in [lo, hi) (indices in certificates)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(path, f"expected an integer, got {json_repr(value)}")
    if value < lo or (hi is not None and value >= hi):
        bound = f"[{lo}, {hi})" if hi is not None else f">= {lo}"
        raise InputError(path, f"index {value} out of range {bound}")
    return value


# --------------------------------------------------------------------------- exact affine maps
#
# Fraction arithmetic costs microseconds per operation.  An affine map is evaluated
# over Python integers instead: each row is stored once as integer numerators over
# one denominator, the input vector is brought to a common denominator, and only
# the results become Fractions again.  The arithmetic is exact either way.

IntRow = tuple[tuple[int, ...], int]  # (numerators, positive common denominator)


_num = attrgetter("numerator")
_den = attrgetter("denominator")


def int_row(row: Sequence[Fraction]) -> IntRow:
    """Write a rational row as integer numerators over their least common denominator."""
    dens = list(map(_den, row))
    den = math.lcm(*dens) if dens else 1
    return tuple([n * (den // d) for n, d in zip(map(_num, row), dens)]), den


def common_denominator(x: Sequence[Fraction]) -> tuple[list[int], int]:
    nums, den = int_row(x)
    return list(nums), den


class AffineMap:
    """x ↦ W x + b with exact rational W, b; evaluation runs on integers."""

    __slots__ = ("rows", "bias", "_int_rows")

    def __init__(self, weight: Matrix, bias: Vector):
        self.rows = weight
        self.bias = bias
        self._int_rows = [int_row(r) for r in weight]

    def __call__(self, x: Sequence[Fraction]) -> Vector:
        nums, den = common_denominator(x)
        out = []
        for (row, row_den), b in zip(self._int_rows, self.bias):
            acc = sum(map(int.__mul__, row, nums)) if nums else 0
            out.append(Fraction(acc, row_den * den) + b)
        return tuple(out)


def relu(v: Sequence[Fraction]) -> Vector:
    return tuple(q if q > 0 else Fraction(0) for q in v)


def dot(u: Sequence[Fraction], v: Sequence[Fraction]) -> Fraction:
    nu, du = common_denominator(u)
    nv, dv = common_denominator(v)
    return Fraction(sum(map(int.__mul__, nu, nv)), du * dv)


def primitive(row: Sequence[Fraction]) -> tuple[tuple[int, ...], Fraction]:
    """Write a nonzero rational row as s·p with p a primitive integer vector and s > 0.

    p is invariant under positive rescaling of the row, which makes it a canonical
    key for the ray {c·row : c > 0}; the sign is kept (no orientation is forgotten).
    """
    nums, den = int_row(row)
    g = math.gcd(*nums)
    if g == 0:
        raise ValueError("zero row has no primitive form")
    return tuple(n // g for n in nums), Fraction(g, den)


def no_duplicate_keys(pairs: list) -> dict:
    """``object_pairs_hook`` for ``json.loads`` that rejects an object with a repeated key.

    json.loads keeps the last of two equal keys silently; other readers keep the first, so
    one file could show a reader one claim (or network) while certify checks another."""
    obj: dict = {}
    for key, value in pairs:
        if key in obj:
            raise ValueError(f"duplicate key {key!r}")
        obj[key] = value
    return obj
