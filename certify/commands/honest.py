"""certify honest NET: is θ in the maximal honest open set int Σ (theory §3.4–3.6)?"""
from __future__ import annotations

import argparse

from ..shallow import honesty
from ..kernel.exact import InputError
from .output import add_json, emit, load


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("honest", help="decide θ ∈ int Σ (no hidden symmetries near θ) exactly for one hidden layer",
                       description="Decide whether θ lies in the maximal honest open set int Σ (theory §3.5): "
                       "exact for one hidden layer (Theorems 3.3–3.6; for m ≥ 2 outputs with ≥ 2 opposite pairs "
                       "int Σ is open in the theory: exit 3).  Reports Σ, U_0, int Σ and strong honesty.  "
                       "Exit 0: honest; 1: not honest (witness, or a nearby family of witnesses); 3: undecided.  "
                       "Deep networks: exit 1 with a catalogue witness, otherwise 3.")
    p.add_argument("net", metavar="NET", help="network (certify.network/1 JSON)")
    p.add_argument("--certificate", metavar="C.json", help="write the kernel-checked certificate here")
    p.add_argument("--budget", type=int, default=honesty.BUDGET,
                   help="subset-enumeration patterns before answering 'undecided' (default 2^20)")
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    network = load(args.net)
    if network.depth < 2:
        raise InputError(f"{args.net}: layers", "the network has no hidden layer (honesty concerns hidden neurons)")
    answer = honesty.decide_honest(network, budget=args.budget)
    lines = []
    d = answer.details
    if not args.json and "sigma" in d:
        def show(v):
            return {True: "yes", False: "no", None: "undecided"}[v]
        lines.append(f"in Σ: {show(d['sigma'])};  in U_0: {show(d['U0'])};  in int Σ: {show(d['int_sigma'])};  "
                     f"strongly honest: {show(d['strongly_honest'])}")
        if d.get("failed"):
            lines.append(f"failed:   condition {d['failed']} of Theorem 3.3")
        if d.get("mechanism"):
            lines.append(f"witness:  {d['mechanism']} — {d['where']}")
        if d.get("subset") is not None:
            lines.append(f"family:   split the opposite pairs, then flip neurons {d['subset']}")
        if d.get("undecided"):
            lines.append(f"cost:     {d['undecided']}")
        if d.get("note"):
            lines.append(f"note:     {d['note']}")
    return emit(answer, args, args.certificate, lines)
