"""Kind ``hidden-symmetry``: θ' computes f_θ on the domain and θ' ∉ G·θ (theory.md §1, §4).

Claim: networks A = θ and B = θ' (same architecture), a domain (null = R^d0).
Evidence, method ``moves``: a mechanism label and a sequence of elementary moves of the
catalogue M1–M13 (§4).  The kernel replays them on A, checking each precondition on the
*current* network, and requires the result to be B exactly.  Each move preserves the
function on the domain (the one-line proofs of §4, quoted per move below).
Evidence, method ``equivalence``: a nested ``equivalent`` evidence for the same networks
and domain (canonical form, region tree, …), checked by its own kernel checker.
In both cases the evidence also carries ``separation``, a proof that no g ∈ G has
g·A = B (``orbit.check_separation``), which the kernel follows step by step.

Moves (hidden layer t is the output of ``layers[t]``, 0-based; "next" is ``layers[t+1]``):

* ``dead`` (M1): z_{t,j} ≤ 0 on the domain (sign fact).  Sets the outgoing column of
  (t, j) to any vector and may lower b_t[j]: a_{t,j} ≡ 0 before and after.
* ``active-shift`` (M4): z_{t,j} ≥ 0 on the domain.  b_t[j] += s, b_{t+1} −= s·W_{t+1}[:, j];
  σ(z + s) = z + s = σ(z) + s when z + s ≥ 0 (s ≥ 0, or a second sign fact after the move).
* ``active-combine`` (M5): z_{t,p}, z_{t,q} ≥ 0.  Row p of (W_t | b_t) += s·row q (s ≥ 0),
  column q of W_{t+1} −= s·column p: with M = I + sE_pq ≥ 0, σ(M z) = M z and W M^{-1} M z = W z.
* ``relation`` (M7): an affine relation c·a_t = κ on the image (``relations.py``).
  W_{t+1} += u c^T, b_{t+1} −= u κ: z_{t+1} changes by u (c·a_t − κ) = 0.
* ``flip`` (M8): T ⊂ layer t with M_T = Σ_{j∈T} W_{t+1}[:, j] W_t[j, :] = Σ_i u_i c_i^T for
  affine relations c_i·a_{t−1} = κ_i (none for t = 0: M_T = 0).  Rows T of (W_t | b_t)
  are negated and b_{t+1} += Σ_i u_i κ_i + Σ_{j∈T} W_{t+1}[:, j] b_t[j]  (σ(−z) = σ(z) − z).
* ``exclusive`` (M10), t ≥ 1: z_{t,j}(y) ≤ 0 wherever y_k > 0, shown either by ``partners``
  (the sign test: b_t[j] ≤ 0, W_t[j, k] ≤ 0 and every predecessor i with W_t[j, i] > 0
  vanishing where y_k > 0 — dead, or on the opposite ray: (w_i, b_i) = −λ(w_k, b_k) + (0, δ),
  λ > 0, δ ≤ 0) or by ``proof`` ``{"method": "region-tree", "evidence": {"tree": …}}``, a
  conditional region tree over the domain (``regiontree.check_exclusive``: z_{t,j} ≤ 0 on every
  leaf where a_{t−1,k} is not identically 0), or on R^d0 by ``charts`` (one such proof per box
  of the projective charts, theory §4.3).  Then W_t[j, k] −= s (s ≥ 0) changes nothing:
  where y_k = 0 the term vanishes, where y_k > 0 the new pre-activation is ≤ the old one ≤ 0.
* ``shallow`` (M2, M3, M6, M8, M9, M13): replace entries of the two layers around
  hidden layer t so that the shallow map y ↦ W_{t+1} σ(W_t y + b_t) + b_{t+1} keeps its
  canonical form on all of R^{d_{t−1}} (Theorem 3.1): equal maps there are equal on the image.

Trusts: ``network``, ``relations`` (sign facts, affine relations), ``shallow`` (canonical forms), ``orbit`` (separation proofs), ``regiontree`` (conditional sign proofs of M10), ``charts`` (through ``relations``).
"""
from __future__ import annotations

from fractions import Fraction

from .claims import claim_domain, claim_networks
from .network import Box, Layer, Net
from .orbit import check_separation
from .registry import CHECKERS, CheckFailure, checker, require
from .relations import chart_domains, check_relation, check_sign, index as _idx, number as _num, numbers as _vec
from .shallow import canonical_from_derivation, canonical_to_json, parse_keys

