"""Approximate orbits: the group element g that brings A closest to B (issue 13; theory.md §1, §5.4).

The question: min over g ∈ G = Pr ⋉ Sc of d(g) = ‖g·A − B‖∞, the maximum over every weight
and bias, for a B that is A re-exported in float32, or recovered by extraction.

* **Floats propose the permutation**, layer by layer: A's rows (their columns already moved
  and rescaled by the previous layer's proposal) are matched to B's rows by a minimum-cost
  assignment (``assignment``, the Hungarian method) on the cosine of the rows, bias
  included — a positive rescaling does not change it.
* **Exact rationals choose the scales.**  For a fixed permutation, neuron i's scale λ_i
  multiplies its incoming row and divides its outgoing column.  The first guess is the
  ratio B/A that most entries of the incoming row agree on (one planted error cannot move
  it); then coordinate sweeps try, neuron by neuron, that guess, 1, and the float minimiser
  of the neuron's local maximum error, keeping a candidate only if the exact maximum over
  the entries that λ_i touches does not grow — so d(g) never grows.
* **The distance is exact** (``kernel.approximate.distance``), and the kernel re-checks it.

This is a heuristic minimisation: the reported g is a near-minimiser and d(g) an exact upper
bound on the minimum.  Lower bounds with proofs are those of ``kernel.approximate``: the
output biases (fixed by G), a Hall violator in the first hidden layer (``hall_violator``: rows
of A with too few rows of B within δ up to scale), and for δ = 0 the exact orbit search's
separation proof.
"""
from __future__ import annotations

import time
from collections import Counter
from fractions import Fraction

import numpy as np

from ..core.answer import NO, YES, Answer, judged, timed, undecided
from ..core.certificate import claim, envelope
from ..core.problem import Problem, report
from ..kernel.approximate import distance, fits, implied_bound
from ..kernel.exact import fmt
from ..network import Network
from .orbit import GroupElement, Undecided, orbit_search

__all__ = ["assignment", "nearest_element", "decide", "bias_gap"]

THEOREM = "§1: the orbit G·A; ‖g·A − B‖∞ exact; function bound by Lemma 5.2 (§5.4)"
ONE = Fraction(1)


