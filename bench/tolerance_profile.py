"""Where the time goes when ``equiv --tolerance`` does not finish (issue 13, full property-1 box).

    python bench/tolerance_profile.py --net 1_1 --noise 0.01 --shrink 1 --timeout 100

Runs one pair of bench/tolerance.py under cProfile, with the engine's region-tree leaf
attempts (``deep.tolerance._region_tree``) wrapped to record, per cell shape (each side as a
fraction of the box's side), the attempts, successes and seconds, and the share of the box's
volume the successful leaves cover.  Writes the section ``tolerance-profile`` of RESULTS.md.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from fractions import Fraction

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

import certify.deep.tolerance as dt  # noqa: E402
from _results import machine, table, write_section  # noqa: E402
from tolerance import pair_from, pair_options, timed_equiv  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    pair_options(ap)
    ap.add_argument("--timeout", type=float, default=100.0)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    head = machine()
    a, b, box, _ = pair_from(args)
    stats: dict[tuple, list] = {}
    inner = dt._region_tree
    fd: list = []

    def recorded(p, eps, cell, budget, deadline):
        if not fd:
            fd.append(dt.FloatDiff(p.a, p.b))
        fd[0].gap(np.array([[float(l) for l, _ in cell]]), np.array([[float(h) for _, h in cell]]))
        open_signs = int(fd[0].unstable[0])  # neurons of A or B whose sign float intervals leave open
        t = time.perf_counter()
        found = inner(p, eps, cell, budget, deadline)
        shape = tuple(Fraction(h - l) / (H - L) for (l, h), (L, H) in zip(cell, box))
        stats.setdefault(shape, []).append((found is not None and found[0] == "proved", time.perf_counter() - t,
                                            open_signs))
        return found

    dt._region_tree = recorded
    prof = cProfile.Profile()
    prof.enable()
    ans, total, upper, lower = timed_equiv(a, b, box, args.eps, args.timeout)
    prof.disable()
    dt._region_tree = inner
    rows, covered = [], Fraction(0)
    for shape, runs in sorted(stats.items(), key=lambda kv: -float(sum(kv[0]))):
        ok = sum(1 for good, _, _ in runs if good)
        vol = Fraction(1)
        for s in shape:
            vol *= s
        covered += ok * vol
        signs = sorted(u for _, _, u in runs)
        good = sorted(u for g, _, u in runs if g)
        rows.append(["(" + ", ".join(str(s) for s in shape) + ")", len(runs), ok,
                     f"{sum(s for _, s, _ in runs):.1f}", f"{float(ok * vol):.2%}", f"{signs[0]}–{signs[-1]}",
                     f"{good[0]}–{good[-1]}" if good else "—"])
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(18)
    keep = [l for l in out.getvalue().splitlines() if "function calls" in l or "cumtime" in l or "/" in l]
    body = "\n".join([
        "## Where the time goes on the full property-1 box (issue 13)", "",
        f"Command: `python bench/tolerance_profile.py --net {args.net} --noise {args.noise} --shrink {args.shrink} "
        f"--eps {args.eps} --timeout {args.timeout:g}`.",
        f"Machine: {head}. Other engineers' jobs may have been running on the 2 cores.", "",
        f"Outcome: {ans.verdict} (exit {ans.code}) in {total:.1f} s (generate {ans.timings.get('generate', 0):.1f} s, "
        f"kernel {ans.timings.get('kernel', 0):.1f} s); {ans.details.get('leaves')} leaves, "
        f"{ans.details.get('region_leaves')} region-tree leaves, {ans.details.get('cells')} interval evaluations; "
        f"volume covered by certified region-tree leaves: {float(covered):.2%} of the box.", "",
        "Region-tree leaf attempts per cell shape (side / box side, inputs 0–4):", "",
        table(["cell shape", "attempts", "proved", "seconds", "box volume proved", "open signs (all)",
               "open signs (proved)"], rows), "",
        "cProfile, cumulative (top entries):", "", "```", *keep, "```"])
    if not args.no_write:
        write_section("tolerance-profile", body)
    print(body)


if __name__ == "__main__":
    main()
