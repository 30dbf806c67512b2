"""Sign premises on R^d0 through projective charts: one bounded problem per box.

The theorem is in ``certify.kernel.charts`` (theory.md §4.3): a sign statement about hidden
pre-activations holds on R^d0 iff it holds for the network on [−R, R]^d0 and for each of the
2·d0 chart networks on [−1, 1]^{d0−1} × [0, 1].  A region tree over unbounded R^d0 has to
enumerate the unbounded first-layer regions and has no interval bounds to prune with (no
``tri`` rows); on the boxes both exist, and many charts are settled by interval bounds alone.

Per box, cheapest first: exact interval bounds (``kernel.intervals``), then a box region tree
(``deep.regiontree``).  The assembled proof goes through the kernel's own checker before it is
returned; floats only propose (inside the region-tree search), and any failing box means None.
"""
from __future__ import annotations

import math
import time

import numpy as np
from fractions import Fraction

from ..kernel import charts as kcharts
from ..kernel.exact import fmt
from ..kernel.intervals import sign_by_interval
from ..kernel.moves import check_exclusive_proof
from ..kernel.network import Net
from ..kernel.registry import CheckFailure
from ..kernel.relations import check_sign
from ..network import Network
from . import regiontree

__all__ = ["chart_radius", "prove_sign_on_charts", "prove_exclusive_on_charts", "interval_sign_on_charts",
           "interval_signs_on_charts"]


def _net(network: Network | Net) -> Net:
    return network.net if isinstance(network, Network) else network


def chart_radius(network: Network | Net) -> Fraction:
    """R: a power of two near the first-layer kink scale (|b_i|/‖w_i‖, ``sampling._spread``), so the
    central box holds the bounded regions and the charts see only the asymptotic cones (a
    choice, not a hint the kernel trusts: any R > 0 is sound)."""
    from .sampling import _spread
    nw = network if isinstance(network, Network) else Network(network)
    r = _spread([nw])
    return Fraction(2) ** max(0, math.ceil(math.log2(r)))


def _proof(radius: Fraction, entries: list) -> dict:
    return {"method": "charts", "radius": fmt(radius), "charts": entries}


def interval_sign_on_charts(network: Network | Net, layer: int, neuron: int, sign: str,
                            radius: Fraction | None = None) -> dict | None:
    """The chart proof of a sign fact by interval bounds on every box, or None."""
    net = _net(network)
    R = chart_radius(network) if radius is None else radius
    for _, chart, box in kcharts.charts(net, R):
        if not sign_by_interval(chart, box, layer, neuron, sign):
            return None
    return _proof(R, [{"method": "interval"}] * (2 * net.widths[0] + 1))


def _likeliest_false_first(domains: list, entries: list, violation, count: int = 256) -> list[int]:
    """The boxes still open, those where a float sample shows the largest violation (``violation``
    of the float pre-activations: > 0 where the claim fails) first: a false claim is then refuted
    on its first box instead of after the others' trees (untrusted ordering; every box is proved)."""
    rng = np.random.default_rng(0)
    order = []
    for n, (_, chart, box) in enumerate(domains):
        if entries[n] is not None:
            continue
        lo = np.array([float(a) for a, _ in box])
        hi = np.array([float(b) for _, b in box])
        pts = lo + (hi - lo) * rng.random((count, len(lo)))
        with np.errstate(all="ignore"):
            worst = float(np.max(violation(Network(chart).float_forward(pts))))
        order.append((-worst if worst > 0 else 0.0, n))
    return [n for _, n in sorted(order)]


def from_chart(n: int, point, radius: Fraction, d: int) -> list[Fraction] | None:
    """The point of R^d0 that chart ``n`` of ``kernel.charts.charts`` (0: the central box) shows at
    ``point``: x itself on the box, x = R u / s on chart (i, ε) (u_i = ε, u_{−i} = v); None at s = 0."""
    if n == 0:
        return list(point)
    i, eps = (n - 1) // 2, 1 if n % 2 else -1
    *v, s = point
    if s <= 0:
        return None
    u = v[:i] + [Fraction(eps)] + v[i:]
    return [radius * c / s for c in u]


