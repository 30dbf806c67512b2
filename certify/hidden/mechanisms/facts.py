"""Proved facts about hidden-layer images: signs of neurons and affine relations.

Sign facts (dead: z ≤ 0 on the domain; stably active: z ≥ 0) come from exact interval
bounds (``certify.kernel.intervals``: the sign tests of theory §4, complete for layer 2
when layer 1 is onto) and, beyond them, from nested region-tree proofs of the
deep-equivalence engine (``certify.deep.regiontree.prove_neuron_sign``) when that engine is
installed.  Float sampling only *proposes* which neurons deserve a region-tree attempt.

Conditional sign facts (the premise of M10, theory §4: z_{t,j} ≤ 0 wherever the predecessor
(t − 1, k) is active) come only from conditional region trees
(``certify.deep.regiontree.prove_exclusive``, checked by ``kernel.regiontree.check_exclusive``);
their candidates are the pairs that a float sample at many radii never shows active together.

On R^d0 (box None) both kinds of premise go through the projective charts of theory §4.3
(``certify.deep.charts``): interval bounds on the 1 + 2·d0 chart boxes first (for every neuron at
once), then one bounded region tree per chart box, instead of one tree over the unbounded space.

Budgets: every candidate first gets a small tree (``nested_budget`` nodes: the quick proofs are
a few nodes); candidates whose attempt only ran out of nodes (not refuted) get rounds with ten
and a hundred times the budget while time remains — a deep neuron on R^d may need a few hundred
nodes, and a larger first budget would spend it on candidates that are false.
"""
from __future__ import annotations

import importlib
import time
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from ...kernel.intervals import Interval, preactivation_bounds
from ...network import Box, Network
from ...deep.sampling import _spread

DEAD, ACTIVE = "nonpositive", "nonnegative"


def region_tree_engine():
    """``certify.deep.regiontree`` if the deep-equivalence engine is installed, else None."""
    try:
        return importlib.import_module("certify.deep.regiontree")
    except ImportError:
        return None


@dataclass
class Facts:
    """Sign facts of every hidden neuron, with the proof the kernel will re-check."""

    network: Network
    box: Box | None
    bounds: list[list[Interval]]
    proofs: dict[tuple[int, int], tuple[str, dict]] = field(default_factory=dict)
    attempted: int = 0          # region-tree attempts
    nested: int = 0             # signs proved by region trees
    nested_seconds: float = 0.0
    candidates: int = 0         # neurons a float sample suggests are dead or stably active
    out_of_time: int = 0        # candidates never attempted: the time limit ran out
    over_cap: int = 0           # candidates never attempted: beyond ``max_nested``
    # M10 premises: (t, j, k) ↦ the proof (``moves.check_exclusive_proof``) that z_{t,j} ≤ 0 wherever a_{t−1,k} > 0
    exclusive: dict[tuple[int, int, int], dict] = field(default_factory=dict)
    exclusive_candidates: int = 0
    stopped: bool = False       # ``first``: the attempts stopped at the first region-tree proof

    def sign(self, t: int, j: int) -> str | None:
        entry = self.proofs.get((t, j))
        return entry[0] if entry else None

    def proof(self, t: int, j: int) -> dict:
        return self.proofs[(t, j)][1]

    def layer(self, t: int, sign: str) -> list[int]:
        return [j for j in range(len(self.bounds[t])) if self.sign(t, j) == sign]


