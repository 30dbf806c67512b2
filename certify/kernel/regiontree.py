"""Region-tree certificates: branching over neuron signs in the lifted space (theory.md §4.2).

**Lifted space.**  Networks N_1, N_2 (or one network) read the same input x ∈ Ω.  Give
every hidden neuron v a variable a_v for its post-activation; a *true point* is
(x, a) with x ∈ Ω and a_v = σ(z_v) for every v.  Each pre-activation z_v and each
output is an affine *expression* in (x, a), one layer at a time, so a claim about
f on Ω is a linear claim about the true points.

**Node state** (``derive``).  A node fixes the phase of some neurons (off: z_v ≤ 0, on:
z_v ≥ 0).  Layer by layer, the pre-activations z_v of the layer are computed first; then
neurons whose expressions are proportional (z_v ≡ s_v·K for one primitive key K, also
with a neuron of an earlier layer) form a *class*, and what is known about the sign of K
— from a member's phase, or from a member's symbolic interval bounds on a box (z ≤ 0 or
≥ 0 on all of Ω) — holds for every member.  Then, on the node's true points:

* z_v ≤ 0 known → a_v = 0; z_v ≥ 0 known → a_v = z_v  (status off/on if the path fixed v,
  else dead/live);  z_v ≡ c, a constant → a_v = max(c, 0);
* otherwise the first member u of the class is *free* (a_u stays a variable) and every
  other member is its *twin*: a_v = λ a_u if λ = s_v/s_u > 0, |λ|(a_u − z_u) if λ < 0
  (σ(λt) = λσ(t) for λ > 0; σ(−t) = σ(t) − t).
Each rewrite is an identity on the node's true points, so every expression evaluates
there to the true value.  Twins make a permuted/rescaled copy cost nothing; deciding
signs per class and re-deriving after each fix let the copy "re-join" after a move.

**Rows** — affine r with r ≤ 0 at every true point of the node (row ids in JSON):
``["lo", i]``: lo_i − x_i;  ``["hi", i]``: x_i − hi_i (box only);
``["ge0", n, l, j]``: −a_v and ``["gez", n, l, j]``: z_v − a_v (v free: σ(z) ≥ 0, σ(z) ≥ z);
``["tri", n, l, j]``: a_v − u(z_v − ℓ)/(u − ℓ) (v free, box; ℓ < 0 < u its interval bounds:
the chord of σ over [ℓ, u]);  ``["off", …]``: z_v and ``["on", …]``: −z_v (status off/dead,
resp. on/live).

**Bound certificate** (LP duality, weak direction): multipliers y ≥ 0 over rows with
t − Σ y_i r_i ≡ c, a constant c ≤ 0, prove t ≤ 0 at every true point of the node.
An *empty* node is one that proves 1 ≤ 0 (a Farkas certificate).

**Tree** (``evidence.tree``, a pre-order list of nodes):
``{"split": [n, l, j]}`` — v free here; children: off (z_v ≤ 0) subtree, then on (z_v ≥ 0);
``{"fix": [n, l, j], "sign": "off"|"on", "y": Y}`` — Y proves z_v ≤ 0 (resp. −z_v ≤ 0); one child;
``{"empty": Y}`` — Y proves 1 ≤ 0;
``{"leaf": [Y, …]}`` — one Y per claim target (see below).
Y is a list of ``[row id, "p/q"]`` with positive values.

**Theorem.**  If every node passes, the claim holds for every x ∈ Ω.  *Proof.*  The
true point of x satisfies the root's rows.  At a split it satisfies the rows of a
child (z_v ≤ 0 or z_v ≥ 0); at a fix it satisfies the new row (proved); no true point
reaches an empty leaf; at a claim leaf every target expression is ≤ 0 there.  ∎
Claim targets: equivalence — for each output i, D_i ≤ 0 and −D_i ≤ 0 with
D_i = f_A,i − f_B,i (so f_A = f_B on Ω); neuron sign — z_v ≤ 0 (dead, M1) or −z_v ≤ 0
(stably active, M4); conditional sign (M10) — z_v ≤ 0 at every node where the predecessor's
post-activation a_k is not the zero expression (where a_k ≡ 0 on the node, i.e. k is off or dead
there, the leaf has no target), so z_v ≤ 0 at every x ∈ Ω with a_k(x) > 0.  Checking is linear in the size of the tree; no search.

Trusts: ``exact``, ``network``, ``claims``, ``clock``: integer arithmetic on exact expressions only.
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Sequence

from .clock import tick
from .claims import claim_domain, claim_networks, same_shape
from .exact import InputError, int_row, rational
from .network import Box, Net
from .registry import CheckFailure, checker, require

ONE = -1  # the key of the constant term in an expression
ZERO = Fraction(0)
# An expression Σ_k nums[k]/den · v_k (v_k: x_k for k < d0, the post-activation of free
# neuron g for k = d0 + g, the constant 1 for k = ONE) is a pair (nums, den) of Python
# integers, den > 0 and gcd(den, nums) = 1.  Integer arithmetic over one denominator
# avoids a gcd per operation (Fraction's cost); the value is the same exact rational.
Expr = tuple  # (dict[int, int], int)
FExpr = dict  # the same expression with Fraction coefficients (for engines)

# neuron status at a node
FREE, OFF, ON, DEAD, LIVE, TWIN, CONST = "free", "off", "on", "dead", "live", "twin", "const"
_ROW_KINDS = ("ge0", "gez", "tri", "off", "on")
EMPTY: Expr = ({}, 1)


# --------------------------------------------------------------------------- expressions

def lin(terms, den: int = 1) -> Expr:
    """(Σ c·e) / den for integer coefficients c and expressions e, normalised."""
    D = 1
    for c, e in terms:
        d = e[1]
        if d != 1 and D % d:
            D = D * d // math.gcd(D, d)
    acc: dict[int, int] = {}
    get = acc.get
    for c, (nums, d) in terms:
        if c:
            f = c * (D // d) if d != 1 else c * D
            for k, n in nums.items():
                acc[k] = get(k, 0) + f * n
    acc = {k: n for k, n in acc.items() if n}
    D *= den
    g = math.gcd(D, *acc.values())
    if g != 1:
        acc = {k: n // g for k, n in acc.items()}
        D //= g
    return acc, D


def constant(q: Fraction) -> Expr:
    return ({ONE: q.numerator}, q.denominator) if q else EMPTY


def fractions(e: Expr) -> FExpr:
    nums, den = e
    return {k: Fraction(n, den) for k, n in nums.items()}


def ray_key(e: Expr) -> tuple[tuple, Fraction] | None:
    """(key, s) with e = s·key, key primitive over the integers with its first variable
    coefficient positive; None for a constant expression.  Two expressions are
    proportional, e_v = λ e_u (λ ≠ 0), iff their keys agree; then λ = s_v / s_u."""
    nums, den = e
    vars_ = sorted(k for k in nums if k != ONE)
    if not vars_:
        return None
    items = [nums[k] for k in vars_] + [nums.get(ONE, 0)]
    g = math.gcd(*items)
    if items[0] < 0:
        g = -g
    return (tuple(vars_), tuple(n // g for n in items)), Fraction(g, den)


# --------------------------------------------------------------------------- the problem

class Problem:
    """The networks on a common domain, flattened to neurons in derivation order.

    Hidden neuron (n, l, j) — network n, hidden layer l (output of layers[l]), index j —
    gets a global index g; neurons are ordered by (l, n, j), so inputs come first and
    a twin can only point back.  Its variable is d0 + g.
    """

    def __init__(self, nets: Sequence[Net], box: Box | None):
        self.nets, self.box = list(nets), box
        self.d0 = nets[0].widths[0]
        order = sorted((l, n, j) for n, net in enumerate(nets)
                       for l in range(len(net.layers) - 1) for j in range(len(net.layers[l].bias)))
        self.ids = [(n, l, j) for l, n, j in order]
        self.index = {v: g for g, v in enumerate(self.ids)}
        self.layer_start: dict[int, int] = {}
        for g, (n, l, j) in enumerate(self.ids):
            self.layer_start.setdefault(l, g)
        self.units = [({i: 1}, 1) for i in range(self.d0)]
        self._inputs = {(n, l): ([self.index[(n, l - 1, k)] for k in range(len(net.layers[l - 1].bias))]
                                 if l else None)
                        for n, net in enumerate(nets) for l in range(len(net.layers))}
        # each row of (W, b) as integers over one denominator: z = (Σ w_k a_k + D b) / D
        self.rows = {(n, l): [_int_row(r, b) for r, b in zip(layer.weight, layer.bias)]
                     for n, net in enumerate(nets) for l, layer in enumerate(net.layers)}
        # On a box: symbolic interval bounds [ℓ_g, u_g] ∋ z_g(x), computed once, in order, from
        # the root expressions (x in the box, each free a_k in [0, u_k]); see ``derive``.
        self.bounds: list | None = None
        if box is not None:
            self.bounds = [None] * len(self.ids)
            derive(self, {})

    def inputs(self, n: int, l: int) -> list[int] | None:
        """Global indices of the neurons feeding layer l of network n (None: the input x)."""
        return self._inputs[(n, l)]

    def neuron(self, value: object, where: str) -> int:
        require(isinstance(value, list) and len(value) == 3
                and all(isinstance(t, int) and not isinstance(t, bool) for t in value),
                f"{where}: expected a neuron [net, layer, index]")
        g = self.index.get(tuple(value))  # type: ignore[arg-type]
        require(g is not None, f"{where}: no hidden neuron {value}")
        return g

    def affine(self, n: int, l: int, j: int, a: Sequence[Expr] | None) -> Expr:
        """z = W[j]·a + b[j] as an expression, a given per input (None: the input x)."""
        ws, db, den = self.rows[(n, l)][j]
        src = self._inputs[(n, l)]
        terms = [(w, self.units[k] if src is None else a[src[k]]) for k, w in enumerate(ws) if w]  # type: ignore
        if db:
            terms.append((db, ({ONE: 1}, 1)))
        return lin(terms, den)


def _int_row(row: Sequence[Fraction], b: Fraction) -> tuple[list[int], int, int]:
    """(W row, b) over one common denominator: (integer row, integer bias, denominator)."""
    nums, den = int_row((*row, b))
    return list(nums[:-1]), nums[-1], den


def _expr_bounds(p: Problem, e: Expr, bounds: list) -> tuple[Fraction, Fraction]:
    """[min, max] of an expression over x ∈ box and a_g ∈ [0, u_g] for its free variables."""
    nums, den = e
    lo = hi = Fraction(nums.get(ONE, 0))
    for k, n in nums.items():
        if k == ONE:
            continue
        if k < p.d0:
            a, b = p.box[k]  # type: ignore[index]
        else:
            a, b = ZERO, max(bounds[k - p.d0][1], ZERO)
        if n > 0:
            lo += n * a
            hi += n * b
        else:
            lo += n * b
            hi += n * a
    return lo / den, hi / den


class State:
    """Expressions at one node: z[g], a[g], status[g], key[g] for every hidden neuron g."""

    __slots__ = ("phases", "z", "a", "status", "key", "twin")

    def __init__(self, phases: dict[int, str], z: list, a: list, status: list, key: list, twin: list):
        self.phases, self.z, self.a, self.status, self.key, self.twin = phases, z, a, status, key, twin


def derive(p: Problem, phases: dict[int, str], parent: State | None = None, start: int = 0) -> State:
    """The node state for ``phases`` (g ↦ "off"/"on"); see the module docstring.

    With ``parent`` (a state whose phases differ from ``phases`` only at or after global
    index ``start``, a layer start), neurons before ``start`` are copied, and a later
    neuron's z is the parent's plus the change of the inputs that changed (the same
    expression objects mean the same inputs); expressions are kept in normal form, so
    the result equals a derivation from scratch."""
    n_all = len(p.ids)
    if parent is None:
        start = 0
        z, a, status, key, twin = [None] * n_all, [None] * n_all, [None] * n_all, [None] * n_all, [None] * n_all
        pa = pz = None
    else:
        pa, pz = parent.a, parent.z
        z, a, status, key, twin = list(pz), list(parent.a), list(parent.status), list(parent.key), list(parent.twin)
    seen: dict = {}  # key ↦ first neuron with it
    for g in range(start):
        if key[g] is not None:
            seen.setdefault(key[g][0], g)
    bounds = p.bounds
    g0 = start
    while g0 < n_all:
        layer = p.ids[g0][1]
        g1 = g0
        while g1 < n_all and p.ids[g1][1] == layer:
            g1 += 1
        for g in range(g0, g1):  # 1. pre-activations and keys of the layer
            n, l, j = p.ids[g]
            src = p._inputs[(n, l)]
            if pa is None:
                z[g] = p.affine(n, l, j, a)
                key[g] = ray_key(z[g])
            elif src is not None:
                ws, _, den = p.rows[(n, l)][j]
                moved = [(w, k) for w, k in zip(ws, src) if w and a[k] is not pa[k]]
                if moved:  # z += Σ w_k (a_k − a_k^parent) / D over the inputs that changed
                    terms = [(den, z[g])] + [t for w, k in moved for t in ((w, a[k]), (-w, pa[k]))]
                    z[g] = lin(terms, den)
                    key[g] = ray_key(z[g])
            if bounds is not None and bounds[g] is None:  # the root pass of Problem(): bound z_g first
                bounds[g] = _expr_bounds(p, z[g], bounds)
        known: dict = {}  # 2. per class: is K ≤ 0, is K ≥ 0 known?
        for g in range(g0, g1):
            if key[g] is not None:
                _learn(known, key[g], _own_signs(g, phases, bounds))
                u = seen.get(key[g][0])
                if u is not None and u < g0:
                    _learn(known, key[g], _signs_of(status[u]), key[u][1])
        for g in range(g0, g1):  # 3. post-activations
            zg, rk = z[g], key[g]
            old = (status[g], twin[g], a[g])
            twin[g] = None
            phase = phases.get(g)
            if rk is None:
                c = Fraction(zg[0].get(ONE, 0), zg[1])
                le, ge = c <= 0, c >= 0
            else:
                kle, kge = known.get(rk[0], (False, False))
                le, ge = (kle, kge) if rk[1] > 0 else (kge, kle)
            if phase is not None or le or ge:
                status[g] = phase if phase is not None else (DEAD if le else LIVE)
                a[g] = EMPTY if le else zg
                if rk is None:
                    status[g] = phase or CONST
                    a[g] = zg if c > 0 else EMPTY
            else:
                u = seen.get(rk[0])
                if u is None or u == g:
                    status[g] = FREE
                    if not (old[0] == FREE and pa is not None):
                        a[g] = ({p.d0 + g: 1}, 1)
                else:
                    lam = rk[1] / key[u][1]
                    status[g], twin[g] = TWIN, (u, lam)
                    if not (pa is not None and old[0] == TWIN and old[1] == (u, lam) and zg is pz[g]
                            and a[u] is pa[u] and z[u] is pz[u]):
                        if lam > 0:
                            a[g] = lin([(lam.numerator, a[u])], lam.denominator)
                        else:  # σ(λt) = |λ|σ(−t) = |λ|(σ(t) − t)
                            a[g] = lin([(-lam.numerator, a[u]), (lam.numerator, z[u])], lam.denominator)
            if rk is not None:
                seen.setdefault(rk[0], g)
        g0 = g1
    return State(phases, z, a, status, key, twin)


def _own_signs(g: int, phases: dict, bounds) -> tuple[bool, bool]:
    """(z_g ≤ 0 known, z_g ≥ 0 known) from g's own phase or interval bounds."""
    phase = phases.get(g)
    le = phase == OFF or (bounds is not None and bounds[g][1] <= 0)
    ge = phase == ON or (bounds is not None and bounds[g][0] >= 0)
    return le, ge


