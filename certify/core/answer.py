"""The answer every question returns: verdict, exit code, theorem, evidence, certificate.

Exit codes (DESIGN.md): 0 yes and 1 no — each with a certificate the kernel accepted —,
2 bad input, 3 undecided, 4 an internal error (a bug, never an answer).

Two rules live here and nowhere else:

* ``judged``: the kernel judges an engine's certificate; if it rejects it, the answer is
  "unknown" (exit 3) and neither the certificate nor any artifact is kept — an engine
  bug must never become an answer;
* ``guarded``: an answer that says yes or no without a kernel-checked certificate (a
  solver's "unsat", say) is reported as undecided, exit 3, with what the solver said.
"""
from __future__ import annotations

import time
from fractions import Fraction
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..kernel import Verdict

if TYPE_CHECKING:
    from .domain import Domain

YES, NO, BAD_INPUT, UNDECIDED, INTERNAL = 0, 1, 2, 3, 4

__all__ = ["Answer", "YES", "NO", "BAD_INPUT", "UNDECIDED", "INTERNAL", "undecided", "judged", "guarded"]


@dataclass
class Answer:
    """A decided (or honestly undecided) question with its evidence.

    ``certificate`` is the kernel-checked certificate (None when undecided); ``kernel``
    is the kernel's verdict on it; ``domain`` says where the answer holds; ``artifacts``
    holds what the question produced besides the certificate (``"witness"``: the network
    θ' of a hidden symmetry; ``"pruned"``: the pruned network), as ``Network`` objects.
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
    domain: "Domain | None" = None
    artifacts: dict[str, Any] = field(default_factory=dict)

    @property
    def certified(self) -> bool:
        return self.kernel is not None and self.kernel.valid and self.certificate is not None

    @property
    def witness(self):
        """The hidden-symmetry witness θ' (a Network), or None."""
        return self.artifacts.get("witness")

    @property
    def counterexample(self) -> "tuple[Fraction, ...] | None":
        """The exact point x of a ``not-equivalent`` answer, as Fractions (None otherwise)."""
        x = self.details.get("x") if self.verdict in ("not-equivalent", "not-equivalent-within",
                                                                      "not-top1-agreement") else None
        return None if x is None else tuple(Fraction(v) for v in x)

    @property
    def counterexample_floats(self) -> "tuple[float, ...] | None":
        """The same point as the nearest floats (for other tools; the exact point is the evidence)."""
        x = self.counterexample
        return None if x is None else tuple(float(v) for v in x)

    def to_json(self) -> dict:
        out = {"command": self.command, "verdict": self.verdict, "exit_code": self.code,
               "theorem": self.theorem, "method": self.method, "summary": self.summary,
               "certified": self.certified,
               "domain": None if self.domain is None else self.domain.to_json(),
               "evidence": self.details,
               "timings": {k: round(v, 6) for k, v in self.timings.items()}}
        if self.kernel is not None and not self.kernel.valid:
            out["kernel_rejection"] = self.kernel.reason
        return out


def undecided(command: str, method: str, summary: str, **details: Any) -> Answer:
    return Answer(command, "unknown", UNDECIDED, "none", method, summary, dict(details))


def judged(answer: Answer, cert: dict, verdict: Verdict | None = None, seconds: float = 0.0,
           deadline: float | None = None) -> Answer:
    """Let the kernel judge ``cert`` for ``answer``; a rejection makes the answer unknown.

    Records the kernel's verdict and its time (``timings["kernel"]``).  On rejection the
    code becomes 3, the summary says why, and the certificate and artifacts are dropped.
    A search that had to ask the kernel already (the first of many candidates it accepts)
    passes that ``verdict`` and its ``seconds`` instead of a second check.  ``deadline``: the
    kernel's seconds (None: its default)."""
    if verdict is None:
        from .certificate import finish
        checked, verdict, seconds = finish(cert, deadline)
    else:
        checked = cert
    answer.kernel = verdict
    answer.timings["kernel"] = seconds
    if verdict.valid:
        answer.certificate = checked
        return answer
    answer.verdict, answer.code, answer.certificate = "unknown", UNDECIDED, None
    answer.artifacts = {}
    answer.summary = f"undecided: the kernel rejected the {answer.method} certificate ({verdict.reason})"
    return answer


def guarded(answer: Answer) -> Answer:
    """Exit 0 and 1 mean a kernel-checked certificate: demote anything else to exit 3."""
    if answer.code in (YES, NO) and not answer.certified:
        said = answer.verdict
        answer.details = dict(answer.details, uncertified_verdict=said)
        answer.verdict, answer.code = "unknown", UNDECIDED
        answer.summary = f"undecided (uncertified: {answer.summary})"
        answer.artifacts = {}
    return answer


def kept(answer: Answer, problem: Any) -> Answer:
    """An undecided answer given after the problem's deadline says so: its summary names the
    limit ("undecided: stopped at the 5 s limit: …", unless the engine already said what it had
    when it stopped) and ``details["stopped"]`` is True.  Decided answers are left alone."""
    if answer.code != UNDECIDED or not problem.expired():
        return answer
    answer.details = dict(answer.details, stopped=True)
    if "stopped at the" not in answer.summary:
        rest = answer.summary.removeprefix("undecided: ").removeprefix("undecided")
        answer.summary = f"undecided: {problem.stopped()}" + (f": {rest.lstrip(': ')}" if rest.strip() else "")
    return answer


def timed(answer: Answer, start: float) -> Answer:
    """Set ``timings["generate"]`` to the time since ``start`` minus the kernel's share."""
    total = time.perf_counter() - start
    answer.timings["generate"] = max(total - answer.timings.get("kernel", 0.0), 0.0)
    return answer