KIND = "hidden-symmetry"
MECHANISMS = {f"M{i}" for i in range(1, 14)} | {"search"}
# Which catalogue labels a move may carry (theory.md §4 table).
LABELS = {"dead": {"M1", "M3", "M11", "M12"}, "active-shift": {"M3", "M4", "M11", "M12"},
          "active-combine": {"M5"}, "relation": {"M7"}, "flip": {"M8"}, "exclusive": {"M10"},
          "shallow": {"M2", "M3", "M6", "M8", "M9", "M13"}}


class State:
    """The network being rewritten: mutable rows of Fractions."""

    def __init__(self, net: Net):
        self.w = [[list(r) for r in l.weight] for l in net.layers]
        self.b = [list(l.bias) for l in net.layers]
        self.box = net.box

    def net(self) -> Net:
        return Net(tuple(Layer(tuple(tuple(r) for r in w), tuple(b)) for w, b in zip(self.w, self.b)), self.box)


def _fields(move: dict, fields: set[str], where: str) -> None:
    require(set(move) == fields | {"move"}, f"{where}: expected fields {', '.join(sorted(fields))}")


def _layer(move: dict, state: State, where: str) -> int:
    return _idx(move["layer"], f"{where}.layer", len(state.w) - 1)


def _dead(state: State, box: Box | None, move: dict, where: str) -> None:
    _fields(move, {"layer", "neuron", "proof", "column", "bias"}, where)
    t = _layer(move, state, where)
    j = _idx(move["neuron"], f"{where}.neuron", len(state.b[t]))
    check_sign(state.net(), box, t, j, "nonpositive", move["proof"], f"{where}.proof")
    column = _vec(move["column"], f"{where}.column", len(state.b[t + 1]))
    bias = _num(move["bias"], f"{where}.bias")
    require(bias <= state.b[t][j], f"{where}.bias: a dead neuron's bias may only decrease")
    state.b[t][j] = bias
    for r, v in enumerate(column):
        state.w[t + 1][r][j] = v


def _active_shift(state: State, box: Box | None, move: dict, where: str) -> None:
    keys = set(move) - {"move"}
    require(keys in ({"layer", "neuron", "shift", "proof"}, {"layer", "neuron", "shift", "proof", "proof_after"}),
            f"{where}: expected layer, neuron, shift, proof[, proof_after]")
    t = _layer(move, state, where)
    j = _idx(move["neuron"], f"{where}.neuron", len(state.b[t]))
    s = _num(move["shift"], f"{where}.shift")
    check_sign(state.net(), box, t, j, "nonnegative", move["proof"], f"{where}.proof")
    state.b[t][j] += s
    for r in range(len(state.b[t + 1])):
        state.b[t + 1][r] -= s * state.w[t + 1][r][j]
    if s < 0:  # the shifted neuron must still be stably active
        require("proof_after" in move, f"{where}: a negative shift needs proof_after")
        check_sign(state.net(), box, t, j, "nonnegative", move["proof_after"], f"{where}.proof_after")


def _active_combine(state: State, box: Box | None, move: dict, where: str) -> None:
    _fields(move, {"layer", "target", "source", "factor", "proofs"}, where)
    t = _layer(move, state, where)
    p = _idx(move["target"], f"{where}.target", len(state.b[t]))
    q = _idx(move["source"], f"{where}.source", len(state.b[t]))
    require(p != q, f"{where}: target and source must differ")
    s = _num(move["factor"], f"{where}.factor")
    require(s >= 0, f"{where}.factor: must be ≥ 0 (M = I + sE_pq ≥ 0)")
    proofs = move["proofs"]
    require(isinstance(proofs, list) and len(proofs) == 2, f"{where}.proofs: expected [target proof, source proof]")
    net = state.net()
    check_sign(net, box, t, p, "nonnegative", proofs[0], f"{where}.proofs[0]")
    check_sign(net, box, t, q, "nonnegative", proofs[1], f"{where}.proofs[1]")
    state.w[t][p] = [x + s * y for x, y in zip(state.w[t][p], state.w[t][q])]
    state.b[t][p] += s * state.b[t][q]
    for row in state.w[t + 1]:
        row[q] -= s * row[p]


def _relation(state: State, box: Box | None, move: dict, where: str) -> None:
    _fields(move, {"relation", "direction"}, where)
    t, c, kappa = check_relation(state.net(), box, move["relation"], f"{where}.relation")
    u = _vec(move["direction"], f"{where}.direction", len(state.b[t + 1]))
    for r, ur in enumerate(u):
        if ur:
            state.w[t + 1][r] = [x + ur * ck for x, ck in zip(state.w[t + 1][r], c)]
            state.b[t + 1][r] -= ur * kappa


