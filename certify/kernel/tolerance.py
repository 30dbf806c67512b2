"""ε-equivalence certificates: max over a box of |f_A,i(x) − f_B,i(x)| ≤ ε_i (issue 13).

**Claim** (kind ``equivalent-within``): networks A, B with the same input and output
dimensions, a box Ω (required: the whole space is refused), and ``tolerance`` = one
rational ε_i ≥ 0 per output.  It states ‖f_A(x) − f_B(x)‖ ≤ ε coordinatewise for every
x ∈ Ω (ℓ∞ when all ε_i are equal).  Kind ``not-equivalent-within`` states the opposite:
some x ∈ Ω has |f_A,i(x) − f_B,i(x)| > ε_i for some i; its evidence is the exact point.

**Evidence** (method ``box-partition``): ``tree``, a pre-order list of nodes over cells of Ω:

* ``{"split": [i, "c"]}`` with lo_i < c < hi_i of the current cell: children are the
  cell with x_i ≤ c, then the cell with x_i ≥ c (their union is the cell);
* ``{"leaf": "intervals"}``: differential interval propagation (below), which the kernel
  runs itself on the cell, gives −ε_i ≤ ℓ(Δ_i) and u(Δ_i) ≤ ε_i for the output difference;
* ``{"leaf": "symbolic"}``: the same bound from symbolic differential bounds (linear forms
  in the input for z_A, z_B and Δ; ``kernel.symdiff``, which states its theorem per step),
  also re-run by the kernel on the cell;
* ``{"leaf": {"region-tree": T}}``: T is a region tree (``kernel.regiontree``, theory.md
  §4.2) on the cell, each of whose leaves carries LP-duality multipliers for the 2m targets
  D_i − ε_i ≤ 0 and −D_i − ε_i ≤ 0 (D = f_A − f_B in the lifted space of the cell).

**Differential intervals** (ReluDiff-style, every step a containment on the cell C):
for each layer, intervals z_A ∋ z_A(x), z_B ∋ z_B(x) and Δ ∋ z_A(x) − z_B(x):

* Δz = W_A δa + (W_A − W_B) a_B + (b_A − b_B) = W_B δa + (W_A − W_B) a_A + (b_A − b_B),
  with δa = a_A − a_B the previous post-activation difference (δx = 0 at the input);
  both forms hold, so Δ is their intersection; then z_A ⊆ z_B + Δ, z_B ⊆ z_A − Δ and
  Δ ⊆ z_A − z_B;
* δa = σ(z_A) − σ(z_B): σ is monotone and 1-Lipschitz, so δa lies between 0 and Δ, and in
  [σ(ℓ_A) − σ(u_B), σ(u_A) − σ(ℓ_B)]; if z_A ≥ 0 on C, δa = min(Δ, z_A); if z_B ≥ 0,
  δa = max(Δ, −z_B); both off: δa = 0.
Numbers are integers over 2^PREC, rounded outward (floor for lower, ceiling for upper
bounds) after every affine map, so every interval contains the exact one.

**Theorem.**  If every node passes, the claim holds on Ω: the leaves' cells cover Ω and on
each cell the bound holds (intervals: by containment; symbolic: the Theorem of
``kernel.symdiff``; region tree: Theorem of §4.2 with
the tolerance targets).  Checking is linear in the size of the tree; no search, no solver.

Trusts: ``exact``, ``network``, ``claims``, ``regiontree`` (the leaves' LP-duality checks),
``symdiff`` (the symbolic leaves),
``clock`` (the deadline).
"""
from __future__ import annotations

from fractions import Fraction
from typing import Sequence

from . import regiontree as rt
from .clock import tick
from .claims import claim_domain, claim_networks, same_shape
from .exact import InputError, fmt, int_row, rational, vector
from .network import Box, Net, affine_maps, evaluate, in_box
from .registry import CheckFailure, checker, require

PREC = 64  # bits after the binary point of the interval arithmetic
_ONE = 1 << PREC
MAX_NODES = 2_000_000
# claim fields beyond statement/networks/domain (dispatch reads this)
CLAIM_FIELDS = {"equivalent-within": {"tolerance"}, "not-equivalent-within": {"tolerance"}}

__all__ = ["CLAIM_FIELDS", "counterexample_outputs", "DiffNet", "interval_gap", "tolerance_targets", "cell_proof", "walk_partition",
           "check_within", "check_exceeds"]


