"""Sign premises of ACAS Xu over R^5 by projective charts (theory §4.3, certify/deep/charts.py).

    python bench/acas_charts.py [--net 1_1] [--layer 2] [--predecessor 10] [--pred-seconds 150]
                                [--pair-seconds 60] [--total 900]

1. Sign facts by exact interval bounds: on R^5 (what main proves without region trees) and on the
   1 + 2·5 chart boxes (``interval_signs_on_charts``).
2. For the predecessor k = (layer − 1, predecessor): per chart box, is it dead there (a box region
   tree, ``--pred-seconds`` each)?  Floats see it active only in a thin far cone.
3. For every neuron j of ``layer``: the M10 premise "z_{layer,j} ≤ 0 wherever a_k > 0" on R^5 by
   ``prove_exclusive_on_charts`` (``--pair-seconds`` each, the predecessor trees of step 2 reused),
   checked by the kernel (``moves.check_exclusive_proof``) before it counts.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from certify.api import load
from certify.deep import charts as dc
from certify.hidden.mechanisms.facts import prove_signs
from certify.kernel import charts as kc
from certify.kernel.moves import check_exclusive_proof

ACAS = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks" / "acasxu"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--net", default="1_1")
    ap.add_argument("--layer", type=int, default=2)
    ap.add_argument("--predecessor", type=int, default=10)
    ap.add_argument("--pred-seconds", type=float, default=150)
    ap.add_argument("--pair-seconds", type=float, default=60)
    ap.add_argument("--total", type=float, default=900)
    ap.add_argument("--neurons", default="", help="comma-separated j (default: all)")
    args = ap.parse_args()
    start = time.perf_counter()
    net = load(str(ACAS / f"ACASXU_run2a_{args.net}_batch_2000.json"))
    t0 = time.perf_counter()
    whole = prove_signs(net, None, nested=False)
    print(f"interval sign facts: {len(whole.proofs)} (R^5 and chart boxes together; "
          f"{time.perf_counter() - t0:.1f} s)", flush=True)
    by = {}
    for (t, j), (sign, proof) in whole.proofs.items():
        by.setdefault(proof["method"], []).append((t, j, sign))
    for m, items in sorted(by.items()):
        print(f"  by {m}: {len(items)}: {sorted(items)[:12]}{' …' if len(items) > 12 else ''}", flush=True)
    R = dc.chart_radius(net)
    L, k = args.layer, args.predecessor
    for n, (name, chart, box) in enumerate(kc.charts(net.net, R)):
        t0 = time.perf_counter()
        ev = dc._predecessor_dead(chart, box, L - 1, k, 10 ** 6, time.perf_counter() + args.pred_seconds)
        print(f"predecessor ({L - 1}, {k}) dead on chart {name}: {'proved' if ev else 'no'} "
              f"({len(ev['tree']) if ev else '-'} nodes, {time.perf_counter() - t0:.1f} s)", flush=True)
    js = [int(j) for j in args.neurons.split(",")] if args.neurons else range(len(net.net.layers[L].bias))
    proved = []
    for j in js:
        if time.perf_counter() - start > args.total:
            print("total time used up", flush=True)
            break
        t0 = time.perf_counter()
        why: list = []
        proof = dc.prove_exclusive_on_charts(net, L, j, k, budget=10 ** 6, timeout=args.pair_seconds, outcome=why)
        if proof is not None:
            t1 = time.perf_counter()
            check_exclusive_proof(net.net, None, L, j, k, json.loads(json.dumps(proof)), "proof")
            proved.append(j)
            kinds = [e["method"] if e["method"] != "dead" else f"dead-{e['of']}" for e in proof["charts"]]
            print(f"M10 ({L}, {j}) | ({L - 1}, {k}): proved in {t0 and t1 - t0:.1f} s, kernel "
                  f"{time.perf_counter() - t1:.1f} s; charts {kinds}", flush=True)
        else:
            print(f"M10 ({L}, {j}) | ({L - 1}, {k}): {why[0] if why else 'unknown'} "
                  f"({time.perf_counter() - t0:.1f} s)", flush=True)
    print(f"proved {len(proved)}: {proved}; total {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
