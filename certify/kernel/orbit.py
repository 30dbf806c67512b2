"""The group G = Pr ⋉ Sc of permutations and positive rescalings (theory.md §1).

A group element is a pair (perms, scales): for every hidden layer t, ``perms[t][i]``
is the position in B of neuron i of A, and ``scales[t][i] > 0`` multiplies the
incoming row of that neuron (its outgoing column is divided by it).  Invariance:
σ(λz) = λσ(z) for λ > 0, so f_{g·θ} = f_θ.

B ∈ G·A is shown by a group element (``check_group_element``); B ∉ G·A by a
separation proof (``check_separation``) that the producer finds by search and the
kernel follows step by step, without searching.  The proof rests on:

1. Sc-normalise both networks layer by layer: a neuron whose incoming row
   (restricted to non-free inputs, bias included) is nonzero is scaled to ℓ1 norm 1;
   otherwise it is *free* — it computes 0 identically and its scale stays open.
   ℓ1 norms are permutation invariant, so if B = g·A then B̂ = (π, μ)·Â with μ = 1 on
   non-free neurons (induction over layers).
2. Colour refinement (1-WL) on the layered weighted graphs of Â and B̂ together,
   with exact weights as edge labels (signs only on edges at free neurons, whose
   scale is still open).  Colours are invariant under every isomorphism, so
   different colour-class sizes prove B ∉ G·A.
3. Individualisation: a vertex v of A in a non-trivial class goes to some w of B in
   that class under every isomorphism, so one branch per w covers all of them.  At a
   discrete colouring the one remaining bijection is checked exactly and the scales of
   free neurons are solved along the edges (ratios must be positive and consistent).

Trusts: ``exact`` (numbers), ``network`` (the parsed layers), ``clock`` (the deadline).
"""
from __future__ import annotations

from collections import deque
from fractions import Fraction
from typing import Sequence

from .clock import tick
from .exact import int_row
from .network import Net
from .registry import require

Perms = list[list[int]]
Scales = list[list[Fraction]]
ONE = Fraction(1)


def check_group_element(a: Net, b: Net, perms: Sequence[Sequence[int]],
                        scales: Sequence[Sequence[Fraction]]) -> str | None:
    """None if (perms, scales) is a group element with g·A = B exactly, else the reason.

    Entry by entry, B[π i][π j] = λ_i A[i][j] / λ_j is checked by cross-multiplying integers
    (rows over a common denominator, λ = p/q), which avoids building g·A in Fractions.
    """
    reason = invalid_element(a, b, perms, scales)
    if reason is not None:
        return reason
    layers = len(a.layers)
    prev_perm: Sequence[int] = range(a.widths[0])
    prev_p: Sequence[int] = [1] * a.widths[0]  # λ_{t-1, j} = prev_p[j] / prev_q[j]
    prev_q: Sequence[int] = [1] * a.widths[0]
    for t in range(layers):
        la, lb = a.layers[t], b.layers[t]
        last = t == layers - 1
        perm = range(len(la.bias)) if last else perms[t]
        lam = [Fraction(1)] * len(la.bias) if last else scales[t]
        for i, (row, bias) in enumerate(zip(la.weight, la.bias)):
            pi = perm[i]
            if lb.bias[pi] != lam[i] * bias:
                return f"g·A and B differ at layers[{t}].bias[{pi}]"
            na, da = int_row(row)
            nb, db = int_row(lb.weight[pi])
            # nb[πj]/db = (p_i/q_i) · na[j]/da · q_j/p_j  ⟺  nb[πj]·q_i·da·p_j = na[j]·p_i·db·q_j
            left, right = lam[i].denominator * da, lam[i].numerator * db
            for j, x in enumerate(na):
                if nb[prev_perm[j]] * left * prev_p[j] != x * right * prev_q[j]:
                    return f"g·A and B differ at layers[{t}].weight[{pi}][{prev_perm[j]}]"
        prev_perm = perm
        prev_p = [x.numerator for x in lam]
        prev_q = [x.denominator for x in lam]
    return None