def prove_signs(network: Network, box: Box | None, nested: bool = True, nested_budget: int = 40,
                max_nested: int = 64, nested_seconds: float = 30.0, samples: int = 2048, seed: int = 0,
                exclusive: bool = False, first: bool = False) -> Facts:
    """All sign facts provable by intervals, plus region-tree proofs for sampled candidates.

    Candidates come in layer order; each region-tree attempt may expand ``nested_budget``
    tree nodes in the first round, ten and a hundred times that in later rounds (candidates
    whose attempt ran out of nodes only); all attempts share the deadline ``nested_seconds``.
    With ``exclusive``, M10 premises of sampled pairs are attempted too (after the signs, in
    each round).  With ``first``, the attempts stop at the first region-tree proof (one
    continuous mechanism is all that a "not locally identifiable" answer needs; ``stopped``
    says so).  (No short per-attempt deadlines: the engine's LP solver measures its time
    limit on a clock that accumulates across solves, so they fail spuriously.)"""
    bounds = preactivation_bounds(network.net, box)
    facts = Facts(network, box, bounds)
    for t, layer in enumerate(bounds):
        for j, (lo, hi) in enumerate(layer):
            if hi is not None and hi <= 0:
                facts.proofs[(t, j)] = (DEAD, {"method": "interval"})
            elif lo is not None and lo >= 0:
                facts.proofs[(t, j)] = (ACTIVE, {"method": "interval"})
    charts = chart_engine()
    if box is None and charts is not None:  # intervals on the chart boxes see much more than on R^d0
        for tj, entry in charts.interval_signs_on_charts(network).items():
            facts.proofs.setdefault(tj, entry)
    engine = region_tree_engine() if nested else None
    if engine is None or not hasattr(engine, "prove_neuron_sign"):
        return facts
    prove_sign, prove_pair = _provers(engine, charts if box is None else None)
    start = time.perf_counter()
    end = start + nested_seconds
    zs = sampled_preactivations(network, box, samples, seed)
    found = candidates(network, box, facts, samples, seed, zs)
    facts.candidates = len(found)
    facts.over_cap = max(len(found) - max_nested, 0)
    signs = found[:max_nested]
    pairs = exclusive_candidates(network, facts, found, zs)[:max_nested] if exclusive else []
    facts.exclusive_candidates = len(pairs)
    if exclusive and not hasattr(engine, "prove_exclusive"):
        pairs = []
    tried: set = set()
    for rnd, budget in enumerate((nested_budget, 10 * nested_budget, 100 * nested_budget)):
        retry_signs, retry_pairs = [], []
        for n, (t, j, sign) in enumerate(signs):
            if time.perf_counter() > end:
                facts.out_of_time = len([c for c in signs[n:] if c not in tried])
                break
            tried.add((t, j, sign))
            facts.attempted += 1
            why: list = []
            points: list = []
            proof = _attempt(prove_sign, (network, t, j, box, sign), budget, end, why, found=points)
            if proof is not None:
                facts.proofs[(t, j)] = (sign, proof)
                facts.nested += 1
                if first:
                    break
            elif why == ["unknown"]:
                retry_signs.append((t, j, sign))
            elif exclusive and sign == DEAD and points and t + 2 < len(network.widths):
                # "never active" was wrong: it fires somewhere the sample missed (a far cone); the
                # next layer's neurons negative around that point are M10 candidates with it
                far = [c for c in far_exclusive_candidates(network, facts, t, j, points[0]) if c not in pairs]
                pairs = far + pairs
                facts.exclusive_candidates += len(far)
        for t, j, k in pairs:
            if time.perf_counter() > end or (first and (facts.nested or facts.exclusive)):
                break
            if facts.sign(t, j) is not None or facts.sign(t - 1, k) == DEAD:
                continue  # M1/M4 already covers the neuron, or the predecessor never fires
            why = []
            proof = _attempt(prove_pair, (network, t, j, k, box), budget, end, why)
            if proof is not None:
                facts.exclusive[(t, j, k)] = proof
            elif why == ["unknown"]:
                retry_pairs.append((t, j, k))
        signs, pairs = retry_signs, retry_pairs
        if first and (facts.nested or facts.exclusive):
            facts.stopped = True
            break
        if not (signs or pairs) or time.perf_counter() > end:
            break
    facts.nested_seconds = time.perf_counter() - start
    return facts


def chart_engine():
    """``certify.deep.charts`` (sign premises on R^d0 by projective charts) if installed, else None."""
    try:
        return importlib.import_module("certify.deep.charts")
    except ImportError:
        return None


def _provers(engine, charts):
    """(sign prover, M10 prover), each returning the proof object a move carries.  On R^d0 with
    the chart engine: one bounded problem per chart box (theory §4.3) instead of one region tree
    over the unbounded space; else the region tree over the domain."""
    if charts is not None:
        return ((lambda net, t, j, box, sign, **kw: charts.prove_sign_on_charts(net, t, j, sign, **kw)),
                (lambda net, t, j, k, box, **kw: charts.prove_exclusive_on_charts(net, t, j, k, **kw)))

    def sign(net, t, j, box, s, found=None, **kw):
        ev = (engine.prove_neuron_sign(net, t, j, box, s, found=found, **kw) if found is not None
              else engine.prove_neuron_sign(net, t, j, box, s, **kw))
        return None if ev is None else {"method": "region-tree", "evidence": ev}

    def pair(net, t, j, k, box, **kw):
        ev = engine.prove_exclusive(net, t, j, k, box, **kw)
        return None if ev is None else {"method": "region-tree", "evidence": ev}
    return sign, pair


def _attempt(prove, args: tuple, budget: int, deadline: float, why: list, **extra) -> dict | None:
    """One region-tree attempt; ``why`` receives "unknown" if it ran out of nodes (worth a
    larger budget), nothing if it was refuted, failed or ran out of time."""
    try:
        evidence = prove(*args, budget=budget, deadline=deadline, outcome=why, **extra)
    except Exception:  # an engine failure proves nothing; never let it decide
        return None
    if evidence is None and time.perf_counter() > deadline:
        why.clear()
    return evidence


def sampled_preactivations(network: Network, box: Box | None, count: int, seed: int) -> list[np.ndarray]:
    """Float pre-activations of every layer at ``sample_inputs`` (untrusted)."""
    with np.errstate(all="ignore"):
        return network.float_forward(sample_inputs(network, box, count, seed))


