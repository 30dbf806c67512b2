"""Symbolic differential bounds: linear forms in the input that bound z_A, z_B and z_A − z_B (issue 13).

The leaf ``{"leaf": "symbolic"}`` of a tolerance box partition (``kernel.tolerance``).  The
kernel runs the propagation below itself on the cell from θ_A, θ_B and the cell; the
certificate carries nothing else.  (ReluDiff's symbolic intervals and NeuroDiff's
convex relaxation of δa, written from their papers' definitions.)

**Coordinates.**  The cell C = Π[lo_i, hi_i] is x = m + r∘s with m its centre, r its
half-widths and s ∈ S = [−1, 1]^d.  A *form* F = (c_1, …, c_d, c_0) of integers means
F(s) = (c_0 + Σ c_i s_i)/2^PREC (PREC = 52); exactly, min_S F = c_0 − Σ|c_i| =: lo(F) and
max_S F = c_0 + Σ|c_i| =: hi(F).

**Invariant** (for every layer, every neuron j and every s ∈ S; a_A, a_B the post-activations,
δa = a_A − a_B, starting from a_A = a_B = x and δa = 0):

    L^A_j(s) ≤ a_A,j(x(s)) ≤ U^A_j(s),  L^B_j ≤ a_B,j ≤ U^B_j,  L^δ_j ≤ δa_j ≤ U^δ_j.

Each step keeps it (the containment theorem of the step):

* **(R) rounding.**  A rational form (n_1, …, n_d, n_0)/D is replaced, for a lower bound, by
  (⌊n_i/D⌋)_i with constant ⌊n_0/D⌋ − k, k the number of i ≥ 1 with D ∤ n_i; for an upper
  bound by the same coefficients and constant ⌈n_0/D⌉ + k.  The error e_i of a coefficient
  lies in [0, 1) and |s_i| ≤ 1, so the rounded lower form is ≤ the exact one on S (upper: ≥).
* **(A) affine.**  z = W a + b with a between forms L ≤ a ≤ U: Σ_k W⁺_jk L_k + W⁻_jk U_k + b_j ≤
  z_j ≤ Σ_k W⁺_jk U_k + W⁻_jk L_k + b_j (positive weights keep the order, negative ones swap
  it), then (R).  The input layer is the exact affine form x = m + r∘s, rounded by (R).
* **(D) difference.**  Δz = W_A δa + (W_A − W_B) a_B + (b_A − b_B) = W_B δa + (W_A − W_B) a_A +
  (b_A − b_B); (A) on either stacked system bounds Δz.
* **(M) meets.**  z_A = z_B + Δz and z_B = z_A − Δz, so sums of forms of the right sides are
  forms of the left sides too; concretely Δz ∈ [lo(L^A) − hi(U^B), hi(U^A) − lo(L^B)].
* **(σ) ReLU** of z with L ≤ z ≤ U, l = lo(L), u = hi(U): if u ≤ 0, σ(z) = 0; if l ≥ 0,
  σ(z) = z; otherwise σ(z) ≤ σ(U(s)) ≤ u'(U(s) − l')/(u' − l') with [l', u'] = [lo(U), hi(U)]
  (the chord of the convex σ over U's range; U itself if l' ≥ 0), and σ(z) ≥ L(s) if
  hi(L) ≥ −l, else σ(z) ≥ 0 (both always true; the choice is DeepPoly's).
* **(δ) δa = σ(z_A) − σ(z_B).**  σ is monotone and 1-Lipschitz, so δa lies between 0 and Δz:
  δa ≤ σ(Δz) ≤ σ-upper(U^Δ) and δa ≥ −σ(−Δz) ≥ −σ-upper(−L^Δ) (the chord of (σ) again).
  If z_A ≥ 0 on C (lo(L^A) ≥ 0): δa = min(Δz, z_A) ≤ U^Δ, U^A.  If z_B ≥ 0: δa = max(Δz, −z_B)
  ≥ L^Δ, −U^B.  If z_A ≤ 0: δa = −σ(z_B), bounded by −(σ) of z_B.  If z_B ≤ 0: δa = σ(z_A).
  And δa lies in the concrete interval of ``kernel.tolerance`` (constant forms).
* **(C) choice.**  Every candidate above satisfies the invariant, so for each bound the
  kernel keeps the candidate with the tighter concretisation (largest lo for a lower form,
  smallest hi for an upper one; the first one within |best|·2^-30 + 2^-36 of the best, so that
  float rounding in the producer does not flip a near-tie): a rule, not a search, and any
  choice would be sound.

**Theorem.**  At the output layer, for every x ∈ C and every output i,
max(lo(L^Δ_i), lo(L^A_i) − hi(U^B_i)) ≤ f_A,i(x) − f_B,i(x) ≤ min(hi(U^Δ_i), hi(U^A_i) − lo(L^B_i)),
by induction over the layers with the steps above.  All arithmetic is on integers
(python-flint matrices for the affine maps); no search, no solver.

Trusts: ``exact`` (rows of integers), ``network``, ``tolerance`` (its integer rows and its
concrete δa interval, which is scale-free), python-flint (integer matrix products).
"""
from __future__ import annotations

