"""CEGIS witness search for tiny networks (z3 nonlinear real arithmetic), mechanism ``search``.

To find what the catalogue M1–M13 misses (theory.md §4), search θ' directly:

* unknowns: all parameters of θ'; the orbit is cut down by the *pivot normalisation* of
  §5.4 — for every hidden neuron one nonzero entry of its incoming row of θ (the pivot)
  keeps its absolute value, which fixes the positive scale but leaves flips possible;
* θ' must lie outside the orbit: some non-pivot coordinate differs from θ by at least δ
  (permutations are excluded afterwards by the exact orbit matcher, and blocked);
* θ' must agree with θ on a finite sample X: f_θ'(x) = f_θ(x), with σ written as
  If(z > 0, z, 0) — polynomial in θ' on each branch, so the query is nonlinear real
  arithmetic, which z3 decides (slowly: only tiny networks);
* a model is turned into rationals and checked *exactly*: an exact counterexample
  x with f_θ'(x) ≠ f_θ(x) joins X and the loop repeats; an exact equivalence certificate
  (shallow canonical form or region tree) ends it.

Nothing z3 says is trusted: the witness is reported only with a ``hidden-symmetry``
certificate (method ``equivalence``) that the kernel accepts.
"""
from __future__ import annotations

import random
import time
from fractions import Fraction

from ..core.certificate import claim, envelope, finish
from ..group.matching import Undecided, separation
from ..network import Box, Network

THEOREM = "CEGIS search: exact equivalence certificate + exact orbit matching (θ' ∉ G·θ)"


def _coordinates(network: Network) -> list[tuple[int, str, int, int]]:
    out = []
    for t, layer in enumerate(network.layers):
        for i, row in enumerate(layer.weight):
            out += [(t, "w", i, j) for j in range(len(row))]
        out += [(t, "b", i, 0) for i in range(len(layer.bias))]
    return out


def _value(network: Network, c) -> Fraction:
    t, kind, i, j = c
    layer = network.layers[t]
    return layer.weight[i][j] if kind == "w" else layer.bias[i]


def _pivots(network: Network) -> set:
    """One fixed nonzero coordinate per hidden neuron (bias preferred)."""
    piv = set()
    for t, layer in enumerate(network.layers[:-1]):
        for i, (row, b) in enumerate(zip(layer.weight, layer.bias)):
            if b:
                piv.add((t, "b", i, 0))
            else:
                j = next((j for j, x in enumerate(row) if x), None)
                if j is not None:
                    piv.add((t, "w", i, j))
    return piv


def _initial_points(network: Network, box: Box | None, rng: random.Random, count: int) -> list[list[Fraction]]:
    d = network.widths[0]
    pts = []
    for _ in range(count):
        if box is None:
            pts.append([Fraction(rng.randint(-40, 40), 8) for _ in range(d)])
        else:
            pts.append([lo + (hi - lo) * Fraction(rng.randint(0, 16), 16) for lo, hi in box])
    return pts


def _z3_value(v) -> Fraction | None:
    import z3
    if z3.is_rational_value(v):
        return Fraction(v.numerator_as_long(), v.denominator_as_long())
    if z3.is_algebraic_value(v):
        approx = v.approx(12)
        return Fraction(approx.numerator_as_long(), approx.denominator_as_long()).limit_denominator(10 ** 6)
    return None


def _build(network: Network, values: dict) -> Network:
    layers = []
    for t, layer in enumerate(network.layers):
        w = [[values[(t, "w", i, j)] for j in range(len(row))] for i, row in enumerate(layer.weight)]
        b = [values[(t, "b", i, 0)] for i in range(len(layer.bias))]
        layers.append((w, b))
    return Network.from_layers(layers, name=f"{network.name or 'network'}-witness-search")


def _equivalence(a: Network, b: Network, box: Box | None, deadline: float):
    """(evidence of an exact equivalence certificate, None) or (None, counterexample x) or (None, None)."""
    from ..core.domain import resolve
    from ..core.problem import Problem
    from ..deep.strategy import decide
    answer = decide(Problem("equiv", {"A": a, "B": b}, resolve({"A": a, "B": b}, box), deadline=deadline))
    if answer.code == 1 and "x" in answer.details:
        from ..kernel.exact import rational
        return None, [rational(v) for v in answer.details["x"]]
    if answer.code == 0 and answer.certified and answer.certificate["evidence"].get("method") != "orbit":
        return answer.certificate["evidence"], None
    try:
        from ..deep import regiontree
    except ImportError:
        return None, None
    result = regiontree.prove_equivalence(a, b, box, deadline=deadline)
    if result.verdict == "proved":
        return {"method": "region-tree", "tree": result.tree}, None
    if result.verdict == "refuted" and result.counterexample is not None:
        return None, list(result.counterexample[0])
    return None, None


