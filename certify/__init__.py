"""certify: exact, checkable certificates about the symmetries of ReLU networks.

The Python API (``certify.equivalent``, ``certify.orbit``, ``certify.check`` …) is loaded
lazily, so that ``import certify.kernel`` — the trusted checker — pulls in nothing but the
standard library and python-flint.  See README.md for the API next to the command line.
"""
from __future__ import annotations

__version__ = "0.1.0"

_API = ("Network", "Answer", "load", "equivalent", "orbit", "check", "hidden_symmetry", "honest",
        "locally_identifiable", "functional_dimension", "prune", "zariski", "fiber", "fiber_family", "ask", "QUESTIONS")


def __getattr__(name: str):
    if name in _API:
        from . import api
        return getattr(api, name)
    raise AttributeError(f"module 'certify' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_API))
