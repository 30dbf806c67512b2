"""``certify hidden``: find a hidden symmetry with an exact witness, or prove there is none.

Strategy (theory.md §3.3–3.4, §4):

1. the catalogue M1–M13 (``certify.hidden.mechanisms.detect``): every finding has a proved
   precondition; the first whose ``hidden-symmetry`` certificate the kernel accepts is
   the answer (exit 0);
2. one hidden layer on R^d0: Theorem 3.3 is a complete decision — (C1)–(C6) hold ⇒ no
   hidden symmetry exists (exit 1, ``honest-shallow`` certificate, statement in-sigma);
3. tiny networks: the CEGIS search of ``certify.hidden.search`` (z3 nonlinear real arithmetic),
   labelled ``search``, verified like everything else;
4. otherwise exit 3, listing the checks that ran.
"""
from __future__ import annotations

import time

from . import mechanisms
from ..core.answer import NO, UNDECIDED, YES, Answer
from ..shallow.honesty import THEOREM as HONEST_THEOREM, decision, in_sigma_certificate, witness_finding
from ..kernel.exact import InputError
from ..kernel.honest import BUDGET, MAX_BUDGET
from ..network import Box, Network

SEARCH_MAX_PARAMETERS = 16


def resolve_box(network: Network, box: Box | None) -> Box | None:
    if box is not None:
        return box
    return network.box


def decide_hidden(network: Network, box: Box | None = None, timeout: float | None = None,
                  budget: int = BUDGET, search: bool = True, nested: bool = True) -> Answer:
    """Exit 0 with a witness, 1 with a proof that none exists, 3 undecided."""
    if network.depth < 2:
        raise InputError("layers", "the network has no hidden layer (hidden symmetries concern hidden neurons)")
    start = time.perf_counter()
    deadline = None if timeout is None else start + timeout
    box = resolve_box(network, box)
    budget = min(budget, MAX_BUDGET)
    notes: list[str] = []
    checks: list[str] = []
    shallow_whole = network.is_shallow and box is None
    data = None
    if shallow_whole:
        data = decision(network, budget)
        checks.append("Theorem 3.3 (C1)–(C6)")
    facts = mechanisms.prove_signs(network, box, nested=False)
    findings = mechanisms.detect(network, box, notes=notes, facts=facts, budget=min(budget, 1 << 18))
    checks.append("catalogue M1–M13 (sign facts by exact interval bounds)")
    if data is not None and data["sigma"] is False:
        found = witness_finding(network, data, findings)
    else:
        found = mechanisms.first_certified(findings)
    # On R^d0 a first-layer neuron is dead or stably active only if its row is 0 (intervals are
    # exact there); deeper down, or on a box, nested region-tree proofs may add sign facts.
    if found is None and nested and not shallow_whole and mechanisms.facts.region_tree_engine() is not None:
        facts = mechanisms.prove_signs(network, box, nested=True, nested_seconds=_remaining(deadline, 30.0) / 2)
        checks.append(f"nested region-tree sign proofs ({facts.attempted} attempted, {facts.nested} proved)")
        if facts.nested:
            findings = mechanisms.detect(network, box, notes=notes, facts=facts, budget=min(budget, 1 << 18))
            found = mechanisms.first_certified(findings)
    summaries = [f.summary() for f in findings]
    if found is not None:
        f, cert, verdict, check_s = found
        details = {"mechanism": f.mechanism, "continuous": f.continuous, "where": f.where,
                   "findings": summaries, "checks": checks, "notes": notes}
        if data is not None and data["sigma"] is True:  # cannot happen if Theorem 3.3 and the code agree
            details["inconsistency"] = "the kernel accepted a witness although (C1)–(C6) hold"
        return _answer("hidden-symmetry", YES, f.theorem, "catalogue",
                       f"hidden symmetry found: {f.mechanism} — {f.where}", details, cert, verdict, check_s,
                       start, witness=f.witness())
    if data is not None and data["sigma"] is True:
        cert, verdict, check_s = in_sigma_certificate(network, data, "in-sigma", time.perf_counter() - start, budget)
        details = {"pairs": data["pairs"], "patterns": data.get("patterns"), "checks": checks}
        return _answer("no-hidden-symmetry", NO, HONEST_THEOREM["sigma"], "decision",
                       "no hidden symmetry: (C1)–(C6) hold, so the fiber of θ is its orbit G·θ (Theorem 3.3)",
                       details, cert, verdict, check_s, start)
    if search and network.N <= SEARCH_MAX_PARAMETERS and _remaining(deadline, 1.0) > 0.5:
        from .search import search_witness
        checks.append("CEGIS search (z3)")
        result = search_witness(network, box, seconds=min(_remaining(deadline, 20.0), 20.0))
        if result is not None:
            witness, cert, verdict, check_s = result
            details = {"mechanism": "search", "findings": summaries, "checks": checks, "notes": notes}
            return _answer("hidden-symmetry", YES, mechanisms.THEOREM["search"], "search",
                           "hidden symmetry found by the CEGIS search (verified exactly)", details, cert, verdict,
                           check_s, start, witness=witness)
    why = data["undecided"] if data is not None and data.get("undecided") else \
        "no catalogue mechanism applies" + ("" if network.is_shallow else
                                            "; no decision procedure is known beyond one hidden layer (§7)")
    details = {"checks": checks, "notes": notes, "findings": summaries}
    return Answer("hidden", "unknown", UNDECIDED, "none", "catalogue", f"undecided: {why}", details,
                  timings={"generate": time.perf_counter() - start})


def _remaining(deadline: float | None, default: float) -> float:
    return default if deadline is None else max(deadline - time.perf_counter(), 0.0)


def _answer(verdict_text, code, theorem, method, summary, details, cert, verdict, check_s, start,
            witness=None) -> Answer:
    total = time.perf_counter() - start
    answer = Answer("hidden", verdict_text, code, theorem, method, summary, details, cert, verdict,
                    {"generate": total - check_s, "kernel": check_s})
    if witness is not None:
        answer.artifacts["witness"] = witness
    if not verdict.valid:
        answer.verdict, answer.code = "unknown", UNDECIDED
        answer.summary = f"undecided: the kernel rejected the certificate ({verdict.reason})"
    return answer


def witness_of(answer: Answer) -> Network | None:
    return answer.witness if answer.code == YES else None


__all__ = ["decide_hidden", "witness_of"]