def search_witness(network: Network, box: Box | None = None, seconds: float = 20.0, delta: Fraction = Fraction(1, 4),
                   seed: int = 0, max_rounds: int = 40):
    """A kernel-checked (witness, certificate, verdict, check seconds), or None."""
    import z3

    deadline = time.perf_counter() + seconds
    rng = random.Random(seed)
    coords = _coordinates(network)
    pivots = _pivots(network)
    var = {c: z3.Real(f"p{n}") for n, c in enumerate(coords)}
    theta = {c: _value(network, c) for c in coords}
    scale = max([Fraction(1)] + [abs(v) for v in theta.values()])
    solver = z3.Solver()
    for c in coords:
        q = theta[c]
        if c in pivots:  # |pivot| fixed: the positive scale is gone, the sign (a flip) is free
            solver.add(z3.Or(var[c] == z3.Q(q.numerator, q.denominator), var[c] == -z3.Q(q.numerator, q.denominator)))
        else:  # stay in a box around θ: the search is local, the orbit is far
            solver.add(var[c] <= z3.Q(q.numerator, q.denominator) + z3.Q(*_nd(4 * scale)))
            solver.add(var[c] >= z3.Q(q.numerator, q.denominator) - z3.Q(*_nd(4 * scale)))
    far = [z3.Or(var[c] - z3.Q(theta[c].numerator, theta[c].denominator) >= z3.Q(*_nd(delta)),
                 z3.Q(theta[c].numerator, theta[c].denominator) - var[c] >= z3.Q(*_nd(delta)))
           for c in coords if c not in pivots]
    if not far:
        return None
    solver.add(z3.Or(*far))
    for x in _initial_points(network, box, rng, 2 * network.N):
        _agree(solver, network, var, x)
    for _ in range(max_rounds):
        remaining = deadline - time.perf_counter()
        if remaining <= 0.2:
            return None
        solver.set("timeout", int(remaining * 1000))
        if solver.check() != z3.sat:
            return None
        model = solver.model()
        values = {}
        for c in coords:
            v = _z3_value(model.eval(var[c], model_completion=True))
            if v is None:
                return None
            values[c] = v
        candidate = _build(network, values)
        try:
            proof = separation(network.net, candidate.net)
        except Undecided:
            proof = None  # cannot be shown outside the orbit: treat like a permutation
        if proof is None:  # in the orbit (a permutation and rescaling): block it
            solver.add(z3.Or(*[var[c] != z3.Q(v.numerator, v.denominator) for c, v in values.items()]))
            continue
        evidence, x = _equivalence(network, candidate, box, deadline)
        if evidence is not None:
            cert = envelope("hidden-symmetry", claim("hidden-symmetry", {"A": network, "B": candidate}, box),
                            {"method": "equivalence", "mechanism": "search", "equivalence": evidence,
                             "separation": proof},
                            "equivalence", THEOREM, seconds - (deadline - time.perf_counter()))
            cert, verdict, check_s = finish(cert)
            if verdict.valid:
                return candidate, cert, verdict, check_s
            return None
        if x is None:
            return None
        _agree(solver, network, var, x)
    return None


def _nd(q: Fraction) -> tuple[int, int]:
    q = Fraction(q)
    return q.numerator, q.denominator


def _agree(solver, network: Network, var: dict, x: list[Fraction]) -> None:
    """f_θ'(x) = f_θ(x) with σ as If(z > 0, z, 0)."""
    import z3
    target = network(x)
    a = [z3.RealVal(str(v)) for v in x]
    last = len(network.layers) - 1
    for t, layer in enumerate(network.layers):
        z = [z3.Sum([var[(t, "w", i, j)] * a[j] for j in range(len(row))]) + var[(t, "b", i, 0)]
             for i, row in enumerate(layer.weight)]
        a = z if t == last else [z3.If(v > 0, v, 0) for v in z]
    for expr, value in zip(a, target):
        solver.add(expr == z3.Q(value.numerator, value.denominator))


__all__ = ["search_witness"]
