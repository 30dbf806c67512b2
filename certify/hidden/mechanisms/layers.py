"""Mechanisms inside a layer pair: M2, M6, M8, M9, M13 (theory.md §3.3–3.4, §4).

Around hidden layer t the network computes y ↦ W_{t+1} σ(W_t y + b_t) + b_{t+1} on the
image of layer t − 1, a one-hidden-layer network on R^{d_{t−1}}.  Every hidden symmetry
of that shallow map on all of R^{d_{t−1}} is one of the whole network (equal maps give
equal downstream values), so the conditions (C1)–(C6) of Theorem 3.3 detect:

* (C1) a neuron without outgoing weights → M2;   (C3) two neurons on one oriented
  hyperplane (twins) → M6;   (C4) an opposite pair that is a linear unit → M9;
* (C5) dependent pair normals, and (C6) pair moves / linear units → M13;
* (C6) with R = ∅ and Σ_T F_j = 0 exactly → a plain flip, M8 (D = R^{d_{t−1}}).

For t ≥ 1 a flip also works when M_T only vanishes on the image: M_T = Σ_i u_i c_i^T for
affine relations c_i·a_{t−1} = κ_i (dead predecessors, dependent stably active ones), M8.
Witness moves are kernel ``shallow`` moves (the canonical form of the layer pair is
unchanged, Theorem 3.1) or kernel ``flip`` moves.  (C2) constant neurons are left to the
sign facts (their pre-activation is the constant b, so intervals decide them: M3).
"""
from __future__ import annotations

import random
from fractions import Fraction
from typing import Iterable

import numpy as np

from ...shallow import canonical as shallow
from ...shallow.fiber import Pair, free_row, pair_relation, realise_move, redistribute, slide, twins
from ...kernel.exact import fmt, int_row
from ...kernel.honest import Budget, Shallow, groups, realisable_move, structure
from ...kernel.linalg import nullspace_q, rank_mod_p
from ...kernel.network import Net
from ...kernel.shallow import canonical_to_json
from ...kernel.subsetsum import TooExpensive, solve01
from ...network import Box, Network
from .facts import DEAD, Facts, relation_json
from .finding import Finding
from .neurons import PRIME, active_relations

ONE = Fraction(1)
# Exact layer-pair analysis is skipped (and reported) beyond this many flip-matrix entries.
MAX_ENTRIES = 4_000_000


def _step_json(step: dict) -> dict:
    if "constant" in step:
        return {"constant": True}
    return {"key": step["key"], "sign": step["sign"], "scale": fmt(step["scale"])}


def shallow_move(network: Network, t: int, pair: Pair) -> dict:
    """A kernel ``shallow`` move replacing layers t, t+1 by ``pair`` (derivations included)."""
    old_h, old_o = network.layers[t], network.layers[t + 1]
    new_h, new_o = pair.layers()
    entries: list[list] = []
    for i, (r0, r1) in enumerate(zip(old_h.weight, new_h.weight)):
        entries += [["in", i, j, fmt(y)] for j, (x, y) in enumerate(zip(r0, r1)) if x != y]
    entries += [["in-bias", i, fmt(y)] for i, (x, y) in enumerate(zip(old_h.bias, new_h.bias)) if x != y]
    for r, (r0, r1) in enumerate(zip(old_o.weight, new_o.weight)):
        entries += [["out", r, i, fmt(y)] for i, (x, y) in enumerate(zip(r0, r1)) if x != y]
    entries += [["out-bias", r, fmt(y)] for r, (x, y) in enumerate(zip(old_o.bias, new_o.bias)) if x != y]
    der = shallow.derive({"A": Network(Net((old_h, old_o))), "B": Network(Net((new_h, new_o)))}, None)
    return {"move": "shallow", "layer": t, "set": entries, "domain": "whole",
            "keys": [[str(x) for x in k] for k in der.keys],
            "derivations": {n: [_step_json(s) for s in steps] for n, steps in der.steps.items()},
            "canonical": canonical_to_json(der.forms["A"])}


def fix_constant(network: Network, t: int, pair: Pair) -> Pair | None:
    """Set the output bias of ``pair`` so that its canonical form equals the original's (or None)."""
    old = Network(Net((network.layers[t], network.layers[t + 1])))
    new = Network(Net(pair.layers()))
    forms = shallow.derive({"A": old, "B": new}, None).forms
    (A0, c0, terms0), (A1, c1, terms1) = forms["A"], forms["B"]
    if A0 != A1 or terms0 != terms1:
        return None
    pair.c = [x + (y - z) for x, y, z in zip(pair.c, c0, c1)]
    return pair


