"""The fiber of a one-hidden-layer network as a finite union of explicit families (theory.md §3.3).

Theorem 3.3 describes every θ' with f_θ' = f_θ by combinatorial data — which neurons are
constant (w' = 0), silent (a' = 0), and how the active ones sit on the unoriented
hyperplanes, with which orientation — plus the linear conditions (F1)–(F3) on the
γ'_i = s'_i a'_i.  A **stratum** is the set of fiber points with the same data.  With the
hyperplanes of the canonical form fixed, a stratum is parametrised by

* a scale s'_i > 0 for each active neuron (its row is s'_i ε_i key_i),
* the solutions Γ of the linear system (F1) Σ_{i on H} γ'_i = α_H, (F2) Σ_{ε_i = −1} γ'_i ν_H^T = −A
  (an affine space through θ's own γ; its generic points have every γ'_i ≠ 0),
* d + 1 free coordinates for every silent neuron (its row), m + 1 for every constant one
  (a'_i, b'_i; c' restores the constant by (F3)),
* the offset of each hyperplane with α_H = 0 (a linear unit slides, §3.4 C4),

so **dim = #active + dim Γ + (d+1)·#silent + (m+1)·#constant + #linear units**
(``stratum_dimension``).  dim Γ is exact linear algebra (``rank_q``).  The count is exact
when at most one hyperplane has α_H = 0 and it carries two neurons; otherwise the normals of
such hyperplanes may also rotate, and the count is a lower bound — unless it meets the upper
bound N − rank DF_X(θ) of a kernel-checked functional dimension (``closed_by_rank``); only
then is it exact (``exact = True``).

``describe(network)`` lists: the orbit G·θ; the stratum of θ (the component of the fiber
through θ) and each of its freedoms (free rows C1, constant neurons C2, twin splits C3,
slides C4, redistributions C5) as a family through θ; and the other strata reached by the
discrete constructions of Theorem 3.3: flips (Σ_T F_t = 0), twin merges, silencing a
constant neuron, giving a silent slot the constant form, and the first realisable (C6) move.
Each component not contained in G·θ carries one sample point θ' with a kernel-checked
``hidden-symmetry`` certificate (method ``equivalence``: the shallow canonical forms of θ and θ'
agree — Theorem 3.1 — and a separation proof of θ' ∉ G·θ).  A sample whose certificate the
kernel rejects is dropped (and reported), never shown.

The fiber's dimension is the largest dimension listed.  This is the dimension of the union
of the listed strata: a complete enumeration of all strata (every partition of the slots)
is not attempted, so for networks with several free slots and m > d (where a freed slot
could join an existing hyperplane as a twin, 1 + m > d + 1) the global dimension may be
larger; ``local_dimension`` (the stratum of θ) is the dimension of the fiber near θ.
"""
from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations

from ..core.certificate import claim, envelope, finish
from ..group.matching import Undecided, separation
from ..kernel.exact import fmt
from ..kernel.honest import Shallow, structure
from ..kernel.linalg import rank_q
from ..kernel.shallow import canonical_to_json
from ..network import Network
from . import canonical
from .fiber import Pair, flip, free_row, pair_relation, redistribute, slide, twins
from .quotient import escaping, kink_moment

ZERO, ONE = Fraction(0), Fraction(1)
THEOREM = "Theorem 3.3: the fiber is the union of strata given by (F1)–(F3); sample θ' has f_θ' = f_θ " \
          "(Theorem 3.1, canonical forms) and θ' ∉ G·θ (separation)"
TS = (ONE, Fraction(1, 3), Fraction(5, 2), Fraction(-1, 7))  # family parameters tried for a sample:
# a value may land in G·θ by coincidence (twins σ(x) + σ(2x) at t = 1 is a permutation)
MAX_FLIPS = 16        # flip components listed (each is a copy of the orbit)
MAX_FLIP_NEURONS = 14  # subsets enumerated among at most this many active neurons


