"""certify orbit A B: is B a permutation and positive rescaling of A?"""
from __future__ import annotations

import argparse

from ..group import orbit as symmetry
from .output import add_json, emit, load


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("orbit", help="decide B ∈ G·A exactly and give the group element",
                       description="Decide whether B = g·A for a permutation of hidden neurons and "
                       "positive rescalings g.  Exit 0 with the group element, 1 with a reason.")
    p.add_argument("a", metavar="A")
    p.add_argument("b", metavar="B")
    p.add_argument("--certificate", "--out", dest="out", metavar="CERT", help="write the orbit certificate (kind 'orbit') here")
    p.add_argument("--budget", type=int, default=20000, help="search nodes before answering 'undecided'")
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    answer = symmetry.decide_orbit(load(args.a), load(args.b), budget=args.budget)
    lines = []
    g = answer.details.get("group_element")
    if g and not args.json:
        for t, (perm, scales) in enumerate(zip(g["permutations"], g["scales"])):
            lines.append(f"layer {t + 1}: " + ", ".join(f"{i}→{p} ×{s}" for i, (p, s) in enumerate(zip(perm, scales))))
    return emit(answer, args, args.out, lines)
