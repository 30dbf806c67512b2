"""Certificate envelopes (``certify.certificate/1``) and the kernel round trip.

Engines build a claim and its evidence; ``finish`` wraps them in the envelope and
asks the kernel to judge the result before anyone reports it.  A certificate the
kernel rejects is never reported as an answer (ground rule 1).
"""
from __future__ import annotations

import json
import time
from typing import Any

from .. import __version__
from ..kernel import FORMAT, Verdict, check
from ..kernel.exact import fmt_vector
from ..network import Box, Network
from .files import dumps

__all__ = ["claim", "envelope", "finish", "network_json", "domain_json"]


def network_json(network: Network) -> dict:
    """The network as embedded in a claim: the claim's domain is the one that counts."""
    obj = network.to_json()
    obj.pop("domain", None)
    return obj


def domain_json(box: Box | None) -> dict | None:
    return None if box is None else {"box": [fmt_vector(iv) for iv in box]}


def claim(statement: str, networks: dict[str, Network], box: Box | None, **extra: Any) -> dict:
    out = {"statement": statement, "networks": {k: network_json(v) for k, v in networks.items()},
           "domain": domain_json(box)}
    out.update(extra)
    return out


def envelope(kind: str, claim_obj: dict, evidence: dict, method: str, theorem: str,
             seconds: float) -> dict:
    return {"format": FORMAT, "kind": kind, "claim": claim_obj, "evidence": evidence,
            "generator": {"name": "certify", "version": __version__, "method": method,
                          "theorem": theorem, "seconds": round(seconds, 6),
                          "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}}


def finish(cert: dict, deadline: float | None = None) -> tuple[dict, Verdict, float]:
    """Run the kernel on a fresh certificate; returns (certificate, verdict, check seconds).

    The certificate goes through JSON text first, so the kernel sees exactly what a
    file would hold.  ``deadline``: the kernel's seconds (None: its default).
    """
    text = dumps(cert)
    start = time.perf_counter()
    verdict = check(json.loads(text), deadline)
    return cert, verdict, time.perf_counter() - start
