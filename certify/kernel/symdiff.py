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
  **Both off:** if the upper forms of (A) have hi(U^A_j) ≤ 0 and hi(U^B_j) ≤ 0 (before (M)), then
  σ(z_A) = σ(z_B) = 0 on C, so a_A,j, a_B,j and δa_j get the zero form (exact), (D) and (M) are not
  computed for j, and j's column is left out of the next layer's (A) (it adds nothing).
* **(C) choice.**  Every candidate above satisfies the invariant, so for each bound the
  kernel keeps the candidate with the tighter concretisation (largest lo for a lower form,
  smallest hi for an upper one; the first one within |best|·2^-30 + 2^-36 of the best, so that
  float rounding in the producer does not flip a near-tie): a rule, not a search, and any
  choice would be sound.

**Theorem.**  At the output layer, for every x ∈ C and every output i,
max(lo(L^Δ_i), lo(L^A_i) − hi(U^B_i)) ≤ f_A,i(x) − f_B,i(x) ≤ min(hi(U^Δ_i), hi(U^A_i) − lo(L^B_i)),
by induction over the layers with the steps above.  All arithmetic is on integers
(python-flint matrices for the affine maps); no search, no solver.

**Computation of (A).**  Over one common denominator D of a layer's rows (A's and B's),
2D·(Σ W⁺L + W⁻U) = (W·D)(L + U) − (|W|·D)(U − L) and 2D·(Σ W⁺U + W⁻L) = (W·D)(L + U) + (|W|·D)(U − L)
(W⁺ = (W + |W|)/2, W⁻ = (W − |W|)/2): the same rationals as the step's sums, so the rounded forms
are the same; the products are python-flint integer matrix products over all neurons at once.

