"""Measuring the Zariski description against the exact decision (theory.md §3.4–3.6).

Two pieces, used by the property test and by ``bench/zariski.py``:

* **Boundary points.**  Random rational points lie in U_0 (the conditions are non-zero
  polynomials), so the description is only tested where it matters if points are *built*
  on the zero set of each condition in turn: a step list such as
  ``[("pair", 0, 1, -1), ("sum", (0, 2), (0, 1), 0)]`` (neurons 0, 1 an opposite pair, then
  Σ F_t over {0, 2} put on the line {y ν_0^T}, keeping rows 0, 1 fixed) is applied to a
  random θ.  ``targets`` gives one step list per condition of the raw chart.
* **The implications the theory guarantees** (``implications``), each evaluated at one point:
  (I1) polynomial U_0 ⟺ the decision's U_0, and then θ ∈ int Σ (Theorem 3.4);
  (I2) θ ∈ D (all D conditions hold): θ ∈ int Σ ⟺ θ ∈ Σ ⟺ polynomial U_0 (Theorem 3.4);
  (I3) exactly one opposite pair {i, j}: θ ∈ int Σ ⟺ polynomial U_1^{ij} (Theorem 3.6);
  (I4) m = 1: θ ∈ int Σ ⟺ polynomial U_0 ∪ U_1 (Theorem 3.6, complete for m = 1);
  (I5) m ≥ 2: polynomial U_0 ∪ U_1 ⟹ θ ∈ int Σ, and a decided θ ∈ int Σ with ≤ 1 pair is in it;
  (I6) on P (no zero row) the raw and the invariant chart give the same U_0 and U_1^{ij} (§3.6).
  Not guaranteed (counted, never asserted): m ≥ 2 with ≥ 2 opposite pairs, which the decision
  settles by Theorem 3.7 but the polynomial lists do not describe.
"""
from __future__ import annotations

import random
from fractions import Fraction
from typing import Sequence

from ..kernel.honest import decide as decision_data
from ..kernel.linalg import nullspace_q
from ..network import Network
from .zariski import HonestSet, evaluate, honest_set, values_of

Theta = dict  # {"W": n×d, "b": n, "A": n×m (column a_j per neuron), "c": m}


def random_theta(d: int, n: int, m: int, rng: random.Random, den: int = 6) -> Theta:
    def q() -> Fraction:
        return Fraction(rng.randint(-9, 9) or 1, rng.randint(1, den))
    return {"W": [[q() for _ in range(d)] for _ in range(n)], "b": [q() for _ in range(n)],
            "A": [[q() for _ in range(m)] for _ in range(n)], "c": [q() for _ in range(m)]}


def network_of(theta: Theta) -> Network:
    n, m = len(theta["b"]), len(theta["c"])
    out = [[theta["A"][j][k] for j in range(n)] for k in range(m)]
    return Network.from_layers([(theta["W"], theta["b"]), (out, theta["c"])])


def _nonzero(rng: random.Random) -> Fraction:
    return Fraction(rng.choice([-3, -2, -1, 1, 2, 3]), rng.randint(1, 3))


def apply(theta: Theta, step: tuple, rng: random.Random) -> bool:
    """Apply one step in place; False when it cannot be built at this θ."""
    kind = step[0]
    W, b, A = theta["W"], theta["b"], theta["A"]
    if kind == "dead":          # C1 vanishes: a_j = 0
        A[step[1]] = [Fraction(0)] * len(A[step[1]])
    elif kind == "constant":    # C2 vanishes: w_j = 0
        W[step[1]] = [Fraction(0)] * len(W[step[1]])
    elif kind == "pair":        # D vanishes: r_j = ρ r_i, sign(ρ) = step[3]
        _, i, j, sign = step
        rho = abs(_nonzero(rng)) * sign
        W[j], b[j] = [rho * x for x in W[i]], rho * b[i]
    elif kind == "cancel":      # (b) vanishes on the pair: a_i + λ a_j = 0 with r_j = −λ r_i
        _, i, j = step
        rho = _ratio(W[j] + [b[j]], W[i] + [b[i]])
        if rho is None:
            return False
        A[i] = [rho * x for x in A[j]]
    elif kind == "sum":         # Σ_{t∈T} a_t w_t^T = y w_k^T (k = None: = 0), rows in `fixed` kept
        _, T, fixed, k = step
        return _force_sum(theta, list(T), set(fixed), k, rng)
    else:
        raise ValueError(f"unknown step {kind!r}")
    return True


def _ratio(u: Sequence[Fraction], v: Sequence[Fraction]) -> Fraction | None:
    """ρ with u = ρ v, or None."""
    k = next((i for i, x in enumerate(v) if x), None)
    if k is None:
        return None
    rho = u[k] / v[k]
    return rho if all(x == rho * y for x, y in zip(u, v)) else None


