"""The kernel's symbolic differential bounds (``kernel.symdiff``) in float64, over many cells at once.

Floats only propose: this mirrors the kernel's propagation step by step (the same
candidates, the same choice rule (C)) so that the partition search can predict which
cells the kernel will accept, and it reports the *smear* of each cell — per input
coordinate i, Σ over outputs of |c_i| in the lower and upper forms of f_A − f_B (c_i is
already scaled by the cell's half-width, since forms are in s ∈ [−1, 1]^d) — the split
heuristic of ReluVal/ReluDiff: halving the coordinate with the largest smear removes the
largest share of the bound's width.  No rounding: the kernel's outward rounding costs
about 2^-60 relative, covered by the partition's margin.
"""
from __future__ import annotations

import numpy as np

__all__ = ["FloatSym", "delta_interval"]

TIE, TIE_FLOOR = 2.0 ** -30, 2.0 ** -36  # the kernel's tie width (kernel.symdiff._slack): |best|·TIE + TIE_FLOOR
CHUNK = 2048  # cells per numpy batch (memory: CHUNK × 50 × (d + 1) floats per form)


def _lo(f):
    return f[..., -1] - np.abs(f[..., :-1]).sum(-1)


def _hi(f):
    return f[..., -1] + np.abs(f[..., :-1]).sum(-1)


def _affine(w, b, low, up):
    """(A): forms of W y + b for low ≤ y ≤ up."""
    wp, wn = np.maximum(w, 0), np.minimum(w, 0)
    fl = np.matmul(wp, low) + np.matmul(wn, up)
    fu = np.matmul(wp, up) + np.matmul(wn, low)
    fl[..., -1] += b
    fu[..., -1] += b
    return fl, fu


def _pick(cands, lower: bool):
    """(C): per neuron the candidate with the tightest concretisation; a candidate is (form, mask)."""
    big = np.inf
    vals = np.stack([np.where(m, _lo(f) if lower else -_hi(f), -big) for f, m in cands])
    best = vals.max(0)
    # the kernel keeps the first candidate within its tie width of the best: so does this
    k = (vals >= best - (TIE * np.abs(best) + TIE_FLOOR)).argmax(0)
    forms = np.stack([f for f, _ in cands])
    return np.take_along_axis(forms, k[None, ..., None], 0)[0]


def _relu_upper(u):
    lo, hi = _lo(u), _hi(u)
    lam = np.where(lo < 0, np.maximum(hi, 0) / np.where(hi - lo > 0, hi - lo, 1.0), 1.0)
    out = u * lam[..., None]
    out[..., -1] -= lam * np.minimum(lo, 0)
    return np.where((hi <= 0)[..., None], 0.0, out)


def _relu(low, up):
    l, u = _lo(low), _hi(up)
    hl = _hi(low)
    keep = (l >= 0) | ((hl >= -l) & (hl > 0))
    fl = np.where(keep[..., None], low, 0.0)
    fu = np.where((l >= 0)[..., None], up, _relu_upper(up))
    off = (u <= 0)[..., None]
    return np.where(off, 0.0, fl), np.where(off, 0.0, fu)


def delta_interval(la, ua, lb, ub, ld, ud):
    """The kernel's concrete δa interval (``kernel.tolerance._delta_relu``), vectorised."""
    lo, hi = np.minimum(ld, 0), np.maximum(ud, 0)
    lo = np.maximum(lo, np.maximum(la, 0) - np.maximum(ub, 0))
    hi = np.minimum(hi, np.maximum(ua, 0) - np.maximum(lb, 0))
    on_a, on_b = la >= 0, lb >= 0
    lo = np.where(on_a, np.maximum(lo, np.minimum(ld, la)), lo)
    hi = np.where(on_a, np.minimum(hi, np.minimum(ud, ua)), hi)
    lo = np.where(on_b, np.maximum(lo, np.maximum(ld, -ub)), lo)
    hi = np.where(on_b, np.minimum(hi, np.maximum(ud, -lb)), hi)
    off = (ua <= 0) & (ub <= 0)
    return np.where(off, 0.0, lo), np.where(off, 0.0, hi)


