"""certify orbit A B: is B a permutation and positive rescaling of A?"""
from __future__ import annotations

import argparse

from .options import NET_HELP, add_assume, add_budget, add_certificate, add_json, add_timeout, certificate_output, emit, load, prepare


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("orbit", help="decide B ∈ G·A exactly and give the group element",
                       description="Decide whether B = g·A for a permutation of hidden neurons and positive "
                       "rescalings g (theory §1).  This is a question about parameters, not about a domain.  "
                       "Exit 0 with the group element, 1 with a distinguishing invariant, 3 undecided.")
    p.add_argument("a", metavar="A", help=f"network A ({NET_HELP})")
    p.add_argument("b", metavar="B", help="network B")
    add_certificate(p)
    add_budget(p, "search nodes of the exact orbit search (individualisation branches)", "20000")
    add_timeout(p)
    add_assume(p)
    add_json(p, "the verdict, exit code, group element (permutations and scales per hidden layer, 0-based) "
                "and timings")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    outputs = prepare([certificate_output(args)])
    a, b = load(args.a, args), load(args.b, args)
    from .. import api
    answer = api.orbit(a, b, budget=args.budget, timeout=args.timeout)
    lines = []
    g = answer.details.get("group_element")
    if g and not args.json:
        for t, (perm, scales) in enumerate(zip(g["permutations"], g["scales"])):
            lines.append(f"hidden layer {t}: " + ", ".join(f"{i}→{p} ×{s}" for i, (p, s) in
                                                         enumerate(zip(perm, scales))))
    return emit(answer, args, outputs, lines)