@dataclass
class Component:
    """One explicit family of the fiber."""

    type: str                      # orbit, stratum, free-row, constant, twins, slide, redistribute, flip, merge, ...
    where: str                     # which neurons
    moves: str                     # what moves (the parametrisation)
    dim: int
    exact: bool = True             # dim is exact (else a lower bound)
    mechanism: str | None = None   # catalogue label of the sample's hidden symmetry (M2, M3, M6, M8, M9, M13)
    contained_in: str | None = None  # "stratum": a family inside the stratum of θ
    sample: Network | None = None
    certificate: dict | None = None
    valid: bool | None = None
    neurons: tuple[int, ...] = ()

    def to_json(self, inline: bool = True) -> dict:
        out = {"type": self.type, "where": self.where, "moves": self.moves, "dim": self.dim, "dim_exact": self.exact,
               "in_orbit": self.type == "orbit", "neurons": list(self.neurons)}
        if self.contained_in:
            out["contained_in"] = self.contained_in
        if self.mechanism:
            out["mechanism"] = self.mechanism
        if self.sample is not None:
            out["sample"] = self.sample.to_json()
            out["kernel"] = "valid" if self.valid else "rejected"
            if inline and self.certificate is not None:
                out["certificate"] = self.certificate
        return out


@dataclass
class Fiber:
    """The description of the fiber of f_θ (one hidden layer)."""

    network: Network
    N: int
    orbit_dim: int
    local_dim: int
    local_exact: bool
    components: list[Component]
    dropped: list[str] = field(default_factory=list)   # samples not certified (never shown)
    in_orbit: list[str] = field(default_factory=list)  # constructions that landed in G·θ (no new component)
    seconds: float = 0.0

    @property
    def dim(self) -> int:
        return max(c.dim for c in self.components)

    @property
    def exact(self) -> bool:
        top = [c for c in self.components if c.dim == self.dim]
        return all(c.exact for c in top)


# --------------------------------------------------------------------------- dimensions

def _kind(sh: Shallow, i: int) -> str:
    if not any(sh.a[i]):
        return "silent"
    if sh.key[i] is None:
        return "constant"
    return "active"


def stratum_dimension(network: Network) -> tuple[int, bool]:
    """(dim, exact) of the stratum of θ in its fiber: the formula of the module docstring."""
    sh = structure(network.net)
    d, m = sh.d, sh.m
    kinds = [_kind(sh, i) for i in range(sh.n)]
    active = [i for i in range(sh.n) if kinds[i] == "active"]
    keys: dict[tuple, list[int]] = {}
    for i in active:
        keys.setdefault(sh.key[i], []).append(i)
    # the linear system in γ' (m unknowns per active neuron): (F1) per hyperplane, (F2) the affine part
    col = {i: k for k, i in enumerate(active)}
    rows: list[list[Fraction]] = []
    for members in keys.values():
        for r in range(m):
            row = [ZERO] * (m * len(active))
            for i in members:
                row[col[i] * m + r] = ONE
            rows.append(row)
    for r in range(m):
        for c in range(d):
            row = [ZERO] * (m * len(active))
            for i in active:
                if sh.sign[i] == -1:
                    row[col[i] * m + r] = Fraction(sh.normal(i)[c])
            rows.append(row)
    gamma_dim = m * len(active) - (rank_q(rows) if rows and active else 0)
    alpha = {k: [sum((sh.scale[i] * sh.a[i][r] for i in members), ZERO) for r in range(m)]
             for k, members in keys.items()}
    units = [k for k, al in alpha.items() if not any(al)]
    exact = len(units) <= 1 and all(len(keys[k]) == 2 for k in units)
    dim = (len(active) + gamma_dim + (d + 1) * kinds.count("silent") + (m + 1) * kinds.count("constant")
           + len(units))
    return dim, exact


def closed_by_rank(network: Network, dim: int) -> bool:
    """The stratum count ``dim`` (a lower bound) is the local dimension of the fiber at θ, by the
    rank upper bound: near θ the fiber lies in {θ' : F_X(θ') = F_X(θ)} for an admissible sample X
    (no pre-activation is 0 at X, so F_X is polynomial near θ), a set of local dimension at most
    N − rank DF_X(θ) (implicit function theorem on rank DF_X independent components).  With the
    kernel-checked lower bound r of that rank, N − r = dim closes the gap."""
    from .. import api
    ans = api.functional_dimension(network, seed=0)
    return bool(ans.certified and network.N - ans.details.get("lower", -1) == dim)


def orbit_dimension(network: Network) -> int:
    """dim G·θ = rank Ξ(θ): one scaling direction per neuron with (w_i, b_i, a_i) ≠ 0 (§1)."""
    hidden, out = network.layers
    return sum(1 for i, (w, b) in enumerate(zip(hidden.weight, hidden.bias))
               if any(w) or b or any(row[i] for row in out.weight))


