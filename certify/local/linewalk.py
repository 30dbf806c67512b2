"""Floating-point walks along lines through a ReLU network (untrusted search, theory.md §5.5).

On a line x(t) = x0 + t·e every pre-activation is piecewise affine in t.  With the
activation pattern frozen, z_l(t) = α_l + t·β_l exactly, so the next breakpoint is the
smallest root −α/β beyond the current position; crossing it flips that neuron in the
pattern.  All lines advance together: one matrix product per layer and step.

Everything here is a proposal: the kink probes built from a walk are re-verified in exact
arithmetic (``certify.kernel.local``) before they enter a certificate.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import time

import numpy as np

from ..network import Network


@dataclass
class Walk:
    """Breakpoints t[0] < t[1] < … of one line in [lo, hi]; piece k ends at t[k]."""
    x0: np.ndarray
    e: np.ndarray
    lo: float
    hi: float
    t: np.ndarray = field(default_factory=lambda: np.zeros(0))
    neuron: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))  # flat index, −1: several
    slopes: np.ndarray | None = None       # (len(t) + 1) × d_L: df/dt on every piece
    kinks: dict = field(default_factory=dict)      # breakpoint → (a_l(x(t)), 1) of its neuron
    together: dict = field(default_factory=dict)   # breakpoint → flat indices switching at once
    complete: bool = True                  # False if the step budget ran out

    def cuts(self) -> list[float]:
        return [self.lo] + list(self.t) + [self.hi]


def preactivations(Ws, bs, X: np.ndarray) -> list[np.ndarray]:
    """Float pre-activations of every layer at the rows of X, for the layers (Ws, bs)."""
    zs, a = [], X
    for W, b in zip(Ws, bs):
        z = a @ W.T + b
        zs.append(z)
        a = np.maximum(z, 0.0)
    return zs


class FloatNet:
    """The float64 view of a network, with flat indices for hidden neurons."""

    def __init__(self, network: Network):
        self.Ws = [W for W, _ in network.float_layers]
        self.bs = [b for _, b in network.float_layers]
        self.widths = network.widths
        self.hidden = list(self.widths[1:-1])
        self.offsets = np.cumsum([0] + self.hidden)
        self.layer_of = np.repeat(np.arange(len(self.hidden)), self.hidden)
        self.index_of = np.concatenate([np.arange(n) for n in self.hidden]) if self.hidden else np.zeros(0, int)

    def neuron(self, flat: int) -> tuple[int, int]:
        return int(self.layer_of[flat]), int(self.index_of[flat])

    def flat(self, l: int, j: int) -> int:
        return int(self.offsets[l] + j)

    def preactivations(self, X: np.ndarray) -> list[np.ndarray]:
        return preactivations(self.Ws, self.bs, X)

    def patterns(self, X: np.ndarray) -> list[np.ndarray]:
        return [z > 0 for z in self.preactivations(X)[:-1]]


def walk(fnet: FloatNet, x0: np.ndarray, e: np.ndarray, lo: np.ndarray, hi: np.ndarray,
         wanted: np.ndarray | None = None, max_steps: int = 200000, deadline: float | None = None) -> list[Walk]:
    """Walk n lines from t = lo to t = hi, recording every breakpoint.

    ``wanted``: boolean mask over flat hidden neurons whose kink vectors (a_l(x(t*)), 1)
    should be recorded (None: none).  Past ``deadline`` (a ``time.perf_counter()`` value) the
    walks stop where they are, like walks out of steps: ``complete`` is False, ``hi`` is where
    each stopped, and the slope of its last piece is unknown (NaN).
    """
    n, L = len(x0), len(fnet.Ws)
    t = lo.astype(float).copy()
    masks = fnet.patterns(x0 + t[:, None] * e)
    scale = np.maximum(np.abs(lo), np.abs(hi)) + 1.0
    rec_line, rec_t, rec_neuron, rec_slope = [], [], [], []
    kinks: dict = {}
    together: dict = {}
    last_slope = np.zeros((n, fnet.widths[-1]))
    alive = np.arange(n)
    step = 0
    while len(alive) and step < max_steps:
        if deadline is not None and step % 8 == 0 and time.perf_counter() > deadline:
            break
        step += 1
        A, B = x0[alive], e[alive]
        za, zb = [], []
        for l in range(L):
            Za = A @ fnet.Ws[l].T + fnet.bs[l]
            Zb = B @ fnet.Ws[l].T
            za.append(Za)
            zb.append(Zb)
            if l < L - 1:
                m = masks[l][alive]
                A, B = Za * m, Zb * m
        Ha, Hb = np.hstack(za[:-1]), np.hstack(zb[:-1])
        with np.errstate(divide="ignore", invalid="ignore"):
            roots = -Ha / Hb
        tc = t[alive]
        roots[~np.isfinite(roots) | (roots <= (tc + 1e-11 * scale[alive])[:, None])] = np.inf
        rows = np.arange(len(alive))
        first = np.argmin(roots, axis=1)
        tb = roots[rows, first]
        roots[rows, first] = np.inf
        second = roots.min(axis=1)
        done = (tb >= hi[alive]) | ~np.isfinite(tb)
        last_slope[alive[done]] = zb[-1][done]
        go = ~done
        tol = 1e-9 * scale[alive]
        single = go & (second > tb + tol)
        multi = go & ~single
        ids = alive[go]
        rec_line.append(ids)
        rec_t.append(tb[go])
        rec_neuron.append(np.where(single[go], first[go], -1))
        rec_slope.append(zb[-1][go])
        # kink vectors of wanted single switches, layer by layer
        if wanted is not None:
            sel = np.flatnonzero(single & wanted[first])
            for r in sel:
                l = fnet.layer_of[first[r]]
                if l == 0:
                    a = x0[alive[r]] + tb[r] * e[alive[r]]
                else:
                    a = (za[l - 1][r] + tb[r] * zb[l - 1][r]) * masks[l - 1][alive[r]]
                kinks[(int(alive[r]), float(tb[r]))] = np.append(a, 1.0)
        # flip the switching neurons
        for l in range(L - 1):
            s = np.flatnonzero(single & (fnet.layer_of[first] == l))
            masks[l][alive[s], fnet.index_of[first[s]]] ^= True
        for r in np.flatnonzero(multi):
            roots[r, first[r]] = tb[r]
            flat = np.flatnonzero(roots[r] <= tb[r] + tol[r])
            together[(int(alive[r]), float(tb[r]))] = tuple(int(f) for f in flat)
            for f in flat:
                masks[fnet.layer_of[f]][alive[r], fnet.index_of[f]] ^= True
        t[ids] = tb[go]
        alive = ids
    return _assemble(fnet, x0, e, lo, hi, t, alive, rec_line, rec_t, rec_neuron, rec_slope, last_slope,
                     kinks, together)


def _assemble(fnet, x0, e, lo, hi, t, alive, rec_line, rec_t, rec_neuron, rec_slope, last_slope, kinks, together):
    n = len(x0)
    walks = [Walk(x0[i], e[i], float(lo[i]), float(hi[i])) for i in range(n)]
    if rec_line:
        line = np.concatenate(rec_line)
        ts = np.concatenate(rec_t)
        neu = np.concatenate(rec_neuron)
        slo = np.concatenate(rec_slope)
        order = np.argsort(line, kind="stable")  # steps are chronological within each line
        line, ts, neu, slo = line[order], ts[order], neu[order], slo[order]
        bounds = np.searchsorted(line, np.arange(n + 1))
    for i, w in enumerate(walks):
        if rec_line:
            a, b = bounds[i], bounds[i + 1]
            w.t, w.neuron = ts[a:b], neu[a:b]
            w.slopes = np.vstack([slo[a:b], last_slope[i][None, :]])
        else:
            w.slopes = last_slope[i][None, :]
    for (i, tb), v in kinks.items():
        w = walks[i]
        w.kinks[int(np.searchsorted(w.t, tb))] = v
    for (i, tb), flat in together.items():
        w = walks[i]
        w.together[int(np.searchsorted(w.t, tb))] = flat
    for i in alive:
        walks[i].complete = False
        walks[i].hi = float(t[i])
        walks[i].slopes[-1] = np.nan  # unknown: the walk stopped inside this piece
    return walks