def _force_sum(theta: Theta, T: list[int], fixed: set[int], k: int | None, rng: random.Random) -> bool:
    """Give the members of T one output direction, a_t = s_t a, and solve Σ s_t w_t = κ w_k for
    the row of a member that may move (else for w_k, else for the s_t among fixed rows)."""
    W, A = theta["W"], theta["A"]
    d = len(W[0])
    direction = A[T[0]] if any(A[T[0]]) else [_nonzero(rng) for _ in A[T[0]]]
    s = {t: Fraction(1) if t == T[0] else _nonzero(rng) for t in T}
    free = [t for t in T if t not in fixed and t != k]
    kappa = _nonzero(rng) if k is not None else Fraction(0)
    if free:
        f = free[0]
        rest = [sum((s[t] * W[t][p] for t in T if t != f), Fraction(0)) for p in range(d)]
        target = [kappa * W[k][p] for p in range(d)] if k is not None else [Fraction(0)] * d
        W[f] = [(x - y) / s[f] for x, y in zip(target, rest)]
    elif k is not None and k not in fixed:
        total = [sum((s[t] * W[t][p] for t in T), Fraction(0)) for p in range(d)]
        if not any(total):
            return False
        W[k] = total
    else:  # every row fixed: s in the kernel of the rows (e.g. T = a pair)
        kernel = nullspace_q([[W[t][p] for t in T] for p in range(d)], len(T))
        if k is not None or not kernel:
            return False
        weights = [_nonzero(rng) for _ in kernel]
        coeffs = [sum((x * v[i] for x, v in zip(weights, kernel)), Fraction(0)) for i in range(len(T))]
        if not any(coeffs):
            return False
        s = dict(zip(T, coeffs))
    for t in T:
        A[t] = [s[t] * x for x in direction]
    return True


def targets(d: int, n: int, m: int, description: HonestSet | None = None) -> list[tuple[str, tuple]]:
    """One step list per condition of the raw chart, built to make that condition vanish."""
    description = description or honest_set(d, n, m)
    out: list[tuple[str, tuple]] = []
    for j in range(n):
        out += [(f"C1[0,{j}]", (("dead", j),)), (f"C2[0,{j}]", (("constant", j),))]
    singles_of = {}
    for s in description.raw.U1:
        i, j = s.pair
        singles_of[s.pair] = [t for t in range(n) if t not in (i, j)]
        tag = f"[0,{i}][0,{j}]"
        out += [(f"D{tag}+", (("pair", i, j, 1),)), (f"D{tag}-", (("pair", i, j, -1),)),
                (f"b{tag}", (("pair", i, j, -1), ("cancel", i, j)))]
    for name, cond in description.raw.conditions.items():
        if name.startswith("S"):
            T = _members(name)
            out.append((name, (("sum", T, (), None),)))
        elif name[0] in "cd":
            i, j = _members(name.split(";")[0])
            parts = name.split(";")
            T = _members(parts[-1])
            pair = (("pair", i, j, -1),)
            if name[0] == "c":
                out.append((name, pair + (("sum", T, (i, j), i),)))
            else:
                r, k = _members(parts[1])[0], _members(parts[2])[0]
                out.append((name, pair + (("sum", (r,) + T, (i, j), k),)))
    # on a stratum, (a) with the pair inside T
    for s in description.raw.U1:
        i, j = s.pair
        for name in description.raw.U0:
            if name.startswith("S") and i in _members(name):
                out.append((f"{name} on E[0,{i}][0,{j}]", (("pair", i, j, -1), ("sum", _members(name), (i, j), None))))
    return out


def _members(text: str) -> tuple[int, ...]:
    """The neurons j of the '[0,j]' tokens in a condition name."""
    import re
    return tuple(int(x) for x in re.findall(r"\[0,(\d+)\]", text))


def build(d: int, n: int, m: int, steps: Sequence[tuple], rng: random.Random) -> Network | None:
    theta = random_theta(d, n, m, rng)
    for step in steps:
        if not apply(theta, step, rng):
            return None
    return network_of(theta)


# --------------------------------------------------------------------------- the implications

def implications(network: Network, description: HonestSet) -> dict:
    """The polynomial memberships, the exact decision, and each guaranteed implication (True /
    False; None when its hypothesis does not hold at this point)."""
    raw = evaluate(description.raw, values_of(network, description.raw))
    inv_point = values_of(network, description.invariant)
    inv = evaluate(description.invariant, inv_point) if inv_point is not None else None
    data = decision_data(network.net)
    m = description.m
    in_D = all(v for name, v in raw.holds.items() if name.startswith("D"))
    pairs = data["pairs"]
    poly = raw.U0 or raw.U1
    checks: dict[str, bool | None] = {}
    checks["I1"] = (raw.U0 == data["U0"]) and (not raw.U0 or data["int_sigma"] is True)
    checks["I2"] = (data["int_sigma"] == raw.U0 and data["sigma"] == raw.U0) if in_D else None
    one_pair = [p for p, s in raw.strata.items() if s["locus"]]
    exactly_one = len(one_pair) == 1 and sum(1 for name, v in raw.holds.items()
                                              if name.startswith("D") and not v) == 1
    if exactly_one and all(raw.holds[f"C2[0,{j}]"] for j in range(description.n)):
        checks["I3"] = data["int_sigma"] == raw.strata[one_pair[0]]["member"]
    else:
        checks["I3"] = None
    checks["I4"] = (data["int_sigma"] == poly) if m == 1 else None
    if m >= 2:
        checks["I5"] = (not poly or data["int_sigma"] is True) and \
            (not (data["int_sigma"] is True and len(pairs) <= 1) or poly)
    else:
        checks["I5"] = None
    checks["I6"] = (inv.U0 == raw.U0 and all(inv.strata[p]["member"] == s["member"] for p, s in raw.strata.items())
                    if inv is not None else None)
    return {"poly_U0": raw.U0, "poly_U1": raw.U1, "sigma": data["sigma"], "int_sigma": data["int_sigma"],
            "U0": data["U0"], "pairs": len(pairs), "in_D": in_D, "checks": checks,
            "undecided": data["undecided"]}


__all__ = ["random_theta", "network_of", "apply", "targets", "build", "implications"]
