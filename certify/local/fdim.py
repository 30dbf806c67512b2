"""Exact batch functional dimension (theory.md §2.3, §5.2–5.3): rank DF_X over Q, with proofs.

The usual practice takes a float SVD rank with numpy's tolerance.  Here:

* lower bound r: a nonzero r × r minor of DF_X mod a random 62-bit prime (§5.3);
* upper bound u: exact rational vectors v ∉ span Ξ with DF_X·v = 0 at every point of X
  (§5.2), so that dim ker DF_X ≥ rank [Ξ; v's] = N − u.

Both are checked by the kernel (kind ``functional-dimension``).  When r = u the batch
functional dimension on X is exact.  The deficit N − H − r is explained, where possible, by
the visible (continuous) mechanisms of the catalogue (§4); a kernel vector alone is never
reported as a hidden symmetry (it certifies a symmetry of F_X, not of f).
"""
from __future__ import annotations

import random
import time
from fractions import Fraction

from flint import fmpz_mat, nmod_mat

from ..core.answer import UNDECIDED, YES, Answer, judged, timed
from ..core.problem import Problem
from ..core.certificate import claim, envelope
from .jacobian import counts, jacobian_mod_p
from ..kernel.exact import fmt_vector, int_row
from ..kernel.fdim import generator_rows
from ..kernel.forward import Line, batches, int_net
from ..kernel.local import column_scales, jacobian_rows, numerators_mod_p
from . import kinkprobe
from .kinkprobe import independent_rows, random_prime
from .identifiability import admissible, choose_sample
from ..network import Box, Network

THEOREM = "§5.3 (nonzero minor mod p) and §5.2 (exact kernel vectors outside span Ξ)"
EXACT_NULLSPACE_MAX = 600  # largest N for the exact rational kernel (upper bound)
DENSE_MAX = 3000           # largest N for the dense rank mod p (an (|X|·d_L) × N matrix)