def _flip(state: State, box: Box | None, move: dict, where: str) -> None:
    _fields(move, {"layer", "neurons", "relations"}, where)
    t = _layer(move, state, where)
    raw = move["neurons"]
    require(isinstance(raw, list) and raw, f"{where}.neurons: expected a non-empty list")
    T = [_idx(v, f"{where}.neurons[{i}]", len(state.b[t])) for i, v in enumerate(raw)]
    require(len(set(T)) == len(T), f"{where}.neurons: repeated neuron")
    rels = move["relations"]
    require(isinstance(rels, list), f"{where}.relations: expected a list")
    require(t > 0 or not rels, f"{where}.relations: the input layer has no relations (M_T must vanish)")
    net = state.net()
    out_rows, d_prev = len(state.b[t + 1]), len(state.w[t][0])
    residual = [[sum((state.w[t + 1][r][j] * state.w[t][j][i] for j in T), Fraction(0))
                 for i in range(d_prev)] for r in range(out_rows)]
    shift = [sum((state.w[t + 1][r][j] * state.b[t][j] for j in T), Fraction(0)) for r in range(out_rows)]
    for i, item in enumerate(rels):
        at = f"{where}.relations[{i}]"
        require(isinstance(item, dict) and set(item) == {"relation", "direction"}, f"{at}: expected relation, direction")
        s, c, kappa = check_relation(net, box, item["relation"], f"{at}.relation")
        require(s == t - 1, f"{at}.relation: must be a relation on hidden layer {t - 1}")
        u = _vec(item["direction"], f"{at}.direction", out_rows)
        for r in range(out_rows):
            shift[r] += u[r] * kappa
            for k in range(d_prev):
                residual[r][k] -= u[r] * c[k]
    require(not any(any(row) for row in residual),
            f"{where}: M_T = Σ_T W_next[:, j] W[j, :] is not Σ u_i c_i^T (the flip changes the function)")
    for j in T:
        state.w[t][j] = [-x for x in state.w[t][j]]
        state.b[t][j] = -state.b[t][j]
    for r in range(out_rows):
        state.b[t + 1][r] += shift[r]


def _exclusive(state: State, box: Box | None, move: dict, where: str) -> None:
    require(set(move) in ({"move", "layer", "neuron", "predecessor", "decrease", "partners"},
                          {"move", "layer", "neuron", "predecessor", "decrease", "proof"}),
            f"{where}: expected fields decrease, layer, neuron, predecessor and partners or proof")
    t = _layer(move, state, where)
    require(t >= 1, f"{where}.layer: M10 needs a hidden predecessor layer (t ≥ 1)")
    j = _idx(move["neuron"], f"{where}.neuron", len(state.b[t]))
    k = _idx(move["predecessor"], f"{where}.predecessor", len(state.b[t - 1]))
    s = _num(move["decrease"], f"{where}.decrease")
    require(s >= 0, f"{where}.decrease: must be ≥ 0")
    row = state.w[t][j]
    if "proof" in move:  # the premise itself, by a conditional region tree (no sign test needed)
        check_exclusive_proof(state.net(), box, t, j, k, move["proof"], f"{where}.proof")
        row[k] -= s
        return
    require(state.b[t][j] <= 0 and row[k] <= 0, f"{where}: needs b[j] ≤ 0 and W[j, k] ≤ 0")
    partners = move["partners"]
    require(isinstance(partners, list), f"{where}.partners: expected a list")
    shown: set[int] = set()
    net = state.net()
    wk, bk = state.w[t - 1][k], state.b[t - 1][k]
    require(any(wk), f"{where}: the predecessor has a zero incoming row")
    for n, item in enumerate(partners):
        at = f"{where}.partners[{n}]"
        require(isinstance(item, dict) and "neuron" in item and "by" in item, f"{at}: expected neuron, by")
        i = _idx(item["neuron"], f"{at}.neuron", len(state.b[t - 1]))
        if item["by"] == "dead":
            require(set(item) == {"neuron", "by", "proof"}, f"{at}: expected neuron, by, proof")
            check_sign(net, box, t - 1, i, "nonpositive", item["proof"], f"{at}.proof")
        elif item["by"] == "opposite":
            require(set(item) == {"neuron", "by"}, f"{at}: expected neuron, by")
            wi, bi = state.w[t - 1][i], state.b[t - 1][i]
            lead = next(c for c, x in enumerate(wk) if x)
            lam = -wi[lead] / wk[lead]
            require(lam > 0 and all(x == -lam * y for x, y in zip(wi, wk)) and bi <= -lam * bk,
                    f"{at}: neuron {i} is not on the opposite ray of neuron {k} (z_i ≤ −λ z_k)")
        else:
            raise CheckFailure(f"{at}.by: expected 'dead' or 'opposite'")
        shown.add(i)
    missing = [i for i, w in enumerate(row) if w > 0 and i not in shown]
    require(not missing, f"{where}: predecessors {missing} have positive weight and are not shown to vanish")
    row[k] -= s


