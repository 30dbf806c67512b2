"""VNN-LIB 2.0 equivalence instances in the style of VNN-COMP 2026 ``isomorphic_acasxu_2026``,
generated and run as VNN-COMP runs a benchmark (issue 13 item 5).

    python bench/vnnlib_equiv.py generate --out bench/vnnlib_equiv     # onnx/, vnnlib/, instances.csv
    python bench/vnnlib_equiv.py run --bench bench/vnnlib_equiv        # certify vnnlib on every instance,
                                                                        # writes RESULTS.md section vnnlib-equiv
    python bench/vnnlib_equiv.py run --bench bench/vnnlib_equiv --no-write --only 0,2

``generate`` writes, for ACAS Xu networks f (/work/shared/benchmarks/acasxu) and perturbed
copies g (relative weight noise r, numpy seed 0, rounded to float32 — bench/tolerance.py's
``perturbed``), the ONNX files, one query per instance in the template of
isomorphic_acasxu_2026 (``(declare-network g (isomorphic-to f) …)``, inputs ``X_f real
[1,1,1,5]`` shared with X_g, output ``(or (or (> Y_g[0,j] (+ Y_f[0,j] ε)) (< Y_g[0,j]
(- Y_f[0,j] ε))) …)``), and ``instances.csv`` with VNN-COMP's columns: the network field
``[('f', 'onnx/A.onnx'), ('g', 'onnx/B.onnx')]``, the query, the timeout.  The box is the
property-1 box shrunk around its centre (--shrink; 1 = the full box).  One instance asks exact
equality of a network with itself (``equal-to``, ε = 0 in the ``!=`` spelling).

``run`` executes ``certify vnnlib QUERY NETWORKS --result R --timeout T`` per instance (in the
benchmark folder, as run_instance.sh would), reads the result file back, and tabulates the
result, exit code and wall time; for ``sat`` it re-reads the counterexample and re-evaluates
both networks exactly at it, so the table says whether the written point really violates the
property.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

from _results import git_revision, machine, table, write_section  # noqa: E402

ACAS = os.environ.get("ACASXU", "/work/shared/benchmarks/acasxu")
# (network, noise r, box shrink, ε, timeout s); r = 0: g is f itself, asked for exact equality
INSTANCES = [("1_1", 0.01, 10, "0.05", 120), ("1_1", 0.15, 10, "0.05", 120), ("1_9", 0.01, 10, "0.05", 120),
             ("2_3", 0.01, 10, "0.05", 120), ("3_5", 0.03, 10, "0.05", 120), ("5_9", 0.15, 10, "0.05", 120),
             ("1_1", 0.0, 10, "0", 120), ("1_1", 0.01, 1, "0.05", 60)]


def literal(q: Fraction) -> str:
    from certify.io.vnnlib import literal as lit
    return lit(q)


def query_text(box, eps: str, exact: bool, comment: str) -> str:
    """A query in the template of isomorphic_acasxu_2026 (exact equality: equal-to and !=)."""
    lines = [f"; {comment}", "(vnnlib-version <2.0>)", "",
             "(declare-network f", "    (declare-input X_f real [1, 1, 1, 5])", "    (declare-output Y_f real [1, 5])",
             ")", "(declare-network g", f"    ({'equal-to' if exact else 'isomorphic-to'} f)",
             "    (declare-input X_g real [1, 1, 1, 5])", "    (declare-output Y_g real [1, 5])", ")", "",
             "; Input Constraints"]
    for i, (lo, hi) in enumerate(box):
        lines.append(f"(assert (and (<= X_f[0,0,0,{i}] {literal(hi)}) (>= X_f[0,0,0,{i}] {literal(lo)})))")
    lines += [f"(assert (== X_f[0,0,0,{i}] X_g[0,0,0,{i}]))" for i in range(len(box))]
    lines += ["", "; Output Constraints", "(assert (or"]
    for j in range(5):
        if exact:
            lines.append(f" (!= Y_g[0,{j}] Y_f[0,{j}])")
        else:
            lines.append(f" (or (> Y_g[0,{j}] (+ Y_f[0,{j}] {eps})) (< Y_g[0,{j}] (- Y_f[0,{j}] {eps})))")
    lines.append("))")
    return "\n".join(lines) + "\n"


def generate(out: str) -> None:
    from certify.network import Network
    from tolerance import perturbed, shrunk_box
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    os.makedirs(os.path.join(out, "vnnlib"), exist_ok=True)
    rows = []
    for k, (net, rel, shrink, eps, timeout) in enumerate(INSTANCES):
        a = Network.load(os.path.join(ACAS, f"ACASXU_run2a_{net}_batch_2000.json"))
        fa = f"onnx/ACASXU_{net}.onnx"
        if not os.path.exists(os.path.join(out, fa)):
            a.save(os.path.join(out, fa))
        fb = fa
        if rel:
            fb = f"onnx/ACASXU_{net}_noise{rel:g}.onnx"
            if not os.path.exists(os.path.join(out, fb)):
                perturbed(a, rel).save(os.path.join(out, fb))
        box = shrunk_box(Fraction(shrink))
        name = f"vnnlib/instance_{k}.vnnlib"
        comment = (f"ACAS Xu {net} against {'itself (exact equality)' if not rel else f'a copy with relative noise {rel:g}'}"
                   f"; property-1 box{f' shrunk {shrink}x' if shrink != 1 else ''}; eps = {eps}")
        with open(os.path.join(out, name), "w") as fh:
            fh.write(query_text(box, eps, not rel, comment))
        rows.append([f"[('f', '{fa}'), ('g', '{fb}')]", name, timeout])
    with open(os.path.join(out, "instances.csv"), "w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    print(f"written: {out}/instances.csv ({len(rows)} instances)")


def recheck(bench: str, field: str, query: str, result: str) -> str:
    """For a sat result: does the written point, read back, violate the property (exact)?"""
    from certify.commands.vnnlib import _find, _pair_field
    from certify.io import load_any
    from certify.io.vnnlib_query import environment, read_query, read_result
    status, values = read_result(open(result).read())
    if status != "sat":
        return "—"
    q = read_query(os.path.join(bench, query))
    nets = {n: load_any(_find(os.path.join(bench, p), os.path.join(bench, query))) for n, p in _pair_field(field)}
    f, g = (nets[d.name] for d in q.networks)
    x = [values[name] for (n, kind, i), name in q.names() if n == 0 and kind == "X"]
    xg = [values[name] for (n, kind, i), name in q.names() if n == 1 and kind == "X"]
    ok = x == xg and q.holds(environment(q, x, f(x), g(x)))
    gap = max(abs(u - v) for u, v in zip(f(x), g(x)))
    return f"{'yes' if ok else 'NO'} (gap {float(gap):.4g})"


def run(bench: str, only: list[int] | None, write: bool) -> None:
    head = machine()
    rows = []
    with open(os.path.join(bench, "instances.csv")) as fh:
        instances = list(csv.reader(fh))
    env = {**os.environ, "PYTHONPATH": ROOT}
    for k, (field, query, timeout) in enumerate(instances):
        if only is not None and k not in only:
            continue
        result = os.path.join(bench, "results", f"instance_{k}.txt")
        os.makedirs(os.path.dirname(result), exist_ok=True)
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "certify", "vnnlib", query, field, "--result",
                               os.path.relpath(result, bench), "--timeout", timeout, "--json"], cwd=bench, env=env,
                              capture_output=True, text=True)
        wall = time.perf_counter() - t
        status = open(result).readline().strip() if os.path.exists(result) else "(none)"
        try:
            obj = json.loads(proc.stdout)
        except ValueError:
            obj = {}
        ev, tm = obj.get("evidence", {}), obj.get("timings", {})
        bound = (f"found {ev['gap_lower_decimal']:.4g}" if "gap_lower_decimal" in ev else "")
        if "gap_upper_decimal" in ev and obj.get("certified"):  # a rejected certificate proves nothing
            bound += f"; proved ≤ {max(ev['gap_upper_decimal']):.4g}"
        summary = (f"{obj.get('verdict', '?')} ({obj.get('method', '?')}); generate {tm.get('generate', 0):.1f} s, "
                   f"kernel {tm.get('kernel', 0):.1f} s" + (f"; gap {bound}" if bound else ""))
        desc = open(os.path.join(bench, query)).readline().lstrip("; ").strip()
        row = [k, desc, status, proc.returncode, f"{wall:.1f}", recheck(bench, field, query, result),
               summary[:140].replace("|", "\\|")]
        if proc.returncode in (2, 4):
            row[-1] = proc.stderr.strip()[:140]
        print(" | ".join(map(str, row)), flush=True)
        rows.append(row)
    body = "\n".join([
        "## VNN-LIB 2.0 equivalence queries, run as VNN-COMP runs a benchmark (issue 13 item 5)", "",
        f"Commands: `python bench/vnnlib_equiv.py generate --out {os.path.relpath(bench, ROOT)}` then "
        f"`python bench/vnnlib_equiv.py run --bench {os.path.relpath(bench, ROOT)}` at {git_revision()}; each "
        "instance runs `certify vnnlib QUERY \"[('f', …), ('g', …)]\" --result R --timeout T` in the benchmark "
        "folder.",
        f"Machine: {head}. Other engineers' jobs may have been running on the 2 cores.", "",
        "Instances: the template of isomorphic_acasxu_2026 (f = ACAS Xu, g = a copy with relative weight noise, "
        "rounded to float32; shared input; the violation ∨_j |Y_g[0,j] − Y_f[0,j]| > ε). \"re-read\": the result "
        "file's point read back and both networks evaluated exactly at it — does it violate the property?", "",
        table(["#", "instance", "result", "exit", "wall s", "re-read violates", "equivalence answer"], rows)])
    if write:
        write_section("vnnlib-equiv", body)
    print(body)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="what", required=True)
    g = sub.add_parser("generate")
    g.add_argument("--out", default=os.path.join(HERE, "vnnlib_equiv"))
    r = sub.add_parser("run")
    r.add_argument("--bench", default=os.path.join(HERE, "vnnlib_equiv"))
    r.add_argument("--only", help="instance numbers, comma-separated")
    r.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    if args.what == "generate":
        generate(args.out)
    else:
        run(os.path.abspath(args.bench), None if not args.only else [int(v) for v in args.only.split(",")],
            not args.no_write)


if __name__ == "__main__":
    main()
