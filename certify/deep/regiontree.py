"""Branch-and-certify over neuron signs: the engine behind region-tree certificates.

The certificate format, the lifted space and the soundness theorem are in
``certify.kernel.regiontree`` (theory.md §4.2, complete method A, in lifted form);
this module searches for a tree that the kernel will accept.  At each node:

1. derive the node state with the kernel's own ``derive`` (fixed neurons substituted,
   twins merged — a permuted and rescaled copy costs nothing);
2. for each claim target t (t ≤ 0 must hold), maximise t over the node's rows with
   HiGHS.  Infeasible → an exact Farkas vector (``empty`` leaf).  Optimum ≤ 0 → exact
   multipliers on the dual support (``leaf``).  Otherwise the LP point proposes a
   counterexample, re-checked by exact evaluation;
3. if some target is not proved, pick a free neuron (``_branch_pick``: where two
   networks diverge first, else the earliest layer the LP bound leans on); if its sign
   is forced (max z ≤ 0 or min z ≥ 0, with exact multipliers) emit ``fix``, else
   ``split`` and visit both children.

Exact multipliers come from the float duals by back-substitution (``_Node._absorb``),
else by an exact solve on the dual support or the optimal basis (``polyhedron``).

Floats only propose; every multiplier is exact, and the tree goes to the kernel
before anyone reports it.  The search fails closed: past its node budget or its
deadline it returns "unknown".
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable

import numpy as np

from ..kernel import regiontree as krt
from ..kernel.exact import fmt
from ..kernel.network import Box, Net, affine_maps, evaluate, in_box
from ..network import Network
from .polyhedron import FloatLP, Solution, solve_multipliers

__all__ = ["prove_neuron_sign", "prove_exclusive", "prove_equivalence", "Result", "search", "DEFAULT_BUDGET"]

DEFAULT_BUDGET = 200_000  # nodes
_DYADIC = 2 ** 40


@dataclass
class Result:
    """Outcome of a search: "proved" (tree), "refuted" (exact counterexample) or "unknown"
    (``tree`` then holds the partial tree when the node budget ran out, for inspection)."""

    verdict: str
    tree: list | None = None
    counterexample: tuple | None = None  # (x, fA, fB), exact
    nodes: int = 0
    lps: int = 0
    reason: str = ""
    seconds: float = 0.0
    stats: dict = field(default_factory=dict)


class _FloatCache:
    """Float images of exact expressions as numpy arrays (var ids, values, constant), keyed
    by object identity: children share the parent's unchanged expressions."""

    def __init__(self) -> None:
        self.items: dict[int, tuple] = {}

    def __call__(self, e) -> tuple[np.ndarray, np.ndarray, float]:
        hit = self.items.get(id(e))
        if hit is not None and hit[0] is e:
            return hit[1]
        if len(self.items) > 400_000:
            self.items.clear()
        if isinstance(e, tuple):  # (nums, den) from the kernel
            nums, den = e
            items = [(k, n / den) for k, n in nums.items()]
        else:
            items = [(k, float(v)) for k, v in e.items()]
        keys = np.array([k for k, _ in items if k != krt.ONE], dtype=np.int64)
        vals = np.array([w for k, w in items if k != krt.ONE], dtype=float)
        const = next((w for k, w in items if k == krt.ONE), 0.0)
        val = (keys, vals, const)
        self.items[id(e)] = (e, val)
        return val

    def items_of(self, e) -> list:
        keys, vals, const = self(e)
        out = list(zip(keys.tolist(), vals.tolist()))
        return out + ([(krt.ONE, const)] if const else [])


def _rid(kind: str, ident: tuple) -> tuple:
    return (kind,) + tuple(ident)


