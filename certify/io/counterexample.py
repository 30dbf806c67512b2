"""A counterexample point on its own, in formats other tools read.

* ``.json``: ``{"x": [...], "fA": [...], "fB": [...], "gap": "p/q"}`` with exact rationals as
  strings, and the same values as decimals under ``x_decimal``, ``fA_decimal``, ``fB_decimal``,
  ``gap_decimal``;
* ``.txt`` / ``.counterexample``: the VNN-COMP result convention — a first line ``sat``, then
  ``((X_0 v) (X_1 v) … (Y_0 v) …)`` with the input and network A's outputs as decimals
  (17 significant digits, so a float64 reader gets the nearest double of the exact value).
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..core.files import write_atomic, write_bytes_atomic

__all__ = ["write_counterexample", "vnncomp_text"]


def _float_text(q: Fraction) -> str:
    return repr(float(q)) if abs(q) < 10 ** 300 else ("1e300" if q > 0 else "-1e300")


def vnncomp_text(x: list[Fraction], y: list[Fraction]) -> str:
    """The VNN-COMP "sat" result with the assignment of X_i and Y_j."""
    items = [f"(X_{i} {_float_text(v)})" for i, v in enumerate(x)]
    items += [f"(Y_{j} {_float_text(v)})" for j, v in enumerate(y)]
    return "sat\n(" + "\n ".join(items) + ")\n"


def write_counterexample(path: str, details: dict[str, Any]) -> None:
    """Write the point of a ``not-equivalent`` answer (its ``details``) to ``path`` atomically."""
    x = [Fraction(v) for v in details["x"]]
    fa = [Fraction(v) for v in details["fA"]]
    if path.lower().endswith(".json"):
        keys = ("x", "fA", "fB", "gap", "x_decimal", "fA_decimal", "fB_decimal", "gap_decimal")
        write_atomic(path, {k: details[k] for k in keys if k in details})
    else:
        write_bytes_atomic(path, vnncomp_text(x, fa).encode("ascii"))
