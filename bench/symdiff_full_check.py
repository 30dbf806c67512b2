"""The complete symbolic box partition of an ACAS Xu pair on the full property-1 box, written as a
certificate and re-checked by the kernel without its default deadline (issue 13).

    python bench/symdiff_full_check.py --net 1_1 --noise 0.01 --out /tmp/cert.json
    certify check /tmp/cert.json --deadline 900

``certify equiv --tolerance`` does not send a partition whose predicted kernel check exceeds the
kernel's default 60 s deadline (it reports a weaker proved bound instead); this script writes the
complete partition (floats propose it, deep.tolerance.partition with deep.symdiff) so that its
validity and the kernel's time can be measured.  Prints the generation time and leaf count.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

from certify.core.certificate import claim, dumps, envelope  # noqa: E402
from certify.deep import tolerance as engine  # noqa: E402
from certify.deep.symdiff import FloatSym  # noqa: E402
from certify.kernel.exact import fmt_vector  # noqa: E402
from tolerance import pair_from, pair_options  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    pair_options(ap)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    a, b, box, eps = pair_from(args)
    t = time.perf_counter()
    search = engine.partition(FloatSym(a, b), box, eps, None, 10 ** 7)
    seconds = time.perf_counter() - t
    if search.tree is None:
        sys.exit(f"the partition did not finish ({search.reason})")
    nets = {"A": a, "B": b}
    cert = envelope("equivalent-within", claim("equivalent-within", nets, box, tolerance=fmt_vector(eps)),
                    {"method": "box-partition", "tree": search.tree}, "box-partition", engine.THEOREM_WITHIN, seconds)
    with open(args.out, "w") as f:
        f.write(dumps(cert))
    print(json.dumps({"generate_s": round(seconds, 2), "leaves": search.leaves, "evaluations": search.cells}))


if __name__ == "__main__":
    main()
