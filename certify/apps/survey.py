"""Monte Carlo survey of an architecture (theory.md §6.4): what fraction of random parameters
are certified locally identifiable, carry a witnessed hidden symmetry, or stay undecided.

Parameters are i.i.d. from a symmetric law (Gaussian rounded to the dyadic grid 2^-16, zeros
redrawn): exact rationals, symmetric under θ ↦ −θ entrywise.  Only certified or witnessed
outcomes are counted; everything else is "undecided".  Fractions come with 95% Wilson
intervals and the per-neuron statistic with its standard error.

Checks against theory (§6.4):
* Brownlowe et al.: a layer-2 neuron is stably unactivated (dead on R^{n0}) with probability
  1/2^{n1+1} for n1 ≤ n0 and (2^{n0}+1)/4^{n0+1} for n1 = n0 + 1; stably active likewise (by
  the symmetry (row, bias) ↦ −(row, bias)).  The per-draw decision is exact (below).
* For n1 ≤ n0: P(certified) ≤ (1 − 2^{−n1})^{n2} (a dead or stably active layer-2 neuron
  is a visible hidden symmetry, so no certificate can exist).

Exact per-draw decision of "z = w·σ(W1 x + b1) + b ≤ 0 on all of R^{n0}" (this statistic is
the one place where the survey does not go through ``certify.hidden.mechanisms.detect``, which is
allowed by the issue): for n1 ≤ n0 with rank W1 = n1 the image of layer 1 is the orthant
R^{n1}_{≥0} and the sign test (w ≤ 0, b ≤ 0) is complete (§4); for rank W1 = n0 ≤ n1 every
region of the layer-1 arrangement is a pointed polyhedron, so the affine function of each
region is bounded above by 0 iff it is ≤ 0 at the region's vertices and non-increasing along
its extreme rays — all found by exact n0 × n0 solves.
"""
from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations, product
from typing import Callable, Sequence

from ..core.answer import NO, UNDECIDED, YES, Answer
from ..core.problem import stop_limit
from ..kernel.exact import InputError
from ..kernel.linalg import nullspace_q, rank_q, rref_q
from ..network import Network
from .laws import GRID, Law  # noqa: F401  (GRID: re-exported)



# --------------------------------------------------------------------------- random parameters

def parse_arch(text: str) -> list[int]:
    try:
        widths = [int(part) for part in text.split("-")]
    except ValueError:
        raise InputError("ARCH", f"expected widths like 2-3-3-1, got {text!r}") from None
    if len(widths) < 3 or any(w < 1 for w in widths):
        raise InputError("ARCH", "need at least one hidden layer and positive widths, e.g. 2-3-3-1")
    if len(widths) < 4:
        raise InputError("ARCH", "the Brownlowe statistic needs a second hidden layer, e.g. 2-3-3-1")
    return widths


def symmetric_rational(rng: random.Random) -> Fraction:
    """One draw of the default law (N(0,1) on the grid 2^-16, zeros redrawn)."""
    return Law().unit(rng)


def random_parameters(widths: Sequence[int], rng: random.Random, law: Law = Law()) -> Network:
    return law.parameters(widths, rng)


# --------------------------------------------------------------------------- exact sign decisions

def _solve(rows: list[list[Fraction]], rhs: list[Fraction]) -> list[Fraction] | None:
    """The unique solution of a square system, or None if singular."""
    ref, rank = rref_q([list(r) + [v] for r, v in zip(rows, rhs)])
    n = len(rows)
    if rank < n or any(ref[i][i] != 1 for i in range(n)):
        return None
    return [ref[i][n] for i in range(n)]


