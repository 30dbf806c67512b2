"""Kind ``honest-shallow``: Σ, U_0 and int Σ for one hidden layer (theory.md §3.3–3.7).

f(x) = c + Σ_i a_i σ(w_i·x + b_i) on R^d, a_i ∈ Q^m.  Each neuron with w_i ≠ 0 is
(w_i, b_i) = ε_i s_i (p_i, q_i) with (p_i, q_i) a canonical key (primitive integer vector,
leading normal entry > 0), s_i > 0, ε_i = ±1; γ_i = s_i a_i; F_i = a_i w_i^T (flip matrix).

``decide`` computes the *decision data* — the same function serves the engine and the
checker, so a certificate holds the data and the kernel recomputes and compares it:

* Theorem 3.3: θ ∈ Σ (no hidden symmetry) ⟺ (C1) a_i ≠ 0; (C2) w_i ≠ 0; (C3) no two
  neurons on one oriented hyperplane; (C4) every opposite pair has α = γ_+ + γ_− ≠ 0;
  (C5) the pair normals are independent; (C6) no non-trivial move μ = (R, r, A', g, T) is
  realisable: M_μ = Σ_{k∈R} F_{r_k} + Σ_{k∈T} F_k ∈ V_{(Q∖R)∪A'} + 𝓡_g, decided as
  rank(M_μ B_U) ≤ g with B_U a basis of U = ∩_{k∈(Q∖R)∪A'} ν_k^⊥.
* Theorem 3.4: with no pairs (θ ∈ D), int Σ = Σ = U_0.  Theorem 3.6: with one pair,
  θ ∈ int Σ ⟺ θ ∈ Σ and (a) no non-empty T ⊂ [n] has Σ_T F_t = 0 ((b)–(d) are the
  conditions C4 and C6 of the one-pair case).  For m = 1 two pairs always violate C6.
* Theorem 3.7 (any number of pairs): θ ∈ int Σ ⟺ θ ∈ Σ, (a), and no *limit move*: no
  non-trivial move μ whose normals N_μ (pairs Q ∖ R, singles A', as a list) have excess
  e_μ = |N_μ| − rank N_μ > 0 satisfies rank(M_μ B_U) ≤ g + e_μ.  (Moves with e_μ = 0 are
  (C6); with ≤ 1 pair e_μ = 0 always, so 3.7 contains 3.4 and 3.6.)  Decision key
  ``limit``: present iff θ ∈ Σ has ≥ 2 pairs and (a) holds — the first limit move, or True.
* (a) failing proves θ ∉ int Σ for any number of pairs: split every pair by moving
  biases, b_i += c_i t, so that for t ∈ (0, t0] all unoriented hyperplanes are distinct
  (θ(t) ∈ D, with C2); then flipping T is a hidden symmetry of θ(t) (Theorem 3.4's
  argument: g ∈ G would have to fix every hyperplane and reverse the rows of T with a
  positive scale).  That is the ``split-family`` evidence.
* A limit move proves θ ∉ int Σ (``limit-move`` evidence, hints from the producer: the move
  and a weight direction η): for t ∈ (0, t0], θ(t) = (W + t·η, b) keeps the pairs and singles
  of θ (checked by 2×2 minors, polynomials in t bounded away from 0), the moved normals lie in
  the span of the unmoved ones so that span N_μ(t) = W* is the same for every t ≠ 0, and
  rank(M_μ B_{W*^⊥}) ≤ g: μ is realisable on all of θ(t), so θ(t) ∉ Σ (Theorem 3.3).

All subset conditions are exact 0/1 problems (``subsetsum.py``).  Their complete
enumeration is the one search left in the kernel: it runs with the kernel's own fixed
budget ``BUDGET`` (never one a certificate chooses) and under the kernel's deadline; past
either the data says ``undecided`` and no claim depending on it is accepted.

Trusts: ``exact``, ``linalg`` (exact ranks and null spaces), ``subsetsum``, ``clock``.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations, product

from flint import nmod_mat

from .claims import claim_domain, claim_networks
from .exact import InputError, Vector, dot, int_row, integer, matrix, primitive, rational
from .linalg import nullspace_q, rank_q
from .network import Net
from .registry import CHECKERS, CheckFailure, checker, require
from .subsetsum import PRIME, TooExpensive, solve01

KIND = "honest-shallow"
BUDGET = 1 << 20  # subset patterns: the kernel's fixed budget for every decision


@dataclass
class Shallow:
    """The neurons of a one-hidden-layer network in canonical coordinates (§3.1)."""

    d: int
    m: int
    a: list[Vector]                 # output columns a_i
    w: list[Vector]
    b: list[Fraction]
    key: list[tuple[int, ...] | None]   # canonical key (p, q); None when w_i = 0
    sign: list[int]                 # ε_i
    scale: list[Fraction]           # s_i

    @property
    def n(self) -> int:
        return len(self.a)

    def flip(self, i: int) -> list[Fraction]:
        """vec F_i = vec(a_i w_i^T), row-major (m × d)."""
        return [x * y for x in self.a[i] for y in self.w[i]]

    def projected_flip(self, i: int, basis: list[list[Fraction]] | None) -> list[Fraction]:
        """vec(F_i B_U): the flip matrix restricted to U (columns of B_U span U; None: U = R^d)."""
        if basis is None:
            return self.flip(i)
        pw = [dot(self.w[i], u) for u in basis]
        return [x * y for x in self.a[i] for y in pw]

    def normal(self, i: int) -> tuple[int, ...]:
        """The normal part of the key (a positive multiple of ±w_i, not normalised itself)."""
        return self.key[i][:-1]  # type: ignore[index]

    def direction(self, i: int) -> tuple[int, ...]:
        """The line R·w_i as a primitive integer vector with positive leading entry."""
        p, _ = primitive(self.w[i])
        return p if next(x for x in p if x) > 0 else tuple(-x for x in p)


def structure(net: Net) -> Shallow:
    require(len(net.layers) == 2, "not a one-hidden-layer network")
    hidden, out = net.layers
    d, m = len(hidden.weight[0]), len(out.bias)
    cols = [tuple(out.weight[r][i] for r in range(m)) for i in range(len(hidden.bias))]
    keys, signs, scales = [], [], []
    for w, b in zip(hidden.weight, hidden.bias):
        if not any(w):
            keys.append(None)
            signs.append(1)
            scales.append(Fraction(0))
            continue
        p, s = primitive(tuple(w) + (b,))
        eps = 1 if next(x for x in p[:-1] if x) > 0 else -1
        keys.append(tuple(eps * x for x in p))
        signs.append(eps)
        scales.append(s)
    return Shallow(d, m, cols, list(hidden.weight), list(hidden.bias), keys, signs, scales)


class Budget:
    def __init__(self, total: int):
        self.left = total

    def solve(self, columns, target=None, nonempty=True, dim=None):
        stats: dict = {"patterns": 1}
        try:
            return solve01(columns, target, nonempty, budget=max(self.left, 1), dim=dim, stats=stats)
        finally:
            self.left -= max(stats["patterns"], 1)  # every sub-problem costs at least one pattern


def groups(sh: Shallow) -> dict[tuple[int, ...], list[int]]:
    out: dict[tuple[int, ...], list[int]] = {}
    for i, k in enumerate(sh.key):
        if k is not None:
            out.setdefault(k, []).append(i)
    return out


def u_basis(sh: Shallow, normals: list[tuple[int, ...]]) -> list[list[Fraction]] | None:
    """A basis of U = ∩ ν^⊥; None when there are no normals (U = R^d, no projection)."""
    if not normals:
        return None
    return nullspace_q([[Fraction(x) for x in nu] for nu in normals], sh.d)


def realisable_move(sh: Shallow, pairs: list[tuple[int, int]], singles: list[int], budget: Budget,
                    limit: bool = False) -> dict | None:
    """(C6): the first non-trivial realisable move μ = (R, r, A', g, T), or None.

    ``limit``: the moves of Theorem 3.7 instead — those whose normals N_μ (the pairs Q ∖ R and
    the singles A') are dependent, with excess e_μ = |N_μ| − rank N_μ > 0, tested against the
    larger rank g + e_μ (moves with e_μ = 0 are exactly the (C6) tests)."""
    dim_m = sh.m
    for size in range(len(pairs) + 1):
        for R in combinations(range(len(pairs)), size):
            for removed in product(*[pairs[k] for k in R]):
                M_R = [Fraction(0)] * (sh.m * sh.d)
                for i in removed:
                    M_R = [x + y for x, y in zip(M_R, sh.flip(i))]
                for a_size in range(min(size, len(singles)) + 1 if size else 1):
                    for A in combinations(singles, a_size):
                        g = (size - a_size) // 2
                        rest = [k for k in range(len(pairs)) if k not in R]
                        normals = [sh.normal(pairs[k][0]) for k in rest] + [sh.normal(i) for i in A]
                        e = excess(normals) if limit else 0
                        if limit and not e:
                            continue
                        basis = u_basis(sh, normals)
                        free = [i for i in singles if i not in A]
                        T = _move_subset(sh, M_R, free, basis, g + e, size == 0, budget, dim_m)
                        if T is not None:
                            move = {"R": [list(pairs[k]) for k in R], "remove": list(removed),
                                    "A": list(A), "g": g, "T": T}
                            return dict(move, e=e) if limit else move
    return None


def excess(normals: list) -> int:
    """e = (number of normals) − (dimension of their span): the dependent ones (Theorem 3.7)."""
    return len(normals) - rank_q([[Fraction(x) for x in nu] for nu in normals]) if normals else 0


def _project(vec: list[Fraction], m: int, d: int, basis: list[list[Fraction]] | None) -> list[Fraction]:
    if basis is None:
        return list(vec)
    rows = [vec[r * d:(r + 1) * d] for r in range(m)]
    return [dot(row, u) for row in rows for u in basis]


def _move_subset(sh: Shallow, M_R, free, basis, g, trivial_R, budget: Budget, m) -> list[int] | None:
    """T ⊂ free with rank((M_R + Σ_T F) B_U) ≤ g (non-empty T when R = ∅), or None."""
    u = sh.d if basis is None else len(basis)
    if trivial_R and g == 0 and independent_flips(sh, free, basis):
        budget.left -= 1
        return None  # rank n: no non-empty subset sums to 0
    cols = [sh.projected_flip(i, basis) for i in free]
    target = [-x for x in _project(M_R, sh.m, sh.d, basis)]
    if g == 0:
        found = budget.solve(cols, None if trivial_R else target, nonempty=trivial_R, dim=m * u)
        return None if found is None else [free[i] for i in found]
    if g >= min(m, u):  # every m × u matrix has rank ≤ g
        return []
    if 1 << len(free) > budget.left:
        raise TooExpensive(1 << len(free), "rank enumeration")
    for mask in range(1 << len(free)):
        budget.left -= 1
        total = [-x for x in target]
        for j, col in enumerate(cols):
            if mask >> j & 1:
                total = [x + y for x, y in zip(total, col)]
        if rank_q([total[r * u:(r + 1) * u] for r in range(m)]) <= g:
            return [free[j] for j in range(len(free)) if mask >> j & 1]
    return None


def independent_flips(sh: Shallow, indices: list[int], basis: list[list[Fraction]] | None) -> bool:
    """The projected flip matrices F_i B_U (i in ``indices``) are linearly independent, shown by a
    rank mod the prime 2^61 − 1 (a lower bound for the rank over Q).  Each column is scaled by a
    positive integer first (a_i, w_i and the basis vectors to integers), which keeps the rank."""
    n = len(indices)
    ints = [int_row(u)[0] for u in basis] if basis is not None else None
    dim = sh.m * (sh.d if ints is None else len(ints))
    if n == 0 or dim < n:
        return n == 0
    cols = []
    for i in indices:
        a, _ = int_row(sh.a[i])
        w, _ = int_row(sh.w[i])
        pw = w if ints is None else [sum(x * y for x, y in zip(w, u)) for u in ints]
        cols.append([x * y % PRIME for x in a for y in pw])
    flat = [cols[k][r] for r in range(dim) for k in range(n)]
    return nmod_mat(dim, n, flat, PRIME).rank() == n


def decide(net: Net, budget: int = BUDGET) -> dict:
    """The decision data of §3.4–3.7 for a one-hidden-layer network on R^d (deterministic)."""
    sh = structure(net)
    data: dict = {"architecture": [sh.d, sh.n, sh.m], "sigma": None, "failed": None, "pairs": [],
                  "a": None, "U0": None, "int_sigma": None, "undecided": None}
    bud = Budget(budget)
    try:
        _sigma(sh, data, bud)
        if data["sigma"] is True and not data["pairs"]:
            data["a"] = True  # without pairs (a) is exactly (C6) with R = ∅, already checked
        elif data["sigma"] is True:  # condition (a) of Theorem 3.6 over all n neurons
            T = bud.solve([sh.flip(i) for i in range(sh.n)], nonempty=True, dim=sh.m * sh.d)
            data["a"] = T if T is not None else True
        if data["a"] is True and len(data["pairs"]) >= 2:  # Theorem 3.7: the limit moves
            data["limit"] = None
            pairs = [tuple(p) for p in data["pairs"]]
            members = {i for p in pairs for i in p}
            move = realisable_move(sh, pairs, [i for i in range(sh.n) if i not in members], bud, limit=True)
            data["limit"] = move if move is not None else True
    except TooExpensive as e:
        data["undecided"] = f"{e}"
    data["patterns"] = budget - bud.left
    if data["sigma"] is False or (data["a"] is not None and data["a"] is not True) or isinstance(data.get("limit"), dict):
        data["int_sigma"] = data["U0"] = False
    elif data["sigma"] is True and data["a"] is True and data.get("limit", True) is True:
        data["U0"] = not data["pairs"]
        data["int_sigma"] = True
    return data


def classify(sh: Shallow) -> tuple[list[tuple[int, int]], list[int], list[int] | None]:
    """(pairs (+ member, − member), singles, None) when every hyperplane carries one neuron or an
    opposite pair; else (…, two neurons on one oriented hyperplane) — (C3) fails."""
    pairs, singles = [], []
    for members in groups(sh).values():
        plus = [i for i in members if sh.sign[i] == 1]
        minus = [i for i in members if sh.sign[i] == -1]
        if len(plus) > 1 or len(minus) > 1:
            return pairs, singles, (plus if len(plus) > 1 else minus)[:2]
        if plus and minus:
            pairs.append((plus[0], minus[0]))
        else:
            singles.append(members[0])
    return sorted(pairs), sorted(singles), None


def _sigma(sh: Shallow, data: dict, bud: Budget) -> None:
    """Theorem 3.3, condition by condition; records the first failure."""
    def fail(cond: str, detail) -> None:
        data["sigma"], data["failed"], data["detail"] = False, cond, detail

    c1 = [i for i in range(sh.n) if not any(sh.a[i])]
    if c1:
        return fail("C1", c1)
    c2 = [i for i in range(sh.n) if sh.key[i] is None]
    if c2:
        return fail("C2", c2)
    pairs, singles, same = classify(sh)
    if same:
        return fail("C3", same)
    data["pairs"] = [list(p) for p in pairs]
    for i, j in pairs:
        if not any(sh.scale[i] * x + sh.scale[j] * y for x, y in zip(sh.a[i], sh.a[j])):
            return fail("C4", [i, j])
    if pairs and rank_q([[Fraction(x) for x in sh.normal(i)] for i, _ in pairs]) < len(pairs):
        return fail("C5", [list(p) for p in pairs])
    move = realisable_move(sh, pairs, singles, bud)
    if move is not None:
        return fail("C6", move)
    data["sigma"] = True


# --------------------------------------------------------------------------- certificates

def _net(claim: dict) -> Net:
    (a,) = claim_networks(claim, ("A",))
    require(claim_domain(claim, a.widths[0]) is None, "claim.domain: honesty is decided on R^d0 (null)")
    require(len(a.layers) == 2, "claim.networks.A: not a one-hidden-layer network")
    return a


@checker(KIND, "decision")
def check_decision(claim: dict, evidence: dict) -> None:
    """in-sigma (Theorem 3.3) / in-int-sigma (Theorems 3.4, 3.6): recompute the decision data."""
    net = _net(claim)
    statement = claim.get("statement")
    require(statement in ("in-sigma", "in-int-sigma"), "claim.statement: expected in-sigma or in-int-sigma")
    require(set(evidence) == {"method", "decision"}, "evidence: expected method, decision")
    data = decide(net, BUDGET)
    require(evidence["decision"] == data, "evidence.decision: differs from the recomputed decision data")
    require(data["undecided"] is None, f"cannot confirm: {data['undecided']}")
    if statement == "in-sigma":
        require(data["sigma"] is True, f"θ ∉ Σ: condition {data['failed']} fails")
    else:
        require(data["int_sigma"] is True, "the decision data do not put θ in int Σ")


def _family_head(claim: dict, evidence: dict, fields: tuple[str, ...]) -> tuple[Net, Shallow, Fraction]:
    """What every not-in-int-sigma family checks first: the statement, the evidence's fields
    (method, ``fields``, t0, witnesses), t0 > 0 and (C2) (every neuron has w ≠ 0)."""
    net = _net(claim)
    require(claim.get("statement") == "not-in-int-sigma", "claim.statement: expected not-in-int-sigma")
    expected = ("method",) + fields + ("t0", "witnesses")
    require(set(evidence) == set(expected), f"evidence: expected {', '.join(expected)}")
    sh = structure(net)
    try:
        t0 = rational(evidence["t0"], "evidence.t0")
    except (InputError, TypeError) as e:
        raise CheckFailure(str(e)) from None
    require(t0 > 0, "evidence.t0: must be positive")
    require(all(k is not None for k in sh.key), "(C2) fails: a neuron has w = 0")
    return net, sh, t0


@checker(KIND, "split-family")
def check_split_family(claim: dict, evidence: dict) -> None:
    """not-in-int-sigma: for t ∈ (0, t0], θ(t) (biases b_i + c_i t) is in D and flipping T
    is a hidden symmetry of θ(t) (Theorem 3.4's argument); θ(t) → θ as t → 0."""
    net, sh, t0 = _family_head(claim, evidence, ("subset", "shift"))
    try:
        T = [integer(v, f"evidence.subset[{k}]", 0, sh.n) for k, v in enumerate(evidence["subset"])]
        shift = [rational(v, f"evidence.shift[{k}]") for k, v in enumerate(evidence["shift"])]
    except (InputError, TypeError) as e:
        raise CheckFailure(str(e)) from None
    require(T and len(set(T)) == len(T), "evidence.subset: expected distinct neurons, at least one")
    require(len(shift) == sh.n, f"evidence.shift: expected {sh.n} coefficients")
    total = [Fraction(0)] * (sh.m * sh.d)
    for i in T:
        total = [x + y for x, y in zip(total, sh.flip(i))]
    require(not any(total), "Σ_T a_i w_i^T ≠ 0: flipping T changes the function")
    # Distinct unoriented hyperplanes for all t ∈ (0, t0].
    for i, k, t in coincidences(sh, shift):
        require(t is not None, f"neurons {i} and {k} share a hyperplane for every t")
        require(not 0 < t <= t0, f"neurons {i} and {k} share a hyperplane at t = {t}")
    hidden = net.layers[0]
    _check_witnesses(net, lambda t: hidden._replace(bias=tuple(b + c * t for b, c in zip(hidden.bias, shift))),
                     t0, evidence["witnesses"])


def coincidences(sh, shift: list[Fraction]):
    """Pairs of neurons whose hyperplanes coincide somewhere along θ(t) = (W, b + t·shift):
    yields (i, k, t*) for the unique such t*, or (i, k, None) when they coincide for every t.

    Only parallel normals (w_k = ρ w_i) can coincide, and then b_k + c_k t = ρ (b_i + c_i t)
    is a linear equation in t: slope·t = rhs with slope = c_k − ρ c_i, rhs = ρ b_i − b_k."""
    by_normal: dict[tuple[int, ...], list[int]] = {}
    for i in range(sh.n):
        by_normal.setdefault(sh.direction(i), []).append(i)
    for members in by_normal.values():
        for i, k in combinations(members, 2):
            lead = next(j for j, x in enumerate(sh.w[i]) if x)
            rho = sh.w[k][lead] / sh.w[i][lead]
            slope, rhs = shift[k] - rho * shift[i], rho * sh.b[i] - sh.b[k]
            if slope:
                yield i, k, rhs / slope
            elif rhs == 0:
                yield i, k, None


def _check_witnesses(net: Net, at, t0: Fraction, witnesses: object) -> None:
    """Explicit hidden-symmetry certificates at points θ(t) of the family (each checked);
    ``at(t)`` is the hidden layer of θ(t)."""
    require(isinstance(witnesses, list), "evidence.witnesses: expected a list")
    out = net.layers[1]
    for n, item in enumerate(witnesses):
        at_ = f"evidence.witnesses[{n}]"
        require(isinstance(item, dict) and set(item) == {"t", "claim", "evidence"}, f"{at_}: expected t, claim, evidence")
        try:
            t = rational(item["t"], f"{at_}.t")
        except InputError as e:
            raise CheckFailure(str(e)) from None
        require(0 < t <= t0, f"{at_}.t: must lie in (0, t0]")
        claim = item["claim"]
        require(isinstance(claim, dict) and isinstance(item["evidence"], dict), f"{at_}: claim and evidence must be objects")
        require(claim.get("domain", 0) is None, f"{at_}.claim.domain: must be null (R^d0)")
        a, _ = claim_networks(claim, ("A", "B"))
        require(a.layers == (at(t), out), f"{at_}.claim.networks.A: is not θ(t)")
        fn = CHECKERS.get(("hidden-symmetry", item["evidence"].get("method")))
        require(fn is not None, f"{at_}.evidence.method: not a hidden-symmetry method")
        fn(claim, item["evidence"])


# --------------------------------------------------------------------------- Theorem 3.7

def pair_ratio(sh: Shallow, i: int, j: int) -> Fraction:
    """λ > 0 with w_j = −λ w_i (i, j an opposite pair)."""
    lead = next(k for k, x in enumerate(sh.w[i]) if x)
    return -sh.w[j][lead] / sh.w[i][lead]


def move_matrix(sh: Shallow, move: dict) -> list[Fraction]:
    """M_μ = Σ F_i over the removed pair members and T (flattened m × d): what μ must cancel."""
    M = [Fraction(0)] * (sh.m * sh.d)
    for i in move["remove"] + move["T"]:
        M = [x + y for x, y in zip(M, sh.flip(i))]
    return M


def limit_normals(sh: Shallow, move: dict, pairs: list[tuple[int, int]]) -> list[int]:
    """The neurons carrying N_μ: one member of every pair of Q ∖ R, then the singles of A'."""
    removed = {tuple(p) for p in move["R"]}
    return [p[0] for p in pairs if p not in removed] + list(move["A"])


def limit_span(sh: Shallow, entries: list[int], direction) -> list[list[Fraction]] | None:
    """The normals of θ(t) = (W + t·direction, b) on ``entries`` span W* = W_0 + span{η_i} for every
    t ≠ 0 when every perturbed normal w_i (η_i ≠ 0) lies in the span W_0 of the unperturbed ones:
    then w_i + t η_i ≡ t η_i mod W_0.  Returns a spanning list of W*, or None if that fails."""
    fixed = [list(sh.w[i]) for i in entries if not any(direction[i])]
    moved = [list(sh.w[i]) for i in entries if any(direction[i])]
    if moved and (not fixed or rank_q(fixed + moved) != rank_q(fixed)):
        return None
    return fixed + [list(direction[i]) for i in entries if any(direction[i])]


def nonzero_on(coeffs: list[Fraction], t0: Fraction) -> bool:
    """p(t) = Σ c_k t^k has no root in [0, t0]: |c_0| > Σ_{k≥1} |c_k| t0^k (a sufficient test)."""
    return abs(coeffs[0]) > sum(abs(c) * t0 ** k for k, c in enumerate(coeffs) if k)


def stratum_kept(sh: Shallow, direction, t0: Fraction) -> str | None:
    """For t ∈ (0, t0], θ(t) = (W + t·direction, b) has the pairs and singles of θ: every w_i(t) ≠ 0,
    every pair of θ stays opposite, and no two other rows (w_i(t), b_i), (w_k(t), b_k) become
    proportional (a 2×2 minor, a polynomial of degree ≤ 2 in t, has no root in [0, t0]).
    Returns what fails, or None."""
    rows = [(list(sh.w[i]) + [sh.b[i]], list(direction[i]) + [Fraction(0)]) for i in range(sh.n)]
    paired = {}
    for members in groups(sh).values():
        if len(members) == 2:
            paired[members[0]], paired[members[1]] = members[1], members[0]
    for i in range(sh.n):
        if not any(nonzero_on([sh.w[i][j], direction[i][j]], t0) for j in range(sh.d)):
            return f"w_{i}(t) may vanish on (0, t0]"
    for i, k in combinations(range(sh.n), 2):
        if paired.get(i) == k:
            lam = pair_ratio(sh, i, k)
            if any(y != -lam * x for x, y in zip(direction[i], direction[k])):
                return f"neurons {i} and {k} do not stay an opposite pair"
            continue
        (ri, di), (rk, dk) = rows[i], rows[k]
        if not any(nonzero_on([ri[u] * rk[v] - ri[v] * rk[u],
                               ri[u] * dk[v] + di[u] * rk[v] - ri[v] * dk[u] - di[v] * rk[u],
                               di[u] * dk[v] - di[v] * dk[u]], t0)
                   for u, v in combinations(range(sh.d + 1), 2)):
            return f"the hyperplanes of neurons {i} and {k} may meet for some t ∈ (0, t0]"
    return None


def move_fields(evidence_move: object, sh: Shallow, pairs: list[tuple[int, int]], singles: list[int]) -> dict:
    """The move μ = (R, r, A', g, T) of a certificate, parsed and checked to be a non-trivial move of θ."""
    require(isinstance(evidence_move, dict) and set(evidence_move) == {"R", "remove", "A", "g", "T"},
            "evidence.move: expected R, remove, A, g, T")
    try:
        R = [tuple(integer(v, f"evidence.move.R[{k}]", 0, sh.n) for v in p) for k, p in enumerate(evidence_move["R"])]
        remove = [integer(v, f"evidence.move.remove[{k}]", 0, sh.n) for k, v in enumerate(evidence_move["remove"])]
        A = [integer(v, f"evidence.move.A[{k}]", 0, sh.n) for k, v in enumerate(evidence_move["A"])]
        T = [integer(v, f"evidence.move.T[{k}]", 0, sh.n) for k, v in enumerate(evidence_move["T"])]
        g = integer(evidence_move["g"], "evidence.move.g", 0)
    except (InputError, TypeError) as e:
        raise CheckFailure(str(e)) from None
    require(all(p in pairs for p in R) and len(set(R)) == len(R), "evidence.move.R: expected distinct opposite pairs of θ")
    require(len(remove) == len(R) and all(r in p for r, p in zip(remove, R)), "evidence.move.remove: one member per pair of R")
    require(set(A) <= set(singles) and len(set(A)) == len(A), "evidence.move.A: expected distinct singles")
    require(set(T) <= set(singles) - set(A) and len(set(T)) == len(T), "evidence.move.T: expected distinct singles outside A'")
    require(len(A) + 2 * g <= len(R), "evidence.move: |A'| + 2g > |R|")
    require(R or T, "evidence.move: the trivial move (R = T = ∅)")
    return {"R": [list(p) for p in R], "remove": remove, "A": A, "g": g, "T": T}


@checker(KIND, "limit-move")
def check_limit_move(claim: dict, evidence: dict) -> None:
    """not-in-int-sigma (Theorem 3.7): for t ∈ (0, t0], θ(t) = (W + t·direction, b) has the pairs and
    singles of θ, and the non-trivial move μ is realisable at θ(t) — so (C6) fails there and θ(t) ∉ Σ
    (Theorem 3.3) — while θ(t) → θ."""
    net, sh, t0 = _family_head(claim, evidence, ("move", "direction"))
    try:
        direction = matrix(evidence["direction"], "evidence.direction", sh.n, sh.d)
    except InputError as e:
        raise CheckFailure(str(e)) from None
    require(all(any(a) for a in sh.a), "(C1) fails: a neuron has a = 0")
    pairs, singles, same = classify(sh)
    require(same is None, f"(C3) fails: neurons {same} share an oriented hyperplane")
    move = move_fields(evidence["move"], sh, pairs, singles)
    entries = limit_normals(sh, move, pairs)
    members = {i for p in pairs for i in p if list(p) not in move["R"]}
    require(all(not any(direction[i]) for i in range(sh.n) if i not in set(entries) | members),
            "evidence.direction: only the normals of N_μ (pairs of Q ∖ R, singles of A') may move")
    require(len(evidence["witnesses"] if isinstance(evidence["witnesses"], list) else []) >= 1,
            "evidence.witnesses: expected at least one explicit witness")
    failure = stratum_kept(sh, direction, t0)
    require(failure is None, f"θ(t) leaves the stratum of θ: {failure}")
    span = limit_span(sh, entries, direction)
    require(span is not None, "evidence.direction: a moved normal is not in the span of the unmoved ones")
    M = move_matrix(sh, move)
    basis = nullspace_q(span, sh.d) if span else None  # U = W*^⊥ (None: U = R^d)
    u = sh.d if basis is None else len(basis)
    proj = _project(M, sh.m, sh.d, basis)
    require(u == 0 or rank_q([proj[r * u:(r + 1) * u] for r in range(sh.m)]) <= move["g"],
            "rank(M_μ B_U) > g on θ(t): the move is not realisable")
    _limit_witnesses(net, direction, t0, evidence["witnesses"])


def _limit_witnesses(net: Net, direction, t0: Fraction, witnesses) -> None:
    hidden = net.layers[0]
    _check_witnesses(net, lambda t: hidden._replace(weight=tuple(tuple(x + t * y for x, y in zip(row, e))
                                                               for row, e in zip(hidden.weight, direction))),
                     t0, witnesses)


__all__ = ["KIND", "Shallow", "structure", "decide", "groups", "u_basis", "realisable_move", "BUDGET", "excess",
           "limit_normals", "move_matrix", "pair_ratio", "stratum_kept"]
