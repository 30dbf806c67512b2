"""Peer tools and baselines run side by side with certify in bench/tolerance.py (issue 13).

None of these give a certificate; their answers are recorded next to certify's, never used by it.

* ``nnequiv``: NNEquiv (samysweb/nnequiv, float zonotopes + GLPK LPs) in its OWN virtualenv
  (numpy<2, swiglpk, onnxruntime: ``NNEQUIV_PYTHON``, default /work/venv-nnequiv/bin/python,
  and its sources ``NNEQUIV_SRC``, default /work/nnequiv-src/src), fed float32 ONNX of both
  networks, in a subprocess with a hard kill at the timeout + 30 s;
* ``milp``: certify's big-M MILP (certify/encode/lp.py, exact big-Ms from symbolic intervals)
  maximising max_i |f_A,i − f_B,i| on the box, solved by HiGHS; its optimum is a float hint
  (≤ ε: "equivalent", uncertified), its incumbent is re-evaluated exactly (> ε: a verified
  counterexample);
* ``z3``: one query ∃x ∈ box, i: |f_A,i(x) − f_B,i(x)| > ε over the reals (ReLU as If).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from fractions import Fraction

NNEQUIV_PYTHON = os.environ.get("NNEQUIV_PYTHON", "/work/venv-nnequiv/bin/python")
NNEQUIV_SRC = os.environ.get("NNEQUIV_SRC", "/work/nnequiv-src/src")
HERE = os.path.dirname(os.path.abspath(__file__))

__all__ = ["nnequiv", "milp", "z3_query", "PEERS"]


def nnequiv(a, b, box, eps: float, timeout: float, strategy: str = "REFINE_UNTIL_LAST") -> tuple[str, float]:
    """(NNEquiv's verdict, wall seconds including process start and ONNX load)."""
    from certify.io.onnx import write_onnx
    if not (os.path.exists(NNEQUIV_PYTHON) and os.path.isdir(NNEQUIV_SRC)):
        return "not installed", 0.0
    with tempfile.TemporaryDirectory() as tmp:
        pa, pb, pbox = (os.path.join(tmp, n) for n in ("a.onnx", "b.onnx", "box.json"))
        write_onnx(a, pa, dtype="float32", rounding="nearest")
        write_onnx(b, pb, dtype="float32", rounding="nearest")
        with open(pbox, "w") as fh:
            json.dump([[float(lo), float(hi)] for lo, hi in box], fh)
        env = {**os.environ, "PYTHONPATH": NNEQUIV_SRC, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
        cmd = [NNEQUIV_PYTHON, os.path.join(HERE, "nnequiv_run.py"), pa, pb, pbox, repr(float(eps)), strategy,
               repr(float(timeout))]
        t = time.perf_counter()
        try:
            run = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout + 30)
        except subprocess.TimeoutExpired:
            return "timeout (killed)", time.perf_counter() - t
        seconds = time.perf_counter() - t
    lines = [l for l in run.stdout.splitlines() if l.startswith("{")]
    if run.returncode != 0 or not lines:
        tail = (run.stderr.strip().splitlines() or ["?"])[-1]
        return f"error ({tail[:60]})", seconds
    return json.loads(lines[-1])["verdict"], seconds


def milp(a, b, box, eps: float, timeout: float) -> tuple[str, float, float | None]:
    """(answer, seconds, the solver's value of max|f_A − f_B| or None) for certify's big-M MILP on HiGHS."""
    import pulp
    from certify.deep.polyhedron import quiet_stdout
    from certify.encode import lp
    from certify.kernel.network import affine_maps, evaluate
    t = time.perf_counter()
    prob, xs = lp.build(a.net, b.net, box)
    with quiet_stdout():
        prob.solve(pulp.HiGHS(msg=False, timeLimit=max(timeout - (time.perf_counter() - t), 1.0)))
    seconds = time.perf_counter() - t
    status = pulp.LpStatus[prob.status]
    # pulp reports status "Optimal" also when HiGHS stops at the time limit with an incumbent;
    # only the solution status says whether the optimum was proved (within HiGHS's tolerances)
    optimal = prob.status == pulp.LpStatusOptimal and getattr(prob, "sol_status", None) == pulp.LpSolutionOptimal
    values = [v.varValue for v in xs]
    if any(v is None for v in values):
        return f"unknown ({status})", seconds, None
    value = pulp.value(prob.objective) if optimal else None
    x = [min(max(Fraction(round(v * 2 ** 40), 2 ** 40), lo), hi) for v, (lo, hi) in zip(values, box)]
    fa, fb = evaluate(affine_maps(a.net), x), evaluate(affine_maps(b.net), x)
    exact = max(abs(p - q) for p, q in zip(fa, fb))
    if exact > Fraction(eps):
        return "not-equivalent (verified x)", seconds, value
    if optimal:
        return ("equivalent (float, uncertified)" if value is not None and value <= eps
                else "not-equivalent? (x does not re-check)",
                seconds, value)
    return f"timeout (incumbent {float(exact):.3g})", seconds, value


def z3_query(a, b, box, eps: float, timeout: float) -> tuple[str, float]:
    """(z3's answer to ∃x ∈ box, i: |f_A,i − f_B,i| > ε, seconds)."""
    import z3
    from certify.encode.smt import _q, _setup
    t = time.perf_counter()
    _, xs, domain, fa, fb = _setup(a.net, b.net, box)
    e = _q(z3, Fraction(eps))
    s = z3.Solver()
    s.set("timeout", max(int(timeout * 1000), 1))
    s.add(*domain)
    s.add(z3.Or([z3.Or(u - v > e, v - u > e) for u, v in zip(fa, fb)]))
    timer = threading.Timer(timeout + 5.0, lambda: z3.main_ctx().interrupt())
    timer.daemon = True
    timer.start()
    try:
        verdict = s.check()
    finally:
        timer.cancel()
    seconds = time.perf_counter() - t
    if verdict == z3.unsat:
        return "equivalent (unsat, uncertified)", seconds
    if verdict == z3.sat:
        return "not-equivalent (sat)", seconds
    return "timeout" if seconds >= timeout * 0.95 else f"unknown ({s.reason_unknown()[:30]})", seconds


PEERS = ("nnequiv", "milp", "z3")


def run_peer(name: str, a, b, box, eps: float, timeout: float, strategy: str) -> tuple[str, float]:
    """(answer, seconds) of one peer, errors caught (a peer's failure must not stop the benchmark)."""
    try:
        if name == "nnequiv":
            return nnequiv(a, b, box, eps, timeout, strategy)
        if name == "milp":
            answer, seconds, value = milp(a, b, box, eps, timeout)
            return (answer if value is None or answer.startswith("timeout") else f"{answer}, value {value:.3g}"),\
                seconds
        if name == "z3":
            return z3_query(a, b, box, eps, timeout)
    except Exception as e:  # noqa: BLE001 - a benchmark row, not a verdict
        print(f"{name}: {type(e).__name__}: {e}", file=sys.stderr)
        return f"error ({type(e).__name__})", 0.0
    raise ValueError(name)
