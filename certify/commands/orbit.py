"""certify orbit A B: is B a permutation and positive rescaling of A (exactly, or within δ)?"""
from __future__ import annotations

import argparse

from .options import (NET_HELP, add_assume, add_box, add_budget, add_certificate, add_json, add_timeout,
                      certificate_output, emit, load, prepare)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("orbit", help="decide B ∈ G·A exactly (or within δ) and give the group element",
                       description="Decide whether B = g·A for a permutation of hidden neurons and positive "
                       "rescalings g (theory §1).  This is a question about parameters, not about a domain.  "
                       "Exit 0 with the group element, 1 with a distinguishing invariant, 3 undecided.  "
                       "With --tolerance DELTA: is some g within DELTA of B, max over all weights and biases "
                       "of |(g·A) − B| ≤ DELTA (a float32 re-export, an extracted copy)?")
    p.add_argument("a", metavar="A", help=f"network A ({NET_HELP})")
    p.add_argument("b", metavar="B", help="network B")
    p.add_argument("--tolerance", metavar="DELTA",
                   help="approximate orbit: a rational or decimal ≥ 0 (1/1000, 1e-6).  Floats propose g (Hungarian "
                        "matching of rows, then per-neuron scales), the exact distance ‖g·A − B‖∞ is reported.  "
                        "Exit 0: kernel-checked orbit-within certificate (and, on a box, the implied bound on "
                        "sup |f_A − f_B|, Lemma 5.2); 1: a proof that no g gets within DELTA (architectures, an "
                        "output bias — G fixes them —, Hall's condition failing in the first layer, or DELTA = 0 "
                        "and B ∉ G·A); 3: the best distance found")
    add_box(p, "the networks' own domain, else none (with --tolerance only: the box of the implied function bound)")
    add_certificate(p)
    add_budget(p, "search nodes of the exact orbit search (individualisation branches)", "20000")
    add_timeout(p)
    add_assume(p)
    add_json(p, "the verdict, exit code, group element (permutations and scales per hidden layer, 0-based) "
                "and timings; with --tolerance also the distance, lower bound and implied function bound "
                "(exact \"p/q\" and decimal)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    outputs = prepare([certificate_output(args)])
    a, b = load(args.a, args), load(args.b, args)
    from .. import api
    answer = api.orbit(a, b, budget=args.budget, timeout=args.timeout, tolerance=args.tolerance, box=args.box)
    lines = []
    g = answer.details.get("group_element")
    if g and not args.json:
        for t, (perm, scales) in enumerate(zip(g["permutations"], g["scales"])):
            shown = ", ".join(f"{i}→{p} ×{s}" for i, (p, s) in enumerate(zip(perm, scales)))
            lines.append(f"hidden layer {t}: " + (shown if len(shown) <= 400 else shown[:400] + " …"))
        d = answer.details.get("distance")
        if d:
            lines.append(f"distance ‖g·A − B‖∞ = {d['decimal']} = {d['exact']}")
        for key in ("implied", "implied_at_distance"):
            if key in answer.details:
                lines.append(answer.details[key]["statement"])
    return emit(answer, args, outputs, lines)
