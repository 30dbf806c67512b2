"""certify equiv A B: do A and B realise the same function (on R^d0 or a box)?"""
from __future__ import annotations

import argparse

from ..deep import strategy as equivalence
from ..kernel.exact import InputError
from .output import add_box, add_json, emit, load, parse_box


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("equiv", help="decide f_A = f_B exactly (counterexample or certificate)",
                       description="Decide whether two networks compute the same function, exactly. "
                       "Exit 0: equivalent (certificate); 1: not (exact counterexample); 3: undecided.")
    p.add_argument("a", metavar="A", help="network A (certify.network/1 JSON)")
    p.add_argument("b", metavar="B", help="network B")
    add_box(p)
    p.add_argument("--method", default="auto", choices=equivalence.METHODS,
                   help="decision method (default: auto = sample, orbit, shallow, tree, smt; "
                        "milp searches counterexamples on a box and never proves equality)")
    p.add_argument("--certificate", metavar="OUT", help="write the kernel-checked certificate here")
    p.add_argument("--timeout", type=float, metavar="S", help="give up (exit 3) after S seconds")
    p.add_argument("--seed", type=int, default=0, help="seed for the sampling refutation")
    p.add_argument("--budget", type=int, metavar="NODES",
                   help="region-tree node budget (default: unlimited for --method tree, 100000 in auto)")
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    a, b = load(args.a), load(args.b)
    box = parse_box(args.box, a.widths[0])
    if args.timeout is not None and not args.timeout > 0:
        raise InputError("--timeout", f"expected a positive number of seconds, got {args.timeout}")
    answer = equivalence.decide(a, b, box, method=args.method, seed=args.seed, timeout=args.timeout,
                                certificate=bool(args.certificate), budget=args.budget)
    return emit(answer, args, args.certificate)
