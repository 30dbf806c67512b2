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

from . import mechanisms
from ..core.answer import NO, YES, Answer, judged, timed, undecided
from ..core.problem import Problem
from ..shallow.honesty import (THEOREM as HONEST_THEOREM, budget_within, decision, in_sigma_envelope,
                               pattern_budget, witness_finding)
from ..kernel.exact import InputError

SEARCH_MAX_PARAMETERS = 16
NESTED_SECONDS = 30.0  # default time for nested region-tree sign proofs (--nested-timeout)


def decide(p: Problem) -> Answer:
    """Exit 0 with a witness θ' (``answer.witness``), 1 with a proof that none exists, 3 undecided.

    Options: ``search`` (the CEGIS search for tiny networks, default True), ``nested_seconds``
    (time for nested region-tree sign proofs, default 30 s, always within the deadline);
    ``p.budget`` bounds the subset enumeration of Theorem 3.3 (patterns)."""
    network = p.a
    if network.depth < 2:
        raise InputError("layers", "the network has no hidden layer (hidden symmetries concern hidden neurons)")
    box = p.box
    budget, cut = budget_within(pattern_budget(p), p)
    nested_seconds = p.option("nested_seconds", NESTED_SECONDS)
    notes: list[str] = []
    checks: list[str] = []
    shallow_whole = network.is_shallow and box is None
    data = None
    if shallow_whole:
        data = decision(network, budget, deadline=p.deadline)
        checks.append("Theorem 3.3 (C1)–(C6)")
    facts = mechanisms.prove_signs(network, box, nested=False)
    findings = mechanisms.detect(network, box, notes=notes, facts=facts, budget=min(budget, 1 << 18))
    checks.append("catalogue M1–M13 (sign facts by exact interval bounds)")
    if data is not None and data["sigma"] is False:
        found = witness_finding(network, data, findings)
    else:
        found = mechanisms.first_certified(findings)
    # On R^d0 a first-layer neuron is dead or stably active only if its row is 0 (intervals are
    # exact there); deeper down, or on a box, nested region-tree sign proofs may add sign facts.
    if (found is None and nested_seconds > 0 and not shallow_whole and not p.expired()
            and mechanisms.facts.region_tree_engine() is not None):
        seconds = min(nested_seconds, p.remaining(nested_seconds) / 2)
        facts = mechanisms.prove_signs(network, box, nested=True, nested_seconds=seconds, exclusive=True)
        checks.append(f"nested region-tree sign proofs ({facts.attempted} attempted, {facts.nested} proved; "
                      f"{len(facts.exclusive)} M10 premises proved of {facts.exclusive_candidates} sampled pairs)")
        if facts.nested or facts.exclusive:
            findings = mechanisms.detect(network, box, notes=notes, facts=facts, budget=min(budget, 1 << 18))
            found = mechanisms.first_certified(findings)
    summaries = [f.summary() for f in findings]
    if found is not None:
        f, *cert = found
        details = {"mechanism": f.mechanism, "continuous": f.continuous, "where": f.where,
                   "findings": summaries, "checks": checks, "notes": notes}
        if data is not None and data["sigma"] is True:  # cannot happen if Theorem 3.3 and the code agree
            details["inconsistency"] = "the kernel accepted a witness although (C1)–(C6) hold"
        return _answer(p, "hidden-symmetry", YES, f.theorem, "catalogue",
                       f"hidden symmetry on {p.domain.text()}: {f.mechanism} — {f.where}", details, cert,
                       witness=f.witness())
    if data is not None and data["sigma"] is True:
        cert = in_sigma_envelope(network, data, "in-sigma", p.elapsed(), budget)
        details = {"pairs": data["pairs"], "patterns": data.get("patterns"), "checks": checks}
        return _answer(p, "no-hidden-symmetry", NO, HONEST_THEOREM["sigma"], "decision",
                       "no hidden symmetry: (C1)–(C6) hold, so the fiber of θ is its orbit G·θ (Theorem 3.3)",
                       details, cert)
    if p.option("search", True) and network.N <= SEARCH_MAX_PARAMETERS and p.remaining(1.0) > 0.5:
        from .search import search_witness
        checks.append("CEGIS search (z3)")
        result = search_witness(network, box, seconds=min(p.remaining(20.0), 20.0))
        if result is not None:
            witness, *cert = result
            details = {"mechanism": "search", "findings": summaries, "checks": checks, "notes": notes}
            return _answer(p, "hidden-symmetry", YES, mechanisms.THEOREM["search"], "search",
                           "hidden symmetry found by the CEGIS search (verified exactly)", details, cert,
                           witness=witness)
    why = data["undecided"] if data is not None and data.get("undecided") else \
        "no catalogue mechanism applies" + ("" if network.is_shallow else
                                            "; no decision procedure is known beyond one hidden layer (§7)")
    stopped = p.expired() or (cut and data is not None and bool(data.get("undecided")))
    if stopped:
        why = f"{p.stopped()}: {why}"
    answer = undecided("hidden", "catalogue", f"undecided: {why}", checks=checks, notes=notes, findings=summaries,
                       stopped=stopped)
    answer.domain = p.domain
    return timed(answer, p.start)


def _answer(p: Problem, verdict_text, code, theorem, method, summary, details, cert, witness=None) -> Answer:
    """``cert``: a certificate, or (certificate, verdict, seconds) already judged by a search."""
    answer = Answer("hidden", verdict_text, code, theorem, method, summary, details, domain=p.domain)
    if witness is not None:
        answer.artifacts["witness"] = witness
    return timed(judged(answer, *cert) if isinstance(cert, (list, tuple)) else judged(answer, cert), p.start)


__all__ = ["decide"]