def prove_sign_on_charts(network: Network | Net, layer: int, neuron: int, sign: str, radius: Fraction | None = None,
                         budget: int = 20_000, timeout: float | None = None, deadline: float | None = None,
                         outcome: list | None = None, found: list | None = None) -> dict | None:
    """A ``check_sign`` proof ``{"method": "charts", …}`` that z of hidden neuron (layer, neuron)
    is ≤ 0 ("nonpositive") or ≥ 0 ("nonnegative") on all of R^d0, or None.

    ``budget`` nodes per box; ``outcome`` receives "proved", "refuted" (some box holds a point of
    the wrong strict sign: false on R^d0 by the chart theorem) or "unknown"; ``found`` receives
    that point in the coordinates of R^d0 (``from_chart``; a point at s = 0 is moved in to a small s)."""
    net = _net(network)
    R = chart_radius(network) if radius is None else radius
    deadline = regiontree._deadline(timeout, deadline)
    domains = kcharts.charts(net, R)
    entries: list = [None] * len(domains)
    for n, (_, chart, box) in enumerate(domains):  # the cheap pass first, on every box
        if sign_by_interval(chart, box, layer, neuron, sign):
            entries[n] = {"method": "interval"}
    for n in _likeliest_false_first(domains, entries, lambda z: z[layer][:, neuron] * (1 if sign == "nonpositive"
                                                                                     else -1)):
        name, chart, box = domains[n]
        why: list = []
        points: list = []
        evidence = regiontree.prove_neuron_sign(chart, layer, neuron, box, sign, budget=budget, deadline=deadline,
                                                outcome=why, found=points)
        if evidence is None:
            if outcome is not None:
                outcome.append(why[0] if why else "unknown")
            if found is not None and points:
                # at s = 0 the point is a limit direction: step in to s = 2^-20 (a proposal only;
                # the strict violation at s = 0 persists for small s > 0, theory §4.3)
                *v, s = points[0]
                found.append(from_chart(n, [*v, s if s > 0 else Fraction(1, 2 ** 20)], R, net.widths[0]))
            return None
        entries[n] = {"method": "region-tree", "evidence": evidence}
    return _kernel_checked(_proof(R, entries), outcome,
                           lambda pr: check_sign(net, None, layer, neuron, sign, pr, "proof"))


def prove_exclusive_on_charts(network: Network | Net, layer: int, neuron: int, predecessor: int,
                              radius: Fraction | None = None, budget: int = 20_000, timeout: float | None = None,
                              deadline: float | None = None, outcome: list | None = None) -> dict | None:
    """A proof for the M10 move (``moves.check_exclusive_proof``) that z_{layer,neuron} ≤ 0 wherever
    a_{layer−1,predecessor} > 0 on all of R^d0, one entry per chart box, or None.

    Per box, cheapest first: intervals show the neuron or the predecessor dead there; a region
    tree shows the predecessor dead (a tree over the layers up to layer − 1 only: on most charts
    a predecessor that floats see active only in a thin far cone is simply dead); a conditional
    region tree.  ``outcome`` as for ``prove_sign_on_charts``."""
    net = _net(network)
    R = chart_radius(network) if radius is None else radius
    deadline = regiontree._deadline(timeout, deadline)
    domains = kcharts.charts(net, R)
    entries: list = [None] * len(domains)
    for n, (_, chart, box) in enumerate(domains):
        for of, (t, j) in (("neuron", (layer, neuron)), ("predecessor", (layer - 1, predecessor))):
            if entries[n] is None and sign_by_interval(chart, box, t, j, "nonpositive"):
                entries[n] = _dead(of, {"method": "interval"})
    for n in _likeliest_false_first(domains, entries,
                                    lambda z: np.minimum(z[layer][:, neuron], z[layer - 1][:, predecessor])):
        _, chart, box = domains[n]
        evidence = _predecessor_dead(chart, box, layer - 1, predecessor, budget, deadline)
        if evidence is not None:
            entries[n] = _dead("predecessor", {"method": "region-tree", "evidence": evidence})
            continue
        why: list = []
        evidence = regiontree.prove_exclusive(chart, layer, neuron, predecessor, box, budget=budget,
                                              deadline=deadline, outcome=why)
        if evidence is None:
            if outcome is not None:
                outcome.append(why[0] if why else "unknown")
            return None
        entries[n] = {"method": "region-tree", "evidence": evidence}
    return _kernel_checked(_proof(R, entries), outcome,
                           lambda pr: check_exclusive_proof(net, None, layer, neuron, predecessor, pr, "proof"))