def assignment(cost: np.ndarray) -> list[int]:
    """A permutation p minimising Σ_i cost[i, p[i]] (Hungarian method with potentials, O(n³))."""
    n = cost.shape[0]
    u, v = np.zeros(n + 1), np.zeros(n + 1)
    match = np.zeros(n + 1, dtype=int)  # match[j]: the row (1-based) assigned to column j; 0 free
    way = np.zeros(n + 1, dtype=int)
    for i in range(1, n + 1):
        match[0], j0 = i, 0
        minv = np.full(n + 1, np.inf)
        used = np.zeros(n + 1, dtype=bool)
        while True:
            used[j0] = True
            cur = cost[match[j0] - 1] - u[match[j0]] - v[1:]
            free = ~used[1:]
            better = free & (cur < minv[1:])
            minv[1:][better] = cur[better]
            way[1:][better] = j0
            masked = np.where(free, minv[1:], np.inf)
            j1 = int(np.argmin(masked)) + 1
            step = masked[j1 - 1]
            u[match[used]] += step
            v[used] -= step
            minv[1:][free] -= step
            j0 = j1
            if match[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            match[j0] = match[j1]
            j0 = j1
    out = [0] * n
    for j in range(1, n + 1):
        out[match[j] - 1] = j - 1
    return out


def _permutations(a: Network, b: Network) -> list[list[int]]:
    """Float proposal: per hidden layer, the assignment maximising Σ cos(row of A, row of B)."""
    la, lb = a.float_layers, b.float_layers
    perms: list[list[int]] = []
    cols = np.arange(a.widths[0])  # A's column j sits at B's column cols[j]
    scale = np.ones(a.widths[0])
    for t in range(len(la) - 1):
        (wa, ba), (wb, bb) = la[t], lb[t]
        moved = np.zeros_like(wa)
        moved[:, cols] = wa / scale[None, :]
        ra, rb = np.hstack([moved, ba[:, None]]), np.hstack([wb, bb[:, None]])
        na, nb = np.linalg.norm(ra, axis=1), np.linalg.norm(rb, axis=1)
        cos = (ra / np.where(na > 0, na, 1)[:, None]) @ (rb / np.where(nb > 0, nb, 1)[:, None]).T
        perm = assignment(-cos)
        perms.append(perm)
        scale = np.where(na > 0, nb[perm] / np.where(na > 0, na, 1), 1.0)
        cols = np.array(perm)
    return perms


class _Aligned:
    """A and B with a fixed permutation: the entries each scale λ_{t,i} touches, for exact sweeps."""

    def __init__(self, a: Network, b: Network, perms: list[list[int]]):
        self.a, self.b, self.perms = a.net, b.net, perms
        self.hidden = len(perms)

    def _perm(self, t: int) -> list[int] | range:
        return self.perms[t] if t < self.hidden else range(len(self.a.layers[t].bias))

    def _lam(self, scales, t: int, i: int) -> Fraction:
        return scales[t][i] if 0 <= t < self.hidden else ONE

    def incoming(self, scales, t: int, i: int) -> list[tuple[Fraction, Fraction]]:
        """(p, q) with error |λ_{t,i}·p − q|: A's row i (columns divided by the previous scales), bias."""
        la, lb, pi = self.a.layers[t], self.b.layers[t], self._perm(t)[i]
        prev = self._perm(t - 1) if t else range(self.a.widths[0])
        out = [(x / self._lam(scales, t - 1, j), lb.weight[pi][prev[j]])
               for j, x in enumerate(la.weight[i])]
        return out + [(la.bias[i], lb.bias[pi])]

    def outgoing(self, scales, t: int, i: int) -> list[tuple[Fraction, Fraction]]:
        """(c, e) with error |c/λ_{t,i} − e|: column i of layer t+1 times the next scales."""
        la, lb, nxt, pi = self.a.layers[t + 1], self.b.layers[t + 1], self._perm(t + 1), self.perms[t][i]
        return [(self._lam(scales, t + 1, k) * row[i], lb.weight[nxt[k]][pi]) for k, row in enumerate(la.weight)]

    def local(self, scales, t: int, i: int, lam: Fraction) -> Fraction:
        """The exact maximum error over the entries λ_{t,i} touches, at λ_{t,i} = lam."""
        return max(max(abs(lam * p - q) for p, q in self.incoming(scales, t, i)),
                   max(abs(c / lam - e) for c, e in self.outgoing(scales, t, i)))


def _consensus(pairs: list[tuple[Fraction, Fraction]]) -> Fraction | None:
    """The positive ratio q/p most entries agree on (ties: the largest |q|), or None."""
    ratios = [(q / p, abs(q)) for p, q in pairs if p and q and (p > 0) == (q > 0)]
    if not ratios:
        return None
    counts = Counter(r for r, _ in ratios)
    return max(ratios, key=lambda rq: (counts[rq[0]], rq[1]))[0]


def _float_minimiser(inc, out, lam: float) -> float:
    """Golden-section search of max(|λp − q|, |c/λ − e|) over log λ ∈ [log λ − 2, log λ + 2]."""
    p, q = np.array([float(x) for x, _ in inc]), np.array([float(y) for _, y in inc])
    c, e = np.array([float(x) for x, _ in out]), np.array([float(y) for _, y in out])

    def f(s: float) -> float:
        x = np.exp(s)
        return max(np.abs(x * p - q).max(), np.abs(c / x - e).max() if len(c) else 0.0)

    lo, hi = np.log(lam) - 2, np.log(lam) + 2
    g = (np.sqrt(5) - 1) / 2
    x1, x2 = hi - g * (hi - lo), lo + g * (hi - lo)
    f1, f2 = f(x1), f(x2)
    for _ in range(80):
        if f1 <= f2:
            hi, x2, f2 = x2, x1, f1
            x1 = hi - g * (hi - lo)
            f1 = f(x1)
        else:
            lo, x1, f1 = x1, x2, f2
            x2 = lo + g * (hi - lo)
            f2 = f(x2)
    return float(np.exp((lo + hi) / 2))


def nearest_element(a: Network, b: Network, sweeps: int = 2, deadline: float | None = None) -> GroupElement:
    """A near-minimiser g of ‖g·A − B‖∞ (module docstring); A and B have one architecture."""
    perms = _permutations(a, b)
    al = _Aligned(a, b, perms)
    scales: list[list[Fraction]] = []
    for t, perm in enumerate(perms):  # first guess, layer by layer: the consensus ratio
        scales.append([])
        for i in range(len(perm)):
            pairs = al.incoming(scales, t, i)
            guess = _consensus(pairs)
            if guess is None:
                na, nb = sum(abs(p) for p, _ in pairs), sum(abs(q) for _, q in pairs)
                guess = Fraction(float(nb / na)).limit_denominator(10**9) if na and nb else ONE
            scales[t].append(guess if guess > 0 else ONE)
    for _ in range(sweeps):
        for t, perm in enumerate(perms):
            for i in range(len(perm)):
                if deadline is not None and time.perf_counter() > deadline:
                    return GroupElement(perms, scales)
                inc, out = al.incoming(scales, t, i), al.outgoing(scales, t, i)
                cur = scales[t][i]
                best, best_err = cur, al.local(scales, t, i, cur)
                x = _float_minimiser(inc, out, float(cur))
                cands = {ONE, _consensus(inc), Fraction(x)} | {Fraction(x).limit_denominator(10 ** k) for k in (3, 6, 9, 12)}
                # simplest first; a longer fraction must gain more than a float's last bits
                for lam in sorted((c for c in cands if c is not None and c > 0 and c != cur),
                                  key=lambda c: (c.denominator, c)):
                    err = al.local(scales, t, i, lam)
                    if err < best_err * (1 - Fraction(1, 10 ** 6)):
                        best, best_err = lam, err
                scales[t][i] = best
    return GroupElement(perms, scales)


def bias_gap(a: Network, b: Network) -> tuple[Fraction, int]:
    """max_i |b_A,i − b_B,i| over the output biases, which G fixes: a lower bound on every d(g)."""
    gaps = [abs(x - y) for x, y in zip(a.layers[-1].bias, b.layers[-1].bias)]
    i = max(range(len(gaps)), key=gaps.__getitem__)
    return gaps[i], i


def hall_violator(a: Network, b: Network, delta: Fraction) -> list[int] | None:
    """Rows S of A's first hidden layer with fewer than |S| partners in B within δ (up to a scale
    λ > 0), or None when every row can be matched (a maximum matching, then König's alternating paths)."""
    if a.depth < 2:
        return None
    la, lb = a.layers[0], b.layers[0]
    ra = [(*w, c) for w, c in zip(la.weight, la.bias)]
    rb = [(*w, c) for w, c in zip(lb.weight, lb.bias)]
    adj = [[k for k, r in enumerate(rb) if fits(p, r, delta)] for p in ra]
    owner: dict[int, int] = {}

    def augment(i: int, seen: set) -> bool:
        for k in adj[i]:
            if k not in seen:
                seen.add(k)
                if k not in owner or augment(owner[k], seen):
                    owner[k] = i
                    return True
        return False

    free = [i for i in range(len(ra)) if not augment(i, set())]
    if not free:
        return None
    rows, cols, todo = {free[0]}, set(), [free[0]]  # alternating paths from one unmatched row
    while todo:
        for k in adj[todo.pop()]:
            if k not in cols:
                cols.add(k)
                if owner[k] not in rows:
                    rows.add(owner[k])
                    todo.append(owner[k])
    return sorted(rows)


def _dec(q: Fraction) -> str:
    return f"{float(q):.6g}"


def decide(p: Problem) -> Answer:
    """min_g ‖g·A − B‖∞ ≤ δ?  Yes: g (kernel-checked); no: a proof; else the best distance found."""
    answer = _decide(p)
    answer.domain = p.domain
    return timed(answer, p.start)


def _decide(p: Problem) -> Answer:
    a, b = p.a, p.b
    delta: Fraction = p.options["tolerance"]
    box = p.domain.box
    seconds = lambda: time.perf_counter() - p.start  # noqa: E731
    nets = {"A": a, "B": b}
    tol = fmt(delta)
    if a.widths != b.widths:
        reason = f"architectures differ: {'-'.join(map(str, a.widths))} vs {'-'.join(map(str, b.widths))}"
        cert = envelope("not-orbit-within", claim("not-orbit-within", nets, None, tolerance=tol),
                        {"architecture": True}, "approximate-orbit", THEOREM, seconds())
        return judged(Answer("orbit", "not-orbit-within", NO, THEOREM, "approximate-orbit",
                             f"not within {_dec(delta)} of the orbit: {reason}", {"reason": reason}), cert)
    report("matching neurons")
    g = nearest_element(a, b, deadline=p.deadline)
    d = distance(a.net, b.net, g.perms, g.scales)
    proof = None
    if d > delta:  # the exact orbit search: d = 0 when B ∈ G·A; its separation proof when δ = 0
        try:
            exact, proof = orbit_search(a, b, budget=p.budget or 20000, exhaustive=delta == 0)
        except Undecided:
            exact = None
        if exact is not None:
            g, d = exact, Fraction(0)
    lower, out_i = bias_gap(a, b)
    details: dict = {"group_element": g.to_json(), "tolerance": {"exact": tol, "decimal": _dec(delta)},
                     "distance": {"exact": fmt(d), "decimal": _dec(d)},
                     "lower_bound": {"exact": fmt(lower), "decimal": _dec(lower),
                                     "reason": "the output biases (G fixes them)"}}
    if d <= delta:
        extra: dict = {"tolerance": tol}
        if box is not None:
            bound = implied_bound(b.net, box, delta)
            extra["implies"] = fmt(bound)
            details["implied"] = {"bound": {"exact": fmt(bound), "decimal": _dec(bound)},
                                  "statement": f"implied (kernel-checked): sup over the box of ‖f_A(x) − f_B(x)‖∞ ≤ "
                                               f"{_dec(bound)}, as f_g·A = f_A and ‖g·A − B‖∞ ≤ {_dec(delta)} "
                                               "(Lemma 5.2, intervals through B)"}
            if d < delta:  # the same bound at the exact distance: sound (d is exact), not in the certificate
                at_d = implied_bound(b.net, box, d)
                details["implied_at_distance"] = {
                    "bound": {"exact": fmt(at_d), "decimal": _dec(at_d)},
                    "statement": f"at the distance itself (not kernel-checked): sup ‖f_A − f_B‖∞ ≤ {_dec(at_d)}"}
        cert = envelope("orbit-within", claim("orbit-within", nets, box, **extra), g.to_json(),
                        "approximate-orbit", THEOREM, seconds())
        summary = f"within {_dec(delta)} of the orbit: ‖g·A − B‖∞ = {_dec(d)} ({fmt(d)}) with g below"
        if box is not None:
            summary += f"; hence |f_A − f_B| ≤ {details['implied']['bound']['decimal']} on the box"
        return judged(Answer("orbit", "orbit-within", YES, THEOREM, "approximate-orbit", summary, details), cert)
    hall = None if lower > delta or (delta == 0 and proof is not None) else hall_violator(a, b, delta)
    evidence = ({"separation": proof} if delta == 0 and proof is not None else
                {"output-bias": out_i} if lower > delta else {"hall": hall} if hall else None)
    if evidence is not None:
        cert = envelope("not-orbit-within", claim("not-orbit-within", nets, None, tolerance=tol), evidence,
                        "approximate-orbit", THEOREM, seconds())
        why = ("B is not in the orbit (exact search)" if "separation" in evidence else
               f"output bias {out_i} differs by {_dec(lower)}, and G fixes the output biases" if "output-bias"
               in evidence else f"first hidden layer: rows {hall} of A have fewer than {len(hall)} rows of B within "
               f"{_dec(delta)} up to a positive scale (Hall's condition fails)")
        summary = f"not within {_dec(delta)} of the orbit: {why}; best found ‖g·A − B‖∞ = {_dec(d)}"
        return judged(Answer("orbit", "not-orbit-within", NO, THEOREM, "approximate-orbit", summary, details), cert)
    answer = undecided("orbit", "approximate-orbit",
                       f"undecided: the best group element found has ‖g·A − B‖∞ = {_dec(d)} > {_dec(delta)}, "
                       f"and the proved lower bound is {_dec(lower)} (output biases); no proof either way")
    answer.details.update(details)
    return answer
