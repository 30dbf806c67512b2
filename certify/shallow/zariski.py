"""The shallow honest set as polynomials (theory.md §3.4–3.6): U_0, U_1 and int Σ.

For architecture d-n-m, f(x) = c + Σ_j a_j σ(w_j·x + b_j) with a_j = (v_{0,j}, …, v_{m−1,j}),
this module writes down, with sympy, the finite lists of polynomial conditions of

* **Theorem 3.4**: U_0 = {(C1), (C2), θ ∈ D, Σ_{t∈T} a_t w_t^T ≠ 0 for every non-empty T} is
  Zariski open, U_0 ⊂ int Σ and int Σ ∩ D = Σ ∩ D = U_0;
* **Theorem 3.6**: a point with exactly one opposite pair {i, j} and otherwise distinct
  hyperplanes lies in int Σ iff (C1), (C2), (a)–(d).  One stratum U_1^{ij} per pair;
  for m = 1, int Σ = U_0 ∪ ⋃_{i<j} U_1^{ij} (complete); for m ≥ 2 the union is contained in
  int Σ and the rest of int Σ has ≥ 2 opposite pairs (decided pointwise by Theorem 3.7 in
  ``certify honest``, not listed as polynomials here);

in two charts (§3.6):

* ``raw``: the weights w_{j,i}, b_j, v_{k,j}, c_k.  U_0 is Zariski open here, but a stratum
  U_1^{ij} needs the *sign* condition w_i·w_j < 0 (opposite orientation) beside the
  equations "rows proportional": int Σ is only semi-algebraic (for 1-2-1 it is not Zariski
  open at all, §3.6);
* ``invariant``: the quotient by scaling in the sphere model, u_j = (w_j, b_j)/|(w_j, b_j)|
  ∈ S^d (u_{j,d} is the offset coordinate), γ_{k,j} = |(w_j, b_j)| v_{k,j}.  "Same oriented
  hyperplane" is u_i = u_j and "opposite" is u_i = −u_j, two different algebraic sets, so
  every stratum is cut out by equations and int Σ (m = 1) is Zariski open.

A condition holds at θ when: ``!=0`` some component is non-zero (the complement of the
common zero set: Zariski open); ``=0`` all components vanish; ``<0`` its one component is
negative.  ``evaluate`` decides this exactly at a rational θ (Fractions).  The sphere chart
needs square roots; its conditions are evaluated at the representative normalised by the
ℓ¹ norm instead, which has the same vanishing pattern: every component is multi-homogeneous
in (u_j, γ_j) per neuron, except u_i ∓ u_j (zero iff the rows are ±-positively proportional,
for any norm) and γ_i + γ_j (zero, on u_i = −u_j, iff a_i + λ a_j = 0, for any norm).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations
from typing import Iterable, Sequence

from ..kernel.exact import InputError

NEQ, EQ, NEG = "!=0", "=0", "<0"
MAX_WIDTH = 8  # 2^n subsets and n² pairs: the list has about n² 2^n entries
THEOREM = {
    "U0": "Theorem 3.4 (§3.5): U_0 is Zariski open, U_0 ⊂ int Σ, int Σ ∩ D = Σ ∩ D = U_0",
    "U1": "Theorem 3.6 (§3.5): exactly one opposite pair {i, j}: θ ∈ int Σ ⟺ (C1), (C2), (a)–(d)",
    "complete": "Theorem 3.6, m = 1: int Σ = U_0 ∪ U_1 (§3.6: Zariski open in the scaling quotient)",
    "partial": "m ≥ 2: U_0 ∪ U_1 ⊂ int Σ; points of int Σ with ≥ 2 opposite pairs are not listed here (Theorem 3.7 decides them)",
}


@dataclass(frozen=True)
class Condition:
    """One named condition: a relation on a tuple of integer polynomials (ring elements)."""

    name: str
    relation: str
    components: tuple
    section: str
    meaning: str

    def compiled(self) -> tuple:
        """Sparse terms per component, for exact evaluation without sympy (built once, on demand)."""
        cached = self.__dict__.get("_compiled")
        if cached is None:
            cached = tuple(tuple((int(c), tuple((k, e) for k, e in enumerate(mon) if e)) for mon, c in p.terms())
                           for p in self.components)
            object.__setattr__(self, "_compiled", cached)
        return cached


@dataclass(frozen=True)
class Stratum:
    """U_1^{ij}: the locus of the opposite pair {i, j} and the conditions that put it in int Σ."""

    pair: tuple[int, int]
    locus: tuple[str, ...]
    conditions: tuple[str, ...]


@dataclass(frozen=True)
class Chart:
    """The conditions in one system of coordinates (``raw`` or ``invariant``)."""

    coordinates: str
    ring: object
    symbols: tuple
    ambient: tuple[Condition, ...]
    conditions: dict[str, Condition]
    U0: tuple[str, ...]
    U1: tuple[Stratum, ...]

    def counts(self) -> dict[str, int]:
        polys = sum(len(c.components) for c in self.conditions.values())
        return {"conditions": len(self.conditions), "U0": len(self.U0), "U1_strata": len(self.U1),
                "polynomials": polys}


@dataclass(frozen=True)
class HonestSet:
    """The polynomial description of U_0 and U_1 for architecture d-n-m (both charts)."""

    d: int
    n: int
    m: int
    raw: Chart
    invariant: Chart
    complete: bool = field(default=False)

    @property
    def architecture(self) -> str:
        return f"{self.d}-{self.n}-{self.m}"

    def charts(self, names: Sequence[str] | None = None) -> tuple[Chart, ...]:
        """The charts named (``"raw"``, ``"invariant"``; default both), in that order."""
        return tuple(c for c in (self.raw, self.invariant) if names is None or c.coordinates in names)


# --------------------------------------------------------------------------- architecture

def parse_architecture(text: str) -> tuple[int, int, int]:
    """``"d-n-m"`` → (d, n, m), each ≥ 1 and n ≤ MAX_WIDTH; anything else is bad input."""
    match = re.fullmatch(r"\s*(\d+)-(\d+)-(\d+)\s*", text or "")
    if not match:
        raise InputError("architecture", f"expected D-N-M (one hidden layer, e.g. 2-3-1), got {text!r}")
    d, n, m = (int(g) for g in match.groups())
    if min(d, n, m) < 1:
        raise InputError("architecture", f"every width must be at least 1, got {text!r}")
    if n > MAX_WIDTH or d > MAX_WIDTH or m > MAX_WIDTH:
        raise InputError("architecture", f"widths above {MAX_WIDTH} are refused (the lists have about "
                                         f"n²·2^n conditions), got {text!r}")
    return d, n, m


# --------------------------------------------------------------------------- building

def nrn(j: int) -> str:
    """Neuron j of hidden layer 0, in the [l, j] convention."""
    return f"[0,{j}]"


def subset(T: Iterable[int]) -> str:
    return "{" + ",".join(nrn(t) for t in T) + "}"


def _nonempty_subsets(items: Sequence[int]) -> list[tuple[int, ...]]:
    return [T for size in range(1, len(items) + 1) for T in combinations(items, size)]


class _Coordinates:
    """Rows r_j = (w_j | b_j), outputs a_j and the flip matrices F_j = a_j w_j^T as ring elements."""

    def __init__(self, d: int, n: int, m: int, invariant: bool):
        from sympy import Symbol, ZZ
        from sympy.polys.rings import ring
        self.d, self.n, self.m, self.invariant = d, n, m, invariant
        if invariant:
            rows = [[Symbol(f"u_{{{j},{i}}}") for i in range(d + 1)] for j in range(n)]
            outs = [[Symbol(f"gamma_{{{k},{j}}}") for k in range(m)] for j in range(n)]
        else:
            rows = [[Symbol(f"w_{{{j},{i}}}") for i in range(d)] + [Symbol(f"b_{{{j}}}")] for j in range(n)]
            outs = [[Symbol(f"v_{{{k},{j}}}") for k in range(m)] for j in range(n)]
        consts = [Symbol(f"c_{{{k}}}") for k in range(m)]
        self.symbols = tuple(s for row in rows for s in row) + tuple(s for a in outs for s in a) + tuple(consts)
        self.ring, *gens = ring(self.symbols, ZZ)
        it = iter(gens)
        self.r = [[next(it) for _ in range(d + 1)] for _ in range(n)]
        self.a = [[next(it) for _ in range(m)] for _ in range(n)]
        self.w = [row[:d] for row in self.r]
        self.F = [[[self.a[j][k] * self.w[j][p] for p in range(d)] for k in range(m)] for j in range(n)]
        self.zero = self.ring.zero

    def flip_sum(self, T: Iterable[int]) -> list[list]:
        M = [[self.zero] * self.d for _ in range(self.m)]
        for t in T:
            M = [[M[k][p] + self.F[t][k][p] for p in range(self.d)] for k in range(self.m)]
        return M

    def minors(self, x: Sequence, y: Sequence) -> tuple:
        """The 2×2 minors of the two rows x, y (all zero iff x, y are linearly dependent)."""
        return tuple(x[p] * y[q] - x[q] * y[p] for p, q in combinations(range(len(x)), 2))

    def off_line(self, M: list[list], nu: Sequence) -> tuple:
        """M ∉ {y ν^T}: the minors of every row of M against ν; (0,) when d = 1 (always a multiple)."""
        comps = tuple(c for row in M for c in self.minors(row, nu))
        return comps or (self.zero,)


def _conditions_U0(X: _Coordinates) -> list[Condition]:
    n = X.n
    out = [Condition(f"C1{nrn(j)}", NEQ, tuple(X.a[j]), "§3.4 (C1)",
                     f"neuron {nrn(j)} has a non-zero outgoing column")
           for j in range(n)]
    out += [Condition(f"C2{nrn(j)}", NEQ, tuple(X.w[j]), "§3.4 (C2)",
                      f"neuron {nrn(j)} has a non-zero incoming weight row")
            for j in range(n)]
    for i, j in combinations(range(n), 2):
        if X.invariant:
            out.append(Condition(f"D+{nrn(i)}{nrn(j)}", NEQ, tuple(x - y for x, y in zip(X.r[i], X.r[j])),
                                 "§3.6, §3.4 (C3)", f"u_{i} ≠ u_{j}: not the same oriented hyperplane"))
            out.append(Condition(f"D-{nrn(i)}{nrn(j)}", NEQ, tuple(x + y for x, y in zip(X.r[i], X.r[j])),
                                 "§3.6, §3.5 (D)", f"u_{i} ≠ −u_{j}: not an opposite pair"))
        else:
            out.append(Condition(f"D{nrn(i)}{nrn(j)}", NEQ, X.minors(X.r[i], X.r[j]), "§3.5 (D)",
                                 f"rows [w|b] of {nrn(i)} and {nrn(j)} not proportional: distinct hyperplanes"))
    for T in _nonempty_subsets(range(n)):
        out.append(Condition(f"S{subset(T)}", NEQ, tuple(c for row in X.flip_sum(T) for c in row),
                             "§3.5 U_0, §3.5 Theorem 3.6 (a)", f"Σ_T a_t w_t^T ≠ 0 for T = {subset(T)}"))
    return out


def _stratum(X: _Coordinates, i: int, j: int, shared: dict[str, Condition]) -> tuple[Stratum, list[Condition]]:
    """The locus of the opposite pair {i, j} and its conditions (b), (c), (d) (Theorem 3.6)."""
    n, tag = X.n, f"{nrn(i)}{nrn(j)}"
    own: list[Condition] = []
    if X.invariant:
        locus = [Condition(f"E{tag}", EQ, tuple(x + y for x, y in zip(X.r[i], X.r[j])), "§3.6",
                           f"u_{i} = −u_{j}: {nrn(i)}, {nrn(j)} on one hyperplane, opposite orientations")]
        own.append(Condition(f"b{tag}", NEQ, tuple(x + y for x, y in zip(X.a[i], X.a[j])), "§3.5 Theorem 3.6 (b)",
                             "α_0 = γ_i + γ_j ≠ 0 (the kink of the pair does not cancel)"))
    else:
        locus = [Condition(f"E{tag}", EQ, X.minors(X.r[i], X.r[j]), "§3.5 Theorem 3.6",
                           f"rows of {nrn(i)}, {nrn(j)} proportional: one hyperplane"),
                 Condition(f"O{tag}", NEG, (sum((x * y for x, y in zip(X.w[i], X.w[j])), X.zero),),
                           "§3.6", "w_i·w_j < 0: opposite orientations (a sign, not an equation)")]
        Fi, Fj = X.flip_sum([i]), X.flip_sum([j])
        own.append(Condition(f"b{tag}", NEQ, tuple(x - y for ri, rj in zip(Fi, Fj) for x, y in zip(ri, rj)),
                             "§3.5 Theorem 3.6 (b)", "F_i − F_j = (a_i + λ a_j) w_i^T ≠ 0 on the stratum"))
    singles = [t for t in range(n) if t not in (i, j)]
    for T in _nonempty_subsets(singles):
        own.append(Condition(f"c{tag};{subset(T)}", NEQ, X.off_line(X.flip_sum(T), X.w[i]),
                             "§3.5 Theorem 3.6 (c)", f"Σ_T F_t ∉ {{y ν_0^T}} for T = {subset(T)}"))
    for k1 in singles:
        rest = [t for t in singles if t != k1]
        for T in [()] + _nonempty_subsets(rest):
            for r in (i, j):
                own.append(Condition(f"d{tag};r={nrn(r)};k={nrn(k1)};{subset(T)}", NEQ,
                                     X.off_line(X.flip_sum((r,) + T), X.w[k1]), "§3.5 Theorem 3.6 (d)",
                                     f"F_r + Σ_T F_t ∉ {{y ν_k^T}} for r = {nrn(r)}, k = {nrn(k1)}, T = {subset(T)}"))
    mine = {f"D{tag}", f"D+{tag}", f"D-{tag}"}
    others = [name for name in shared if name not in mine]
    stratum = Stratum((i, j), tuple(c.name for c in locus), tuple(others) + tuple(c.name for c in own))
    return stratum, locus + own


def _chart(d: int, n: int, m: int, invariant: bool) -> Chart:
    X = _Coordinates(d, n, m, invariant)
    u0 = _conditions_U0(X)
    conditions = {c.name: c for c in u0}
    strata = []
    for i, j in combinations(range(n), 2):
        stratum, own = _stratum(X, i, j, {c.name: c for c in u0})
        strata.append(stratum)
        conditions.update((c.name, c) for c in own)
    ambient: tuple[Condition, ...] = ()
    if invariant:
        one = X.ring.one
        ambient = tuple(Condition(f"sphere{nrn(j)}", EQ, (sum((x * x for x in X.r[j]), X.zero) - one,), "§3.6",
                                  f"u_{j} ∈ S^{d}: the row of {nrn(j)} normalised (the scaling quotient)")
                        for j in range(n))
    return Chart("invariant" if invariant else "raw", X.ring, X.symbols, ambient, conditions,
                 tuple(c.name for c in u0), tuple(strata))


def honest_set(d: int, n: int, m: int) -> HonestSet:
    """The conditions of Theorems 3.4 and 3.6 for architecture d-n-m in both charts."""
    return HonestSet(d, n, m, _chart(d, n, m, False), _chart(d, n, m, True), complete=(m == 1))


# --------------------------------------------------------------------------- evaluation

def raw_values(weights: Sequence[Sequence[Fraction]], biases: Sequence[Fraction],
               outputs: Sequence[Sequence[Fraction]], consts: Sequence[Fraction]) -> list[Fraction]:
    """θ in the raw chart's generator order (w_j | b_j rows, then a_j columns, then c)."""
    n, m = len(biases), len(consts)
    vals = [Fraction(x) for j in range(n) for x in list(weights[j]) + [biases[j]]]
    vals += [Fraction(outputs[k][j]) for j in range(n) for k in range(m)]
    return vals + [Fraction(c) for c in consts]


