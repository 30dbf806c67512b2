"""Deciding B ∈ G·A by individualisation-refinement search (theory.md §1).

The search finds either a group element g with g·A = B or, when none exists, the
*separation proof* of ``certify.kernel.orbit.check_separation``: the tree of the search
itself, which the kernel follows without choosing anything (the producer adds the
hints so that the checker never searches).  The kernel's primitives (refinement,
individualisation, the exact leaf check) are reused, so a proof built here is checked
by exactly the steps that built it.

The search is exponential only for highly symmetric networks (many interchangeable
neurons, e.g. many zero rows); past ``budget`` nodes it raises ``Undecided``.
"""
from __future__ import annotations

from ..kernel.network import Net
from ..kernel.orbit import (NormalForm, Pair, Perms, Scales, leaf_scales, balanced, bijection, classes,
                            individualise)

BUDGET = 20000  # search nodes


class Undecided(Exception):
    """The orbit search exceeded its budget: no answer, not a wrong one."""


def search(a: Net, b: Net, budget: int = BUDGET) -> tuple[tuple[Perms, Scales] | None, dict | None]:
    """(g, None) with g·A = B, or (None, proof) proving B ∉ G·A.  Raises Undecided."""
    if a.widths != b.widths:
        return None, {"architecture": True}
    # No shortcut on a cheaper invariant (multisets of normal-form rows): a difference it sees,
    # say in an output bias, need not unbalance the colour classes, and "apart" must be
    # exactly what the kernel's refinement finds.
    pair = Pair(NormalForm(a), NormalForm(b))
    steps = [0]
    nodes = len(pair.colours[0])

    def node(colours: list[list]) -> tuple[list[int] | None, dict | None]:
        colours, members_a, members_b = classes(pair, colours)
        if not balanced(members_a, members_b):
            return None, {"apart": True}
        open_classes = [c for c, v in members_a.items() if len(v) > 1]
        if not open_classes:
            bij = bijection(members_a, members_b, nodes)
            return (bij, None) if leaf_scales(pair.na, pair.nb, bij) is not None else (None, {"leaf": True})
        c = min(open_classes, key=lambda c: (len(members_a[c]), c))
        v = members_a[c][0]
        branches = []
        for w in members_b[c]:
            steps[0] += 1
            if steps[0] > budget:
                raise Undecided(f"orbit search exceeded {budget} nodes")
            found, proof = node(individualise(colours, v, w))
            if found is not None:
                return found, None
            branches.append(proof)
        return None, {"individualise": v, "branches": branches}

    bij, proof = node(pair.colours)
    if bij is None:
        return None, proof
    return _element(a, pair, bij), None


def find_group_element(a: Net, b: Net, budget: int = BUDGET) -> tuple[Perms, Scales] | None:
    """A group element g with g·A = B, or None if B ∉ G·A.  Raises Undecided past ``budget``."""
    return search(a, b, budget)[0]


def separation(a: Net, b: Net, budget: int = BUDGET) -> dict | None:
    """A proof that B ∉ G·A for the kernel, or None if B ∈ G·A.  Raises Undecided."""
    return search(a, b, budget)[1]


def _element(a: Net, pair: Pair, bij: list[int]) -> tuple[Perms, Scales]:
    na, nb = pair.na, pair.nb
    mu = leaf_scales(na, nb, bij)
    assert mu is not None
    perms, scales, offset = [], [], 0
    for t in range(len(a.layers) - 1):
        n = len(a.layers[t].bias)
        perm = [bij[offset + i] - offset for i in range(n)]
        # B = n_B^{-1} (π, μ) n_A A: scale of A's neuron i is λ^A_i μ_i / λ^B_{π i}.
        scales.append([na.lam[t][i] * mu[t][i] / nb.lam[t][perm[i]] for i in range(n)])
        perms.append(perm)
        offset += n
    return perms, scales
