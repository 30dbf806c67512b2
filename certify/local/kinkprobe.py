"""The kink-probe sample design of theory.md §5.5 (Theorem 5.4), engine side.

For every hidden neuron (l, j) we look for d_l probes — four rational points on a line,
two on each side of a place where only (l, j) switches, with the output bending there —
whose kink vectors (a_l(x(t*)), 1) are linearly independent (K1), plus d_{L-1} + 1
points whose last hidden activations span (K2).  No N × N matrix is ever formed: the
certificate is a set of per-neuron d_l × (d_l + 1) blocks.

Search (floats, untrusted): walk random lines (``linewalk``), keep breakpoints where a
single neuron switches and some output bends, and accept a kink vector for a neuron if it
increases the float rank of that neuron's block.  Over R^d, when rounds stall, short lines are
also aimed at points the region-hopping LPs of ``kinktarget`` find on uncovered bent hyperplanes
where a missing input is active (far kinks that random lines miss).  Candidates are screened in float64 with
a rigorous rounding-error bound (§5.5's cost model: "float64 BLAS plus a rigorous rounding
bound"), so the kernel's single exact pass agrees with them; with ``exact=True`` they are
instead re-checked by the kernel's own probe function and the blocks ranked mod p during
the search (the fallback when a float-screened certificate is rejected).  Neurons that
cannot be covered are reported with the reason (§5.5 "Limitations and fallback").
"""
from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from flint import nmod_mat

from ..kernel.exact import fmt, fmt_vector
from ..kernel.forward import Line, batches, int_net, segment_in_box
from ..kernel.local import probe_vector
from ..kernel.linalg import is_probable_prime
from .kinktarget import Proposer
from .linewalk import FloatNet, Walk, walk
from ..network import Box, Network

DYADIC_BITS = 8  # x0 and e are multiples of 2^-8: small integers keep the exact passes cheap


def random_prime(rng: random.Random, bits: int = 62) -> int:
    while True:
        p = rng.getrandbits(bits) | (1 << (bits - 1)) | 1
        if is_probable_prime(p):
            return p


def _dyadic(v: float, bits: int) -> Fraction:
    return Fraction(round(v * (1 << bits)), 1 << bits)


@dataclass
class Probe:
    line: int
    ts: tuple[Fraction, Fraction, Fraction, Fraction]
    neuron: tuple[int, int]
    output: int
    float_kink: np.ndarray | None = None
    vector: list[int] | None = None   # kink vector mod p (exact mode)


@dataclass
class NeuronStatus:
    neuron: tuple[int, int]
    need: int
    rank: int = 0
    candidates: int = 0
    rejected: dict = field(default_factory=dict)   # (P1)/(P2)/(P3) failure → count
    simultaneous: int = 0                          # breakpoints shared with other neurons
    invisible: int = 0                             # breakpoints where no output bends
    partners: set = field(default_factory=set)     # neurons switching at the same places
    inactive_inputs: list[int] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.rank >= self.need

    def reason(self) -> str:
        if self.done:
            return "covered"
        if self.candidates == 0:
            if self.simultaneous:
                shown = ", ".join(str(list(n)) for n in sorted(self.partners)[:4])
                return (f"its kinks always coincide with those of other neurons ({shown}): no isolated kink "
                        "(e.g. a shared hyperplane, theory §5.2)")
            if self.invisible:
                return "it switches only where no output bends (u_i = 0: invisible, (P3) fails)"
            # floats cannot tell "never switches" from "switches where no line went" (MNIST's
            # neurons all switch on the box, bench/RESULTS.md mnist-switching): say both
            return ("no kink found on the probed lines: dead or stably active on the domain, "
                    "or its kinks lie where no line reached")
        text = f"(K1) only {self.rank} of {self.need} independent kink vectors"
        if self.inactive_inputs:
            shown = ", ".join(map(str, self.inactive_inputs[:8])) + (" …" if len(self.inactive_inputs) > 8 else "")
            text += f"; inputs never active at its kinks: {shown}"
        return text


