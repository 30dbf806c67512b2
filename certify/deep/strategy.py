"""Deciding f_A = f_B on R^d0 or a box: the strategy of theory.md §4.2.

Order (``method="auto"``): exact sampling refutation → orbit (B ∈ G·A) → shallow
canonical form (complete for one hidden layer) → region tree under a budget
(``certify.deep.regiontree``, complete) → SMT over the rationals (z3) → undecided.
Every yes/no is a certificate the kernel has accepted, with one documented
exception: z3's "unsat" is reported as ``certified: false`` (the kernel does not take
a solver's word); when a certificate is asked for, the region tree is built instead.

Single methods: ``sample``, ``orbit``, ``shallow``, ``tree``, ``smt``, ``milp`` (big-M
MILP on a box: a counterexample search, never a proof of equality).
"""
from __future__ import annotations

import time
from fractions import Fraction
from typing import Sequence

from . import sampling
from ..shallow import canonical as shallow
from ..group import orbit as symmetry
from ..core.answer import NO, UNDECIDED, YES, Answer, undecided
from ..core.certificate import claim, envelope, finish
from ..kernel.exact import InputError, Vector, fmt, fmt_vector
from ..kernel.shallow import canonical_to_json
from ..network import Box, Network

METHODS = ("auto", "sample", "orbit", "shallow", "tree", "smt", "milp")
AUTO_TREE_BUDGET = 100_000  # region-tree nodes before auto moves on to z3
AUTO_TREE_SECONDS = 60.0  # ... or seconds, when no --timeout is given (else half of it)

THEOREM_ORBIT = "§1: B = g·A for g in G = Pr ⋉ Sc, and σ(λz) = λσ(z) for λ > 0"
THEOREM_SHALLOW = {False: "Theorem 3.1: shallow canonical forms agree on R^d",
                   True: "Theorem 3.2: shallow canonical forms agree on the box"}
THEOREM_CEX = "exact evaluation: f_A(x) ≠ f_B(x) at a rational x in the domain"
THEOREM_TREE = ("§4.2 (region tree): the leaves cover the domain, and on each leaf exact LP-duality "
                "(Farkas) multipliers prove f_A − f_B ≤ 0 and ≥ 0, or that the leaf is empty")
THEOREM_SMT = "§4.2 (method B): z3 over the rationals finds no x with f_A(x) ≠ f_B(x) (uncertified)"


def resolve_domain(a: Network, b: Network, box: Box | None) -> Box | None:
    """The domain of an equivalence question: the explicit box, else the networks' own."""
    if a.widths[0] != b.widths[0]:
        raise InputError("", f"input dimensions differ: A has {a.widths[0]}, B has {b.widths[0]}")
    if a.widths[-1] != b.widths[-1]:
        raise InputError("", f"output dimensions differ: A has {a.widths[-1]}, B has {b.widths[-1]}")
    if box is not None:
        if len(box) != a.widths[0]:
            raise InputError("--box", f"has {len(box)} intervals, the input dimension is {a.widths[0]}")
        return box
    if a.box is not None and b.box is not None and a.box != b.box:
        raise InputError("domain", "A and B declare different boxes; choose one with --box")
    return a.box if a.box is not None else b.box


def counterexample_answer(a: Network, b: Network, box: Box | None, x: Sequence[Fraction],
                          fa: Vector, fb: Vector, method: str, seconds: float) -> Answer:
    evidence = {"x": fmt_vector(x), "fA": fmt_vector(fa), "fB": fmt_vector(fb)}
    cert = envelope("not-equivalent", claim("not-equivalent", {"A": a, "B": b}, box), evidence,
                    method, THEOREM_CEX, seconds)
    return _judged("not-equivalent", NO, THEOREM_CEX, method,
                   f"not equivalent: f_A(x) = {_show(fa)} but f_B(x) = {_show(fb)} at x = {_show(x)}",
                   {"x": evidence["x"], "fA": evidence["fA"], "fB": evidence["fB"]}, cert, seconds)


def _show(v: Sequence[Fraction], limit: int = 6) -> str:
    items = [fmt(x) for x in v[:limit]]
    return "(" + ", ".join(items) + (", …" if len(v) > limit else "") + ")"


