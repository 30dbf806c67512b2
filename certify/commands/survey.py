"""certify survey ARCH: Monte Carlo over random parameters of an architecture (theory.md §6.4)."""
from __future__ import annotations

import argparse

from ..kernel.exact import InputError
from .options import add_inputs, add_json, emit


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("survey", help="Monte Carlo: fractions certified / witnessed / undecided (§6.4)",
                       description="Draw random rational parameters (symmetric law) for an architecture such as "
                       "2-3-3-1; for each draw run the local certificate and the hidden-symmetry detectors and "
                       "decide exactly which layer-2 neurons are stably unactivated, and compute the exact batch "
                       "functional dimension (its distribution over the draws, as in Grigsby–Lindsey–Rolnick 2023).  "
                       "Reports fractions with 95% intervals and checks them against theory §6.4 (Brownlowe et al., "
                       "with the theoretical variance p(1 − p)/n; the certification bound; the rank deficit of "
                       "dead neurons).  Exit 0 if every check holds, 1 otherwise, 3 if --timeout stopped the "
                       "survey before all draws were done.")
    p.add_argument("arch", metavar="ARCH", help="widths d0-d1-…-dL, at least two hidden layers (e.g. 2-3-3-1)")
    p.add_argument("--trials", type=int, required=True, metavar="T", help="number of random draws")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-local", action="store_true", help="skip the local certificates (statistics only)")
    p.add_argument("--no-hidden", action="store_true", help="skip the hidden-symmetry detectors")
    p.add_argument("--no-fdim", action="store_true", help="skip the exact functional dimension of each draw")
    p.add_argument("--law", default="gaussian", choices=("gaussian", "uniform", "he"),
                   help="law of the weights: gaussian N(0,1), uniform U(−1,1), he N(0, 2/fan_in) (He/Kaiming "
                        "normal); every draw is rounded to multiples of 2^-16 (times the layer's scale), zeros "
                        "redrawn (default gaussian)")
    p.add_argument("--bias-scale", default="1", metavar="S",
                   help="biases are drawn like their layer's weights, times S (a positive rational; default 1)")
    add_inputs(p, " of every draw (default: the engine's own sample per draw)")
    p.add_argument("--timeout", type=float, metavar="S",
                   help="total wall time in seconds: no draw starts after it and the running draw stops at it "
                        "(the draws then run in this process, one at a time); a draw cut short is not counted; "
                        "exit 3 if fewer than T draws were done")
    p.add_argument("--out", metavar="DRAWS.jsonl",
                   help="append one JSON line per draw; a rerun with the same file resumes")
    p.add_argument("--workers", type=int, help="local worker processes (default: number of cores)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="run the draws on a Dask cluster (tcp://host:8786)")
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..apps import survey
    from ..apps.progress import Progress
    from ..core.files import output_path
    if args.out:
        output_path(args.out, "--out", (".jsonl",))
    widths = survey.parse_arch(args.arch)
    if args.trials < 1:
        raise InputError("--trials", "must be a positive integer")
    if args.workers is not None and args.workers < 1:
        raise InputError("--workers", "must be a positive integer")
    from ..apps.laws import parse_law
    law = parse_law(args.law, args.bias_scale)
    points = None
    if args.inputs:
        if args.no_fdim:
            raise InputError("--inputs", "the sample is for the functional dimension: do not combine with --no-fdim")
        from ..io.points import read_points
        points = read_points(args.inputs, widths[0])
    if args.timeout is not None and not (args.timeout > 0):
        raise InputError("--timeout", f"expected a positive number of seconds, got {args.timeout}")
    workers = 1 if args.timeout is not None and not args.scheduler else args.workers
    with Progress(args.trials, f"survey {args.arch}") as bar:
        answer = survey.run_survey(widths, args.trials, seed=args.seed, local=not args.no_local,
                                   hidden=not args.no_hidden, timeout=args.timeout, out=args.out,
                                   workers=workers, scheduler=args.scheduler,
                                   on_result=lambda r: bar.advance(), fdim=not args.no_fdim, law=law,
                                   points=points)
    lines = []
    for c in answer.details["checks"]:
        ref = c.get("theory", c.get("bound"))
        lines.append(f"{c['check']}: {c['estimate']} vs {ref}" + (f" (z = {'∞' if c['z'] is None else c['z']})" if "z" in c else "")
                     + ("" if c["within_3_sigma"] else "  OUTSIDE 3σ"))
    for key in ("certified", "witnessed_not_identifiable", "hidden_symmetry_witnessed"):
        if key in answer.details:
            d = answer.details[key]
            lines.append(f"{key}: {d['count']} ({d['fraction']:.3f}, 95% CI {d['ci95'][0]:.3f}–{d['ci95'][1]:.3f})")
    fd = answer.details.get("functional_dimension")
    if fd is not None:
        hist = ", ".join(f"{d}: {c}" for d, c in fd["histogram"].items()) or "none exact"
        lines.append(f"functional dimension (N − H = {fd['N-H']}; on {fd['sample']}): {hist}"
                     + (f"; undecided {fd['undecided']}" if fd["undecided"] else ""))
    return emit(answer, args, [], lines)