def invariant_values(weights, biases, outputs, consts) -> list[Fraction] | None:
    """θ in the invariant chart (ℓ¹-normalised rows, see the module docstring); None when a row
    (w_j | b_j) is zero (θ ∉ P, the space the quotient is taken in)."""
    n, m = len(biases), len(consts)
    rows, outs = [], []
    for j in range(n):
        r = [Fraction(x) for x in list(weights[j]) + [biases[j]]]
        s = sum(abs(x) for x in r)
        if not s:
            return None
        rows.extend(x / s for x in r)
        outs.extend(Fraction(outputs[k][j]) * s for k in range(m))
    return rows + outs + [Fraction(c) for c in consts]


def values_of(network, chart: Chart) -> list[Fraction] | None:
    """The coordinates of a one-hidden-layer network in ``chart`` (None: not in P)."""
    hidden, out = network.layers
    args = (hidden.weight, hidden.bias, out.weight, out.bias)
    return invariant_values(*args) if chart.coordinates == "invariant" else raw_values(*args)


def value(poly, point: Sequence[Fraction]) -> Fraction:
    """The exact value of an integer polynomial (ring element) at a rational point."""
    total = Fraction(0)
    for monomial, coeff in poly.terms():
        term = Fraction(int(coeff))
        for x, e in zip(point, monomial):
            if e:
                term *= x ** e
        total += term
    return total


