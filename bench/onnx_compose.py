"""Exact composition of consecutive affine ONNX layers: the 784-256-256-10 graph with a Relu removed.

    python bench/onnx_compose.py [--baseline DIR] [--timeout 300] [--runs 3]

The graph is the VNN-COMP ``mnist-net_256x2.onnx`` with its first ``Relu`` deleted, so
the two Gemms 784→256 and 256→256 must be composed into one exact affine layer
(theory.md §1: between two ReLUs the affine maps compose).  The importer is timed
in-process (best of ``--runs``); ``--baseline DIR`` also times the importer of an older
checkout (``DIR/certify``) in a subprocess, killed after ``--timeout`` seconds.  One
composed entry is recomputed as an exact Fraction dot product and compared.  Results go
to the section ``onnx-compose`` of bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import git_revision, machine, table, write_section  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MNIST = Path("/work/shared/benchmarks/mnistfc/mnist-net_256x2.onnx")


def relu_removed(source: Path, target: Path) -> None:
    """Write ``source`` with its first Relu deleted (its consumer reads the Relu's input)."""
    import onnx
    model = onnx.load(source)
    nodes = list(model.graph.node)
    k = next(i for i, n in enumerate(nodes) if n.op_type == "Relu")
    relu = nodes[k]
    for n in nodes[k + 1:]:
        for i, name in enumerate(n.input):
            if name == relu.output[0]:
                n.input[i] = relu.input[0]
    del model.graph.node[k]
    onnx.save(model, target)


def time_current(path: Path, runs: int) -> tuple[float, object]:
    from certify.io.onnx import load_onnx
    best, net = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        net = load_onnx(path)
        best = min(best, time.perf_counter() - start)
    return best, net


def time_baseline(path: Path, baseline: Path, timeout: float) -> float | None:
    """Seconds the importer of ``baseline`` takes, or None if it ran past ``timeout``."""
    code = ("import sys, time; from certify.io.onnx import load_onnx; t = time.perf_counter(); "
            "load_onnx(sys.argv[1]); print(time.perf_counter() - t)")
    env = dict(os.environ, PYTHONPATH=str(baseline))
    try:
        out = subprocess.run([sys.executable, "-c", code, str(path)], env=env, capture_output=True,
                             text=True, timeout=timeout, check=True, cwd=baseline)
    except subprocess.TimeoutExpired:
        return None
    return float(out.stdout.strip().splitlines()[-1])


def check_entry(path: Path, net) -> bool:
    """Layer 0 entry [0][0] of the composition, recomputed as an exact Fraction dot product."""
    import onnx
    from onnx import numpy_helper
    model = onnx.load(path)
    arrays = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    w1, w2 = arrays["layers.0.weight"], arrays["layers.2.weight"]
    expected = sum(Fraction(float(w2[0, k])) * Fraction(float(w1[k, 0])) for k in range(w1.shape[0]))
    return net.layers[0].weight[0][0] == expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="checkout of an older certify to time as well")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    where = machine()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mnist-relu-removed.onnx"
        relu_removed(MNIST, path)
        now, net = time_current(path, args.runs)
        ok = check_entry(path, net)
        before = time_baseline(path, args.baseline, args.timeout) if args.baseline else None
    widths = "-".join(map(str, net.widths))
    rows = [["current (" + git_revision() + ")", widths, f"{now:.3f}", "1×", "yes" if ok else "NO"]]
    if args.baseline:
        shown = f"> {args.timeout:.0f} (killed)" if before is None else f"{before:.3f}"
        ratio = f"> {args.timeout / now:.0f}×" if before is None else f"{before / now:.0f}×"
        rows.insert(0, [f"baseline ({args.baseline})", widths, shown, ratio, "–"])
    command = "python bench/onnx_compose.py" + (f" --baseline {args.baseline} --timeout {args.timeout:.0f}"
                                                if args.baseline else "")
    body = "\n".join([
        "## ONNX: exact composition of consecutive affine layers (issue 11)", "",
        f"Command: `{command}` (best of {args.runs}). Machine: {where}. Other engineers' jobs may have been "
        "running on the 2 cores.", "",
        "Graph: VNN-COMP `mnist-net_256x2.onnx` with its first Relu removed, so Gemm 784→256 and Gemm "
        "256→256 compose into one exact 784→256 layer. \"entry checked\": layer 0 weight [0][0] equals the "
        "exact Fraction dot product of the two float32 weight rows.", "",
        table(["importer", "widths after import", "seconds", "ratio to current", "entry checked"], rows), "",
        "The baseline composed the two matrices as Python Fraction dot products (256·256·784 ≈ 51 M "
        "Fraction multiply-adds); the current importer scales each matrix to integers over one power-of-two "
        "denominator and multiplies them with python-flint `fmpz_mat` (certify/io/affine.py), refusing a "
        "product beyond its documented size bound."])
    write_section("onnx-compose", body)
    print(body)


if __name__ == "__main__":
    main()
