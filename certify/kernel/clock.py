"""The kernel's wall-clock deadline: a check that runs too long fails closed.

A certificate is data an adversary may shape, and some checks cost time that grows with
what the certificate asks for (the lines of a rank certificate, the leaves of a region
tree, the branches of an orbit separation).  The producer pays for the hints; the kernel
follows them, and stops at its deadline with "cannot confirm in time".  Stopping early
never makes a false claim pass: an out-of-time check is invalid.

Checkers call ``tick()`` inside every loop whose length the certificate controls.

Trusts: ``time.perf_counter`` and ``contextvars`` (standard library).
"""
from __future__ import annotations

import math
import time
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

from .registry import CheckFailure

# Seconds allowed for one certificate: a base plus a share per megabyte of its JSON text
# (a large certificate carries many hints, each cheap to check).
BASE_SECONDS = 60.0
SECONDS_PER_MB = 30.0

_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("certify_kernel_deadline", default=None)


class OutOfTime(CheckFailure):
    """The check passed its deadline before it could confirm the certificate."""


def default_seconds(text_bytes: int = 0) -> float:
    return BASE_SECONDS + SECONDS_PER_MB * text_bytes / 1e6


@contextmanager
def limit(seconds: float) -> Iterator[None]:
    """Run the enclosed check with a deadline ``seconds`` from now (``math.inf``: no limit)."""
    token = _DEADLINE.set(None if math.isinf(seconds) else (time.perf_counter() + seconds, seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def tick() -> None:
    """Raise OutOfTime if the current check has passed its deadline."""
    entry = _DEADLINE.get()
    if entry is not None and time.perf_counter() > entry[0]:
        raise OutOfTime(f"cannot confirm in time: the check exceeded its {entry[1]:g} s deadline")
