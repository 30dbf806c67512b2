"""The kernel's symbolic leaf against an earlier version of it, on the leaves of one certificate (issue 13).

    python bench/symdiff_full_check.py --net 1_1 --noise 0.01 --out /tmp/c11.json
    git show dbcb136:certify/kernel/symdiff.py > /tmp/symdiff_old.py
    python bench/symdiff_speed.py /tmp/c11.json /tmp/symdiff_old.py --cells 300

Loads the old ``kernel/symdiff.py`` as a module beside the current one, runs both on the same
``--cells`` leaf cells of the certificate's partition (evenly spread) and on the whole box, and
prints whether every interval agrees exactly, the largest difference either way, and the mean
milliseconds per leaf of each in the same run.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from certify.kernel import symdiff, tolerance as kt  # noqa: E402
from certify.kernel.claims import claim_domain, claim_networks  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("certificate")
    ap.add_argument("old_module")
    ap.add_argument("--cells", type=int, default=300)
    args = ap.parse_args()
    spec = importlib.util.spec_from_file_location("certify.kernel.symdiff_old", args.old_module)
    old = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(old)
    with open(args.certificate) as f:
        cert = json.load(f)
    a, b = claim_networks(cert["claim"], ("A", "B"))
    box = claim_domain(cert["claim"], a.widths[0])
    cells: list = []
    kt.walk_partition(box, cert["evidence"]["tree"], lambda cell, spec, where: cells.append(cell))
    chosen = cells[::max(1, len(cells) // args.cells)][:args.cells] + [box]
    runs = []
    for mod in (old, symdiff):
        net = mod.SymNet(a, b)
        t = time.perf_counter()
        out = [mod.symbolic_gap(net, c) for c in chosen]
        runs.append((out, (time.perf_counter() - t) / len(chosen) * 1000))
    (ro, to), (rn, tn) = runs
    pairs = [(o, n) for xo, xn in zip(ro, rn) for o, n in zip(xo, xn)]
    looser = max(max(float(o[0] - n[0]), float(n[1] - o[1])) for o, n in pairs)
    tighter = max(max(float(n[0] - o[0]), float(o[1] - n[1])) for o, n in pairs)
    print(json.dumps({"cells": len(chosen), "identical": ro == rn, "max_looser": looser, "max_tighter": tighter,
                      "old_ms": round(to, 2), "new_ms": round(tn, 2), "ratio": round(to / tn, 2)}))


if __name__ == "__main__":
    main()
