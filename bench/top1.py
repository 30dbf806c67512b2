"""Top-1 agreement (``certify equiv A B --top1``) on MNIST and ACAS Xu pairs (issue 13).

    python bench/top1.py                 # writes section 'top1' of bench/RESULTS.md
    python bench/top1.py --no-write --timeout 30

MNIST: mnist-net_256x2 (784-256-256-10, /work/shared/benchmarks/mnistfc) against a copy with
relative weight noise r (every weight and bias w → w·(1 + r·N(0, 1)), float32, as in
bench/tolerance.py; the ONNX is float32 already, so plain float32 rounding would be the identity).
No MNIST test images are on this machine: the box centres are synthetic images, each obtained by
40 signed-gradient steps that raise one class's margin from a random start in [0, 0.3]^784
(floats; the centre is then rounded to a dyadic rational).  Boxes: L∞ balls of radius eps,
clipped to [0, 1].

ACAS Xu: networks 1_1 and 2_3 against perturbed copies (bench/tolerance.py's ``perturbed``), on
the property-1 box shrunk 10× around its centre.  ACAS's advisory is the *argmin* of the five
scores; ``--top1`` certifies *argmax* agreement, which is what is measured here.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from fractions import Fraction

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

import certify  # noqa: E402
from certify.network import Network  # noqa: E402
from _results import machine, table, write_section  # noqa: E402
from tolerance import ACAS, perturbed, shrunk_box  # noqa: E402

MNIST = os.environ.get("MNIST", "/work/shared/benchmarks/mnistfc/mnist-net_256x2.onnx")


def centre(net: Network, cls: int, seed: int) -> np.ndarray:
    """A synthetic image with a large margin for ``cls`` (signed-gradient ascent, floats)."""
    rng = np.random.default_rng(seed)
    x = rng.random(net.widths[0]) * 0.3
    layers = net.float_layers
    for _ in range(40):
        acts, masks = x, []
        for w, b in layers[:-1]:
            z = w @ acts + b
            masks.append(z > 0)
            acts = np.maximum(z, 0)
        f = layers[-1][0] @ acts + layers[-1][1]
        other = int(np.argmax(np.where(np.arange(len(f)) == cls, -np.inf, f)))
        g = layers[-1][0][cls] - layers[-1][0][other]
        for (w, _), m in zip(reversed(layers[:-1]), reversed(masks)):
            g = (g * m) @ w
        x = np.clip(x + 0.01 * np.sign(g), 0, 1)
    return x


def run(a, b, box, timeout: float) -> list:
    t = time.perf_counter()
    ans = certify.equivalent(a, b, box=box, top1=True, timeout=timeout)
    total = time.perf_counter() - t
    outcome = {0: "certified", 1: "counterexample", 3: "undecided"}.get(ans.code, str(ans.code))
    leaves = ans.details.get("leaves", "")
    regions = ans.details.get("region_leaves", "")
    share = ans.details.get("certified_fraction_decimal")
    extra = f"{100 * share:.3g} % proved" if share is not None else (
        f"argmax A {ans.details.get('argmax_A')}, B {ans.details.get('argmax_B')}" if ans.code == 1 else "")
    return [outcome, f"{total:.1f}", f"{ans.timings.get('kernel', 0):.2f}", leaves, regions, extra]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    head = machine()
    rows = []
    mnist = certify.load(MNIST)
    for rel in (0.001, 0.01):
        b = perturbed(mnist, rel)
        for cls, seed in ((3, 0), (7, 1)):
            x = centre(mnist, cls, seed)
            for eps in (0.005, 0.02):
                box = [(max(Fraction(0), Fraction(round(v * 2 ** 20), 2 ** 20) - Fraction(eps)),
                        min(Fraction(1), Fraction(round(v * 2 ** 20), 2 ** 20) + Fraction(eps))) for v in x]
                rows.append([f"mnist 256x2 vs noise {rel}", f"class {cls} image, L∞ {eps}"]
                            + run(mnist, b, box, args.timeout))
                print(rows[-1], flush=True)
    for net in ("1_1", "2_3"):
        a = certify.load(os.path.join(ACAS, f"ACASXU_run2a_{net}_batch_2000.onnx"))
        for rel in (0.01, 0.1):
            rows.append([f"ACAS {net} vs noise {rel}", "prop-1 box / 10"]
                        + run(a, perturbed(a, rel), shrunk_box(Fraction(10)), args.timeout))
            print(rows[-1], flush=True)
    body = "\n".join([
        "`python bench/top1.py --timeout %g`" % args.timeout, "", head, "",
        table(["pair", "box", "outcome", "total s", "kernel s", "cells", "region-tree cells", "note"], rows), ""])
    print(body)
    if not args.no_write:
        write_section("top1", body)


if __name__ == "__main__":
    main()
