"""Deciding f_A = f_B on R^d0 or a box: the strategy of theory.md §4.2.

Order (``method="auto"``): orbit (B ∈ G·A) → exact sampling refutation → shallow
canonical form (complete for one hidden layer) → region tree under a node budget
(``certify.deep.regiontree``, complete; with ``--timeout`` it may use all the time left, else
at most AUTO_TREE_SECONDS) → SMT over the rationals (z3) → undecided.  Past ``SMT_MAX_NEURONS``
hidden neurons z3 is skipped and the tree gets all the time (no time limit without ``--timeout``).
Every yes/no is a certificate the kernel has accepted.  z3's "unsat" is not a
certificate: when z3 says "equal", the region tree is tried with the time left, and
if it does not finish the answer is undecided (exit 3) with z3's verdict reported as
``uncertified_verdict``.

Single methods: ``sample``, ``orbit``, ``shallow``, ``tree``, ``smt``, ``milp`` (big-M
MILP on a box: a counterexample search, never a proof of equality).

Every tactic receives the one ``Problem`` record (networks A and B, the domain, the
clock, the budget) and returns an ``Answer`` or None ("this tactic does not decide").
"""
from __future__ import annotations

from fractions import Fraction
from typing import Sequence

from ..core.answer import NO, YES, Answer, judged, timed, undecided
from ..core.certificate import claim, envelope
from ..core.problem import Problem
from ..kernel.exact import InputError, Vector, fmt, fmt_vector
from ..kernel.shallow import canonical_to_json

METHODS = ("auto", "sample", "orbit", "shallow", "tree", "smt", "milp")
AUTO_TREE_BUDGET = 100_000  # region-tree nodes before auto moves on to z3
AUTO_TREE_SECONDS = 60.0  # ... or seconds, when no --timeout is given (with one, the tree may use all of it)
# z3 answers within minutes only on small networks: (4,8,8,1) pairs take it 8–10 s, (5,16,16,1)
# pairs time out at 120 s (bench/RESULTS.md, "Equivalence: region trees against direct z3").
# Past this many hidden neurons in the larger network auto gives the region tree all the time.
SMT_MAX_NEURONS = 24
UNLIMITED = 10 ** 9

THEOREM_ORBIT = "§1: B = g·A for g in G = Pr ⋉ Sc, and σ(λz) = λσ(z) for λ > 0"
THEOREM_SHALLOW = {False: "Theorem 3.1: shallow canonical forms agree on R^d",
                   True: "Theorem 3.2: shallow canonical forms agree on the box"}
THEOREM_CEX = "exact evaluation: f_A(x) ≠ f_B(x) at a rational x in the domain"
THEOREM_TREE = ("§4.2 (region tree): the leaves cover the domain, and on each leaf exact LP-duality "
                "(Farkas) multipliers prove f_A − f_B ≤ 0 and ≥ 0, or that the leaf is empty")
THEOREM_SMT = "§4.2 (method B): z3 over the rationals finds no x with f_A(x) ≠ f_B(x) (uncertified)"

__all__ = ["decide", "METHODS", "counterexample_answer", "show_point"]


def decimal(q: Fraction, digits: int = 6) -> str:
    """A short decimal reading of an exact rational (for people; the rational is the value)."""
    return f"{float(q):.{digits}g}" if abs(q) < 10 ** 300 else ("+huge" if q > 0 else "-huge")


def show_point(v: Sequence[Fraction], limit: int = 6) -> str:
    """"(p/q ≈ 0.25, …)": exact rationals with their decimal readings."""
    items = [fmt(x) if x.denominator == 1 else f"{fmt(x)} ≈ {decimal(x)}" for x in v[:limit]]
    return "(" + ", ".join(items) + (", …" if len(v) > limit else "") + ")"


def gap(fa: Sequence[Fraction], fb: Sequence[Fraction]) -> Fraction:
    """max_i |f_A,i(x) − f_B,i(x)|."""
    return max(abs(x - y) for x, y in zip(fa, fb))


def counterexample_answer(p: Problem, x: Sequence[Fraction], fa: Vector, fb: Vector, method: str) -> Answer:
    """The ``not-equivalent`` certificate of an exact point x, judged by the kernel."""
    evidence = {"x": fmt_vector(x), "fA": fmt_vector(fa), "fB": fmt_vector(fb)}
    cert = envelope("not-equivalent", claim("not-equivalent", p.networks, p.box), evidence,
                    method, THEOREM_CEX, p.elapsed())
    g = gap(fa, fb)
    details = {**evidence, "x_decimal": [float(v) for v in x], "fA_decimal": [float(v) for v in fa],
               "fB_decimal": [float(v) for v in fb], "gap": fmt(g), "gap_decimal": float(g)}
    summary = (f"not equivalent on {p.domain.text()}: at x = {show_point(x)}, f_A(x) = {show_point(fa)} but "
               f"f_B(x) = {show_point(fb)}; gap max|f_A − f_B| = {fmt(g)} ≈ {decimal(g)}")
    answer = Answer("equiv", "not-equivalent", NO, THEOREM_CEX, method, summary, details, domain=p.domain)
    return timed(judged(answer, cert), p.start)


