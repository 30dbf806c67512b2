"""Proved facts about hidden-layer images: signs of neurons and affine relations.

Sign facts (dead: z ≤ 0 on the domain; stably active: z ≥ 0) come from exact interval
bounds (``certify.kernel.intervals``: the sign tests of theory §4, complete for layer 2
when layer 1 is onto) and, beyond them, from nested region-tree proofs of the
deep-equivalence engine (``certify.deep.regiontree.prove_neuron_sign``) when that engine is
installed.  Float sampling only *proposes* which neurons deserve a region-tree attempt.
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

    def sign(self, t: int, j: int) -> str | None:
        entry = self.proofs.get((t, j))
        return entry[0] if entry else None

    def proof(self, t: int, j: int) -> dict:
        return self.proofs[(t, j)][1]

    def layer(self, t: int, sign: str) -> list[int]:
        return [j for j in range(len(self.bounds[t])) if self.sign(t, j) == sign]


def prove_signs(network: Network, box: Box | None, nested: bool = True, nested_budget: int = 40,
                max_nested: int = 64, nested_seconds: float = 30.0, samples: int = 512, seed: int = 0) -> Facts:
    """All sign facts provable by intervals, plus region-tree proofs for sampled candidates.

    Candidates come in layer order; each region-tree attempt may expand ``nested_budget``
    tree nodes (the quick proofs are one-leaf trees; a candidate that is not really dead or
    active only exhausts its nodes); all attempts share the deadline ``nested_seconds``.  (No
    short per-attempt deadlines: the engine's LP solver measures its time limit on a clock that
    accumulates across solves, so they fail spuriously.)"""
    bounds = preactivation_bounds(network.net, box)
    facts = Facts(network, box, bounds)
    for t, layer in enumerate(bounds):
        for j, (lo, hi) in enumerate(layer):
            if hi is not None and hi <= 0:
                facts.proofs[(t, j)] = (DEAD, {"method": "interval"})
            elif lo is not None and lo >= 0:
                facts.proofs[(t, j)] = (ACTIVE, {"method": "interval"})
    engine = region_tree_engine() if nested else None
    if engine is None or not hasattr(engine, "prove_neuron_sign"):
        return facts
    start = time.perf_counter()
    end = start + nested_seconds
    found = candidates(network, box, facts, samples, seed)
    facts.candidates = len(found)
    facts.over_cap = max(len(found) - max_nested, 0)
    for n, (t, j, sign) in enumerate(found[:max_nested]):
        now = time.perf_counter()
        if now > end:
            facts.out_of_time = min(len(found), max_nested) - n
            break
        facts.attempted += 1
        try:
            evidence = engine.prove_neuron_sign(network, t, j, box, sign, budget=nested_budget, deadline=end)
        except Exception:  # an engine failure proves nothing; never let it decide
            evidence = None
        if evidence is not None:
            facts.proofs[(t, j)] = (sign, {"method": "region-tree", "evidence": evidence})
            facts.nested += 1
    facts.nested_seconds = time.perf_counter() - start
    return facts


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
    r = _spread([network])
    return rng.standard_normal((count, d)) * r


def candidates(network: Network, box: Box | None, facts: Facts, samples: int, seed: int
               ) -> list[tuple[int, int, str]]:
    """Neurons without a sign fact whose sampled pre-activations never change sign (untrusted)."""
    with np.errstate(all="ignore"):
        zs = network.float_forward(sample_inputs(network, box, samples, seed))
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


def relation_json(t: int, coefficients: list[Fraction], constant: Fraction, facts: Facts) -> dict:
    """An affine relation c·a_t = κ with the sign facts of the neurons it uses."""
    from ...kernel.exact import fmt
    status = [{"neuron": k, "sign": facts.sign(t, k), "proof": facts.proof(t, k)}
              for k, c in enumerate(coefficients) if c and facts.sign(t, k) is not None]
    return {"layer": t, "coefficients": [fmt(c) for c in coefficients], "constant": fmt(constant), "status": status}


__all__ = ["Facts", "prove_signs", "DEAD", "ACTIVE", "region_tree_engine", "relation_json", "candidates"]