@dataclass
class KinkResult:
    complete: bool
    evidence: dict | None
    status: dict[tuple[int, int], NeuronStatus]
    lines: int = 0
    points: int = 0
    final_rank: int = 0
    prime: int = 0
    seconds: float = 0.0
    note: str = ""
    search: "KinkSearch | None" = None

    def failures(self) -> list[NeuronStatus]:
        return [s for s in self.status.values() if not s.done]


class _FloatBlock:
    """Incremental float rank of one neuron's kink vectors (guidance only)."""

    def __init__(self, size: int, max_rank: int | None = None):
        self.max_rank = size - 1 if max_rank is None else max_rank  # kink vectors lie in r^⊥
        self.basis = np.zeros((self.max_rank, size))
        self.rank = 0

    def offer(self, v: np.ndarray, tol: float = 1e-7) -> bool:
        if self.rank >= self.max_rank:
            return False
        nv = np.linalg.norm(v)
        if nv == 0:
            return False
        Q = self.basis[:self.rank]
        r = v / nv
        for _ in range(2):  # re-orthogonalise once: classical Gram–Schmidt loses orthogonality
            r = r - Q.T @ (Q @ r)
        nr = np.linalg.norm(r)
        if nr < tol:
            return False
        self.basis[self.rank] = r / nr
        self.rank += 1
        return True


CHUNK_LINES = 16  # lines per deadline check inside a round