def extreme_corners(network: Network, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """For each first-layer neuron i, the two box corners where z_{0,i} is largest and smallest
    (x_k = hi_k where W_0[i,k] > 0, else lo_k; and the opposite corner).

    Why: in high dimension a first-layer neuron is often active only in a thin cap around its
    maximising corner (mnist-net_256x2 on [0,1]^784: 255 of 256 first-layer neurons are never
    active on 20,000 uniform points, yet each is active at its corner), so uniform samples call
    deeper neurons "dead" that switch in those caps (bench/mnist_switching.py: every second-layer
    neuron switches at one of these corners).  Proposals only: no claim rests on them."""
    up = network.float_layers[0][0] > 0
    return np.vstack([np.where(up, hi, lo), np.where(up, lo, hi)])


def sample_inputs(network: Network, box: Box | None, count: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    d = network.widths[0]
    if box is not None:
        lo = np.array([float(a) for a, _ in box])
        hi = np.array([float(b) for _, b in box])
        pts = lo + (hi - lo) * rng.random((count, d))
        corners = lo + (hi - lo) * rng.integers(0, 2, (min(count, 64), d))
        return np.vstack([pts, corners, extreme_corners(network, lo, hi)])
    # many radii: deep regions far out (and near the origin) are where a sign or a co-activation
    # that one radius never shows turns up
    r = _spread([network])
    scales = np.array([0.1, 1.0, 10.0, 1e3])
    return rng.standard_normal((count, d)) * (r * scales[np.arange(count) % len(scales)])[:, None]


def candidates(network: Network, box: Box | None, facts: Facts, samples: int, seed: int,
               zs: list[np.ndarray] | None = None) -> list[tuple[int, int, str]]:
    """Neurons without a sign fact whose sampled pre-activations never change sign (untrusted)."""
    if zs is None:
        zs = sampled_preactivations(network, box, samples, seed)
    out = []
    for t, z in enumerate(zs[:-1]):
        for j in range(z.shape[1]):
            if (t, j) in facts.proofs:
                continue
            col = z[:, j]
            if np.all(col <= 0):
                out.append((t, j, DEAD))
            elif np.all(col >= 0):
                out.append((t, j, ACTIVE))
    return out


def exclusive_candidates(network: Network, facts: Facts, signs: list[tuple[int, int, str]],
                         zs: list[np.ndarray]) -> list[tuple[int, int, int]]:
    """Pairs (t, j, k), t ≥ 1, where the sample shows predecessor (t − 1, k) active and neuron
    (t, j) never active at the same time (untrusted; M10 candidates).  Neurons with a sign fact
    or a sign candidate are left to M1/M4; most supporting points first."""
    flagged = {(t, j) for t, j, _ in signs} | set(facts.proofs)
    dead = {(t, j) for t, j, sign in signs if sign == DEAD} | {key for key, (sign, _) in facts.proofs.items()
                                                              if sign == DEAD}
    out = []
    for t in range(1, len(zs) - 1):
        on_prev = zs[t - 1] > 0          # points × predecessors
        pos = zs[t] > 0                  # points × neurons
        support = on_prev.sum(axis=0)
        together = on_prev.T.astype(np.int64) @ pos.astype(np.int64)  # [k, j]: points with both active
        for j in range(zs[t].shape[1]):
            if (t, j) in flagged:
                continue
            for k in range(zs[t - 1].shape[1]):
                if support[k] and not together[k, j] and (t - 1, k) not in dead:
                    out.append((int(support[k]), t, j, k))
    out.sort(key=lambda c: (c[1], -c[0]))
    return [(t, j, k) for _, t, j, k in out]


def far_exclusive_candidates(network: Network, facts: Facts, t: int, k: int, x, count: int = 600,
                             seed: int = 0) -> list[tuple[int, int, int]]:
    """M10 candidates (t + 1, j, k) around a point x where neuron (t, k) fires although the sample
    never saw it (untrusted): a float cloud around x at a few relative scales; the next layer's
    neurons without a sign fact that are ≤ 0 at every cloud point where (t, k) is active."""
    rng = np.random.default_rng(seed)
    x = np.array([float(c) for c in x])
    r = np.linalg.norm(x) + 1.0
    scales = np.array([1e-4, 1e-3, 1e-2, 1e-1])[np.arange(count) % 4]
    cloud = np.vstack([x, x + rng.standard_normal((count, len(x))) * (r * scales)[:, None]])
    with np.errstate(all="ignore"):
        zs = network.float_forward(cloud)
    on = zs[t][:, k] > 0
    if not on.any():
        return []
    out = []
    for j in range(zs[t + 1].shape[1]):
        if facts.sign(t + 1, j) is None and np.all(zs[t + 1][on, j] <= 0):
            out.append((t + 1, j, k))
    return out


def relation_json(t: int, coefficients: list[Fraction], constant: Fraction, facts: Facts) -> dict:
    """An affine relation c·a_t = κ with the sign facts of the neurons it uses."""
    from ...kernel.exact import fmt
    status = [{"neuron": k, "sign": facts.sign(t, k), "proof": facts.proof(t, k)}
              for k, c in enumerate(coefficients) if c and facts.sign(t, k) is not None]
    return {"layer": t, "coefficients": [fmt(c) for c in coefficients], "constant": fmt(constant), "status": status}


__all__ = ["Facts", "prove_signs", "DEAD", "ACTIVE", "region_tree_engine", "relation_json", "candidates",
           "exclusive_candidates", "far_exclusive_candidates", "sampled_preactivations"]
