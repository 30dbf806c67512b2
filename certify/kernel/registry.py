"""Registry of certificate checkers: (kind, method) ↦ function(claim, evidence, ctx).

Each kernel module registers the kinds it checks; ``check.py`` dispatches.  A checker
returns None when the certificate is valid and raises ``CheckFailure`` naming the
failed condition otherwise.

Trusts: nothing.
"""
from __future__ import annotations

from typing import Callable

CHECKERS: dict[tuple[str, str | None], Callable] = {}


class CheckFailure(Exception):
    """A certificate condition failed; the message names it."""


def checker(kind: str, method: str | None = None) -> Callable[[Callable], Callable]:
    def register(fn: Callable) -> Callable:
        CHECKERS[(kind, method)] = fn
        return fn
    return register


def require(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailure(message)
