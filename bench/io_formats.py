"""Benchmarks of issue 6 (formats): exact import and export of the real networks.

For each real network (ACAS Xu 5-50×6-5, mnist-net_256x2 784-256-256-10) in the same run:
* exact ONNX import (certify.io.load_any) against two baselines — the float read every
  other tool does (onnx.load + numpy arrays, no exactness) and certify's own exact JSON
  reader of the same weights (Network.load);
* exact export to ONNX, .npz and .nnet (exact decimals) and re-import, with the check that
  the round trip is the identity;
* a 2-D plot's exact arrangement on a random 2-16-16-1 network (regions, seconds).

    python bench/io_formats.py            # writes the 'io-formats' section of RESULTS.md
    python bench/io_formats.py --quick    # ACAS Xu only, prints only
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import machine, table, write_section  # noqa: E402

from certify.io import load_any, save_any  # noqa: E402
from certify.network import Network  # noqa: E402


def benchmarks() -> Path:
    here = Path(__file__).resolve().parents[1]
    for base in (here.parent / "shared" / "benchmarks", Path("/work/shared/benchmarks")):
        if base.is_dir():
            return base
    raise SystemExit("shared/benchmarks not found")


def best(fn, repeat: int = 3) -> tuple[object, float]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return out, min(times)


def float_read(path: Path):
    import onnx
    from onnx import numpy_helper
    model = onnx.load(path)
    return [numpy_helper.to_array(t) for t in model.graph.initializer]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    base = benchmarks()
    stems = ["acasxu/ACASXU_run2a_1_1_batch_2000"] + ([] if args.quick else ["mnistfc/mnist-net_256x2"])
    rows, trips, json_ratios = [], [], []
    for stem in stems:
        onnx_path, json_path = base / f"{stem}.onnx", base / f"{stem}.json"
        net, t_exact = best(lambda: load_any(onnx_path))
        _, t_float = best(lambda: float_read(onnx_path))
        ref, t_json = best(lambda: Network.load(json_path))
        assert net.layers == ref.layers
        json_ratios.append((stem.split("/")[1].split("_batch")[0], t_exact / t_json))
        rows.append([stem.split("/")[1], "-".join(map(str, net.widths)), f"{net.N:,}", f"{t_exact:.3f}",
                     f"{t_float:.4f}", f"{t_exact / t_float:.0f}×", f"{t_json:.3f}", f"{t_exact / t_json:.2f}×"])
        with tempfile.TemporaryDirectory() as tmp:
            for ext in (".onnx", ".npz", ".nnet"):
                out = Path(tmp) / f"n{ext}"
                boxed = net.replace(box=((Fraction(-1), Fraction(1)),) * net.widths[0])
                _, t_write = best(lambda: save_any(boxed, out), repeat=1)
                back, t_read = best(lambda: load_any(out), repeat=1)
                assert back.layers == net.layers, f"{ext} round trip changed the network"
                trips.append([stem.split("/")[1], ext, f"{t_write:.3f}", f"{t_read:.3f}",
                              f"{out.stat().st_size / 1e6:.2f} MB", "identical"])
    per_param = 1e6 * t_exact / net.N  # of the last (largest) network
    from certify.apps.plot import arrangement
    rng = random.Random(6)
    plot_rows = []
    for widths in ([2, 8, 8, 1], [2, 16, 16, 1]):
        net = Network.from_layers([([[Fraction(rng.randint(-9, 9), rng.randint(1, 4)) for _ in range(a)]
                                     for _ in range(b)], [Fraction(rng.randint(-9, 9), 2) for _ in range(b)])
                                   for a, b in zip(widths, widths[1:])])
        times = []
        for _ in range(3):
            start = time.perf_counter()
            arr = arrangement(net, ((Fraction(-5), Fraction(5)),) * 2)
            times.append(time.perf_counter() - start)
        plot_rows.append(["-".join(map(str, widths)), len(arr.regions), len(arr.bends),
                          f"{statistics.median(times):.3f}"])
    body = "\n\n".join([
        "## Formats: exact import/export of the real networks (issue 6)",
        "Command: `python bench/io_formats.py` (best of 3). Machine: " + machine() + ". "
        "Other engineers' jobs may have been running on the 2 cores.",
        "Exact ONNX import against the float read every tool does (`onnx.load` + numpy arrays: "
        "no rationals, no checks) and against certify's exact JSON reader of the same weights:",
        table(["network", "widths", "parameters", "exact ONNX import s", "float read s", "ratio",
               "exact JSON read s", "ratio"], rows),
        "Exact export and re-import (domain [-1, 1]^d0 attached; the re-imported network is "
        "compared with the original entry by entry):",
        table(["network", "format", "write s", "read s", "size", "round trip"], trips),
        "Exact 2-D arrangement behind `certify plot` (random rational weights, view box [-5, 5]^2, "
        "median of 3; drawing adds about 1 s of matplotlib):",
        table(["widths", "regions", "bend segments", "seconds"], plot_rows),
        f"Reading: the exact import costs about {per_param:.1f} µs per parameter (one Fraction per "
        "weight, built from the float's exact integer ratio) where the float read only maps the "
        "bytes; against certify's exact JSON reader of the same weights it takes "
        + ", ".join(f"{r:.2f}× the time ({n})" for n, r in json_ratios) + ".",
    ])
    print(body)
    if not args.quick:
        write_section("io-formats", body)


if __name__ == "__main__":
    main()
