"""ε-equivalence of ACAS Xu networks against perturbed copies (issue 13).

    python bench/tolerance.py                              # default pairs, writes section 'tolerance'
    python bench/tolerance.py --nets 1_1 --noise 0.03 --shrink 10 --timeout 400 --no-write

Each pair is an ACAS Xu network A (/work/shared/benchmarks/acasxu, exact binary floats) and a
copy B with relative weight noise: every weight and bias w becomes w·(1 + r·N(0, 1)) (numpy
seed 0), rounded to float32 like a re-export.  The box is the property-1 box of
prop_1.vnnlib shrunk by --shrink around its centre (1 = the full box).  For each pair the
script samples max|f_A − f_B| on 20 000 random points (floats: an estimate), then runs
``certify.equivalent(A, B, box, tolerance=ε)`` and records the outcome, the total, generation
and kernel times, the partition's size and the proved / found bounds.

With ``--peers nnequiv,milp,z3`` the same pairs (same ε, same box) also go to NNEquiv
(samysweb/nnequiv, in its own virtualenv), certify's big-M MILP on HiGHS and a direct z3
query, each with ``--peer-timeout``; their answers and times are recorded next to certify's
(bench/peers: none of them gives a certificate).

With ``--pairs bench/tolerance_pairs.json`` the pairs are those of that file (net, r, seed, chosen by
bench/tolerance_pairs.py so that the estimated gaps spread over [0.002, 0.035], issue 13's 20 pairs) on
the full property-1 box, and the "sampled max gap" column shows the file's sampled / searched
estimates (10^6 points + local search from the 256 best) instead of the 20 000-point one; the section is
``tolerance-20`` unless ``--section`` says otherwise:

    python bench/tolerance.py --pairs bench/tolerance_pairs.json --timeout 100
    python bench/tolerance.py --pairs bench/tolerance_pairs.json --nets 1_1 --only 1 --timeout 200 --no-write
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from fractions import Fraction

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

import certify  # noqa: E402
from certify.core.domain import parse_box  # noqa: E402
from certify.network import Network  # noqa: E402
from _results import machine, table, write_section  # noqa: E402
from peers import run_peer  # noqa: E402

ACAS = os.environ.get("ACASXU", "/work/shared/benchmarks/acasxu")


def perturbed(a: Network, rel: float, seed: int = 0) -> Network:
    """A copy with relative weight noise r, rounded to float32."""
    rng = np.random.default_rng(seed)
    layers = []
    for w, b in a.float_layers:
        w2 = (w * (1 + rel * rng.standard_normal(w.shape))).astype(np.float32).astype(float)
        b2 = (b * (1 + rel * rng.standard_normal(b.shape))).astype(np.float32).astype(float)
        layers.append((w2.tolist(), b2.tolist()))
    return Network.from_layers(layers)


def fail(message: str) -> None:
    """Bad input: one line on stderr, exit 2."""
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(2)


def shrunk_box(shrink: Fraction):
    box = parse_box(os.path.join(ACAS, "prop_1.vnnlib"), 5)
    return [((lo + hi) / 2 - (hi - lo) / 2 / shrink, (lo + hi) / 2 + (hi - lo) / 2 / shrink) for lo, hi in box]


def pair_options(ap: argparse.ArgumentParser) -> None:
    """The options naming one ACAS Xu pair of this benchmark (for the one-pair scripts)."""
    ap.add_argument("--net", default="1_1")
    ap.add_argument("--noise", type=float, default=0.01)
    ap.add_argument("--eps", default="0.05")
    ap.add_argument("--shrink", default="1")


def pair_from(args: argparse.Namespace) -> tuple[Network, Network, list, list[Fraction]]:
    """(A, B, box, ε per output) for the options of ``pair_options``."""
    a = Network.load(os.path.join(ACAS, f"ACASXU_run2a_{args.net}_batch_2000.json"))
    return a, perturbed(a, args.noise), shrunk_box(Fraction(args.shrink)), [Fraction(args.eps)] * a.widths[-1]


def sampled_gap(a: Network, b: Network, box, n: int = 20000) -> float:
    rng = np.random.default_rng(1)
    lo = np.array([float(l) for l, _ in box])
    hi = np.array([float(h) for _, h in box])
    X = lo + (hi - lo) * rng.random((n, len(lo)))
    return float(np.abs(a.float_eval(X) - b.float_eval(X)).max())


def timed_equiv(a, b, box, eps: str, timeout: float):
    """(the answer of ``equivalent --tolerance``, its wall time, proved ≤ and found ≥ as floats or None)."""
    t = time.perf_counter()
    ans = certify.equivalent(a, b, box=box, tolerance=eps, timeout=timeout)
    total = time.perf_counter() - t
    up = ans.details.get("gap_upper")
    return ans, total, max(float(Fraction(v)) for v in up) if up else None, ans.details.get("gap_lower_decimal")


def _g(x: float | None, digits: int) -> str:
    return "—" if x is None else f"{x:.{digits}g}"


def run_pair(net: str, rel: float, shrink: Fraction, eps: str, timeout: float, peers=(), peer_timeout=100.0,
             strategy="REFINE_UNTIL_LAST", seed: int = 0, est: str | None = None) -> list:
    """One row of the table; ``est`` (the gap estimate's cell) defaults to the 20 000-point sample."""
    a = Network.load(os.path.join(ACAS, f"ACASXU_run2a_{net}_batch_2000.json"))
    b = perturbed(a, rel, seed)
    box = shrunk_box(shrink)
    est = est or f"{sampled_gap(a, b, box):.4g}"
    ans, total, upper, lower = timed_equiv(a, b, box, eps, timeout)
    d = ans.details
    return [f"ACASXU_{net}", rel if seed == 0 else f"{rel} (seed {seed})", f"1/{shrink}" if shrink != 1 else "prop-1",
            eps, est,
            f"{ans.verdict} (exit {ans.code})", f"{total:.1f}", f"{ans.timings.get('generate', 0):.1f}",
            f"{ans.timings.get('kernel', 0):.1f}", d.get("leaves", "—"), d.get("region_leaves", "—"),
            _g(upper, 4), _g(lower, 4)] + _peer_cells(a, b, box, eps, peers, peer_timeout, strategy)


def _peer_cells(a, b, box, eps: str, peers, timeout: float, strategy: str) -> list[str]:
    cells = []
    for spec in peers:  # "name" or "name:seconds"
        name, _, limit = spec.partition(":")
        answer, seconds = run_peer(name, a, b, box, float(Fraction(eps)), float(limit or timeout), strategy)
        cells.append(f"{answer}, {seconds:.1f} s")
    return cells


PEER_NAMES = {"nnequiv": "NNEquiv", "milp": "MILP (HiGHS)", "z3": "z3"}

HEADER = ["network", "noise r", "box", "ε", "sampled max gap", "outcome", "total s", "generate s", "kernel s",
          "cells", "LP cells", "proved ≤", "found ≥"]


def nnet_vs_onnx(net: str, eps: str, timeout: float) -> list:
    """The original decimal .nnet file against the VNN-COMP float32 ONNX of the same network."""
    a = certify.load(os.path.join(ACAS, "nnet", f"ACASXU_run2a_{net}_batch_2000.nnet"))
    b = certify.load(os.path.join(ACAS, f"ACASXU_run2a_{net}_batch_2000.onnx"))
    box = shrunk_box(Fraction(1))
    est = sampled_gap(a, b, box)
    ans, total, upper, lower = timed_equiv(a, b, box, eps, timeout)
    return [f"ACASXU_{net} .nnet vs .onnx", "prop-1", eps, f"{est:.3g}", f"{ans.verdict} (exit {ans.code})",
            f"{total:.1f}", f"{ans.timings.get('generate', 0):.1f}", f"{ans.timings.get('kernel', 0):.1f}",
            _g(upper, 3), _g(lower, 3)]


def pair_jobs(path: str, nets: str | None, only: str | None) -> tuple[list[tuple[str, float, Fraction, int, str]], dict]:
    """(net, r, box shrink 1, seed, estimate cell) for the pairs of a bench/tolerance_pairs.py file,
    optionally only those of the networks ``nets`` and the seeds ``only`` (comma-separated); and the file."""
    try:
        with open(path) as fh:
            doc = json.load(fh)
        pairs = doc["pairs"]
        jobs = [(p["net"], float(p["r"]), Fraction(1), int(p["seed"]),
                 f"{p['sampled_gap']:.4g} / {p['searched_gap']:.4g}") for p in pairs]
    except (OSError, ValueError, KeyError, TypeError) as e:
        fail(f"--pairs {path}: not a pairs file of bench/tolerance_pairs.py ({e})")
    keep_net = set(nets.split(",")) if nets else None
    try:
        keep_seed = {int(s) for s in only.split(",")} if only else None
    except ValueError:
        fail(f"--only: not a list of pair numbers: {only!r}")
    return [j for j in jobs if (keep_net is None or j[0] in keep_net) and (keep_seed is None or j[3] in keep_seed)], doc


def main_nnet(args) -> None:
    head = machine()
    rows = [nnet_vs_onnx(net, args.eps, args.timeout) for net in args.nets.split(",")]
    body = "\n".join([
        "## ε-equivalence: ACAS Xu .nnet (decimal) against the VNN-COMP ONNX (float32) (issue 13)", "",
        f"Command: `python bench/tolerance.py --nnet-vs-onnx --nets {args.nets} --eps {args.eps} "
        f"--timeout {args.timeout:g}`.",
        f"Machine: {head}. Other engineers' jobs may have been running on the 2 cores.", "",
        table(["pair", "box", "ε", "sampled max gap", "outcome", "total s", "generate s", "kernel s", "proved ≤",
               "found ≥"], rows)])
    if not args.no_write:
        write_section("tolerance-nnet", body)
    print(body)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nets", default=None, help="ACAS Xu networks (default 1_1,1_9; with --pairs: all of the file)")
    ap.add_argument("--noise", default="0.01,0.03", help="relative weight noise levels")
    ap.add_argument("--above", default="0.15", help="noise levels whose gap should exceed ε (counterexamples)")
    ap.add_argument("--shrink", default="10", help="shrink factors of the property-1 box (1 = full box)")
    ap.add_argument("--full-nets", default="1_1", help="networks also run on the full property-1 box")
    ap.add_argument("--full-noise", default="0.01,0.03")
    ap.add_argument("--eps", default="0.05")
    ap.add_argument("--timeout", type=float, default=400.0)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--peers", default="", help="also run these on the same pairs: nnequiv, milp, z3 "
                    "(comma-separated, each optionally name:timeout; see bench/peers)")
    ap.add_argument("--peer-timeout", type=float, default=100.0)
    ap.add_argument("--strategy", default="REFINE_UNTIL_LAST", help="NNEquiv's refinement strategy")
    ap.add_argument("--section", default="tolerance", help="RESULTS.md section to write")
    ap.add_argument("--nnet-vs-onnx", action="store_true", help="the .nnet files against the ONNX of the same "
                    "networks on the full property-1 box (section tolerance-nnet; use --eps 1e-5)")
    ap.add_argument("--pairs", help="run the pairs of this file (bench/tolerance_pairs.py) on the full property-1 box "
                    "instead of --noise/--above/--shrink/--full-*; section tolerance-20 unless --section")
    ap.add_argument("--only", help="with --pairs: only these seeds (pair numbers 1-4, comma-separated)")
    args = ap.parse_args()
    if args.pairs:
        return main_pairs(args)
    args.nets = args.nets or "1_1,1_9"
    if args.nnet_vs_onnx:
        return main_nnet(args)
    jobs = [(net, float(r), Fraction(s), 0, None) for s in args.shrink.split(",") for net in args.nets.split(",")
            for r in (args.noise + "," + args.above).split(",") if r]
    jobs += [(net, float(r), Fraction(1), 0, None) for net in args.full_nets.split(",") if net
             for r in args.full_noise.split(",") if r]
    command = (f"python bench/tolerance.py --nets {args.nets} --noise {args.noise} --above {args.above} "
               f"--shrink {args.shrink} --full-nets {args.full_nets} --full-noise {args.full_noise}")
    run_table(args, jobs, command, "B = A with relative weight noise r (w·(1 + r·N(0,1)), numpy seed 0, rounded to "
              "float32); box = the property-1 box shrunk around its centre. \"sampled max gap\": floats on 20 000 "
              "random points (an estimate).", args.section)


