"""The scaling/permutation group G = Pr ⋉ Sc acting on networks (theory.md §1).

Deciding B ∈ G·A: floats propose a matching (ℓ1-normalised rows, matched layer by
layer), the exact group action verifies it; if the proposal fails, the exact search of
``matching.py`` decides, and a "not in the orbit" answer carries its separation proof for
the kernel (``certify.kernel.orbit.check_separation``).
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

import numpy as np

from ..core.answer import NO, YES, Answer, judged, timed, undecided
from ..core.certificate import claim, envelope
from ..core.problem import Problem
from ..kernel.exact import fmt
from ..kernel.network import Layer, Net
from ..kernel.orbit import ONE, check_group_element
from .matching import Undecided, search, separation
from ..network import Network

__all__ = ["GroupElement", "apply", "random_element", "identity", "orbit_element", "verify",
           "explain_difference", "Undecided", "decide", "separation", "apply_group"]


def apply_group(net: Net, perms: Sequence[Sequence[int]], scales: Sequence[Sequence[Fraction]]) -> Net:
    """g·θ: W'_t[π_t i][π_{t-1} j] = λ_{t,i} W_t[i][j] / λ_{t-1,j},  b'_t[π_t i] = λ_{t,i} b_t[i]."""
    layers = net.layers
    hidden = len(layers) - 1
    prev_perm = list(range(len(layers[0].weight[0])))
    prev_inv = [ONE] * len(prev_perm)
    out = []
    for t, layer in enumerate(layers):
        n = len(layer.bias)
        perm = list(perms[t]) if t < hidden else list(range(n))
        lam = list(scales[t]) if t < hidden else [ONE] * n
        rows: list = [None] * n
        bias: list = [None] * n
        for i, (row, b) in enumerate(zip(layer.weight, layer.bias)):
            new = [Fraction(0)] * len(row)
            for j, w in enumerate(row):
                new[prev_perm[j]] = lam[i] * w * prev_inv[j] if w else w
            rows[perm[i]] = tuple(new)
            bias[perm[i]] = lam[i] * b
        out.append(Layer(tuple(rows), tuple(bias)))
        prev_perm, prev_inv = perm, [1 / x for x in lam]
    return Net(tuple(out), net.box)


@dataclass(frozen=True)
class GroupElement:
    """perms[t][i]: position in B of neuron i of A; scales[t][i] > 0 multiplies its incoming row."""

    perms: list[list[int]]
    scales: list[list[Fraction]]

    def to_json(self) -> dict:
        return {"permutations": [list(p) for p in self.perms],
                "scales": [[fmt(s) for s in row] for row in self.scales]}


def apply(g: GroupElement, network: Network) -> Network:
    """g·θ (the function is unchanged: σ(λz) = λσ(z) for λ > 0)."""
    return network.replace(layers=apply_group(network.net, g.perms, g.scales).layers)


def identity(network: Network) -> GroupElement:
    hidden = network.widths[1:-1]
    return GroupElement([list(range(n)) for n in hidden], [[Fraction(1)] * n for n in hidden])


def random_element(network: Network, rng: random.Random, max_num: int = 9) -> GroupElement:
    hidden = network.widths[1:-1]
    return GroupElement([rng.sample(range(n), n) for n in hidden],
                        [[Fraction(rng.randint(1, max_num), rng.randint(1, max_num)) for _ in range(n)]
                         for n in hidden])


def _float_proposal(a: Network, b: Network) -> tuple[GroupElement | None, bool]:
    """Match ℓ1-normalised rows layer by layer in floating point.

    Returns (g, False) for a proposal (exactly checked later), (None, False) when ties make
    it ambiguous, and (None, True) when a row of A has no partner in B: then B is most
    likely outside the orbit (floats only say which tactic is worth running)."""
    perms, prev_perm = [], None
    la, lb = a.float_layers, b.float_layers
    scale_a = scale_b = None
    for t in range(len(la) - 1):
        wa, ba = la[t]
        wb, bb = lb[t]
        if scale_a is not None:
            wa = wa * scale_a[None, :]
            wb = wb * scale_b[None, :]
        ra = np.hstack([wa, ba[:, None]])
        rb = np.hstack([wb, bb[:, None]])
        na, nb = np.abs(ra).sum(axis=1), np.abs(rb).sum(axis=1)
        if not (na > 0).all() or not (nb > 0).all():
            return None, False
        ra, rb = ra / na[:, None], rb / nb[:, None]
        if prev_perm is not None:  # bring A's columns into B's order
            cols = np.empty(len(prev_perm), dtype=int)
            cols[prev_perm] = np.arange(len(prev_perm))
            ra = np.hstack([ra[:, :-1][:, cols], ra[:, -1:]])
        keys_b = {tuple(np.round(r, 9)): i for i, r in enumerate(rb)}
        if len(keys_b) != len(rb):
            return None, False
        perm = []
        for r in ra:
            j = keys_b.get(tuple(np.round(r, 9)))
            if j is None:
                return None, True
            perm.append(j)
        if len(set(perm)) != len(perm):
            return None, False
        perms.append(perm)
        prev_perm = perm
        scale_a, scale_b = na, nb
    if perms:  # the output layer: B_out[:, π j]·|B row| = A_out[:, j]·|A row|, same biases
        (wa, ba), (wb, bb) = la[-1], lb[-1]
        cols = np.empty(len(prev_perm), dtype=int)
        cols[prev_perm] = np.arange(len(prev_perm))
        left = np.hstack([(wa * scale_a[None, :])[:, cols], ba[:, None]])
        right = np.hstack([wb * scale_b[None, :], bb[:, None]])
        if not np.allclose(left, right, rtol=1e-9, atol=1e-12 * (1 + np.abs(right).max())):
            return None, True
    return _exact_scales(a, b, perms), False


def _exact_scales(a: Network, b: Network, perms: Sequence[Sequence[int]]) -> GroupElement | None:
    """Scales forced by a permutation: λ_i = B[π i][π j] λ_{j} / A[i][j] at the first nonzero entry."""
    scales: list[list[Fraction]] = []
    prev_perm: Sequence[int] = range(a.widths[0])
    prev_scale: Sequence[Fraction] = [Fraction(1)] * a.widths[0]
    for t, perm in enumerate(perms):
        la, lb = a.layers[t], b.layers[t]
        row_scales = []
        for i, (row, bias) in enumerate(zip(la.weight, la.bias)):
            brow, bbias = lb.weight[perm[i]], lb.bias[perm[i]]
            if bias:
                row_scales.append(bbias / bias)
                continue
            j = next((j for j, x in enumerate(row) if x), None)
            if j is None:
                return None
            row_scales.append(brow[prev_perm[j]] * prev_scale[j] / row[j])
        if any(s <= 0 for s in row_scales):
            return None
        scales.append(row_scales)
        prev_perm, prev_scale = perm, row_scales
    return GroupElement([list(p) for p in perms], scales)


def orbit_search(a: Network, b: Network, budget: int = 20000, propose: bool = True,
                 verify: bool = True, exhaustive: bool = True) -> tuple[GroupElement | None, dict | None]:
    """(g, None) with g·A = B exactly, or (None, separation proof) if B ∉ G·A (complete).

    The float proposal comes first (``propose``); it is checked exactly here unless
    ``verify`` is False — for callers that put g into a certificate anyway, where the kernel
    checks it (the same check; done once instead of twice on large networks).  Such a caller
    must retry with ``propose=False`` when the kernel rejects g.  Without a proposal the
    answer comes from the exact search (``matching.py``).  Raises ``Undecided`` if that
    search exceeds ``budget`` nodes.  ``exhaustive=False`` (a caller that only wants g)
    skips the search when floats find a row of A without partner in B, and returns
    (None, None): no element, and no proof either.
    """
    if a.widths != b.widths:
        return None, {"architecture": True}
    proposal, apart = _float_proposal(a, b) if propose else (None, False)
    if proposal is not None and (not verify or check_group_element(a.net, b.net, proposal.perms,
                                                                   proposal.scales) is None):
        return proposal, None
    if apart and not exhaustive:
        return None, None
    found, proof = search(a.net, b.net, budget=budget)
    return (None, proof) if found is None else (GroupElement(*found), None)


def orbit_element(a: Network, b: Network, budget: int = 20000, propose: bool = True,
                  verify: bool = True) -> GroupElement | None:
    """A group element g with g·A = B exactly, or None if B ∉ G·A (``orbit_search``)."""
    return orbit_search(a, b, budget, propose, verify)[0]


def kernel_judged(a: Network, b: Network, judge, budget: int = 20000, exhaustive: bool = True):
    """``judge(g, proof)`` → Answer: g for B ∈ G·A, else the separation proof of B ∉ G·A.

    The float proposal goes to the kernel unverified; if the kernel rejects it, the exact
    search decides and its result is judged instead.  Raises ``Undecided``."""
    g, proof = orbit_search(a, b, budget=budget, verify=False, exhaustive=exhaustive)
    answer = judge(g, proof)
    if g is not None and (answer is None or not answer.certified):
        answer = judge(*orbit_search(a, b, budget=budget, propose=False))
    return answer


def verify(a: Network, b: Network, g: GroupElement) -> str | None:
    """None if g·A = B exactly, else the first difference."""
    return check_group_element(a.net, b.net, g.perms, g.scales)


def explain_difference(a: Network, b: Network) -> str:
    """A short human reason why B ∉ G·A, from the cheapest invariant that differs."""
    if a.widths != b.widths:
        return f"architectures differ: {'-'.join(map(str, a.widths))} vs {'-'.join(map(str, b.widths))}"
    if a.layers[-1].bias != b.layers[-1].bias:
        return "output biases differ (G fixes the output layer)"

    def rays(n: Network) -> list:
        out = []
        for w, bias in zip(n.layers[0].weight, n.layers[0].bias):
            row = tuple(w) + (bias,)
            s = sum(abs(x) for x in row)
            out.append(tuple(x / s for x in row) if s else row)
        return sorted(out)

    if len(a.layers) > 1 and rays(a) != rays(b):
        return "the first hidden layers differ: their incoming rays (rows up to positive scale) differ"
    return "no permutation with positive rescaling maps A to B (exhaustive exact search)"


ORBIT_THEOREM = "§1: the orbit G·A of permutations and positive rescalings (exact matching)"


def decide(p: Problem) -> Answer:
    """Is B = g·A for some g ∈ G?  Exact: the group element, or a proof that none exists.

    ``p.budget`` bounds the exact matcher's search nodes (default 20000)."""
    try:
        answer = kernel_judged(p.a, p.b, lambda g, proof: _orbit_answer(p.a, p.b, g, proof, p.start),
                               budget=p.budget or 20000)
    except Undecided as e:
        answer = undecided("orbit", "exact-matching", f"undecided: {e}")
    answer.domain = p.domain
    return timed(answer, p.start)


def _orbit_answer(a: Network, b: Network, g: GroupElement | None, proof: dict | None,
                  start: float) -> Answer:
    seconds = time.perf_counter() - start
    if g is not None:
        cert = envelope("orbit", claim("in-orbit", {"A": a, "B": b}, None), g.to_json(),
                        "exact-matching", ORBIT_THEOREM, seconds)
        verdict, code = "in-orbit", YES
        summary = "in the orbit: B = g·A with the group element below"
        details = {"group_element": g.to_json()}
    else:
        cert = envelope("orbit", claim("not-in-orbit", {"A": a, "B": b}, None), {"separation": proof},
                        "exact-matching", ORBIT_THEOREM, seconds)
        verdict, code = "not-in-orbit", NO
        reason = explain_difference(a, b)
        summary = f"not in the orbit: {reason}"
        details = {"reason": reason}
    answer = Answer("orbit", verdict, code, ORBIT_THEOREM, "exact-matching", summary, details)
    return judged(answer, cert)
