"""The big-M MILP on a box (pulp; HiGHS or CBC) and its LP/MPS files.

Each hidden neuron with bounds ℓ < 0 < u gets a ≥ 0, a ≥ z, a ≤ z − ℓ(1 − δ), a ≤ uδ
(δ binary); a neuron with u ≤ 0 is 0 and one with ℓ ≥ 0 is z.  The bounds are the
exact symbolic interval bounds of ``certify.kernel.regiontree`` (valid for every x in
the box), rounded outward to floats — the usual big-M encoding, with exact big-Ms.

For a pair the objective is max_i |f_A,i − f_B,i|: t ≤ ±d_i + 2M(1 − s), one selector s
per (output, sign) and Σ s = 1.  Its optimum is 0 iff the networks agree on the box —
but a MILP solver works in floating point with tolerances (NOTES.md: CBC once reported 0
for a true maximum 1.4e-6), so the optimum is only a *candidate* counterexample,
re-evaluated exactly, or a hint.  It is never a proof of equality.  For one network the
objective is max f_A,0 over the box (an output-range query).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction

from ..kernel import regiontree as krt
from ..kernel.network import Box, Net, affine_maps, evaluate, in_box
from ..deep.polyhedron import quiet_stdout

__all__ = ["build", "search", "write_lp", "write_mps", "MilpResult"]

_DYADIC = 2 ** 40


@dataclass
class MilpResult:
    status: str  # "sat" (exact counterexample), "no-counterexample" (hint only), "unknown"
    counterexample: tuple | None = None
    value: float | None = None  # the solver's optimum: a hint, not a proof
    seconds: float = 0.0
    reason: str = ""


def _down(q: Fraction) -> float:
    f = float(q)
    return f - 1e-9 * (1 + abs(f))


def _up(q: Fraction) -> float:
    f = float(q)
    return f + 1e-9 * (1 + abs(f))


def build(a: Net, b: Net | None, box: Box, name: str = "certify"):
    """(pulp problem, input variables) for max_i |f_A,i − f_B,i| (or max f_A,0) on the box."""
    import pulp
    if box is None:
        raise ValueError("the MILP needs a box (big-M bounds)")
    nets = [a] if b is None else [a, b]
    p = krt.Problem(nets, box)
    root = krt.derive(p, {})
    prob = pulp.LpProblem(name, pulp.LpMaximize)

    def var(label: str, lo=None, hi=None, cat: str = "Continuous"):
        if hasattr(prob, "add_variable"):  # pulp ≥ 3.3 (the only way in pulp 4)
            return prob.add_variable(label, lo, hi, cat=cat)
        return pulp.LpVariable(label, lo, hi, cat=cat)

    xs = [var(f"x{i}", float(lo), float(hi)) for i, (lo, hi) in enumerate(box)]
    outs = []
    for n, net in enumerate(nets):
        acts = list(xs)
        for t, layer in enumerate(net.layers):
            last = t + 1 == len(net.layers)
            new = []
            for j, (row, bias) in enumerate(zip(layer.weight, layer.bias)):
                z = pulp.lpSum(float(w) * v for w, v in zip(row, acts) if w is not None and w != 0) + float(bias)
                if last:
                    new.append(z)
                    continue
                lo, hi = p.bounds[p.index[(n, t, j)]]  # type: ignore[index]
                if hi <= 0:
                    new.append(0)
                elif lo >= 0:
                    new.append(z)
                else:
                    tag = f"n{n}_l{t}_{j}"
                    av = var(f"a_{tag}", 0, _up(hi))
                    d = var(f"d_{tag}", cat="Binary")
                    prob += av >= z, f"ge_{tag}"
                    prob += av <= z - _down(lo) * (1 - d), f"on_{tag}"
                    prob += av <= _up(hi) * d, f"off_{tag}"
                    new.append(av)
            acts = new
        outs.append(acts)
    if b is None:
        prob += outs[0][0]
        return prob, xs
    t = var("t")
    sel = []
    diffs = [krt.lin([(1, ea), (-1, eb)]) for ea, eb in zip(krt.outputs(p, root, 0), krt.outputs(p, root, 1))]
    for i, (u, v) in enumerate(zip(outs[0], outs[1])):
        lo, hi = krt._expr_bounds(p, diffs[i], p.bounds)
        M = 2 * max(abs(_down(lo)), abs(_up(hi)), 1e-9)
        for sign, tag in ((1, "p"), (-1, "m")):
            s = var(f"s{tag}{i}", cat="Binary")
            sel.append(s)
            prob += t <= sign * (u - v) + M * (1 - s), f"t_{tag}{i}"
    prob += pulp.lpSum(sel) == 1, "one_output"
    prob += t
    return prob, xs


def _solver(time_limit: float | None):
    import pulp
    kw = {"msg": False}
    if time_limit is not None:
        kw["timeLimit"] = max(float(time_limit), 0.1)
    return pulp.HiGHS(**kw)


def search(a: Net, b: Net, box: Box, time_limit: float | None = None) -> MilpResult:
    """Maximise |f_A − f_B| on the box; return an exact counterexample or a hint."""
    import pulp
    start = time.perf_counter()
    prob, xs = build(a, b, box)
    with quiet_stdout():
        prob.solve(_solver(time_limit))
    seconds = time.perf_counter() - start
    values = [v.varValue for v in xs]
    if any(v is None for v in values):
        return MilpResult("unknown", None, None, seconds, f"solver status {pulp.LpStatus[prob.status]}")
    value = pulp.value(prob.objective)
    ma, mb = affine_maps(a), affine_maps(b)
    for bits in (40, 20, 10):  # the optimum, then coarser dyadic roundings of it
        x = [min(max(Fraction(round(v * 2 ** bits), 2 ** bits), lo), hi) for v, (lo, hi) in zip(values, box)]
        fa, fb = evaluate(ma, x), evaluate(mb, x)
        if in_box(x, box) and fa != fb:
            return MilpResult("sat", (x, fa, fb), value, seconds)
    return MilpResult("no-counterexample", None, value, seconds,
                      f"the MILP optimum {value:.3g} gave no exact counterexample (a hint, not a proof)")


def write_lp(path: str, a: Net, b: Net | None, box: Box) -> None:
    prob, _ = build(a, b, box)
    prob.writeLP(path)


def write_mps(path: str, a: Net, b: Net | None, box: Box) -> None:
    """MPS with an OBJSENSE MAX section (MPS readers default to minimisation; pulp's own
    ``*SENSE:Maximize`` line is only a comment)."""
    prob, _ = build(a, b, box)
    prob.writeMPS(path)
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("NAME"))
    lines[at + 1:at + 1] = ["OBJSENSE", "    MAX"]
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")



