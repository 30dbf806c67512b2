"""Facts about the image of a hidden layer, checked exactly (theory.md §4).

Two kinds of fact justify the mechanism moves of ``moves.py``:

* a **sign fact**: z_{t,j}(x) ≤ 0 ("nonpositive": the neuron is dead on the domain, M1)
  or z_{t,j}(x) ≥ 0 ("nonnegative": stably active, M4) for every x in the domain.
  Proofs: ``{"method": "interval"}`` — exact interval propagation (``intervals.py``;
  this contains the sign tests of §4, complete for layer 2 when layer 1 is onto) — or
  ``{"method": "region-tree", "evidence": …}`` — a nested region-tree proof checked by
  ``certify.kernel.regiontree.check_neuron_sign`` (the deep-equivalence kernel) — or, on
  R^d0 only, ``{"method": "charts", "radius": R, "charts": [P_0, …, P_2d]}``: one interval or
  region-tree proof per box of the projective charts (``charts.py``, theory §4.3: the sign on
  R^d0 is the sign on [−R, R]^d0 and on the 2·d0 chart networks over [−1, 1]^{d0−1} × [0, 1]);
* an **affine relation** c·a_t(x) = κ for every x in the domain (a_t = post-activations of
  hidden layer t), i.e. aff(Im_t) ⊂ {y : c·y = κ} (M7).  The relation is justified neuron
  by neuron: for k in supp(c) with a sign fact, dead neurons contribute 0 and stably active
  ones contribute c_k z_k, an affine function of a_{t−1}; neurons with a zero incoming row
  contribute the constant c_k σ(b_k); every other neuron is grouped with those on the same
  incoming ray (w, b) = s·p (s > 0), whose outputs are s·σ(p·(y, 1)).  The relation holds
  identically if (i) Σ_{k in a ray group} c_k s_k = 0 for every group, (ii) Σ_{active} c_k W_t[k,:] = 0
  and (iii) κ = Σ_{active} c_k b_t[k] + Σ_{zero row} c_k σ(b_t[k]).

Trusts: ``exact``, ``network``, ``intervals`` (exact interval bounds), ``charts`` (chart networks).
"""
from __future__ import annotations

from fractions import Fraction

from .exact import InputError, integer, primitive, rational, vector
from .charts import charts
from .intervals import sign_by_interval
from .network import Box, Net
from .registry import CheckFailure, require

SIGNS = ("nonpositive", "nonnegative")


def check_sign(net: Net, box: Box | None, layer: int, neuron: int, sign: str, proof: object,
               where: str) -> None:
    """Raise CheckFailure unless ``proof`` shows the sign of z_{layer,neuron} on the domain."""
    require(sign in SIGNS, f"{where}: sign must be one of {', '.join(SIGNS)}")
    require(isinstance(proof, dict), f"{where}: expected a proof object")
    method = proof.get("method")
    if method == "interval":
        require(set(proof) == {"method"}, f"{where}: an interval proof has no other fields")
        require(sign_by_interval(net, box, layer, neuron, sign),
                f"{where}: interval bounds do not show z[{layer}][{neuron}] {sign} on the domain")
    elif method == "region-tree":
        require(set(proof) == {"method", "evidence"}, f"{where}: expected method and evidence")
        try:
            from .regiontree import check_neuron_sign  # the deep-equivalence kernel (issue 3)
        except ImportError:
            raise CheckFailure(f"{where}: cannot confirm: no region-tree checker in this kernel") from None
        check_neuron_sign(net, box, layer, neuron, sign, proof["evidence"])
    elif method == "charts":
        for n, (name, chart, chart_box) in enumerate(chart_domains(net, box, proof, where)):
            sub = proof["charts"][n]
            require(isinstance(sub, dict) and sub.get("method") != "charts", f"{where}.charts[{n}]: expected an "
                    "interval or region-tree proof")
            try:
                check_sign(chart, chart_box, layer, neuron, sign, sub, f"{where}.charts[{n}] ({name})")
            except CheckFailure as e:
                raise CheckFailure(f"{where}.charts[{n}] ({name}): {e}") from None
    else:
        raise CheckFailure(f"{where}: unknown proof method {method!r}")