def _judged(verdict: str, code: int, theorem: str, method: str, summary: str, details: dict,
            cert: dict, seconds: float) -> Answer:
    cert, kv, check_s = finish(cert)
    answer = Answer("equiv", verdict, code, theorem, method, summary, details, cert, kv,
                    {"generate": seconds, "kernel": check_s})
    if not kv.valid:  # an engine bug must never become an answer
        answer.verdict, answer.code = "unknown", UNDECIDED
        answer.summary = f"undecided: the kernel rejected the {method} certificate ({kv.reason})"
    return answer


def by_orbit(a: Network, b: Network, box: Box | None, start: float) -> Answer | None:
    def judge(g: symmetry.GroupElement | None) -> Answer | None:
        if g is None:
            return None
        evidence = {"method": "orbit", **g.to_json()}
        cert = envelope("equivalent", claim("equivalent", {"A": a, "B": b}, box), evidence, "orbit",
                        THEOREM_ORBIT, time.perf_counter() - start)
        return _judged("equivalent", YES, THEOREM_ORBIT, "orbit", "equivalent: B is a permutation and "
                       "positive rescaling of A", {"group_element": g.to_json()}, cert, time.perf_counter() - start)
    try:
        return symmetry.kernel_judged(a, b, judge)
    except symmetry.Undecided:
        return None


def by_shallow(a: Network, b: Network, box: Box | None, start: float) -> Answer:
    der = shallow.derive({"A": a, "B": b}, box)
    theorem = THEOREM_SHALLOW[box is not None]
    form_a, form_b = der.forms["A"], der.forms["B"]
    if form_a == form_b:
        evidence = {"method": "shallow-canonical",
                    "keys": [[str(x) for x in k] for k in der.keys],
                    "derivations": {n: [_step_json(s) for s in steps] for n, steps in der.steps.items()},
                    "canonical": canonical_to_json(form_a)}
        cert = envelope("equivalent", claim("equivalent", {"A": a, "B": b}, box), evidence,
                        "shallow-canonical", theorem, time.perf_counter() - start)
        return _judged("equivalent", YES, theorem, "shallow-canonical",
                       f"equivalent: both canonical forms have {len(form_a[2])} kink terms and the same affine part",
                       {"kinks": len(form_a[2])}, cert, time.perf_counter() - start)
    cex = shallow.counterexample(a, b, box)
    if cex is None:  # cannot happen by Theorem 3.1/3.2; refuse to guess if it does
        return undecided("equiv", "shallow-canonical",
                         "undecided: canonical forms differ but no counterexample was constructed (bug?)")
    return counterexample_answer(a, b, box, *cex, "shallow-canonical", time.perf_counter() - start)


def _step_json(step: dict) -> dict:
    if "constant" in step:
        return {"constant": True}
    return {"key": step["key"], "sign": step["sign"], "scale": fmt(step["scale"])}


def by_tree(a: Network, b: Network, box: Box | None, start: float, budget: int,
            deadline: float | None, method: str = "region-tree") -> Answer | None:
    """The region tree: a kernel-checked certificate, an exact counterexample, or None."""
    from . import regiontree
    result = regiontree.prove_equivalence(a, b, box, budget=budget, deadline=deadline)
    seconds = time.perf_counter() - start
    if result.verdict == "refuted":
        return counterexample_answer(a, b, box, *result.counterexample, method, seconds)
    if result.verdict != "proved":
        return None
    evidence = {"method": "region-tree", "tree": result.tree}
    cert = envelope("equivalent", claim("equivalent", {"A": a, "B": b}, box), evidence, "region-tree",
                    THEOREM_TREE, seconds)
    st = result.stats
    return _judged("equivalent", YES, THEOREM_TREE, method,
                   f"equivalent: region tree of {result.nodes} nodes ({st['splits']} splits, {st['fixes']} forced "
                   f"signs, {st['leaves']} leaves, {st['empty']} empty regions)",
                   {"nodes": result.nodes, **st, "lps": result.lps}, cert, seconds)


def by_smt(a: Network, b: Network, box: Box | None, start: float, deadline: float | None) -> Answer | None:
    """z3: a counterexample (kernel-checked), an uncertified "equal", or None (unknown)."""
    from ..encode import smt
    left = None if deadline is None else max(deadline - time.perf_counter(), 0.001)
    result = smt.decide(a.net, b.net, box, timeout=left)
    seconds = time.perf_counter() - start
    if result.status == "sat":
        return counterexample_answer(a, b, box, *result.counterexample, "smt", seconds)
    if result.status == "unsat":
        return Answer("equiv", "equivalent", YES, THEOREM_SMT, "smt",
                      f"equivalent according to z3 ({result.queries} queries unsat); not certified — "
                      "ask for --certificate to build a region tree", {"queries": result.queries,
                                                                       "certified_by": None},
                      None, None, {"generate": seconds})
    return None


