"""A detected hidden symmetry: mechanism, place, exact witness θ', certificate.

A finding is only created once its precondition is *proved* (exact interval bounds, a
nested region-tree proof, exact proportionality, an exact subset relation, …).  Its
witness is produced by a sequence of catalogue moves (theory.md §4) that the *kernel's*
replay applies — the engine never re-implements the move semantics — and is accepted
only if the kernel's exact orbit matcher shows θ' ∉ G·θ.  Continuous findings give
witnesses at any ℓ∞ distance δ > 0 (``witness(delta)``), which is what a "not locally
identifiable" answer needs.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable, Iterable

from ...core.certificate import claim, envelope, finish
from ...kernel import Verdict
from ...group.matching import Undecided, separation
from ...kernel.moves import replay
from ...kernel.registry import CheckFailure
from ...network import Box, Network

THEOREM = {
    "M1": "§4 M1: a dead neuron (z ≤ 0 on the image) has a free outgoing column",
    "M2": "§4 M2: a neuron without outgoing weights has a free incoming row",
    "M3": "§4 M3: a constant neuron can be folded into the next bias",
    "M4": "§4 M4: a stably active neuron (z ≥ 0 on the image) can shift its bias",
    "M5": "§4 M5: stably active neurons can be mixed by M = I + sE_pq ≥ 0",
    "M6": "§4 M6 / Theorem 3.3 (C3): twins on one oriented hyperplane can trade outgoing weight",
    "M7": "§4 M7: an affine relation on the image lets the next layer's weights move",
    "M8": "§4 M8: a flip σ(−z) = σ(z) − z of a set T with M_T vanishing on the image",
    "M9": "§4 M9 / Theorem 3.3 (C4): an opposite pair forming a linear unit can slide",
    "M10": "§4 M10: a neuron dead wherever a predecessor is active ignores that predecessor",
    "M11": "§4 M11: after a width-1 layer, sign tests are complete (dead or stably active)",
    "M12": "§4 M12: a first-layer hyperplane missing the box makes the neuron dead or stably active",
    "M13": "§4 M13 / Theorem 3.3 (C5, C6): shallow moves inside a layer pair (pair moves, linear units)",
    "search": "CEGIS witness search, verified exactly (equivalence certificate + orbit matching)",
}

MoveBuilder = Callable[[Fraction], Iterable[list[dict]]]


class NoWitness(Exception):
    """No candidate witness left the orbit G·θ (the finding is not reported)."""


@dataclass
class Finding:
    """One hidden-symmetry mechanism at one place of θ, with its exact witnesses.

    ``build(delta)`` yields candidate move sequences whose replay stays within ℓ∞
    distance ``delta`` of θ for continuous findings (any distance for discrete ones).
    """

    mechanism: str
    continuous: bool
    where: str
    network: Network
    box: Box | None
    build: MoveBuilder
    layer: int | None = None
    neurons: tuple[int, ...] = ()
    default_delta: Fraction = Fraction(1)
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def theorem(self) -> str:
        return THEOREM[self.mechanism]

    def _pick(self, delta: Fraction | None) -> tuple[Network, list[dict], dict]:
        key = delta
        if key in self._cache:
            return self._cache[key]
        d = Fraction(delta) if delta is not None else self.default_delta
        for moves in self._candidates(d):
            try:
                result, _ = replay(self.network.net, self.box, moves)
            except CheckFailure:
                continue  # a candidate whose precondition fails is simply not used
            if self.continuous and delta is not None and distance(self.network.net, result) > d:
                continue
            try:
                proof = separation(self.network.net, result)
            except Undecided:
                continue
            if proof is None:  # the moves stayed in the orbit G·θ: no hidden symmetry
                continue
            witness = self.network.replace(layers=result.layers, name=_name(self.network, self.mechanism))
            self._cache[key] = (witness, moves, proof)
            return witness, moves, proof
        raise NoWitness(f"{self.mechanism} at {self.where}: no candidate left the orbit")

    def _candidates(self, d: Fraction) -> Iterable[list[dict]]:
        # A family meets the orbit in finitely many parameter values (or contains it);
        # a few smaller steps avoid the isolated ones (e.g. twins at t = 1 swapping roles).
        for step in (d, d / 2, d / 3, d / 5) if self.continuous else (d,):
            yield from self.build(step)

    def witness(self, delta: Fraction | None = None) -> Network:
        """θ' with f_θ' = f_θ on the domain and θ' ∉ G·θ; ||θ' − θ||∞ ≤ delta if continuous."""
        return self._pick(delta)[0]

    def moves(self, delta: Fraction | None = None) -> list[dict]:
        return self._pick(delta)[1]

    def certified(self, delta: Fraction | None = None) -> tuple[dict, Verdict, float]:
        start = time.perf_counter()
        witness, moves, proof = self._pick(delta)
        evidence = {"method": "moves", "mechanism": self.mechanism, "moves": moves, "separation": proof}
        cert = envelope("hidden-symmetry", claim("hidden-symmetry", {"A": self.network, "B": witness}, self.box),
                        evidence, "moves", self.theorem, time.perf_counter() - start)
        return finish(cert)

    def certificate(self, delta: Fraction | None = None) -> dict:
        """The ``hidden-symmetry`` certificate of ``witness(delta)``, accepted by the kernel."""
        cert, verdict, _ = self.certified(delta)
        if not verdict.valid:
            raise NoWitness(f"the kernel rejected the {self.mechanism} certificate: {verdict.reason}")
        return cert

    def summary(self) -> dict:
        return {"mechanism": self.mechanism, "continuous": self.continuous, "where": self.where,
                "layer": self.layer, "neurons": list(self.neurons)}


def distance(a, b) -> Fraction:
    """||θ' − θ||∞ over all parameters."""
    best = Fraction(0)
    for la, lb in zip(a.layers, b.layers):
        for ra, rb in zip(la.weight, lb.weight):
            for x, y in zip(ra, rb):
                if x != y:
                    best = max(best, abs(x - y))
        for x, y in zip(la.bias, lb.bias):
            if x != y:
                best = max(best, abs(x - y))
    return best


def _name(network: Network, mechanism: str) -> str:
    base = network.name or "network"
    return f"{base}-witness-{mechanism}"


__all__ = ["Finding", "NoWitness", "THEOREM", "distance"]
