"""Honesty of one-hidden-layer networks: Σ, U_0, int Σ, strongly honest (theory.md §3.4–3.7).

The decision itself is the kernel's (``certify.kernel.honest.decide``: Theorems 3.3, 3.4,
3.6), so the data a certificate carries are exactly what the checker recomputes.  This
module adds what the kernel does not need to trust:

* witnesses: θ ∉ Σ is shown by a kernel-checked ``hidden-symmetry`` certificate for the
  failing condition (C1 → M2, C2 → M3, C3 → M6, C4 → M9, C5 → M13, C6 → M8 or M13);
* θ ∈ Σ ∖ int Σ is shown by an explicit family θ(t) → θ (every opposite pair split by a
  bias shift, t ∈ (0, t0]) on which flipping the zero-sum subset T of condition (a) is a
  hidden symmetry, with explicit witnesses at sample points (``split-family``), or — with
  ≥ 2 opposite pairs — by a family θ(t) = (W + t·η, b) tilting dependent normals so that a
  limit move of Theorem 3.7 is realisable on it (``limit-move``, witness within distance 1/1000);
* a MILP accelerator (``certify.shallow.subsetsum``) when the exact enumeration is over budget
  (it can only *find* a subset; "none" always comes from the exact enumeration);
* the ``honest`` answer, also for deep networks (exit 1 with a catalogue witness, else 3).
"""
from __future__ import annotations

import time
from fractions import Fraction

from ..hidden import mechanisms
from ..core.answer import NO, UNDECIDED, YES, Answer, judged, timed
from ..core.problem import Problem
from ..core.certificate import claim, envelope
from ..kernel.exact import InputError, fmt
from ..kernel.honest import BUDGET, coincidences, limit_normals, move_matrix, pair_ratio, stratum_kept, structure
from ..kernel.honest import decide as decision_data
from ..group.matching import separation
from ..kernel.linalg import rank_q
from ..kernel.moves import replay
from ..kernel.subsetsum import TooExpensive
from ..network import Network
from .subsetsum import find_subset

THEOREM = {
    "sigma": "Theorem 3.3: θ ∈ Σ ⟺ (C1)–(C6) (no hidden symmetry on R^d)",
    "U0": "Theorem 3.4: θ ∈ U_0 ⊂ int Σ (distinct hyperplanes, no zero subset sum of flip matrices)",
    "U1": "Theorem 3.6: one opposite pair with (a)–(d): θ ∈ int Σ",
    "family": "Theorems 3.4, 3.6: split pairs + zero subset sum (a) ⇒ hidden flips arbitrarily close to θ",
    "limit": "Theorem 3.7: ≥ 2 opposite pairs, θ ∈ Σ, (a), and no limit move: θ ∈ int Σ",
    "limit-move": "Theorem 3.7: a limit move (dependent normals N_μ) is realisable at θ(t) → θ, so θ ∉ int Σ",
    "strong": "§3.6 Remark (i): in the shallow case int Σ is strongly honest (Pr acts freely)",
}
CONDITION_MECHANISMS = {"C1": ("M2",), "C2": ("M3",), "C3": ("M6",), "C4": ("M9",), "C5": ("M13",),
                        "C6": ("M8", "M13")}


def pattern_budget(p: Problem) -> int:
    """The subset-pattern budget of a problem: ``--budget``, at most the kernel's own."""
    budget = p.budget or BUDGET
    if budget > BUDGET:
        raise InputError("--budget", f"at most {BUDGET} subset patterns: the kernel re-checks the decision "
                         "with this fixed budget, so a larger one could not be certified")
    return budget


PATTERNS_PER_SECOND = 40_000  # a conservative rate of the exact subset enumeration (≈ 10^5/s measured, 2 cores)