def bounded_above_by_zero(W1, b1, w, b) -> bool | None:
    """Exact: is w·σ(W1 x + b1) + b ≤ 0 for every x ∈ R^{n0}?  None if no complete test applies."""
    n1, n0 = len(W1), len(W1[0])
    r = rank_q(W1)
    if r == n1 <= n0:  # Im_1 = R^{n1}_{≥0}: the sign test is complete
        return all(v <= 0 for v in w) and b <= 0
    if r < n0:
        return None
    for signs in product((True, False), repeat=n1):
        c = [sum((w[i] * W1[i][k] for i in range(n1) if signs[i]), Fraction(0)) for k in range(n0)]
        d = sum((w[i] * b1[i] for i in range(n1) if signs[i]), Fraction(0)) + b

        def inside(x, affine=True):
            for i in range(n1):
                v = sum((W1[i][k] * x[k] for k in range(n0)), Fraction(0)) + (b1[i] if affine else 0)
                if (v < 0) if signs[i] else (v > 0):
                    return False
            return True

        vertices = []
        for T in combinations(range(n1), n0):
            x = _solve([W1[i] for i in T], [-b1[i] for i in T])
            if x is not None and inside(x):
                vertices.append(x)
        if not vertices:
            continue  # the region is empty (a non-empty pointed polyhedron has a vertex)
        if any(sum((ci * xi for ci, xi in zip(c, x)), Fraction(0)) + d > 0 for x in vertices):
            return False
        for T in combinations(range(n1), n0 - 1):
            basis = nullspace_q([W1[i] for i in T], n0) if T else [[Fraction(int(i == k)) for k in range(n0)] for i in range(n0)]
            if len(basis) != 1:
                continue
            for s in (1, -1):
                ray = [s * v for v in basis[0]]
                if inside(ray, affine=False) and sum((ci * ri for ci, ri in zip(c, ray)), Fraction(0)) > 0:
                    return False
    return True


def layer2_signs(net: Network) -> list[str | None]:
    """Per layer-2 neuron: "dead", "active" (stably), "neither", or None (no complete test)."""
    W1, b1 = net.layers[0].weight, net.layers[0].bias
    out = []
    for row, bias in zip(net.layers[1].weight, net.layers[1].bias):
        dead = bounded_above_by_zero(W1, b1, row, bias)
        active = bounded_above_by_zero(W1, b1, [-v for v in row], -bias)
        out.append(None if dead is None or active is None else "dead" if dead else "active" if active else "neither")
    return out


def brownlowe(n0: int, n1: int, law: Law = Law()) -> Fraction | None:
    """P(a layer-2 neuron is stably unactivated).  For n1 ≤ n0 the sign test is complete, so the
    value 2^-(n1+1) holds for every symmetric law without an atom at 0; the n1 = n0 + 1 value is
    Brownlowe et al.'s for isotropic Gaussian rows (``Law.isotropic_rows``), None otherwise."""
    if n1 <= n0:
        return Fraction(1, 2 ** (n1 + 1))
    if n1 == n0 + 1 and law.isotropic_rows:
        return Fraction(2 ** n0 + 1, 4 ** (n0 + 1))
    return None


# --------------------------------------------------------------------------- the survey

@dataclass
class Tally:
    trials: int = 0
    certified: int = 0
    witnessed: int = 0         # exit 1 of `certify local` (continuous symmetry with a witness)
    undecided: int = 0
    hidden: int = 0            # draws with a kernel-checked hidden-symmetry witness (any mechanism)
    mechanisms: dict = field(default_factory=dict)
    dead: list = field(default_factory=list)      # per trial: fraction of layer-2 neurons dead
    active: list = field(default_factory=list)
    sign_undecided: int = 0
    contradictions: int = 0    # certified locally yet a continuous witness exists: must stay 0
    dimensions: dict = field(default_factory=dict)  # exact functional dimension → number of draws
    fdim_undecided: int = 0
    dead_deficit: list = field(default_factory=list)  # per draw with k ≥ 1 dead layer-2 neurons: (k, dimension)


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return 0.0, 1.0
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, mid - half), min(1.0, mid + half)