def chart_domains(net: Net, box: Box | None, proof: dict, where: str) -> list:
    """The (name, network, box) list of a ``charts`` proof, after checking its shape: R^d0 only,
    a positive radius, exactly one entry per box (``charts.charts``)."""
    require(box is None, f"{where}: chart proofs are for the whole space R^d0 (the domain is a box)")
    require(set(proof) == {"method", "radius", "charts"}, f"{where}: expected method, radius, charts")
    radius = number(proof["radius"], f"{where}.radius")
    require(radius > 0, f"{where}.radius: must be positive")
    domains = charts(net, radius)
    entries = proof["charts"]
    require(isinstance(entries, list) and len(entries) == len(domains),
            f"{where}.charts: expected {len(domains)} proofs (the box and 2·d0 charts)")
    return domains


def index(value: object, where: str, hi: int) -> int:
    """An integer in [0, hi) read from a certificate (CheckFailure otherwise)."""
    try:
        return integer(value, where, 0, hi)
    except InputError as e:
        raise CheckFailure(str(e)) from None


def number(value: object, where: str) -> Fraction:
    try:
        return rational(value, where)
    except InputError as e:
        raise CheckFailure(str(e)) from None


def numbers(value: object, where: str, n: int) -> list[Fraction]:
    try:
        return list(vector(value, where, n))
    except InputError as e:
        raise CheckFailure(str(e)) from None


def check_relation(net: Net, box: Box | None, relation: object, where: str
                   ) -> tuple[int, tuple[Fraction, ...], Fraction]:
    """Verify an affine relation c·a_t = κ on the image; returns (t, c, κ)."""
    require(isinstance(relation, dict) and set(relation) == {"layer", "coefficients", "constant", "status"},
            f"{where}: expected layer, coefficients, constant, status")
    hidden = len(net.layers) - 1
    t = index(relation["layer"], f"{where}.layer", hidden)
    layer = net.layers[t]
    width = len(layer.bias)
    c = numbers(relation["coefficients"], f"{where}.coefficients", width)
    kappa = number(relation["constant"], f"{where}.constant")
    require(any(c), f"{where}.coefficients: the zero relation says nothing")
    status = relation["status"]
    require(isinstance(status, list), f"{where}.status: expected a list")
    signs: dict[int, str] = {}
    for i, entry in enumerate(status):
        at = f"{where}.status[{i}]"
        require(isinstance(entry, dict) and set(entry) == {"neuron", "sign", "proof"},
                f"{at}: expected neuron, sign, proof")
        k = index(entry["neuron"], f"{at}.neuron", width)
        require(k not in signs, f"{at}: neuron {k} listed twice")
        check_sign(net, box, t, k, entry["sign"], entry["proof"], at)
        signs[k] = entry["sign"]
    d_prev = len(layer.weight[0])
    active_sum = [Fraction(0)] * d_prev
    constant = Fraction(0)
    rays: dict[tuple[int, ...], Fraction] = {}
    for k, ck in enumerate(c):
        if not ck:
            continue
        row, b = layer.weight[k], layer.bias[k]
        sign = signs.get(k)
        if sign == "nonpositive":  # a_k ≡ 0
            continue
        if sign == "nonnegative":  # a_k = z_k = W[k,:]·y + b_k
            for i, w in enumerate(row):
                active_sum[i] += ck * w
            constant += ck * b
        elif not any(row):  # a_k ≡ σ(b_k)
            constant += ck * max(b, Fraction(0))
        else:  # a_k = s·σ(p·(y, 1)): collect Σ c_k s_k per ray p
            p, s = primitive(tuple(row) + (b,))
            rays[p] = rays.get(p, Fraction(0)) + ck * s
    require(not any(active_sum), f"{where}: the stably active neurons' rows do not cancel (Σ c_k W[k,:] ≠ 0)")
    bad = [p for p, total in rays.items() if total]
    require(not bad, f"{where}: the neurons on one incoming ray do not cancel (Σ c_k s_k ≠ 0)")
    require(kappa == constant, f"{where}.constant: the relation's constant is {constant}, not {kappa}")
    return t, c, kappa
