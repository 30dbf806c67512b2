"""certify prune NET --out PRUNED: delete neurons proved dead on the domain, with a proof."""
from __future__ import annotations

import argparse

from ..core.files import write_atomic
from ..pruning import prune
from .output import add_box, add_json, emit, load, parse_box


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("prune", help="delete neurons that are dead on the box; prove the result equal",
                       description="Find hidden neurons that are dead on the domain (exact interval bounds, "
                       "then nested region-tree sign proofs within --timeout), delete them, and write the "
                       "smaller network with the domain in its domain.box.  The certificate (kind "
                       "'equivalent', method 'pruning') proves that both networks compute the same function "
                       "on the domain; the kernel replays every sign proof.  Exit 0: written (possibly "
                       "unchanged when no neuron is proved dead); 3: the kernel rejected the proof.")
    p.add_argument("net", metavar="NET", help="network (any format certify reads)")
    add_box(p)
    p.add_argument("--out", required=True, metavar="PRUNED.json", help="write the pruned network here")
    p.add_argument("--certificate", metavar="CERT", help="write the kernel-checked equivalence certificate here")
    p.add_argument("--timeout", type=float, default=30.0, metavar="S",
                   help="seconds for nested region-tree sign proofs (default 30; 0: interval bounds only)")
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    net = load(args.net)
    box = parse_box(args.box, net.widths[0])
    pruned, answer = prune(net, box, nested_seconds=max(0.0, args.timeout))
    lines = []
    if answer.certified:
        write_atomic(args.out, pruned.to_json())
        lines.append(f"pruned:   {args.out} (widths {'-'.join(map(str, pruned.widths))})")
        proved = answer.details["proved_by"]
        lines.append(f"proofs:   {proved.get('interval', 0)} by interval bounds, "
                     f"{proved.get('region-tree', 0)} by region trees")
    return emit(answer, args, args.certificate, lines)