class KinkSearch:
    """State of the search: lines kept, verified probes per neuron, final points."""

    def __init__(self, network: Network, box: Box | None, seed: int = 0, deadline: float | None = None,
                 exact: bool = False, robust: bool = False):
        self.network, self.box, self.exact = network, box, exact
        # robust: for an explicit radius (Theorem 5.3) the blocks must stay regular on a ball, so
        # prefer well-conditioned kink vectors and kinks with long pieces on both sides
        self.gs_tol = 1e-3 if robust else 1e-7
        self.min_piece = 1e-3 if robust else 1e-9
        self.fnet = FloatNet(network)
        self.inet = int_net(network.net)
        self.rng = np.random.default_rng(seed)
        self.prime = random_prime(random.Random(seed))
        self.deadline = deadline
        w = network.widths
        self.neurons = [(l, j) for l in range(len(w) - 2) for j in range(w[l + 1])]
        self.status = {n: NeuronStatus(n, w[n[0]]) for n in self.neurons}
        self.blocks = {n: _FloatBlock(w[n[0]] + 1) for n in self.neurons}
        self.lines: list[Line] = []
        self.verified: dict[tuple[int, int], list[Probe]] = {n: [] for n in self.neurons}
        self.selected: dict[tuple[int, int], list[Probe]] = {n: [] for n in self.neurons}
        self.active_inputs = {n: np.zeros(w[n[0]], dtype=bool) for n in self.neurons}
        self.final: list[tuple[int, Fraction]] = []
        self.dirty: set[tuple[int, int]] = set()
        self.scale = self._scale()
        self.boost = 1.0  # grows when rounds stall: deeper kinks may lie far from the first layer's
        self.proposer: Proposer | None = None   # kink-target LPs, built when first needed
        self.tried: dict[tuple, int] = {}       # (neuron, missing input) → proposals made

    # ------------------------------------------------------------------ geometry of the search
    def _scale(self) -> float:
        """A radius around the origin containing most first-layer kinks."""
        W, b = self.fnet.Ws[0], self.fnet.bs[0]
        norms = np.linalg.norm(W, axis=1)
        ok = norms > 0
        d = np.abs(b[ok]) / norms[ok] if ok.any() else np.array([1.0])
        return float(max(1.0, 1.5 * np.percentile(d, 90)))

    def _random_lines(self, n: int, through: np.ndarray | None = None):
        d0 = self.network.widths[0]
        if through is not None:
            n = len(through)
        else:
            if self.box is not None:
                lo = np.array([float(a) for a, _ in self.box])
                hi = np.array([float(b) for _, b in self.box])
                through = lo + (hi - lo) * self.rng.random((n, d0))
            else:
                radius = self.scale * self.rng.uniform(0.25, 2.0 * self.boost, (n, 1))
                through = self.rng.standard_normal((n, d0)) * radius / max(1.0, math.sqrt(d0) / 2)
        e = self.rng.standard_normal((n, d0))
        e /= np.linalg.norm(e, axis=1, keepdims=True)
        x0 = np.array([[float(_dyadic(v, DYADIC_BITS)) for v in row] for row in through])
        e = np.array([[float(_dyadic(v, DYADIC_BITS)) for v in row] for row in e])
        e[np.all(e == 0, axis=1), 0] = 1.0
        return x0, e

    def _ranges(self, x0: np.ndarray, e: np.ndarray, short: bool = False):
        n = len(x0)
        if self.box is None:
            reach = 0.25 * self.scale if short else 3.0 * (self.scale + np.linalg.norm(x0, axis=1))
            span = reach / np.linalg.norm(e, axis=1)
            return -span * np.ones(n), span * np.ones(n)
        lo, hi = np.empty(n), np.empty(n)
        for i in range(n):
            a, b = segment_in_box(tuple(as_fractions(x0[i])), tuple(as_fractions(e[i])), self.box)
            if a is None:
                lo[i] = hi[i] = 0.0
            else:
                # a hair inside the exact segment: every point chosen in [lo, hi] lies in the box
                lo[i], hi[i] = float(a), float(b)
                shrink = 1e-9 * (hi[i] - lo[i])
                lo[i], hi[i] = lo[i] + shrink, hi[i] - shrink
                if short:  # stay near the targeted point (t = 0)
                    half = 0.125 * (hi[i] - lo[i])
                    lo[i], hi[i] = max(lo[i], -half), min(hi[i], half)
        return lo, hi

    # ------------------------------------------------------------------ one round
    def wanted(self) -> set[tuple[int, int]]:
        return {n for n, s in self.status.items() if not s.done}

    def round(self, n_lines: int, through: np.ndarray | None = None) -> int:
        """Walk n_lines new lines, verify their candidate probes exactly; return #new verified.

        With a deadline the lines are walked and verified in chunks of ``CHUNK_LINES``, and the
        round stops between chunks once the deadline has passed (cooperative: a round on a wide
        network takes tens of seconds; the verified probes of the finished chunks are kept)."""
        x0, e = self._random_lines(n_lines, through)
        lo, hi = self._ranges(x0, e, short=through is not None)
        keep = hi > lo
        if not keep.any():
            return 0
        x0, e, lo, hi = x0[keep], e[keep], lo[keep], hi[keep]
        wanted = self.wanted()
        mask = np.zeros(len(self.fnet.layer_of), dtype=bool)
        for l, j in wanted:
            mask[self.fnet.flat(l, j)] = True
        step = len(x0) if self.deadline is None else CHUNK_LINES
        got = 0
        for a in range(0, len(x0), step):
            if a and self.deadline is not None and time.perf_counter() > self.deadline:
                break
            got += self._chunk(walk(self.fnet, x0[a:a + step], e[a:a + step], lo[a:a + step], hi[a:a + step], mask,
                                    deadline=self.deadline), wanted)
        return got

    def _chunk(self, walks, wanted: set) -> int:
        new_lines, probes = [], []
        for w in walks:
            line, line_probes = self._probes_on(w, wanted)
            if line is None:
                continue
            m = len(self.lines) + len(new_lines)
            new_lines.append(line)
            for pr in line_probes:
                pr.line = m
                probes.append(pr)
        if not new_lines:
            return 0
        base = len(self.lines)
        self.lines.extend(new_lines)
        return self._verify(base, probes)

    def _probes_on(self, w: Walk, wanted: set) -> tuple[Line | None, list[Probe]]:
        """Candidate probes of one walk (float checks), and the line with their points."""
        cuts = w.cuts()
        fnet = self.fnet
        chosen: dict[int, tuple] = {}   # piece index → the two t values in it
        probes = []
        for k, flat in enumerate(w.neuron):
            if flat < 0:
                group = [fnet.neuron(f) for f in w.together.get(k, ())]
                for n in group:
                    if n in wanted:
                        self.status[n].simultaneous += 1
                        self.status[n].partners.update(set(group) - {n})
                continue
            kink = w.kinks.get(k)
            if kink is None:
                continue
            neuron = fnet.neuron(int(flat))
            before, after = w.slopes[k], w.slopes[k + 1]
            jump = np.abs(after - before)
            if not np.all(np.isfinite(jump)):
                continue
            i = int(np.argmax(jump))
            if jump[i] <= 1e-9 * (np.abs(before[i]) + np.abs(after[i]) + 1e-300):
                self.status[neuron].invisible += 1
                continue
            a, b, c = cuts[k], cuts[k + 1], cuts[k + 2]
            mp = self.min_piece
            if not (b - a > mp * (abs(a) + abs(b) + 1) and c - b > mp * (abs(b) + abs(c) + 1)):
                continue
            if not self.blocks[neuron].offer(kink, self.gs_tol):
                continue
            pieces = two_points(a, b), two_points(b, c)
            chosen[k], chosen[k + 1] = pieces
            probes.append(Probe(-1, pieces[0] + pieces[1], neuron, i, kink))
        if not chosen:
            return None, []
        ts = sorted({t for pair in chosen.values() for t in pair})
        return Line(tuple(as_fractions(w.x0)), tuple(as_fractions(w.e)), tuple(ts)), probes

    # ------------------------------------------------------------------ exact verification
    def _verify(self, base: int, probes: list[Probe]) -> int:
        return self._verify_exact(base, probes) if self.exact else self._verify_float(base, probes)

    def _verify_float(self, base: int, probes: list[Probe]) -> int:
        """(P1)–(P3) in float64 with a rigorous rounding-error bound (theory §5.5 cost model):
        a candidate passes only if every sign and the slope jump exceed their error bounds, so
        the kernel's exact pass agrees; (K1) rests on the float Gram–Schmidt acceptance."""
        lines = self.lines
        new_lines = list(range(base, len(lines)))
        if not new_lines:
            return 0
        ts = [np.array([float(t) for t in lines[m].t]) for m in new_lines]
        X = np.vstack([np.asarray([float(v) for v in lines[m].x0]) + t[:, None] * np.asarray([float(v) for v in lines[m].e])
                       for m, t in zip(new_lines, ts)])
        E0 = np.vstack([4 * _U * (np.abs([float(v) for v in lines[m].x0]) + np.abs(t)[:, None] * np.abs([float(v) for v in lines[m].e]))
                        for m, t in zip(new_lines, ts)])
        pats, certain, Y, EY = _float_pass(self.fnet, X, E0)
        start = np.cumsum([0] + [len(t) for t in ts])
        got, touched = 0, set()
        positions: dict[int, dict] = {}
        for pr in probes:
            status = self.status[pr.neuron]
            status.candidates += 1
            m_local = pr.line - base
            if pr.line not in positions:
                positions[pr.line] = {t: k for k, t in enumerate(lines[pr.line].t)}
            pos = positions[pr.line]
            rows = [int(start[m_local]) + pos[t] for t in pr.ts]
            reason = _float_probe(pats, certain, Y, EY, rows, [float(t) for t in pr.ts], pr.neuron, pr.output, self.fnet)
            if reason is not None:
                status.rejected[reason] = status.rejected.get(reason, 0) + 1
                touched.add(pr.neuron)
                continue
            self.verified[pr.neuron].append(pr)
            self.active_inputs[pr.neuron] |= pr.float_kink[:-1] > 0
            got += 1
        for n in set(p.neuron for p in probes):
            st = self.status[n]
            self.selected[n] = self.verified[n][:st.need]
            st.rank = len(self.selected[n])
            st.inactive_inputs = [int(k) for k in np.flatnonzero(~self.active_inputs[n])]
            if n in touched and not st.done:  # rejected candidates must not block their directions
                blk = _FloatBlock(st.need + 1)
                for c in self.selected[n]:
                    blk.offer(c.float_kink, self.gs_tol)
                self.blocks[n] = blk
        return got

    def _verify_exact(self, base: int, probes: list[Probe]) -> int:
        lines = self.lines
        by_line: dict[int, list[Probe]] = {}
        for pr in probes:
            by_line.setdefault(pr.line, []).append(pr)
        p = self.prime
        got = 0
        new_lines = list(range(base, len(lines)))
        sub = [lines[m] for m in new_lines]
        for batch in batches(self.inet, sub):
            for m_local in sorted({m for m, _ in batch.index}):
                m = new_lines[m_local]
                pos = {t: k for k, t in enumerate(lines[m].t)}
                for pr in by_line.get(m, []):
                    status = self.status[pr.neuron]
                    status.candidates += 1
                    rows = tuple(batch.row_of[(m_local, pos[t])] for t in pr.ts)
                    reason, v = probe_vector(batch, rows, pr.neuron[0], pr.neuron[1], pr.output)
                    if reason is not None:
                        key = reason.split(" ")[0]
                        status.rejected[key] = status.rejected.get(key, 0) + 1
                        continue
                    pr.vector = [x % p for x in v]
                    self.verified[pr.neuron].append(pr)
                    self.dirty.add(pr.neuron)
                    self.active_inputs[pr.neuron] |= np.array([x != 0 for x in v[:-1]])
                    got += 1
        self._select()
        return got

    def _select(self) -> None:
        """Per neuron: independent kink vectors mod p (row pivots of the candidate block)."""
        p = self.prime
        dirty, self.dirty = self.dirty, set()
        for n in dirty:
            cands, st = self.verified[n], self.status[n]
            if st.done and len(self.selected[n]) == st.need:
                continue
            chosen = independent_rows([c.vector for c in cands], p, st.need)
            self.selected[n] = [cands[i] for i in chosen]
            st.rank = len(chosen)
            st.inactive_inputs = [int(k) for k in np.flatnonzero(~self.active_inputs[n])]
            # float guidance restarts from the verified selection (rejected candidates may have
            # filled directions that are still missing)
            if not st.done and len(cands) > st.rank:
                blk = _FloatBlock(st.need + 1)
                for c in self.selected[n]:
                    blk.offer(c.float_kink, self.gs_tol)
                self.blocks[n] = blk

    # ------------------------------------------------------------------ (K2): the final points
    def choose_final(self, cloud_size: int = 4000) -> bool:
        """d_{L-1} + 1 admissible points whose rows (a_{L-1}(x), 1) span (K2), as one-point lines."""
        need = self.network.widths[-2] + 1
        cloud = self._cloud(cloud_size)
        acts = np.maximum(self.fnet.preactivations(cloud)[-2], 0.0)
        block = _FloatBlock(need, need)
        picked = []
        for i in self.rng.permutation(len(cloud)):
            if block.offer(np.append(acts[i], 1.0), tol=1e-6):
                picked.append(i)
                if len(picked) == need:
                    break
        zero = tuple(Fraction(0) for _ in range(self.network.widths[0]))
        cands = [Line(self._in_box([_dyadic(v, 2 * DYADIC_BITS) for v in cloud[i]]), zero, (Fraction(0),))
                 for i in picked]
        if not cands:
            return False
        rows, ok = [], []
        last = len(self.network.layers) - 1
        for batch in batches(self.inet, cands):
            for r in range(len(batch.index)):
                if not batch.zero[r]:
                    rows.append([x % self.prime for x in batch.input_row(r, last)])
                    ok.append(batch.index[r][0])
        chosen = independent_rows(rows, self.prime, need)
        if len(chosen) < need:
            return False
        base = len(self.lines)
        self.lines.extend(cands[ok[i]] for i in chosen)
        self.final = [(base + n, Fraction(0)) for n in range(need)]
        return True

    def _in_box(self, x: list[Fraction]) -> tuple[Fraction, ...]:
        if self.box is None:
            return tuple(x)
        return tuple(min(max(v, lo), hi) for v, (lo, hi) in zip(x, self.box))

    def _cloud(self, n: int) -> np.ndarray:
        d0 = self.network.widths[0]
        if self.box is not None:
            lo = np.array([float(a) for a, _ in self.box])
            hi = np.array([float(b) for _, b in self.box])
            return lo + (hi - lo) * self.rng.random((n, d0))
        return self.rng.standard_normal((n, d0)) * self.scale * self.rng.uniform(0.1, 4.0 * self.boost, (n, 1))

    # ------------------------------------------------------------------ targeted lines
    def targeted_points(self, n: int) -> np.ndarray | None:
        """Points near the bent hyperplanes of uncovered neurons, where they are visible and
        their missing inputs are active (theory §5.5: "steer lines into regions with different
        layer-(l−1) active sets")."""
        todo = [s for s in self.status.values() if not s.done]
        if not todo:
            return None
        cloud = self._cloud(4000)
        zs = self.fnet.preactivations(cloud)
        vis = self._visibility(zs)
        picks = []
        order = self.rng.permutation(len(todo))
        for st in [order[i % len(todo)] for i in range(max(n, len(todo)))][:max(n, 1)]:
            l, j = todo[st].neuron
            z = np.abs(zs[l][:, j])
            score = z / (np.median(z) + 1e-300) + 1e3 * (vis[l][:, j] == 0)
            missing = todo[st].inactive_inputs
            if l > 0 and missing:
                act = np.maximum(zs[l - 1][:, missing], 0).sum(axis=1) > 0
                score = score + 1e3 * ~act
            best = np.argsort(score)[:8]
            picks.append(cloud[int(self.rng.choice(best))])
        return np.array(picks) if picks else None

    def kink_target_points(self, lines_per_point: int = 4, max_tries: int = 3,
                           budget: float = 20.0) -> np.ndarray | None:
        """Points on the bent hyperplanes of uncovered neurons where a missing input is active,
        from region-hopping LPs (``kinktarget``; theory §5.5: "steer lines into regions with
        different layer-(l−1) active sets"), each repeated to seed several short lines.  Only
        over R^d: a box's kinks are reached by the lines through it."""
        if self.box is not None:
            return None
        if self.proposer is None:
            self.proposer = Proposer(self.fnet.Ws, self.fnet.bs, self.rng)
        picks = []
        # a time budget per call (and the search's deadline): one LP search per (neuron, input)
        stop = time.perf_counter() + budget
        if self.deadline is not None:
            stop = min(stop, self.deadline)
        todo = [st for st in self.status.values() if not st.done and st.neuron[0] > 0]
        todo.sort(key=lambda st: min(self.tried.get((st.neuron, k), 0) for k in (st.inactive_inputs or [None])[:2]))
        for st in todo:
            if time.perf_counter() > stop:
                break
            for k in (st.inactive_inputs or [None])[:2]:
                key = (st.neuron, k)
                # with no missing input the proposals (random starts) differ: allow one per vector needed
                if self.tried.get(key, 0) >= (max_tries if k is not None else max(max_tries, 2 * st.need)):
                    continue
                if time.perf_counter() > stop:
                    break
                self.tried[key] = self.tried.get(key, 0) + 1
                x = self.proposer.propose(st.neuron, k, stop)
                if x is not None:
                    picks.extend([x] * lines_per_point)
        return np.array(picks) if picks else None

    def _visibility(self, zs: list[np.ndarray]) -> list[np.ndarray]:
        """max_i |∂f_i/∂a_{l,j}| at each cloud point (float backward pass, guidance only)."""
        Ws = self.fnet.Ws
        L = len(Ws)
        delta = np.broadcast_to(np.eye(Ws[-1].shape[0]), (len(zs[0]),) + (Ws[-1].shape[0],) * 2)
        out: list = [None] * (L - 1)
        for l in range(L - 1, 0, -1):
            back = delta @ Ws[l]                      # ∂f/∂a_{l-1}
            out[l - 1] = np.abs(back).max(axis=1)
            delta = back * (zs[l - 1] > 0)[:, None, :]
        return out


