"""Certificate envelopes (``certify.certificate/1``), atomic writing, and the kernel round trip.

Engines build a claim and its evidence; ``finish`` wraps them in the envelope and
asks the kernel to judge the result before anyone reports it.  A certificate the
kernel rejects is never reported as an answer (ground rule 1).
"""
from __future__ import annotations

import json
import os
import tempfile
import time
from typing import Any, Callable

from .. import __version__
from ..kernel import FORMAT, Verdict, check
from ..kernel.exact import fmt_vector
from ..network import Box, Network

__all__ = ["claim", "envelope", "finish", "write_atomic", "write_bytes_atomic", "dumps", "network_json", "domain_json"]


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


def finish(cert: dict) -> tuple[dict, Verdict, float]:
    """Run the kernel on a fresh certificate; returns (certificate, verdict, check seconds).

    The certificate goes through JSON text first, so the kernel sees exactly what a
    file would hold.
    """
    text = dumps(cert)
    start = time.perf_counter()
    verdict = check(json.loads(text))
    return cert, verdict, time.perf_counter() - start


def dumps(obj: Any, indent: int | None = None) -> str:
    return json.dumps(obj, indent=indent, ensure_ascii=False, default=_default)


def _default(obj: Any) -> Any:
    from fractions import Fraction
    if isinstance(obj, Fraction):
        from ..kernel.exact import fmt
        return fmt(obj)
    raise TypeError(f"cannot serialise {type(obj).__name__}")


def write_atomic(path: str | os.PathLike, obj: Any, indent: int | None = 1) -> None:
    """Write JSON so that readers see the old file or the whole new one, never half."""
    write_bytes_atomic(path, (dumps(obj, indent=indent) + "\n").encode("utf-8"))


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write any file (JSON, ONNX, a picture) atomically: a temporary file, then rename."""
    def put(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            fh.write(data)
    write_through(path, put)


def write_through(path: str | os.PathLike, write: Callable[[str], None]) -> None:
    """Let ``write(tmp)`` create the file under a temporary name in the same directory (for
    writers that insist on a path, such as pulp's LP/MPS), then rename it into place: readers
    see the old file or the whole new one, never half."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=os.path.splitext(path)[1])
    os.close(fd)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the usual mode
        write(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask

