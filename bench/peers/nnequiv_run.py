"""Run NNEquiv (samysweb/nnequiv) on one ε-equivalence query; print one JSON line.

Runs in NNEquiv's own environment (numpy<2, swiglpk, onnxruntime), never in certify's:

    /work/venv-nnequiv/bin/python bench/peers/nnequiv_run.py A.onnx B.onnx BOX.json EPS STRATEGY TIMEOUT

with PYTHONPATH pointing at NNEquiv's ``src``.  BOX.json is [[lo, hi], ...] (floats).  The
setup follows NNEquiv's examples/equiv/test.py (one process, no parallel root LP, split
tolerance 1e-8).  The answer is NNEquiv's printed verdict: "equivalent", "not-equivalent"
or "timeout" (no certificate in any case).
"""
import contextlib
import io
import json
import sys
import time

import numpy as np


def main() -> None:
    a_path, b_path, box_path, eps, strategy, timeout = sys.argv[1:7]
    from nnenum.onnx_network import load_onnx_network
    from nnenum.settings import Settings
    from nnenum.timerutil import Timers
    from nnenum.zonotope import Zonotope
    from nnequiv.equivalence import check_equivalence
    from nnequiv.equivalence_properties import EpsilonEquivalence
    with open(box_path) as fh:
        box = [tuple(map(float, iv)) for iv in json.load(fh)]
    Timers.reset()
    Settings.TIMING_STATS = False
    Settings.SPLIT_TOLERANCE = 1e-8
    Settings.PARALLEL_ROOT_LP = False
    Settings.NUM_PROCESSES = 1
    Settings.EQUIV_OVERAPPROX_STRAT = strategy
    if strategy.startswith("REFINE_UNTIL"):
        Settings.EQUIV_OVERAPPROX_STRAT_REFINE_UNTIL = True
    start = time.perf_counter()
    n1, n2 = load_onnx_network(a_path), load_onnx_network(b_path)
    d = int(np.prod(n1.get_input_shape()))
    zono = Zonotope(np.zeros(d, dtype=np.float32), np.identity(d, dtype=np.float32), init_bounds=box)
    prop = EpsilonEquivalence(float(eps), networks=[n1, n2])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        check_equivalence(n1, n2, zono, prop, to=float(timeout))
    seconds = time.perf_counter() - start
    text = out.getvalue()
    if "TIMEOUT" in text:
        verdict = "timeout"
    elif "NETWORKS NOT EQUIVALENT" in text:
        verdict = "not-equivalent"
    elif "NETWORKS EQUIVALENT" in text:
        verdict = "equivalent"
    else:
        verdict = "error"
    print(json.dumps({"verdict": verdict, "seconds": seconds, "strategy": strategy}))


if __name__ == "__main__":
    main()