def main_pairs(args) -> None:
    jobs, doc = pair_jobs(args.pairs, args.nets, args.only)
    if not jobs:
        fail(f"--pairs {args.pairs}: no pair matches --nets/--only")
    command = f"python bench/tolerance.py --pairs {args.pairs}" + (f" --nets {args.nets}" if args.nets else "") + (
        f" --only {args.only}" if args.only else "")
    section = "tolerance-20" if args.section == "tolerance" else args.section
    run_table(args, jobs, command, f"The pairs of `{args.pairs}` (bench/tolerance_pairs.py): B = A with relative "
              "weight noise r (w·(1 + r·N(0,1)), numpy seed as given, rounded to float32), on the full property-1 "
              f"box. \"sampled max gap\": the file's float estimates, sampled ({doc.get('samples', '?')} points) / "
              f"searched (local maximisation from the {doc.get('starts', '?')} best points).", section)


def run_table(args, jobs, command: str, pairs_text: str, section: str) -> None:
    """Run certify (and the peers) on ``jobs`` = [(net, r, shrink, seed, estimate cell or None)], print and
    (unless --no-write) write the table to ``section``."""
    head = machine()
    rows = []
    peers = [p for p in args.peers.split(",") if p]
    for net, rel, shrink, seed, est in jobs:
        row = run_pair(net, rel, shrink, args.eps, args.timeout, peers, args.peer_timeout, args.strategy, seed, est)
        print(" | ".join(map(str, row)), flush=True)
        rows.append(row)
    body = "\n".join([
        "## ε-equivalence of ACAS Xu against perturbed copies (issue 13)", "",
        f"Command: `{command} --eps {args.eps} --timeout {args.timeout:g}" + (
            f" --peers {args.peers} --peer-timeout {args.peer_timeout:g} --strategy {args.strategy}" if peers else "")
        + "`.",
        f"Machine: {head}. Other engineers' jobs may have been running on the 2 cores.", "",
        pairs_text + " \"proved ≤\": the tolerance of the kernel-checked certificate (on exit 3: of the weaker "
        "claim); \"found ≥\": the largest exact gap at a sampled rational point. \"LP cells\": cells whose "
        "leaf is a region tree (LP-duality multipliers) rather than differential intervals.", "",
        table(HEADER + [f"{PEER_NAMES.get(p.partition(':')[0], p)} (no certificate)" for p in peers], rows)])
    if not args.no_write:
        write_section(section, body)
    print(body)

if __name__ == "__main__":
    main()