def _equivalent(p: Problem, method: str, theorem: str, summary: str, details: dict, evidence: dict) -> Answer:
    cert = envelope("equivalent", claim("equivalent", p.networks, p.box), evidence, method, theorem, p.elapsed())
    answer = Answer("equiv", "equivalent", YES, theorem, method, f"equivalent on {p.domain.text()}: {summary}",
                    details, domain=p.domain)
    return timed(judged(answer, cert), p.start)


def by_sampling(p: Problem, random_checks: bool = True) -> Answer | None:
    p.report("sampling for a counterexample")
    from . import sampling
    cex = sampling.refute(p.a, p.b, p.box, seed=p.seed, random_checks=random_checks)
    return None if cex is None else counterexample_answer(p, *cex, "sample")


def by_orbit(p: Problem) -> Answer | None:
    """B = g·A: the float proposal goes to the kernel; a rejection falls back to the exact matcher."""
    p.report("orbit matching")
    from ..group import orbit as group

    def judge(g: "group.GroupElement | None", proof: dict | None = None) -> Answer | None:
        if g is None:
            return None
        return _equivalent(p, "orbit", THEOREM_ORBIT, "B is a permutation and positive rescaling of A",
                           {"group_element": g.to_json()}, {"method": "orbit", **g.to_json()})
    try:
        # Equality only needs g: skip the exact search when floats already see a row of A
        # without partner in B (the region tree decides such pairs).
        return group.kernel_judged(p.a, p.b, judge, exhaustive=False)
    except group.Undecided:
        return None


def by_shallow(p: Problem) -> Answer:
    """Theorem 3.1/3.2: one hidden layer is decided by canonical forms (complete)."""
    p.report("shallow canonical forms")
    from ..shallow import canonical
    der = canonical.derive(p.networks, p.box)
    theorem = THEOREM_SHALLOW[p.box is not None]
    form_a, form_b = der.forms["A"], der.forms["B"]
    if form_a == form_b:
        evidence = {"method": "shallow-canonical",
                    "keys": [[str(x) for x in k] for k in der.keys],
                    "derivations": {n: [_step_json(s) for s in steps] for n, steps in der.steps.items()},
                    "canonical": canonical_to_json(form_a)}
        return _equivalent(p, "shallow-canonical", theorem,
                           f"both canonical forms have {len(form_a[2])} kink terms and the same affine part",
                           {"kinks": len(form_a[2])}, evidence)
    cex = canonical.counterexample(p.a, p.b, p.box)
    if cex is None:  # cannot happen by Theorem 3.1/3.2; refuse to guess if it does
        return undecided("equiv", "shallow-canonical",
                         "undecided: canonical forms differ but no counterexample was constructed (bug?)")
    return counterexample_answer(p, *cex, "shallow-canonical")


def _step_json(step: dict) -> dict:
    if "constant" in step:
        return {"constant": True}
    return {"key": step["key"], "sign": step["sign"], "scale": fmt(step["scale"])}


def by_tree(p: Problem, budget: int, deadline: float | None) -> Answer | None:
    """The region tree: a kernel-checked certificate, an exact counterexample, or None."""
    p.report("region tree")
    from . import regiontree
    result = regiontree.prove_equivalence(p.a, p.b, p.box, budget=budget, deadline=deadline)
    if result.verdict == "refuted":
        return counterexample_answer(p, *result.counterexample, "region-tree")
    if result.verdict != "proved":
        return None
    st = result.stats
    return _equivalent(p, "region-tree", THEOREM_TREE,
                       f"region tree of {result.nodes} nodes ({st['splits']} splits, {st['fixes']} forced "
                       f"signs, {st['leaves']} leaves, {st['empty']} empty regions)",
                       {"nodes": result.nodes, **st, "lps": result.lps},
                       {"method": "region-tree", "tree": result.tree})


def by_smt(p: Problem) -> Answer | None:
    """z3: a counterexample (kernel-checked), an uncertified "equal" (exit 3), or None."""
    p.report("z3")
    from ..encode import smt
    result = smt.decide(p.a.net, p.b.net, p.box, timeout=None if p.deadline is None else max(p.remaining(), 0.001))
    if result.status == "sat":
        return counterexample_answer(p, *result.counterexample, "smt")
    if result.status == "unsat":
        return undecided("equiv", "smt", f"undecided: z3 says equivalent on {p.domain.text()} "
                         f"({result.queries} queries unsat), but a solver's unsat is not a certificate",
                         uncertified_verdict="equivalent", queries=result.queries)
    return None