def _compiled_value(terms: tuple, point: Sequence) -> object:
    total = 0
    for coeff, factors in terms:
        term = coeff
        for k, e in factors:
            term = term * (point[k] if e == 1 else point[k] ** e)
        total = total + term
    return total


def exact_point(point: Sequence[Fraction]) -> list:
    """The point as python-flint rationals (exact, and faster than Fractions)."""
    from flint import fmpq
    return [fmpq(x.numerator, x.denominator) for x in map(Fraction, point)]


def holds(condition: Condition, point: Sequence) -> bool:
    """Decide ``condition`` exactly at ``point`` (Fractions, or ``exact_point``'s rationals)."""
    vals = [_compiled_value(t, point) for t in condition.compiled()]
    if condition.relation == NEQ:
        return any(v != 0 for v in vals)
    if condition.relation == EQ:
        return all(v == 0 for v in vals)
    return vals[0] < 0


@dataclass(frozen=True)
class Evaluation:
    """Which conditions hold at θ in one chart, and the resulting memberships."""

    chart: str
    holds: dict[str, bool]
    U0: bool
    strata: dict[tuple[int, int], dict]   # pair → {"locus": bool, "member": bool}

    @property
    def U1(self) -> bool:
        return any(s["member"] for s in self.strata.values())


def evaluate(chart: Chart, point: Sequence[Fraction]) -> Evaluation:
    """Decide every condition of ``chart`` at ``point`` exactly (short-circuit free: all of them)."""
    point = exact_point(point)
    result = {name: holds(c, point) for name, c in chart.conditions.items()}
    u0 = all(result[name] for name in chart.U0)
    strata = {}
    for s in chart.U1:
        locus = all(result[name] for name in s.locus)
        strata[s.pair] = {"locus": locus, "member": locus and all(result[name] for name in s.conditions)}
    return Evaluation(chart.coordinates, result, u0, strata)


