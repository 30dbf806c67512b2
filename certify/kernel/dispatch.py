"""The kernel's entry point: validate the envelope, dispatch on (kind, method).

This is the only code that decides whether a certificate is valid.  It imports nothing
from the rest of certify and no solver (DESIGN.md, "Small trusted kernel").

Trusts: ``registry`` (the checkers), ``clock`` (the deadline), ``exact`` (JSON numbers), ``json``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from . import equivalence  # noqa: F401  (registers checkers)
from . import honest, moves  # noqa: F401  (hidden-symmetry, honest-shallow; issue 4)
from . import fdim, local  # noqa: F401  (locally-identifiable, functional-dimension; issue 5)
from . import regiontree  # noqa: F401  (equivalent/region-tree; issue 3)
from . import pruning  # noqa: F401  (equivalent/pruning: dead neurons removed)
from . import tolerance  # noqa: F401  (equivalent-within, not-equivalent-within; issue 13)
from . import approximate  # noqa: F401  (orbit-within, not-orbit-within; issue 13)
from . import top1  # noqa: F401  (top1-agreement, not-top1-agreement; issue 13)
from .clock import default_seconds, limit
from .exact import InputError, no_duplicate_keys
from .registry import CHECKERS, CheckFailure

FORMAT = "certify.certificate/1"
_ENVELOPE = {"format", "kind", "claim", "evidence", "generator"}
# The claim fields each kind's checker reads.  Any other field is rejected: an ignored field
# (say "radius_linf" beside "radius": null, the name theory.md §5.6 suggests) would make a
# reader believe more than the kernel verified.
_CLAIM = {"statement", "networks", "domain"}
_CLAIM_EXTRA = {"locally-identifiable": {"radius"}, "functional-dimension": {"sample", "lower", "upper"}}
_CLAIM_EXTRA.update(tolerance.CLAIM_FIELDS)
_CLAIM_EXTRA.update(approximate.CLAIM_FIELDS)
_CLAIM_EXTRA.update(top1.CLAIM_FIELDS)


@dataclass(frozen=True)
class Verdict:
    valid: bool
    kind: str
    method: str | None
    reason: str  # the failed condition, or a one-line summary of what was verified

    def __bool__(self) -> bool:
        return self.valid


def check(cert: object, deadline: float | None = None) -> Verdict:
    """Verify one certificate (a parsed JSON object) from scratch.

    ``deadline``: seconds before the check fails closed ("cannot confirm in time");
    None means the default (``clock.BASE_SECONDS``), ``math.inf`` no limit."""
    with limit(default_seconds() if deadline is None else deadline):
        return _check(cert)


def _check(cert: object) -> Verdict:
    if not isinstance(cert, dict):
        return Verdict(False, "?", None, "not a JSON object")
    kind = cert.get("kind")
    kind_s = kind if isinstance(kind, str) else "?"
    if cert.get("format") != FORMAT:
        return Verdict(False, kind_s, None, f"format: expected {FORMAT!r}")
    missing = _ENVELOPE - set(cert)
    if missing:
        return Verdict(False, kind_s, None, f"missing field {sorted(missing)[0]!r}")
    extra = set(cert) - _ENVELOPE
    if extra:
        return Verdict(False, kind_s, None, f"unknown field {sorted(extra)[0]!r}")
    claim, evidence = cert["claim"], cert["evidence"]
    if not isinstance(claim, dict) or not isinstance(evidence, dict):
        return Verdict(False, kind_s, None, "claim and evidence must be objects")
    unknown = set(claim) - _CLAIM - _CLAIM_EXTRA.get(kind_s, set())
    if unknown:
        return Verdict(False, kind_s, None, f"claim: unknown field {sorted(map(str, unknown))[0]!r}")
    method = evidence.get("method")
    if method is not None and not isinstance(method, str):  # a list/dict would not even hash
        return Verdict(False, kind_s, None, "evidence.method: expected a string")
    fn = CHECKERS.get((kind_s, method)) or (CHECKERS.get((kind_s, None)) if method is None else None)
    if fn is None:
        return Verdict(False, kind_s, method, f"unknown kind/method {kind_s!r}/{method!r}")
    try:
        fn(claim, evidence)
    except (CheckFailure, InputError) as e:
        return Verdict(False, kind_s, method, str(e))
    except RecursionError:
        return Verdict(False, kind_s, method, "certificate nested too deeply")
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, ZeroDivisionError) as e:
        # A malformed field reached code that assumed its shape: fail closed, never accept.
        return Verdict(False, kind_s, method, f"malformed certificate ({type(e).__name__}: {e})")
    return Verdict(True, kind_s, method, "valid")


def check_text(text: str, deadline: float | None = None) -> Verdict:
    """Parse and verify one certificate; the default deadline grows with the text's size."""
    if deadline is None:
        deadline = default_seconds(len(text))
    try:
        cert = json.loads(text, object_pairs_hook=no_duplicate_keys)
    except (ValueError, RecursionError) as e:  # JSONDecodeError, duplicate keys, huge integers
        return Verdict(False, "?", None, f"not JSON: {e}")
    return check(cert, deadline)