_PREDECESSOR: dict = {}  # (chart, box, layer, neuron) ↦ (budget tried, evidence or None): one tree serves every j


def _predecessor_dead(chart: Net, box, layer: int, neuron: int, budget: int, deadline: float | None) -> dict | None:
    """A region tree for z_{layer,neuron} ≤ 0 on the chart box, remembered across the M10 pairs
    (j, k) that share the predecessor k (an untrusted cache: the kernel re-checks every proof)."""
    key = (regiontree.krt.upto(chart, layer), box, layer, neuron)
    hit = _PREDECESSOR.get(key)
    if hit is not None and (hit[1] is not None or hit[0] >= budget):
        return hit[1]
    why: list = []
    evidence = regiontree.prove_neuron_sign(chart, layer, neuron, box, "nonpositive", budget=budget, deadline=deadline,
                                            outcome=why)
    if evidence is not None or why == ["refuted"]:
        _PREDECESSOR[key] = (budget if evidence is None and why != ["refuted"] else 1 << 62, evidence)
    elif why == ["unknown"] and (deadline is None or time.perf_counter() < deadline):
        _PREDECESSOR[key] = (budget, None)  # out of nodes, not of time: a larger budget may still prove it
    if len(_PREDECESSOR) > 4096:
        _PREDECESSOR.clear()
    return evidence


def _dead(of: str, proof: dict) -> dict:
    return {"method": "dead", "of": of, "proof": proof}


def _kernel_checked(proof: dict, outcome: list | None, check) -> dict | None:
    """The proof once the kernel's checker accepts its JSON form (else None)."""
    try:
        check(regiontree._json_roundtrip(proof))
    except CheckFailure:
        if outcome is not None:
            outcome.append("unknown")
        return None
    if outcome is not None:
        outcome.append("proved")
    return proof


def interval_signs_on_charts(network: Network | Net, radius: Fraction | None = None) -> dict:
    """{(t, j): (sign, proof)} for every hidden neuron whose interval bounds have one sign on every
    chart box (the bounds of each box computed once, for all neurons)."""
    from ..kernel.intervals import preactivation_bounds
    net = _net(network)
    R = chart_radius(network) if radius is None else radius
    domains = kcharts.charts(net, R)
    le = ge = None
    for _, chart, box in domains:
        bounds = preactivation_bounds(chart, box)
        here_le = {(t, j) for t, layer in enumerate(bounds) for j, (lo, hi) in enumerate(layer) if hi is not None
                   and hi <= 0}
        here_ge = {(t, j) for t, layer in enumerate(bounds) for j, (lo, hi) in enumerate(layer) if lo is not None
                   and lo >= 0}
        le = here_le if le is None else le & here_le
        ge = here_ge if ge is None else ge & here_ge
    widths = net.widths
    ok = lambda tj: tj[1] < widths[tj[0] + 1]  # the carrier neuron z = s is not a neuron of N
    proof = _proof(R, [{"method": "interval"}] * len(domains))
    out = {tj: ("nonpositive", proof) for tj in sorted(le or ()) if ok(tj)}
    out.update({tj: ("nonnegative", proof) for tj in sorted(ge or ()) if ok(tj) and tj not in out})
    return out