def three_sigma(mean: float, n: int, p: Fraction) -> tuple[float, float, bool]:
    """(z, σ, |z| ≤ 3) for the mean of n per-draw fractions F_1, …, F_n against E F = p, with the
    theoretical standard error σ = sqrt(p(1 − p)/n) (theory.md §6.4).

    Each F is the fraction of the d_2 layer-2 neurons of one draw that are dead (or stably
    active); its neurons share layer 1, so they are not independent, but F ∈ [0, 1] gives
    F² ≤ F and hence Var F = E F² − p² ≤ p − p² = p(1 − p): σ bounds the standard error of the
    mean whatever the dependence, so a consistent survey is not flagged (the test is
    conservative).  An empirical standard error would be 0 when a rare event is never observed
    (z = ∞, a false alarm).  Degenerate theory: p = 0 (or 1) is consistent only with a mean of
    exactly 0 (or 1) — an event of probability 0 observed even once contradicts it."""
    q = float(p)
    if p <= 0 or p >= 1:
        good = mean == q
        return (0.0 if good else math.inf), 0.0, good
    if n <= 0:
        return 0.0, math.inf, True
    sigma = math.sqrt(q * (1 - q) / n)
    z = (mean - q) / sigma
    return z, sigma, abs(z) <= 3


def _mean_se(values: list[float]) -> tuple[float, float]:
    n = len(values)
    if n == 0:
        return float("nan"), float("nan")
    m = sum(values) / n
    var = sum((v - m) ** 2 for v in values) / (n - 1) if n > 1 else 0.0
    return m, math.sqrt(var / n)


@dataclass(frozen=True)
class Trial:
    """One draw of the survey: everything a worker needs (picklable plain data).  ``stop_at``
    (a ``time.time()`` value, so that it means the same in every process) is the survey's own
    deadline: no question of the draw runs past it, and a draw it cuts short is not counted."""
    widths: tuple[int, ...]
    seed: int
    index: int
    local: bool
    hidden: bool
    per_trial: float
    fdim: bool = False
    law: Law = Law()
    points: tuple | None = None
    stop_at: float | None = None

    @property
    def key(self) -> str:
        arch = "-".join(map(str, self.widths))
        key = f"survey\t{arch}\t{self.seed}\t{self.index}\t{int(self.local)}{int(self.hidden)}"
        if self.fdim:
            key += "\tfdim" + ("" if self.points is None else f":{_digest(self.points)}")
        return key + ("" if self.law.default else f"\t{self.law.spec()}")

    def seconds(self) -> float:
        """Seconds for the next question of the draw: ``per_trial``, within the survey's deadline."""
        return self.per_trial if self.stop_at is None else min(self.per_trial, self.stop_at - time.time())


def _digest(points: tuple) -> str:
    import hashlib
    text = ";".join(",".join(str(v) for v in x) for x in points)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def trial_parameters(widths: Sequence[int], seed: int, index: int, law: Law = Law()) -> Network:
    """The parameters of draw ``index``: seeded per draw, so a draw does not depend on which
    worker ran it or on the draws before it (the survey is resumable and parallel)."""
    return random_parameters(widths, random.Random(f"certify-survey:{seed}:{index}"), law)


def run_trial(trial: Trial) -> dict:
    """Run one draw; return its JSON-ready record (module-level: pickled to workers).  A draw
    that the survey's deadline cut short is marked ``"cut": true`` (its answers are incomplete)."""
    start = time.perf_counter()
    net = trial_parameters(trial.widths, trial.seed, trial.index, trial.law)
    signs = layer2_signs(net)
    record: dict = {"key": trial.key, "trial": trial.index, "layer2": signs}
    if trial.local and trial.seconds() > 0:
        from ..api import locally_identifiable
        ans = locally_identifiable(net, timeout=trial.seconds(), seed=trial.index)
        record["local"] = ("certified" if ans.code == 0 and ans.certified else
                           "witnessed" if ans.code == 1 and ans.certified else "undecided")
    if trial.fdim and trial.seconds() > 0:
        record["fdim"] = fdim_record(net, trial)
    if trial.hidden and trial.seconds() > 0:
        # an undecided `local` has already run the nested region-tree proofs (M1/M4/M10) with
        # this draw's time and found no continuous witness: running them again would double the
        # cost of exactly the slow draws, so the catalogue then runs with its exact sign tests only
        nested = 0.0 if record.get("local") == "undecided" else min(10.0, trial.seconds() / 2)
        found = _hidden_witness(net, nested)
        record["hidden"] = None if found is None else {"mechanism": found[0], "continuous": found[1]}
    if trial.stop_at is not None and time.time() >= trial.stop_at:
        record["cut"] = True
    record["seconds"] = round(time.perf_counter() - start, 6)
    return record