def budget_within(budget: int, p: Problem) -> tuple[int, bool]:
    """(patterns, cut): at most ``budget`` subset patterns, and no more than fit in a third of the
    time left (the enumeration may run three times: the decision, the accelerator's exact pass,
    the kernel's check); ``cut`` says the deadline lowered the budget."""
    if p.deadline is None:
        return budget, False
    fit = max(1024, int(PATTERNS_PER_SECOND * p.remaining() / 3))
    return min(budget, fit), fit < budget


def decision(network: Network, budget: int = BUDGET, accelerate: bool = True,
             deadline: float | None = None) -> dict:
    """The kernel's decision data; if the exact enumeration is over budget and θ has no pairs,
    the MILP accelerator may still find the zero-sum subset that decides "not in Σ" (for at most
    20 s, and not past ``deadline``)."""
    data = decision_data(network.net, budget)
    if data["undecided"] and accelerate and not data["pairs"] and data["failed"] is None:
        seconds = 20.0 if deadline is None else min(20.0, deadline - time.perf_counter())
        if seconds < 0.5:
            return data
        sh = structure(network.net)
        try:
            T = find_subset([sh.flip(i) for i in range(sh.n)], None, True, budget=budget, dim=sh.m * sh.d,
                            time_limit=seconds)
        except TooExpensive:
            return data
        if T:  # a plain flip (M8): C6 with R = ∅ fails, so θ ∉ Σ
            data.update(sigma=False, failed="C6", detail={"R": [], "remove": [], "A": [], "g": 0, "T": T},
                        U0=False, int_sigma=False, undecided=None, accelerated=True)
    return data


def witness_finding(network: Network, data: dict, findings: list | None = None):
    """The catalogue finding that realises the failed condition of ``data`` (or any finding)."""
    findings = findings if findings is not None else mechanisms.detect(network, None, nested=False)
    wanted = CONDITION_MECHANISMS.get(data.get("failed") or "", ())
    ordered = [f for f in findings if f.mechanism in wanted] + [f for f in findings if f.mechanism not in wanted]
    found = mechanisms.first_certified(ordered)
    if found is not None:
        return found
    if data.get("failed") == "C6":
        f = mechanisms.layers.move_finding(network, None, 0, data["detail"])
        if f is not None:
            found = mechanisms.first_certified([f])
            if found is not None:
                return found
    return None


def _int_theorem(data: dict) -> str:
    """The theorem that puts θ in int Σ: 3.4 (no pair), 3.6 (one pair), 3.7 (two or more)."""
    return THEOREM["U0"] if data["U0"] else THEOREM["U1"] if len(data["pairs"]) == 1 else THEOREM["limit"]


def _move_text(move: dict) -> str:
    return f"(R = {move['R']}, removed {move['remove']}, A' = {move['A']}, g = {move['g']}, T = {move['T']}, e = {move['e']})"


def in_sigma_envelope(network: Network, data: dict, statement: str, seconds: float, budget: int = BUDGET) -> dict:
    """The ``honest-shallow``/``decision`` certificate (not yet judged) for θ ∈ Σ or θ ∈ int Σ."""
    theorem = THEOREM["sigma"] if statement == "in-sigma" else _int_theorem(data)
    if budget != BUDGET:  # the kernel recomputes the data with its own fixed budget
        data = decision_data(network.net, BUDGET)
    evidence = {"method": "decision", "decision": data}
    return envelope("honest-shallow", claim(statement, {"A": network}, None), evidence, "decision", theorem, seconds)


def split_shifts(network: Network, pairs: list[list[int]]) -> tuple[list[Fraction], Fraction]:
    """Bias shifts c_i (1 on the + member of each pair) and t0 > 0 such that for t ∈ (0, t0]
    all unoriented hyperplanes of θ(t) are distinct (the kernel re-checks this)."""
    hidden = network.layers[0]
    n = len(hidden.bias)
    shift = [Fraction(0)] * n
    for plus, _ in pairs:
        shift[plus] = Fraction(1)
    # half-way to the first positive t at which two hyperplanes meet (the kernel's own test)
    meet = [t for _, _, t in coincidences(structure(network.net), shift) if t is not None and t > 0]
    return shift, min([Fraction(1)] + [t / 2 for t in meet])


