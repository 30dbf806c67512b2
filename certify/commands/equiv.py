"""certify equiv A B: do A and B realise the same function (on R^d0 or a box)?"""
from __future__ import annotations

import argparse

from .options import (NET_HELP, Output, activity, add_assume, add_box, add_budget, add_certificate, add_json,
                      add_seed, add_timeout, certificate_output, emit, load, prepare)

METHODS = ("auto", "sample", "orbit", "shallow", "tree", "smt", "milp", "partition")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("equiv", help="decide f_A = f_B exactly (counterexample or certificate)",
                       description="Decide whether two networks compute the same function on a domain, exactly. "
                       "The domain is --box, else the networks' own domain, else R^d0; the answer names it. "
                       "Exit 0: equivalent (kernel-checked certificate); 1: not (exact counterexample, "
                       "kernel-checked); 3: undecided (also when only a solver says 'equal': an uncertified "
                       "verdict is never exit 0).")
    p.add_argument("a", metavar="A", help=f"network A ({NET_HELP})")
    p.add_argument("b", metavar="B", help="network B (any format A accepts)")
    add_box(p)
    p.add_argument("--method", default="auto", choices=METHODS,
                   help="decision method (default: auto = orbit, sample, shallow, tree, smt; "
                        "milp searches counterexamples on a box and never proves equality; with --tolerance: auto, "
                        "tree = one region tree on the box, partition = box partition only)")
    p.add_argument("--tolerance", metavar="EPS",
                   help="decide instead max over the box of |f_A,i − f_B,i| ≤ EPS (ℓ∞ over the outputs): a rational "
                        "or decimal ≥ 0 (1/1000, 0.05, 1e-5), or one per output separated by commas.  Needs a box.  "
                        "Exit 0: certificate (box partition: symbolic or interval differential bounds, or LP "
                        "multipliers, per cell); 1: an exact x where the gap exceeds EPS; 3: the best proved upper "
                        "bound and found lower bound of the gap.  The kernel may use what is left of --timeout "
                        "when that exceeds its 60 s default (re-check such a file with certify check --deadline)")
    p.add_argument("--top1", action="store_true",
                   help="decide instead top-1 agreement of two classifiers on the box: at every x some class c is "
                        "a top class of both (f_A,c ≥ f_A,k and f_B,c ≥ f_B,k for all k: the sets of maximisers "
                        "intersect; ties count as agreement when they share a class).  Needs a box.  Exit 0: "
                        "certificate (box partition: exact interval margins or LP multipliers per cell); 1: an exact "
                        "x where the argmax sets are disjoint; 3: the share of the box volume proved")
    p.add_argument("--margin", metavar="MU",
                   help="with --top1: require f_N,c − f_N,k ≥ MU (a rational ≥ 0, default 0); MU > 0 certifies a "
                        "unique, equal argmax won by at least MU, so any tie-breaking rule agrees")
    add_certificate(p)
    p.add_argument("--counterexample", metavar="FILE",
                   help="write the counterexample point alone: .json ({\"x\": [...], \"fA\", \"fB\", \"gap\"}, exact "
                        "rationals and decimals) or .txt/.counterexample (VNN-COMP format: (X_i value) lines)")
    add_timeout(p)
    add_seed(p, "the sampling refutation")
    add_budget(p, "region-tree nodes (with --tolerance: interval evaluations of cells)",
               "unlimited for --method tree, 100000 in auto; 2000000 cells with --tolerance")
    add_assume(p)
    add_json(p, "the verdict, exit code, domain (box, where it came from), theorem, counterexample (exact and "
                "decimal, with the gap max|f_A − f_B|) and timings")
    p.set_defaults(run=run)


def counterexample_output(path: str | None) -> Output:
    def write(answer, target: str) -> bool:
        d = answer.details
        if answer.verdict not in ("not-equivalent", "not-equivalent-within", "not-top1-agreement") or "x" not in d:
            import sys
            print(f"certify: nothing written to {target}: there is no counterexample", file=sys.stderr)
            return False
        from ..io.counterexample import write_counterexample
        write_counterexample(target, d)
        return True
    return Output("--counterexample", path, "counterexample", write, (".json", ".txt", ".counterexample"))


def run(args: argparse.Namespace) -> int:
    outputs = prepare([certificate_output(args), counterexample_output(args.counterexample)])
    a, b = load(args.a, args), load(args.b, args)
    from .. import api
    with activity("equiv"):
        answer = api.equivalent(a, b, args.box, method=args.method, timeout=args.timeout, seed=args.seed,
                                budget=args.budget, tolerance=args.tolerance, top1=args.top1, margin=args.margin)
    return emit(answer, args, outputs)
