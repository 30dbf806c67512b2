"""certify hidden NET: find a hidden symmetry (exact witness θ') or prove that none exists."""
from __future__ import annotations

import argparse
from collections import Counter

from .options import (NET_HELP, activity, add_assume, add_box, add_budget, add_certificate, add_json,
                      add_nested_timeout, add_timeout, artifact_output, certificate_output, emit, load, prepare)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("hidden", help="find a hidden symmetry θ' (f_θ' = f_θ, θ' outside the orbit) or prove none",
                       description="Search the mechanism catalogue M1–M13 (theory §4) for a hidden symmetry of "
                       "NET on the domain and return an exact witness θ'.  Exit 0: found (mechanism, witness, "
                       "certificate of kind hidden-symmetry); 1: none exists, proved (one hidden layer on R^d0, "
                       "Theorem 3.3); 3: undecided (the checks that ran are listed).")
    p.add_argument("net", metavar="NET", help=NET_HELP)
    add_box(p)
    p.add_argument("--witness", metavar="FILE", help="write the witness network θ' here (.json, .onnx, .nnet, .npz)")
    add_certificate(p)
    add_timeout(p)
    add_nested_timeout(p)
    add_budget(p, "subset patterns in the exact test of Theorem 3.3", "2^20, which is also the most: the kernel re-checks with this fixed budget")
    p.add_argument("--no-search", action="store_true", help="skip the z3 CEGIS search for tiny networks")
    add_assume(p)
    add_json(p, "the verdict, exit code, domain, mechanism, where (neurons as [layer, neuron], 0-based), "
                "all findings, the checks that ran and timings")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    outputs = prepare([artifact_output("--witness", args.witness, "witness", "witness network"),
                       certificate_output(args)])
    network = load(args.net, args)
    from .. import api
    with activity("hidden"):
        answer = api.hidden_symmetry(network, args.box, timeout=args.timeout, search=not args.no_search,
                                     nested_timeout=args.nested_timeout, budget=args.budget)
    lines = []
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
    return emit(answer, args, outputs, lines)