def default_samples(network: Network) -> tuple[int, int]:
    """Spread sample sizes to try: a first one just past the rows rank N − H needs, then a
    generous one (4×) if that first sample does not reach N − H.  Each point gives d_L rows,
    and in generic position a little over (N − H)/d_L points usually reach full rank; the
    exact rank mod p grows with the number of rows, so the small sample comes first."""
    N, H = counts(network.widths)
    need = -(-(N - H) // network.widths[-1])
    return max(64, need + need // 8 + 32), max(64, 4 * need + 32)


def exact_kernel(network: Network, lines: list[Line]) -> tuple[int, list[list[Fraction]]]:
    """(rank over Q of DF_X, rational kernel vectors completing Ξ to a basis of ker DF_X)."""
    inet = int_net(network.net)
    exact = numerators_mod_p(inet, None)
    rows = []
    outs = range(network.widths[-1])
    for batch in batches(inet, lines):
        for r in range(len(batch.index)):
            rows.extend(jacobian_rows(exact, batch, r, outs, None))
    M = fmpz_mat(rows)
    basis, nullity = M.nullspace()
    N = M.ncols()
    cand = [[int(basis[i, c]) for i in range(N)] for c in range(nullity)]
    p = random_prime(random.Random(1))
    xi = [list(int_row(_dense(g, N))[0]) for g in generator_rows(network.net)]
    picked = independent_rows(xi + cand, p, len(xi) + len(cand))
    extra = [cand[i - len(xi)] for i in picked if i >= len(xi)]
    scales = column_scales(inet)
    # ker J' ∋ w ⟺ ker DF_X ∋ s ∘ w
    return N - nullity, [[Fraction(x * s) for x, s in zip(w, scales)] for w in extra]


def _dense(row: dict, n: int) -> list[Fraction]:
    v = [Fraction(0)] * n
    for c, x in row.items():
        v[c] = x
    return v


def _by_kink_blocks(network: Network, box: Box | None, result, start: float, stopped: str | None = None) -> Answer:
    """A complete kink-probe certificate proves rank DF_X = N − H on its own sample X (Theorem
    5.4), which is then the exact batch functional dimension there: no dense rank (the only
    route past DENSE_MAX, and the first one below it)."""
    from .identifiability import THEOREM_KINK, STATEMENT
    N, H = counts(network.widths)
    base = {"N": N, "H": H, "N-H": N - H}
    if not result.complete:
        reasons = [f"{list(s.neuron)}: {s.reason()}" for s in result.failures()[:5]]
        covered = len(result.status) - len(result.failures())
        why = (f"{stopped}: kink probes cover {covered} of {len(result.status)} hidden neurons" if stopped else
               f"the kink-probe blocks are incomplete ({len(result.failures())} neurons)")
        return Answer("fdim", "unknown", UNDECIDED, "none", "kink-probe",
                      f"undecided: N = {N} is beyond the dense rank (N ≤ {DENSE_MAX}) and {why}",
                      dict(base, uncovered=reasons, covered=covered, stopped=stopped is not None))
    cert = envelope("locally-identifiable", claim(STATEMENT, {"A": network}, box, radius=None), result.evidence,
                    "kink-probe", THEOREM_KINK, time.perf_counter() - start)
    details = dict(base, points=result.points, lower=N - H, upper=N - H, dimension=N - H, deficit=0,
                   kernel_vectors=0, prime=result.prime)
    answer = Answer("fdim", f"dimension {N - H}", YES, THEOREM_KINK, "kink-probe",
                    f"batch functional dimension on |X| = {result.points} points: exactly N − H = {N - H} "
                    f"(N = {N}, H = {H}; the full rank is proved by kink blocks, no dense matrix)", details)
    return judged(answer, cert)


def _mechanisms(network: Network, box: Box | None, seconds: float = 10.0) -> list[dict]:
    """The continuous catalogue findings (§4) that explain a deficit; nested sign proofs for at
    most ``seconds`` (none when ``seconds`` ≤ 0)."""
    try:
        from ..hidden import mechanisms
        found = mechanisms.detect(network, box=box, nested=seconds > 0, nested_seconds=max(seconds, 0.0))
    except Exception:  # no catalogue, or a detector failure: explain nothing rather than guess
        return []
    return [f.summary() for f in found if f.continuous]


def point_lines(points: list[tuple[Fraction, ...]]) -> list[Line]:
    """A user's sample X as one-point lines (x0 = x, e = 0, t = 0): the form of a certificate's sample."""
    return [Line(tuple(x), tuple(Fraction(0) for _ in x), (Fraction(0),)) for x in points]


def first_inadmissible(network: Network, lines: list[Line]) -> tuple[int, tuple[int, int]] | None:
    """(index of the first point, neuron [l, j]) with a zero hidden pre-activation, exactly; None if
    X is admissible (theory §1: DF_X is defined only on admissible X)."""
    from ..kernel.network import affine_maps, preactivations
    maps = affine_maps(network.net)
    flat = [(m, k) for m, line in enumerate(lines) for k in range(len(line.t))]
    for n, (m, k) in enumerate(flat):
        line = lines[m]
        x = [a + line.t[k] * e for a, e in zip(line.x0, line.e)]
        zs = preactivations(maps, x)
        for l, z in enumerate(zs[:-1]):
            for j, v in enumerate(z):
                if v == 0:
                    return n, (l, j)
    return None


def decide(p: Problem) -> Answer:
    """The batch functional dimension of θ on a sample X in the problem's domain, with a
    kernel-checked certificate.  Options: ``samples`` (|X|), ``lines`` (a given sample),
    ``points`` (a given sample of points, checked admissible).  The deadline is kept: past it the
    answer says what was proved (the bounds so far, or the kink probes' coverage)."""
    lines = p.option("lines")
    points = p.option("points")
    if points is not None:
        lines = point_lines(points)
        bad = first_inadmissible(p.a, lines)
        if bad is not None:
            n, (l, j) = bad
            answer = Answer("fdim", "unknown", UNDECIDED, "none", "minor+kernel",
                            f"undecided: sample point {n} is not admissible: neuron [{l}, {j}] has pre-activation 0 "
                            "there, so DF_X is not defined (theory §1)",
                            {"inadmissible_point": n, "neuron": [l, j], "points": len(lines)})
            answer.domain = p.domain
            return timed(answer, p.start)
    answer = _fdim(p.a, p.box, p.option("samples"), p.seed, lines, p.start, problem=p)
    answer.domain = p.domain
    return timed(answer, p.start)


def _rank_mod_p(network: Network, lines: list[Line], seed: int, full: int, expired):
    """(p, rank, row ids, rows, rref) of J' mod p on the sample, best of up to three primes."""
    rng = random.Random(seed)
    best = None
    for attempt in range(3):  # a prime dividing every maximal minor is unlucky, not impossible
        if attempt and expired():
            break
        p = random_prime(rng)
        ids, rows, _ = jacobian_mod_p(network, lines, p)
        if not rows:
            break
        ref, rank = nmod_mat(rows, p).rref()
        if best is None or rank > best[1]:
            best = (p, rank, ids, rows, ref)
        if rank == full:
            break
    return best


def _fdim(network: Network, box: Box | None, samples: int | None, seed: int, lines: list[Line] | None,
          start: float, problem: Problem | None = None) -> Answer:
    """``problem`` (optional) supplies the deadline; ``p`` below is a prime."""
    deadline = None if problem is None else problem.deadline
    expired = (lambda: False) if problem is None else problem.expired
    stopped = None if problem is None else problem.stopped()
    N, H = counts(network.widths)
    if lines is None:
        # the kink probes' points first: when Theorem 5.4's search succeeds they alone reach
        # rank N − H; a spread sample adds the other linear regions
        result = kinkprobe.search(network, box, seed=seed, max_rounds=12 if N <= DENSE_MAX else 60, deadline=deadline)
        # A complete kink-probe certificate already proves rank DF_X = N − H on its own sample
        # (Theorem 5.4), the largest rank there is: the dense rank on a bigger sample could only
        # say the same, at O(N^3) (46–73 s against 2.5 s on 8-32-32-1, bench/RESULTS.md "auto-vs-best").  With
        # --samples the user asked for a spread sample of that size, which the dense path keeps.
        if N > DENSE_MAX or (result.complete and not samples):
            return _by_kink_blocks(network, box, result, start, stopped if expired() else None)
        ks = result.search
        tries = (admissible(network, ks.lines + choose_sample(network, box, n, seed, ks, deadline=deadline))
                 for n in ((samples,) if samples else default_samples(network)))
    else:
        tries = iter([lines])
    best = None
    for sample_lines in tries:
        if expired() or not sample_lines:
            break
        found = _rank_mod_p(network, sample_lines, seed, N - H, expired)
        if found is not None and (best is None or found[1] > best[1]):
            best, lines = found, sample_lines
        if best is None or best[1] == N - H:
            break
    if best is None:
        lines = lines or []
        base = {"N": N, "H": H, "N-H": N - H, "points": sum(len(l.t) for l in lines), "stopped": expired()}
        why = f"{stopped} before the rank of DF_X was computed" if expired() else "no admissible sample point"
        return Answer("fdim", "unknown", UNDECIDED, "none", "minor+kernel", f"undecided: {why}", base)
    points = sum(len(l.t) for l in lines)
    base = {"N": N, "H": H, "N-H": N - H, "points": points}
    p, lower, ids, rows, ref = best
    cols, c = [], 0
    for r in range(lower):
        while int(ref[r, c]) == 0:
            c += 1
        cols.append(c)
        c += 1
    picked = independent_rows([[row[c] for c in cols] for row in rows], p, lower)
    vectors: list[list[Fraction]] = []
    if lower == N - H:
        upper = N - H  # rank Ξ = H when every hidden row is nonzero (admissible X guarantees it)
    elif N <= EXACT_NULLSPACE_MAX and not expired():
        rank_q, vectors = exact_kernel(network, lines)
        upper = N - len(generator_rows(network.net)) - len(vectors)
        upper = max(upper, rank_q)
    else:
        upper = N - H
    sample = [{"x0": fmt_vector(l.x0), "e": fmt_vector(l.e), "t": fmt_vector(l.t)} for l in lines]
    pos = {}
    for m, l in enumerate(lines):
        for k in range(len(l.t)):
            pos[(m, k)] = [m, k]
    ev_rows = [[pos[ids[i][0]], ids[i][1]] for i in picked]
    evidence = {"method": "minor+kernel", "prime": p, "rows": ev_rows, "columns": cols,
                "vectors": [fmt_vector(v) for v in vectors]}
    c = claim("batch-functional-dimension", {"A": network}, box, sample=sample, lower=lower, upper=upper)
    cert = envelope("functional-dimension", c, evidence, "minor+kernel", THEOREM, time.perf_counter() - start)
    deficit = N - H - upper if lower == upper else None
    details = dict(base, lower=lower, upper=upper, dimension=lower if lower == upper else None, deficit=deficit,
                   kernel_vectors=len(vectors), prime=p)
    if lower == upper and deficit and not expired():
        seconds = 10.0 if deadline is None else min(10.0, (deadline - time.perf_counter()) / 2)
        details["mechanisms"] = _mechanisms(network, box, seconds if seconds > 0.5 else 0.0)
    if lower == upper:
        text = (f"batch functional dimension on |X| = {points} points: exactly {lower} "
                f"(N = {N}, H = {H}, N − H = {N - H}, deficit {deficit})")
        code, verdict_s = YES, f"dimension {lower}"
    else:
        skipped = (f"{stopped} before the exact kernel" if expired() and N <= EXACT_NULLSPACE_MAX else
                   f"the exact kernel was not computed for N = {N}")
        text = (f"batch functional dimension on |X| = {points} points: between {lower} and {upper} "
                f"(N − H = {N - H}; {skipped})")
        code, verdict_s = UNDECIDED, "bounds"
    return judged(Answer("fdim", verdict_s, code, THEOREM, "minor+kernel", text, details), cert)
