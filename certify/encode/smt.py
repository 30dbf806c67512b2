"""SMT over the rationals: ∃x ∈ Ω with f_A(x) ≠ f_B(x)?  (theory.md §4.2, complete method B)

Every hidden neuron is ``a = If(z > 0, z, 0)`` over ``Real`` (no big-M, so R^d0 is
allowed).  ``decide`` asks, output by output, f_A,i > f_B,i and f_A,i < f_B,i; a model
is an exact rational counterexample, re-checked by exact evaluation.  "unsat" on every
query means equal — z3's word, which the kernel does not accept (``certified: false``).

``write_smt2`` writes the same encoding as SMT-LIB 2 (logic QF_LRA, rationals written
exactly as ``(/ p q)``); z3, cvc5 or any QF_LRA solver can read it.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

from ..kernel.network import Box, Net, affine_maps, evaluate, in_box

__all__ = ["decide", "direct_query", "write_smt2", "SmtResult", "network_terms"]


@dataclass
class SmtResult:
    status: str  # "sat" (counterexample), "unsat" (equal, uncertified), "unknown"
    counterexample: tuple | None = None  # (x, fA, fB), exact
    seconds: float = 0.0
    queries: int = 0
    reason: str = ""


def _q(z3, q: Fraction):
    return z3.Q(q.numerator, q.denominator) if q.denominator != 1 else z3.RealVal(q.numerator)


def network_terms(z3, net: Net, xs: Sequence, prefix: str = "") -> list:
    """The outputs of ``net`` as z3 terms over the inputs ``xs`` (ReLU as If over Reals)."""
    a = list(xs)
    for t, layer in enumerate(net.layers):
        zs = []
        for row, b in zip(layer.weight, layer.bias):
            terms = [_q(z3, w) * v for w, v in zip(row, a) if w]
            if b:
                terms.append(_q(z3, b))
            zs.append(z3.Sum(terms) if terms else z3.RealVal(0))
        if t + 1 < len(net.layers):
            a = [z3.If(z > 0, z, z3.RealVal(0)) for z in zs]
        else:
            a = zs
    return a


def _setup(a: Net, b: Net, box: Box | None):
    import z3
    xs = [z3.Real(f"x{i}") for i in range(a.widths[0])]
    domain = []
    if box is not None:
        for x, (lo, hi) in zip(xs, box):
            domain += [x >= _q(z3, lo), x <= _q(z3, hi)]
    return z3, xs, domain, network_terms(z3, a, xs), network_terms(z3, b, xs)


def _model_point(z3, model, xs) -> list[Fraction]:
    out = []
    for x in xs:
        v = model.eval(x, model_completion=True)
        out.append(Fraction(v.as_fraction()))
    return out


WATCHDOG_GRACE = 0.5  # seconds past the deadline before the watchdog interrupts z3


def _watchdog(z3, seconds: float | None):
    """Interrupt z3 after ``seconds`` (its own timeout is not always honoured promptly)."""
    import threading
    if seconds is None:
        return None
    timer = threading.Timer(max(seconds, 0.001), lambda: z3.main_ctx().interrupt())
    timer.daemon = True
    timer.start()
    return timer


def decide(a: Net, b: Net, box: Box | None, timeout: float | None = None) -> SmtResult:
    """Per output i: is f_A,i > f_B,i or f_A,i < f_B,i somewhere in the domain?"""
    start = time.perf_counter()
    z3, xs, domain, fa, fb = _setup(a, b, box)
    # the watchdog only backs up z3's own timeout: fired at the same instant, its interrupt could
    # land after check() returned and leave the shared context cancelled for every later call
    timer = _watchdog(z3, None if timeout is None else timeout - (time.perf_counter() - start) + WATCHDOG_GRACE)
    try:
        return _decide(z3, a, b, box, xs, domain, fa, fb, start, timeout)
    except z3.Z3Exception as e:
        # the watchdog's interrupt can land inside push/add ("push canceled"), not only in
        # check: the time is up, so z3 decided nothing
        return SmtResult("unknown", None, time.perf_counter() - start, 0, f"z3 interrupted ({e})")
    finally:
        if timer is not None:
            timer.cancel()


def _decide(z3, a, b, box, xs, domain, fa, fb, start: float, timeout: float | None) -> SmtResult:
    solver = z3.Solver()
    solver.add(*domain)
    ma, mb = affine_maps(a), affine_maps(b)
    queries = 0
    undecided = False
    for u, v in zip(fa, fb):
        for query in (u > v, u < v):
            left = None if timeout is None else timeout - (time.perf_counter() - start)
            if left is not None and left <= 0:
                return SmtResult("unknown", None, time.perf_counter() - start, queries, "timeout")
            if left is not None:
                solver.set("timeout", max(int(left * 1000), 1))
            solver.push()
            solver.add(query)
            verdict = solver.check()
            queries += 1
            if verdict == z3.sat:
                x = _model_point(z3, solver.model(), xs)
                solver.pop()
                ea, eb = evaluate(ma, x), evaluate(mb, x)
                if in_box(x, box) and ea != eb:
                    return SmtResult("sat", (x, ea, eb), time.perf_counter() - start, queries)
                undecided = True  # a model that does not re-check: never trust it
                continue
            solver.pop()
            if verdict != z3.unsat:
                undecided = True
    seconds = time.perf_counter() - start
    if undecided:
        return SmtResult("unknown", None, seconds, queries, "z3 answered unknown (or timed out)")
    return SmtResult("unsat", None, seconds, queries)


def direct_query(a: Net, b: Net, box: Box | None, timeout: float | None = None) -> SmtResult:
    """The baseline of bench/equiv_vs_z3.py: one query ∃x ∈ Ω: f_A(x) ≠ f_B(x)."""
    start = time.perf_counter()
    z3, xs, domain, fa, fb = _setup(a, b, box)
    solver = z3.Solver()
    if timeout is not None:
        solver.set("timeout", max(int(timeout * 1000), 1))
    solver.add(*domain)
    solver.add(z3.Or([u != v for u, v in zip(fa, fb)]))
    timer = _watchdog(z3, None if timeout is None else timeout + 1.0)
    try:
        verdict = solver.check()
    finally:
        if timer is not None:
            timer.cancel()
    seconds = time.perf_counter() - start
    if verdict == z3.sat:
        x = _model_point(z3, solver.model(), xs)
        ea, eb = evaluate(affine_maps(a), x), evaluate(affine_maps(b), x)
        if in_box(x, box) and ea != eb:
            return SmtResult("sat", (x, ea, eb), seconds, 1)
        return SmtResult("unknown", None, seconds, 1, "model does not re-check")
    return SmtResult("unsat" if verdict == z3.unsat else "unknown", None, seconds, 1)


# --------------------------------------------------------------------------- SMT-LIB 2

def _num(q: Fraction) -> str:
    """An exact SMT-LIB real literal: n, (- n), (/ p q), (- (/ p q))."""
    mag = abs(q)
    text = str(mag.numerator) if mag.denominator == 1 else f"(/ {mag.numerator} {mag.denominator})"
    return f"(- {text})" if q < 0 else text


def _define_net(lines: list[str], net: Net, name: str, xs: list[str]) -> list[str]:
    a = xs
    for t, layer in enumerate(net.layers):
        last = t + 1 == len(net.layers)
        names = []
        for j, (row, b) in enumerate(zip(layer.weight, layer.bias)):
            terms = [f"(* {_num(w)} {v})" for w, v in zip(row, a) if w]
            if b or not terms:
                terms.append(_num(b))
            body = terms[0] if len(terms) == 1 else f"(+ {' '.join(terms)})"
            z = f"{name}_y{j}" if last else f"{name}_z{t + 1}_{j}"
            lines.append(f"(define-fun {z} () Real {body})")
            if last:
                names.append(z)
            else:
                act = f"{name}_a{t + 1}_{j}"
                lines.append(f"(define-fun {act} () Real (ite (> {z} 0) {z} 0))")
                names.append(act)
        a = names
    return a


def write_smt2(a: Net, b: Net | None, box: Box | None, title: str = "") -> str:
    """SMT-LIB 2 text (QF_LRA, exact rationals).  With B: sat ⇔ ∃x ∈ Ω, f_A(x) ≠ f_B(x).
    With A alone: the network's definition, y_i = f_A,i(x) as declared constants, x in
    the domain — a satisfiable base to which users add a property of their own."""
    d = a.widths[0]
    xs = [f"x{i}" for i in range(d)]
    lines = [f"; {title}" if title else "; certify export",
             "; ReLU a = max(z, 0) written (ite (> z 0) z 0); numbers are exact rationals.",
             ("; sat <=> some x in the domain has f_A(x) != f_B(x) (a model is a counterexample);"
              " unsat <=> f_A = f_B on the domain." if b is not None else
              "; the network alone: y_i = f_i(x) for x in the domain (sat); add your property."),
             "(set-logic QF_LRA)"]
    lines += [f"(declare-fun {x} () Real)" for x in xs]
    if box is not None:
        for x, (lo, hi) in zip(xs, box):
            lines.append(f"(assert (and (<= {_num(lo)} {x}) (<= {x} {_num(hi)})))")
    ya = _define_net(lines, a, "A", xs)
    if b is not None:
        yb = _define_net(lines, b, "B", xs)
        diffs = [f"(not (= {u} {v}))" for u, v in zip(ya, yb)]
        lines.append(f"(assert {diffs[0] if len(diffs) == 1 else '(or ' + ' '.join(diffs) + ')'})")
    else:
        for i, y in enumerate(ya):
            lines.append(f"(declare-fun y{i} () Real)")
            lines.append(f"(assert (= y{i} {y}))")
    lines += ["(check-sat)", "(exit)"]
    return "\n".join(lines) + "\n"
