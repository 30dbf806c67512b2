"""The problem record that every engine and tactic receives.

One object instead of six loose arguments: the networks, the resolved domain, the
clock (``start`` and an absolute ``deadline``: ``--timeout`` is always the total wall
time of the question), the seed, the budget and the question's own options.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

from ..kernel.network import Box
from .domain import Domain

__all__ = ["Problem", "clock", "report", "current_stage", "stop_limit"]

_STAGE = [""]  # what the running question is doing, for a progress line (one question at a time)


def report(text: str) -> None:
    """Say what the running question is doing now (shown by ``certify.apps.progress.Activity``)."""
    _STAGE[0] = text


def current_stage() -> str:
    return _STAGE[0]


@dataclass(frozen=True)
class Problem:
    """A question about ``networks`` ({"A": θ} or {"A": θ, "B": θ'}) on ``domain``."""

    command: str
    networks: dict[str, Any]
    domain: Domain
    start: float = field(default_factory=time.perf_counter)
    deadline: float | None = None  # absolute, on the time.perf_counter clock
    seed: int = 0
    budget: int | None = None
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def a(self):
        return self.networks["A"]

    @property
    def b(self):
        return self.networks["B"]

    @property
    def box(self) -> Box | None:
        return self.domain.box

    def option(self, name: str, default: Any = None) -> Any:
        return self.options.get(name, default)

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def remaining(self, default: float = float("inf")) -> float:
        """Seconds left before the deadline (``default`` without one), never negative."""
        if self.deadline is None:
            return default
        return max(self.deadline - time.perf_counter(), 0.0)

    def expired(self) -> bool:
        return self.deadline is not None and time.perf_counter() >= self.deadline

    @property
    def timeout(self) -> float | None:
        """The total wall time of the question in seconds (``--timeout``), or None."""
        return None if self.deadline is None else self.deadline - self.start

    def stopped(self) -> str:
        """The words an answer cut short by the deadline starts its reason with."""
        return f"stopped at the {stop_limit(self.timeout)} limit"

    def sub_deadline(self, fraction: float = 1.0, cap: float | None = None) -> float | None:
        """An absolute deadline for a sub-task: ``fraction`` of the remaining time, at most
        ``cap`` seconds (None: no limit at all)."""
        left = self.remaining(cap if cap is not None else float("inf"))
        if left == float("inf"):
            return None
        span = left * fraction if self.deadline is not None else left
        if cap is not None:
            span = min(span, cap)
        return time.perf_counter() + span

    def report(self, text: str) -> None:
        report(text)

    def with_networks(self, **networks: Any) -> "Problem":
        return replace(self, networks={**self.networks, **networks})


def stop_limit(seconds: float | None) -> str:
    """``5 s`` for a limit of 5 seconds (the wording of every "stopped at the … limit")."""
    return "time" if seconds is None else f"{seconds:.3g} s"


def clock(timeout: float | None) -> tuple[float, float | None]:
    """(start, absolute deadline) for a total ``timeout`` in seconds (None: no limit)."""
    start = time.perf_counter()
    return start, None if timeout is None else start + timeout