def _pair(network: Network, t: int) -> Pair:
    return Pair.of(network.layers[t], network.layers[t + 1])


def _sub(network: Network, t: int) -> Net:
    return Net((network.layers[t], network.layers[t + 1]))


def layer_findings(network: Network, box: Box | None, facts: Facts, budget: int = 1 << 16,
                   notes: list[str] | None = None) -> list[Finding]:
    notes = notes if notes is not None else []
    out: list[Finding] = []
    for t in range(len(network.layers) - 1):
        sh = structure(_sub(network, t))
        out += _c1(network, box, t, sh)
        out += _c3(network, box, t, sh)
        pairs, singles, ok = _pairs(sh)
        out += _c4(network, box, t, sh, pairs)
        out += _c5(network, box, t, sh, pairs)
        if not ok:  # the §3.4 structure is absent: search plain flips among the usable neurons
            found = _plain_flips(network, box, t, sh, budget, notes)
            notes.append(f"hidden layer {t}: (C1)–(C3) fail, pair moves not searched")
        else:
            found = _c6(network, box, t, sh, pairs, singles, budget, notes)
        out += found
        if t >= 1 and not found:
            out += _deep_flips(network, box, t, sh, facts, budget, notes)
    return out


def _c1(network: Network, box: Box | None, t: int, sh: Shallow) -> list[Finding]:
    out = []
    for i in range(sh.n):
        if any(sh.a[i]):
            continue

        def build(delta: Fraction, i=i) -> Iterable[list[dict]]:
            yield [shallow_move(network, t, free_row(_pair(network, t), i, delta))]
            yield [shallow_move(network, t, free_row(_pair(network, t), i, -delta))]

        out.append(Finding("M2", True, f"neuron [{t}, {i}]: no outgoing weights",
                           network, box, build, t, (i,)))
    return out


def _c3(network: Network, box: Box | None, t: int, sh: Shallow) -> list[Finding]:
    out = []
    for key, members in groups(sh).items():
        for sign in (1, -1):
            same = [i for i in members if sh.sign[i] == sign]
            if len(same) < 2:
                continue
            j, k = same[0], same[1]
            lam = sh.scale[k] / sh.scale[j]

            def build(delta: Fraction, j=j, k=k, lam=lam) -> Iterable[list[dict]]:
                s = delta / max(ONE, 1 / lam)
                for r in range(sh.m):
                    v = [Fraction(0)] * sh.m
                    v[r] = ONE
                    yield [shallow_move(network, t, twins(_pair(network, t), j, k, s, v))]

            out.append(Finding("M6", True, f"hidden layer {t}, neurons {j} and {k}: twins "
                               f"(incoming rows proportional, factor {fmt(lam)} > 0)", network, box, build, t, (j, k)))
    return out


def _pairs(sh: Shallow) -> tuple[list[tuple[int, int]], list[int], bool]:
    """Opposite pairs and singles; ok = False if (C1)–(C3) fail (the §3.4 structure is absent)."""
    pairs, singles, ok = [], [], True
    if any(not any(a) for a in sh.a) or any(k is None for k in sh.key):
        ok = False
    for members in groups(sh).values():
        plus = [i for i in members if sh.sign[i] == 1]
        minus = [i for i in members if sh.sign[i] == -1]
        if len(plus) > 1 or len(minus) > 1:
            ok = False
        if plus and minus:
            pairs.append((plus[0], minus[0]))
        elif len(members) == 1:
            singles.append(members[0])
    return sorted(pairs), sorted(singles), ok


def _c4(network: Network, box: Box | None, t: int, sh: Shallow, pairs) -> list[Finding]:
    out = []
    for j, k in pairs:
        if any(sh.scale[j] * x + sh.scale[k] * y for x, y in zip(sh.a[j], sh.a[k])):
            continue
        lam = sh.scale[k] / sh.scale[j]

        def build(delta: Fraction, j=j, k=k, lam=lam) -> Iterable[list[dict]]:
            s = delta / max([ONE, lam] + [abs(x) for x in sh.a[j]])
            for v in (s, -s):
                yield [shallow_move(network, t, slide(_pair(network, t), j, k, v))]

        out.append(Finding("M9", True, f"hidden layer {t}, neurons {j} and {k}: an opposite pair forming a "
                           "linear unit", network, box, build, t, (j, k)))
    return out


