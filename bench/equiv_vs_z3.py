"""Exact equivalence of deep networks: region-tree certificates against a direct z3 encoding.

    python bench/equiv_vs_z3.py [--parts synthetic,hard,acas] [--z3-timeout 120] [--acas-timeout 60]
                                [--quick] [--no-write]

Baseline (same run, same machine): the direct z3 encoding of theory.md §4.2 method B —
ReLU as If(z > 0, z, 0) over Reals, one query ∃x ∈ Ω: f_A(x) ≠ f_B(x) — exact but
without a certificate.  certify: ``api.equivalent(method="tree")``, i.e. the region
tree *plus* the kernel check of the certificate (time to a kernel-accepted certificate).

Parts
* synthetic — architectures (2,8,1), (4,8,8,1), (5,16,16,1), (5,32,32,1), (5,50,50,5), seeds
  0, 1, 2; pair = (θ, g·move(θ)) with a random group element g and one move: M4 (bias shift of a
  stably active neuron, seeds 0 and 2) or M1 (new outgoing column of a dead neuron, seed 1)
  in hidden layer 2, planted by the sign test (row ≥ 0 and bias > 0, resp. ≤ 0 and < 0),
  domain R^d0.  (2,8,1) has no second hidden layer: there the moved neuron is a first-layer
  neuron made stable on the box [-1, 1]^2 (M12), domain that box.
* hard — the same kind of pair on the box [-1, 1]^d0, but the moved neuron is stable only by a
  region-tree proof with at least one split (not by the sign test nor by interval bounds).
* acas — each ACAS Xu network A against B = g·move(A), boxes of growing radius r around the
  centre of the property-1 box; the move is on the first neuron (in layer order, layers ≥ 2)
  that float sampling suggests and a region tree proves dead/stably active on that box within
  20 s; the largest r certified within --acas-timeout is reported.  Also ACAS 1_1 vs 1_9:
  time to an exact counterexample (auto: sampling first; tree alone).
* acas-deep (run on its own: section "equiv-vs-z3-deep") — as acas for ACAS 1_1, but the move is
  on a neuron of the last hidden layer: where the region tree blows up.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from _results import machine, table, write_section  # noqa: E402
from deep_pairs import (box_move_pair, m1_move, m1_pair, m4_move, m4_pair, moved,  # noqa: E402
                        random_net)
from certify import api
from certify.deep import strategy as equivalence, regiontree  # noqa: E402
from certify.core.files import dumps  # noqa: E402
from certify.encode import smt  # noqa: E402
from certify.network import Layer, Network  # noqa: E402

ARCHS = [(2, 8, 1), (4, 8, 8, 1), (5, 16, 16, 1), (5, 32, 32, 1), (5, 50, 50, 5)]
BENCH = Path("/work/shared/benchmarks")
ACAS = ["1_1", "1_9", "2_3", "3_5", "5_9"]
RADII = [Fraction(1, 100), Fraction(1, 50), Fraction(1, 20), Fraction(1, 10), Fraction(1, 5), Fraction(1, 2),
         Fraction(1)]


def log(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


def shallow_box_pair(widths, seed: int):
    """(2,8,1): make first-layer neuron 0 stable on [-1, 1]^d via its bias (M12), move it."""
    rng = random.Random(seed)
    a = random_net(list(widths), rng)
    box = tuple((Fraction(-1), Fraction(1)) for _ in range(widths[0]))
    w = a.layers[0].weight[0]
    lo = sum(min(c * l, c * h) for c, (l, h) in zip(w, box))
    hi = sum(max(c * l, c * h) for c, (l, h) in zip(w, box))
    bias = list(a.layers[0].bias)
    kind = "M4" if seed % 2 == 0 else "M1"
    bias[0] = -lo + Fraction(1, 4) if kind == "M4" else -hi - Fraction(1, 4)
    a = a.replace(layers=(Layer(a.layers[0].weight, tuple(bias)),) + a.layers[1:])
    if kind == "M4":
        b = m4_move(a, 0, 0, Fraction(3, 2))
    else:
        b = m1_move(a, 0, 0, [Fraction(rng.randint(-9, 9), 4) for _ in range(widths[2])])
    return a, moved(b, rng), box, kind


def run_z3(a: Network, b: Network, box, timeout: float) -> tuple[str, float]:
    r = smt.direct_query(a.net, b.net, box, timeout=timeout)
    status = {"unsat": "equal", "sat": "DIFFERENT"}.get(r.status, "timeout")
    return status, r.seconds


def run_certify(a: Network, b: Network, box, timeout: float) -> dict:
    start = time.perf_counter()
    ans = api.equivalent(a, b, box, method="tree", timeout=timeout)
    total = time.perf_counter() - start
    out = {"code": ans.code, "total": total, "generate": ans.timings.get("generate", total),
           "kernel": ans.timings.get("kernel", 0.0), "nodes": ans.details.get("nodes"),
           "splits": ans.details.get("splits"), "size": None}
    if ans.certified and ans.certificate is not None:
        out["size"] = len(dumps(ans.certificate))
    return out


def fmt_s(x: float | None) -> str:
    return "-" if x is None else (f"{x:.3f}" if x < 10 else f"{x:.1f}")


def fmt_size(n: int | None) -> str:
    if n is None:
        return "-"
    return f"{n / 1024:.1f} KB" if n < 1 << 20 else f"{n / (1 << 20):.2f} MB"


def ratio(z3_status: str, z3_s: float, ours: dict) -> str:
    if ours["code"] != 0:
        return "-"
    r = z3_s / ours["total"]
    return f"> {r:.0f}×" if z3_status == "timeout" else (f"{r:.0f}×" if r >= 10 else f"{r:.1f}×")


def row(label, seed, kind, domain, z3res, ours) -> list:
    z3_status, z3_s = z3res
    verdict = {0: "certified", 1: "DIFFERENT?!", 3: "unknown"}[ours["code"]]
    return [label, seed, kind, domain, f"{z3_status} {fmt_s(z3_s)}", f"{verdict} {fmt_s(ours['total'])}",
            fmt_s(ours["kernel"]), ours["nodes"] if ours["nodes"] is not None else "-",
            ours["splits"] if ours["splits"] is not None else "-", fmt_size(ours["size"]), ratio(z3_status, z3_s, ours)]


HEADER = ["architecture", "seed", "move", "domain", "direct z3 s", "certify s (tree + kernel)", "kernel s",
          "nodes", "splits", "certificate", "z3 / certify"]


def part_synthetic(args) -> tuple[str, list]:
    rows, raw = [], []
    for widths in ARCHS[: 3 if args.quick else None]:
        label = "(" + ",".join(map(str, widths)) + ")"
        for seed in range(3):
            if len(widths) == 3:
                a, b, box, kind = shallow_box_pair(widths, seed)
                domain = "[-1,1]^2"
            else:
                kind = "M1" if seed == 1 else "M4"
                a, b = (m1_pair if kind == "M1" else m4_pair)(list(widths), seed)
                box, domain = None, "R^d0"
            log(f"synthetic {label} seed {seed} {kind}")
            ours = run_certify(a, b, box, args.tree_timeout)
            z3res = run_z3(a, b, box, args.z3_timeout)
            rows.append(row(label, seed, kind, domain, z3res, ours))
            raw.append({"arch": widths, "seed": seed, "kind": kind, "z3": z3res, "certify": ours})
            log("   ", rows[-1])
    return table(HEADER, rows), raw


def part_hard(args) -> tuple[str, list]:
    rows, raw = [], []
    for widths in [(4, 8, 8, 1), (5, 16, 16, 1), (5, 32, 32, 1)][: 2 if args.quick else None]:
        label = "(" + ",".join(map(str, widths)) + ")"
        box = tuple((Fraction(-1), Fraction(1)) for _ in range(widths[0]))
        found, seed = 0, 0
        while found < 3 and seed < 60:
            got = box_move_pair(list(widths), seed, box)
            seed += 1
            if got is None:
                continue
            a, b, (l, j, sign) = got
            kind = "M4" if sign == "nonnegative" else "M1"
            found += 1
            log(f"hard {label} seed {seed - 1} {kind} neuron ({l},{j})")
            ours = run_certify(a, b, box, args.tree_timeout)
            z3res = run_z3(a, b, box, args.z3_timeout)
            rows.append(row(label, seed - 1, f"{kind} at ({l + 1},{j})", "[-1,1]^d0", z3res, ours))
            raw.append({"arch": widths, "seed": seed - 1, "kind": kind, "z3": z3res, "certify": ours})
            log("   ", rows[-1])
    return table(HEADER, rows), raw


def prop1_centre() -> list[Fraction]:
    text = (BENCH / "acasxu" / "prop_1.vnnlib").read_text()
    lo, hi = {}, {}
    for op, i, v in re.findall(r"\(assert \((<=|>=) X_(\d+) ([-0-9.eE]+)\)\)", text):
        (hi if op == "<=" else lo)[int(i)] = Fraction(v)
    return [(lo[i] + hi[i]) / 2 for i in range(len(lo))]


def find_move(a: Network, box, rng_seed: int = 0, min_layer: int = 1):
    """(layer, j, sign) of the first hidden neuron in layers ≥ 2 (in layer order) that 5000 float
    samples suggest is dead/stably active on the box and a region tree proves so within 20 s,
    skipping neurons the interval bounds already fix (those moves would be trivial)."""
    from certify.kernel import regiontree as krt
    p = krt.Problem([a.net], box)
    root = krt.derive(p, {})
    rng = np.random.default_rng(rng_seed)
    lo = np.array([float(l) for l, _ in box])
    hi = np.array([float(h) for _, h in box])
    Z = a.float_forward(lo + (hi - lo) * rng.random((5000, len(box))))
    tried = 0
    for g, (_, l, j) in enumerate(p.ids):
        if l < min_layer or root.status[g] != krt.FREE:
            continue
        col = Z[l][:, j]
        sign = "nonpositive" if (col <= 0).all() else "nonnegative" if (col >= 0).all() else None
        if sign is None:
            continue
        tried += 1
        if regiontree.prove_neuron_sign(a, l, j, box, sign, timeout=20) is not None:
            return l, j, sign, tried
        if tried >= 8:
            return None
    return None


def part_acas(args) -> tuple[str, list]:
    centre = prop1_centre()
    rows, raw, best = [], [], []
    names = ACAS[:1] if args.quick else ACAS
    for name in names:
        a = Network.load(BENCH / "acasxu" / f"ACASXU_run2a_{name}_batch_2000.json")
        largest = None
        for r in RADII[: 4 if args.quick else None]:
            box = tuple((c - r, c + r) for c in centre)
            t0 = time.perf_counter()
            mv = find_move(a, box)
            find_s = time.perf_counter() - t0
            rng = random.Random(1)
            if mv is None:
                b, what = moved(a, rng), "g only (no provable move)"
            else:
                l, j, sign, _ = mv
                if sign == "nonnegative":
                    b, what = m4_move(a, l, j, Fraction(1, 3)), f"M4 at ({l + 1},{j})"
                else:
                    b = m1_move(a, l, j, [Fraction(rng.randint(-9, 9), 7) for _ in range(a.widths[l + 2])])
                    what = f"M1 at ({l + 1},{j})"
                b = moved(b, rng)
            log(f"acas {name} r={r} {what}")
            ours = run_certify(a, b, box, args.acas_timeout)
            if ours["code"] == 0 and mv is not None:  # a bare g·A is trivial: only moves count
                largest = r
            verdict = {0: "certified", 1: "DIFFERENT?!", 3: "unknown"}[ours["code"]]
            rows.append([name, str(r), what, fmt_s(find_s), f"{verdict} {fmt_s(ours['total'])}", fmt_s(ours["kernel"]),
                         ours["nodes"] or "-", ours["splits"] if ours["splits"] is not None else "-",
                         fmt_size(ours["size"])])
            raw.append({"net": name, "r": str(r), "move": what, "certify": ours})
            log("   ", rows[-1])
        best.append([name, "-" if largest is None else str(largest)])
    text = table(["network", "radius r", "B = g·move(A)", "finding the move s", "certify s (tree + kernel)",
                  "kernel s", "nodes", "splits", "certificate"], rows)
    text += ("\n\nLargest radius at which a moved copy (g and a proved M4/M1 move) was certified within "
             "the time limit (rows \"g only\" do not count):\n\n" + table(["network", "largest r"], best))
    # ACAS 1_1 against 1_9: counterexamples
    a = Network.load(BENCH / "acasxu" / "ACASXU_run2a_1_1_batch_2000.json")
    b = Network.load(BENCH / "acasxu" / "ACASXU_run2a_1_9_batch_2000.json")
    lines = []
    for label, box in (("prop-1 box", _prop1_box()), ("R^5", None)):
        for method in ("auto", "tree"):
            t = time.perf_counter()
            ans = api.equivalent(a, b, box, method=method, timeout=args.acas_timeout)
            s = time.perf_counter() - t
            lines.append([label, method, ans.verdict, ans.method, f"{s:.3f}", "yes" if ans.certified else "no"])
            log("   1_1 vs 1_9", lines[-1])
    text += "\n\nACAS 1_1 against ACAS 1_9 (exact counterexample, checked by the kernel):\n\n" + table(
        ["domain", "--method", "verdict", "decided by", "seconds", "kernel-checked"], lines)
    return text, raw


def part_acas_deep(args) -> tuple[str, list]:
    """Where the tree blows up: the move on a neuron of the LAST hidden layer of ACAS 1_1."""
    centre = prop1_centre()
    a = Network.load(BENCH / "acasxu" / "ACASXU_run2a_1_1_batch_2000.json")
    rows, raw = [], []
    for r in RADII[:6]:
        box = tuple((c - r, c + r) for c in centre)
        t0 = time.perf_counter()
        mv = find_move(a, box, min_layer=len(a.layers) - 2)
        find_s = time.perf_counter() - t0
        if mv is None:
            rows.append(["1_1", str(r), "none proved within 8 × 20 s", fmt_s(find_s), "-", "-", "-", "-", "-"])
            continue
        l, j, sign, tried = mv
        rng = random.Random(1)
        if sign == "nonnegative":
            b, what = m4_move(a, l, j, Fraction(1, 3)), f"M4 at ({l + 1},{j})"
        else:
            b = m1_move(a, l, j, [Fraction(rng.randint(-9, 9), 7) for _ in range(a.widths[l + 2])])
            what = f"M1 at ({l + 1},{j})"
        b = moved(b, rng)
        log(f"acas-deep r={r} {what}")
        ours = run_certify(a, b, box, args.acas_timeout)
        verdict = {0: "certified", 1: "DIFFERENT?!", 3: "unknown"}[ours["code"]]
        rows.append(["1_1", str(r), what, fmt_s(find_s), f"{verdict} {fmt_s(ours['total'])}", fmt_s(ours["kernel"]),
                     ours["nodes"] or "-", ours["splits"] if ours["splits"] is not None else "-", fmt_size(ours["size"])])
        raw.append({"r": str(r), "move": what, "certify": ours})
        log("   ", rows[-1])
    return table(["network", "radius r", "B = g·move(A)", "finding the move s", "certify s (tree + kernel)",
                  "kernel s", "nodes", "splits", "certificate"], rows), raw


def _prop1_box():
    text = (BENCH / "acasxu" / "prop_1.vnnlib").read_text()
    lo, hi = {}, {}
    for op, i, v in re.findall(r"\(assert \((<=|>=) X_(\d+) ([-0-9.eE]+)\)\)", text):
        (hi if op == "<=" else lo)[int(i)] = Fraction(v)
    return tuple((lo[i], hi[i]) for i in range(len(lo)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--parts", default="synthetic,hard,acas")
    ap.add_argument("--z3-timeout", type=float, default=120.0)
    ap.add_argument("--tree-timeout", type=float, default=120.0)
    ap.add_argument("--acas-timeout", type=float, default=60.0)
    ap.add_argument("--quick", action="store_true", help="fewer architectures/radii (a smoke run)")
    ap.add_argument("--no-write", action="store_true", help="print, do not touch bench/RESULTS.md")
    ap.add_argument("--json", metavar="OUT", help="also write the raw measurements here")
    args = ap.parse_args()
    parts = args.parts.split(",")
    head = (f"Command: `python bench/equiv_vs_z3.py --parts {args.parts} --z3-timeout {args.z3_timeout:g}"
            f"{' --quick' if args.quick else ''}`. Machine: {machine()}. Other engineers' jobs may have been "
            "running on the 2 cores.\n")
    body, raw = [head], {}
    titles = {"synthetic": "Synthetic pairs, sign-test moves (baseline: direct z3, timeout "
                           f"{args.z3_timeout:g} s; certify: tree + kernel check)",
              "hard": "Harder synthetic pairs: the moved neuron is stable on [-1,1]^d0 only by a split proof",
              "acas": f"ACAS Xu against a moved copy, boxes around the property-1 centre ({args.acas_timeout:g} s limit)"}
    titles["acas-deep"] = ("Where the tree blows up: ACAS 1_1 with the move in the last hidden layer "
                           f"({args.acas_timeout:g} s limit)")
    for part, fn in (("synthetic", part_synthetic), ("hard", part_hard), ("acas", part_acas),
                     ("acas-deep", part_acas_deep)):
        if part in parts:
            text, raw[part] = fn(args)
            body.append(f"### {titles[part]}\n\n{text}\n")
    out = "\n".join(body)
    print(out)
    if args.json:
        Path(args.json).write_text(json.dumps(raw, indent=1, default=str))
    if not args.no_write:
        if parts == ["acas-deep"]:
            write_section("equiv-vs-z3-deep", "## Equivalence: where the region tree blows up (issue 3)\n\n" + out)
        else:
            write_section("equiv-vs-z3", "## Equivalence: region trees against direct z3 (issue 3)\n\n" + out)


if __name__ == "__main__":
    main()