Trusts: ``exact`` (integer rows), ``network``, ``tolerance`` (the same-architecture check and its
concrete δa interval, which is scale-free), python-flint (integer matrix products).
"""
from __future__ import annotations

import math
from fractions import Fraction

import flint

from .exact import int_row
from .network import Box, Layer, Net
from . import tolerance as kt

__all__ = ["SymNet", "symbolic_gap"]

PREC = 52  # bits after the binary point: the forms' entries stay below 2^63 (small python-flint integers), and
# the rounding (2^-52 per step, amplified by the layers) stays far below float32-size gaps
_ONE = 1 << PREC
TIE_BITS, TIE_FLOOR = 30, 36
_FLOOR = _ONE >> TIE_FLOOR
Form = list  # [c_1, …, c_d, c_0], integers over 2^PREC


class _Step:
    """One layer over a common denominator D: W·D and |W|·D for W_A, W_B and W_A − W_B (python-flint
    matrices), the biases b·D·2^(PREC+1) of A, B and A − B, and the rounding divisor 2D."""

    __slots__ = ("wa", "aa", "wb", "ab", "dw", "ad", "ca", "cb", "cd", "den", "shift")

    def __init__(self, la: Layer, lb: Layer):
        ra = [int_row((*w, c)) for w, c in zip(la.weight, la.bias)]
        rb = [int_row((*w, c)) for w, c in zip(lb.weight, lb.bias)]
        den = math.lcm(*(d for _, d in ra + rb))
        ia = [[n * (den // d) for n in nums] for nums, d in ra]
        ib = [[n * (den // d) for n in nums] for nums, d in rb]
        wa, wb = [r[:-1] for r in ia], [r[:-1] for r in ib]
        dw = [[p - q for p, q in zip(x, y)] for x, y in zip(wa, wb)]
        self.wa, self.aa = flint.fmpz_mat(wa), flint.fmpz_mat([list(map(abs, r)) for r in wa])
        self.wb, self.ab = flint.fmpz_mat(wb), flint.fmpz_mat([list(map(abs, r)) for r in wb])
        self.dw, self.ad = flint.fmpz_mat(dw), flint.fmpz_mat([list(map(abs, r)) for r in dw])
        self.ca = [r[-1] << (PREC + 1) for r in ia]
        self.cb = [r[-1] << (PREC + 1) for r in ib]
        self.cd = [p - q for p, q in zip(self.ca, self.cb)]
        self.den = 2 * den
        # a power of two (binary floats: every ONNX or JSON-float network) rounds by shifts
        self.shift = self.den.bit_length() - 1 if self.den & (self.den - 1) == 0 else None


class SymNet:
    """The layers of A and B as integer matrices for (A) and (D)."""

    def __init__(self, a: Net, b: Net):
        kt.require_same_widths(a, b)
        self.layers = [_Step(la, lb) for la, lb in zip(a.layers, b.layers)]


def _round(nums: list, den: int, upper: bool) -> Form:
    """(R): the rational form nums/den rounded outward to integers (a lower or an upper form)."""
    coefs = [n // den for n in nums[:-1]]
    k = sum(1 for n in nums[:-1] if n % den)
    c0 = -((-nums[-1]) // den) + k if upper else nums[-1] // den - k
    return coefs + [c0]


def _round_rows(mat, consts: list, step: _Step, upper: bool) -> list[Form]:
    """(R) on every row of the integer matrix ``mat`` (numerators over step.den) plus its constant."""
    width = mat.ncols()
    vals = list(map(int, mat.entries()))
    for j, c in enumerate(consts):
        vals[j * width + width - 1] += c
    shift, den = step.shift, step.den
    if shift is not None:
        mask = den - 1
        quot = [v >> shift for v in vals]
        exact = [not (v & mask) for v in vals]
    else:
        quot = [v // den for v in vals]
        exact = [not (v % den) for v in vals]
    out = []
    d = width - 1
    for s in range(0, len(vals), width):
        k = d - sum(exact[s:s + d])
        row = quot[s:s + width]
        if upper:
            row[d] += k + (not exact[s + d])
        else:
            row[d] -= k
        out.append(row)
    return out


def _matrix(forms: list[Form]):
    return flint.fmpz_mat(len(forms), len(forms[0]), [v for f in forms for v in f])


def _rows_of(keep: list[int], n: int):
    """The 0/1 matrix that selects the rows ``keep`` of an n-row matrix (a python-flint product)."""
    sel = flint.fmpz_mat(len(keep), n)
    for i, j in enumerate(keep):
        sel[i, j] = 1
    return sel


def _spread(f: Form) -> int:
    """Σ_{i ≥ 1} |c_i|: lo(f) = c_0 − spread, hi(f) = c_0 + spread."""
    return sum(map(abs, f)) - abs(f[-1])


def _slack(v: int) -> int:
    """(C)'s tie width: |v|·2^-TIE_BITS + 2^-TIE_FLOOR; the first candidate this close to the best
    wins, so that a float producer, whose values differ from these by rounding, predicts the
    choice (relative, so that tiny differences such as float32 re-exports keep their precision)."""
    return (abs(v) >> TIE_BITS) + _FLOOR


def _best_lo(cands: list) -> tuple:
    """(C) for lower forms: ``cands`` are (form, lo) pairs; the first within the tie width of the best."""
    top = max(v for _, v in cands)
    floor = top - _slack(top)
    return next(c for c in cands if c[1] >= floor)


def _best_hi(cands: list) -> tuple:
    """(C) for upper forms: ``cands`` are (form, hi) pairs."""
    top = min(v for _, v in cands)
    ceil = top + _slack(top)
    return next(c for c in cands if c[1] <= ceil)


def _lo2(f: Form, g: Form) -> tuple:
    """(C) between two lower forms (the first wins a tie): the form and its lo."""
    vf, vg = f[-1] - _spread(f), g[-1] - _spread(g)
    top = vf if vf > vg else vg
    return (f, vf) if vf >= top - _slack(top) else (g, vg)


def _hi2(f: Form, g: Form) -> tuple:
    """(C) between two upper forms: the form and its hi."""
    vf, vg = f[-1] + _spread(f), g[-1] + _spread(g)
    top = vf if vf < vg else vg
    return (f, vf) if vf <= top + _slack(top) else (g, vg)


def _chord(u: Form, lo: int, hi: int) -> Form:
    """(σ): an upper form of σ(z) from an upper form U of z with range [lo, hi] (the chord)."""
    if hi <= 0:
        return [0] * len(u)
    if lo >= 0:
        return u
    nums = [c * hi for c in u[:-1]] + [(u[-1] - lo) * hi]
    return _round(nums, hi - lo, True)


def _relu(low: Form, up: Form, l_lo: int, l_hi: int, u_lo: int, u_hi: int) -> tuple[Form, Form]:
    """(σ): lower and upper forms of σ(z) from L ≤ z ≤ U (ranges [l_lo, l_hi] and [u_lo, u_hi]):
    the lower one is L if hi(L) ≥ −lo(L) (and hi(L) > 0), else 0 (DeepPoly); the upper one the chord."""
    if u_hi <= 0:
        zero = [0] * len(low)
        return zero, zero
    if l_lo >= 0:
        return low, up
    return (low if l_hi >= -l_lo and l_hi > 0 else [0] * len(low)), _chord(up, u_lo, u_hi)


def _neuron(al: Form, au: Form, bl: Form, bu: Form, d1l: Form, d2l: Form, d1u: Form, d2u: Form,
            last: bool) -> tuple:
    """One neuron after (A): (D) and (M) with (C), the concrete interval of Δz, and unless ``last``
    (δ), (σ) and (C): the forms of δa, σ(z_A), σ(z_B).  Each form's spread is computed once."""
    dl, dl_lo = _lo2(d1l, d2l)
    du, du_hi = _hi2(d1u, d2u)
    al, al_lo = _lo2(al, [p + q for p, q in zip(bl, dl)])  # (M): z_A = z_B + Δz
    au, au_hi = _hi2(au, [p + q for p, q in zip(bu, du)])
    bl, bl_lo = _lo2(bl, [p - q for p, q in zip(al, du)])  # z_B = z_A − Δz
    bu, bu_hi = _hi2(bu, [p - q for p, q in zip(au, dl)])
    conc = (max(dl_lo, al_lo - bu_hi), min(du_hi, au_hi - bl_lo))
    if last:
        return conc, None
    iv = kt._delta_relu((al_lo, au_hi), (bl_lo, bu_hi), conc)
    # the other end of each range: c0 ± spread, with the spread c0 ∓ the end already known
    ra = _relu(al, au, al_lo, 2 * al[-1] - al_lo, 2 * au[-1] - au_hi, au_hi)
    rb = _relu(bl, bu, bl_lo, 2 * bl[-1] - bl_lo, 2 * bu[-1] - bu_hi, bu_hi)
    # (δ): δa between 0 and Δz (chords of −Δz's lower form and Δz's upper form); forms before the
    # constant, so that a tie keeps the form
    hd, ld_ = 2 * dl[-1] - dl_lo, 2 * du[-1] - du_hi  # hi(L^Δ) and lo(U^Δ): c0 ± spread
    f = [-c for c in _chord([-c for c in dl], -hd, -dl_lo)]
    g = _chord(du, ld_, du_hi)
    low = [(f, f[-1] - _spread(f))]  # (form, lo) pairs; known ends are not recomputed
    up = [(g, g[-1] + _spread(g))]
    if al_lo >= 0:  # δa = min(Δz, z_A)
        up += [(du, du_hi), (au, au_hi)]
    if bl_lo >= 0:  # δa = max(Δz, −z_B)
        low += [(dl, dl_lo), ([-c for c in bu], -bu_hi)]
    if au_hi <= 0:  # δa = −σ(z_B)
        low.append(([-c for c in rb[1]], -(rb[1][-1] + _spread(rb[1]))))
        up.append(([-c for c in rb[0]], -(rb[0][-1] - _spread(rb[0]))))
    if bu_hi <= 0:  # δa = σ(z_A)
        low.append((ra[0], ra[0][-1] - _spread(ra[0])))
        up.append((ra[1], ra[1][-1] + _spread(ra[1])))
    d = len(al) - 1
    low.append(([0] * d + [iv[0]], iv[0]))
    up.append(([0] * d + [iv[1]], iv[1]))
    lo_f = _best_lo(low)[0]
    up_f = _best_hi(up)[0]
    return conc, (lo_f, up_f, ra, rb)