_U = 2.0 ** -53


def _float_pass(fnet: FloatNet, X: np.ndarray, E: np.ndarray):
    """Forward pass with rigorous error bounds: |fl(z) − z| ≤ err (γ_k = k·u/(1 − k·u) per dot
    product of length k, plus u for the rounding of the rational weights).  Returns per-point
    packed patterns, a flag "every hidden sign certain", and the outputs with their bounds."""
    a, err = X, E
    certain = np.ones(len(X), dtype=bool)
    pats = []
    L = len(fnet.Ws)
    for l, (W, b) in enumerate(zip(fnet.Ws, fnet.bs)):
        k = W.shape[1] + 3
        g = k * _U / (1 - k * _U) + _U
        Wa = np.abs(W)
        z = a @ W.T + b
        err = (err @ Wa.T + g * (np.abs(a) @ Wa.T + np.abs(b))) * (1 + 1e-9) + 1e-300
        if l == L - 1:
            return pats, certain, z, err
        certain &= np.all(np.abs(z) > err, axis=1)
        pats.append(z > 0)
        a = np.maximum(z, 0.0)
    raise AssertionError


def _float_probe(pats, certain, Y, EY, rows, ts, neuron, output, fnet) -> str | None:
    if not all(certain[r] for r in rows):
        return "(P1)"
    k1, k2, k3, k4 = rows
    l, j = neuron
    for m, P in enumerate(pats):
        if not (np.array_equal(P[k1], P[k2]) and np.array_equal(P[k3], P[k4])):
            return "(P2)"
        diff = np.flatnonzero(P[k2] != P[k3])
        if (m == l and (len(diff) != 1 or diff[0] != j)) or (m != l and len(diff)):
            return "(P2)"
    y, e = Y[list(rows), output], EY[list(rows), output]
    s_minus = (y[1] - y[0]) / (ts[1] - ts[0])
    s_plus = (y[3] - y[2]) / (ts[3] - ts[2])
    bound = (e[0] + e[1]) / (ts[1] - ts[0]) + (e[2] + e[3]) / (ts[3] - ts[2])
    if not abs(s_plus - s_minus) > 2 * bound + 1e-12 * (abs(s_plus) + abs(s_minus)):
        return "(P3)"
    return None