def explain(network, description: HonestSet | None = None) -> dict:
    """Both charts evaluated exactly at a one-hidden-layer network: U_0, the strata of U_1 whose
    equations θ satisfies, and which of their conditions hold and which vanish (or, for the
    sign condition O, fail)."""
    d, n, m = network.widths
    description = description or honest_set(d, n, m)
    out: dict = {"architecture": description.architecture, "complete": description.complete}
    for chart in description.charts():
        point = values_of(network, chart)
        if point is None:
            out[chart.coordinates] = {"defined": False, "reason": "a row (w_j | b_j) is zero: θ ∉ P"}
            continue
        ev = evaluate(chart, point)
        # strata whose equations hold (in raw coordinates the sign O may still fail: twins)
        on = [s for s in chart.U1 if all(ev.holds[name] for name in s.locus
                                         if chart.conditions[name].relation == EQ)]
        relevant = list(chart.U0)
        for s in on:
            relevant += [name for name in s.locus + s.conditions if name not in relevant]
        out[chart.coordinates] = {
            "defined": True, "U0": ev.U0, "U1": ev.U1, "in_U0_or_U1": ev.U0 or ev.U1,
            "strata": [{"pair": [[0, s.pair[0]], [0, s.pair[1]]], "member": ev.strata[s.pair]["member"]}
                       for s in on],
            "vanish": [name for name in relevant if not ev.holds[name]],
            "hold": [name for name in relevant if ev.holds[name]]}
    return out


