"""The Python API: one function per question, each returning an ``Answer``.

This module is the only table from questions to engines: the command line, ``batch``,
``demo`` and ``survey`` all come through here, so defaults and checks are the same
everywhere.  Every function takes networks as ``Network`` objects, file paths (any
format ``certify.io`` reads), PyTorch ``nn.Module`` objects, or sequences of
``(weight, bias)`` pairs (lists or numpy arrays; floats are taken exactly), and returns
an :class:`certify.core.answer.Answer`: ``verdict``, ``code`` (0 yes, 1 no — always
with a kernel-checked ``certificate`` — or 3 undecided), ``theorem``, ``method``,
``summary``, ``details``, ``domain`` (where the answer holds) and ``artifacts``.

A box may be given as a list of ``(lo, hi)`` pairs, a string ``"lo:hi,…"`` or the path
of a VNN-LIB property, with the same checks as the command line (lo > hi is bad
input: ``InputError``, never "unknown").

    >>> import certify
    >>> ans = certify.equivalent("examples/S7.json", "examples/S7-witness.json")
    >>> ans.verdict, ans.certified, ans.domain.text()
    ('equivalent', True, 'R^2')
    >>> certify.check(ans.certificate).valid
    True
"""
from __future__ import annotations

import math
import os
from dataclasses import replace
from fractions import Fraction
from typing import Any, Callable, Mapping, Sequence

from .core.answer import Answer, guarded, kept
from .core.domain import BoxSpec, resolve, same_outputs, whole_space
from .core.problem import Problem, clock
from .kernel import Verdict
from .kernel.exact import InputError, rational
from .network import Network

__all__ = ["Network", "Answer", "load", "equivalent", "orbit", "hidden_symmetry", "honest",
           "locally_identifiable", "functional_dimension", "prune", "check", "zariski", "fiber", "fiber_family",
           "ask", "QUESTIONS"]

NetworkLike = Any  # Network | str | os.PathLike | torch.nn.Module | Sequence[(weight, bias)]


# --------------------------------------------------------------------------- inputs

def load(path: str | os.PathLike, assume_sequential: bool = False) -> Network:
    """Read a network: certify.network/1 JSON, or ONNX / .nnet / .npz / PyTorch by extension.

    ``assume_sequential``: read a bare PyTorch state dict as nn.Sequential(Linear, ReLU, …,
    Linear) — a state dict does not record its architecture, so this is refused otherwise.

    >>> load("examples/S7.json").widths
    (2, 3, 1)
    """
    from .io import load_any
    if assume_sequential:
        return load_any(os.fspath(path), assume_sequential=True)
    return load_any(os.fspath(path))


def as_network(x: NetworkLike, what: str = "network") -> Network:
    """A ``Network`` from any accepted spelling (see the module docstring)."""
    if isinstance(x, Network):
        return x
    if isinstance(x, (str, os.PathLike)):
        import dataclasses
        return dataclasses.replace(load(x), file=os.fspath(x))
    if type(x).__module__.startswith("torch") or hasattr(x, "state_dict") and hasattr(x, "forward"):
        from .io.torch import from_module
        return from_module(x, what)
    if isinstance(x, Mapping):  # a state dict: weights without the architecture (certify.io.torch)
        from .io.torch import from_state_dict
        return from_state_dict(x, what)  # refused: say load(path, assume_sequential=True) instead
    if isinstance(x, (list, tuple)) and x and all(isinstance(l, (list, tuple)) and len(l) == 2 for l in x):
        return Network.from_layers([(_plain_matrix(w), _plain_vector(b)) for w, b in x])
    raise InputError(what, f"expected a Network, a file path, an nn.Module or (weight, bias) pairs, "
                           f"got {type(x).__name__}")


def _plain_vector(v: Any) -> list:
    v = v.tolist() if hasattr(v, "tolist") else v
    return [float(x) if isinstance(x, float) else x for x in v]


def _plain_matrix(m: Any) -> list:
    m = m.tolist() if hasattr(m, "tolist") else m
    return [_plain_vector(row) for row in m]


