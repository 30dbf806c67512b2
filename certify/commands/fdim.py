"""certify fdim NET: the exact batch functional dimension on a sample (theory.md §2.3, §5.2–5.3)."""
from __future__ import annotations

import argparse

from ..local import fdim
from ..kernel.exact import InputError
from .output import add_box, add_json, emit, load, parse_box


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("fdim", help="exact batch functional dimension (rank of DF_X over Q) with proofs",
                       description="Compute rank DF_X over Q on an admissible sample X: a nonzero minor mod p "
                       "proves the lower bound, exact rational kernel vectors outside the scaling directions "
                       "prove the upper bound; both are checked by the kernel.  Exit 0 when the two bounds "
                       "meet (the dimension is exact), 3 otherwise.  Reports N, H, N − H, the deficit and the "
                       "continuous catalogue mechanisms that explain it.")
    p.add_argument("net", metavar="NET", help="network (certify.network/1 JSON)")
    add_box(p)
    p.add_argument("--samples", type=int, metavar="N", help="number of sample points (default: about 2(N−H)/d_L)")
    p.add_argument("--seed", type=int, default=0, help="seed of the sampling")
    p.add_argument("--certificate", "--out", dest="out", metavar="CERT", help="write the kernel-checked certificate here")
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    net = load(args.net)
    box = parse_box(args.box, net.widths[0])
    if args.samples is not None and args.samples < 1:
        raise InputError("--samples", "must be a positive integer")
    answer = fdim.functional_dimension(net, box, samples=args.samples, seed=args.seed)
    d = answer.details
    lines = [f"N = {d['N']}, H = {d['H']}, N − H = {d['N-H']}; bounds [{d.get('lower')}, {d.get('upper')}] "
             f"on {d['points']} points" + (f"; {d['kernel_vectors']} kernel vectors" if d.get("kernel_vectors") else "")]
    for m in d.get("mechanisms", []):
        lines.append(f"explained by {m['mechanism']}: {m['where']}")
    return emit(answer, args, args.out, lines)
