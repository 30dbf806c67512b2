"""VNN-LIB 2.0 equivalence queries: "is there an input where A and B differ?".

What this relies on (VNN-LIB 2.0, released December 2025: the standard document's
chapter "Query Language" and the LBNF grammar ``grammar.cf`` of the VNNLIB-Standard
repository; checked against the official parser, PyPI package ``vnnlib`` 1.0):

* A query is ``(vnnlib-version <2.0>)``, then network declarations, then assertions; its
  meaning is: *does an assignment of all declared inputs exist that satisfies every
  assertion?*  (sat = a counterexample exists; unsat = the claim holds.)
* ``(declare-network B (isomorphic-to A) …)`` says B has the same graph structure as A
  with possibly different weights (the standard's example use: equivalence after
  retraining or quantisation).  We emit it only when A and B have the same widths,
  since it requires identical input/output declarations and isomorphic graphs.
* Each network has its own input variables; *shared inputs* are expressed by
  asserting ``(== XA[0,i] XB[0,i])`` for every coordinate.
* Element type ``real``: the solver may read the ONNX models as functions over the
  reals — exactly certify's semantics (exact rational weights, exact arithmetic).
* Constants are decimal literals only (no fractions, no exponents), and a ``real``
  constant needs a decimal point (``3`` is rejected, ``3.0`` accepted).  A bound with
  no finite decimal expansion (1/3 ≤ x) is multiplied through by its denominator:
  ``(<= 1.0 (* 3.0 X[0,0]))`` — exact, no rounding.

The networks themselves are not part of a VNN-LIB query; they are passed to the
solver as ONNX files.  The declared shapes ``[1, d0]`` / ``[1, dL]`` match the ONNX
files certify writes (``certify convert NET.json NET.onnx``), which
``write_equivalence_query(..., onnx_paths=(…, …))`` can write alongside.
"""
from __future__ import annotations

import os
import re
from fractions import Fraction

from ..kernel.exact import InputError, fmt
from ..kernel.network import Box
from ..network import Network
from ..core.files import read_text
from .arrays import Rounding, decimal_text

__all__ = ["equivalence_query", "write_equivalence_query", "literal", "read_input_box"]

VERSION = "2.0"


def literal(q: Fraction) -> str:
    """A VNN-LIB real literal equal to q; q must have a finite decimal expansion."""
    text = decimal_text(Fraction(q))
    if text is None:
        raise ValueError(f"{fmt(q)} has no finite decimal expansion")
    return text


def _scaled(q: Fraction, var: str) -> tuple[str, str]:
    """(constant, term) with constant/term ⇔ q/var up to a positive factor: q ≤ x ⟺ num ≤ den·x."""
    if decimal_text(q) is not None:
        return literal(q), var
    return literal(Fraction(q.numerator)), f"(* {literal(Fraction(q.denominator))} {var})"


def equivalence_query(a: Network, b: Network, box: Box | None = None, names: tuple[str, str] = ("A", "B"),
                      comment: str | None = None) -> str:
    """The text of a VNN-LIB 2.0 query that is unsat iff f_A = f_B on ``box`` (R^d0 if None)."""
    d0, m = a.widths[0], a.widths[-1]
    if b.widths[0] != d0 or b.widths[-1] != m:
        raise InputError("", f"networks have different interfaces: {d0}→{m} and {b.widths[0]}→{b.widths[-1]}")
    if box is not None and len(box) != d0:
        raise InputError("", f"box has {len(box)} intervals but the input dimension is {d0}")
    na, nb = names
    xa, ya, xb, yb = f"X{na}", f"Y{na}", f"X{nb}", f"Y{nb}"
    lines = [f"; certify: equivalence query. unsat <=> networks {na} and {nb} compute the same function on "
             + ("the box below" if box is not None else f"all of R^{d0}") + "; sat <=> they differ somewhere.",
             f"; {na}: widths {'-'.join(map(str, a.widths))}" + (f" ({a.name})" if a.name else ""),
             f"; {nb}: widths {'-'.join(map(str, b.widths))}" + (f" ({b.name})" if b.name else ""),
             "; Element type real: the ONNX models are read as exact functions over the reals."]
    if comment:
        lines += [f"; {line}" for line in comment.splitlines()]
    lines += [f"(vnnlib-version <{VERSION}>)", "",
              f"(declare-network {na}",
              f"    (declare-input {xa} real [1,{d0}])",
              f"    (declare-output {ya} real [1,{m}])", ")",
              f"(declare-network {nb}"]
    if a.widths == b.widths:
        lines.append(f"    (isomorphic-to {na})")
    lines += [f"    (declare-input {xb} real [1,{d0}])",
              f"    (declare-output {yb} real [1,{m}])", ")", "",
              "; shared inputs"]
    lines += [f"(assert (== {xa}[0,{i}] {xb}[0,{i}]))" for i in range(d0)]
    if box is not None:
        lines.append("; input domain")
        for i, (lo, hi) in enumerate(box):
            c, t = _scaled(lo, f"{xa}[0,{i}]")
            lines.append(f"(assert (<= {c} {t}))")
            c, t = _scaled(hi, f"{xa}[0,{i}]")
            lines.append(f"(assert (<= {t} {c}))")
    lines.append("; some output differs")
    differ = " ".join(f"(< {ya}[0,{j}] {yb}[0,{j}]) (> {ya}[0,{j}] {yb}[0,{j}])" for j in range(m))
    lines.append(f"(assert (or {differ}))")
    return "\n".join(lines) + "\n"