def _signs_of(st: str) -> tuple[bool, bool]:
    return st in (OFF, DEAD), st in (ON, LIVE)


def _learn(known: dict, rk: tuple, signs: tuple[bool, bool], scale: Fraction | None = None) -> None:
    """Record z ≤ 0 / z ≥ 0 for z = s·K as facts about K (s = ``scale`` or the key's own)."""
    le, ge = signs
    if not (le or ge):
        return
    if (scale if scale is not None else rk[1]) < 0:
        le, ge = ge, le
    kle, kge = known.get(rk[0], (False, False))
    known[rk[0]] = (kle or le, kge or ge)


def outputs(p: Problem, s: State, n: int) -> list[Expr]:
    """The output expressions of network n at the node."""
    L = len(p.nets[n].layers) - 1
    return [p.affine(n, L, j, s.a) for j in range(len(p.nets[n].layers[L].bias))]


def row(p: Problem, s: State, rid: object, where: str) -> Expr:
    """The expression r of row ``rid`` (r ≤ 0 holds at every true point of the node)."""
    require(isinstance(rid, list) and rid and isinstance(rid[0], str), f"{where}: expected a row id")
    kind = rid[0]
    if kind in ("lo", "hi"):
        require(p.box is not None, f"{where}: box rows exist only on a box domain")
        require(len(rid) == 2 and isinstance(rid[1], int) and not isinstance(rid[1], bool)
                and 0 <= rid[1] < p.d0, f"{where}: bad input coordinate")
        i = rid[1]
        lo, hi = p.box[i]  # type: ignore[index]
        if kind == "lo":  # lo − x_i
            return lin([(-1, p.units[i]), (1, constant(lo))])
        return lin([(1, p.units[i]), (-1, constant(hi))])  # x_i − hi
    require(kind in _ROW_KINDS, f"{where}: unknown row kind {kind!r}")
    g = p.neuron(list(rid[1:]), where)
    st, z = s.status[g], s.z[g]
    if kind in ("ge0", "gez", "tri"):
        require(st == FREE, f"{where}: row {kind} needs a free neuron (it is {st})")
        a = ({p.d0 + g: 1}, 1)
        if kind == "ge0":  # −a
            return ({p.d0 + g: -1}, 1)
        if kind == "gez":  # z − a
            return lin([(1, z), (-1, a)])
        require(p.bounds is not None, f"{where}: tri rows exist only on a box domain")
        lo, hi = p.bounds[g]  # free on a box implies lo < 0 < hi
        slope = hi / (hi - lo)  # a − slope·(z − lo)
        return lin([(slope.denominator, a), (-slope.numerator, z), (slope.numerator, constant(lo))],
                   slope.denominator)
    if kind == "off":
        require(st in (OFF, DEAD), f"{where}: neuron is not fixed off here (it is {st})")
        return z
    require(st in (ON, LIVE), f"{where}: neuron is not fixed on here (it is {st})")
    return lin([(-1, z)])