from fractions import Fraction

import flint

from .network import Box, Net
from . import tolerance as kt

__all__ = ["SymNet", "symbolic_gap"]

PREC = 52  # bits after the binary point: most ACAS Xu values stay below 2^63 (fast flint matrices), and
# the rounding (2^-52 per step, amplified by the layers) stays far below float32-size gaps
_ONE = 1 << PREC
TIE_BITS, TIE_FLOOR = 30, 36
Form = list  # [c_1, …, c_d, c_0], integers over 2^PREC


class SymNet:
    """The integer weight matrices of A, B and of the two difference systems (D), split by sign."""

    def __init__(self, a: Net, b: Net):
        self.layers = [tuple(_signed(rows) for rows in layer) for layer in kt.DiffNet(a, b).layers]


def _signed(rows) -> tuple:
    pos = flint.fmpz_mat([[max(w, 0) for w in ws] for ws, _, _ in rows])
    neg = flint.fmpz_mat([[min(w, 0) for w in ws] for ws, _, _ in rows])
    shift = kt.PREC - PREC  # the rows' constants are b·2^kt.PREC·D: exactly b·2^PREC·D after the shift
    return pos, neg, [c >> shift for _, c, _ in rows], [den for _, _, den in rows]


def _lo(f: Form) -> int:
    c0 = f[-1]
    return c0 - (sum(map(abs, f)) - abs(c0))


def _hi(f: Form) -> int:
    c0 = f[-1]
    return c0 + (sum(map(abs, f)) - abs(c0))