def write_equivalence_query(a: Network, b: Network, box: Box | None, path: str | os.PathLike,
                            onnx_paths: tuple[str, str] | None = None, names: tuple[str, str] = ("A", "B"),
                            rounding: str = "refuse") -> list[Rounding]:
    """Write the query (and, if ``onnx_paths`` is given, the two ONNX models) atomically.

    Returns the rounding reports of the ONNX exports (empty: both exact).  With the
    default ``rounding="refuse"`` a network that no binary float format represents
    exactly is refused, because the query would be about a different network.
    """
    from ..core.files import write_bytes_atomic
    reports: list[Rounding] = []
    comment = None
    if onnx_paths is not None:
        from .onnx import write_onnx
        for net, out in zip((a, b), onnx_paths):
            report = write_onnx(net, out, rounding=rounding)
            if report is not None:
                reports.append(report)
        comment = (f"Models: {names[0]} = {os.path.basename(onnx_paths[0])}, "
                   f"{names[1]} = {os.path.basename(onnx_paths[1])}")
        if reports:
            comment += "\nWARNING: " + "; ".join(r.message() for r in reports)
    write_bytes_atomic(path, equivalence_query(a, b, box, names, comment).encode("utf-8"))
    return reports


# --------------------------------------------------------------------------- reading input boxes

_BOUND = re.compile(r"\(\s*assert\s+\(\s*(<=|>=)\s+X_?\[?(?:0\s*,\s*)?(\d+)\]?\s+([-+0-9.eE]+)\s*\)\s*\)")


def read_input_box(path: str | os.PathLike, dim: int) -> Box:
    """The input box of a VNN-LIB property: ``(assert (<= X_i c))`` / ``(assert (>= X_i c))``
    for every input (VNN-COMP style; ``X[0,i]`` of VNN-LIB 2.0 is read too).  Decimal constants
    are read exactly.  Every input needs both bounds; other assertions (the output property)
    are ignored — only the box is used."""
    name = os.fspath(path)
    text = re.sub(r";[^\n]*", "", read_text(name, "a VNN-LIB file"))
    lo: dict[int, Fraction] = {}
    hi: dict[int, Fraction] = {}
    for op, index, value in _BOUND.findall(text):
        i = int(index)
        try:
            q = Fraction(value)
        except (ValueError, ZeroDivisionError):
            raise InputError(name, f"X_{i}: not a number: {value!r}") from None
        if op == "<=":  # repeated bounds intersect
            hi[i] = min(hi.get(i, q), q)
        else:
            lo[i] = max(lo.get(i, q), q)
    extra = sorted((set(lo) | set(hi)) - set(range(dim)))
    if extra:
        raise InputError(name, f"X_{extra[0]}: the network has only {dim} inputs")
    for i in range(dim):
        if i not in lo or i not in hi:
            raise InputError(name, f"X_{i}: needs both a lower and an upper bound (assert (>= X_{i} c)), (assert (<= X_{i} c))")
        if lo[i] > hi[i]:
            raise InputError(name, f"X_{i}: empty interval: {fmt(lo[i])} > {fmt(hi[i])}")
    return tuple((lo[i], hi[i]) for i in range(dim))