def check_exclusive_proof(net: Net, box: Box | None, t: int, j: int, k: int, proof: object, where: str) -> None:
    """The premise of M10 for (t, j) and predecessor k: a nested conditional region tree, or on
    R^d0 ``{"method": "charts", "radius": R, "charts": [P_0, …]}`` with one proof per box of the
    projective charts (theory §4.3, Corollary (b)).  A chart's proof is a conditional region tree
    or ``{"method": "dead", "of": "neuron" | "predecessor", "proof": P}``: P (a sign proof,
    ``check_sign``) shows z_{t,j} ≤ 0, resp. z_{t−1,k} ≤ 0, on the whole chart box — either makes
    the conditional statement true there."""
    require(isinstance(proof, dict), f"{where}: expected a proof object")
    if proof.get("method") == "charts":
        for n, (name, chart, chart_box) in enumerate(chart_domains(net, box, proof, where)):
            sub, at = proof["charts"][n], f"{where}.charts[{n}] ({name})"
            require(isinstance(sub, dict) and sub.get("method") in ("dead", "region-tree"),
                    f"{at}: expected method 'dead' or 'region-tree'")
            if sub["method"] == "dead":
                require(set(sub) == {"method", "of", "proof"} and sub["of"] in ("neuron", "predecessor"),
                        f"{at}: expected method, of ('neuron' or 'predecessor'), proof")
                layer, neuron = (t, j) if sub["of"] == "neuron" else (t - 1, k)
                require(isinstance(sub["proof"], dict) and sub["proof"].get("method") != "charts",
                        f"{at}.proof: expected an interval or region-tree proof")
                check_sign(chart, chart_box, layer, neuron, "nonpositive", sub["proof"], f"{at}.proof")
            else:
                check_exclusive_proof(chart, chart_box, t, j, k, sub, at)
        return
    require(set(proof) == {"method", "evidence"} and proof["method"] == "region-tree",
            f"{where}: expected method 'region-tree' and evidence")
    try:
        from .regiontree import check_exclusive  # the deep-equivalence kernel (issue 3)
    except ImportError:
        raise CheckFailure(f"{where}: cannot confirm: no region-tree checker in this kernel") from None
    try:
        check_exclusive(net, box, t, j, k, proof["evidence"])
    except CheckFailure as e:  # say which move's proof failed
        raise CheckFailure(f"{where}: {e}") from None


def _shallow(state: State, box: Box | None, move: dict, where: str) -> None:
    _fields(move, {"layer", "set", "domain", "keys", "derivations", "canonical"}, where)
    t = _layer(move, state, where)
    old = Net((Layer(tuple(map(tuple, state.w[t])), tuple(state.b[t])),
               Layer(tuple(map(tuple, state.w[t + 1])), tuple(state.b[t + 1]))))
    entries = move["set"]
    require(isinstance(entries, list), f"{where}.set: expected a list of entries")
    for n, e in enumerate(entries):
        at = f"{where}.set[{n}]"
        require(isinstance(e, list) and e and e[0] in ("in", "in-bias", "out", "out-bias"),
                f"{at}: expected [part, index…, value] with part in, in-bias, out, out-bias")
        part = e[0]
        target = state.w[t] if part == "in" else state.w[t + 1] if part == "out" else None
        if target is not None:
            require(len(e) == 4, f"{at}: expected [part, row, column, value]")
            i = _idx(e[1], f"{at}[1]", len(target))
            c = _idx(e[2], f"{at}[2]", len(target[i]))
            target[i][c] = _num(e[3], f"{at}[3]")
        else:
            require(len(e) == 3, f"{at}: expected [part, index, value]")
            bias = state.b[t] if part == "in-bias" else state.b[t + 1]
            bias[_idx(e[1], f"{at}[1]", len(bias))] = _num(e[2], f"{at}[2]")
    new = Net((Layer(tuple(map(tuple, state.w[t])), tuple(state.b[t])),
               Layer(tuple(map(tuple, state.w[t + 1])), tuple(state.b[t + 1]))))
    require(move["domain"] == "whole", f"{where}.domain: expected 'whole' (the forms are compared on R^d)")
    keys = parse_keys(move["keys"], f"{where}.keys", old.widths[0])
    der = move["derivations"]
    require(isinstance(der, dict) and set(der) == {"A", "B"} and all(isinstance(v, list) for v in der.values()),
            f"{where}.derivations: expected lists A and B")
    form_a = canonical_from_derivation(old, None, keys, der["A"], f"{where}.derivations.A")
    form_b = canonical_from_derivation(new, None, keys, der["B"], f"{where}.derivations.B")
    require(canonical_to_json(form_a) == move["canonical"], f"{where}.canonical: differs from the derived form")
    require(form_a == form_b, f"{where}: the shallow canonical forms before and after differ (Theorem 3.1/3.2)")


