"""Kink-probe coverage on ACAS Xu over R^5, with and without the kink-target LPs (issue 12 item 1).

    python bench/local_acas_aim.py NET [--seconds 500] [--no-aim]

NET is one of 1_1, 1_9, 2_3, 3_5, 5_9 (../shared/benchmarks/acasxu).  Runs ``kinkprobe.search``
alone (no fallbacks) with a deadline and prints one line per round: seconds, lines, whether the
lines were aimed (through chosen points: targeted or kink-target), verified probes, neurons
covered, and (neuron, input) pairs the kink-target LPs have tried; then the uncovered neurons
per layer and the first reasons.  Coverage is the quantity to compare: a complete search is
what `certify local` turns into a kernel-checked certificate.
"""
from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from certify.api import load
from certify.local import kinkprobe

ACAS = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks" / "acasxu"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("net")
    ap.add_argument("--seconds", type=float, default=500)
    ap.add_argument("--no-aim", action="store_true")
    args = ap.parse_args()
    net = load(str(ACAS / f"ACASXU_run2a_{args.net}_batch_2000.json"))
    original = kinkprobe.KinkSearch.round
    t0 = time.perf_counter()

    def round_(self, n, through=None):
        got = original(self, n, through)
        print(f"{time.perf_counter() - t0:7.1f}s round n={n} aimed={through is not None} got={got} "
              f"covered={sum(s.done for s in self.status.values())} tried={len(self.tried)}", flush=True)
        return got
    kinkprobe.KinkSearch.round = round_
    res = kinkprobe.search(net, None, seed=0, deadline=time.perf_counter() + args.seconds, aim=not args.no_aim)
    print("complete", res.complete, f"{time.perf_counter() - t0:.1f}s",
          "covered", len(res.status) - len(res.failures()), "of", len(res.status))
    print("uncovered per layer", dict(sorted(Counter(s.neuron[0] for s in res.failures()).items())))
    for s in res.failures()[:10]:
        print(s.neuron, s.reason())


if __name__ == "__main__":
    main()