# --------------------------------------------------------------------------- the claim

def parse_tolerance(value: object, outputs: int, where: str = "claim.tolerance") -> tuple[Fraction, ...]:
    """One rational ε_i ≥ 0 per output."""
    try:
        eps = vector(value, where, outputs)
    except InputError as e:
        raise CheckFailure(str(e)) from None
    require(all(e >= 0 for e in eps), f"{where}: every tolerance must be ≥ 0")
    return eps


def _claim(claim: dict, statement: str) -> tuple[Net, Net, Box, tuple[Fraction, ...]]:
    require(claim.get("statement") == statement, f"claim.statement: expected {statement!r}")
    a, b = claim_networks(claim, ("A", "B"))
    same_shape(a, b, "claim.networks")
    box = claim_domain(claim, a.widths[0])
    require(box is not None, "claim.domain: a tolerance claim needs a box")
    require("tolerance" in claim, "claim.tolerance: missing")
    return a, b, box, parse_tolerance(claim["tolerance"], a.widths[-1])


# --------------------------------------------------------------------------- dyadic intervals

def _floor_div(n: int, d: int) -> int:
    return n // d


def _ceil_div(n: int, d: int) -> int:
    return -((-n) // d)


def _dyadic_box(box: Box) -> list[tuple[int, int]]:
    """The box rounded outward to the grid 2^-PREC (integers over 2^PREC)."""
    return [(_floor_div(lo.numerator * _ONE, lo.denominator), _ceil_div(hi.numerator * _ONE, hi.denominator))
            for lo, hi in box]


def _dot(rows, xs: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Outward-rounded intervals of (Σ_k w_k x_k + c)/D for integer rows (w, c·2^PREC, D)."""
    out = []
    for ws, c, den in rows:
        lo = hi = c
        for w, (l, u) in zip(ws, xs):
            if w > 0:
                lo += w * l
                hi += w * u
            elif w < 0:
                lo += w * u
                hi += w * l
        out.append((lo // den, -((-hi) // den)))
    return out


def _rows(weight, bias) -> list[tuple[list[int], int, int]]:
    out = []
    for r, b in zip(weight, bias):
        nums, den = int_row((*r, b))
        out.append((list(nums[:-1]), nums[-1] * _ONE, den))
    return out


def require_same_widths(a: Net, b: Net) -> None:
    require(a.widths == b.widths, f"the networks have different widths {a.widths} and {b.widths}: "
                                  "differential intervals need the same architecture")


class DiffNet:
    """Networks A and B with the integer rows the differential propagation uses."""

    def __init__(self, a: Net, b: Net):
        require_same_widths(a, b)
        self.layers = []
        for la, lb in zip(a.layers, b.layers):
            dw = [tuple(x - y for x, y in zip(ra, rb)) for ra, rb in zip(la.weight, lb.weight)]
            db = [x - y for x, y in zip(la.bias, lb.bias)]
            self.layers.append((_rows(la.weight, la.bias), _rows(lb.weight, lb.bias),
                                _rows([ra + d for ra, d in zip(la.weight, dw)], db),   # [W_A | W_A − W_B]
                                _rows([rb + d for rb, d in zip(lb.weight, dw)], db)))  # [W_B | W_A − W_B]


def _relu(iv: tuple[int, int]) -> tuple[int, int]:
    return max(iv[0], 0), max(iv[1], 0)


def _meet(x: tuple[int, int], y: tuple[int, int]) -> tuple[int, int]:
    return max(x[0], y[0]), min(x[1], y[1])


def _delta_relu(za, zb, d) -> tuple[int, int]:
    """An interval ∋ σ(z_A) − σ(z_B) given z_A ∈ za, z_B ∈ zb, z_A − z_B ∈ d."""
    (la, ua), (lb, ub), (ld, ud) = za, zb, d
    if ua <= 0 and ub <= 0:
        return 0, 0
    iv = (min(ld, 0), max(ud, 0))  # monotone, 1-Lipschitz: between 0 and Δ
    iv = _meet(iv, (max(la, 0) - max(ub, 0), max(ua, 0) - max(lb, 0)))
    if la >= 0:  # σ(z_A) = z_A: δ = z_A − σ(z_B) = min(Δ, z_A)
        iv = _meet(iv, (min(ld, la), min(ud, ua)))
    if lb >= 0:  # σ(z_B) = z_B: δ = σ(z_A) − z_B = max(Δ, −z_B)
        iv = _meet(iv, (max(ld, -ub), max(ud, -lb)))
    return iv


def interval_gap(net: DiffNet, box: Box) -> list[tuple[Fraction, Fraction]]:
    """Intervals ∋ f_A,i(x) − f_B,i(x) for all x in the box (outward-rounded dyadics)."""
    x = _dyadic_box(box)
    aa = ab = x
    da: list[tuple[int, int]] = [(0, 0)] * len(x)
    last = len(net.layers) - 1
    d: list = []
    for t, (ra, rb, rda, rdb) in enumerate(net.layers):
        za, zb = _dot(ra, aa), _dot(rb, ab)
        d = [_meet(p, q) for p, q in zip(_dot(rda, da + ab), _dot(rdb, da + aa))]
        za = [_meet(p, (q[0] + r[0], q[1] + r[1])) for p, q, r in zip(za, zb, d)]
        zb = [_meet(q, (p[0] - r[1], p[1] - r[0])) for p, q, r in zip(za, zb, d)]
        d = [_meet(r, (p[0] - q[1], p[1] - q[0])) for p, q, r in zip(za, zb, d)]  # Δ = z_A − z_B
        if t == last:
            break
        da = [_delta_relu(p, q, r) for p, q, r in zip(za, zb, d)]
        aa, ab = [_relu(p) for p in za], [_relu(q) for q in zb]
    return [(Fraction(l, _ONE), Fraction(u, _ONE)) for l, u in d]


# --------------------------------------------------------------------------- region-tree leaves

def tolerance_targets(p: rt.Problem, eps: Sequence[Fraction]):
    """D_i − ε_i ≤ 0 and −D_i − ε_i ≤ 0 for D = f_A − f_B, output by output."""
    def targets(s: rt.State) -> list:
        out = []
        for ea, eb, e in zip(rt.outputs(p, s, 0), rt.outputs(p, s, 1), eps):
            d = rt.lin([(1, ea), (-1, eb)])
            out += [rt.lin([(1, d), (-1, rt.constant(e))]), rt.lin([(-1, d), (-1, rt.constant(e))])]
        return out
    return targets


# --------------------------------------------------------------------------- the partition walk

def _split(node: object, cell: list, where: str) -> tuple[int, Fraction]:
    spec = node["split"]  # type: ignore[index]
    require(isinstance(spec, list) and len(spec) == 2 and isinstance(spec[0], int)
            and not isinstance(spec[0], bool) and 0 <= spec[0] < len(cell),
            f"{where}.split: expected [input coordinate, rational]")
    try:
        c = rational(spec[1], f"{where}.split[1]")
    except InputError as e:
        raise CheckFailure(str(e)) from None
    lo, hi = cell[spec[0]]
    require(lo < c < hi, f"{where}.split: {fmt(c)} is not inside the cell's interval [{fmt(lo)}, {fmt(hi)}]")
    return spec[0], c


def cell_proof(nets: Sequence[Net], cell: Box, proof: object, intervals, targets, where: str) -> None:
    """One cell's proof: ``"intervals"`` runs the kind's exact interval check ``intervals(cell,
    where)``; ``{"region-tree": T}`` walks T on the cell with the kind's ``targets(problem)``."""
    if proof == "intervals":
        intervals(cell, where)
        return
    require(isinstance(proof, dict) and set(proof) == {"region-tree"},
            f"{where}: expected \"intervals\", \"symbolic\" (tolerance only) or {{\"region-tree\": tree}}")
    p = rt.Problem(list(nets), cell)
    rt.walk(p, proof["region-tree"], targets(p), f"{where}.region-tree")


def _gap_leaf(a: Net, b: Net, eps):
    """The leaf check of a tolerance partition: every leaf bounds |f_A − f_B| by ε on its cell."""
    diff: list = []

    def intervals(cell: Box, where: str) -> None:
        if not diff:
            diff.append(DiffNet(a, b))
        for i, ((lo, hi), e) in enumerate(zip(interval_gap(diff[0], cell), eps)):
            require(-e <= lo and hi <= e, f"{where}: output {i}: the interval bound [{fmt(lo)}, {fmt(hi)}] of "
                                          f"f_A − f_B exceeds the tolerance {fmt(e)} on this cell")
    sym: list = []

    def symbolic(cell: Box, where: str) -> None:
        from . import symdiff  # symdiff builds on this module's rows and δa interval
        if not sym:
            sym.append(symdiff.SymNet(a, b))
        for i, ((lo, hi), e) in enumerate(zip(symdiff.symbolic_gap(sym[0], cell), eps)):
            require(-e <= lo and hi <= e, f"{where}: output {i}: the symbolic bound [{fmt(lo)}, {fmt(hi)}] of "
                                          f"f_A − f_B exceeds the tolerance {fmt(e)} on this cell")

    def leaf(cell: Box, spec: object, where: str) -> None:
        if spec == "symbolic":
            return symbolic(cell, where)
        cell_proof((a, b), cell, spec, intervals, lambda p: tolerance_targets(p, eps), where)
    return leaf


def walk_partition(box: Box, tree: object, leaf, where: str = "evidence.tree") -> int:
    """Verify a pre-order partition tree of ``box``, each leaf by ``leaf(cell, spec, where)``
    (the claim kind's target set); returns the number of leaves."""
    require(isinstance(tree, list) and tree, f"{where}: expected a non-empty list of nodes")
    require(len(tree) <= MAX_NODES, f"{where}: more than {MAX_NODES} nodes")
    pending: list[list] = []  # cells of the upper children still to visit
    cell = list(box)
    leaves = 0
    for i, node in enumerate(tree):
        tick()
        at = f"{where}[{i}]"
        require(cell is not None, f"{where}: {len(tree) - i} nodes after the end of the tree")
        require(isinstance(node, dict) and len(node) == 1 and set(node) <= {"split", "leaf"},
                f"{at}: expected {{\"split\": [i, c]}} or {{\"leaf\": …}}")
        if "split" in node:
            k, c = _split(node, cell, at)
            upper = list(cell)
            upper[k] = (c, cell[k][1])
            pending.append(upper)
            cell[k] = (cell[k][0], c)
            continue
        leaf(tuple(cell), node["leaf"], f"{at}.leaf")
        leaves += 1
        cell = pending.pop() if pending else None  # type: ignore[assignment]
    require(cell is None, f"{where}: the tree ends early (a subtree is missing)")
    return leaves


@checker("equivalent-within", "box-partition")
def check_within(claim: dict, evidence: dict) -> None:
    """max over the box of |f_A,i − f_B,i| ≤ ε_i: every leaf of the partition proves it."""
    a, b, box, eps = _claim(claim, "equivalent-within")
    require(set(evidence) == {"method", "tree"}, "evidence: expected fields method and tree")
    walk_partition(box, evidence["tree"], _gap_leaf(a, b, eps))


def counterexample_outputs(a: Net, b: Net, box: Box, evidence: dict) -> tuple:
    """Evidence {x, fA, fB}: x lies in the box and fA, fB are f_A(x), f_B(x) exactly (re-evaluated)."""
    require(set(evidence) == {"x", "fA", "fB"}, "evidence: expected fields x, fA, fB")
    try:
        x = vector(evidence["x"], "evidence.x", a.widths[0])
        ra = vector(evidence["fA"], "evidence.fA", a.widths[-1])
        rb = vector(evidence["fB"], "evidence.fB", a.widths[-1])
    except InputError as e:
        raise CheckFailure(str(e)) from None
    require(in_box(x, box), "evidence.x: the point lies outside the box")
    fa, fb = evaluate(affine_maps(a), x), evaluate(affine_maps(b), x)
    require(list(fa) == list(ra), f"evidence.fA: recorded value differs from f_A(x) = {[fmt(v) for v in fa]}")
    require(list(fb) == list(rb), f"evidence.fB: recorded value differs from f_B(x) = {[fmt(v) for v in fb]}")
    return fa, fb


@checker("not-equivalent-within")
def check_exceeds(claim: dict, evidence: dict) -> None:
    """Exact evaluation: x lies in the box and |f_A,i(x) − f_B,i(x)| > ε_i for some output i."""
    a, b, box, eps = _claim(claim, "not-equivalent-within")
    fa, fb = counterexample_outputs(a, b, box, evidence)
    require(any(abs(p - q) > e for p, q, e in zip(fa, fb, eps)),
            "|f_A(x) − f_B(x)| ≤ ε at every output: the point is not a counterexample")