def _label(x: NetworkLike, network: Network, default: str) -> str:
    if isinstance(x, (str, os.PathLike)):
        return os.fspath(x)
    return network.file or network.name or default


def _seconds(value: Any, option: str) -> float | None:
    if value is None:
        return None
    try:
        s = float(value)
    except (TypeError, ValueError):
        raise InputError(option, f"expected a number of seconds, got {value!r}") from None
    if not (s > 0 and math.isfinite(s)):
        raise InputError(option, f"expected a positive number of seconds, got {value!r}")
    return s


def _count(value: Any, option: str, zero: bool = False) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) and not hasattr(value, "__index__"):
        raise InputError(option, f"expected an integer, got {value!r}")
    n = int(value)
    if n < (0 if zero else 1):
        raise InputError(option, f"expected a {'non-negative' if zero else 'positive'} integer, got {n}")
    return n


def _positive_rational(value: Any, option: str) -> Fraction:
    if hasattr(value, "item") and not isinstance(value, (str, int, float, Fraction)):
        value = value.item()
    q = rational(value.strip() if isinstance(value, str) else value, option)
    if q <= 0:
        raise InputError(option, f"must be positive, got {q}")
    return q


def _problem(command: str, networks: dict[str, NetworkLike], box: BoxSpec, timeout: Any,
             seed: int = 0, budget: Any = None, whole: bool = False, hidden: bool = False,
             **options: Any) -> Problem:
    """Parse and check everything once: networks, the domain, the clock, counts.

    ``whole``: the question is about parameters, not a domain (orbit), so R^d0 is used
    whatever the networks declare.  ``hidden``: the question concerns hidden neurons, so a
    network without a hidden layer is bad input."""
    nets = {k: as_network(v, k) for k, v in networks.items()}
    label = _label(networks["A"], nets["A"], "the network") if len(nets) == 1 else None
    if hidden and nets["A"].depth < 2:
        raise InputError(f"{label}: layers", f"the network has no hidden layer ({command} concerns hidden neurons)")
    if len(nets) > 1:
        same_outputs(nets)
    if whole:
        resolve({k: n.replace(box=None) for k, n in nets.items()})  # input dimensions must agree
        domain = whole_space(nets["A"].widths[0], "parameters: the orbit does not depend on a domain")
    else:
        domain = resolve(nets, box, label=label)
    start, deadline = clock(_seconds(timeout, "--timeout"))
    return Problem(command, nets, domain, start, deadline, seed=int(seed),
                   budget=_count(budget, "--budget"), options=options)


# --------------------------------------------------------------------------- the questions


def _decided(decide: Callable[[Problem], Answer], p: Problem) -> Answer:
    """The engine's answer under the two rules every question shares: exit 0/1 only with a
    kernel-checked certificate (``guarded``), and an undecided answer past the deadline names
    the limit (``kept``)."""
    return guarded(kept(decide(p), p))

