"""certify prune NET --out PRUNED: delete neurons proved dead on the domain, with a proof."""
from __future__ import annotations

import argparse

from .options import (NET_HELP, activity, add_assume, add_box, add_certificate, add_json, add_nested_timeout,
                      add_timeout, artifact_output, certificate_output, emit, load, prepare)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("prune", help="delete neurons that are dead on the box; prove the result equal",
                       description="Find hidden neurons that are dead on the domain (exact interval bounds, "
                       "then nested region-tree sign proofs within --nested-timeout), delete them, and write the "
                       "smaller network with the domain as its own domain.box.  The certificate (kind "
                       "'equivalent', method 'pruning') proves that both networks compute the same function "
                       "on the domain; the kernel replays every sign proof.  Exit 0: written (possibly "
                       "unchanged when no neuron is proved dead); 3: the kernel rejected the proof.")
    p.add_argument("net", metavar="NET", help=NET_HELP)
    add_box(p)
    p.add_argument("--out", required=True, metavar="PRUNED", help="write the pruned network here (.json, .onnx, "
                   ".nnet, .npz)")
    add_certificate(p)
    add_timeout(p)
    add_nested_timeout(p)
    add_assume(p)
    add_json(p, "the verdict, exit code, domain, removed neurons ([layer, neuron], 0-based), widths and "
                "parameters before and after, how each was proved, candidates left unproven and timings")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    outputs = prepare([artifact_output("--out", args.out, "pruned", "pruned network"), certificate_output(args)])
    net = load(args.net, args)
    from .. import api
    with activity("prune"):
        answer = api.prune(net, args.box, timeout=args.timeout, nested_timeout=args.nested_timeout)
    lines = []
    if answer.certified:
        pruned = answer.artifacts["pruned"]
        d = answer.details
        removed = d["removed"]
        shown = ", ".join(f"[{l}, {j}]" for l, j in removed[:8]) + (", …" if len(removed) > 8 else "")
        lines.append(f"pruned:   widths {'-'.join(map(str, pruned.widths))}; removed {len(removed)} neurons "
                     f"[layer, neuron] ({shown}; all of them with --json)")
        proved = d["proved_by"]
        lines.append(f"proofs:   {proved.get('interval', 0)} by interval bounds, "
                     f"{proved.get('region-tree', 0)} by region trees")
        if d.get("unproven"):
            lines.append(f"unproven: {d['unproven']} candidate(s) that floats suggest are dead or stably active "
                         f"({d['unproven_out_of_time']} not attempted: time limit; {d['unproven_over_cap']} over "
                         "the attempt cap)")
    return emit(answer, args, outputs, lines)