def _round(nums: list, den: int, upper: bool) -> Form:
    """(R): the rational form nums/den rounded outward to integers (a lower or an upper form)."""
    coefs = [n // den for n in nums[:-1]]
    k = sum(1 for n in nums[:-1] if n % den)
    c0 = -((-nums[-1]) // den) + k if upper else nums[-1] // den - k
    return coefs + [c0]


def _affine(system: tuple, low: list, up: list) -> tuple[list, list]:
    """(A): lower and upper forms of W y + b for low ≤ y ≤ up (forms, row by row)."""
    pos, neg, consts, dens = system
    width = len(low[0])
    lo_m = flint.fmpz_mat(len(low), width, [v for f in low for v in f])
    up_m = flint.fmpz_mat(len(up), width, [v for f in up for v in f])
    nl = (pos * lo_m + neg * up_m).tolist()
    nu = (pos * up_m + neg * lo_m).tolist()
    out_l, out_u = [], []
    for rl, ru, c, den in zip(nl, nu, consts, dens):
        rl = list(map(int, rl))
        ru = list(map(int, ru))
        rl[width - 1] += c
        ru[width - 1] += c
        out_l.append(_round(rl, den, False))
        out_u.append(_round(ru, den, True))
    return out_l, out_u


def _add(f: Form, g: Form) -> Form:
    return [p + q for p, q in zip(f, g)]


def _neg(f: Form) -> Form:
    return [-p for p in f]


def _const(v: int, d: int) -> Form:
    return [0] * d + [v]


def _slack(v: int) -> int:
    """(C)'s tie width: |v|·2^-TIE_BITS + 2^-TIE_FLOOR; the first candidate this close to the best
    wins, so that a float producer, whose values differ from these by rounding, predicts the
    choice (relative, so that tiny differences such as float32 re-exports keep their precision)."""
    return (abs(v) >> TIE_BITS) + (_ONE >> TIE_FLOOR)


def _best_lo(*cands: Form) -> Form:
    vals = [_lo(f) for f in cands]
    top = max(vals)
    floor = top - _slack(top)
    return next(f for f, v in zip(cands, vals) if v >= floor)


def _best_hi(*cands: Form) -> Form:
    vals = [_hi(f) for f in cands]
    top = min(vals)
    ceil = top + _slack(top)
    return next(f for f, v in zip(cands, vals) if v <= ceil)


def _relu_upper(u_form: Form) -> Form:
    """(σ): an upper form of σ(z) from an upper form U of z (the chord over U's range)."""
    lo, hi = _lo(u_form), _hi(u_form)
    if hi <= 0:
        return [0] * len(u_form)
    if lo >= 0:
        return u_form
    nums = [c * hi for c in u_form[:-1]] + [(u_form[-1] - lo) * hi]
    return _round(nums, hi - lo, True)


def _relu_lower(l_form: Form, z_lo: int) -> Form:
    """(σ): a lower form of σ(z) from a lower form L of z with lo(z) ≥ z_lo: L or 0 (DeepPoly)."""
    if z_lo >= 0 or _hi(l_form) >= -z_lo:
        return l_form if _hi(l_form) > 0 else [0] * len(l_form)
    return [0] * len(l_form)


def _relu(low: Form, up: Form) -> tuple[Form, Form]:
    l, u = _lo(low), _hi(up)
    if u <= 0:
        zero = [0] * len(low)
        return zero, zero
    if l >= 0:
        return low, up
    return _relu_lower(low, l), _relu_upper(up)


def _delta(la: Form, ua: Form, lb: Form, ub: Form, ld: Form, ud: Form, concrete: tuple[int, int]) -> tuple:
    """(δ) then (C): lower and upper forms of σ(z_A) − σ(z_B)."""
    d = len(la) - 1
    low = [_neg(_relu_upper(_neg(ld)))]  # forms before the constant: a tie keeps the form
    up = [_relu_upper(ud)]
    if _lo(la) >= 0:  # δa = min(Δz, z_A)
        up += [ud, ua]
    if _lo(lb) >= 0:  # δa = max(Δz, −z_B)
        low += [ld, _neg(ub)]
    if _hi(ua) <= 0:  # δa = −σ(z_B)
        rl, ru = _relu(lb, ub)
        low.append(_neg(ru))
        up.append(_neg(rl))
    if _hi(ub) <= 0:  # δa = σ(z_A)
        rl, ru = _relu(la, ua)
        low.append(rl)
        up.append(ru)
    return _best_lo(*low, _const(concrete[0], d)), _best_hi(*up, _const(concrete[1], d))


def _input_forms(box: Box) -> list[Form]:
    """x_i = m_i + r_i s_i, rounded outward by (R): one lower and one upper form per input."""
    d = len(box)
    low, up = [], []
    for i, (lo, hi) in enumerate(box):
        m, r = (lo + hi) / 2, (hi - lo) / 2
        den = m.denominator * r.denominator
        nums = [0] * d + [m.numerator * r.denominator * _ONE]
        nums[i] = r.numerator * m.denominator * _ONE
        low.append(_round(nums, den, False))
        up.append(_round(nums, den, True))
    return low, up


def symbolic_gap(net: SymNet, box: Box) -> list[tuple[Fraction, Fraction]]:
    """Intervals ∋ f_A,i(x) − f_B,i(x) for all x in the box (the Theorem; outward-rounded dyadics)."""
    la, ua = _input_forms(box)
    lb, ub = la, ua
    d = len(box)
    ld = ud = [[0] * (d + 1) for _ in box]
    last = len(net.layers) - 1
    for t, (sa, sb, sda, sdb) in enumerate(net.layers):
        za_l, za_u = _affine(sa, la, ua)
        zb_l, zb_u = _affine(sb, lb, ub)
        d1_l, d1_u = _affine(sda, ld + lb, ud + ub)  # W_A δa + (W_A − W_B) a_B
        d2_l, d2_u = _affine(sdb, ld + la, ud + ua)  # W_B δa + (W_A − W_B) a_A
        dl = [_best_lo(p, q) for p, q in zip(d1_l, d2_l)]
        du = [_best_hi(p, q) for p, q in zip(d1_u, d2_u)]
        za_l = [_best_lo(p, _add(q, r)) for p, q, r in zip(za_l, zb_l, dl)]  # (M)
        za_u = [_best_hi(p, _add(q, r)) for p, q, r in zip(za_u, zb_u, du)]
        zb_l = [_best_lo(q, _add(p, _neg(r))) for p, q, r in zip(za_l, zb_l, du)]
        zb_u = [_best_hi(q, _add(p, _neg(r))) for p, q, r in zip(za_u, zb_u, dl)]
        conc = [(max(_lo(l_), _lo(al) - _hi(bu)), min(_hi(u_), _hi(au) - _lo(bl)))
                for l_, u_, al, au, bl, bu in zip(dl, du, za_l, za_u, zb_l, zb_u)]
        if t == last:
            return [(Fraction(l_, _ONE), Fraction(u_, _ONE)) for l_, u_ in conc]
        new_l, new_u = [], []
        for al, au, bl, bu, l_, u_, c in zip(za_l, za_u, zb_l, zb_u, dl, du, conc):
            iv = kt._delta_relu((_lo(al), _hi(au)), (_lo(bl), _hi(bu)), c)
            f_l, f_u = _delta(al, au, bl, bu, l_, u_, iv)
            new_l.append(f_l)
            new_u.append(f_u)
        ld, ud = new_l, new_u
        la, ua = map(list, zip(*[_relu(p, q) for p, q in zip(za_l, za_u)]))
        lb, ub = map(list, zip(*[_relu(p, q) for p, q in zip(zb_l, zb_u)]))
    return []  # unreachable: a network has at least one layer