def family_certificate(network: Network, data: dict, seconds: float):
    """θ ∉ int Σ by the split family, with an explicit flip witness at t0."""
    T = data["a"]
    shift, t0 = split_shifts(network, data["pairs"])
    hidden, out = network.layers
    moved = network.replace(layers=(hidden._replace(bias=tuple(b + c * t0 for b, c in zip(hidden.bias, shift))), out),
                            name=f"{network.name or 'network'}(t0)")
    moves = [{"move": "flip", "layer": 0, "neurons": T, "relations": []}]
    flipped, _ = replay(moved.net, None, moves)
    witness = moved.replace(layers=flipped.layers, name=f"{network.name or 'network'}(t0)-flipped")
    nested = {"t": fmt(t0), "claim": claim("hidden-symmetry", {"A": moved, "B": witness}, None),
              "evidence": {"method": "moves", "mechanism": "M8", "moves": moves,
                           "separation": separation(moved.net, witness.net)}}
    evidence = {"method": "split-family", "subset": T, "shift": [fmt(c) for c in shift], "t0": fmt(t0),
                "witnesses": [nested]}
    cert = envelope("honest-shallow", claim("not-in-int-sigma", {"A": network}, None), evidence,
                    "split-family", THEOREM["family"], seconds)
    return cert, witness


def limit_direction(network: Network, data: dict) -> list[list[Fraction]]:
    """The perturbation η of Theorem 3.7's proof for the limit move μ = data["limit"]: with
    N_μ = B ∪ X (B a basis of W_0 = span N_μ, X the e_μ dependent normals) and ρ = rank(M_μ B_U)
    ≤ g + e_μ, pick ρ − g rows of M_μ independent modulo W_0 and add t·(one of them) to the
    normals of ρ − g members of X (both members of a pair, in ratio −λ, so it stays a pair).
    Then span N_μ(t) = W_0 + span{rows} for t ≠ 0, and M_μ has rank ≤ g on its annihilator."""
    sh = structure(network.net)
    move = data["limit"]
    pairs = [tuple(p) for p in data["pairs"]]
    entries = limit_normals(sh, move, pairs)
    basis, extra = [], []
    for i in entries:
        (basis if rank_q([list(sh.w[j]) for j in basis + [i]]) > len(basis) else extra).append(i)
    M = move_matrix(sh, move)
    rows = [M[r * sh.d:(r + 1) * sh.d] for r in range(sh.m)]
    span = [list(sh.w[j]) for j in basis]
    chosen = []
    for row in rows:
        if rank_q(span + chosen + [row]) > len(basis) + len(chosen):
            chosen.append(row)
    need = len(chosen) - move["g"]  # ρ − g (ρ = rank of M_μ on U = W_0^⊥)
    direction = [[Fraction(0)] * sh.d for _ in range(sh.n)]
    partner = {p[0]: p[1] for p in pairs}
    for i, eta in zip(extra, chosen[:max(need, 0)]):
        direction[i] = list(eta)
        if i in partner:
            lam = pair_ratio(sh, i, partner[i])
            direction[partner[i]] = [-lam * x for x in eta]
    return direction


DELTA = Fraction(1, 1000)  # the witness point lies within this distance (max-norm) of θ