def equivalent(a: NetworkLike, b: NetworkLike, box: BoxSpec = None, method: str = "auto",
               timeout: float | None = None, seed: int = 0, budget: int | None = None,
               tolerance: Any = None, top1: bool = False, margin: Any = None) -> Answer:
    """Is f_A = f_B on the box (else the networks' own domain, else R^d0)?  Exact.

    Yes: a certificate (orbit, shallow canonical form, region tree); no: an exact
    counterexample x with f_A(x), f_B(x) and the gap; else undecided.  ``budget``:
    region-tree nodes (with ``tolerance``: interval evaluations); ``timeout``: total seconds.

    ``tolerance``: ε ≥ 0 (a rational, a decimal string, or one per output, as a sequence or
    "e1,e2,…") asks instead whether max over the box of |f_A,i − f_B,i| ≤ ε_i (a box is
    required).  Yes: an ``equivalent-within`` certificate; no: an exact x where the gap
    exceeds ε; undecided: the best proved upper bound and found lower bound.  ``method``:
    ``auto``, ``tree`` (one region tree on the box) or ``partition`` (box partition only).

    ``top1``: asks instead whether at every x of the box some class c is a top class of both,
    f_N,c − f_N,k ≥ ``margin`` (default 0) for N = A, B and every k ≠ c (margin 0: the sets of
    maximisers intersect; margin > 0: unique, equal argmaxes).  Yes: a ``top1-agreement``
    certificate; no: an exact x without a common top class; undecided: the certified share of
    the box volume.

    >>> ans = equivalent("examples/D-ID.json", "examples/D-ID-perturbed.json")
    >>> ans.verdict, ans.code
    ('not-equivalent', 1)
    >>> ans = equivalent("examples/D-ID.json", "examples/D-ID-perturbed.json", box="-1:1", tolerance="1/2")
    >>> ans.verdict, ans.certified
    ('equivalent-within', True)
    >>> equivalent("examples/D-ID.json", "examples/D-ID-perturbed.json", box="-1:1", tolerance="1/1000").verdict
    'not-equivalent-within'
    """
    if margin is not None and not top1:
        raise InputError("--margin", "only with --top1")
    if top1:
        if tolerance is not None:
            raise InputError("--top1", "choose one of --top1 and --tolerance")
        if method != "auto":
            raise InputError("--method", f"with --top1, only auto (got {method})")
        from .deep import top1 as agreement
        p = _problem("equiv", {"A": a, "B": b}, box, timeout, seed, budget)
        if p.box is None:
            raise InputError("--top1", f"needs a box (--box or a network domain); the domain is {p.domain.text()}")
        mu = Fraction(0) if margin is None else _tolerances(margin, 1, "--margin")[0]
        return _decided(agreement.decide, replace(p, options={"margin": mu}))
    if tolerance is not None:
        from .deep import tolerance as within
        if method not in within.METHODS:
            raise InputError("--method", f"with --tolerance, choose from {', '.join(within.METHODS)} "
                                         f"(got {method})")
        p = _problem("equiv", {"A": a, "B": b}, box, timeout, seed, budget)
        if p.box is None:
            raise InputError("--tolerance", f"needs a box (--box or a network domain); the domain is "
                                            f"{p.domain.text()}")
        p = replace(p, options={"tolerance": _tolerances(tolerance, p.a.widths[-1]), "method": method})
        return guarded(within.decide(p))
    from .deep import strategy
    p = _problem("equiv", {"A": a, "B": b}, box, timeout, seed, budget, method=method)
    return _decided(strategy.decide, p)


def _tolerances(value: Any, outputs: int, option: str = "--tolerance") -> tuple[Fraction, ...]:
    """ε_i ≥ 0, one per output: one value (broadcast) or one per output ("e1,e2,…" or a sequence)."""
    if isinstance(value, str):
        items: list = [v.strip() for v in value.split(",")]
    elif isinstance(value, (list, tuple)) or hasattr(value, "tolist") and getattr(value, "ndim", 0) > 0:
        items = list(value.tolist() if hasattr(value, "tolist") else value)
    else:
        items = [value.item() if hasattr(value, "item") else value]
    if isinstance(value, bool) or not items:
        raise InputError(option, f"expected a rational ε ≥ 0 (or one per output), got {value!r}")
    eps = tuple(rational(v, option) for v in items)
    if any(e < 0 for e in eps):
        raise InputError(option, f"must be ≥ 0, got {', '.join(str(e) for e in eps if e < 0)}")
    if len(eps) == 1:
        eps = eps * outputs
    if len(eps) != outputs:
        raise InputError(option, f"expected one tolerance or {outputs} (one per output), got {len(eps)}")
    return eps


def orbit(a: NetworkLike, b: NetworkLike, budget: int | None = None, timeout: float | None = None,
          tolerance: Any = None, box: BoxSpec = None) -> Answer:
    """Is B = g·A for a permutation of hidden neurons and positive rescalings g (§1)?

    ``budget``: search nodes of the exact matcher before answering "undecided".

    ``tolerance``: δ ≥ 0 (a rational or decimal string) asks instead whether some g has
    ‖g·A − B‖∞ ≤ δ over all weights and biases (an approximate orbit: a float32 re-export,
    an extracted copy).  Yes: g, the exact distance and an ``orbit-within`` certificate —
    with a box (``box``, else the networks' own domain) also the implied bound on
    sup |f_A − f_B| over it (Lemma 5.2); no: a proof that no g gets within δ (different
    widths, an output bias, or δ = 0 and B ∉ G·A); else undecided with the best distance.

    >>> orbit("examples/D-ID.json", "examples/D-ID-moved.json").verdict
    'in-orbit'
    >>> ans = orbit("examples/D-ID.json", "examples/D-ID-perturbed.json", tolerance="1/1000")
    >>> ans.verdict, ans.details["distance"]["exact"]
    ('orbit-within', '88/121009')
    """
    if tolerance is not None:
        from .group import approximate
        delta = _tolerances(tolerance, 1)
        p = _problem("orbit", {"A": a, "B": b}, box, timeout, budget=budget)
        return _decided(approximate.decide, replace(p, options={"tolerance": delta[0]}))
    if box is not None:
        raise InputError("--box", "only with --tolerance (the orbit does not depend on a domain)")
    from .group import orbit as group
    p = _problem("orbit", {"A": a, "B": b}, None, timeout, budget=budget, whole=True)
    return _decided(group.decide, p)


def hidden_symmetry(network: NetworkLike, box: BoxSpec = None, timeout: float | None = None,
                    search: bool = True, nested_timeout: float = 30.0, budget: int | None = None) -> Answer:
    """Does θ have a hidden symmetry (θ' with f_θ' = f_θ on the domain, θ' ∉ G·θ)?

    Yes: the witness θ' is ``answer.witness`` with its mechanism (§4); no: proved (one
    hidden layer on R^d0, Theorem 3.3); else undecided.  ``nested_timeout``: seconds for
    nested region-tree sign proofs; ``budget``: subset patterns of Theorem 3.3.

    >>> ans = hidden_symmetry("examples/D-FLIP.json")
    >>> ans.verdict, ans.witness.widths
    ('hidden-symmetry', (2, 4, 2, 1))
    """
    from .hidden import decision
    nested = _seconds(nested_timeout, "--nested-timeout") if nested_timeout else 0.0
    p = _problem("hidden", {"A": network}, box, timeout, budget=budget, hidden=True, search=search,
                 nested_seconds=nested)
    return _decided(decision.decide, p)


def honest(network: NetworkLike, budget: int | None = None, timeout: float | None = None) -> Answer:
    """Is θ in the maximal honest open set int Σ (one hidden layer, §3.4–3.7)?

    Honesty is a property of the function on R^d0: no box is taken.  ``budget``: subset
    patterns before answering "undecided".

    >>> honest("examples/S1.json").verdict
    'not-honest'
    """
    from .shallow import honesty
    p = _problem("honest", {"A": network}, None, timeout, budget=budget, hidden=True)
    return _decided(honesty.decide, p)


def locally_identifiable(network: NetworkLike, box: BoxSpec = None, radius: bool = False,
                         timeout: float | None = None, delta: Any = "1/1000", seed: int = 0) -> Answer:
    """Is every parameter near θ that realises f_θ a positive rescaling of θ (§5)?

    Yes: a kink-probe (Theorem 5.4) or dense (Theorem 5.1) rank certificate, with an
    explicit ℓ∞ radius when ``radius`` (Theorem 5.3); no: a continuous hidden symmetry with
    a witness at distance ≤ ``delta`` (``answer.witness``); else undecided.

    >>> locally_identifiable("examples/D-ID.json").verdict
    'locally-identifiable'
    """
    from .local import identifiability
    p = _problem("local", {"A": network}, box, timeout, seed, radius=bool(radius),
                 delta=_positive_rational(delta, "--delta"))
    return _decided(identifiability.decide, p)


