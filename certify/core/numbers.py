"""Numbers a user gives: read exactly, refused in one line when Python cannot hold them.

Two limits apply to numbers read from a user's file or option (DESIGN.md, "Network format"):

* **Digits.** Python refuses to convert an integer string of more than
  ``sys.get_int_max_str_digits()`` digits (4300 by default), a guard against quadratic-time
  conversion; ``kernel.exact.rational`` then raises a bare ``ValueError``.  ``read_rational``
  turns it into an ``InputError`` naming the place, and ``long_number_place`` finds the place
  in a parsed JSON document, so no reader reports it as an internal error.
* **Magnitude of a domain.** A question's domain is searched in floating point (sampling,
  LPs) before anything is verified exactly, so every bound must have a finite float:
  ``check_magnitude`` refuses a bound with |q| > ``MAX_BOUND`` = 10^300 (the float maximum is
  about 1.8·10^308; the margin keeps widths hi − lo finite).  The bound stays exact; only
  the float proposals need the limit.  Network weights have no such limit when read; the
  float view of a network refuses them when it is built (``Network.float_layers``).
"""
from __future__ import annotations

import sys
from fractions import Fraction
from typing import Any, Iterator, Sequence

from ..kernel.exact import InputError, fmt, rational

__all__ = ["read_rational", "long_number_place", "check_magnitude", "MAX_BOUND", "digit_limit"]

MAX_BOUND = 10 ** 300


def digit_limit() -> int:
    """The longest integer string Python converts (0 means no limit)."""
    get = getattr(sys, "get_int_max_str_digits", None)
    return get() if get else 0


def _too_long(error: ValueError) -> bool:
    return "digits" in str(error) and "integer string conversion" in str(error)


def too_long_message() -> str:
    return f"number with more than {digit_limit()} digits (Python's limit for integer strings)"


def read_rational(value: object, where: str) -> Fraction:
    """``kernel.exact.rational``, with the digit limit reported as an InputError at ``where``."""
    try:
        return rational(value, where)
    except InputError:
        raise
    except ValueError as e:
        if _too_long(e):
            raise InputError(where, too_long_message()) from None
        raise


def long_number_place(obj: Any, path: str = "") -> str | None:
    """The JSON path of the first string in ``obj`` with more digits than Python converts."""
    limit = digit_limit()
    if not limit:
        return None
    for place, text in _strings(obj, path):
        if sum(ch.isdigit() for ch in text) > limit:
            return place
    return None


def _strings(obj: Any, path: str) -> Iterator[tuple[str, str]]:
    stack: list[tuple[Any, str]] = [(obj, path)]
    while stack:
        item, place = stack.pop()
        if isinstance(item, str):
            yield place, item
        elif isinstance(item, dict):
            stack.extend((v, f"{place}.{k}" if place else str(k)) for k, v in reversed(list(item.items())))
        elif isinstance(item, list):
            stack.extend((v, f"{place}[{i}]") for i, v in reversed(list(enumerate(item))))


def reraise_too_long(error: ValueError, obj: Any, path: str) -> None:
    """Turn the digit-limit ValueError met while parsing ``obj`` into an InputError at its place."""
    if not _too_long(error):
        raise error
    place = long_number_place(obj)
    where = f"{path}: {place}" if path and place else place or path
    raise InputError(where, too_long_message()) from None


def check_magnitude(box: Sequence[tuple[Fraction, Fraction]], where: str, vnnlib: bool = False) -> None:
    """Refuse a box with a bound of magnitude above ``MAX_BOUND`` (see the module docstring);
    the error names ``where[i]`` (``where: X_i`` for a VNN-LIB file)."""
    for i, pair in enumerate(box):
        for q in pair:
            if abs(q) > MAX_BOUND:
                text = fmt(q)
                short = text if len(text) <= 24 else f"{text[:12]}… ({len(text)} characters)"
                raise InputError(f"{where}: X_{i}" if vnnlib else f"{where}[{i}]", f"bound {short} exceeds 10^300 in magnitude; certify "
                                                  "searches a domain in floating point, so bounds must be "
                                                  "at most 10^300")