def limit_certificate(network: Network, data: dict, seconds: float, delta: Fraction = DELTA):
    """θ ∉ int Σ by Theorem 3.7: the family θ(t) = (W + t·η, b), t ∈ (0, t0], with an explicit
    hidden-symmetry witness at a point t with ‖θ(t) − θ‖_∞ ≤ ``delta`` (found by the Theorem 3.3
    decision at θ(t), checked by the kernel).  Returns (certificate, distance), or None when no
    witness was accepted."""
    sh = structure(network.net)
    direction = limit_direction(network, data)
    t0 = Fraction(1)
    while stratum_kept(sh, direction, t0) is not None:
        t0 /= 2
        if t0 < Fraction(1, 1 << 60):
            return None
    size = max(abs(x) for row in direction for x in row)  # > 0: θ ∈ Σ, so the move needs η ≠ 0
    t = min(t0, delta / size)
    hidden, out = network.layers
    moved_layer = hidden._replace(weight=tuple(tuple(x + t * y for x, y in zip(row, e))
                                               for row, e in zip(hidden.weight, direction)))
    moved = network.replace(layers=(moved_layer, out), name=f"{network.name or 'network'}(t={fmt(t)})")
    near = decision_data(moved.net, BUDGET)
    if near["sigma"] is not False:
        return None
    found = witness_finding(moved, near)
    if found is None:
        return None
    _, wcert, _, _ = found
    nested = {"t": fmt(t), "claim": wcert["claim"], "evidence": wcert["evidence"]}
    move = {k: data["limit"][k] for k in ("R", "remove", "A", "g", "T")}
    evidence = {"method": "limit-move", "move": move, "direction": [[fmt(x) for x in row] for row in direction],
                "t0": fmt(t0), "witnesses": [nested]}
    cert = envelope("honest-shallow", claim("not-in-int-sigma", {"A": network}, None), evidence,
                    "limit-move", THEOREM["limit-move"], seconds)
    return cert, t * size


def _report(data: dict) -> dict:
    out = {"sigma": data["sigma"], "U0": data["U0"], "int_sigma": data["int_sigma"],
           "strongly_honest": data["int_sigma"], "pairs": data["pairs"], "patterns": data.get("patterns")}
    if data.get("failed"):
        out["failed"] = data["failed"]
        out["detail"] = data.get("detail")
    if "limit" in data:  # ≥ 2 pairs: the first limit move of Theorem 3.7, or True (none)
        out["limit"] = data["limit"]
    if data.get("undecided"):
        out["undecided"] = data["undecided"]
    return out