def functional_dimension(network: NetworkLike, box: BoxSpec = None, samples: int | None = None,
                         seed: int = 0, timeout: float | None = None, points: Any = None) -> Answer:
    """The exact batch functional dimension rank DF_X on an admissible sample X (§2.3, §5):
    lower bound by a nonzero minor mod p, upper bound by exact kernel vectors; ``details``
    holds N, H, N − H, the bounds and the catalogue mechanisms explaining a deficit.

    ``points``: the sample X itself — a file (``.npy`` n × d array, ``.json`` list of points)
    or a sequence of points (numbers taken exactly); each must lie in the domain.  A point
    where some hidden pre-activation is 0 makes the answer undecided (DF_X is not defined).

    >>> functional_dimension("examples/D-ID.json").details["dimension"]
    19
    >>> functional_dimension("examples/D-ID.json", points=[[0, 0], [1, 2]]).details["points"]
    2
    """
    from .local import fdim
    p = _problem("fdim", {"A": network}, box, timeout, seed, samples=_count(samples, "--samples"))
    if points is not None:
        if samples is not None:
            raise InputError("--samples", "the sample is given by --inputs: --samples does not apply")
        p = replace(p, options={**p.options, "points": _points(points, p)})
    return _decided(fdim.decide, p)


def _points(points: Any, p: Problem) -> list[tuple[Fraction, ...]]:
    """A user's sample of input points, exactly, each checked against the input dimension and the domain."""
    from .kernel.network import in_box
    d0 = p.a.widths[0]
    if isinstance(points, (str, os.PathLike)):
        from .io.points import read_points
        where = os.fspath(points)
        xs = read_points(points, d0)
    else:
        where = "points"
        if hasattr(points, "tolist"):
            points = points.tolist()
        try:
            xs = [tuple(rational(v, f"{where}[{i}][{k}]") for k, v in enumerate(x)) for i, x in enumerate(points)]
        except TypeError:
            raise InputError(where, "expected a sequence of points (sequences of numbers)") from None
        if not xs:
            raise InputError(where, "no points")
        for i, x in enumerate(xs):
            if len(x) != d0:
                raise InputError(f"{where}[{i}]", f"expected {d0} coordinates (the input dimension), got {len(x)}")
    for i, x in enumerate(xs):
        if not in_box(x, p.box):
            raise InputError(f"{where}: [{i}]", f"the point lies outside the domain {p.domain.text()}")
    return xs


def prune(network: NetworkLike, box: BoxSpec = None, timeout: float | None = None,
          nested_timeout: float = 30.0) -> Answer:
    """Delete the hidden neurons proved dead on the domain: ``answer.artifacts["pruned"]`` is
    the smaller network (with the domain as its own), and the ``equivalent``/``pruning``
    certificate proves both networks equal there (§4 M1; the kernel replays the proofs).

    >>> ans = prune("examples/D-DEAD.json")
    >>> ans.details["removed_count"], ans.artifacts["pruned"].widths
    (1, (2, 2, 1, 1))
    """
    from . import pruning
    nested = _seconds(nested_timeout, "--nested-timeout") if nested_timeout else 0.0
    p = _problem("prune", {"A": network}, box, timeout, hidden=True, nested_seconds=nested)
    return _decided(pruning.decide, p)


def check(certificate: dict | str | os.PathLike, deadline: float | None = None) -> Verdict:
    """Re-verify a certificate (a dict, or a path to its JSON file) with the trusted kernel.

    ``deadline``: seconds before the kernel gives up (fails closed); default from its size.

    >>> check("certificates/equivalent--orbit--D-ID__D-ID-moved.json").valid
    True
    """
    from .kernel import check as kernel_check
    from .kernel import check_text
    if isinstance(certificate, dict):
        return kernel_check(certificate, **({} if deadline is None else {"deadline": deadline}))
    from .core.files import read_text
    text = read_text(certificate)
    return check_text(text, **({} if deadline is None else {"deadline": deadline}))