# --------------------------------------------------------------------------- output

def openness(chart: Chart, m: int) -> str:
    """What the chart's list says about Zariski openness (§3.6)."""
    if chart.coordinates == "raw":
        return ("U_0 is Zariski open here; a stratum needs the sign condition O (w_i·w_j < 0), so this "
                "description of int Σ is semi-algebraic, not Zariski (for 1-2-1 no Zariski open one exists, §3.6)")
    whole = ("int Σ = U_0 ∪ U_1 is Zariski open in (S^d)^n × R^{mn} × R^m" if m == 1
             else "U_0 ∪ U_1 is Zariski open there (a part of int Σ for m ≥ 2)")
    return f"every stratum is cut out by equations: {whole} (§3.6)"


def text_of(poly) -> str:
    """sympy's own printing of the polynomial (monomials in the chart's generator order)."""
    return str(poly)


def _latex_names(chart: Chart) -> list[str]:
    from sympy import latex
    return [latex(s, symbol_names={s: "\\" + str(s)} if str(s).startswith("gamma") else {})
            for s in chart.symbols]


def latex_of(poly, names: Sequence[str]) -> str:
    """The polynomial in LaTeX: sympy.latex of each generator, monomials as in ``text_of``."""
    if not poly:
        return "0"
    out = []
    for monomial, coeff in poly.terms():
        factors = [names[k] + (f"^{{{e}}}" if e > 1 else "") for k, e in enumerate(monomial) if e]
        c = int(coeff)
        head = "" if abs(c) == 1 and factors else str(abs(c))
        body = head + " ".join(factors)
        out.append(("- " if c < 0 else "+ ") + body)
    text = " ".join(out)
    return text[2:] if text.startswith("+ ") else "-" + text[1:]


