"""Where ACAS Xu 1_1's neuron (1, 10) is active, and which layer-2 hyperplanes meet that set.

    python bench/acas_far_cone.py [--net 1_1] [--layer 1] [--neuron 10]

Float sampling (evidence, not proof): climbs of z_{layer,neuron} by region-hopping LPs
(certify/local/kinktarget.py) from the best of 20,000 points of [−B, B]^5 (B = 10^3, 10^5, 10^7),
then 400 points around each climbed point; among the sampled points where the neuron is active,
the next layer's neurons are split into those whose pre-activation takes both signs (their bent
hyperplane meets the active set: a kink with this input active exists) and those of one sign.
A neuron of one sign everywhere on the active set can never satisfy (K1) of Theorem 5.4 (theory
§5.5 "Limitations and fallback"); if the sign is negative this is the M10 situation.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from certify.api import load
from certify.local import kinktarget as kt
from certify.local.linewalk import FloatNet, preactivations

ACAS = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks" / "acasxu"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--net", default="1_1")
    ap.add_argument("--layer", type=int, default=1)
    ap.add_argument("--neuron", type=int, default=10)
    args = ap.parse_args()
    t_, k = args.layer, args.neuron
    fn = FloatNet(load(str(ACAS / f"ACASXU_run2a_{args.net}_batch_2000.json")))
    rng = np.random.default_rng(5)
    n = 20000
    for B in [1e3, 1e5, 1e7]:
        bs = [b / B for b in fn.bs]
        start = time.perf_counter()
        Y = rng.uniform(-1, 1, (n, 5))
        Y[np.arange(n), rng.integers(0, 5, n)] = rng.choice([-1.0, 1.0], n)
        z = preactivations(fn.Ws, bs, Y)[t_][:, k]
        pts = []
        for i in np.argsort(-z)[:60]:
            y, v = kt._ascend(fn.Ws, bs, t_, k, Y[i], z[i], None)
            if v > 0:
                pts.append(y)
        print(f"B={B:g}: {len(pts)} of 60 climbs end with ({t_},{k}) active "
              f"({time.perf_counter() - start:.1f} s)")
        if not pts:
            continue
        C = np.vstack([kt.active_cloud(p, rng, 400) for p in pts])
        zs = preactivations(fn.Ws, bs, C)
        act = zs[t_][:, k] > 0
        if not act.any():
            print("  no sampled point around the climbs has it active (thinner than the cloud's scales)")
            continue
        Z = zs[t_ + 1][act]
        m = Z.shape[1]
        print(f"  {int(act.sum())} sampled points with ({t_},{k}) active; directions x/|x| of the climbs:",
              np.unique(np.round(np.array(pts) / np.linalg.norm(pts, axis=1, keepdims=True), 2), axis=0).tolist()[:4])
        print(f"  layer {t_ + 1} both signs:", [j for j in range(m) if (Z[:, j] > 0).any() and (Z[:, j] < 0).any()])
        print(f"  layer {t_ + 1} always < 0:", [j for j in range(m) if (Z[:, j] < 0).all()])
        print(f"  layer {t_ + 1} always > 0:", [j for j in range(m) if (Z[:, j] > 0).all()])


if __name__ == "__main__":
    main()
