"""certify local NET: is θ locally identifiable modulo scaling?  (theory.md §5)"""
from __future__ import annotations

import argparse

from .options import (NET_HELP, activity, add_assume, add_box, add_certificate, add_json, add_seed, add_timeout,
                      artifact_output, certificate_output, emit, load, prepare)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("local", help="certify local identifiability modulo scaling (optionally with a radius)",
                       description="Decide whether every parameter near θ realising f_θ (on the domain) is a "
                       "positive rescaling of θ.  Exit 0: certified (Theorem 5.4/5.1 certificate, checked by the "
                       "kernel; with --radius an explicit ℓ∞ radius, Theorem 5.3); 1: not locally identifiable "
                       "(a continuous hidden symmetry with a witness at distance ≤ δ); 3: undecided.  A local "
                       "certificate says nothing about distant hidden symmetries (see `certify hidden`).")
    p.add_argument("net", metavar="NET", help=NET_HELP)
    add_box(p)
    p.add_argument("--radius", action="store_true", help="also certify an explicit ℓ∞ radius (Theorem 5.3)")
    p.add_argument("--delta", default="1/1000", metavar="Q",
                   help="for a refutation: largest ℓ∞ distance of the witness θ' (default 1/1000)")
    add_certificate(p)
    p.add_argument("--witness", metavar="FILE", help="for a refutation: write the witness network θ' here")
    add_timeout(p)
    add_seed(p, "the line sampling")
    add_assume(p)
    add_json(p, "the verdict, exit code, domain, N, H, the sample, the radius, uncovered neurons ([layer, "
                "neuron], 0-based, with reasons) and timings")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    outputs = prepare([certificate_output(args), artifact_output("--witness", args.witness, "witness",
                                                                 "witness network")])
    net = load(args.net, args)
    from .. import api
    with activity("local"):
        answer = api.locally_identifiable(net, args.box, radius=args.radius, timeout=args.timeout,
                                          delta=args.delta, seed=args.seed)
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
    return emit(answer, args, outputs, lines)
