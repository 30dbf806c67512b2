"""Top-1 agreement certificates: two classifiers have a common top class on a box (issue 13).

**Claim** (kind ``top1-agreement``): networks A, B with the same input and output
dimensions m, a box Ω (required), and ``margin`` = a rational μ ≥ 0.  It states: for every
x ∈ Ω some class c has

    f_A,c(x) − f_A,k(x) ≥ μ  and  f_B,c(x) − f_B,k(x) ≥ μ   for every k ≠ c.

With μ = 0: *the sets of maximisers of f_A(x) and f_B(x) intersect* (ties allowed: at a
tie of A between c and k, agreement needs B to maximise at c or k too).  This does not
say that lowest-index tie-breaking agrees (A tied at {0, 1}, B maximal at 1 agrees here).
With μ > 0: both argmaxes are unique, equal, and each won by at least μ — then any
tie-breaking rule agrees, since there are no ties.  Kind ``not-top1-agreement`` states the
opposite; its evidence is an exact x ∈ Ω at which no class c has both margins ≥ μ (μ = 0:
the maximiser sets are disjoint).

**Evidence** (method ``box-partition``): the partition tree of ``kernel.tolerance``
(``{"split": [i, "c"]}`` nodes), whose leaves are ``{"leaf": [c, proof]}``: class c and

* ``"intervals"``: for each network, interval propagation (outward-rounded dyadics, as in
  ``kernel.tolerance``) through the hidden layers, then the *margin rows*
  (W_c − W_k)·a + (b_c − b_k) of the last layer, one per k ≠ c, symbolically: every lower
  bound must be ≥ μ;
* ``{"region-tree": T}``: a region tree (theory.md §4.2) on the cell of A and B, each leaf
  with LP-duality multipliers for the 2(m − 1) targets μ − (f_N,c − f_N,k) ≤ 0.

**Theorem.**  If every node passes, the claim holds on Ω: the cells cover Ω, and on each
cell its class c satisfies the margins (intervals: by containment; region tree: §4.2).

Trusts: ``exact``, ``network``, ``claims``, ``regiontree``, ``tolerance`` (the partition
walk, the dyadic interval steps), ``clock``.
"""
from __future__ import annotations

from fractions import Fraction

from . import regiontree as rt
from . import tolerance as kt
from .claims import claim_domain, claim_networks, same_shape
from .exact import InputError, fmt, rational, vector
from .network import Box, Net, affine_maps, evaluate, in_box
from .registry import CheckFailure, checker, require

CLAIM_FIELDS = {"top1-agreement": {"margin"}, "not-top1-agreement": {"margin"}}

__all__ = ["CLAIM_FIELDS", "agrees", "margin_rows", "margin_bounds", "top1_targets", "check_agreement", "check_disagreement"]


def _claim(claim: dict, statement: str) -> tuple[Net, Net, Box, Fraction]:
    require(claim.get("statement") == statement, f"claim.statement: expected {statement!r}")
    a, b = claim_networks(claim, ("A", "B"))
    same_shape(a, b, "claim.networks")
    box = claim_domain(claim, a.widths[0])
    require(box is not None, "claim.domain: a top-1 claim needs a box")
    require("margin" in claim, "claim.margin: missing")
    try:
        mu = rational(claim["margin"], "claim.margin")
    except InputError as e:
        raise CheckFailure(str(e)) from None
    require(mu >= 0, "claim.margin: must be ≥ 0")
    return a, b, box, mu


def agrees(fa, fb, mu: Fraction) -> bool:
    """Some class c has f_c − f_k ≥ μ for every k ≠ c, in both output vectors."""
    return any(all(f[c] - f[k] >= mu for f in (fa, fb) for k in range(len(f)) if k != c) for c in range(len(fa)))


def margin_rows(net: Net, c: int) -> list:
    """The integer rows of the hidden layers, then the margin rows (W_c − W_k, b_c − b_k), k ≠ c."""
    *hidden, last = net.layers
    w, b = last.weight, last.bias
    ks = [k for k in range(len(b)) if k != c]
    return [kt._rows(layer.weight, layer.bias) for layer in hidden] + [
        kt._rows([[p - q for p, q in zip(w[c], w[k])] for k in ks], [b[c] - b[k] for k in ks])]


def margin_bounds(rows: list, cell: Box) -> list[Fraction]:
    """Lower bounds of f_c − f_k (k ≠ c, in order) on the cell: dyadic intervals through the
    hidden layers, then the margin rows of the last layer (``margin_rows``)."""
    x = kt._dyadic_box(cell)
    z: list = []
    for layer in rows:
        z = kt._dot(layer, x)
        x = [kt._relu(v) for v in z]
    return [Fraction(lo, kt._ONE) for lo, _ in z]


def top1_targets(p: rt.Problem, c: int, mu: Fraction):
    """μ − (f_N,c − f_N,k) ≤ 0 for N = A, B and every k ≠ c."""
    def targets(s: rt.State) -> list:
        out = []
        for n in (0, 1):
            f = rt.outputs(p, s, n)
            out += [rt.lin([(-1, f[c]), (1, f[k]), (1, rt.constant(mu))]) for k in range(len(f)) if k != c]
        return out
    return targets


def _top1_leaf(a: Net, b: Net, mu: Fraction):
    cache: dict = {}  # (network, class) ↦ margin_rows

    def leaf(cell: Box, spec: object, where: str) -> None:
        m = a.widths[-1]
        require(isinstance(spec, list) and len(spec) == 2 and isinstance(spec[0], int)
                and not isinstance(spec[0], bool) and 0 <= spec[0] < m, f"{where}: expected [class, proof]")
        c = spec[0]

        def intervals(cell: Box, at: str) -> None:
            for name, net in (("A", a), ("B", b)):
                ks = [k for k in range(m) if k != c]
                rows = cache.get((name, c)) or cache.setdefault((name, c), margin_rows(net, c))
                for k, lo in zip(ks, margin_bounds(rows, cell)):
                    require(lo >= mu, f"{at}: f_{name},{c} − f_{name},{k} ≥ {fmt(lo)} only, not ≥ {fmt(mu)} "
                                      "on this cell")
        kt.cell_proof((a, b), cell, spec[1], intervals, lambda p: top1_targets(p, c, mu), f"{where}[1]")
    return leaf


@checker("top1-agreement", "box-partition")
def check_agreement(claim: dict, evidence: dict) -> None:
    """A common top class (margin μ) everywhere on the box: every leaf proves its class's margins."""
    a, b, box, mu = _claim(claim, "top1-agreement")
    require(set(evidence) == {"method", "tree"}, "evidence: expected fields method and tree")
    kt.walk_partition(box, evidence["tree"], _top1_leaf(a, b, mu))


@checker("not-top1-agreement")
def check_disagreement(claim: dict, evidence: dict) -> None:
    """Exact evaluation: x lies in the box and no class is a top class (margin μ) of both."""
    a, b, box, mu = _claim(claim, "not-top1-agreement")
    fa, fb = kt.counterexample_outputs(a, b, box, evidence)
    require(not agrees(fa, fb, mu), "some class is a top class of both f_A(x) and f_B(x): not a counterexample")