def independent_rows(rows: list[list[int]], p: int, need: int) -> list[int]:
    """Indices of ≤ need rows that are linearly independent mod p (pivots of the transpose)."""
    if not rows:
        return []
    m = nmod_mat(rows, p).transpose()
    ref, rank = m.rref()
    out, col = [], 0
    ncols = m.ncols()
    for r in range(rank):
        while col < ncols and int(ref[r, col]) == 0:
            col += 1
        out.append(col)
        col += 1
    return out[:need]


def two_points(a: float, c: float) -> tuple[Fraction, Fraction]:
    """Two dyadic rationals strictly inside (a, c), near 1/3 and 2/3."""
    length = c - a
    bits = max(4, min(60, math.ceil(math.log2(12.0 / length)))) if length > 0 else 60
    u = _dyadic(a + length / 3, bits)
    v = _dyadic(a + 2 * length / 3, bits)
    return u, v


def as_fractions(v: np.ndarray) -> list[Fraction]:
    return [Fraction(float(x)) for x in v]


def search(network: Network, box: Box | None = None, seed: int = 0, deadline: float | None = None,
           max_rounds: int = 60, exact: bool = False, robust: bool = False, aim: bool = True) -> KinkResult:
    """Find a complete kink-probe certificate (Theorem 5.4) or report the uncovered neurons.

    ``aim``: when rounds stall, seed short lines at points the region-hopping LPs of
    ``kinktarget`` find on uncovered bent hyperplanes (over R^d; far kinks the random lines miss).

    ``exact``: verify candidates in exact arithmetic during the search (slower; the fallback
    when the kernel rejects a certificate assembled from float-verified probes)."""
    start = time.perf_counter()
    ks = KinkSearch(network, box, seed, deadline, exact, robust)
    w = network.widths
    per_round = int(min(256, max(8, 2 * max(w[:-1]))))
    stall = idle = 0   # rounds without a rank gain / without a newly covered neuron
    unaimed = 0        # max_rounds bounds the random/targeted rounds; aimed ones cost LPs, not lines
    for rnd in range(2 * max_rounds):
        if unaimed >= max_rounds:
            break
        if deadline is not None and time.perf_counter() > deadline:
            break
        todo = ks.wanted()
        if not todo:
            break
        before = sum(s.rank for s in ks.status.values())
        # random lines keep covering a neuron or two per round long after the easy kinks are
        # found: aim when coverage stalls, and every third round anyway
        aimed = ks.kink_target_points() if aim and (idle >= 2 or (rnd >= 3 and rnd % 3 == 0)) else None
        if aimed is not None:
            ks.round(len(aimed), aimed)                          # short lines at LP-found kinks
        elif rnd < 2 or (len(todo) > per_round // 2 and rnd % 2 == 0):
            ks.round(per_round)                                  # broad: random lines
            unaimed += 1
        else:
            ks.round(per_round, ks.targeted_points(per_round))  # short lines at uncovered kinks
            unaimed += 1
        after = sum(s.rank for s in ks.status.values())
        stall = stall + 1 if after == before else 0
        idle = idle + 1 if len(ks.wanted()) == len(todo) else 0
        if stall >= 2 and ks.box is None:
            ks.boost = min(ks.boost * 2, 2.0 ** 12)
        if stall >= 8:
            break
    if not ks.wanted():
        for attempt in range(3):
            if ks.choose_final():
                break
    return _result(ks, time.perf_counter() - start)


def _result(ks: KinkSearch, seconds: float) -> KinkResult:
    w = ks.network.widths
    complete = not ks.wanted() and len(ks.final) == w[-2] + 1
    evidence = build_evidence(ks) if complete else None
    points = sum(len(l["t"]) for l in evidence["lines"]) if evidence else 0
    return KinkResult(complete, evidence, ks.status, len(evidence["lines"]) if evidence else len(ks.lines),
                      points, len(ks.final), ks.prime, seconds, search=ks)


def build_evidence(ks: KinkSearch) -> dict:
    """The kink-probe evidence with only the points that are used (probes and final points)."""
    used: dict[int, set[Fraction]] = {}
    for n in ks.neurons:
        for pr in ks.selected[n]:
            used.setdefault(pr.line, set()).update(pr.ts)
    for m, t in ks.final:
        used.setdefault(m, set()).add(t)
    order = sorted(used)
    new_index = {m: i for i, m in enumerate(order)}
    lines, pos = [], {}
    for m in order:
        ts = sorted(used[m])
        pos[m] = {t: k for k, t in enumerate(ts)}
        line = ks.lines[m]
        lines.append({"x0": fmt_vector(line.x0), "e": fmt_vector(line.e), "t": fmt_vector(ts)})
    probes = []
    for n in ks.neurons:
        for pr in ks.selected[n]:
            probes.append([new_index[pr.line], [pos[pr.line][t] for t in pr.ts], list(n), pr.output])
    final = [[new_index[m], pos[m][t]] for m, t in ks.final]
    return {"method": "kink-probe", "prime": ks.prime, "lines": lines, "probes": probes, "final": final}
