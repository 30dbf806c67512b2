"""certify fdim NET: the exact batch functional dimension on a sample (theory.md §2.3, §5.2–5.3)."""
from __future__ import annotations

import argparse

from .options import (NET_HELP, activity, add_assume, add_box, add_certificate, add_inputs, add_json, add_seed,
                      add_timeout, certificate_output, emit, load, prepare)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("fdim", help="exact batch functional dimension (rank of DF_X over Q) with proofs",
                       description="Compute rank DF_X over Q on an admissible sample X in the domain: a nonzero "
                       "minor mod p proves the lower bound, exact rational kernel vectors outside the scaling "
                       "directions prove the upper bound; both are checked by the kernel.  Exit 0 when the two "
                       "bounds meet (the dimension is exact), 3 otherwise.  Reports N, H, N − H, the deficit and "
                       "the continuous catalogue mechanisms that explain it.")
    p.add_argument("net", metavar="NET", help=NET_HELP)
    add_box(p)
    p.add_argument("--samples", type=int, metavar="N", help="number of sample points (default: about 1.1(N−H)/d_L, then 4(N−H)/d_L if "
                   "that does not reach rank N−H)")
    add_inputs(p, " (instead of the engine's own sample; each point must lie in the domain)")
    add_seed(p, "the sampling")
    add_certificate(p)
    add_timeout(p)
    add_assume(p)
    add_json(p, "the verdict, exit code, domain, N, H, N − H, the bounds, the deficit, its mechanisms and timings")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    outputs = prepare([certificate_output(args)])
    net = load(args.net, args)
    from .. import api
    with activity("fdim"):
        answer = api.functional_dimension(net, args.box, samples=args.samples, seed=args.seed, timeout=args.timeout,
                                          points=args.inputs)
    d = answer.details
    lines = []
    if "N" in d:
        lines.append(f"N = {d['N']}, H = {d['H']}, N − H = {d['N-H']}; bounds [{d.get('lower')}, {d.get('upper')}] "
                     f"on {d.get('points')} points"
                     + (f"; {d['kernel_vectors']} kernel vectors" if d.get("kernel_vectors") else ""))
    for m in d.get("mechanisms", []):
        lines.append(f"explained by {m['mechanism']}: {m['where']}")
    return emit(answer, args, outputs, lines)
