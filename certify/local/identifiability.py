"""Local identifiability modulo scaling (theory.md §5): certify, refute, or say why not.

Strategy of ``decide_local``:

1. Kink probes (Theorem 5.4, ``kinkprobe``): per-neuron blocks, no N × N matrix; scales.
2. If some neuron has no usable kinks: a continuous hidden symmetry from the mechanism
   catalogue (§4: M1–M7, M9, M10 — ``certify.hidden.mechanisms.detect``) refutes local
   identifiability with a witness θ' ∉ G·θ, f_θ' = f_θ, ||θ' − θ||∞ ≤ δ (exit 1): first what
   interval bounds show, then nested region trees (dead / stably active deep neurons, M1/M4,
   and the M10 premise "dead wherever predecessor k is active" by a conditional tree).
3. Otherwise the fallback of §5.5 in its simplest form: the dense rank test of Theorem 5.1
   (H1–H3) on the probe lines plus extra sample lines — possible for small N only.
4. Else undecided (exit 3), with the per-neuron reasons and theory §5.2's caveat: an honest
   network may have no finite-sample certificate at all (S2).

Local is not global: a certificate says nothing about distant hidden symmetries (the discrete
flips of S3, S7, D-FLIP are ``certify hidden``'s business, §5.2).
"""
from __future__ import annotations

import time
from fractions import Fraction

from flint import nmod_mat

from ..core.answer import NO, UNDECIDED, YES, Answer, judged
from ..core.problem import Problem, stop_limit
from ..core.certificate import claim, envelope
from .jacobian import counts, jacobian_mod_p
from ..kernel.exact import fmt, fmt_vector
from ..kernel.forward import Line, batches, int_net
from .kinkprobe import KinkResult, KinkSearch, independent_rows, search, two_points, as_fractions
from .linewalk import walk
from ..network import Box, Network

THEOREM_KINK = "Theorem 5.4 (kink blocks (K1), (K2)) ⇒ Theorem 5.1 (H1–H3)"
THEOREM_DENSE = "Theorem 5.1 (H1–H3): admissible X, rank Ξ = H, a nonzero (N−H)-minor mod p"
THEOREM_RADIUS = "Theorem 5.3 with Lemma 5.2 (pivot slice, pattern stability, interval Rump test)"
DENSE_MAX = 2500  # largest N for the dense fallback (an (N−H)² minor mod p)
STATEMENT = "locally-identifiable"


