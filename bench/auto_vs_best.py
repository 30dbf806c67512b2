"""The everyday path against its best single method, side by side in one run (issue 12, item 7).

    python bench/auto_vs_best.py [--parts synthetic,hard,acas,acas-slow,fdim] [--repeat 3]
                                 [--timeout 120] [--slow-timeout 200] [--solver-timeout 30] [--no-write]

equiv: for every pair the same run times ``api.equivalent(method=m)`` for ``auto`` and for every
single method (``sample``, ``orbit``, ``shallow`` on one-hidden-layer pairs, ``tree``, ``smt``,
``milp`` on a box), end to end (generation and the kernel check of the certificate), the median of
``--repeat`` runs (methods that end undecided after their time limit run once).  ``smt`` and
``milp`` get ``--solver-timeout`` seconds; past 24 hidden neurons (where auto skips z3) ``smt`` is
not run.  The ratio is auto / the fastest single method that decided (exit 0 or 1).
Target: at most 1.5×.

fdim: ``api.functional_dimension`` (auto) against its two single routes: the kink-probe
certificate of ``certify local`` (Theorem 5.4) and the dense rank mod p on a spread sample
(``samples=`` the first default size, which forces the dense path).

Parts
* synthetic — (θ, g·move(θ)) pairs of tests/common/deep_pairs.py (M4, M1 in hidden layer 2), R^d0.
* hard — ``box_move_pair`` pairs on [-1, 1]^d0: the moved neuron is stable only by a split proof
  (the pairs z3 needs a minute or more for, bench/equiv_vs_z3.py part "hard").
* acas — ACAS Xu 1_1 on the property-1 box and on R^5 against g·A, a twin split of [2, 3],
  a rescaled twin of [3, 5] (copy scaled by 3, outgoing weights 1/2 and 1/6), a new outgoing
  column for the first interval-dead neuron (M1), g·twin; and against ACAS 1_9 (not equal).
* acas-slow — ACAS 1_1 against bench/timeouts.py's copy (outgoing weights of the deepest neuron
  floats see dead on the box changed; no interval proof), ``--slow-timeout`` seconds; auto and
  tree only (the other methods cannot prove it: sample/orbit/milp decide no equality, z3 is skipped).
* fdim — He-initialised 8-32-32-1 (N = 1,377) and 12-48-48-1 (N = 3,025) of bench/local_scaling.py.

Results go to the section ``auto-vs-best`` of bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "common"))

from _results import git_revision, machine, table, write_section  # noqa: E402
from deep_pairs import box_move_pair, m1_move, m1_pair, m4_pair, moved  # noqa: E402
from certify import api  # noqa: E402
from certify.deep.strategy import SMT_MAX_NEURONS  # noqa: E402
from certify.network import Layer, Network  # noqa: E402

SHARED = Path(os.environ.get("CERTIFY_BENCHMARKS", HERE.parent.parent / "shared" / "benchmarks")) / "acasxu"
ACAS = SHARED / "ACASXU_run2a_1_1_batch_2000.json"
ACAS2 = SHARED / "ACASXU_run2a_1_9_batch_2000.json"
PROPERTY1 = [("0.6", "0.679857769"), ("-0.5", "0.5"), ("-0.5", "0.5"), ("0.45", "0.5"), ("-0.5", "-0.45")]
EQUIV_METHODS = ("sample", "orbit", "shallow", "tree", "smt", "milp")


def twin(net: Network, l: int, j: int, c: Fraction = Fraction(1)) -> Network:
    """Split hidden neuron [l, j] into itself and a copy scaled by c > 0, with outgoing weights
    w/2 and w/(2c) (M6 with a rescaling): the same function on every domain, wider."""
    layers = list(net.layers)
    h, nxt = layers[l], layers[l + 1]
    layers[l] = Layer(h.weight + (tuple(c * w for w in h.weight[j]),), h.bias + (c * h.bias[j],))
    layers[l + 1] = Layer(tuple(r[:j] + (r[j] / 2,) + r[j + 1:] + (r[j] / (2 * c),) for r in nxt.weight), nxt.bias)
    return net.replace(layers=tuple(layers))


def interval_dead_move(a: Network, box) -> Network:
    """A new outgoing column for the first neuron of layers ≥ 2 that interval bounds prove dead (M1)."""
    from certify.hidden.mechanisms.facts import DEAD, prove_signs
    facts = prove_signs(a, box, nested=False)
    t, j = next((t, j) for t in range(1, len(facts.bounds) - 1) for j in facts.layer(t, DEAD))
    return m1_move(a, t, j, [Fraction(k % 7 - 3, 5) for k in range(a.widths[t + 2])])


def slow_copy(a: Network) -> Network:
    from timeouts import make_inputs
    folder = Path(tempfile.mkdtemp(prefix="auto-vs-best-"))
    return Network.load(make_inputs(folder, HERE.parent)["dead-moved"])


def pairs(parts: set[str]):
    """(name, B, box or None, A, B, methods)."""
    if "synthetic" in parts:
        for arch, seed, make, move in [((4, 8, 8, 1), 0, m4_pair, "M4"), ((5, 16, 16, 1), 1, m1_pair, "M1"),
                                       ((5, 32, 32, 1), 0, m4_pair, "M4"), ((5, 50, 50, 5), 1, m1_pair, "M1"),
                                       ((5, 50, 50, 5), 2, m4_pair, "M4")]:
            a, b = make(list(arch), seed)
            yield f"{arch} seed {seed}", f"g·{move}", None, a, b, EQUIV_METHODS
    if "hard" in parts:
        for arch, seeds in (((4, 8, 8, 1), (2, 4, 9)), ((5, 16, 16, 1), (0, 1, 2))):
            box = tuple((Fraction(-1), Fraction(1)) for _ in range(arch[0]))
            for seed in seeds:
                a, b, (l, j, sign) = box_move_pair(list(arch), seed, box)
                move = "M4" if sign == "nonnegative" else "M1"
                yield f"{arch} seed {seed}", f"g·{move} at ({l + 1},{j}), split proof", box, a, b, EQUIV_METHODS
    if ({"acas", "acas-slow"} & parts) and ACAS.exists():
        a = Network.load(str(ACAS))
        prop = tuple((Fraction(lo), Fraction(hi)) for lo, hi in PROPERTY1)
    if "acas" in parts and ACAS.exists():
        copies = [("g (random element)", moved(a, random.Random(1))), ("twin split of [2, 3]", twin(a, 2, 3)),
                  ("rescaled twin of [3, 5]", twin(a, 3, 5, Fraction(3))),
                  ("M1 on an interval-dead neuron", interval_dead_move(a, prop)),
                  ("g·twin split of [2, 3]", moved(twin(a, 2, 3), random.Random(1))),
                  ("ACAS 1_9 (not equal)", Network.load(str(ACAS2)))]
        for box, where in ((prop, "prop-1 box"), (None, "R^5")):
            for what, b in copies:
                if what.startswith("M1") and box is None:
                    continue  # dead on the box only: on R^5 it is a plain "not equal"
                yield f"ACAS 1_1, {where}", what, box, a, b, EQUIV_METHODS
    if "acas-slow" in parts and ACAS.exists():
        yield "ACAS 1_1, prop-1 box", "float-dead neuron's column changed (bench/timeouts.py)", prop, a, slow_copy(a), \
            ("tree",)


def applicable(method: str, a: Network, b: Network, box) -> str | None:
    """Why the method is not run on this pair, or None."""
    if method == "shallow" and not (a.is_shallow and b.is_shallow):
        return "deep"
    if method == "milp" and box is None:
        return "no box"
    if method == "smt" and max(sum(a.widths[1:-1]), sum(b.widths[1:-1])) > SMT_MAX_NEURONS:
        return f"> {SMT_MAX_NEURONS} neurons"
    return None


def timed(call, repeat: int) -> tuple[float, object]:
    times, answer = [], None
    for n in range(repeat):
        start = time.perf_counter()
        answer = call()
        times.append(time.perf_counter() - start)
        if answer.code == 3:  # undecided: the time limit was reached (or the method cannot decide); once is enough
            break
    return statistics.median(times), answer


def ratio_row(results: dict) -> tuple[str, str]:
    """(fastest single method that decided, auto / its time)."""
    decided = {m: r for m, r in results.items() if m != "auto" and r is not None and r[1].code in (0, 1)}
    if not decided:
        return "-", "-"
    best = min(decided, key=lambda m: decided[m][0])
    return best, f"{results['auto'][0] / decided[best][0]:.2f}×"


def cell(result) -> str:
    if isinstance(result, str):
        return f"not run ({result})"
    s, ans = result
    return f"{s:.3f} (exit {ans.code}{', ' + ans.method if ans.method else ''})"


def equiv_part(parts: set[str], args) -> list[list[str]]:
    rows = []
    a, b = m4_pair([4, 8, 8, 1], 0)
    for m in ("auto", "tree"):  # imports (numpy, HiGHS, the kernel) before the first timed call
        api.equivalent(a, b, method=m)
    for name, what, box, a, b, methods in pairs(parts):
        limit = args.slow_timeout if methods == ("tree",) else args.timeout
        results: dict = {}
        for m in ("auto",) + EQUIV_METHODS:
            skip = (None if m == "auto" else "slow case" if m not in methods else applicable(m, a, b, box))
            if skip:
                results[m] = skip
                continue
            t = args.solver_timeout if m in ("smt", "milp") else limit
            results[m] = timed(lambda: api.equivalent(a, b, box=box, method=m, timeout=t), args.repeat)
        best, ratio = ratio_row({m: (r if not isinstance(r, str) else None) for m, r in results.items()})
        rows.append([name, what, *(cell(results[m]) for m in ("auto",) + EQUIV_METHODS), best, ratio])
        print(*rows[-1], sep=" | ", flush=True)
    return rows


def fdim_part(args) -> list[list[str]]:
    from local_scaling import he_network
    from certify.local.fdim import DENSE_MAX, default_samples
    rows = []
    for widths in ([8, 32, 32, 1], [12, 48, 48, 1]):
        net = he_network(widths, 0)
        results = {
            "auto": timed(lambda: api.functional_dimension(net, timeout=args.timeout), args.repeat),
            "kink-probe": timed(lambda: api.locally_identifiable(net, timeout=args.timeout), args.repeat),
            "dense": (timed(lambda: api.functional_dimension(net, samples=default_samples(net)[0],
                                                             timeout=args.timeout), 1)
                      if net.N <= DENSE_MAX else f"N > {DENSE_MAX}"),
        }
        best, ratio = ratio_row({m: (r if m == "auto" or (not isinstance(r, str) and r[1].code == 0) else None)
                                 for m, r in results.items()})
        verdict = {m: "" if isinstance(r, str) else f", {r[1].verdict}" for m, r in results.items()}
        rows.append(["-".join(map(str, widths)), f"{net.N:,}", cell(results["auto"]) + verdict["auto"],
                     cell(results["kink-probe"]), cell(results["dense"]) + verdict["dense"], best, ratio])
        print(*rows[-1], sep=" | ", flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parts", default="synthetic,hard,acas,acas-slow,fdim")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=120.0, help="--timeout of every equiv/fdim call")
    ap.add_argument("--slow-timeout", type=float, default=200.0, help="--timeout for the acas-slow part")
    ap.add_argument("--solver-timeout", type=float, default=30.0, help="--timeout of smt and milp")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    parts = set(args.parts.split(","))
    header = machine()
    body = (f"Command: `python bench/auto_vs_best.py --parts {args.parts} --repeat {args.repeat} --timeout "
            f"{args.timeout:g} --slow-timeout {args.slow_timeout:g} --solver-timeout {args.solver_timeout:g}` at "
            f"{git_revision()}. Machine: {header}.\n\nEnd-to-end seconds (generation + kernel check), median of "
            f"up to {args.repeat} runs (an undecided run is not repeated); ratio = auto / fastest single method "
            "that decided (target ≤ 1.5×).\n\n")
    rows = equiv_part(parts, args)
    if rows:
        body += table(["pair", "B", "auto s", *(f"{m} s" for m in EQUIV_METHODS), "best", "auto / best"], rows)
    if "fdim" in parts:
        frows = fdim_part(args)
        body += ("\n\n`certify fdim` (auto) against the kink-probe certificate of `certify local` and the dense "
                 "rank on a spread sample:\n\n"
                 + table(["widths", "N", "fdim (auto) s", "kink-probe s", "dense s", "best", "auto / best"], frows))
    print(body)
    if not args.no_write:
        write_section("auto-vs-best", body)


if __name__ == "__main__":
    main()