def invalid_element(a: Net, b: Net, perms: Sequence[Sequence[int]],
                    scales: Sequence[Sequence[Fraction]]) -> str | None:
    """None if A and B have one architecture and (perms, scales) is an element of G, else why not."""
    if a.widths != b.widths:
        return f"architectures differ: {a.widths} vs {b.widths}"
    hidden = a.widths[1:-1]
    if len(perms) != len(hidden) or len(scales) != len(hidden):
        return f"expected {len(hidden)} hidden layers of permutations and scales"
    for t, n in enumerate(hidden):
        if sorted(perms[t]) != list(range(n)):
            return f"perms[{t}] is not a permutation of 0..{n - 1}"
        if len(scales[t]) != n:
            return f"scales[{t}] has {len(scales[t])} entries, expected {n}"
        for i, s in enumerate(scales[t]):
            if not s > 0:
                return f"scales[{t}][{i}] = {s} is not positive"
    return None


# --------------------------------------------------------------------------- Sc-normal form

class NormalForm:
    """Â = n·θ with ℓ1-normalised non-free rows; ``lam`` are the scales used."""

    def __init__(self, net: Net):
        w = [[list(r) for r in l.weight] for l in net.layers]
        b = [list(l.bias) for l in net.layers]
        free_prev = [False] * len(w[0][0])
        self.free: list[list[bool]] = []
        self.lam: list[list[Fraction]] = []
        for t in range(len(w) - 1):
            free_t, lam_t = [], []
            for i, row in enumerate(w[t]):
                s = sum(abs(x) for x, f in zip(row, free_prev) if not f) + abs(b[t][i])
                if s == 0:
                    free_t.append(True)
                    lam_t.append(ONE)
                    continue
                free_t.append(False)
                lam_t.append(1 / s)
                w[t][i] = [x / s for x in row]
                b[t][i] = b[t][i] / s
                for nxt in w[t + 1]:
                    nxt[i] *= s
            self.free.append(free_t)
            self.lam.append(lam_t)
            free_prev = free_t
        self.w, self.b = w, b


def _label(x: Fraction, free_edge: bool) -> tuple:
    # Edges at a free neuron carry a scale that is still open: only the sign is invariant.
    return (1, (x > 0) - (x < 0)) if free_edge else (0, x)


def _adjacency(nf: NormalForm, labels: dict) -> tuple[list[list[tuple]], list[list[tuple]], list[tuple]]:
    """Per hidden node: labelled in-edges, out-edges and the initial colour key.

    Edge labels are interned as integers in ``labels`` (shared by A and B): equal exact
    labels get equal numbers, so refinement sorts integers instead of Fractions."""
    layers = len(nf.w)
    node_of: list[list[int]] = []
    count = 0
    for t in range(layers - 1):
        node_of.append(list(range(count, count + len(nf.w[t]))))
        count += len(nf.w[t])
    ins: list[list[tuple]] = [[] for _ in range(count)]
    outs: list[list[tuple]] = [[] for _ in range(count)]
    init: list[tuple] = [()] * count
    for t in range(layers):
        for i, row in enumerate(nf.w[t]):
            tgt_free = t < layers - 1 and nf.free[t][i]
            for j, x in enumerate(row):
                if not x:
                    continue
                src_free = t > 0 and nf.free[t - 1][j]
                lab = labels.setdefault(_label(x, tgt_free or src_free), len(labels))
                src = ("in", j) if t == 0 else node_of[t - 1][j]
                tgt = ("out", i) if t == layers - 1 else node_of[t][i]
                if t < layers - 1:
                    ins[node_of[t][i]].append((lab, src))
                if t > 0:
                    outs[node_of[t - 1][j]].append((lab, tgt))
            if t < layers - 1:
                init[node_of[t][i]] = (t, tgt_free, nf.b[t][i])
    return ins, outs, init