def _c5(network: Network, box: Box | None, t: int, sh: Shallow, pairs) -> list[Finding]:
    if len(pairs) < 2:
        return []
    if rank_q_normals(sh, pairs) == len(pairs):
        return []
    relation = pair_relation(sh, pairs)
    betas = [Fraction(sh.key[p][-1]) for p, _ in pairs]  # type: ignore[index]

    def build(delta: Fraction) -> Iterable[list[dict]]:
        big = max([ONE, abs(sum((c * b for c, b in zip(relation, betas)), Fraction(0)))] +
                  [abs(c) / sh.scale[i] for c, pr in zip(relation, pairs) for i in pr])
        for r in range(sh.m):
            u = [Fraction(0)] * sh.m
            u[r] = ONE
            yield [shallow_move(network, t, redistribute(_pair(network, t), sh, pairs, relation, delta / big, u))]

    used = [pr for c, pr in zip(relation, pairs) if c]
    return [Finding("M13", True, f"hidden layer {t}: opposite pairs {used} have dependent normals "
                    "(negative mass can be redistributed, C5)", network, box, build, t,
                    tuple(i for pr in used for i in pr))]


def rank_q_normals(sh: Shallow, pairs) -> int:
    from ...kernel.linalg import rank_q
    return rank_q([[Fraction(x) for x in sh.normal(p)] for p, _ in pairs])


def _too_big(sh: Shallow) -> bool:
    return sh.n * sh.m * sh.d > MAX_ENTRIES


