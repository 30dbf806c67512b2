"""The trusted kernel: the only code that decides whether a certificate is valid.

It imports nothing from the rest of certify, no numpy and no solver: the standard
library (``fractions``, ``json``) and, for large exact linear algebra, python-flint.
Read it in this order: ``exact`` (numbers), ``network`` (exact evaluation), ``orbit``
(the group), ``shallow`` (canonical forms), then one module per certificate kind, and
``dispatch`` (the envelope and the dispatch to the checker of each kind).

The checkers load on first use (``check``, ``Verdict`` …), so that importing the
number parser ``certify.kernel.exact`` stays cheap.

Trusts: nothing beyond its modules; each names what it trusts.
"""
from __future__ import annotations

from .exact import InputError

__all__ = ["FORMAT", "Verdict", "check", "check_text", "InputError", "CheckFailure"]


def __getattr__(name: str):
    if name in ("FORMAT", "Verdict", "check", "check_text"):
        from . import dispatch
        return getattr(dispatch, name)
    if name == "CheckFailure":
        from .registry import CheckFailure
        return CheckFailure
    raise AttributeError(f"module 'certify.kernel' has no attribute {name!r}")
