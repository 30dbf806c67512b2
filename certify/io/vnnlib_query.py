"""Reading VNN-LIB 2.0 queries that relate two networks (issue 13 item 5).

A VNN-LIB 2.0 query (grammar ``grammar.cf`` and chapter "Query Language" of the
VNNLIB-Standard repository; the writer is ``certify.io.vnnlib``) declares networks, each
with its input and output tensors, and asserts constraints; it asks whether an assignment
of all the variables satisfies every assertion.  For two networks f, g (declaration order)
certify recognises the question "is there a shared input in a box where f and g differ?",
in the shapes the VNN-COMP 2026 equivalence benchmarks (``isomorphic_acasxu_2026``) use:

* **input**: per coordinate, bounds ``(<= X_f[0,i] c)``, ``(>= X_f[0,i] c)`` (also inside
  ``and``, either side, on X_f or X_g), pins ``(== X_f[0,i] c)``, and the shared input
  ``(== X_f[0,i] X_g[0,i])`` for *every* coordinate;
* **output**: one assertion whose violation is a disjunction (nested ``or`` allowed) of
  linear atoms in the differences d_j = Y_f[j] − Y_g[j], two per constrained output j:
  ``d_j > ε_j`` and ``d_j < −ε_j`` in any linear spelling — ``(> Y_g[0,j] (+ Y_f[0,j] 0.05))``,
  ``(< (- Y_f[0,j] Y_g[0,j]) -0.05)``, ``(>= …)`` …  (a) ε-equivalence: the claim is
  |f_j − g_j| ≤ ε_j for every constrained j (< ε_j when the atoms are non-strict);
  (b) exact equality: ε_j = 0 with strict atoms, or ``(!= Y_f[j] Y_g[j])``.  Outputs the
  relation does not mention are unconstrained.

Everything else — hidden nodes, several inputs per network, nonlinear terms, a union of
boxes, one-sided or asymmetric bands, a conjunction of output constraints — is refused with
one line naming the file, the line and the construct (``InputError``, exit 2).  Numbers are
read exactly; every recognised form is an exact rewriting, and ``Query.holds`` evaluates
the *whole* query (every assertion, as written) exactly at an assignment, so a reported
counterexample satisfies the query itself, not only certify's reading of it.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Sequence

from ..core.files import read_text
from ..kernel.exact import InputError, fmt, rational
from .arrays import decimal_text
from .vnnlib import parse_sexps

__all__ = ["Query", "Declaration", "read_query", "parse_query", "result_text", "read_result", "decimal_point"]

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_VAR = re.compile(r"([A-Za-z][A-Za-z0-9_]*)(?:\[([0-9,]*)\])?")
_SHAPE = re.compile(r"\[([0-9,]*)\]")
_NUMBER = re.compile(r"[-+]?(\d|\.\d)")
_TYPES = {"real", "float16", "float32", "float64", "bfloat16", "double", "float"}
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!=", "=": "=="}
_NEGATE = {">": "<=", ">=": "<", "<": ">=", "<=": ">", "==": "!=", "!=": "=="}


@dataclass(frozen=True)
class Declaration:
    """A declared network: its name, input and output variables and shapes."""

    name: str
    input: str
    input_shape: tuple[int, ...]
    output: str
    output_shape: tuple[int, ...]
    relation: tuple[str, str] | None = None  # ("isomorphic-to" | "equal-to", other network)

    @property
    def d_in(self) -> int:
        return _size(self.input_shape)

    @property
    def d_out(self) -> int:
        return _size(self.output_shape)


# A variable key: (network index 0|1, "X"|"Y", flat index).  A linear form: ({key: coeff}, const).
Key = tuple[int, str, int]


@dataclass(frozen=True)
class Atom:
    """``Σ c_v·v + const  op  0`` with op in >, >=, ==, != (the exact rewriting of a comparison)."""

    coeffs: tuple[tuple[Key, Fraction], ...]
    const: Fraction
    op: str
    line: int

    def value(self, env: dict[Key, Fraction]) -> bool:
        s = sum((c * env[k] for k, c in self.coeffs), self.const)
        return {">": s > 0, ">=": s >= 0, "==": s == 0, "!=": s != 0}[self.op]


@dataclass
class Query:
    """A two-network equivalence query, as certify reads it.

    ``box``: per shared input coordinate (lo, hi), None where unbounded; ``tolerance``: per
    output ε_j (None: unconstrained); ``strict``: per output, whether the violation atoms
    are strict (claim ≤ ε_j) or not (claim < ε_j).  ``formula``: every assertion, exactly
    rewritten, for ``holds``.
    """

    path: str
    networks: tuple[Declaration, Declaration]
    box: list[tuple[Fraction | None, Fraction | None]]
    tolerance: list[Fraction | None]
    strict: list[bool]
    formula: list[Any] = field(repr=False)

    @property
    def outputs(self) -> list[int]:
        """The constrained outputs."""
        return [j for j, e in enumerate(self.tolerance) if e is not None]

    @property
    def exact(self) -> bool:
        """Exact equality on every output: ε_j = 0, strict, all outputs constrained."""
        return all(e == 0 for e in self.tolerance) and all(self.strict)

    @property
    def bounded(self) -> bool:
        return all(lo is not None and hi is not None for lo, hi in self.box)

    def relation_text(self) -> str:
        f, g = (n.name for n in self.networks)
        if self.exact:
            return f"{f}(x) = {g}(x) for every shared input x in the domain"
        eps = {self.tolerance[j] for j in self.outputs}
        strict = all(self.strict[j] for j in self.outputs)
        rel = "≤" if strict else "<"
        which = "" if len(self.outputs) == len(self.tolerance) else f" on outputs {', '.join(map(str, self.outputs))}"
        e = fmt(next(iter(eps))) if len(eps) == 1 else "ε_j (per output)"
        return f"|{f}_j(x) − {g}_j(x)| {rel} {e}{which} for every shared input x in the box"

    def names(self) -> list[tuple[Key, str]]:
        """Every variable in declaration order (network f: inputs, outputs; then g), with its VNN-LIB name."""
        out = []
        for n, decl in enumerate(self.networks):
            for kind, var, shape in (("X", decl.input, decl.input_shape), ("Y", decl.output, decl.output_shape)):
                for flat in range(_size(shape)):
                    out.append(((n, kind, flat), _element(var, shape, flat)))
        return out

    def holds(self, env: dict[Key, Fraction]) -> bool:
        """Does the assignment satisfy every assertion of the query (exact)?"""
        return all(_truth(f, env) for f in self.formula)


def _size(shape: Sequence[int]) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def _element(var: str, shape: tuple[int, ...], flat: int) -> str:
    if not shape:
        return var
    index = []
    for s in reversed(shape):
        index.append(flat % s)
        flat //= s
    return f"{var}[{','.join(map(str, reversed(index)))}]"


def _truth(f: Any, env: dict[Key, Fraction]) -> bool:
    if isinstance(f, Atom):
        return f.value(env)
    head, parts = f
    return all(_truth(p, env) for p in parts) if head == "and" else any(_truth(p, env) for p in parts)


# --------------------------------------------------------------------------- parsing

class _Reader:
    def __init__(self, name: str):
        self.name = name
        self.line = 0
        self.decls: list[Declaration] = []
        self.vars: dict[str, tuple[int, str, tuple[int, ...]]] = {}

    def fail(self, message: str) -> InputError:
        return InputError(f"{self.name}: line {self.line}" if self.line else self.name, message)

    # ---------------------------------------------------------------- declarations
    def network(self, form: list) -> None:
        if len(form) < 2 or not isinstance(form[1], str) or not _NAME.fullmatch(form[1]):
            raise self.fail("(declare-network NAME …) needs a network name")
        name = form[1]
        if any(d.name == name for d in self.decls):
            raise self.fail(f"network {name} is declared twice")
        inputs, outputs, relation = [], [], None
        for item in form[2:]:
            if not isinstance(item, list) or not item or not isinstance(item[0], str):
                raise self.fail(f"network {name}: expected (declare-input …), (declare-output …), (isomorphic-to …) "
                                "or (equal-to …)")
            head = item[0]
            if head in ("isomorphic-to", "equal-to"):
                if len(item) != 2 or not isinstance(item[1], str) or not any(d.name == item[1] for d in self.decls):
                    raise self.fail(f"network {name}: ({head} N) must name a network declared before it")
                relation = (head, item[1])
            elif head in ("declare-input", "declare-output"):
                (inputs if head == "declare-input" else outputs).append(self.tensor(item, name))
            elif head == "declare-hidden":
                raise self.fail(f"network {name}: hidden nodes (declare-hidden) are not supported: certify relates "
                                "the networks' inputs and outputs only")
            else:
                raise self.fail(f"network {name}: unknown declaration {head[:40]!r}")
        if len(inputs) != 1 or len(outputs) != 1:
            raise self.fail(f"network {name}: certify needs exactly one declare-input and one declare-output per "
                            f"network, got {len(inputs)} and {len(outputs)}")
        n = len(self.decls)
        for (var, shape), kind in ((inputs[0], "X"), (outputs[0], "Y")):
            if var in self.vars:
                raise self.fail(f"variable {var} is declared twice")
            self.vars[var] = (n, kind, shape)
        self.decls.append(Declaration(name, inputs[0][0], inputs[0][1], outputs[0][0], outputs[0][1], relation))

    def tensor(self, item: list, network: str) -> tuple[str, tuple[int, ...]]:
        if len(item) not in (4, 5) or not all(isinstance(t, str) for t in item):
            raise self.fail(f"network {network}: ({item[0]} NAME TYPE [SHAPE] [\"onnx-name\"]) expected")
        _, var, dtype, shape = item[:4]
        if not _NAME.fullmatch(var):
            raise self.fail(f"network {network}: {var[:40]!r} is not a variable name")
        if dtype.lower() not in _TYPES:
            raise self.fail(f"network {network}: element type {dtype[:40]!r} is not supported (real or a float type; "
                            "certify reads every network as an exact function over the reals)")
        m = _SHAPE.fullmatch(shape)
        if not m or any(not s.isdigit() or len(s) > 6 for s in m.group(1).split(",") if m.group(1)) \
                or (m.group(1) and "" in m.group(1).split(",")):
            raise self.fail(f"network {network}: {shape[:40]!r} is not a shape such as [1,5]")
        dims = tuple(int(s) for s in m.group(1).split(",")) if m.group(1) else ()
        if any(s == 0 for s in dims) or _size(dims) > 10 ** 6:
            raise self.fail(f"network {network}: shape {shape} has no elements or too many")
        return var, dims

    # ---------------------------------------------------------------- terms and formulas
    def variable(self, tok: str) -> Key:
        m = _VAR.fullmatch(tok)
        if not m or m.group(1) not in self.vars:
            raise self.fail(f"unknown variable {tok[:40]!r}")
        n, kind, shape = self.vars[m.group(1)]
        if m.group(2) is None:
            if shape:
                raise self.fail(f"{tok[:40]} needs an index: its shape is {list(shape)}")
            return n, kind, 0
        parts = m.group(2).split(",")
        if any(not p.isdigit() or len(p) > 9 for p in parts) or len(parts) != len(shape):
            raise self.fail(f"{tok[:40]}: index does not match the shape {list(shape)}")
        flat = 0
        for p, s in zip(parts, shape):
            if int(p) >= s:
                raise self.fail(f"{tok[:40]}: index out of range for the shape {list(shape)}")
            flat = flat * s + int(p)
        return n, kind, flat

    def term(self, e: Any) -> tuple[dict[Key, Fraction], Fraction]:
        """A linear form ({variable: coefficient}, constant), exact."""
        if isinstance(e, str):
            if _NUMBER.match(e):
                return {}, rational(e, f"{self.name}: line {self.line}")
            return {self.variable(e): Fraction(1)}, Fraction(0)
        if not e or not isinstance(e[0], str) or e[0] not in ("+", "-", "*", "/") or len(e) < 2:
            raise self.fail("expected a term: a variable, a number or (+|-|* term …)")
        head, args = e[0], [self.term(a) for a in e[1:]]
        if head == "+":
            return _sum(args)
        if head == "-":
            if len(args) == 1:
                return _scale(args[0], Fraction(-1))
            return _sum([args[0]] + [_scale(a, Fraction(-1)) for a in args[1:]])
        if head == "*":
            out: tuple[dict[Key, Fraction], Fraction] = ({}, Fraction(1))
            for a in args:
                if a[0] and out[0]:
                    raise self.fail("nonlinear term (a product of two variables) is not supported")
                out = _scale(a, out[1]) if not out[0] else _scale(out, a[1])
            return out
        if len(args) != 2 or args[1][0] or args[1][1] == 0:
            raise self.fail("(/ term c) needs a nonzero constant divisor")
        return _scale(args[0], 1 / args[1][1])

    def formula(self, e: Any) -> Any:
        """An exact rewriting: Atom, or ("and" | "or", [parts]); ``not`` is pushed to the atoms."""
        return self._formula(e, False)

    def _formula(self, e: Any, negated: bool) -> Any:
        if not isinstance(e, list) or not e or not isinstance(e[0], str):
            raise self.fail("expected a formula such as (<= X[0] 1.0)")
        head, args = e[0], e[1:]
        if head in ("and", "or"):
            if not args:
                raise self.fail(f"({head}) needs at least one formula")
            if negated:
                head = "or" if head == "and" else "and"
            return head, [self._formula(a, negated) for a in args]
        if head == "not":
            if len(args) != 1:
                raise self.fail(f"(not …) needs exactly one formula, got {len(args)}")
            return self._formula(args[0], not negated)
        if head not in _FLIP:
            raise self.fail(f"unknown operator {head[:40]!r} in an assertion")
        if len(args) != 2:
            raise self.fail(f"({head} …) needs exactly two terms, got {len(args)}")
        op = "==" if head == "=" else head
        if negated:
            op = _NEGATE[op]
        (la, ca), (lb, cb) = self.term(args[0]), self.term(args[1])
        diff = _sum([(la, ca), _scale((lb, cb), Fraction(-1))])  # a − b  op  0
        if op in ("<", "<="):
            diff, op = _scale(diff, Fraction(-1)), _FLIP[op]
        coeffs = tuple(sorted((k, c) for k, c in diff[0].items() if c != 0))
        return Atom(coeffs, diff[1], op, self.line)


def _sum(forms: list[tuple[dict[Key, Fraction], Fraction]]) -> tuple[dict[Key, Fraction], Fraction]:
    out: dict[Key, Fraction] = {}
    const = Fraction(0)
    for lin, c in forms:
        const += c
        for k, v in lin.items():
            out[k] = out.get(k, Fraction(0)) + v
    return out, const


def _scale(form: tuple[dict[Key, Fraction], Fraction], s: Fraction) -> tuple[dict[Key, Fraction], Fraction]:
    return {k: v * s for k, v in form[0].items()}, form[1] * s


def _conjuncts(f: Any) -> list[Any]:
    if isinstance(f, Atom):
        return [f]
    head, parts = f
    if head == "and":
        return [c for p in parts for c in _conjuncts(p)]
    return [f]


def _disjuncts(f: Any) -> list[Any]:
    if isinstance(f, Atom):
        return [f]
    head, parts = f
    if head == "or" or len(parts) == 1:
        return [d for p in parts for d in _disjuncts(p)]
    return [f]


def _kinds(f: Any) -> set[str]:
    if isinstance(f, Atom):
        return {k[1] for k, _ in f.coeffs}
    return set().union(*(_kinds(p) for p in f[1]))


def _show(atom: Atom, decls: Sequence[Declaration]) -> str:
    def name(k: Key) -> str:
        d = decls[k[0]]
        return _element(d.input if k[1] == "X" else d.output, d.input_shape if k[1] == "X" else d.output_shape, k[2])
    terms = " + ".join(f"{fmt(c)}·{name(k)}" if c != 1 else name(k) for k, c in atom.coeffs) or "0"
    return f"{terms} + {fmt(atom.const)} {atom.op} 0" if atom.const else f"{terms} {atom.op} 0"


# --------------------------------------------------------------------------- recognising the question

def parse_query(text: str, name: str) -> Query:
    """Read and recognise a two-network VNN-LIB 2.0 equivalence query (see the module docstring)."""
    r = _Reader(name)
    assertions: list[tuple[int, Any]] = []
    version_seen = False
    for line, form in parse_sexps(text, name):
        r.line = line
        head = form[0] if form and isinstance(form[0], str) else None
        if head == "vnnlib-version":
            if len(form) != 2 or not isinstance(form[1], str) or not re.fullmatch(r"<2\.\d+>", form[1]):
                raise r.fail("expected (vnnlib-version <2.0>): certify reads VNN-LIB 2.x queries")
            version_seen = True
        elif head == "declare-network":
            if assertions:
                raise r.fail("declare-network after an assertion: networks are declared first")
            r.network(form)
        elif head == "declare-const":
            raise r.fail("(declare-const …) is VNN-LIB 1, which relates one network; an equivalence query "
                         "declares two networks with (declare-network …) (VNN-LIB 2.0)")
        elif head == "assert":
            if len(form) != 2:
                raise r.fail(f"(assert …) needs exactly one formula, got {len(form) - 1}")
            assertions.append((line, r.formula(form[1])))
        else:
            raise r.fail(f"unknown statement {str(head or form)[:40]!r}: expected vnnlib-version, declare-network "
                         "or assert")
    r.line = 0
    if len(r.decls) != 2:
        raise r.fail(f"an equivalence query declares two networks, this one declares {len(r.decls)}"
                     + ("" if version_seen or r.decls else " (is it VNN-LIB 2.0?)"))
    f, g = r.decls
    if f.d_in != g.d_in or f.d_out != g.d_out:
        raise r.fail(f"networks {f.name} and {g.name} have different interfaces: {f.d_in}→{f.d_out} and "
                     f"{g.d_in}→{g.d_out}")
    d, m = f.d_in, f.d_out
    lo: list[list[tuple[Fraction, bool]]] = [[] for _ in range(2 * d)]  # per (network, coordinate): bounds
    hi: list[list[tuple[Fraction, bool]]] = [[] for _ in range(2 * d)]
    shared = [False] * d
    outputs: list[tuple[int, Any]] = []
    for line, body in assertions:
        for c in _conjuncts(body):
            r.line = c.line if isinstance(c, Atom) else line
            kinds = _kinds(c)
            if kinds == {"Y"}:
                outputs.append((r.line, c))
                continue
            if "Y" in kinds:
                raise r.fail("a constraint relating inputs and outputs is not supported (certify reads input "
                             "bounds, shared inputs and one output relation)")
            if not isinstance(c, Atom):
                raise r.fail("a disjunction of input constraints (a union of boxes) is not supported: give one box")
            if not c.coeffs:
                if not c.value({}):
                    raise r.fail("this assertion is false: the query is unsatisfiable whatever the networks do")
                continue
            if len(c.coeffs) == 1:
                (k, a), = c.coeffs
                v = -c.const / a  # a·x + const op 0  ⟺  x op' v
                slot = k[0] * d + k[2]
                if c.op == "==":
                    lo[slot].append((v, False))
                    hi[slot].append((v, False))
                elif c.op in (">", ">="):
                    (lo if a > 0 else hi)[slot].append((v, c.op == ">"))
                else:
                    raise r.fail(f"input constraint not recognised: {_show(c, r.decls)} (a box needs <=, >=, <, > "
                                 "or ==)")
                continue
            if (len(c.coeffs) == 2 and c.op == "==" and c.const == 0 and c.coeffs[0][0][2] == c.coeffs[1][0][2]
                    and {k[0] for k, _ in c.coeffs} == {0, 1} and c.coeffs[0][1] == -c.coeffs[1][1]):
                shared[c.coeffs[0][0][2]] = True
                continue
            raise r.fail(f"input constraint not recognised: {_show(c, r.decls)} (certify reads bounds on one input "
                         f"coordinate and shared inputs (== {f.input}[i] {g.input}[i]))")
    r.line = 0
    missing = [i for i in range(d) if not shared[i]]
    if missing:
        raise r.fail(f"the inputs are not shared: no (== {_element(f.input, f.input_shape, missing[0])} "
                     f"{_element(g.input, g.input_shape, missing[0])}); an equivalence query compares f and g at the "
                     "same input, every coordinate identified")
    box: list[tuple[Fraction | None, Fraction | None]] = []
    strict_input = False
    for i in range(d):
        lows, highs = lo[i] + lo[d + i], hi[i] + hi[d + i]
        l = max(lows, default=None, key=lambda t: (t[0], t[1]))
        h = min(highs, default=None, key=lambda t: (t[0], not t[1]))
        strict_input |= any(s for _, s in lows + highs)
        if l is not None and h is not None and (l[0] > h[0] or l[0] == h[0] and (l[1] or h[1])):
            raise r.fail(f"{_element(f.input, f.input_shape, i)}: the input set is empty "
                         f"({fmt(l[0])} … {fmt(h[0])})")
        box.append((None if l is None else l[0], None if h is None else h[0]))
    if not outputs:
        raise r.fail("no output relation: the query asserts nothing about the outputs")
    if len(outputs) > 1:
        r.line = outputs[1][0]
        band = _empty_band([c for _, c in outputs])
        raise r.fail("output relation not recognised: a conjunction of output constraints" + (
            f" ({band}) — its violation set is empty, so the query is unsat whatever the networks are; for "
            "|f − g| ≤ ε the violation is a disjunction (or …)" if band else
            "; certify reads one disjunction of d_j > ε_j, d_j < −ε_j over d_j = Y_f[j] − Y_g[j]"))
    r.line, rel = outputs[0]
    tolerance, strict = _relation(r, rel, m)
    formula = [body for _, body in assertions]
    return Query(name, (f, g), box, tolerance, strict, formula)


def _difference(atom: Atom) -> tuple[int, Fraction, Fraction] | None:
    """(j, s, k) if the atom is s·(Y_f[j] − Y_g[j]) + k op 0 up to a positive factor (s = ±1)."""
    if len(atom.coeffs) != 2:
        return None
    (ka, ca), (kb, cb) = atom.coeffs
    if ka[2] != kb[2] or {ka[0], kb[0]} != {0, 1} or ca != -cb:
        return None
    cf = ca if ka[0] == 0 else cb
    return ka[2], Fraction(1 if cf > 0 else -1), atom.const / abs(cf)


def _empty_band(parts: list[Any]) -> str | None:
    """If the parts include d_j > e and d_j < −e' with e ≥ −e' for one j: a description."""
    atoms = [a for p in parts for a in _conjuncts(p) if isinstance(a, Atom)]
    for a in atoms:
        da = _difference(a)
        for b in atoms:
            db = _difference(b)
            if da and db and da[0] == db[0] and da[1] == 1 and db[1] == -1 and a.op in (">", ">=") \
                    and b.op in (">", ">=") and -da[2] >= db[2]:
                return (f"d_{da[0]} > {fmt(-da[2])} and d_{da[0]} < {fmt(db[2])}, d_{da[0]} = output {da[0]} of "
                        "the first network minus the second")
    return None


def _relation(r: _Reader, rel: Any, m: int) -> tuple[list[Fraction | None], list[bool]]:
    """Per output, ε_j and strictness, from one disjunction of difference atoms."""
    upper: dict[int, tuple[Fraction, bool]] = {}  # violation d_j > u (strict) / ≥ u
    lower: dict[int, tuple[Fraction, bool]] = {}  # violation d_j < l / ≤ l
    unequal: set[int] = set()
    for part in _disjuncts(rel):
        if not isinstance(part, Atom):
            band = _empty_band([part])
            raise r.fail("output relation not recognised: a conjunction inside the disjunction" + (
                f" ({band}: its violation set is empty)" if band else ""))
        diff = _difference(part)
        if diff is None:
            raise r.fail(f"output relation not recognised: {_show(part, r.decls)} (expected a comparison of "
                         f"Y_f[j] − Y_g[j] with a constant, for one output j)")
        j, s, k = diff
        if part.op == "!=":
            if k != 0:
                raise r.fail(f"output relation not recognised: {_show(part, r.decls)}")
            unequal.add(j)
            continue
        if part.op == "==":
            raise r.fail(f"output relation not recognised: {_show(part, r.decls)} (an equality of outputs is "
                         "not a violation of equivalence)")
        strict = part.op == ">"
        # s·d + k > 0: s = 1 → d > −k; s = −1 → d < k
        table, t = (upper, -k) if s > 0 else (lower, k)
        old = table.get(j)
        better = old is None or (t < old[0] if s > 0 else t > old[0]) or t == old[0] and not strict
        if better:
            table[j] = (t, strict if old is None or t != old[0] else strict and old[1])
    tolerance: list[Fraction | None] = [None] * m
    strictness = [True] * m
    for j in sorted(set(upper) | set(lower) | unequal):
        if j in unequal:
            u, lw = upper.get(j, (Fraction(0), True)), lower.get(j, (Fraction(0), True))
            if u[0] > 0 or lw[0] < 0:
                raise r.fail(f"output relation not recognised: output {j} mixes != with a tolerance band")
            tolerance[j], strictness[j] = Fraction(0), True
            continue
        if j not in upper or j not in lower:
            raise r.fail(f"output relation not recognised: output {j} is bounded on one side only "
                         f"(d_{j} {'>' if j in upper else '<'} …); certify decides |f_j − g_j| ≤ ε_j")
        (u, su), (lw, sl) = upper[j], lower[j]
        if u != -lw:
            raise r.fail(f"output relation not recognised: output {j}: the band [{fmt(lw)}, {fmt(u)}] of "
                         "Y_f − Y_g is not symmetric; certify decides |f_j − g_j| ≤ ε_j")
        if u < 0 or u == 0 and not (su and sl):
            raise r.fail(f"output relation not recognised: output {j}: the violation holds at every point "
                         f"(ε = {fmt(u)}); not an equivalence query")
        tolerance[j], strictness[j] = u, su and sl
    return tolerance, strictness


def read_query(path: str | os.PathLike) -> Query:
    name = os.fspath(path)
    return parse_query(read_text(name, "a VNN-LIB query"), name)


# --------------------------------------------------------------------------- answers in VNN-COMP form

def decimal_point(q: Fraction, digits: int) -> Fraction:
    """q rounded to ``digits`` significant decimal digits (an exact finite decimal)."""
    if q == 0:
        return Fraction(0)
    e = len(str(abs(q.numerator) // q.denominator)) if abs(q) >= 1 else -_leading_zeros(abs(q))
    scale = Fraction(10) ** (digits - e)
    return Fraction(round(q * scale)) / scale


def _leading_zeros(q: Fraction) -> int:
    n = 0
    while q * 10 < 1:
        q *= 10
        n += 1
    return n


def _decimal(q: Fraction, digits: int = 40) -> str:
    text = decimal_text(q)
    if text is not None and len(text) <= digits + 8:
        return text
    return decimal_text(decimal_point(q, digits)) or fmt(q)


def result_text(status: str, assignment: Sequence[tuple[str, str]] = ()) -> str:
    """The VNN-COMP result file: ``sat``/``unsat``/``unknown``/``timeout``; after ``sat`` the
    assignment ``((NAME value)`` … ``)``, one variable per line, in declaration order."""
    if status != "sat":
        return status + "\n"
    return "sat\n(" + "\n ".join(f"({n} {v})" for n, v in assignment) + ")\n"


def read_result(text: str, name: str = "result") -> tuple[str, dict[str, Fraction]]:
    """Read a result file back exactly: (status, {variable name: value})."""
    lines = text.split("\n", 1)
    status = lines[0].strip()
    values: dict[str, Fraction] = {}
    if status == "sat":
        for m in re.finditer(r"\(\s*([A-Za-z][A-Za-z0-9_]*(?:\[[0-9,]*\])?)\s+([^\s()]+)\s*\)", lines[1]):
            values[m.group(1)] = rational(m.group(2), f"{name}: {m.group(1)}")
    return status, values


def assignment(query: Query, x: Sequence[Fraction], fy: Sequence[Fraction], gy: Sequence[Fraction],
               y_digits: int = 40) -> list[tuple[str, str]]:
    """(name, decimal) for every variable: both inputs are x; outputs printed with up to
    ``y_digits`` significant digits (exact when that many suffice)."""
    out = []
    for (n, kind, flat), name in query.names():
        v = x[flat] if kind == "X" else (fy if n == 0 else gy)[flat]
        out.append((name, decimal_text(v) if kind == "X" else _decimal(v, y_digits)))
    return out


def environment(query: Query, x: Sequence[Fraction], fy: Sequence[Fraction],
                gy: Sequence[Fraction]) -> dict[Key, Fraction]:
    env: dict[Key, Fraction] = {}
    for n in (0, 1):
        env.update({(n, "X", i): v for i, v in enumerate(x)})
        env.update({(n, "Y", j): v for j, v in enumerate(fy if n == 0 else gy)})
    return env
