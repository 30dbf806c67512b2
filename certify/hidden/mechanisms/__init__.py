"""The hidden-symmetry catalogue M1–M13 of theory.md §4: detectors with proved preconditions.

``detect(network, box=None) -> list[Finding]`` runs every detector on θ over the domain
(the box, else the network's own domain, else R^d0) and returns the findings whose
preconditions are proved exactly:

=====  ==========================================  ======================================
label  mechanism                                    precondition proved by
=====  ==========================================  ======================================
M1     dead neuron                                  interval bounds / nested region tree
M2     no outgoing weights                          exact zero column
M3     constant neuron                              zero incoming row (+ sign of b)
M4     stably active neuron                         interval bounds / nested region tree
M5     ≥ 2 stably active neurons (mixing)           as M4, for both neurons
M6     twins (positively proportional rows)         exact proportionality (canonical keys)
M7     affine relation on the image                 sign facts + exact row dependence
M8     flip of a set T                              exact subset relation (§3.7 enumeration)
M9     opposite pair forming a linear unit          exact proportionality, a_j + λa_k = 0
M10    dead wherever a predecessor is active        sign test on opposite rays / conditional tree
M11    sign facts after a width-1 layer             interval bounds (complete there)
M12    first-layer hyperplane missing the box       exact range of w·x + b on the box
M13    shallow moves in a layer pair (C5, C6)       exact rank tests / subset relations
=====  ==========================================  ======================================

A ``Finding`` has ``mechanism``, ``continuous`` (a family through θ: θ is not locally
identifiable), ``where``, ``witness(delta)`` and ``certificate(delta)`` (kind
``hidden-symmetry``, accepted by the kernel).
"""
from __future__ import annotations

from ...network import Box, Network
from .facts import Facts, prove_signs
from .finding import THEOREM, Finding, NoWitness, distance
from .layers import layer_findings
from .neurons import active_findings, dead_findings, exclusive_findings, mixing_findings, relation_findings

# Report order: per-neuron sign mechanisms first (the simplest witnesses), then structure.
ORDER = ["M3", "M12", "M11", "M1", "M4", "M2", "M6", "M9", "M8", "M13", "M5", "M7", "M10"]


def detect(network: Network, box: Box | None = None, *, nested: bool = True, nested_seconds: float = 10.0,
           budget: int = 1 << 16, notes: list[str] | None = None, facts: Facts | None = None,
           verify: bool = False, first: bool = False) -> list[Finding]:
    """All catalogue findings for θ on the domain (``box``, else ``network.box``, else R^d0).

    ``nested`` allows region-tree sign proofs (when ``certify.deep.regiontree`` is installed) for
    neurons that sampling suggests are dead or stably active, for at most ``nested_seconds``;
    ``budget`` bounds the exact subset enumerations; ``notes`` collects what was skipped.
    ``first``: nested proofs stop at the first one (``prove_signs(first=True)``: enough for
    a "not locally identifiable" answer).  With ``verify`` every finding's default witness is built and checked outside the orbit
    (findings that fail are dropped); otherwise that happens lazily in ``witness()``.
    """
    if box is None:
        box = network.box
    if box is not None and len(box) != network.widths[0]:
        raise ValueError(f"box has {len(box)} intervals, the input dimension is {network.widths[0]}")
    facts = facts if facts is not None else prove_signs(network, box, nested=nested, nested_seconds=nested_seconds,
                                                         exclusive=True, first=first)
    found: list[Finding] = []
    found += dead_findings(network, box, facts)
    found += active_findings(network, box, facts)
    found += layer_findings(network, box, facts, budget=budget, notes=notes)
    found += mixing_findings(network, box, facts)
    found += relation_findings(network, box, facts)
    found += exclusive_findings(network, box, facts)
    found.sort(key=lambda f: (ORDER.index(f.mechanism), f.layer if f.layer is not None else -1, f.neurons))
    if verify:
        kept = []
        for f in found:
            try:
                f.witness()
            except NoWitness:
                continue
            kept.append(f)
        found = kept
    return found


__all__ = ["detect", "first_certified", "Finding", "NoWitness", "THEOREM", "Facts", "prove_signs", "distance", "ORDER"]


def first_certified(findings: list[Finding]):
    """The first finding whose witness certificate the kernel accepts, as
    (finding, certificate, verdict, check seconds); None if there is none."""
    for f in findings:
        try:
            cert, verdict, check_s = f.certified()
        except NoWitness:
            continue
        if verdict.valid:
            return f, cert, verdict, check_s
    return None
