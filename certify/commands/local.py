"""certify local NET: is θ locally identifiable modulo scaling?  (theory.md §5)"""
from __future__ import annotations

import argparse

from ..local import identifiability as local
from ..kernel.exact import InputError, rational
from .output import add_box, add_json, emit, load, parse_box


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("local", help="certify local identifiability modulo scaling (optionally with a radius)",
                       description="Decide whether every parameter near θ realising f_θ (on R^d0 or the box) is a "
                       "positive rescaling of θ.  Exit 0: certified (Theorem 5.4/5.1 certificate, checked by the "
                       "kernel; with --radius an explicit ℓ∞ radius, Theorem 5.3); 1: not locally identifiable "
                       "(a continuous hidden symmetry with a witness at distance ≤ δ); 3: undecided.  A local "
                       "certificate says nothing about distant hidden symmetries (see `certify hidden`).")
    p.add_argument("net", metavar="NET", help="network (certify.network/1 JSON)")
    add_box(p)
    p.add_argument("--radius", action="store_true", help="also certify an explicit ℓ∞ radius (Theorem 5.3)")
    p.add_argument("--delta", default="1/1000", metavar="Q",
                   help="for a refutation: largest ℓ∞ distance of the witness θ' (default 1/1000)")
    p.add_argument("--certificate", "--out", dest="out", metavar="CERT", help="write the kernel-checked certificate here")
    p.add_argument("--timeout", type=float, metavar="S", help="give up (exit 3) after about S seconds")
    p.add_argument("--seed", type=int, default=0, help="seed of the line sampling")
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    net = load(args.net)
    box = parse_box(args.box, net.widths[0])
    delta = rational(args.delta, "--delta")
    if delta <= 0:
        raise InputError("--delta", "must be positive")
    answer = local.decide_local(net, box, radius=args.radius, timeout=args.timeout, delta=delta, seed=args.seed)
    lines = []
    d = answer.details
    if d.get("points") is not None and answer.code == 0:
        lines.append(f"sample:   {d['points']} points on {d.get('lines', '?')} lines, prime {d.get('prime')}")
    rad = d.get("radius")
    if isinstance(rad, dict):
        lines.append("radius:   " + (f"ε = {rad['epsilon']} (≈ {rad['approx']:.3g})" if rad.get("found")
                                     else f"none ({rad.get('reason', 'not found')})"))
    for f in d.get("uncovered_neurons", [])[:10]:
        lines.append(f"neuron {f['neuron']}: {f['reason']}")
    if len(d.get("uncovered_neurons", [])) > 10:
        lines.append(f"… {len(d['uncovered_neurons']) - 10} more uncovered neurons (see --json)")
    return emit(answer, args, args.out, lines)
