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
from typing import Any

from ..kernel.exact import InputError, fmt, rational
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
#
# A property is read as S-expressions (balanced parentheses, checked), every assertion is
# checked for arity (a comparison has exactly two terms), and only then are the input
# bounds taken: top-level ``(assert (<= X_i c))`` / ``(assert (>= X_i c))``.

Sexp = Any  # an atom (str) or a list of Sexp
_COMPARE = {"<=", ">=", "<", ">", "=", "==", "!="}
_CONNECT = {"and", "or"}
_ARITH = {"+", "-", "*", "/"}
_INPUT = re.compile(r"X_?(?:\[(?:0,)?(\d{1,9})\]|(\d{1,9}))")
_NUMBER = re.compile(r"[-+]?[0-9.]")
_TOKEN = re.compile(r"\(|\)|[^\s()]+")


def parse_sexps(text: str, name: str) -> list[tuple[int, Sexp]]:
    """Top-level forms of ``text`` (comments removed) with their line numbers; InputError on
    unbalanced parentheses, naming the line."""
    text = re.sub(r";[^\n]*", "", text)
    text = re.sub(r"\[[^\]()\n]*\]", lambda m: re.sub(r"\s+", "", m.group(0)), text)  # X[0, 3] → X[0,3]
    forms: list[tuple[int, Sexp]] = []
    stack: list[tuple[int, list]] = []
    for m in _TOKEN.finditer(text):
        tok = m.group(0)
        line = text.count("\n", 0, m.start()) + 1
        if tok == "(":
            stack.append((line, []))
        elif tok == ")":
            if not stack:
                raise InputError(f"{name}: line {line}", "unbalanced parentheses: ')' closes nothing")
            opened, form = stack.pop()
            if stack:
                stack[-1][1].append(form)
            else:
                forms.append((opened, form))
        elif stack:
            stack[-1][1].append(tok)
        else:
            raise InputError(f"{name}: line {line}", f"{tok[:40]!r} outside parentheses")
    if stack:
        raise InputError(f"{name}: line {stack[-1][0]}", "unbalanced parentheses: '(' is never closed")
    return forms


def _check_formula(e: Sexp, where: str) -> None:
    """An assertion's body is a comparison of two terms or a connective of formulas."""
    if not isinstance(e, list) or not e or not isinstance(e[0], str):
        raise InputError(where, "expected a formula such as (<= X_0 1.0)")
    head, args = e[0], e[1:]
    if head in _COMPARE:
        if len(args) != 2:
            raise InputError(where, f"({head} …) needs exactly two terms, got {len(args)}")
        for a in args:
            _check_term(a, where)
    elif head in _CONNECT:
        if not args:
            raise InputError(where, f"({head}) needs at least one formula")
        for a in args:
            _check_formula(a, where)
    elif head == "not":
        if len(args) != 1:
            raise InputError(where, f"(not …) needs exactly one formula, got {len(args)}")
        _check_formula(args[0], where)
    else:
        raise InputError(where, f"unknown operator {head[:40]!r} in an assertion")


def _check_term(e: Sexp, where: str) -> None:
    if isinstance(e, str):
        return
    if not e or not isinstance(e[0], str) or e[0] not in _ARITH or len(e) < 2:
        raise InputError(where, "expected a term: a variable, a number or (+|-|*|/ term …)")
    for a in e[1:]:
        _check_term(a, where)


def read_input_box(path: str | os.PathLike, dim: int) -> Box:
    """The input box of a VNN-LIB property: ``(assert (<= X_i c))`` / ``(assert (>= X_i c))``
    for every input (VNN-COMP style; ``X[0,i]`` of VNN-LIB 2.0 is read too).  Decimal constants
    are read exactly (``kernel.exact.rational``: exponents beyond 4000 are refused at once).
    Every input needs both bounds.  The whole file must be well formed (balanced parentheses,
    assertions with the right number of terms); other assertions (the output property) are
    then ignored — only the box is used."""
    name = os.fspath(path)
    lo: dict[int, Fraction] = {}
    hi: dict[int, Fraction] = {}
    for line, form in parse_sexps(read_text(name, "a VNN-LIB file"), name):
        if not form or form[0] != "assert":
            continue
        where = f"{name}: line {line}"
        if len(form) != 2:
            raise InputError(where, f"(assert …) needs exactly one formula, got {len(form) - 1}")
        body = form[1]
        _check_formula(body, where)
        if body[0] not in ("<=", ">=") or not isinstance(body[1], str) or not isinstance(body[2], str):
            continue
        var = _INPUT.fullmatch(body[1])
        if not var or not _NUMBER.match(body[2]):
            continue  # not an input bound (an output or a relational assertion)
        i = int(var.group(1) or var.group(2))
        q = rational(body[2], f"{where}: X_{i}")
        if body[0] == "<=":  # repeated bounds intersect
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
