"""Proved pruning of real networks: `certify prune` against proving the same equality directly.

    python bench/prune_real.py [--timeout 120] [--nested 30] [--only 1_1,2_3] [--no-mnist] [--no-write]

For each ACAS Xu network (../shared/benchmarks/acasxu) on the property-1 input box
(prop_1.vnnlib), and mnist-net_256x2 on [0, 1]^784:

* certify: ``certify.pruning.prune`` — sign proofs (exact interval bounds, then nested
  region trees for --nested seconds), the pruned network, and the kernel check of the
  ``equivalent``/``pruning`` certificate (time to a kernel-accepted proof);
* baselines, same run, same pair (original, pruned), same box, --timeout each:
  - the direct z3 encoding (ReLU as If over Reals, ∃x ∈ box: f ≠ f_pruned; exact, no proof);
  - certify's own region tree (``api.equivalent(method="tree")``), which proves the
    equality without knowing that it comes from dead neurons.

Results go to bench/RESULTS.md, section "prune-real".
"""
from __future__ import annotations

import argparse
import sys
import time
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from _results import machine, table, write_section  # noqa: E402
from certify import api
from certify.deep import strategy as equivalence  # noqa: E402
from certify.core.files import dumps  # noqa: E402
from certify.encode import smt  # noqa: E402
from certify.io.vnnlib import read_input_box  # noqa: E402
from certify.network import Network  # noqa: E402
from certify.api import prune  # noqa: E402

BENCH = Path("/work/shared/benchmarks")
ACAS = ["1_1", "1_9", "2_3", "3_5", "5_9"]


def log(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


def z3_direct(a: Network, b: Network, box, timeout: float) -> str:
    start = time.perf_counter()
    r = smt.direct_query(a.net, b.net, box, timeout=timeout)
    status = {"unsat": "equal", "sat": "DIFFERENT"}.get(r.status, "timeout")
    return f"{status} {time.perf_counter() - start:.1f}"


def tree(a: Network, b: Network, box, timeout: float) -> str:
    start = time.perf_counter()
    ans = api.equivalent(a, b, box, method="tree", timeout=timeout)
    s = time.perf_counter() - start
    return f"certified {s:.1f}" if ans.code == 0 and ans.certified else f"{ans.verdict} {s:.1f}"


def one(label: str, net: Network, box, args) -> list:
    log(f"{label}: prune …")
    start = time.perf_counter()
    ans = prune(net, box, nested_timeout=args.nested)
    pruned = ans.artifacts.get("pruned")
    total = time.perf_counter() - start
    d = ans.details
    if not d["removed"]:
        return [label, f"{net.N:,}", "0", "-", "-", f"{total:.1f}", "-", "-", "-", "-"]
    log(f"{label}: z3 …")
    z3 = z3_direct(net, pruned, box, args.timeout)
    log(f"{label}: region tree …")
    rt = tree(net, pruned, box, args.timeout)
    proofs = d["proved_by"]
    return [label, f"{net.N:,}", f"{len(d['removed'])} ({proofs.get('interval', 0)} interval, "
            f"{proofs.get('region-tree', 0)} region tree)", f"{pruned.N:,}",
            "valid" if ans.certified else "REJECTED", f"{total:.1f}", f"{ans.timings.get('kernel', 0):.2f}",
            f"{len(dumps(ans.certificate)) / 1024:.0f} KB" if ans.certificate else "-", z3, rt]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds for each baseline")
    ap.add_argument("--nested", type=float, default=30.0, help="seconds for nested region-tree sign proofs")
    ap.add_argument("--only", help="ACAS networks, e.g. 1_1,2_3")
    ap.add_argument("--no-mnist", action="store_true")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    stamp = machine()
    rows = []
    prop = BENCH / "acasxu" / "prop_1.vnnlib"
    for k in (args.only.split(",") if args.only else ACAS):
        net = Network.load(BENCH / "acasxu" / f"ACASXU_run2a_{k}_batch_2000.json")
        rows.append(one(f"ACAS Xu {k}, prop-1 box", net, read_input_box(prop, 5), args))
        log(rows[-1])
    if not args.no_mnist:
        net = Network.load(BENCH / "mnistfc" / "mnist-net_256x2.json")
        rows.append(one("mnist-net_256x2, [0,1]^784", net, tuple((Fraction(0), Fraction(1)) for _ in range(784)), args))
        log(rows[-1])
    header = ["network, domain", "N", "dead neurons removed (proofs)", "N after", "kernel",
              "certify prune s (total)", "kernel s", "certificate",
              f"direct z3 on (A, pruned) s (timeout {args.timeout:.0f})",
              f"region tree on (A, pruned) s (timeout {args.timeout:.0f})"]
    body = "\n".join([
        "## Proved pruning of real networks (`certify prune`)", "",
        f"Command: `python bench/prune_real.py --timeout {args.timeout:.0f} --nested {args.nested:.0f}`. {stamp}", "",
        "certify prune: sign proofs (interval bounds, then nested region trees), pruned network, kernel check of "
        "the `equivalent`/`pruning` certificate. Baselines prove the same equality (original = pruned on the box) "
        "directly, in the same run.", "",
        table(header, rows)])
    print(body)
    if not args.no_write:
        write_section("prune-real", body)


if __name__ == "__main__":
    main()