def _refine(colours: list[list], graphs: list[tuple]) -> list[list]:
    """1-WL on both graphs jointly until the number of colour classes is stable."""
    classes = len(set(colours[0]) | set(colours[1]))
    while True:
        tick()
        table: dict = {}
        new = []
        for (ins, outs, _), col in zip(graphs, colours):
            def c(node):
                return node if isinstance(node, tuple) else col[node]
            sigs = [(col[v],
                     tuple(sorted((lab, c(u)) for lab, u in ins[v])),
                     tuple(sorted((lab, c(u)) for lab, u in outs[v]))) for v in range(len(col))]
            new.append([table.setdefault(s, len(table)) for s in sigs])
        if len(table) == classes:
            return new
        colours, classes = new, len(table)


def leaf_scales(na: NormalForm, nb: NormalForm, bij: list[int]) -> Scales | None:
    """Exact check of a bijection of hidden nodes; returns μ (scales Â → B̂) or None."""
    layers = len(na.w)
    offsets, count = [], 0
    for t in range(layers - 1):
        offsets.append(count)
        count += len(na.w[t])
    perms = [[bij[offsets[t] + i] - offsets[t] for i in range(len(na.w[t]))] for t in range(layers - 1)]
    mu: list[list[Fraction | None]] = [[None if f else ONE for f in fr] for fr in na.free]
    # Ratio constraints μ_t[i] / μ_{t-1}[j] = B̂/Â along nonzero entries touching a free neuron.
    edges: dict = {}
    for t in range(layers):
        for i, row in enumerate(na.w[t]):
            for j, x in enumerate(row):
                tgt_free = t < layers - 1 and na.free[t][i]
                src_free = t > 0 and na.free[t - 1][j]
                if x and (tgt_free or src_free):
                    pi = perms[t][i] if t < layers - 1 else i
                    pj = perms[t - 1][j] if t > 0 else j
                    r = nb.w[t][pi][pj] / x
                    if not r > 0:
                        return None
                    u = (t - 1, j) if t > 0 else None
                    v = (t, i) if t < layers - 1 else None
                    edges.setdefault(u, []).append((v, r))
                    edges.setdefault(v, []).append((u, 1 / r))

    def get(node):
        return ONE if node is None else mu[node[0]][node[1]]

    def put(node, val):
        if node is not None:
            mu[node[0]][node[1]] = val

    def spread(start: list) -> None:
        queue = deque(start)
        while queue:
            u = queue.popleft()
            for v, r in edges.get(u, ()):
                if get(v) is None:
                    put(v, get(u) * r)
                    queue.append(v)

    spread([None] + [(t, i) for t in range(layers - 1) for i, f in enumerate(na.free[t]) if not f])
    for t in range(layers - 1):
        for i in range(len(mu[t])):
            if mu[t][i] is None:  # a component of free neurons touching nothing fixed
                put((t, i), ONE)
                spread([(t, i)])
    for t in range(layers):
        for i, row in enumerate(na.w[t]):
            pi = perms[t][i] if t < layers - 1 else i
            li = mu[t][i] if t < layers - 1 else ONE
            if nb.b[t][pi] != li * na.b[t][i]:
                return None
            brow = nb.w[t][pi]
            for j, x in enumerate(row):
                pj = perms[t - 1][j] if t > 0 else j
                lj = mu[t - 1][j] if t > 0 else ONE
                if brow[pj] != li * x / lj:
                    return None
    return [[m for m in row] for row in mu]  # type: ignore[misc]


# --------------------------------------------------------------------------- separation

class Pair:
    """A and B prepared for matching: Sc-normal forms, labelled graphs, initial colours."""

    def __init__(self, na: NormalForm, nb: NormalForm):
        self.na, self.nb = na, nb
        labels: dict = {}
        self.graphs = [_adjacency(self.na, labels), _adjacency(self.nb, labels)]
        table: dict = {}
        self.colours = [[table.setdefault(k, len(table)) for k in g[2]] for g in self.graphs]


def classes(pair: Pair, colours: list[list]) -> tuple[list[list], dict, dict]:
    """Refine ``colours`` jointly; return them with the members of each class in A and B."""
    colours = _refine(colours, pair.graphs)
    members: list[dict] = [{}, {}]
    for side in (0, 1):
        for v, c in enumerate(colours[side]):
            members[side].setdefault(c, []).append(v)
    return colours, members[0], members[1]


