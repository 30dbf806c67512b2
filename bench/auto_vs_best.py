"""The everyday path against its best single method: `equiv --method auto` vs each method alone.

    python bench/auto_vs_best.py [--parts synthetic,acas] [--repeat 3] [--no-write]

For every equal pair, the same run times ``api.equivalent(method=m)`` for ``auto`` and for
each single method that can prove equality here (``orbit``, ``tree``), end to end (generation
and the kernel check of the certificate), the median of ``--repeat`` runs.  The ratio is
auto / the fastest single method that decided.  Target (issue 12, item 7): at most 1.5×.

Parts
* synthetic — (θ, g·move(θ)) pairs of tests/common/deep_pairs.py: M4 (a stably active
  neuron's bias shift) and M1 (a dead neuron's new outgoing column) in hidden layer 2, on R^d0.
* acas — ACAS Xu 1_1 (bundled JSON) on the property-1 box against g·A (a random group
  element) and against A with neuron [2, 3] split into two twins (widths change).

Results go to the section ``auto-vs-best`` of bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "common"))

from _results import git_revision, machine, table, write_section  # noqa: E402
from deep_pairs import m1_pair, m4_pair, moved  # noqa: E402
from certify import api  # noqa: E402
from certify.network import Layer, Network  # noqa: E402

ACAS = Path("/work/shared/benchmarks/acasxu/ACASXU_run2a_1_1_batch_2000.json")
PROPERTY1 = [("0.6", "0.679857769"), ("-0.5", "0.5"), ("-0.5", "0.5"), ("0.45", "0.5"), ("-0.5", "-0.45")]


def twin(net: Network, l: int, j: int) -> Network:
    """Split hidden neuron [l, j] into two copies with half the outgoing weights each (M6)."""
    layers = list(net.layers)
    h, nxt = layers[l], layers[l + 1]
    layers[l] = Layer(h.weight + (h.weight[j],), h.bias + (h.bias[j],))
    layers[l + 1] = Layer(tuple(r[:j] + (r[j] / 2,) + r[j + 1:] + (r[j] / 2,) for r in nxt.weight), nxt.bias)
    return net.replace(layers=tuple(layers))


def pairs(parts: set[str]):
    if "synthetic" in parts:
        for arch, seed, make, move in [((4, 8, 8, 1), 0, m4_pair, "M4"), ((5, 16, 16, 1), 1, m1_pair, "M1"),
                                       ((5, 32, 32, 1), 0, m4_pair, "M4"), ((5, 50, 50, 5), 1, m1_pair, "M1"),
                                       ((5, 50, 50, 5), 2, m4_pair, "M4")]:
            a, b = make(list(arch), seed)
            yield f"{arch} seed {seed}", f"g·{move}", None, a, b
    if "acas" in parts and ACAS.exists():
        a = Network.load(str(ACAS))
        yield "ACAS 1_1", "g (random element)", PROPERTY1, a, moved(a, random.Random(1))
        yield "ACAS 1_1", "twin split of [2, 3]", PROPERTY1, a, twin(a, 2, 3)


def run(a, b, box, method: str, repeat: int) -> tuple[float, int, str]:
    times, answer = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        answer = api.equivalent(a, b, box=box, method=method, timeout=300)
        times.append(time.perf_counter() - start)
    return statistics.median(times), answer.code, answer.method


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parts", default="synthetic,acas")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    header = machine()
    rows = []
    for name, move, box, a, b in pairs(set(args.parts.split(","))):
        results = {m: run(a, b, box, m, args.repeat) for m in ("auto", "orbit", "tree")}
        decided = {m: r for m, r in results.items() if m != "auto" and r[1] == 0}
        best = min(decided, key=lambda m: decided[m][0]) if decided else None
        auto_s, auto_code, auto_method = results["auto"]
        ratio = f"{auto_s / decided[best][0]:.2f}×" if best else "-"
        rows.append([name, move, "box" if box else "R^d0", f"{auto_s:.3f} (exit {auto_code}, {auto_method})",
                     *(f"{results[m][0]:.3f} (exit {results[m][1]})" for m in ("orbit", "tree")),
                     best or "-", ratio])
        print(*rows[-1], sep=" | ", flush=True)
    body = (f"Command: `python bench/auto_vs_best.py --parts {args.parts} --repeat {args.repeat}` at "
            f"{git_revision()}. Machine: {header}.\n\nEnd-to-end seconds (generation + kernel check), median of "
            f"{args.repeat} runs; ratio = auto / fastest single method that decided (target ≤ 1.5×).\n\n"
            + table(["pair", "B", "domain", "auto s", "orbit s", "tree s", "best", "auto / best"], rows))
    if not args.no_write:
        write_section("auto-vs-best", body)


if __name__ == "__main__":
    main()