# --------------------------------------------------------------------------- certificates

def _step_json(step: dict) -> dict:
    if "constant" in step:
        return {"constant": True}
    return {"key": step["key"], "sign": step["sign"], "scale": fmt(step["scale"])}


def certify_sample(network: Network, sample: Network, mechanism: str) -> tuple[dict, bool] | str:
    """The kernel-checked ``hidden-symmetry``/``equivalence`` certificate of θ' and the kernel's verdict,
    or a reason: "in-orbit" (θ' ∈ G·θ), or why no certificate was made."""
    start = time.perf_counter()
    der = canonical.derive({"A": network, "B": sample}, None)
    if der.forms["A"] != der.forms["B"]:
        return "the canonical forms differ (construction failed)"
    try:
        proof = separation(network.net, sample.net)
    except Undecided:
        return "the orbit search gave up (no separation proof)"
    if proof is None:
        return "in-orbit"
    evidence = {"method": "shallow-canonical", "keys": [[str(x) for x in k] for k in der.keys],
                "derivations": {n: [_step_json(s) for s in steps] for n, steps in der.steps.items()},
                "canonical": canonical_to_json(der.forms["A"])}
    cert = envelope("hidden-symmetry", claim("hidden-symmetry", {"A": network, "B": sample}, None),
                    {"method": "equivalence", "mechanism": mechanism, "equivalence": evidence, "separation": proof},
                    "equivalence", THEOREM, time.perf_counter() - start)
    cert, verdict, _ = finish(cert)
    return cert, verdict.valid


def _network(network: Network, p: Pair, label: str) -> Network:
    return network.replace(layers=p.layers(), name=f"{network.name or 'network'}-{label}")


def _fix(network: Network, p: Pair) -> Pair | None:
    """Set c' by (F3) so that the canonical constants agree (None if A or the kinks differ)."""
    old = canonical.canonical_form(network)
    new = canonical.canonical_form(network.replace(layers=p.layers()))
    if old[0] != new[0] or old[2] != new[2]:
        return None
    p.c = [x + (y - z) for x, y, z in zip(p.c, old[1], new[1])]
    return p


# --------------------------------------------------------------------------- the families

def _pair(network: Network) -> Pair:
    return Pair.of(*network.layers)


def _unit(k: int, n: int) -> list[Fraction]:
    return [ONE if j == k else ZERO for j in range(n)]


def _freedoms(network: Network, sh: Shallow) -> list[tuple[Component, Pair | None]]:
    """The families through θ inside its stratum (C1–C5 of §3.4), each with a candidate sample."""
    d, m = sh.d, sh.m
    out: list[tuple[Component, Pair | None]] = []
    for i in range(sh.n):
        kind = _kind(sh, i)
        if kind == "silent":
            p = []
            for t in TS:
                q = _pair(network)
                if any(q.w[i]):
                    free_row(q, i, t)
                else:
                    q.w[i] = [t * x for x in _unit(0, d)]
                p.append(q)
            out.append((Component("free-row", f"[0,{i}]", f"(w_{i}, b_{i}) ∈ R^{d + 1} free (a_{i} = 0)", d + 1, True,
                                  "M2", "stratum", neurons=(i,)), p))
        elif kind == "constant":
            p = _pair(network)
            p.a[i] = [2 * x for x in p.a[i]]
            if p.b[i] <= 0:
                p.b[i] -= 1
            out.append((Component("constant", f"[0,{i}]", f"(a_{i}, b_{i}) ∈ R^{m + 1} free with w_{i} = 0, "
                                  f"c' = c − a'_{i}σ(b'_{i}) + a_{i}σ(b_{i})", m + 1, True, "M3", "stratum",
                                  neurons=(i,)), p))
    keys: dict[tuple, list[int]] = {}
    for i in range(sh.n):
        if _kind(sh, i) == "active":
            keys.setdefault(sh.key[i], []).append(i)
    pairs = []
    for key, members in keys.items():
        for sign in (1, -1):
            ray = [i for i in members if sh.sign[i] == sign]
            for j, k in zip(ray, ray[1:]):
                p = [twins(_pair(network), j, k, t, _unit(0, m)) for t in TS]
                out.append((Component("twins", f"[0,{j}], [0,{k}]", f"γ_{j} + γ_{k} fixed: a_{j} += t v, "
                                      f"a_{k} −= t v/λ, v ∈ R^{m}", m, True, "M6", "stratum", neurons=(j, k)), p))
        plus = [i for i in members if sh.sign[i] == 1]
        minus = [i for i in members if sh.sign[i] == -1]
        if len(members) == 2 and plus and minus:
            j, k = plus[0], minus[0]
            alpha = [sh.scale[j] * x + sh.scale[k] * y for x, y in zip(sh.a[j], sh.a[k])]
            pairs.append((j, k))
            if not any(alpha):
                p = [slide(_pair(network), j, k, t) for t in TS]
                out.append((Component("slide", f"[0,{j}], [0,{k}]", "the linear unit's offset: b_j += t, "
                                      "b_k −= λt, c −= t a_j", 1, True, "M9", "stratum", neurons=(j, k)), p))
    if len(pairs) >= 2:
        normals = [[Fraction(x) for x in sh.normal(j)] for j, _ in pairs]
        rank = rank_q(normals)
        if rank < len(pairs):
            p = [redistribute(_pair(network), sh, pairs, pair_relation(sh, pairs), t, _unit(0, m)) for t in TS]
            out.append((Component("redistribute", ", ".join(f"[0,{j}]/[0,{k}]" for j, k in pairs),
                                  "negative masses moved between pairs along a relation Σ c_k ν_k = 0",
                                  m * (len(pairs) - rank), True, "M13", "stratum",
                                  neurons=tuple(x for pr in pairs for x in pr)), p))
    return out