def terms_of(poly) -> list:
    """Exact sparse form: [coefficient, [[generator index, exponent], …]] per monomial."""
    return [[int(c), [[k, e] for k, e in enumerate(mon) if e]] for mon, c in poly.terms()]


def to_json(description: HonestSet, charts: Sequence[str] | None = None) -> dict:
    """The description as JSON-ready data: each polynomial as sympy text and as exact terms
    over the chart's ``symbols`` (generator indices)."""
    out = {}
    for chart in description.charts(charts):
        def cond(c: Condition) -> dict:
            return {"name": c.name, "relation": c.relation, "section": c.section, "meaning": c.meaning,
                    "polynomials": [text_of(p) for p in c.components],
                    "terms": [terms_of(p) for p in c.components]}
        out[chart.coordinates] = {
            "symbols": [str(s) for s in chart.symbols],
            "ambient": [cond(c) for c in chart.ambient],
            "conditions": [cond(c) for c in chart.conditions.values()],
            "U0": list(chart.U0),
            "U1": [{"pair": [[0, s.pair[0]], [0, s.pair[1]]], "locus": list(s.locus), "conditions": list(s.conditions)}
                   for s in chart.U1],
            "counts": chart.counts(), "openness": openness(chart, description.m)}
    return {"architecture": description.architecture, "complete": description.complete,
            "theorems": [THEOREM["U0"], THEOREM["U1"], THEOREM["complete" if description.complete else "partial"]],
            "relations": {NEQ: "some component is non-zero", EQ: "every component is zero",
                          NEG: "the component is negative"},
            "charts": out}