def fdim_record(net: Network, trial: Trial) -> dict:
    """The exact batch functional dimension of one draw (``certify.api.functional_dimension``):
    ``dimension`` when the kernel-checked bounds meet, else None with the bounds it had."""
    from ..api import functional_dimension
    ans = functional_dimension(net, seed=trial.index, timeout=trial.seconds(),
                               points=None if trial.points is None else list(trial.points))
    d = ans.details
    exact = ans.code == 0 and ans.certified and d.get("dimension") is not None
    return {"dimension": d["dimension"] if exact else None, "N-H": d.get("N-H"),
            "bounds": [d.get("lower"), d.get("upper")] if ans.certified else None, "points": d.get("points")}


def tally(records: Sequence[dict], widths: Sequence[int] | None = None) -> Tally:
    """Aggregate per-draw records (from this run and, when resuming, from earlier ones)."""
    t = Tally()
    for r in records:
        t.trials += 1
        signs = r["layer2"]
        if any(s is None for s in signs):
            t.sign_undecided += 1
        else:
            t.dead.append(sum(s == "dead" for s in signs) / len(signs))
            t.active.append(sum(s == "active" for s in signs) / len(signs))
        outcome = r.get("local")
        t.certified += outcome == "certified"
        t.witnessed += outcome == "witnessed"
        t.undecided += outcome == "undecided"
        found = r.get("hidden")
        if found:
            t.hidden += 1
            t.mechanisms[found["mechanism"]] = t.mechanisms.get(found["mechanism"], 0) + 1
            t.contradictions += outcome == "certified" and found["continuous"]
        fd = r.get("fdim")
        if fd is not None:
            if fd["dimension"] is None:
                t.fdim_undecided += 1
            else:
                t.dimensions[fd["dimension"]] = t.dimensions.get(fd["dimension"], 0) + 1
                k = sum(s == "dead" for s in signs)
                if k:
                    t.dead_deficit.append((k, fd["dimension"]))
    return t


def run_survey(widths: Sequence[int], trials: int, seed: int = 0, local: bool = True, hidden: bool = True,
               timeout: float | None = None, per_trial: float = 30.0, out: str | None = None,
               workers: int | None = 1, scheduler: str | None = None,
               on_result: Callable[[dict], None] | None = None, fdim: bool = True, law: Law = Law(),
               points: Sequence[Sequence[Fraction]] | None = None) -> Answer:
    """Run ``trials`` draws on a local process pool (``workers``) or a Dask cluster
    (``scheduler``).  With ``out``, each draw is appended to a JSONL file as it finishes and a
    rerun skips the draws already there (resumable); the report covers all recorded draws.

    ``fdim``: the exact batch functional dimension of every draw (on ``points``, a sample given
    by the user, else on the engine's own sample); ``law``: the parameter law (``laws.Law``).
    ``timeout`` (sequential runs only) is the survey's total wall time: no new draw starts after
    it, every question of a running draw stops at it, a draw it cuts short is neither counted nor
    recorded (a resumed run redoes it), and the answer says how many draws it had (exit 3)."""
    from .batch import append_records, read_records
    from .parallel import run_all
    start = time.perf_counter()
    stop_at = None if timeout is None else time.time() + timeout
    pts = None if points is None else tuple(tuple(x) for x in points)
    jobs = [Trial(tuple(widths), seed, i, local, hidden, per_trial, fdim, law, pts, stop_at) for i in range(trials)]
    wanted = {j.key for j in jobs}
    earlier = [r for r in read_records(out) if r.get("key") in wanted] if out else []
    done = {r["key"] for r in earlier}
    todo = [j for j in jobs if j.key not in done]
    if timeout is not None:
        todo = _until(todo, start, timeout)
    records = list(earlier)
    cut: list[int] = []

    def record(rec: dict) -> None:
        records.append(rec)
        if on_result:
            on_result(rec)

    def complete(results):
        for rec in results:
            if rec.get("cut"):
                cut.append(rec["trial"])
            else:
                yield rec
    results = complete(rec for _, rec in run_all(run_trial, todo, workers=workers, scheduler=scheduler))
    if out:
        append_records(out, results, record)
    else:
        for rec in results:
            record(rec)
    records.sort(key=lambda r: r["trial"])
    stopped = None
    if len(records) < trials:
        stopped = (f"stopped at the {stop_limit(timeout)} limit: {len(records)} of {trials} draws done"
                   + (f" ({len(cut)} cut short, not counted)" if cut else ""))
    return _report(widths, tally(records), local, hidden, seed, time.perf_counter() - start,
                   fdim=fdim, law=law, points=None if pts is None else len(pts), stopped=stopped)


