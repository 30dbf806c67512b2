"""certify hidden NET: find a hidden symmetry (exact witness θ') or prove that none exists."""
from __future__ import annotations

import argparse
from collections import Counter

from ..hidden import decision as hidden
from ..core.files import write_atomic
from ..kernel.exact import InputError
from .output import add_box, add_json, emit, load, parse_box


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("hidden", help="find a hidden symmetry θ' (f_θ' = f_θ, θ' outside the orbit) or prove none",
                       description="Search the mechanism catalogue M1–M13 (theory §4) for a hidden symmetry of "
                       "NET and return an exact witness θ'.  Exit 0: found (mechanism, witness, certificate of "
                       "kind hidden-symmetry); 1: none exists, proved (one hidden layer on R^d0, Theorem 3.3); "
                       "3: undecided (the checks that ran are listed).")
    p.add_argument("net", metavar="NET", help="network (certify.network/1 JSON)")
    add_box(p)
    p.add_argument("--out", metavar="W.json", help="write the witness network θ' here")
    p.add_argument("--certificate", metavar="C.json", help="write the kernel-checked certificate here")
    p.add_argument("--timeout", type=float, metavar="S", help="time for nested proofs and the search (default 30 s)")
    p.add_argument("--no-search", action="store_true", help="skip the z3 CEGIS search for tiny networks")
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    network = load(args.net)
    if network.depth < 2:
        raise InputError(f"{args.net}: layers", "the network has no hidden layer (hidden symmetries concern hidden neurons)")
    box = parse_box(args.box, network.widths[0])
    answer = hidden.decide_hidden(network, box, timeout=args.timeout, search=not args.no_search)
    witness = hidden.witness_of(answer)
    lines = []
    if witness is not None and args.out:
        write_atomic(args.out, witness.to_json())
        lines.append(f"witness:  {args.out}")
        answer.details["witness_file"] = args.out
    if not args.json:
        d = answer.details
        if answer.code == 0:
            lines.insert(0, f"mechanism: {d['mechanism']} ({'continuous family' if d.get('continuous') else 'discrete'})")
            counts = Counter(f["mechanism"] for f in d.get("findings", []))
            if sum(counts.values()) > 1:
                lines.append("findings: " + ", ".join(f"{m}×{c}" if c > 1 else m for m, c in counts.items())
                             + " (all with proved preconditions; --json lists them)")
        if answer.code == 3:
            lines.append("checks:   " + "; ".join(d.get("checks", [])))
            lines += [f"note:     {n}" for n in d.get("notes", [])]
    return emit(answer, args, args.certificate, lines)