def decide(p: Problem) -> Answer:
    """Is θ in the maximal honest open set int Σ?  Exact for one hidden layer (§3.4–3.7).

    Honesty concerns functions on R^d0 (§3.5): the problem's domain must be the whole
    space (a network's own box is ignored, with a note).  ``p.budget``: subset patterns."""
    network = p.a
    if network.depth < 2:
        raise InputError("layers", "the network has no hidden layer (honesty concerns hidden neurons)")
    if p.domain.source == "--box":
        raise InputError("--box", "honesty (§3.5) is a property of the function on R^d0; it takes no box")
    boxed = network.box is not None
    network = network.replace(box=None)
    if not network.is_shallow:
        return _deep(p, network)
    budget, cut = budget_within(pattern_budget(p), p)
    data = decision(network, budget, deadline=p.deadline)
    details = _report(data)
    if boxed:
        details["note"] = "the network's box is ignored: honesty (§3.5) concerns functions on R^d0"
    if data["sigma"] is False:
        found = witness_finding(network, data)
        if found is None:
            return _undecided(p, f"θ ∉ Σ by condition {data['failed']}, but no witness certificate was accepted",
                              details)
        f, *cert = found
        details.update(mechanism=f.mechanism, where=f.where)
        return _answer(p, "not-honest", NO, f.theorem, "decision+witness",
                       f"not honest: θ has a hidden symmetry ({f.mechanism}: {f.where}); "
                       f"condition {data['failed']} of Theorem 3.3 fails", details, cert)
    if data["sigma"] is True and isinstance(data["a"], list):
        cert, _ = family_certificate(network, data, p.elapsed())
        details["subset"] = data["a"]
        return _answer(p, "not-honest", NO, THEOREM["family"], "split-family",
                       f"not honest: θ ∈ Σ (no hidden symmetry) but not in int Σ — flipping neurons {data['a']} "
                       "is a hidden symmetry of nearby points with split hyperplanes", details, cert)
    if data["sigma"] is True and isinstance(data.get("limit"), dict):
        built = limit_certificate(network, data, p.elapsed())
        if built is None:
            return _undecided(p, "θ ∈ Σ and a limit move of Theorem 3.7 is realisable, but no witness "
                              "certificate at a nearby point was accepted", details)
        cert, distance = built
        details["distance"] = fmt(distance)
        details["moved"] = [i for i, row in enumerate(cert["evidence"]["direction"]) if any(x != "0" for x in row)]
        return _answer(p, "not-honest", NO, THEOREM["limit-move"], "limit-move",
                       f"not honest: θ ∈ Σ (no hidden symmetry) but not in int Σ — moving normals by t·η "
                       f"makes the move {_move_text(data['limit'])} realisable (checked witness at distance "
                       f"{fmt(distance)}, and every t ∈ (0, t0])", details, cert)
    if data["int_sigma"] is True:
        cert = in_sigma_envelope(network, data, "in-int-sigma", p.elapsed(), budget)
        q = len(data["pairs"])
        where = ("U_0 (Theorem 3.4)" if data["U0"] else "U_1, one opposite pair (Theorem 3.6)" if q == 1
                 else f"{q} opposite pairs and no limit move (Theorem 3.7)")
        return _answer(p, "honest", YES, _int_theorem(data), "decision",
                       f"honest: θ ∈ int Σ via {where}; strongly honest ({THEOREM['strong']})", details, cert)
    if data["sigma"] is True:  # condition (a) or the limit moves of Theorem 3.7 were over budget
        cert = in_sigma_envelope(network, data, "in-sigma", p.elapsed(), budget)
        stop = f"{p.stopped()} (the budget is what fits in the time): " if cut else ""
        which = "condition (a)" if data["a"] is None else "the limit moves of Theorem 3.7"
        answer = Answer("honest", "unknown", UNDECIDED, THEOREM["sigma"], "decision",
                        f"undecided: θ ∈ Σ, but int Σ is not decided: {stop}{data['undecided']} ({which})",
                        dict(details, stopped=cut), domain=p.domain)
        return timed(judged(answer, cert), p.start)
    stop = f"{p.stopped()} (the budget is what fits in the time): " if cut else ""
    return _undecided(p, f"undecided: {stop}{data['undecided']} (theory §3.7: U_0 membership is NP-hard in general)",
                      dict(details, stopped=cut))


def _deep(p: Problem, network: Network) -> Answer:
    notes: list[str] = []
    findings = mechanisms.detect(network, None, notes=notes)
    found = mechanisms.first_certified(findings)
    if found is not None:
        f, *cert = found
        details = {"mechanism": f.mechanism, "where": f.where, "findings": [g.summary() for g in findings]}
        return _answer(p, "not-honest", NO, f.theorem, "catalogue",
                       f"not honest: θ has a hidden symmetry ({f.mechanism}: {f.where})", details, cert)
    return _undecided(p, "undecided: no catalogue mechanism applies and int Σ of deep networks has no known "
                      "decision procedure (§2.1, §7)", {"notes": notes, "checked": mechanisms.ORDER})


def _answer(p: Problem, verdict_text, code, theorem, method, summary, details, cert) -> Answer:
    """``cert``: a certificate, or (certificate, verdict, seconds) already judged by a search."""
    answer = Answer("honest", verdict_text, code, theorem, method, summary, details, domain=p.domain)
    return timed(judged(answer, *cert) if isinstance(cert, (list, tuple)) else judged(answer, cert), p.start)


def _undecided(p: Problem, summary: str, details: dict) -> Answer:
    answer = Answer("honest", "unknown", UNDECIDED, "none", "decision", summary, details, domain=p.domain)
    return timed(answer, p.start)


__all__ = ["BUDGET", "pattern_budget", "decision", "decide", "witness_finding", "family_certificate", "in_sigma_envelope",
           "split_shifts", "THEOREM"]