def _until(jobs: list[Trial], start: float, timeout: float):
    """The jobs, lazily, until ``timeout`` seconds have passed since ``start``."""
    for job in jobs:
        if time.perf_counter() - start > timeout:
            return
        yield job


def _hidden_witness(net: Network, nested_seconds: float = 10.0) -> tuple[str, bool] | None:
    """(mechanism, continuous) of the first catalogue finding whose witness the kernel accepts
    (continuous findings first: they are the ones a local certificate excludes)."""
    try:
        from ..hidden import mechanisms
        findings = mechanisms.detect(net, nested=nested_seconds > 0.5, nested_seconds=max(nested_seconds, 0.0),
                                     first=True)
    except Exception:
        return None
    for f in sorted(findings, key=lambda f: not f.continuous):
        try:
            _, verdict, _ = f.certified()
        except Exception:
            continue
        if verdict.valid:
            return f.mechanism, f.continuous
    return None


def dead_deficit_bound(widths: Sequence[int], k: int) -> int:
    """An upper bound on rank DF_X (any admissible X) when k layer-2 neurons are dead on R^{d0}.

    Proof: a dead neuron j (z_j < 0 at every point of an admissible X) contributes nothing to
    f near θ, so DF_X vanishes on its d_1 + 1 incoming and d_3 outgoing coordinates (the sets of
    distinct neurons are disjoint).  Its generator ξ_j lies in their span; every other ξ has its
    own nonzero bias coordinate (the survey's laws have no zeros) outside them, so these
    coordinates and the other H − k generators span k(d_1 + 1 + d_3) + H − k dimensions of
    ker DF_X: rank DF_X ≤ N − H − k(d_1 + d_3) (theory.md §1, §2.3; §4 M1)."""
    N = sum(b * (a + 1) for a, b in zip(widths, widths[1:]))
    H = sum(widths[1:-1])
    return N - H - k * (widths[1] + widths[3])