def _others(network: Network, sh: Shallow) -> list[tuple[Component, Pair | None]]:
    """Samples of other strata: flips, twin merges, silenced constants, constant slots, one (C6) move."""
    d, m = sh.d, sh.m
    out: list[tuple[Component, Pair | None]] = []
    active = [i for i in range(sh.n) if _kind(sh, i) == "active"]
    if len(active) <= MAX_FLIP_NEURONS:
        found = 0
        for size in range(1, len(active) + 1):
            for T in combinations(active, size):
                if found >= MAX_FLIPS:
                    break
                total = [sum((sh.flip(i)[e] for i in T), ZERO) for e in range(m * d)]
                if any(total):
                    continue
                found += 1
                out.append((Component("flip", "{" + ", ".join(f"[0,{i}]" for i in T) + "}",
                                      f"rows of T negated, c += Σ_T a_j b_j (Σ_T a_j w_j^T = 0); then G",
                                      0, True, "M8", neurons=T), flip(_pair(network), list(T))))
    keys: dict[tuple, list[int]] = {}
    for i in active:
        keys.setdefault((sh.key[i], sh.sign[i]), []).append(i)
    for (key, sign), ray in keys.items():
        if len(ray) < 2:
            continue
        p = _pair(network)
        keep = ray[0]
        total = [sum((sh.scale[i] * sh.a[i][r] for i in ray), ZERO) for r in range(m)]
        p.a[keep] = [x / sh.scale[keep] for x in total]
        for i in ray[1:]:
            p.a[i] = [ZERO] * m
        rest = ", ".join(f"[0,{i}]" for i in ray[1:])
        out.append((Component("merge", f"[0,{keep}] ← {rest}", f"the twins merged into [0,{keep}]; {rest} silent, "
                              "their rows free", 0, True, "M6", neurons=tuple(ray)), p))
    for i in range(sh.n):
        kind = _kind(sh, i)
        if kind == "constant":
            p = _pair(network)
            p.a[i] = [ZERO] * m
            p.w[i] = _unit(0, d)
            out.append((Component("silence", f"[0,{i}]", f"a_{i}σ(b_{i}) moved into c; a_{i} = 0, the row free", 0,
                                  True, "M3", neurons=(i,)), p))
        elif kind == "silent":
            p = _pair(network)
            p.w[i] = [ZERO] * d
            p.b[i] = -ONE
            p.a[i] = _unit(0, m)
            out.append((Component("constant-slot", f"[0,{i}]", f"w_{i} = 0, b_{i} < 0, a_{i} free (the neuron "
                                  "outputs 0)", 0, True, "M3", neurons=(i,)), p))
    out += _move(network, sh)
    return out