def by_milp(a: Network, b: Network, box: Box | None, start: float, deadline: float | None) -> Answer:
    from ..encode import lp
    if box is None:
        raise InputError("--method", "milp needs a box (big-M bounds): give --box or a network domain")
    left = None if deadline is None else max(deadline - time.perf_counter(), 0.1)
    result = lp.search(a.net, b.net, box, time_limit=left)
    seconds = time.perf_counter() - start
    if result.status == "sat":
        return counterexample_answer(a, b, box, *result.counterexample, "milp", seconds)
    return undecided("equiv", "milp", f"undecided: {result.reason or 'no counterexample found'} "
                     "(a MILP optimum is never a proof of equality)", milp_value=result.value)


def decide(a: Network, b: Network, box: Box | None = None, method: str = "auto",
           seed: int = 0, timeout: float | None = None, certificate: bool = False,
           budget: int | None = None) -> Answer:
    """Is f_A = f_B on the domain?  Exact: every yes/no carries a kernel-checked certificate,
    except z3's uncertified "equal" (``method`` smt, or auto when the tree gave up).

    ``timeout`` (seconds) bounds the whole decision: past it the answer is "unknown".
    ``certificate``: an uncertified answer is not enough; build the region tree instead.
    ``budget``: region-tree nodes (default: unlimited for ``tree``, AUTO_TREE_BUDGET in auto).
    """
    if method not in METHODS:
        raise InputError("--method", f"unknown method {method!r} (choose from {', '.join(METHODS)})")
    box = resolve_domain(a, b, box)
    start = time.perf_counter()
    deadline = None if timeout is None else start + timeout
    shallow_ok = a.is_shallow and b.is_shallow
    if method == "shallow":
        if not shallow_ok:
            raise InputError("--method", "shallow needs two one-hidden-layer networks")
        return by_shallow(a, b, box, start)
    if method == "milp":
        return by_milp(a, b, box, start, deadline)
    if method == "tree":
        found = by_tree(a, b, box, start, budget or 10 ** 9, deadline)
        return found or undecided("equiv", "region-tree", "undecided: the region tree did not finish "
                                  "within the time/node budget", timeout=timeout)
    if method == "smt":
        found = by_smt(a, b, box, start, deadline)
        if found is not None and certificate and not found.certified:
            tree = by_tree(a, b, box, start, budget or 10 ** 9, deadline)
            if tree is not None:
                return tree
        return found or undecided("equiv", "smt", "undecided: z3 answered unknown or timed out")
    if method in ("auto", "sample"):
        cex = sampling.refute(a, b, box, seed=seed)
        if cex is not None:
            return counterexample_answer(a, b, box, *cex, "sample", time.perf_counter() - start)
        if method == "sample":
            return undecided("equiv", "sample", "undecided: no counterexample among the sampled points")
    if method in ("auto", "orbit"):
        found = by_orbit(a, b, box, start)
        if found is not None:
            return found
        if method == "orbit":
            return undecided("equiv", "orbit", "undecided: B is not in the orbit of A; equality not shown")
    if shallow_ok:
        return by_shallow(a, b, box, start)
    # auto, deep: the region tree under a budget (half the time), then z3
    tree_deadline = start + (AUTO_TREE_SECONDS if deadline is None else (deadline - start) / 2)
    found = by_tree(a, b, box, start, budget or AUTO_TREE_BUDGET, tree_deadline)
    if found is not None:
        return found
    if deadline is None or time.perf_counter() < deadline:
        found = by_smt(a, b, box, start, deadline)
        if found is not None and certificate and not found.certified:
            tree = by_tree(a, b, box, start, 10 ** 9, deadline)
            if tree is not None:
                return tree
        if found is not None:
            return found
    return undecided("equiv", method, "undecided: no sampled counterexample, B is not a permutation and "
                     "rescaling of A, the region tree exceeded its budget and z3 gave no answer",
                     checks=["sample", "orbit", "tree", "smt"])


__all__ = ["decide", "resolve_domain", "METHODS", "UNDECIDED"]