def _no_flips_by_projection(sh: Shallow, basis: list[list[Fraction]] | None = None, seed: int = 0) -> bool:
    """True if no non-empty T has Σ_T F_j B = 0 (B = ``basis`` columns, identity if None), proved by
    the rank of random projections: rank_p[(P a_j) ⊗ (Q B^T w_j)]_j = n forces rank F = n (κ = 0).

    Each column is scaled to integers first (a positive multiple of F_j: the rank is the same)."""
    n = sh.n
    dim = sh.d if basis is None else len(basis)
    if dim == 0:
        return False
    rng = random.Random(seed)
    r = min(sh.m, int(np.ceil(np.sqrt(n + 4))) + 1)
    c = min(dim, -(-(n + 4) // r))
    if r * c < n:
        return False
    P = [[rng.randint(-5, 5) for _ in range(sh.m)] for _ in range(r)]
    Qm = [[rng.randint(-5, 5) for _ in range(dim)] for _ in range(c)]
    if basis is not None:  # Q B^T: combinations of the basis vectors, as integer rows
        Qm = [list(int_row([sum((q * u[k] for q, u in zip(row, basis)), Fraction(0)) for k in range(sh.d)])[0])
              for row in Qm]
    cols = []
    for i in range(n):
        a, _ = int_row(sh.a[i])
        w, _ = int_row(sh.w[i])
        pa = [sum(x * y for x, y in zip(row, a)) for row in P]
        qw = [sum(x * y for x, y in zip(row, w)) for row in Qm]
        cols.append([(x * y) % PRIME for x in pa for y in qw])
    rows = [[cols[i][k] for i in range(n)] for k in range(len(cols[0]))]
    return rank_mod_p(rows, PRIME) == n


def _c6(network: Network, box: Box | None, t: int, sh: Shallow, pairs, singles, budget, notes) -> list[Finding]:
    if _too_big(sh):
        if not pairs and _no_flips_by_projection(sh):
            return []  # proved: no flip exists in this layer pair (and no pair moves without pairs)
        notes.append(f"hidden layer {t}: layer pair too large for the exact flip/pair-move search")
        return []
    if not pairs and _no_flips_by_projection(sh):
        return []
    try:
        move = realisable_move(sh, pairs, singles, Budget(budget))
    except TooExpensive as e:
        notes.append(f"hidden layer {t}: flip/pair-move search over budget ({e.cost} patterns)")
        return []
    if move is None:
        return []
    found = move_finding(network, box, t, move, sh, pairs)
    return [found] if found is not None else []


def _plain_flips(network: Network, box: Box | None, t: int, sh: Shallow, budget, notes) -> list[Finding]:
    """A zero subset sum Σ_T a_j w_j^T = 0 among neurons with a_j ≠ 0 and w_j ≠ 0 (M8)."""
    usable = [i for i in range(sh.n) if any(sh.a[i]) and sh.key[i] is not None]
    if not usable or sh.n * sh.m * sh.d > MAX_ENTRIES:
        return []
    try:
        found = solve01([sh.flip(i) for i in usable], None, True, budget, dim=sh.m * sh.d)
    except TooExpensive as e:
        notes.append(f"hidden layer {t}: flip search over budget ({e.cost} patterns)")
        return []
    if not found:
        return []
    move = {"R": [], "remove": [], "A": [], "g": 0, "T": [usable[i] for i in found]}
    f = move_finding(network, box, t, move, sh, [])
    return [f] if f is not None else []


def move_finding(network: Network, box: Box | None, t: int, move: dict, sh: Shallow | None = None,
                 pairs=None) -> Finding | None:
    """The finding for a realisable (C6) move of the layer pair around hidden layer t."""
    if sh is None:
        sh = structure(_sub(network, t))
        pairs = _pairs(sh)[0]
    T = move["T"]
    pure = not move["R"] and not any(sum((sh.flip(i)[e] for i in T), Fraction(0)) for e in range(sh.m * sh.d))
    if pure:
        def build(delta: Fraction) -> Iterable[list[dict]]:
            yield [{"move": "flip", "layer": t, "neurons": T, "relations": []}]

        return Finding("M8", False, f"hidden layer {t}, neurons {T}: flip (Σ_T W_next[:, j] W[j, :] = 0)",
                       network, box, build, t, tuple(T))

    def build_move(delta: Fraction) -> Iterable[list[dict]]:
        for seed in range(4):
            p = realise_move(_pair(network, t), sh, pairs, move, seed)
            if p is not None and fix_constant(network, t, p) is not None:
                yield [shallow_move(network, t, p)]

    what = "pair move" if move["R"] else "flip compensated by pairs"
    if move["g"]:
        what = f"{move['g']} new linear unit(s) from collapsed pairs"
    return Finding("M13", False, f"hidden layer {t}: {what} (C6: R = {move['R']}, A' = {move['A']}, "
                   f"T = {T})", network, box, build_move, t,
                   tuple(sorted({i for pr in move['R'] for i in pr} | set(T))))


def _deep_flips(network: Network, box: Box | None, t: int, sh: Shallow, facts: Facts, budget, notes) -> list[Finding]:
    """M8 at t ≥ 1: Σ_T F_j vanishing on the affine relations of the image of layer t − 1."""
    width = len(network.layers[t - 1].bias)
    relations: list[tuple[list[Fraction], Fraction]] = []
    for k in facts.layer(t - 1, DEAD):
        c = [Fraction(0)] * width
        c[k] = ONE
        relations.append((c, Fraction(0)))
    relations += active_relations(network, t - 1, facts)
    if not relations or _too_big(sh):
        return []
    basis = nullspace_q([c for c, _ in relations], sh.d)  # D-directions: c·y = 0 for every relation
    if basis and _no_flips_by_projection(sh, basis):
        return []
    if not basis:
        cols = [[] for _ in range(sh.n)]
    else:
        cols = [sh.projected_flip(i, basis) for i in range(sh.n)]
    try:
        T = solve01(cols, None, True, budget, dim=sh.m * len(basis))
    except TooExpensive:
        notes.append(f"hidden layer {t}: flip search on the image over budget")
        return []
    if T is None:
        return []
    M = [[sum((sh.a[j][r] * sh.w[j][i] for j in T), Fraction(0)) for i in range(sh.d)] for r in range(sh.m)]
    from ...shallow.fiber import _solve
    U = []
    rng = random.Random(0)
    for r in range(sh.m):
        y = _solve([c for c, _ in relations], M[r], rng)
        if y is None:
            return []
        U.append(y)
    rel_json = [relation_json(t - 1, c, kappa, facts) for c, kappa in relations]

    def build(delta: Fraction) -> Iterable[list[dict]]:
        items = [{"relation": rj, "direction": [fmt(U[r][i]) for r in range(sh.m)]}
                 for i, rj in enumerate(rel_json) if any(U[r][i] for r in range(sh.m))]
        yield [{"move": "flip", "layer": t, "neurons": T, "relations": items}]

    return [Finding("M8", False, f"hidden layer {t}, neurons {T}: flip (M_T vanishes on the image of "
                    f"layer {t})", network, box, build, t, tuple(T))]


__all__ = ["layer_findings", "shallow_move", "fix_constant", "move_finding"]