def _smt_then_tree(p: Problem) -> Answer | None:
    """z3; when it says "equal", try to earn the certificate with the region tree."""
    found = by_smt(p)
    if found is not None and found.details.get("uncertified_verdict") == "equivalent" and not p.expired():
        tree = by_tree(p, p.budget or UNLIMITED, p.deadline)
        if tree is not None:
            return tree
    return found


def by_milp(p: Problem) -> Answer:
    from ..encode import lp
    if p.box is None:
        raise InputError("--method", "milp needs a box (big-M bounds): give --box or a network domain")
    left = None if p.deadline is None else max(p.remaining(), 0.1)
    result = lp.search(p.a.net, p.b.net, p.box, time_limit=left)
    if result.status == "sat":
        return counterexample_answer(p, *result.counterexample, "milp")
    return undecided("equiv", "milp", f"undecided: {result.reason or 'no counterexample found'} "
                     "(a MILP optimum is never a proof of equality)", milp_value=result.value)


def decide(p: Problem) -> Answer:
    """Is f_A = f_B on the problem's domain?  Exact: every yes/no carries a kernel-checked
    certificate.  ``p.option("method")`` picks a single method (default ``auto``); the
    deadline bounds the whole decision; ``p.budget`` counts region-tree nodes."""
    method = p.option("method", "auto")
    if method not in METHODS:
        raise InputError("--method", f"unknown method {method!r} (choose from {', '.join(METHODS)})")
    answer = _decide(p, method)
    answer.domain = p.domain
    if "generate" not in answer.timings:
        timed(answer, p.start)
    return answer


def _decide(p: Problem, method: str) -> Answer:
    shallow_ok = p.a.is_shallow and p.b.is_shallow
    if method == "shallow":
        if not shallow_ok:
            raise InputError("--method", "shallow needs two one-hidden-layer networks")
        return by_shallow(p)
    if method == "milp":
        return by_milp(p)
    if method == "tree":
        return by_tree(p, p.budget or UNLIMITED, p.deadline) or undecided(
            "equiv", "region-tree", "undecided: the region tree did not finish within the time/node budget")
    if method == "smt":
        return _smt_then_tree(p) or undecided("equiv", "smt", "undecided: z3 answered unknown or timed out")
    # auto: the orbit first — a float check that fails in milliseconds when B ∉ G·A, and when
    # B = g·A the sampling could not have refuted anything (0.3 s of 0.56 s on ACAS Xu, issue 12
    # item 7); then the sampling, without the random exact points, since a complete method follows
    if method in ("auto", "orbit"):
        found = by_orbit(p)
        if found is not None or method == "orbit":
            return found or undecided("equiv", "orbit",
                                      "undecided: B is not in the orbit of A; equality not shown")
    if method in ("auto", "sample"):
        found = by_sampling(p, random_checks=method == "sample")
        if found is not None or method == "sample":
            return found or undecided("equiv", "sample", "undecided: no counterexample among the sampled points")
    if shallow_ok:
        return by_shallow(p)
    # auto, deep: the region tree under a node budget, then z3 (then the tree again).  With a
    # --timeout the tree may use all of it: it is the only method whose "equal" is a certificate
    # (z3's unsat needs the tree anyway) and it refutes too, so z3 gets the time the tree leaves
    # when its node budget runs out (issue 12, item 7: auto must not give up where --method tree
    # with the same --timeout succeeds).  Without one, the tree stops after AUTO_TREE_SECONDS —
    # unless the networks are too large for z3, where the tree alone decides, unhurried.
    neurons = max(sum(p.a.widths[1:-1]), sum(p.b.widths[1:-1]))
    smt_useful = neurons <= SMT_MAX_NEURONS
    if p.deadline is not None or not smt_useful:
        tree_deadline = p.deadline
    else:
        tree_deadline = p.sub_deadline(1.0, AUTO_TREE_SECONDS)
    found = by_tree(p, p.budget or AUTO_TREE_BUDGET, tree_deadline)
    if found is not None:
        return found
    if not smt_useful:
        return undecided("equiv", method, "undecided: no sampled counterexample, B is not a permutation and "
                         f"rescaling of A, and the region tree exceeded its budget (z3 not tried: {neurons} "
                         f"hidden neurons, past the {SMT_MAX_NEURONS} where it answers in minutes)",
                         checks=["sample", "orbit", "tree"])
    if not p.expired():
        found = _smt_then_tree(p)
        if found is not None:
            return found
    return undecided("equiv", method, "undecided: no sampled counterexample, B is not a permutation and "
                     "rescaling of A, the region tree exceeded its budget and z3 gave no answer",
                     checks=["sample", "orbit", "tree", "smt"])
