"""Time of `certify honest` against the number of neurons n for random shallow networks.

    python bench/honest_scaling.py [--max-n 1000]

Two regimes (theory.md §3.7): n ≤ m·d, where the flip matrices are generically independent
(κ = n − rank F = 0: one rank computation decides U_0), and n > m·d, where the exact
decision enumerates 2^κ patterns (or 2^(n/2) by meet in the middle) and the tool reports
that cost, answering "undecided" past its budget.  Baseline, measured in the same run:
the naive exact test of the U_0 condition, every non-empty subset T of the n flip
matrices (2^n − 1 exact sums), timed where it finishes and extrapolated (labelled) beyond.
Results go to bench/RESULTS.md, section "honest-scaling".
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import machine, table, write_section  # noqa: E402

from certify.api import honest as decide_honest  # noqa: E402
from certify.kernel.honest import structure  # noqa: E402
from certify.kernel.subsetsum import plan  # noqa: E402
from certify.network import Network  # noqa: E402


def random_shallow(d: int, n: int, m: int, seed: int) -> Network:
    rng = random.Random(seed)

    def q():
        return Fraction(rng.randint(-99, 99) or 1, rng.randint(1, 9))
    return Network.from_layers([([[q() for _ in range(d)] for _ in range(n)], [q() for _ in range(n)]),
                                ([[q() for _ in range(n)] for _ in range(m)], [q() for _ in range(m)])])


def brute_force(net: Network, limit_s: float = 20.0) -> tuple[str, float]:
    """Naive U_0 test: all 2^n − 1 subset sums of the flip matrices (Gray code, one add per step)."""
    sh = structure(net.net)
    F = [sh.flip(i) for i in range(sh.n)]
    n = sh.n
    start = time.perf_counter()
    acc = [Fraction(0)] * len(F[0])
    inside = [False] * n
    steps = 0
    for step in range(1, 1 << n):
        bit = (step & -step).bit_length() - 1
        sign = -1 if inside[bit] else 1
        inside[bit] = not inside[bit]
        acc = [x + sign * y for x, y in zip(acc, F[bit])]
        steps += 1
        if not any(acc):
            return "found", time.perf_counter() - start
        if steps % 4096 == 0 and time.perf_counter() - start > limit_s:
            per = (time.perf_counter() - start) / steps
            return f"≈ {per * ((1 << n) - 1):.3g} (extrapolated)", per * ((1 << n) - 1)
    return "none", time.perf_counter() - start


def run(d: int, n: int, m: int, seed: int, budget: int) -> list:
    net = random_shallow(d, n, m, seed)
    start = time.perf_counter()
    answer = decide_honest(net, budget=budget)
    wall = time.perf_counter() - start
    rank = min(n, m * d)  # generic rank of the flip matrices
    method, cost = plan(n, n - rank) if n > rank else ("rank mod p", 1)
    bf_text, bf = brute_force(net) if n <= 40 else ("≈ 2^%d sums (not run)" % n, float("nan"))
    g, k = answer.timings.get("generate", 0.0), answer.timings.get("kernel", 0.0)
    return [f"{d}-{n}-{m}", n, m * d, n - rank, f"{cost:.3g} ({method})", answer.code,
            answer.verdict, f"{g:.3f}", f"{k:.3f}", f"{wall:.3f}", bf_text if "≈" in bf_text else f"{bf:.3f}",
            f"{bf / wall:.3g}×" if bf == bf and wall and answer.code != 3 else "-"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-n", type=int, default=1000)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    head = machine()
    rows = []
    for n in [4, 8, 16, 24, 32, 100, 300, 1000]:
        if n > args.max_n:
            continue
        m = 4
        d = -(-n // m) + 1
        rows.append(run(d, n, m, n, 1 << 20))
        print(rows[-1], flush=True)
    hard = []
    for n in [8, 12, 16, 20, 24, 32, 40]:  # m = 1, d = 2: κ = n − 2
        hard.append(run(2, n, 1, 1000 + n, 1 << 20))
        print(hard[-1], flush=True)
    header = ["widths", "n", "m·d", "κ", "exact cost (patterns)", "exit", "verdict", "generate s", "kernel s",
              "total s", "baseline 2^n s", "baseline / ours"]
    body = f"""## `certify honest` against n (issue 4)

Command: `python bench/honest_scaling.py --max-n {args.max_n}`.  Machine: {head}.
Other engineers' jobs may have been running on the 2 cores.

Random shallow networks with rational weights p/q (|p| ≤ 99, q ≤ 9).  "exact cost" is the
number of patterns the complete decision needs (2^κ kernel enumeration with κ = n − rank F, or
2^⌈n/2⌉ + 2^⌊n/2⌋ meet in the middle, whichever is smaller; theory.md §3.7); the budget is
2^20 patterns.  Baseline: the naive exact U_0 test over all 2^n − 1 subsets of flip matrices
(stopped after 20 s and extrapolated, labelled "≈").  Total = generation + kernel check of the
certificate (the kernel recomputes the decision data, so it repeats the enumeration).  When the
exact test is over budget, the 0/1 program (pulp/HiGHS, 20 s limit) may still find a zero subset;
here there is none, so the answer is exit 3 with the cost, and no ratio is given.

n ≤ m·d (generic flip matrices independent: one rank mod p decides, κ = 0):

{table(header, rows)}

n > m·d (m = 1, d = 2: κ = n − 2, the exponential regime; exit 3 reports the cost):

{table(header, hard)}
"""
    print(body)
    if not args.no_write:
        write_section("honest-scaling", body)


if __name__ == "__main__":
    main()
