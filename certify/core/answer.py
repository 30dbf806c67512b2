"""The answer every command returns: verdict, exit code, theorem, evidence, certificate."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..kernel import Verdict

YES, NO, BAD_INPUT, UNDECIDED, INTERNAL = 0, 1, 2, 3, 4


@dataclass
class Answer:
    """A decided (or honestly undecided) question with its evidence.

    ``code`` follows DESIGN.md: 0 yes, 1 no, 3 undecided.  ``certificate`` is the
    kernel-checked certificate (None for undecided answers or certificate-free
    verdicts such as an uncertified solver "unsat"); ``kernel`` is the kernel's verdict
    on it.
    """

    command: str
    verdict: str
    code: int
    theorem: str
    method: str
    summary: str
    details: dict[str, Any] = field(default_factory=dict)
    certificate: dict | None = None
    kernel: Verdict | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def certified(self) -> bool:
        return self.kernel is not None and self.kernel.valid

    def to_json(self) -> dict:
        out = {"command": self.command, "verdict": self.verdict, "exit_code": self.code,
               "theorem": self.theorem, "method": self.method, "summary": self.summary,
               "certified": self.certified, "evidence": self.details,
               "timings": {k: round(v, 6) for k, v in self.timings.items()}}
        if self.kernel is not None and not self.kernel.valid:
            out["kernel_rejection"] = self.kernel.reason
        return out


def undecided(command: str, method: str, summary: str, **details: Any) -> Answer:
    return Answer(command, "unknown", UNDECIDED, "none", method, summary, dict(details))