class FloatSym:
    """Symbolic differential bounds of f_A − f_B on N cells; ``leaf`` names the kernel's leaf."""

    leaf = "symbolic"

    def __init__(self, a, b):
        self.layers = [(wa, ba, wb, bb, np.hstack([wa, wa - wb]), np.hstack([wb, wa - wb]), ba - bb)
                       for (wa, ba), (wb, bb) in zip(a.float_layers, b.float_layers)]
        self.smear = None
        self.unstable = None

    def gap(self, lo: np.ndarray, hi: np.ndarray):
        """(N, m) lower and upper bounds of f_A − f_B on the cells [lo, hi]; sets ``smear`` (N, d)."""
        parts = [self._gap(lo[s:s + CHUNK], hi[s:s + CHUNK]) for s in range(0, len(lo), CHUNK)]
        self.smear = np.vstack([p[2] for p in parts])
        self.unstable = np.zeros(len(lo))
        return np.vstack([p[0] for p in parts]), np.vstack([p[1] for p in parts])

    def _gap(self, lo, hi):
        n, d = lo.shape
        x = np.zeros((n, d, d + 1))
        x[:, np.arange(d), np.arange(d)] = (hi - lo) / 2
        x[..., -1] = (lo + hi) / 2
        la = ua = lb = ub = x
        ld = ud = np.zeros_like(x)
        last = len(self.layers) - 1
        for t, (wa, ba, wb, bb, wda, wdb, db) in enumerate(self.layers):
            za_l, za_u = _affine(wa, ba, la, ua)
            zb_l, zb_u = _affine(wb, bb, lb, ub)
            both_off = ((_hi(za_u) <= 0) & (_hi(zb_u) <= 0))[..., None]  # the kernel's zero forms
            d1_l, d1_u = _affine(wda, db, np.concatenate([ld, lb], 1), np.concatenate([ud, ub], 1))
            d2_l, d2_u = _affine(wdb, db, np.concatenate([ld, la], 1), np.concatenate([ud, ua], 1))
            yes = np.ones(d1_l.shape[:-1], bool)
            dl = _pick([(d1_l, yes), (d2_l, yes)], True)
            du = _pick([(d1_u, yes), (d2_u, yes)], False)
            za_l = _pick([(za_l, yes), (zb_l + dl, yes)], True)
            za_u = _pick([(za_u, yes), (zb_u + du, yes)], False)
            zb_l = _pick([(zb_l, yes), (za_l - du, yes)], True)
            zb_u = _pick([(zb_u, yes), (za_u - dl, yes)], False)
            a_lo, a_hi, b_lo, b_hi = _lo(za_l), _hi(za_u), _lo(zb_l), _hi(zb_u)
            c_lo = np.maximum(_lo(dl), a_lo - b_hi)
            c_hi = np.minimum(_hi(du), a_hi - b_lo)
            if t == last:
                smear = (np.abs(dl[..., :-1]) + np.abs(du[..., :-1])).sum(1)
                return c_lo, c_hi, smear
            iv_lo, iv_hi = delta_interval(a_lo, a_hi, b_lo, b_hi, c_lo, c_hi)
            const_l = np.zeros_like(dl)
            const_l[..., -1] = iv_lo
            const_u = np.zeros_like(du)
            const_u[..., -1] = iv_hi
            ra_l, ra_u = _relu(za_l, za_u)
            rb_l, rb_u = _relu(zb_l, zb_u)
            on_a, on_b, off_a, off_b = a_lo >= 0, b_lo >= 0, a_hi <= 0, b_hi <= 0
            ld = _pick([(-_relu_upper(-dl), yes), (dl, on_b), (-zb_u, on_b),
                        (-rb_u, off_a), (ra_l, off_b), (const_l, yes)], True)
            ud = _pick([(_relu_upper(du), yes), (du, on_a), (za_u, on_a),
                        (-rb_l, off_a), (ra_u, off_b), (const_u, yes)], False)
            ld, ud = np.where(both_off, 0.0, ld), np.where(both_off, 0.0, ud)
            la, ua, lb, ub = ra_l, ra_u, rb_l, rb_u
        raise ValueError("a network has at least one layer")