def multipliers(y: object, where: str) -> list[tuple[object, Fraction]]:
    """Parse ``[[row id, "p/q"], …]``: positive rationals, no row twice."""
    require(isinstance(y, list), f"{where}: expected a list of [row, multiplier]")
    out, used = [], set()
    for i, item in enumerate(y):
        require(isinstance(item, list) and len(item) == 2, f"{where}[{i}]: expected [row, multiplier]")
        rid, val = item
        try:
            q = rational(val, f"{where}[{i}][1]")
        except InputError as e:
            raise CheckFailure(str(e)) from None
        require(q > 0, f"{where}[{i}]: multipliers must be positive")
        tag = repr(rid)
        require(tag not in used, f"{where}[{i}]: row listed twice")
        used.add(tag)
        out.append((rid, q))
    return out


def implied(p: Problem, s: State, target: Expr, y: object, where: str) -> None:
    """Check that multipliers y ≥ 0 prove target ≤ 0 at the node (weak LP duality):
    target − Σ y_i r_i must be a constant c ≤ 0."""
    ys = multipliers(y, where)
    rows = [row(p, s, rid, f"{where}[{i}][0]") for i, (rid, _) in enumerate(ys)]
    Q = math.lcm(*(q.denominator for _, q in ys)) if ys else 1
    rest = lin([(Q, target)] + [(-q.numerator * (Q // q.denominator), r) for (_, q), r in zip(ys, rows)], Q)
    left = [k for k in rest[0] if k != ONE]
    require(not left, f"{where}: the combination of rows does not match the target (variable {left[0] if left else ''} "
                      "left over)")
    c = Fraction(rest[0].get(ONE, 0), rest[1])
    require(c <= 0, f"{where}: the combination proves only target ≤ {c}")


# --------------------------------------------------------------------------- the tree walk

def walk(p: Problem, tree: object, targets, where: str = "evidence.tree") -> int:
    """Verify a pre-order tree; ``targets(state)`` gives the claim's expressions (each ≤ 0).

    Returns the number of nodes.  Raises CheckFailure at the first failing node.
    """
    require(isinstance(tree, list) and tree, f"{where}: expected a non-empty list of nodes")
    pending: list[tuple[State, int, int]] = []  # (parent state, neuron, start) of "on" children to visit
    state = derive(p, {})
    i = 0
    while True:
        tick()
        require(i < len(tree), f"{where}: the tree ends early (a subtree is missing)")
        node, at = tree[i], f"{where}[{i}]"
        require(isinstance(node, dict) and len(node) >= 1, f"{at}: expected a node object")
        i += 1
        if "split" in node or "fix" in node:
            kind = "split" if "split" in node else "fix"
            require(set(node) == ({"split"} if kind == "split" else {"fix", "sign", "y"}), f"{at}: unexpected fields")
            g = p.neuron(node[kind], f"{at}.{kind}")
            require(state.status[g] == FREE, f"{at}: neuron {node[kind]} is not free here ({state.status[g]})")
            start = p.layer_start[p.ids[g][1]]
            if kind == "split":
                pending.append((state, g, start))
                state = derive(p, {**state.phases, g: OFF}, state, start)
            else:
                sign = node["sign"]
                require(sign in (OFF, ON), f"{at}.sign: expected 'off' or 'on'")
                z = state.z[g]
                implied(p, state, z if sign == OFF else lin([(-1, z)]), node["y"], f"{at}.y")
                state = derive(p, {**state.phases, g: sign}, state, start)
            continue
        if "empty" in node:
            require(set(node) == {"empty"}, f"{at}: unexpected fields")
            implied(p, state, ({ONE: 1}, 1), node["empty"], f"{at}.empty")
        elif "leaf" in node:
            require(set(node) == {"leaf"}, f"{at}: unexpected fields")
            goals = targets(state)
            ys = node["leaf"]
            require(isinstance(ys, list) and len(ys) == len(goals),
                    f"{at}.leaf: expected {len(goals)} multiplier lists")
            for k, (goal, y) in enumerate(zip(goals, ys)):
                implied(p, state, goal, y, f"{at}.leaf[{k}]")
        else:
            raise CheckFailure(f"{at}: unknown node (expected split, fix, empty or leaf)")
        if not pending:
            require(i == len(tree), f"{where}: {len(tree) - i} nodes after the end of the tree")
            return i
        parent, g, start = pending.pop()
        state = derive(p, {**parent.phases, g: ON}, parent, start)


def equivalence_targets(p: Problem):
    """D_i ≤ 0 and −D_i ≤ 0 for D = f_A − f_B, output by output."""
    def targets(s: State) -> list[Expr]:
        out = []
        for ea, eb in zip(outputs(p, s, 0), outputs(p, s, 1)):
            d = lin([(1, ea), (-1, eb)])
            out += [d, lin([(-1, d)])]
        return out
    return targets


def sign_target(g: int, sign: str):
    def targets(s: State) -> list[Expr]:
        return [s.z[g] if sign == "nonpositive" else lin([(-1, s.z[g])])]
    return targets


def exclusive_target(g: int, k: int):
    """M10: z_g ≤ 0 wherever a_k > 0.  A node where a_k is the zero expression (k off, dead, or a
    non-positive constant: a_k = 0 at every true point) needs no target; elsewhere z_g ≤ 0 on the
    whole node (stronger than needed, and what a leaf can state)."""
    def targets(s: State) -> list[Expr]:
        return [] if s.a[k] == EMPTY else [s.z[g]]
    return targets


def _tree(evidence: object) -> object:
    require(isinstance(evidence, dict) and "tree" in evidence, "evidence: expected a region tree")
    require(set(evidence) <= {"method", "tree"} and evidence.get("method", "region-tree") == "region-tree",
            "evidence: expected fields method ('region-tree') and tree")
    return evidence["tree"]


def upto(net: Net, layer: int) -> Net:
    """The layers up to hidden layer ``layer`` and the next (as output): z_layer depends on no
    later layer, so a claim about hidden layers ≤ ``layer`` is the same claim about this prefix
    (and its trees need not derive the later neurons)."""
    require(isinstance(layer, int) and not isinstance(layer, bool) and 0 <= layer < len(net.layers) - 1,
            f"layer: no hidden layer {layer!r}")
    return Net(net.layers[:layer + 2], net.box)


def check_neuron_sign(net: Net, box: Box | None, layer: int, neuron: int, sign: str, evidence: dict) -> None:
    """Verify evidence that z of hidden neuron (layer, neuron) is ≤ 0 ("nonpositive": dead,
    M1) or ≥ 0 ("nonnegative": stably active, M4) for every x in the box (R^d0 if None).

    ``layer`` is 0-based (the output of ``net.layers[layer]``).  Raises CheckFailure."""
    require(sign in ("nonpositive", "nonnegative"), f"sign: expected 'nonpositive' or 'nonnegative', got {sign!r}")
    p = Problem([upto(net, layer)], box)
    g = p.neuron([0, layer, neuron], "neuron")
    walk(p, _tree(evidence), sign_target(g, sign))


def check_exclusive(net: Net, box: Box | None, layer: int, neuron: int, predecessor: int, evidence: dict) -> None:
    """Verify evidence that z of hidden neuron (layer, neuron) is ≤ 0 at every x in the box
    (R^d0 if None) where hidden neuron (layer − 1, predecessor) is active (a > 0): the
    premise of theory §4 M10.  ``layer`` is 0-based and ≥ 1.  Raises CheckFailure."""
    require(isinstance(layer, int) and layer >= 1, "layer: M10 needs a hidden predecessor layer (layer ≥ 1)")
    p = Problem([upto(net, layer)], box)
    g = p.neuron([0, layer, neuron], "neuron")
    k = p.neuron([0, layer - 1, predecessor], "predecessor")
    walk(p, _tree(evidence), exclusive_target(g, k))


@checker("equivalent", "region-tree")
def check_equivalent_tree(claim: dict, evidence: dict) -> None:
    """f_A = f_B on the domain: every leaf of the region tree proves D_i ≤ 0 and −D_i ≤ 0."""
    require(claim.get("statement") == "equivalent", "claim.statement: expected 'equivalent'")
    a, b = claim_networks(claim, ("A", "B"))
    same_shape(a, b, "claim.networks")
    box = claim_domain(claim, a.widths[0])
    p = Problem([a, b], box)
    walk(p, _tree(evidence), equivalence_targets(p))