def zariski(architecture: str | Sequence[int]):
    """The honest set of one-hidden-layer networks d-n-m as polynomials (§3.4–3.6): the
    conditions of U_0 (Theorem 3.4) and of the strata U_1^{ij} (Theorem 3.6), in raw and in
    scaling-invariant (sphere) coordinates.  Not a yes/no question: it returns a
    ``certify.shallow.zariski.HonestSet`` (``to_text``/``to_latex``/``to_json`` print it,
    ``explain(network)`` evaluates it exactly at a network).

    >>> hs = zariski("1-2-1")
    >>> hs.raw.counts()["U0"], [c.name for c in hs.raw.conditions.values() if c.relation == "<0"]
    (8, ['O[0,0][0,1]'])
    """
    from .shallow import zariski as z
    if isinstance(architecture, str):
        d, n, m = z.parse_architecture(architecture)
    else:
        dims = list(architecture)
        if len(dims) != 3 or not all(isinstance(x, int) and not isinstance(x, bool) for x in dims):
            raise InputError("architecture", f"expected three widths d, n, m, got {architecture!r}")
        d, n, m = z.parse_architecture("-".join(map(str, dims)))
    return z.honest_set(d, n, m)


def fiber(network: NetworkLike):
    """The fiber of f_θ on R^d (one hidden layer) as a finite union of explicit families
    (Theorem 3.3, docs/fibers.md): a ``certify.shallow.fibers.Fiber`` whose ``components``
    each have a type, what moves, a dimension and — unless contained in G·θ — a sample θ'
    with a kernel-checked hidden-symmetry certificate.  Not a yes/no question.  A network
    without one hidden layer is bad input (``InputError``).

    >>> fib = fiber([([[1], [2]], [0, 0]), ([[1, 3]], [0])])   # twins: σ(x) + 3σ(2x)
    >>> fib.orbit_dim, fib.local_dim, fib.dim, [c.type for c in fib.components]
    (2, 3, 3, ['orbit', 'stratum', 'twins', 'merge'])
    >>> all(c.valid for c in fib.components if c.sample is not None)
    True
    """
    from .shallow import fibers
    net = as_network(network)
    if not net.is_shallow:
        raise InputError("layers", f"one hidden layer only (the network has {max(net.depth - 1, 0)})")
    return fibers.describe(net)


def fiber_family(name: str, ts: Sequence[Any]) -> list[dict]:
    """One record per t of the family θ(t) (``"pair"``, ``"twins"``, ``"escape"``; docs/fibers.md): fiber and
    stratum dimension, kink moment, honesty, and the kernel-checked certificates behind them.

    >>> [(r["t"], r["fiber_dim"], r["honesty"]) for r in fiber_family("twins", [0, 1])]
    [('0', 3, 'not-sigma'), ('1', 2, 'int-sigma')]
    """
    from .shallow import fibers
    if name not in fibers.FAMILIES:
        raise InputError("--family", f"unknown family {name!r} (available: {', '.join(fibers.FAMILIES)})")
    return [fibers.family_point(name, Fraction(rational(t, "t"))) for t in ts]


# --------------------------------------------------------------------------- by name

QUESTIONS: dict[str, tuple[Callable[..., Answer], int]] = {
    "equiv": (equivalent, 2), "orbit": (orbit, 2), "hidden": (hidden_symmetry, 1), "honest": (honest, 1),
    "local": (locally_identifiable, 1), "fdim": (functional_dimension, 1), "prune": (prune, 1)}


def ask(command: str, *networks: NetworkLike, **options: Any) -> Answer:
    """The question named like its command (``"equiv"``, ``"local"``, …) with its options.

    >>> ask("orbit", "examples/D-ID.json", "examples/D-ID-moved.json").code
    0
    """
    entry = QUESTIONS.get(command)
    if entry is None:
        raise InputError("COMMAND", f"unknown question {command!r} (available: {', '.join(QUESTIONS)})")
    fn, arity = entry
    if len(networks) != arity:
        raise InputError("COMMAND", f"{command} takes {arity} network(s), got {len(networks)}")
    return fn(*networks, **options)