def _input_forms(box: Box) -> tuple[list[Form], list[Form]]:
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
    zero = [0] * (d + 1)
    ld = ud = [zero] * d
    last = len(net.layers) - 1
    cols = None  # the previous layer's neurons whose forms are not all zero (None: all)
    for t, st in enumerate(net.layers):
        ma, mb, md = _matrix(la), _matrix(lb), _matrix(ld)
        wa, wb, wd = _matrix(ua), _matrix(ub), _matrix(ud)
        sa, ra, sb, rb, sd, rd = ma + wa, wa - ma, mb + wb, wb - mb, md + wd, wd - md
        if cols is None:
            w_a, a_a, w_b, a_b, d_w, a_d = st.wa, st.aa, st.wb, st.ab, st.dw, st.ad
        else:  # a neuron with zero forms adds nothing: drop its column
            pick = _rows_of(cols, st.wa.ncols()).transpose()
            w_a, a_a, w_b, a_b, d_w, a_d = (m * pick for m in (st.wa, st.aa, st.wb, st.ab, st.dw, st.ad))
        pa, qa, pb, qb = w_a * sa, a_a * ra, w_b * sb, a_b * rb  # (A): lower p − q, upper p + q
        za_u = _round_rows(pa + qa, st.ca, st, True)
        zb_u = _round_rows(pb + qb, st.cb, st, True)
        n = len(za_u)
        # (δ)'s both-off case: the neuron contributes zero forms, and its (D), (M) are not needed
        keep = list(range(n)) if t == last else \
            [j for j, (p, q) in enumerate(zip(za_u, zb_u)) if p[-1] + _spread(p) > 0 or q[-1] + _spread(q) > 0]
        sel = _rows_of(keep, n) if len(keep) < n else None
        ca, cb, cd = ([c[j] for j in keep] for c in (st.ca, st.cb, st.cd))

        def rows(m):
            return sel * m if sel is not None else m
        za_l = _round_rows(rows(pa - qa), ca, st, False)
        zb_l = _round_rows(rows(pb - qb), cb, st, False)
        p1, q1 = rows(w_a * sd + d_w * sb), rows(a_a * rd + a_d * rb)  # W_A δa + ΔW a_B
        p2, q2 = rows(w_b * sd + d_w * sa), rows(a_b * rd + a_d * ra)  # W_B δa + ΔW a_A
        d1_l, d1_u = _round_rows(p1 - q1, cd, st, False), _round_rows(p1 + q1, cd, st, True)
        d2_l, d2_u = _round_rows(p2 - q2, cd, st, False), _round_rows(p2 + q2, cd, st, True)
        out = [_neuron(za_l[i], za_u[j], zb_l[i], zb_u[j], d1_l[i], d2_l[i], d1_u[i], d2_u[i], t == last)
               for i, j in enumerate(keep)]
        if t == last:
            return [(Fraction(l_, _ONE), Fraction(u_, _ONE)) for (l_, u_), _ in out]
        if not keep:  # every neuron off in both networks: the rest of the network is constant on the cell
            keep = [0]
            out = [(None, (zero, zero, (zero, zero), (zero, zero)))]
        cols = keep
        ld, ud = [o[1][0] for o in out], [o[1][1] for o in out]
        la, ua = [o[1][2][0] for o in out], [o[1][2][1] for o in out]
        lb, ub = [o[1][3][0] for o in out], [o[1][3][1] for o in out]
    return []  # unreachable: a network has at least one layer