class _Node:
    """The float LP of one node, and exact multipliers for the claims it proves."""

    def __init__(self, p: krt.Problem, s: krt.State, floats: _FloatCache):
        self.p, self.s, self.floats = p, s, floats
        self.free = [g for g, st in enumerate(s.status) if st == krt.FREE]
        self._lp: FloatLP | None = None
        self._exact: dict = {}

    @property
    def lp(self) -> FloatLP:
        if self._lp is None:
            self._lp = self._build()
        return self._lp

    def _build(self) -> FloatLP:
        p, s, floats = self.p, self.s, self.floats
        d0 = p.d0
        cols = list(range(d0)) + [d0 + g for g in self.free]
        n = len(cols)
        lo, hi = np.full(n, -np.inf), np.full(n, np.inf)
        lower_rows: list = [None] * n
        upper_rows: list = [None] * n
        if p.box is not None:
            for i, (l, u) in enumerate(p.box):
                lo[i], hi[i] = float(l), float(u)
                lower_rows[i], upper_rows[i] = ("lo", i), ("hi", i)
        rids, keys, vals, consts = [], [], [], []
        for c, g in enumerate(self.free, start=d0):
            ident = p.ids[g]
            lo[c] = 0.0
            lower_rows[c] = _rid("ge0", ident)
            zk, zv, zc = floats(s.z[g])
            var = np.array([d0 + g], dtype=np.int64)
            rids.append(_rid("gez", ident))
            keys.append(np.concatenate([zk, var]))
            vals.append(np.concatenate([zv, [-1.0]]))
            consts.append(zc)
            if p.bounds is not None:
                bl, bu = p.bounds[g]
                slope = float(bu / (bu - bl))
                rids.append(_rid("tri", ident))
                keys.append(np.concatenate([zk, var]))
                vals.append(np.concatenate([-slope * zv, [1.0]]))
                consts.append(-slope * zc + slope * float(bl))
        for g, st in enumerate(s.status):
            if st in (krt.OFF, krt.DEAD, krt.ON, krt.LIVE):
                zk, zv, zc = floats(s.z[g])
                sign = 1.0 if st in (krt.OFF, krt.DEAD) else -1.0
                rids.append(_rid("off" if sign > 0 else "on", p.ids[g]))
                keys.append(zk)
                vals.append(sign * zv)
                consts.append(sign * zc)
        lengths = [len(k) for k in keys]
        starts = np.concatenate([[0], np.cumsum(lengths)]) if keys else np.zeros(1, dtype=np.int64)
        return FloatLP(cols, lo, hi, lower_rows, upper_rows, rids, starts,
                       np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64),
                       np.concatenate(vals) if vals else np.zeros(0), np.array(consts, dtype=float),
                       d0 + len(p.ids))

    def row(self, rid: tuple) -> dict:
        r = self._exact.get(rid)
        if r is None:
            r = self._exact[rid] = krt.row(self.p, self.s, list(rid), "engine")
        return r

    def _absorb(self, target, duals: dict, farkas: bool = False) -> list | None:
        """Exact multipliers from float duals (LP duality, weak direction).

        The float duals choose the multipliers of the fixed neurons' rows and how a negative
        coefficient of a free a_v is split between a_v ≥ 0 and a_v ≥ z_v; every other
        multiplier is then *forced*, free neurons in reverse order (their rows only reach
        back), then the box rows — so the variable coefficients match exactly and only the
        constant can fail (the LP's slack pays for the rounding).  ``farkas``: prove 1 ≤ 0.
        The residual t − Σ y_i r_i is kept as integers over one denominator D.
        """
        p = self.p
        nums, D = ({}, 1) if farkas else (dict(target[0]), target[1])
        y: dict = {}

        def use(rid, q: Fraction) -> None:
            nonlocal nums, D
            if q <= 0:
                return
            y[rid] = y.get(rid, 0) + q
            rn, rd = self.row(rid)
            den = q.denominator * rd
            L = D * den // math.gcd(D, den)
            if L != D:
                f = L // D
                nums = {k: n * f for k, n in nums.items()}
                D = L
            f = q.numerator * (L // den)
            get = nums.get
            for k, n in rn.items():
                v = get(k, 0) - f * n
                if v:
                    nums[k] = v
                else:
                    nums.pop(k, None)

        for rid, d in duals.items():
            if rid[0] in ("off", "on"):
                use(rid, Fraction(d))
        for g in reversed(self.free):
            n = nums.get(p.d0 + g, 0)
            if not n:
                continue
            c = Fraction(n, D)
            ident = p.ids[g]
            if c > 0:
                if p.bounds is None:
                    return None
                use(_rid("tri", ident), c)
            else:
                wz, w0 = duals.get(_rid("gez", ident), 0.0), duals.get(_rid("ge0", ident), 0.0)
                share = Fraction(wz / (wz + w0)) if wz + w0 > 0 else Fraction(0)
                use(_rid("gez", ident), -c * share)
                use(_rid("ge0", ident), -c * (1 - share))
        for i in range(p.d0):
            n = nums.get(i, 0)
            if n and p.box is None:
                return None
            if n > 0:
                use(("hi", i), Fraction(n, D))
            elif n < 0:
                use(("lo", i), Fraction(-n, D))
        if any(k != krt.ONE for k in nums):
            return None
        const = Fraction(nums.get(krt.ONE, 0), D)
        if farkas:  # Σ y r ≡ −const; scale so that it is exactly 1
            if const >= 0:
                return None
            return [[rid, v / -const] for rid, v in y.items()]
        return [[rid, v] for rid, v in y.items()] if const <= 0 else None

    def certify(self, target, sol: Solution) -> list | None:
        y = self._absorb(target, sol.duals or {})
        if y is None:  # exact solve on the dual support, then on the optimal basis
            for support in (sol.support, sol.basis):
                if support:
                    rows = {r: krt.fractions(self.row(r)) for r in support}
                    y = solve_multipliers(rows, krt.fractions(target), support)
                    if y is not None:
                        break
        return None if y is None else _json_y(y)

    def farkas(self) -> list | None:
        found = self.lp.farkas()
        if found is None:
            return None
        duals, s = found
        y = self._absorb(None, {r: d / s for r, d in duals.items()}, farkas=True)
        if y is None:
            support = list(duals)
            rows = {r: krt.fractions(self.row(r)) for r in support}
            y = solve_multipliers(rows, {}, support, farkas=True)
        return None if y is None else _json_y(y)


# Python refuses to print (and json to read) integers of more than 4300 digits, and the
# kernel refuses a number string "p/q" of more than 4300 digits in all (kernel.exact.MAX_DIGITS);
# an exact LP solve can produce multipliers that long.  Such a node counts as unproved (it is
# split or the tree gives up), never as an internal error or a certificate the kernel rejects.
# 14000 bits of numerator and denominator together are at most 14000·log10(2) + 2 < 4300 digits.
MAX_MULTIPLIER_BITS = 14000


def _json_y(y: list) -> list | None:
    for _, v in y:
        q = Fraction(v)
        if abs(q.numerator).bit_length() + q.denominator.bit_length() > MAX_MULTIPLIER_BITS:
            return None
    return [[list(r), fmt(v)] for r, v in y]


def _tolerance(items: list) -> float:
    return 1e-9 * (1.0 + sum(abs(w) for k, w in items if k != krt.ONE))


def _divergence(node: _Node) -> list[int]:
    """Free neurons where two networks part ways (equivalence only; untrusted guidance).

    At the earliest layer with *unmatched* neurons (no proportional neuron in the other
    network): those that are free, plus the free neurons whose variables make an
    unmatched neuron of B differ from its most similar neuron of A (cosine of the float
    expressions) — for a moved neuron, the neuron itself (M4) or, one layer down, the
    neuron whose outgoing weights changed (M1)."""
    p, s = node.p, node.s
    if len(p.nets) < 2:
        return []
    g0, n_all = 0, len(p.ids)
    while g0 < n_all:
        layer = p.ids[g0][1]
        g1 = g0
        while g1 < n_all and p.ids[g1][1] == layer:
            g1 += 1
        nets_of: dict = {}
        for g in range(g0, g1):
            if s.key[g] is not None:
                nets_of.setdefault(s.key[g][0], set()).add(p.ids[g][0])
        unmatched = [g for g in range(g0, g1) if s.key[g] is not None and len(nets_of[s.key[g][0]]) == 1]
        if unmatched:
            break
        g0 = g1
    else:
        return []
    cands = {g for g in unmatched if s.status[g] == krt.FREE}
    side_a = [g for g in unmatched if p.ids[g][0] == 0]
    side_b = [g for g in unmatched if p.ids[g][0] == 1]
    if side_a and side_b:
        dim = p.d0 + n_all

        def vec(g):  # the variable part of z_g (the constant is where a bias move shows)
            keys, vals, _ = node.floats(s.z[g])
            v = np.zeros(dim)
            v[keys] = vals
            return v
        A = np.array([vec(g) for g in side_a])
        for gb in side_b:
            vb = vec(gb)
            both = (A != 0) & (vb != 0)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratios = np.where(both, vb / np.where(A != 0, A, 1.0), np.nan)
            if not both.any():
                continue
            rho = np.nanmedian(np.where(both.any(axis=1, keepdims=True), ratios, 0.0), axis=1)
            off = np.abs(vb - rho[:, None] * A) > 1e-9 * (np.abs(vb) + np.abs(rho[:, None] * A))
            k = int(np.argmin(off.sum(axis=1)))  # the neuron of A that B's differs from least
            cands.update(int(g) for g in np.flatnonzero(off[k, p.d0:]) if s.status[int(g)] == krt.FREE)
    return sorted(cands)


def _scores(node: _Node, sol: Solution | None) -> dict[int, float]:
    """How much an LP bound leans on each free neuron's relaxation: the dual of its tri row
    times the area −ℓu/(u − ℓ) of its triangle (BaBSR-style) on a box, else the violation
    a_v − σ(z_v) at the LP point."""
    p, s, floats = node.p, node.s, node.floats
    point = sol.point if sol is not None else None
    duals = (sol.duals or {}) if sol is not None else {}
    scores = {}
    for g in node.free:
        score = 0.0
        if p.bounds is not None and duals:
            lo, hi = p.bounds[g]
            score = duals.get(_rid("tri", p.ids[g]), 0.0) * float(-lo * hi / (hi - lo))
        if score <= 0 and point is not None:
            keys, vals, const = floats(s.z[g])
            zv = float(vals @ np.array([point.get(k, 0.0) for k in keys.tolist()])) + const if len(keys) else const
            score = 1e-6 * (point.get(p.d0 + g, 0.0) - max(zv, 0.0))
        scores[g] = score
    return scores


def _earliest_top(p: krt.Problem, scores: dict[int, float], allowed=None) -> int | None:
    """Earliest layer among the neurons scoring within 10^-3 of the best, then the best."""
    items = {g: sc for g, sc in scores.items() if allowed is None or g in allowed}
    if not items:
        return None
    top = max(items.values())
    if top <= 0:
        return None
    return min((p.ids[g][1], -sc, g) for g, sc in items.items() if sc >= 1e-3 * top)[2]


def _branch_pick(node: _Node, sol: Solution | None) -> tuple[int, bool]:
    """(free neuron to work on, whether it is where two networks diverge).

    Divergence first (``_divergence``, earliest layer); else, among the neurons the LP bound
    leans on, the earliest layer — splitting early layers tightens everything downstream."""
    scores = _scores(node, sol)
    diverging = _divergence(node)
    if diverging:
        p = node.p
        return min(diverging, key=lambda g: (p.ids[g][1], -scores[g])), True
    g = _earliest_top(node.p, scores)
    return (node.free[0] if g is None else g), False


def search(p: krt.Problem, targets: Callable[[krt.State], list], refute=None, budget: int = DEFAULT_BUDGET,
           deadline: float | None = None, first: int | None = None) -> Result:
    """Depth-first branch-and-certify; see the module docstring.  ``deadline`` is a
    ``time.perf_counter()`` value.  ``first``: a neuron to branch on whenever it is free (a
    conditional claim, M10: the predecessor's phase decides whether a leaf has a target)."""
    start_t = time.perf_counter()
    floats = _FloatCache()
    tree: list = []
    stack: list = [("root", None, None, None)]
    nodes = lps = 0
    stats = {"splits": 0, "fixes": 0, "empty": 0, "leaves": 0}

    def solve(node: _Node, items: list, clamp: float = 0.0) -> Solution:
        nonlocal lps
        lps += 1
        remaining = None if deadline is None else max(deadline - time.perf_counter(), 0.01)
        return node.lp.maximize(items, remaining, clamp)

    def done(verdict: str, **kw) -> Result:
        return Result(verdict, nodes=nodes, lps=lps, seconds=time.perf_counter() - start_t, stats=stats, **kw)

    while stack:
        tag, parent, g_changed, phase = stack.pop()
        if tag == "root":
            state = krt.derive(p, {})
        else:
            st = p.layer_start[p.ids[g_changed][1]]
            state = krt.derive(p, {**parent.phases, g_changed: phase}, parent, st)
        while True:  # process this node; fixes continue in place
            nodes += 1
            if nodes > budget:
                return done("unknown", reason=f"node budget {budget} exhausted", tree=tree)
            if deadline is not None and time.perf_counter() > deadline:
                return done("unknown", reason="timeout")
            node = _Node(p, state, floats)
            ys: list = []
            open_sol: Solution | None = None
            last_status = "infeasible"
            unproved = emptied = False
            for goal in targets(state):
                if all(k == krt.ONE for k in goal[0]) and goal[0].get(krt.ONE, 0) <= 0:
                    ys.append([])
                    continue
                items = floats.items_of(goal)
                sol = solve(node, items)
                if sol.status == "unbounded":
                    # HiGHS may mean "unbounded or infeasible": look for a point in growing boxes
                    # (a counterexample far away), else ask the elastic LP whether it is empty
                    for clamp in (1e3, 1e6, 1e9, 1e12):
                        sol = solve(node, items, clamp)
                        if sol.status != "optimal" or refute is None or sol.value <= _tolerance(items):
                            continue
                        cex = refute(sol.point)
                        if cex is not None:
                            return done("refuted", counterexample=cex)
                    if sol.status == "optimal" and sol.value <= _tolerance(items):
                        sol = Solution("unbounded")  # a bound ≤ 0 only thanks to the clamp proves nothing
                    elif sol.status != "optimal":
                        sol = Solution("infeasible" if node.lp.farkas() is not None else "unbounded")
                if sol.status == "infeasible":
                    y = node.farkas()
                    if y is not None:
                        tree.append({"empty": y})
                        stats["empty"] += 1
                        emptied = True
                        break
                    unproved = True
                    break
                if sol.status == "optimal" and sol.value <= _tolerance(items):
                    y = node.certify(goal, sol)
                    if y is not None:
                        ys.append(y)
                        continue
                if sol.status == "optimal" and refute is not None:
                    cex = refute(sol.point)
                    if cex is not None:
                        return done("refuted", counterexample=cex)
                open_sol = sol if sol.status == "optimal" else None
                last_status = f"{sol.status} {sol.reason}".strip()
                unproved = True
                break
            if emptied:
                break
            if not unproved:
                tree.append({"leaf": ys})
                stats["leaves"] += 1
                break
            if not node.free:
                value = last_status if open_sol is None else f"{open_sol.value:.3g}"
                return done("unknown", reason="a region with every neuron fixed could not be certified "
                                              f"(float LP optimum {value}; no exact LP fallback)")
            g, diverging = (first, False) if first is not None and first in node.free else _branch_pick(node, open_sol)
            ident = list(p.ids[g])
            forced = None
            tries = []
            # is its sign forced?  The likelier side first (the LP point's side of z_v = 0)
            zitems = floats.items_of(state.z[g])
            z_at = None
            if open_sol is not None and open_sol.point is not None:
                z_at = sum(w * (1.0 if k == krt.ONE else open_sol.point.get(k, 0.0)) for k, w in zitems)
            order = ((krt.OFF, 1), (krt.ON, -1)) if z_at is None or z_at <= 0 else ((krt.ON, -1), (krt.OFF, 1))
            for sign, zsign in order:
                target = state.z[g] if zsign == 1 else krt.lin([(-1, state.z[g])])
                items = [(k, zsign * w) for k, w in zitems]
                sol = solve(node, items)
                tries.append(sol)
                if sol.status == "optimal" and sol.value <= _tolerance(items):
                    y = node.certify(target, sol)
                    if y is not None:
                        forced = (sign, y)
                        break
            if forced is None and diverging:
                # not forced yet: split where the closer of the two sign LPs leans, upstream of g
                best = min((t for t in tries if t.status == "optimal"), key=lambda t: t.value, default=None)
                if best is not None:
                    upstream = {h for h in node.free if p.ids[h][1] < p.ids[g][1]}
                    h = _earliest_top(p, _scores(node, best), upstream)
                    if h is not None:
                        g, ident = h, list(p.ids[h])
            st = p.layer_start[p.ids[g][1]]
            if forced is not None:
                tree.append({"fix": ident, "sign": forced[0], "y": forced[1]})
                stats["fixes"] += 1
                state = krt.derive(p, {**state.phases, g: forced[0]}, state, st)
                continue
            tree.append({"split": ident})
            stats["splits"] += 1
            stack.append(("child", state, g, krt.ON))
            state = krt.derive(p, {**state.phases, g: krt.OFF}, state, st)
    return done("proved", tree=tree)


# --------------------------------------------------------------------------- entry points

def _rational_point(point: dict, d0: int, box: Box | None, scale: int = _DYADIC) -> list[Fraction]:
    x = []
    for i in range(d0):
        q = Fraction(round(point.get(i, 0.0) * scale), scale)
        if box is not None:
            q = min(max(q, box[i][0]), box[i][1])
        x.append(q)
    return x


def equivalence_refuter(a: Net, b: Net, box: Box | None):
    """LP point → exact (x, f_A(x), f_B(x)) if f_A(x) ≠ f_B(x) there, else None."""
    ma, mb = affine_maps(a), affine_maps(b)
    d0 = a.widths[0]

    def refute(point: dict | None):
        if point is None:
            return None
        for bits in (6, 16, 40):  # short numbers first: the same point, coarser dyadic roundings
            x = _rational_point(point, d0, box, 2 ** bits)
            if in_box(x, box):
                fa, fb = evaluate(ma, x), evaluate(mb, x)
                if fa != fb:
                    return x, fa, fb
        return None
    return refute


def _deadline(timeout: float | None, deadline: float | None) -> float | None:
    if timeout is not None:
        t = time.perf_counter() + timeout
        return t if deadline is None else min(t, deadline)
    return deadline


def _point_refuter(net: Net, box: Box | None, layer: int, neuron: int, wrong):
    """LP point → the point (exact) where ``wrong(z)`` holds of the exact pre-activations z
    (every layer): a point that makes the claim about (layer, neuron) false."""
    from ..kernel.network import preactivations
    maps = affine_maps(net)

    def refute(point: dict | None):
        if point is None:
            return None
        for bits in (6, 16, 40):
            x = _rational_point(point, net.widths[0], box, 2 ** bits)
            z = preactivations(maps, x)
            if in_box(x, box) and wrong(z):
                return x, (z[layer][neuron],), ()
        return None
    return refute


def _sign_refuter(net: Net, box: Box | None, layer: int, neuron: int, sign: str):
    """The neuron has the wrong strict sign at the point."""
    if sign == "nonpositive":
        return _point_refuter(net, box, layer, neuron, lambda z: z[layer][neuron] > 0)
    return _point_refuter(net, box, layer, neuron, lambda z: z[layer][neuron] < 0)


def prove_equivalence(a: Network | Net, b: Network | Net, box: Box | None = None, budget: int = DEFAULT_BUDGET,
                      timeout: float | None = None, deadline: float | None = None) -> Result:
    """Search a region tree proving f_A = f_B on the box (R^d0 if None), or an exact counterexample.

    ``timeout`` in seconds (``deadline``: a ``time.perf_counter()`` value); past either,
    or past ``budget`` nodes, the verdict is "unknown"."""
    deadline = _deadline(timeout, deadline)
    na = a.net if isinstance(a, Network) else a
    nb = b.net if isinstance(b, Network) else b
    p = krt.Problem([na, nb], box)
    return search(p, krt.equivalence_targets(p), equivalence_refuter(na, nb, box), budget, deadline)


def prove_neuron_sign(network: Network | Net, layer: int, neuron: int, box: Box | None, sign: str,
                      budget: int = 20_000, timeout: float | None = None, deadline: float | None = None,
                      outcome: list | None = None, found: list | None = None) -> dict | None:
    """Evidence that z of hidden neuron (layer, neuron) is ≤ 0 (sign "nonpositive": dead, M1) or
    ≥ 0 ("nonnegative": stably active, M4) for every x in the box (R^d0 if None), or None.

    ``layer`` is 0-based: the output of ``network.layers[layer]``.  The evidence
    ``{"method": "region-tree", "tree": [...]}`` is checked by
    ``certify.kernel.regiontree.check_neuron_sign``; it has been checked already when
    returned.  None means "not proved within the budget" (``budget`` nodes, ``timeout``
    seconds), never "false".  ``outcome`` (a list) receives the search verdict: "proved",
    "refuted" (a point of the wrong strict sign, appended to ``found`` if given) or "unknown"
    (budget or time).
    """
    if sign not in ("nonpositive", "nonnegative"):
        raise ValueError(f"sign must be 'nonpositive' or 'nonnegative', not {sign!r}")
    deadline = _deadline(timeout, deadline)
    net = network.net if isinstance(network, Network) else network
    p = krt.Problem([krt.upto(net, layer)], box)  # the kernel checks the same prefix
    g = p.index.get((0, layer, neuron))
    if g is None:
        raise ValueError(f"no hidden neuron ({layer}, {neuron})")
    result = search(p, krt.sign_target(g, sign), _sign_refuter(net, box, layer, neuron, sign), budget, deadline)
    if found is not None and result.counterexample is not None:  # the exact point of the wrong strict sign
        found.append(result.counterexample[0])
    return _checked(result, outcome, lambda ev: krt.check_neuron_sign(net, box, layer, neuron, sign, ev))


def _checked(result: Result, outcome: list | None, check) -> dict | None:
    """The evidence of a proved search, once ``check`` (the kernel's checker) accepts its JSON
    form, else None; ``outcome`` (a list, if given) receives the search verdict."""
    if outcome is not None:
        outcome.append(result.verdict)
    if result.verdict != "proved":
        return None
    evidence = {"method": "region-tree", "tree": result.tree}
    try:
        check(_json_roundtrip(evidence))
    except krt.CheckFailure:
        return None
    return evidence


def _exclusive_refuter(net: Net, box: Box | None, layer: int, neuron: int, predecessor: int):
    """The predecessor is active and the neuron too at the point: M10 is false."""
    return _point_refuter(net, box, layer, neuron,
                          lambda z: z[layer - 1][predecessor] > 0 and z[layer][neuron] > 0)


def prove_exclusive(network: Network | Net, layer: int, neuron: int, predecessor: int, box: Box | None,
                    budget: int = 20_000, timeout: float | None = None, deadline: float | None = None,
                    outcome: list | None = None) -> dict | None:
    """Evidence that z of hidden neuron (layer, neuron) is ≤ 0 wherever hidden neuron
    (layer − 1, predecessor) is active, on the box (R^d0 if None) — theory §4 M10 — or None.

    The tree branches on the predecessor first (its off side needs no target); the evidence
    ``{"method": "region-tree", "tree": [...]}`` is checked by
    ``certify.kernel.regiontree.check_exclusive`` before it is returned.  None means "not proved
    within the budget", or "false" when the search met a point where both are active (``outcome``,
    a list, receives "proved", "refuted" or "unknown", as for ``prove_neuron_sign``)."""
    if layer < 1:
        raise ValueError("M10 needs a hidden predecessor layer (layer ≥ 1)")
    deadline = _deadline(timeout, deadline)
    net = network.net if isinstance(network, Network) else network
    p = krt.Problem([krt.upto(net, layer)], box)  # the kernel checks the same prefix
    g, k = p.index.get((0, layer, neuron)), p.index.get((0, layer - 1, predecessor))
    if g is None or k is None:
        raise ValueError(f"no hidden neurons ({layer}, {neuron}) and ({layer - 1}, {predecessor})")
    result = search(p, krt.exclusive_target(g, k), _exclusive_refuter(net, box, layer, neuron, predecessor),
                    budget, deadline, first=k)
    return _checked(result, outcome, lambda ev: krt.check_exclusive(net, box, layer, neuron, predecessor, ev))


def _json_roundtrip(obj):
    import json
    return json.loads(json.dumps(obj))