MOVES = {"dead": _dead, "active-shift": _active_shift, "active-combine": _active_combine,
         "relation": _relation, "flip": _flip, "exclusive": _exclusive, "shallow": _shallow}


def replay(a: Net, box: Box | None, moves: object) -> tuple[Net, list[str]]:
    """Apply the moves to A, checking every precondition; returns the result and the move names."""
    require(isinstance(moves, list) and moves, "evidence.moves: expected a non-empty list")
    state = State(a)
    names = []
    for n, move in enumerate(moves):
        where = f"evidence.moves[{n}]"
        require(isinstance(move, dict) and move.get("move") in MOVES,
                f"{where}.move: expected one of {', '.join(MOVES)}")
        MOVES[move["move"]](state, box, move, where)
        names.append(move["move"])
    return state.net(), names


def _check_label(mechanism: str, moves: list[dict], names: list[str], a: Net, box: Box | None) -> None:
    allowed = set().union(*(LABELS[n] for n in names))
    require(mechanism in allowed, f"evidence.mechanism: {mechanism} is not produced by the moves {sorted(set(names))}")
    layers = [m["layer"] for m in moves if "layer" in m]
    if mechanism == "M12":
        require(box is not None and 0 in layers, "evidence.mechanism: M12 needs a box and a first-layer move")
    if mechanism == "M11":
        widths = a.widths
        require(any(t >= 1 and widths[t] == 1 for t in layers),
                "evidence.mechanism: M11 needs a move after a width-1 hidden layer")


@checker(KIND, "moves")
def check_moves(claim: dict, evidence: dict) -> None:
    a, b, box = _claim(claim)
    require(set(evidence) == {"method", "mechanism", "moves", "separation"},
            "evidence: expected method, mechanism, moves, separation")
    mechanism = evidence["mechanism"]
    require(mechanism in MECHANISMS - {"search"}, "evidence.mechanism: expected a catalogue label M1–M13")
    result, names = replay(a, box, evidence["moves"])
    _check_label(mechanism, evidence["moves"], names, a, box)
    require(result.layers == b.layers, "the replayed moves do not produce B")
    check_separation(a, b, evidence["separation"])


@checker(KIND, "equivalence")
def check_by_equivalence(claim: dict, evidence: dict) -> None:
    a, b, box = _claim(claim)
    require(set(evidence) == {"method", "mechanism", "equivalence", "separation"},
            "evidence: expected method, mechanism, equivalence, separation")
    require(evidence["mechanism"] in MECHANISMS, "evidence.mechanism: unknown label")
    nested = evidence["equivalence"]
    require(isinstance(nested, dict), "evidence.equivalence: expected the evidence of an equivalent certificate")
    fn = CHECKERS.get(("equivalent", nested.get("method")))
    require(fn is not None, f"evidence.equivalence.method: no equivalence checker for {nested.get('method')!r}")
    fn({"statement": "equivalent", "networks": claim["networks"], "domain": claim["domain"]}, nested)
    check_separation(a, b, evidence["separation"])


def _claim(claim: dict) -> tuple[Net, Net, Box | None]:
    require(claim.get("statement") == KIND, f"claim.statement: expected {KIND!r}")
    require(set(claim) == {"statement", "networks", "domain"}, "claim: expected statement, networks, domain")
    a, b = claim_networks(claim, ("A", "B"))
    require(a.widths == b.widths, f"claim.networks: architectures differ: {a.widths} vs {b.widths}")
    return a, b, claim_domain(claim, a.widths[0])


__all__ = ["KIND", "MOVES", "LABELS", "replay", "State"]
