"""The Zariski description of the shallow honest set, measured (theory.md §3.4–3.6, issue 14).

    python bench/zariski.py [--points 10000] [--seed 0]

Part 1, agreement: random rational points and points built to make each condition vanish
in turn (``certify.shallow.agreement.targets``, one or two steps composed), over
architectures d ∈ {1,2,3}, n ∈ {1..5}, m ∈ {1,2,3}; at each point the polynomial
description (both charts) is evaluated exactly and compared with the exact decision
(``certify.kernel.honest.decide``).  The guaranteed implications (I1)–(I6) are counted
with their disagreements (must be 0); the cases the theory does not decide are counted
separately.

Part 2, `certify zariski D-N-M` for d, m ≤ 3, n ≤ 6: numbers of conditions and
polynomials, the time to build them and to print each format (in process), and the wall
time of the command itself (a subprocess, start-up included) at the corners.
Results go to bench/RESULTS.md, section "zariski".
"""
from __future__ import annotations

import argparse
import collections
import json
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import git_revision, machine, table, write_section  # noqa: E402

from certify.shallow import agreement, zariski  # noqa: E402

ARCHS = [(d, n, m) for d in (1, 2, 3) for n in (1, 2, 3, 4, 5) for m in (1, 2, 3)]
IMPLICATIONS = {
    "I1": "poly U_0 ⟺ decision U_0, and then int Σ (Thm 3.4)",
    "I2": "θ ∈ D: int Σ ⟺ Σ ⟺ poly U_0 (Thm 3.4)",
    "I3": "exactly one opposite pair {i,j}: int Σ ⟺ poly U_1^{ij} (Thm 3.6)",
    "I4": "m = 1: int Σ ⟺ poly U_0 ∪ U_1 (Thm 3.6)",
    "I5": "m ≥ 2: poly U_0 ∪ U_1 ⟹ int Σ; decided int Σ with ≤ 1 pair ⟹ poly (Thm 3.6)",
    "I6": "raw chart ⟺ invariant chart for U_0 and every U_1^{ij} (§3.6)",
}


def agreement_run(points: int, seed: int) -> tuple[str, dict]:
    rng = random.Random(seed)
    cache = {}
    checked, wrong = collections.Counter(), collections.Counter()
    kinds = collections.Counter()
    other = collections.Counter()
    examples = []
    start = time.perf_counter()
    built = 0
    while built < points:
        arch = rng.choice(ARCHS)
        if arch not in cache:
            cache[arch] = (zariski.honest_set(*arch), agreement.targets(*arch))
        hs, targets = cache[arch]
        u = rng.random()
        steps: list = []
        if u >= 0.15 and targets:
            steps += list(rng.choice(targets)[1])
            kind = "one boundary step"
            if u >= 0.6:
                steps += list(rng.choice(targets)[1])
                kind = "two boundary steps"
        else:
            kind = "random"
        net = agreement.build(*arch, steps, rng)
        if net is None:
            other["step could not be built (redrawn)"] += 1
            continue
        built += 1
        kinds[kind] += 1
        r = agreement.implications(net, hs)
        for k, ok in r["checks"].items():
            if ok is None:
                continue
            checked[k] += 1
            if not ok:
                wrong[k] += 1
                if len(examples) < 5:
                    examples.append((arch, steps, r))
        poly = r["poly_U0"] or r["poly_U1"]
        other[f"decision int Σ = {r['int_sigma']}"] += 1
        if r["sigma"] and not poly:
            other["θ ∈ Σ but not in U_0 ∪ U_1 (Σ is not open; expected)"] += 1
        if arch[2] >= 2 and r["pairs"] >= 2:
            other[f"m ≥ 2, ≥ 2 opposite pairs (Theorem 3.7, decided pointwise; no polynomials yet): Σ = {r['sigma']}, int Σ = {r['int_sigma']}"] += 1
        if r["undecided"]:
            other["decision over budget"] += 1
    seconds = time.perf_counter() - start
    rows = [[k, IMPLICATIONS[k], checked[k], wrong[k]] for k in IMPLICATIONS]
    body = [f"{built} points ({', '.join(f'{v} {k}' for k, v in sorted(kinds.items()))}) over "
            f"{len(ARCHS)} architectures d ∈ {{1,2,3}}, n ∈ {{1..5}}, m ∈ {{1,2,3}}, seed {seed}; "
            f"{seconds:.1f} s ({1000 * seconds / built:.2f} ms per point: build, both charts, exact decision).",
            "", "Guaranteed implications (a disagreement would be a bug in the description or the decision):", "",
            table(["", "implication", "points where it applies", "disagreements"], rows), "",
            "Not guaranteed by the theory (counted, not asserted):", "",
            table(["case", "points"], [[k, v] for k, v in sorted(other.items())])]
    if examples:
        body += ["", "First disagreements:", "", "```", *[json.dumps([a, s, r], default=str) for a, s, r in examples],
                 "```"]
    return "\n".join(body), {"wrong": sum(wrong.values())}


def timing_run() -> str:
    rows = []
    for d in (1, 2, 3):
        for m in (1, 2, 3):
            for n in range(1, 7):
                t0 = time.perf_counter()
                hs = zariski.honest_set(d, n, m)
                t1 = time.perf_counter()
                zariski.to_text(hs)
                t2 = time.perf_counter()
                zariski.to_latex(hs)
                t3 = time.perf_counter()
                json.dumps(zariski.to_json(hs))
                t4 = time.perf_counter()
                raw, inv = hs.raw.counts(), hs.invariant.counts()
                rows.append([f"{d}-{n}-{m}", raw["U0"], raw["conditions"], raw["polynomials"], inv["conditions"],
                             inv["polynomials"], f"{t1 - t0:.3f}", f"{t2 - t1:.3f}", f"{t3 - t2:.3f}",
                             f"{t4 - t3:.3f}"])
    cli = []
    for arch in ("2-3-1", "3-6-1", "3-6-3"):
        for fmt in ("text", "latex", "json"):
            t0 = time.perf_counter()
            out = subprocess.run([sys.executable, "-m", "certify", "zariski", arch, "--format", fmt],
                                 capture_output=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
            cli.append([arch, fmt, out.returncode, f"{len(out.stdout) / 1e6:.2f}", f"{time.perf_counter() - t0:.2f}"])
    return "\n".join([
        "In process: conditions and polynomials per chart (raw / invariant), seconds to build and to print.", "",
        table(["d-n-m", "raw U_0", "raw conditions", "raw polynomials", "inv. conditions", "inv. polynomials",
               "build s", "text s", "latex s", "json s"], rows), "",
        "The command (`python -m certify zariski D-N-M --format F`, subprocess, start-up included):", "",
        table(["D-N-M", "format", "exit", "output MB", "wall s"], cli)])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--points", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-write", action="store_true", help="print only, do not touch RESULTS.md")
    args = ap.parse_args()
    header = (f"## The shallow honest set as polynomials (`certify zariski`, issue 14)\n\n"
              f"Command: `python bench/zariski.py --points {args.points} --seed {args.seed}`; revision "
              f"{git_revision()}; machine: {machine()}.\n")
    part1, stats = agreement_run(args.points, args.seed)
    part2 = timing_run()
    body = f"{header}\n### Agreement with the exact decision\n\n{part1}\n\n### `certify zariski` for d, m ≤ 3, n ≤ 6\n\n{part2}\n"
    print(body)
    if not args.no_write:
        write_section("zariski", body)
    return 1 if stats["wrong"] else 0


if __name__ == "__main__":
    sys.exit(main())