def _move(network: Network, sh: Shallow) -> list[tuple[Component, Pair | None]]:
    """The first realisable (C6) move with R ≠ ∅, realised by the construction of Theorem 3.3."""
    from ..kernel.honest import Budget, realisable_move
    from ..hidden.mechanisms.layers import _pairs
    from ..kernel.subsetsum import TooExpensive
    from .fiber import realise_move
    pairs, singles, ok = _pairs(sh)
    if not ok or not pairs:
        return []
    try:
        move = realisable_move(sh, pairs, singles, Budget(1 << 16))
    except TooExpensive:
        return []
    if move is None or not move["R"] and not any(
            sum((sh.flip(i)[e] for i in move["T"]), ZERO) for e in range(sh.m * sh.d)):
        return []  # none, or a plain flip (listed with the flips)
    for seed in range(4):
        p = realise_move(_pair(network), sh, pairs, move, seed)
        if p is not None:
            what = f"R = {move['R']}, freed {move['remove']}, A' = {move['A']}, g = {move['g']}, T = {move['T']}"
            how = ("pairs collapsed; freed neurons on singles, new linear units or silent; negative masses "
                   "re-solved (proof of Theorem 3.3)") if move["R"] else \
                "flip of T compensated by moving negative mass between the members of the pairs (Theorem 3.3)"
            return [(Component("move", what, how, 0, True, "M13",
                               neurons=tuple(sorted({i for pr in move["R"] for i in pr} | set(move["T"])))), p)]
    return []


def describe(network: Network) -> Fiber:
    """The fiber of f_θ on R^d (one hidden layer) as a finite union of explicit families."""
    start = time.perf_counter()
    if not network.is_shallow:
        raise ValueError("one hidden layer only")
    network = network.replace(box=None)
    sh = structure(network.net)
    n, d, m = sh.n, sh.d, sh.m
    orbit = orbit_dimension(network)
    local, local_exact = stratum_dimension(network)
    local_exact = local_exact or closed_by_rank(network, local)
    comps = [Component("orbit", "all neurons", f"π ∈ S_{n}, λ ∈ R_{{>0}}^{n}: (w_i, b_i) ↦ λ_i (w_i, b_i), "
                       "a_i ↦ a_i/λ_i", orbit, True)]
    dropped: list[str] = []
    orbit_notes: list[str] = []
    freedoms = _freedoms(network, sh)
    if local > orbit and freedoms:
        # the whole stratum of θ; its sample is that of its first freedom
        stratum = Component("stratum", "the component of θ",
                            "scales of the active neurons, Γ (the solutions of (F1)–(F2)), free silent rows, "
                            "free constant neurons, linear-unit offsets", local, local_exact,
                            freedoms[0][0].mechanism)
        comps.append(stratum)
        freedoms = [(stratum, copy.deepcopy(freedoms[0][1]))] + freedoms
    for comp, p in freedoms:
        if comp.type != "stratum":
            comp.dim = orbit + comp.dim - (1 if comp.type in ("free-row", "constant") and orbit_has(network, comp)
                                           else 0)
            comps.append(comp)
    for comp, p in _others(network, sh):
        comps.append(comp)
        freedoms.append((comp, p))
    kept = []
    for comp, candidates in freedoms:
        candidates = candidates if isinstance(candidates, list) else [candidates]
        reason = "no sample point constructed"
        for p in candidates:
            if p is None or _fix(network, copy.deepcopy(p)) is None:
                continue
            p = _fix(network, copy.deepcopy(p))
            sample = _network(network, p, comp.type)
            result = certify_sample(network, sample, comp.mechanism or "search")
            if isinstance(result, str):
                reason = result
                continue
            if comp.contained_in is None and comp.type != "stratum":
                comp.dim, comp.exact = stratum_dimension(sample)
                comp.exact = comp.exact or closed_by_rank(sample, comp.dim)
            comp.certificate, comp.valid = result
            comp.sample = sample
            break
        if comp.sample is None:
            (orbit_notes if reason == "in-orbit" else dropped).append(f"{comp.type} {comp.where}: {reason}")
        elif not comp.valid:
            dropped.append(f"{comp.type} {comp.where}: the kernel rejected the sample's certificate")
        else:
            kept.append(comp)
    comps = [c for c in comps if c.type == "orbit" or c in kept]
    return Fiber(network, network.N, orbit, local, local_exact, comps, dropped, orbit_notes, time.perf_counter() - start)