def _report(widths, t: Tally, local: bool, hidden: bool, seed: int, seconds: float, fdim: bool = False,
            law: Law = Law(), points: int | None = None, stopped: str | None = None) -> Answer:
    n0, n1 = widths[0], widths[1]
    n2 = widths[2]
    theory = brownlowe(n0, n1, law)
    dead_m, dead_se = _mean_se(t.dead)
    act_m, act_se = _mean_se(t.active)
    checks, ok = [], True

    def within(mean, se, value, what, n):
        nonlocal ok
        if value is None or math.isnan(mean):
            return
        z, sigma, good = three_sigma(mean, n, value)
        ok &= good
        checks.append({"check": what, "estimate": round(mean, 5), "se": round(sigma, 5),
                       "se_empirical": round(se, 5), "theory": str(value),
                       "z": None if math.isinf(z) else round(z, 2), "within_3_sigma": good})

    within(dead_m, dead_se, theory, "layer-2 neuron stably unactivated (Brownlowe et al.)", len(t.dead))
    within(act_m, act_se, theory, "layer-2 neuron stably active (symmetry of the law)", len(t.active))
    details: dict = {"architecture": list(widths), "trials": t.trials, "seed": seed,
                     "law": law.text(), "law_name": law.name, "bias_scale": str(law.bias_scale),
                     "layer2_dead": {"mean": dead_m, "se": dead_se, "theory": None if theory is None else str(theory)},
                     "layer2_active": {"mean": act_m, "se": act_se},
                     "sign_tests_undecided": t.sign_undecided, "checks": checks}
    if local:
        lo, hi = wilson(t.certified, t.trials)
        details["certified"] = {"count": t.certified, "fraction": t.certified / max(1, t.trials), "ci95": [lo, hi]}
        details["witnessed_not_identifiable"] = {"count": t.witnessed, "fraction": t.witnessed / max(1, t.trials),
                                                 "ci95": list(wilson(t.witnessed, t.trials))}
        details["undecided"] = {"count": t.undecided, "fraction": t.undecided / max(1, t.trials)}
        if n1 <= n0:
            bound = (1 - 2.0 ** -n1) ** n2
            p = t.certified / max(1, t.trials)
            se = math.sqrt(max(bound * (1 - bound), 1e-12) / max(1, t.trials))
            good = p <= bound + 3 * se
            ok &= good
            checks.append({"check": "P(certified) ≤ (1 − 2^−n1)^n2", "estimate": round(p, 5),
                           "bound": round(bound, 5), "within_3_sigma": good})
    if local and hidden:
        good = t.contradictions == 0
        ok &= good
        checks.append({"check": "no draw is both certified and continuously non-identifiable",
                       "estimate": t.contradictions, "bound": 0, "within_3_sigma": good})
    if hidden:
        details["hidden_symmetry_witnessed"] = {"count": t.hidden, "fraction": t.hidden / max(1, t.trials),
                                                "ci95": list(wilson(t.hidden, t.trials)), "by_mechanism": t.mechanisms}
    full = dead_deficit_bound(widths, 0)
    if fdim:
        histogram = {str(d): t.dimensions[d] for d in sorted(t.dimensions, reverse=True)}
        details["functional_dimension"] = {
            "N-H": full, "histogram": histogram, "undecided": t.fdim_undecided,
            "deficit_histogram": {str(full - d): t.dimensions[d] for d in sorted(t.dimensions, reverse=True)},
            "sample": "the engine's own (kink probes and spread lines)" if points is None else
                      f"the user's {points} points"}
        bad = [(k, d) for k, d in t.dead_deficit if d > dead_deficit_bound(widths, k)]
        good = not bad
        ok &= good
        checks.append({"check": "draws with k dead layer-2 neurons and rank DF_X > N − H − k(d1 + d3)",
                       "estimate": len(bad), "bound": 0, "draws_checked": len(t.dead_deficit),
                       "violations": bad, "within_3_sigma": good})
    arch = "-".join(map(str, widths))
    parts = [f"{t.trials} draws of {arch}"]
    if not math.isnan(dead_m):
        parts.append(f"layer-2 dead {dead_m:.4f} ± {dead_se:.4f}" + (f" (theory {float(theory):.4f})" if theory else ""))
    if local:
        parts.append(f"certified {t.certified}, not identifiable (witness) {t.witnessed}, undecided {t.undecided}")
    if hidden:
        parts.append(f"hidden symmetry witnessed {t.hidden}")
    if fdim:
        hist = ", ".join(f"{d} ×{c}" for d, c in details["functional_dimension"]["histogram"].items())
        parts.append(f"functional dimension (N − H = {full}): {hist or 'none exact'}"
                     + (f", undecided {t.fdim_undecided}" if t.fdim_undecided else ""))
    summary = "survey: " + "; ".join(parts) + ("" if ok else " — a statistic contradicts theory §6.4 beyond 3σ")
    if stopped:
        details["stopped"] = stopped
        summary = f"{stopped}; {summary}"
    if stopped and ok:  # fewer draws than asked: the statistics so far, undecided (a contradiction still counts)
        return Answer("survey", "stopped", UNDECIDED, "§6.4 (Brownlowe et al.; P(certified) bound)", "monte-carlo",
                      summary, details, None, None, {"total": seconds})
    return Answer("survey", "consistent" if ok else "inconsistent", YES if ok else NO,
                  "§6.4 (Brownlowe et al.; P(certified) bound)", "monte-carlo", summary, details, None, None,
                  {"total": seconds})
