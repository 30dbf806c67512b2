"""The survey grid of Grigsby–Lindsey–Rolnick (ICML 2023, Fig. 6): how many draws stay undecided.

    python bench/survey_grid.py [--depths 4,5,6] [--widths 5,10,15] [--trials 40] [--workers 2] [--no-write]

For each architecture w-w-…-w-1 of ``depth`` layers (GLR's depth: the number of affine maps,
so depth 4 is 5-5-5-5-1: input width w, depth − 1 hidden layers of width w, one output), ``certify survey ARCH --trials N --seed 1 --json`` runs once (Gaussian parameters); the
table gives the share of draws that are certified locally identifiable, witnessed not
identifiable, and undecided, the seconds per draw, and the exact functional dimensions seen.
Issue 12's target: at most 5 % undecided at widths 5 and 10, at most 30 s per draw at width 10.
Results go to the section ``survey-grid`` of bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _results import git_revision, machine, table, write_section  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--depths", default="4,5,6")
    ap.add_argument("--widths", default="5,10")
    ap.add_argument("--trials", type=int, default=40)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    header = machine()
    rows = []
    for w in map(int, args.widths.split(",")):
        for depth in map(int, args.depths.split(",")):
            arch = "-".join([str(w)] * depth + ["1"])
            argv = [sys.executable, "-m", "certify", "survey", arch, "--trials", str(args.trials), "--seed", "1",
                    "--workers", str(args.workers), "--json"]
            start = time.perf_counter()
            r = subprocess.run(argv, capture_output=True, text=True, cwd=HERE.parent)
            seconds = time.perf_counter() - start
            ev = json.loads(r.stdout)["evidence"]
            n = ev["trials"]
            share = {k: ev[k]["count"] / n for k in ("certified", "witnessed_not_identifiable", "undecided")}
            dims = ev["functional_dimension"]
            hist = ", ".join(f"{k}: {v}" for k, v in sorted(dims["histogram"].items(), key=lambda kv: -int(kv[0])))
            rows.append([arch, n, f"{share['certified']:.0%}", f"{share['witnessed_not_identifiable']:.0%}",
                         f"{share['undecided']:.0%}", f"{seconds * args.workers / n:.1f}", dims["N-H"], hist])
            print(*rows[-1], sep=" | ", flush=True)
    body = (f"Command: `python bench/survey_grid.py --depths {args.depths} --widths {args.widths} --trials "
            f"{args.trials} --workers {args.workers}` at {git_revision()}. Machine: {header}.\n\n"
            "Seconds per draw = wall time × workers / draws (one core per draw).\n\n"
            + table(["architecture", "draws", "certified", "witnessed not identifiable", "undecided",
                     "s per draw", "N − H", "functional dimension: draws"], rows))
    if not args.no_write:
        write_section("survey-grid", body)


if __name__ == "__main__":
    main()