def sample_lines(ks: KinkSearch, n_lines: int, per_line: int = 64) -> list[Line]:
    """Lines with two points in every piece they cross (up to ``per_line`` pieces)."""
    x0, e = ks._random_lines(n_lines)
    lo, hi = ks._ranges(x0, e)
    keep = hi > lo
    lines = []
    for w in walk(ks.fnet, x0[keep], e[keep], lo[keep], hi[keep]):
        cuts = w.cuts()
        step = max(1, (len(cuts) - 1) // per_line)
        ts = set()
        for k in range(0, len(cuts) - 1, step):
            a, c = cuts[k], cuts[k + 1]
            if c - a > 1e-9 * (abs(a) + abs(c) + 1):
                ts.update(two_points(a, c))
        if ts:
            lines.append(Line(tuple(as_fractions(w.x0)), tuple(as_fractions(w.e)), tuple(sorted(ts))))
    return lines


def choose_sample(network: Network, box: Box | None, samples: int, seed: int,
                  ks: KinkSearch | None = None, deadline: float | None = None) -> list[Line]:
    """Admissible lines with about ``samples`` points, two in every linear piece crossed (fewer
    if the ``deadline`` passes first)."""
    ks = ks if ks is not None else KinkSearch(network, box, seed)
    lines: list[Line] = []
    total, tries = 0, 0
    while total < samples and tries < 50:
        if tries and deadline is not None and time.perf_counter() > deadline:
            break
        tries += 1
        for line in sample_lines(ks, 8, per_line=max(8, samples // 8)):
            if total >= samples:
                break
            keep = line.t[: samples - total]
            lines.append(Line(line.x0, line.e, keep))
            total += len(keep)
    return admissible(network, lines)


def admissible(network: Network, lines: list[Line]) -> list[Line]:
    """Drop points with a zero hidden pre-activation (floats chose them; exact arithmetic decides)."""
    inet = int_net(network.net)
    bad: set = set()
    for batch in batches(inet, lines):
        bad.update(pt for r, pt in enumerate(batch.index) if batch.zero[r])
    out = []
    for m, line in enumerate(lines):
        ts = tuple(t for k, t in enumerate(line.t) if (m, k) not in bad)
        if ts:
            out.append(Line(line.x0, line.e, ts))
    return out


def dense_evidence(network: Network, lines: list[Line], p: int) -> tuple[dict | None, int]:
    """Theorem 5.1 evidence from the points of ``lines`` (or None), and the rank mod p found."""
    N, H = counts(network.widths)
    ids, rows, _ = jacobian_mod_p(network, lines, p)
    if len(rows) < N - H:
        return None, len(rows)
    M = nmod_mat(rows, p)
    ref, rank = M.rref()
    if rank < N - H:
        return None, rank
    cols, c = [], 0
    for r in range(rank):
        while int(ref[r, c]) == 0:
            c += 1
        cols.append(c)
        c += 1
    sub = [[row[c] for c in cols] for row in rows]
    picked = independent_rows(sub, p, N - H)
    used: dict[int, set[int]] = {}
    for i in picked:
        (m, k), _ = ids[i]
        used.setdefault(m, set()).add(k)
    order = sorted(used)
    pos = {m: {k: n for n, k in enumerate(sorted(used[m]))} for m in order}
    new_line = {m: n for n, m in enumerate(order)}
    ev_lines = [{"x0": fmt_vector(lines[m].x0), "e": fmt_vector(lines[m].e),
                 "t": fmt_vector([lines[m].t[k] for k in sorted(used[m])])} for m in order]
    ev_rows = [[[new_line[ids[i][0][0]], pos[ids[i][0][0]][ids[i][0][1]]], ids[i][1]] for i in picked]
    return {"method": "dense", "prime": p, "lines": ev_lines, "rows": ev_rows, "columns": cols}, rank


def certificate_answer(network: Network, box: Box | None, evidence: dict, method: str, theorem: str,
                       seconds: float, details: dict, radius: Fraction | None = None) -> Answer:
    c = claim(STATEMENT, {"A": network}, box, radius=None if radius is None else fmt(radius))
    cert = envelope("locally-identifiable", c, evidence, method, theorem, seconds)
    N, H = counts(network.widths)
    where = "on the box" if box is not None else "on R^d0"
    text = (f"locally identifiable modulo scaling ({where}): every θ' near θ with f_θ' = f_θ is a positive "
            f"rescaling of θ; rank DF_X = N − H = {N - H} on |X| = {details.get('points')} points")
    if radius is not None:
        text += f"; explicit radius: every such θ' with ||θ' − θ||∞ ≤ {fmt(radius)} (≈ {float(radius):.3g})"
    answer = Answer("local", "locally-identifiable", YES, theorem, method, text, details, None, None,
                    {"generate": seconds})
    return judged(answer, cert)


def _failures_json(result: KinkResult) -> list[dict]:
    return [{"neuron": list(s.neuron), "rank": s.rank, "need": s.need, "reason": s.reason()}
            for s in result.failures()]


def _witness(network: Network, box: Box | None, delta: Fraction, notes: list[str],
             deadline: float | None = None, nested: bool = True) -> Answer | None:
    """Exit 1 through the mechanism catalogue (``certify.hidden.mechanisms.detect``, theory §4).

    Only *continuous* findings refute local identifiability; each must come with a witness
    at ℓ∞ distance ≤ δ whose ``hidden-symmetry`` certificate the kernel accepts.  The
    ``deadline`` is kept: past it nothing is tried; before it, nested sign proofs get at most
    half the time left (and 10 s), and findings are certified one by one while time remains.
    ``nested=False``: interval bounds only (the cheap pass that runs before the kink search).
    """
    left = None if deadline is None else deadline - time.perf_counter()
    if left is not None and left <= 0:
        notes.append("the mechanism catalogue was not tried (no time left)")
        return None
    try:
        from ..hidden import mechanisms
    except ImportError:
        notes.append("certify.hidden.mechanisms is not available: no refutation attempted")
        return None
    start = time.perf_counter()
    if nested:  # what interval bounds show is found at once; region trees only when that fails
        quick = _witness(network, box, delta, [], deadline, nested=False)
        if quick is not None:
            return quick
    try:
        seconds = (10.0 if left is None else min(10.0, left / 2)) if nested else 0.0
        findings = mechanisms.detect(network, box=box, nested=seconds > 0.5, nested_seconds=max(seconds, 0.0),
                                     first=True)  # one continuous mechanism decides; the rest is time
    except Exception as e:  # a detector failure decides nothing
        notes.append(f"mechanism detection failed: {type(e).__name__}: {e}")
        return None
    for n, f in enumerate(findings):
        if deadline is not None and time.perf_counter() > deadline:
            notes.append(f"{len(findings) - n} catalogue finding(s) not certified (no time left)")
            return None
        if not f.continuous:
            continue
        try:
            theta2 = f.witness(delta)
            cert, verdict, check_s = f.certified(delta)
        except mechanisms.NoWitness as e:
            notes.append(str(e))
            continue
        dist = mechanisms.distance(network.net, theta2.net)
        if not verdict.valid or dist > delta:
            continue
        summary = (f"not locally identifiable: {f.mechanism} ({f.where}) gives a continuous family of hidden "
                   f"symmetries; witness θ' with f_θ' = f_θ, θ' ∉ G·θ, ||θ' − θ||∞ = {fmt(dist)} ≤ δ = {fmt(delta)}")
        details = {"mechanism": f.mechanism, "where": f.where, "distance": fmt(dist), "delta": fmt(delta),
                   "witness": theta2.to_json()}
        answer = Answer("local", "not-locally-identifiable", NO, f.theorem, f"mechanism {f.mechanism}", summary,
                        details, timings={"generate": time.perf_counter() - start - check_s})
        answer.artifacts["witness"] = theta2
        return judged(answer, cert, verdict, check_s)
    notes.append(f"{len(findings)} catalogue finding(s), none continuous with a witness" if findings
                 else "the mechanism catalogue found no hidden symmetry")
    return None


def decide(p: Problem) -> Answer:
    """Is θ locally identifiable modulo scaling (on the problem's domain)?  Exact, kernel-checked.

    Options: ``radius`` (also certify an explicit ℓ∞ radius, Theorem 5.3), ``delta`` (the
    largest distance of a refuting witness, default 1/1000), ``dense_max``."""
    answer = _decide_local(p.a, p.box, p.option("radius", False), p.deadline, p.option("delta", Fraction(1, 1000)),
                           p.seed, p.option("dense_max", DENSE_MAX), p.start)
    answer.domain = p.domain
    return answer


def _decide_local(network: Network, box: Box | None, radius: bool, deadline: float | None, delta: Fraction,
                  seed: int, dense_max: int, start: float) -> Answer:
    N, H = counts(network.widths)
    base = {"N": N, "H": H, "N-H": N - H, "widths": list(network.widths)}
    if len(network.layers) < 2:
        return Answer("local", "unknown", UNDECIDED, "none", "none",
                      "undecided: no hidden layer (an affine map is identifiable; nothing to certify here)", base)
    # A continuous mechanism that interval bounds already show (a neuron dead or stably active
    # on the box, M1/M4/M12) refutes local identifiability at once; the kink search could not
    # succeed there anyway, and under a tight --timeout it would leave no time for the catalogue.
    if box is not None:
        quick = _witness(network, box, delta, [], deadline, nested=False)
        if quick is not None:
            return quick
    result = search(network, box, seed=seed, deadline=deadline, robust=radius)
    if radius and not result.complete:  # well-conditioned probes were not found everywhere
        result = search(network, box, seed=seed, deadline=deadline)
    if result.complete:
        first = _kink_answer(network, box, result, base, radius, deadline, start)
        if first.certified or (deadline is not None and time.perf_counter() > deadline):
            return first
        # the float-verified probes did not pass the exact kernel: search again with exact checks
        result = search(network, box, seed=seed + 1, deadline=deadline, exact=True)
        if result.complete:
            return _kink_answer(network, box, result, base, radius, deadline, start)
    return _fallbacks(network, box, result, base, radius, deadline, delta, seed, dense_max, start)


def _kink_answer(network: Network, box: Box | None, result: KinkResult, base: dict, radius: bool,
                 deadline: float | None, start: float) -> Answer:
    """The kink-probe certificate (with the radius when asked), judged by the kernel."""
    details = dict(base, method="kink-probe", lines=result.lines, points=result.points,
                   probes=len(result.evidence["probes"]), prime=result.prime,
                   search_seconds=round(result.seconds, 3))
    evidence, eps = result.evidence, None
    theorem = THEOREM_KINK
    if radius:
        from .radius import find_radius
        eps, rad_ev, rad_info = find_radius(network, box, evidence, deadline=deadline)
        details["radius"] = rad_info
        if eps is not None:
            evidence = dict(evidence, radius=rad_ev)
            theorem = THEOREM_KINK + "; " + THEOREM_RADIUS
    return certificate_answer(network, box, evidence, "kink-probe", theorem, time.perf_counter() - start,
                              details, eps)


def _fallbacks(network: Network, box: Box | None, result: KinkResult, base: dict, radius: bool,
               deadline: float | None, delta: Fraction, seed: int, dense_max: int, start: float) -> Answer:
    N, H = base["N"], base["H"]
    failures = _failures_json(result)
    notes: list[str] = []
    refuted = _witness(network, box, delta, notes, deadline)
    if refuted is not None:
        refuted.details["uncovered_neurons"] = failures
        refuted.timings["search"] = result.seconds
        return refuted
    dense_rank = None
    if N <= dense_max and (deadline is None or time.perf_counter() < deadline):
        ks = result.search
        lines = choose_sample(network, box, 4 * -(-(N - H) // network.widths[-1]) + 32, seed + 1, ks, deadline)
        lines = admissible(network, lines + ks.lines)
        prime = ks.prime
        evidence, dense_rank = dense_evidence(network, lines, prime) if lines else (None, 0)
        if evidence is not None:
            points = sum(len(l["t"]) for l in evidence["lines"])
            details = dict(base, method="dense", points=points, prime=prime, uncovered_neurons=failures,
                           note="kink probes incomplete; §5.5 fallback: dense rank test of Theorem 5.1")
            if radius:
                details["radius"] = {"found": False, "reason": "the explicit radius is implemented for the kink-probe form only"}
            return certificate_answer(network, box, evidence, "dense", THEOREM_DENSE, time.perf_counter() - start,
                                      details)
    timed_out = deadline is not None and time.perf_counter() >= deadline
    covered = f"kink probes cover {len(result.status) - len(failures)} of {len(result.status)} hidden neurons"
    if timed_out:
        why = f"stopped at the {stop_limit(deadline - start)} limit: {covered}" + (
            f"; dense rank mod p on the sampled X is {dense_rank} < N − H = {N - H}" if dense_rank is not None else "")
    else:
        why = covered + (f"; dense rank mod p on the sampled X is {dense_rank} < N − H = {N - H}"
                         if dense_rank is not None else f"; N = {N} is too large for the dense fallback")
    summary = (f"undecided: no local-identifiability certificate and no continuous hidden symmetry found ({why}). "
               "A rank deficit on every tried sample is evidence, not proof: theory §5.2 shows honest networks "
               "with no finite-sample certificate at all (S1 |x|, S2).")
    details = dict(base, uncovered_neurons=failures, dense_rank_mod_p=dense_rank, mechanisms=notes,
                   covered=len(result.status) - len(failures), stopped=timed_out)
    return Answer("local", "unknown", UNDECIDED, "none", "kink-probe" if dense_rank is None else "kink-probe+dense",
                  summary, details, None, None, {"generate": time.perf_counter() - start})

