"""Benchmarks of issue 2: shallow canonical equivalence at n = 10^4, d = 100, and orbit
matching on a deep network with 1000 neurons per hidden layer; kernel check time next to
generation time.  Baseline in the same run: the direct z3 encoding (ReLU as If over Reals,
∃x f ≠ g) at the sizes where it finishes.

    python bench/foundation.py            # full run, writes the 'foundation' section of RESULTS.md
    python bench/foundation.py --quick    # small sizes, prints only
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from fractions import Fraction as F
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import machine, table, write_section  # noqa: E402

from certify.group import orbit as symmetry  # noqa: E402
from certify.core.files import dumps  # noqa: E402
from certify.deep.strategy import by_orbit, by_shallow  # noqa: E402
from certify.kernel import check_text  # noqa: E402
from certify.network import Network  # noqa: E402


def random_net(widths, rng, kind="rational") -> Network:
    def q():
        if kind == "float32":  # trained-like: float32 values, exact dyadic rationals
            import numpy as np
            return float(np.float32(rng.gauss(0, 0.5)))
        return F(rng.randint(-99, 99) or 1, rng.randint(1, 16))
    return Network.from_layers([([[q() for _ in range(a)] for _ in range(b)], [q() for _ in range(b)])
                                for a, b in zip(widths, widths[1:])])


def timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - start


def z3_direct(a: Network, b: Network, timeout_s: float) -> tuple[str, float]:
    """The baseline: ∃x f_A(x) ≠ f_B(x) with ReLU as If over the reals."""
    import z3
    start = time.perf_counter()
    xs = [z3.Real(f"x{i}") for i in range(a.widths[0])]

    def encode(net):
        act = xs
        for t, layer in enumerate(net.layers):
            z = [z3.Sum([z3.RealVal(str(w)) * v for w, v in zip(row, act)]) + z3.RealVal(str(bb))
                 for row, bb in zip(layer.weight, layer.bias)]
            act = z if t == len(net.layers) - 1 else [z3.If(v > 0, v, 0) for v in z]
        return act

    s = z3.Solver()
    s.set("timeout", int(timeout_s * 1000))
    s.add(z3.Or([fa != fb for fa, fb in zip(encode(a), encode(b))]))
    r = s.check()
    label = {"unsat": "unsat (equal)", "sat": "sat", "unknown": "timeout"}[str(r)]
    return label, time.perf_counter() - start


def shallow_case(n: int, d: int, kind: str, rng) -> list:
    a = random_net([d, n, 1], rng, kind)
    b = symmetry.apply(symmetry.random_element(a, rng), a)
    text_a, text_b = json.dumps(a.to_json()), json.dumps(b.to_json())
    (pa, pb), t_parse = timed(lambda: (Network.from_json(json.loads(text_a)), Network.from_json(json.loads(text_b))))
    answer, t_total = timed(by_shallow, pa, pb, None, time.perf_counter())
    cert_text = dumps(answer.certificate)
    verdict, t_kernel = timed(check_text, cert_text)
    assert answer.code == 0 and verdict.valid
    decide = answer.timings["generate"]
    return [f"shallow {d}-{n}-1 ({kind})", f"{t_parse:.2f}", f"{decide:.2f}", f"{t_kernel:.2f}",
            f"{t_kernel / decide:.2f}", f"{len(cert_text) / 1e6:.1f} MB"]


def orbit_case(widths, rng) -> list:
    a = random_net(widths, rng)
    b = symmetry.apply(symmetry.random_element(a, rng), a)
    # the exact decision alone (float proposal + exact check of g·A = B), then the whole
    # certified answer from scratch (fresh objects: no cached float views)
    g, t_match = timed(symmetry.orbit_element, Network(a.net), Network(b.net))
    assert g is not None
    print(f"orbit matching alone (exact decision, no certificate): {t_match:.2f} s", flush=True)
    ORBIT_MATCH.append(t_match)
    a, b = Network(a.net), Network(b.net)
    answer, t = timed(by_orbit, a, b, None, time.perf_counter())
    cert_text = dumps(answer.certificate)
    verdict, t_kernel = timed(check_text, cert_text)
    assert answer.code == 0 and verdict.valid
    gen = answer.timings["generate"]
    return [f"orbit {'-'.join(map(str, widths))}", "-", f"{gen:.2f}", f"{t_kernel:.2f}", f"{t_kernel / gen:.2f}",
            f"{len(cert_text) / 1e6:.1f} MB"]


ORBIT_MATCH: list[float] = []


def baseline_rows(rng, sizes, timeout_s) -> list:
    rows = []
    for n, d in sizes:
        a = random_net([d, n, 1], rng)
        b = symmetry.apply(symmetry.random_element(a, rng), a)
        answer, t_cert = timed(by_shallow, a, b, None, time.perf_counter())
        result, t_z3 = z3_direct(a, b, timeout_s)
        ratio = f"{t_z3 / t_cert:.0f}×" if result != "timeout" else f"> {timeout_s / t_cert:.0f}×"
        rows.append([f"{d}-{n}-1", f"{t_cert:.3f}", f"{result}, {t_z3:.2f}", ratio])
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--z3-timeout", type=float, default=120.0)
    args = ap.parse_args()
    rng = random.Random(2026)
    started = machine()
    if args.quick:
        shallow_sizes, orbit_widths, z3_sizes = [(1000, 20)], [10, 100, 100, 100, 2], [(8, 3), (16, 4)]
    else:
        shallow_sizes, orbit_widths, z3_sizes = [(10**4, 100)], [20, 1000, 1000, 1000, 5], [(8, 4), (16, 4), (32, 5), (64, 5)]
    rows = []
    for n, d in shallow_sizes:
        for kind in ("rational", "float32"):
            rows.append(shallow_case(n, d, kind, rng))
            print(rows[-1], flush=True)
    rows.append(orbit_case(orbit_widths, rng))
    print(rows[-1], flush=True)
    base = baseline_rows(rng, z3_sizes, args.z3_timeout)
    for r in base:
        print(r, flush=True)
    body = "\n".join([
        "## Foundation (issue 2): shallow canonical equivalence and orbit matching",
        "",
        f"Command: `python bench/foundation.py`. Machine: {started}.",
        "",
        "Pairs (A, g·A) for a random group element g (equal functions). *parse*: both networks from",
        "JSON text; *decide*: certify's decision including building the certificate and the kernel's",
        "own check inside `finish`; *kernel*: `certify check` of the certificate text (parsing the",
        "embedded networks included).",
        "",
        table(["case", "parse s", "decide s", "kernel s", "kernel / decide", "certificate"], rows),
        "",
        f"Orbit matching alone (the exact decision B ∈ G·A: float proposal, then the exact check of "
        f"g·A = B, no certificate): {ORBIT_MATCH[0]:.2f} s. The rest of *decide* is writing both "
        "networks into the certificate as text (2 × 2 million rationals); the kernel's check is the next column."
        if ORBIT_MATCH else "",
        "",
        "Baseline in the same run: the direct z3 encoding (ReLU as `If` over Reals, ∃x f ≠ g) against",
        "certify's shallow canonical form on small shallow pairs (A, g·A), z3 timeout "
        f"{args.z3_timeout:.0f} s:",
        "",
        table(["architecture", "certify s", "z3 direct", "z3 / certify"], base),
    ])
    if args.quick:
        print(body)
    else:
        write_section("foundation", body)
        print(body)


if __name__ == "__main__":
    main()