def orbit_has(network: Network, comp: Component) -> bool:
    """The neuron of a free-row/constant freedom already counts one orbit direction."""
    i = comp.neurons[0]
    hidden, out = network.layers
    return bool(any(hidden.weight[i]) or hidden.bias[i] or any(row[i] for row in out.weight))


__all__ = ["Component", "Fiber", "describe", "stratum_dimension", "closed_by_rank", "orbit_dimension", "certify_sample"]


# --------------------------------------------------------------------------- one-parameter families (§2.1, docs/fibers.md)

def _pair_family(t: Fraction) -> Network:
    """θ(t): f = σ(x) + t σ(−x) (1-2-1).  t = −1: a linear unit (slide, C4); t = 0: a silent neuron
    (C1); t = 1: |x| (in Σ, not in int Σ: the double flip of split points, Theorem 3.5)."""
    return Network.from_layers([([[1], [-1]], [0, 0]), ([[1, t]], [0])], name=f"pair(t={fmt(t)})")


def _twins_family(t: Fraction) -> Network:
    """θ(t): f = σ(x) + 2σ(x − t) (1-2-1).  t = 0: twins (C3); the fiber jumps from 2 to 3."""
    return Network.from_layers([([[1], [1]], [0, -t]), ([[1, 2]], [0])], name=f"twins(t={fmt(t)})")


def _escape_family(t: Fraction) -> Network:
    """θ(t): f = 2σ(t x − 1) (1-1-1), the family of Theorem 3.8.  For t ≠ 0 the kink sits at 1/t
    with kink moment 2; at t = 0 the neuron is constant (C2) and f = 0: the fiber jumps from 1 to 2."""
    return escaping(t, Fraction(2))


FAMILIES = {
    "pair": (_pair_family, (Fraction(-2), Fraction(2), 17), (Fraction(-1), Fraction(0), Fraction(1)),
             "σ(x) + t σ(−x): slide at t = −1, silent neuron at t = 0, |x| (Σ ∖ int Σ) at t = 1"),
    "twins": (_twins_family, (Fraction(-1), Fraction(1), 9), (Fraction(0),),
              "σ(x) + 2σ(x − t): twins at t = 0"),
    "escape": (_escape_family, (Fraction(-2), Fraction(2), 9), (Fraction(0),),
               "2σ(t x − 1): kink at 1/t with kink moment 2, gone at t = 0 (Theorem 3.8)"),
}


def family_grid(name: str, lo: Fraction, hi: Fraction, steps: int) -> list[Fraction]:
    """``steps`` equally spaced values in [lo, hi], plus the family's special values inside it."""
    _, _, special, _ = FAMILIES[name]
    grid = {lo + (hi - lo) * k / (steps - 1) for k in range(steps)} if steps > 1 else {lo}
    return sorted(grid | {s for s in special if lo <= s <= hi})


HONESTY_LEVEL = {"int-sigma": 2, "sigma": 1, "not-sigma": 0}


def family_point(name: str, t: Fraction) -> dict:
    """One point of the plot: the fiber (with its sample certificates) and honesty (with its certificate)."""
    from .. import api
    network = FAMILIES[name][0](t)
    fib = describe(network)
    ans = api.honest(network)
    d = ans.details
    level = "int-sigma" if d.get("int_sigma") else ("sigma" if d.get("sigma") else
                                                     ("not-sigma" if d.get("sigma") is False else None))
    valid = all(c.valid for c in fib.components if c.sample is not None) and not fib.dropped and ans.certified
    return {"family": name, "t": fmt(t), "network": network.to_json(), "fiber_dim": fib.dim,
            "fiber_dim_exact": fib.exact, "local_dim": fib.local_dim, "orbit_dim": fib.orbit_dim, "N": fib.N,
            "kink_moment": fmt(kink_moment(network)), "honesty": level, "honest_verdict": ans.verdict, "certified": valid,
            "components": [c.to_json() for c in fib.components], "dropped": fib.dropped,
            "honest_certificate": ans.certificate if ans.certified else None}


__all__ += ["FAMILIES", "family_grid", "family_point", "HONESTY_LEVEL"]