_REL_TEXT = {NEQ: "not all zero", EQ: "all zero", NEG: "negative"}


def _theorems(description: HonestSet) -> list[str]:
    return [THEOREM["U0"], THEOREM["U1"], THEOREM["complete" if description.complete else "partial"]]


def to_text(description: HonestSet, charts: Sequence[str] | None = None) -> str:
    lines = [f"honest set of one-hidden-layer networks {description.architecture} (theory.md §3.4–3.6)"]
    lines += [f"  {t}" for t in _theorems(description)]
    for chart in description.charts(charts):
        counts = chart.counts()
        lines += ["", f"== {chart.coordinates} coordinates: {', '.join(map(str, chart.symbols))}",
                  f"   {counts['conditions']} conditions, {counts['polynomials']} polynomials; "
                  f"U_0: {counts['U0']} conditions; U_1: {counts['U1_strata']} strata (one per pair of neurons)"]
        lines.append(f"   {openness(chart, description.m)}")
        for c in chart.ambient:
            lines.append(f"   ambient {c.name}: {'; '.join(text_of(p) for p in c.components)} = 0")
        lines.append("   -- conditions: name [section] relation: polynomials")
        for c in chart.conditions.values():
            lines.append(f"   {c.name} [{c.section}] {_REL_TEXT[c.relation]}: {'; '.join(text_of(p) for p in c.components)}")
        lines.append(f"   -- U_0 = all of: {' '.join(chart.U0)}")
        for s in chart.U1:
            lines.append(f"   -- U_1{nrn(s.pair[0])}{nrn(s.pair[1])} = locus {' '.join(s.locus)}, then "
                         f"{len(s.conditions)} conditions: {' '.join(s.conditions)}")
    return "\n".join(lines)


def _tex_text(s: str) -> str:
    """Text-mode LaTeX: braces and underscores escaped."""
    return s.replace("\\", "\\textbackslash ").replace("{", "\\{").replace("}", "\\}").replace("_", "\\_")


def to_latex(description: HonestSet, charts: Sequence[str] | None = None) -> str:
    lines = [f"% honest set of one-hidden-layer networks {description.architecture} (theory.md §3.4--3.6)"]
    lines += [f"% {t}" for t in _theorems(description)]
    for chart in description.charts(charts):
        names = _latex_names(chart)

        def show(c: Condition) -> str:
            comps = [latex_of(p, names) for p in c.components]
            if c.relation == EQ:
                return " = ".join(comps) + " = 0"
            if c.relation == NEG:
                return f"{comps[0]} < 0"
            return f"\\left({', '.join(comps)}\\right) \\neq 0" if len(comps) > 1 else f"{comps[0]} \\neq 0"
        lines += ["", f"% == {chart.coordinates} coordinates", "\\begin{align*}"]
        lines.append(" \\\\\n".join(f"&\\text{{{_tex_text(c.name)}}} && {show(c)} && \\text{{{_tex_text(c.section)}}}"
                                       for c in list(chart.ambient) + list(chart.conditions.values())))
        lines.append("\\end{align*}")
        lines.append(f"% U_0: {' '.join(chart.U0)}")
        for s in chart.U1:
            lines.append(f"% U_1{nrn(s.pair[0])}{nrn(s.pair[1])}: locus {' '.join(s.locus)}; "
                         f"conditions {' '.join(s.conditions)}")
    return "\n".join(lines)


__all__ = ["Condition", "Stratum", "Chart", "HonestSet", "Evaluation", "parse_architecture", "honest_set",
           "evaluate", "explain", "holds", "value", "values_of", "raw_values", "invariant_values", "to_json",
           "to_text", "to_latex", "text_of", "latex_of", "terms_of", "THEOREM", "NEQ", "EQ", "NEG"]
