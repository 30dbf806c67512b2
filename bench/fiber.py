"""certify fiber: run times of the fiber description and of the --family sweeps (issue 14 parts 2–3).

Times ``certify.fiber`` on random shallow networks d-n-m (generic, and with planted
silent / constant / twin neurons), checks the dimension against N − fdim where the theory
says they agree (generic points, planted silent and constant neurons), and times the two
``certify fiber --family`` sweeps of docs/fibers.md.  Writes the ``fiber`` section of
bench/RESULTS.md.

    python bench/fiber.py [--per-cell 5] [--no-write]
"""
from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _results import git_revision, machine, table, write_section  # noqa: E402

import certify  # noqa: E402
from certify.network import Network  # noqa: E402

ARCHS = [(1, 2, 1), (2, 3, 1), (2, 4, 2), (3, 5, 1), (3, 6, 3)]
PLANTS = ("generic", "silent", "constant", "twins")


def _net(rng: random.Random, d: int, n: int, m: int, plant: str) -> Network:
    """A random base point in U_0 (resampled until it is), then the plant."""
    from certify.kernel.honest import decide
    nz = lambda: rng.choice([x for x in range(-5, 6) if x])  # noqa: E731
    while True:
        W = [[nz() for _ in range(d)] for _ in range(n)]
        b = [rng.randint(-3, 3) for _ in range(n)]
        A = [[nz() for _ in range(n)] for _ in range(m)]
        if decide(Network.from_layers([(W, b), (A, [0] * m)]).net)["U0"]:
            break
    if plant == "silent":
        for r in A:
            r[0] = 0
    elif plant == "constant":
        W[0], b[0] = [0] * d, 2
    elif plant == "twins":
        W[1], b[1] = [2 * x for x in W[0]], 2 * b[0]
    return Network.from_layers([(W, b), (A, [0] * m)])


def expected(d: int, n: int, m: int, plant: str) -> int | None:
    """The fiber dimension near θ that theory predicts (= N − fdim) for these plants."""
    return {"generic": n, "silent": n + d, "constant": n + m}.get(plant)


def run_cells(per_cell: int, seed: int) -> tuple[str, int]:
    rng = random.Random(seed)
    rows, wrong = [], 0
    for d, n, m in ARCHS:
        for plant in PLANTS:
            times, agree, checked, comps = [], 0, 0, []
            for _ in range(per_cell):
                net = _net(rng, d, n, m, plant)
                start = time.perf_counter()
                fib = certify.fiber(net)
                times.append(time.perf_counter() - start)
                comps.append(len(fib.components))
                want = expected(d, n, m, plant)
                if want is not None:
                    fd = certify.functional_dimension(net, seed=1)
                    if fd.code == 0:
                        checked += 1
                        ok = fib.local_dim == want == net.N - fd.details["dimension"]
                        agree += ok
                        wrong += not ok
            rows.append([f"{d}-{n}-{m}", plant, per_cell, f"{statistics.median(times):.3f}", f"{max(times):.3f}",
                         f"{statistics.mean(comps):.1f}", f"{agree}/{checked}" if checked else "—"])
    return table(["d-n-m", "plant", "nets", "median s", "max s", "components (mean)",
                  "local dim = theory = N − fdim"], rows), wrong


def run_families() -> str:
    rows = []
    for name, rng_arg in (("pair", "--t-range=-2:2:33"), ("twins", "--t-range=-1:1:9")):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "certify", "fiber", "--family", name, rng_arg],
                              capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": ""})
        wall = time.perf_counter() - start
        points = sum(1 for line in proc.stdout.splitlines() if line.strip().endswith(("yes", "NO")))
        rows.append([f"`certify fiber --family {name} {rng_arg}`", proc.returncode, points, f"{wall:.2f}"])
    return table(["command", "exit", "points", "wall s"], rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-cell", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-write", action="store_true", help="print only, do not touch RESULTS.md")
    args = ap.parse_args()
    header = (f"## The shallow fiber (`certify fiber`, issue 14 parts 2–3)\n\n"
              f"Command: `python bench/fiber.py --per-cell {args.per_cell} --seed {args.seed}`; revision "
              f"{git_revision()}; machine: {machine()}.\n")
    cells, wrong = run_cells(args.per_cell, args.seed)
    fams = run_families()
    body = (f"{header}\n### `certify.fiber` on random networks (all samples kernel-checked)\n\n{cells}\n\n"
            f"Planted: silent = a_0 = 0, constant = w_0 = 0 with b_0 = 2, twins = row 1 = 2·row 0. The last "
            f"column compares the stratum dimension with theory and with N − fdim where they must agree "
            f"(generic, silent, constant); twins are not generic points of DF for m = 1 (docs/fibers.md).\n\n"
            f"### The families of docs/fibers.md (every point with its certificates)\n\n{fams}\n")
    print(body)
    if not args.no_write:
        write_section("fiber", body)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