def balanced(members_a: dict, members_b: dict) -> bool:
    """Do A and B have the same number of nodes in every colour class?"""
    return {c: len(v) for c, v in members_a.items()} == {c: len(v) for c, v in members_b.items()}


def individualise(colours: list[list], v: int, w: int) -> list[list]:
    """Give node v of A and node w of B one fresh colour (the branch "g maps v to w")."""
    fresh = max(max(colours[0]), max(colours[1])) + 1
    ca, cb = list(colours[0]), list(colours[1])
    ca[v], cb[w] = fresh, fresh
    return [ca, cb]


def bijection(members_a: dict, members_b: dict, nodes: int) -> list[int]:
    """The bijection of a discrete colouring: each singleton class of A to that of B."""
    bij = [0] * nodes
    for c, (v,) in members_a.items():
        bij[v] = members_b[c][0]
    return bij


def check_separation(a: Net, b: Net, proof: object, where: str = "evidence.separation") -> None:
    """Verify a proof that no g ∈ G has g·A = B (theory.md §1); raise CheckFailure if it fails.

    The proof is the tree of an individualisation-refinement search, supplied by the
    producer and followed here (the kernel chooses nothing):

    * ``{"architecture": true}``: the widths of A and B differ;
    * ``{"apart": true}``: after joint colour refinement some class has different sizes in
      A and B.  Refinement is invariant under every isomorphism of the Sc-normal forms,
      and B = g·A makes B̂ = (π, μ)·Â such an isomorphism (module docstring, steps 1–2);
    * ``{"leaf": true}``: the refined colouring is discrete, and the one bijection it
      allows fails the exact check (no scales of free neurons fit);
    * ``{"individualise": v, "branches": [P_w, …]}``: v is a node of A in a class of size
      > 1; every isomorphism maps v to some w of B in that class, so one branch per such w
      (in increasing order), each proving that no isomorphism maps v to w, covers all.
    """
    require(isinstance(proof, dict), f"{where}: expected an object")
    if a.widths != b.widths:
        require(_is_step(proof, "architecture"), f"{where}: the widths differ: expected {{'architecture': true}}")
        return
    pair = Pair(NormalForm(a), NormalForm(b))
    _check_node(pair, pair.colours, proof, where)


def _is_step(proof: dict, key: str) -> bool:
    """``{key: true}`` exactly (JSON true, not 1)."""
    return set(proof) == {key} and proof[key] is True


def _check_node(pair: Pair, colours: list[list], proof: object, where: str) -> None:
    tick()
    require(isinstance(proof, dict) and len(proof) in (1, 2), f"{where}: expected one proof step")
    colours, members_a, members_b = classes(pair, colours)
    if _is_step(proof, "apart"):
        require(not balanced(members_a, members_b), f"{where}: the colour classes of A and B have equal sizes")
        return
    require(balanced(members_a, members_b), f"{where}: the classes differ in size: expected {{'apart': true}}")
    if _is_step(proof, "leaf"):
        require(all(len(v) == 1 for v in members_a.values()), f"{where}: the colouring is not discrete")
        bij = bijection(members_a, members_b, len(colours[0]))
        require(leaf_scales(pair.na, pair.nb, bij) is None, f"{where}: the bijection is a group element")
        return
    require(set(proof) == {"individualise", "branches"}, f"{where}: expected apart, leaf or individualise")
    v, branches = proof["individualise"], proof["branches"]
    require(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < len(colours[0]),
            f"{where}.individualise: expected a node index of A")
    targets = members_b[colours[0][v]]
    require(len(targets) > 1, f"{where}.individualise: node {v} is already alone in its class")
    require(isinstance(branches, list) and len(branches) == len(targets),
            f"{where}.branches: expected {len(targets)} branches, one per node of B in the class")
    for k, (w, sub) in enumerate(zip(targets, branches)):
        _check_node(pair, individualise(colours, v, w), sub, f"{where}.branches[{k}]")
