"""The Python API: one function per question, each returning an ``Answer``.

Every function takes networks as ``Network`` objects or file paths (JSON, or any format
``certify.io`` imports) and returns an :class:`certify.core.answer.Answer`: ``verdict``,
``code`` (0 yes, 1 no, 3 undecided — as the CLI's exit status), ``theorem``, ``method``,
``summary``, ``details`` and the kernel-checked ``certificate`` (a JSON-ready dict), with
``answer.certified`` telling whether the kernel accepted it.

    >>> import certify
    >>> ans = certify.equivalent("examples/S7.json", "examples/S7-witness.json")
    >>> ans.verdict, ans.certified
    ('equivalent', True)
    >>> certify.check(ans.certificate).valid
    True
"""
from __future__ import annotations

import os
from typing import Any, Sequence

from .core.answer import Answer
from .kernel import Verdict
from .kernel import check as _kernel_check
from .network import Box, Network

NetworkLike = Network | str | os.PathLike


def load(path: str | os.PathLike) -> Network:
    """Read a network: certify.network/1 JSON, or ONNX / .nnet / .npz / PyTorch by extension."""
    from .io import load_any
    return load_any(os.fspath(path))


def _net(x: NetworkLike) -> Network:
    return x if isinstance(x, Network) else load(x)


def _box(box: Sequence[tuple[Any, Any]] | None) -> Box | None:
    if box is None:
        return None
    from .kernel.exact import rational
    return tuple((rational(lo, f"box[{i}]"), rational(hi, f"box[{i}]")) for i, (lo, hi) in enumerate(box))


def equivalent(a: NetworkLike, b: NetworkLike, box: Sequence[tuple[Any, Any]] | None = None,
               method: str = "auto", **options: Any) -> Answer:
    """Is f_A = f_B on the box (or on R^d0)?  Exact; counterexample or certificate."""
    from .deep.strategy import decide
    return decide(_net(a), _net(b), _box(box), method=method, **options)


def orbit(a: NetworkLike, b: NetworkLike) -> Answer:
    """Is B = g·A for a permutation of hidden neurons and positive rescalings g?"""
    from .group.orbit import decide_orbit
    return decide_orbit(_net(a), _net(b))


def hidden_symmetry(network: NetworkLike, box: Sequence[tuple[Any, Any]] | None = None,
                    timeout: float | None = None, search: bool = True) -> Answer:
    """Does θ have a hidden symmetry?  Yes: a witness θ' (``certify.hidden.decision.witness_of``) with
    its mechanism (§4); no: proved (one hidden layer, Theorem 3.3); else undecided."""
    from .hidden.decision import decide_hidden
    return decide_hidden(_net(network), _box(box), timeout=timeout, search=search)


def honest(network: NetworkLike) -> Answer:
    """Is θ in the maximal honest open set int Σ (one hidden layer, §3.4–3.6)?"""
    from .shallow.honesty import decide_honest
    return decide_honest(_net(network))


def locally_identifiable(network: NetworkLike, box: Sequence[tuple[Any, Any]] | None = None,
                         radius: bool = False, timeout: float | None = None, delta: Any = "1/1000",
                         seed: int = 0) -> Answer:
    """Is every parameter near θ that realises f_θ a positive rescaling of θ?  Yes: a
    kink-probe (Theorem 5.4) or dense (Theorem 5.1) rank certificate, with an explicit ℓ∞
    radius when ``radius`` (Theorem 5.3); no: a continuous hidden symmetry with a witness at
    distance ≤ ``delta``; else undecided (§5.2: some honest networks have no such certificate)."""
    from .kernel.exact import rational
    from .local.identifiability import decide_local
    return decide_local(_net(network), _box(box), radius=radius, timeout=timeout,
                        delta=rational(delta, "delta"), seed=seed)


def functional_dimension(network: NetworkLike, box: Sequence[tuple[Any, Any]] | None = None,
                         samples: int | None = None, seed: int = 0) -> Answer:
    """The exact batch functional dimension rank DF_X on an admissible sample X (§2.3, §5):
    lower bound by a nonzero minor mod p, upper bound by exact kernel vectors; ``details``
    holds N, H, N − H, the bounds and the catalogue mechanisms explaining a deficit."""
    from .local.fdim import functional_dimension as fdim
    return fdim(_net(network), _box(box), samples=samples, seed=seed)


def prune(network: NetworkLike, box: Sequence[tuple[Any, Any]] | None = None,
          timeout: float = 30.0) -> tuple[Network, Answer]:
    """Delete the hidden neurons proved dead on the box (or R^d0): returns the pruned network
    (with the box as its domain) and the answer whose ``equivalent``/``pruning`` certificate
    proves both networks equal there (§4 M1; sign proofs replayed by the kernel)."""
    from .pruning import prune as _prune
    return _prune(_net(network), _box(box), nested_seconds=timeout)


def check(certificate: dict | str | os.PathLike) -> Verdict:
    """Re-verify a certificate (a dict, or a path to its JSON file) with the trusted kernel."""
    if isinstance(certificate, dict):
        return _kernel_check(certificate)
    from .core.files import read_json
    return _kernel_check(read_json(certificate))


__all__ = ["Network", "Answer", "load", "equivalent", "orbit", "hidden_symmetry", "honest",
           "locally_identifiable", "functional_dimension", "prune", "check"]
