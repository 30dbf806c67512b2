"""certify check PATH...: re-verify certificates with the trusted kernel.

Exit 0: every certificate valid; 1: some certificate invalid; 2: some file unreadable
(missing, not JSON) or no certificate found.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time

from ..core.answer import BAD_INPUT, NO, YES
from ..core.files import dumps
from ..kernel import check
from ..kernel.exact import InputError
from ..core.files import read_json
from ..apps.progress import Progress
from .output import add_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="re-verify certificates (files or directories) with the kernel",
                       description="Re-verify certificates from scratch with the trusted kernel. "
                       "Directories are searched recursively for *.json.")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--bind", action="append", default=[], metavar="NAME=FILE",
                   help="also require that network NAME (A or B) of each certificate is exactly the network "
                        "in FILE (weights and biases; any format certify reads).  Use it in CI so that a "
                        "proof stays about the files you ship (see docs/ci.md).")
    add_json(p)
    p.set_defaults(run=run)


def certificate_files(paths: list[str]) -> list[str]:
    files = []
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, names in os.walk(path):
                dirs.sort()
                files += [os.path.join(root, n) for n in sorted(names) if n.endswith(".json")]
        else:
            files.append(path)
    return files


def bindings(specs: list[str]) -> dict[str, tuple[str, tuple]]:
    """``NAME=FILE`` options -> {NAME: (FILE, exact layers of FILE)}."""
    from ..io import load_any
    out = {}
    for spec in specs:
        name, sep, path = spec.partition("=")
        if not sep or name not in ("A", "B") or not path:
            raise InputError("--bind", f"expected A=FILE or B=FILE, got {spec!r}")
        out[name] = (path, load_any(path).layers)
    return out


def binding_failure(cert: dict, bound: dict[str, tuple[str, tuple]]) -> str | None:
    """Why the certificate is not about the bound files, or None.  The comparison is on the
    kernel's own parse of the claim, so it sees exactly the numbers the kernel checked."""
    from ..kernel.network import parse_net
    nets = cert.get("claim", {}).get("networks", {}) if isinstance(cert.get("claim"), dict) else {}
    for name, (path, layers) in bound.items():
        if not isinstance(nets, dict) or name not in nets:
            return f"the claim has no network {name} (--bind {name}={path})"
        try:
            claimed = parse_net(nets[name], f"claim.networks.{name}").layers
        except InputError as e:
            return str(e)
        if tuple(claimed) != tuple(layers):
            return f"network {name} of the claim differs from {path} (--bind)"
    return None


def claim_summary(cert: dict) -> dict:
    """What a valid certificate proves, for logs: the statement, the domain, and per network
    its name, widths and a SHA-256 digest of its exact layers (the same digest for the same
    weights in any certificate; to compare with a file, use --bind)."""
    import hashlib
    import json

    from ..kernel.network import parse_net
    claim = cert["claim"]
    nets = {}
    for name, obj in claim["networks"].items():
        net = parse_net(obj, f"claim.networks.{name}")
        layers = [[[str(q) for q in row] for row in l.weight] + [[str(q) for q in l.bias]] for l in net.layers]
        digest = hashlib.sha256(json.dumps(layers, separators=(",", ":")).encode()).hexdigest()
        nets[name] = {"name": obj.get("name"), "widths": list(net.widths), "sha256": digest}
    return {"statement": claim["statement"], "domain": claim.get("domain"), "networks": nets}


def run(args: argparse.Namespace) -> int:
    bound = bindings(args.bind)
    files = certificate_files(args.paths)
    results, unreadable, invalid = [], 0, 0
    with Progress(len(files), "checking") as bar:
        for path in files:
            start = time.perf_counter()
            try:
                cert = read_json(path)
            except InputError as e:
                unreadable += 1
                results.append({"file": path, "valid": False, "error": e.message})
                if not args.json:
                    print(f"UNREADABLE  {path}: {e.message}", file=sys.stderr)
                bar.advance()
                continue
            verdict = check(cert)
            if verdict.valid and bound:
                why = binding_failure(cert, bound)
                if why is not None:
                    verdict = dataclasses.replace(verdict, valid=False, reason=why)
            seconds = time.perf_counter() - start
            invalid += not verdict.valid
            label = verdict.kind + (f"/{verdict.method}" if verdict.method else "")
            results.append({"file": path, "valid": verdict.valid, "kind": verdict.kind,
                            "method": verdict.method, "reason": verdict.reason, "seconds": round(seconds, 6),
                            **(claim_summary(cert) if verdict.valid and args.json else {})})
            if not args.json:
                bar.clear()
                if verdict.valid:
                    print(f"valid    {path}  ({label}, {seconds:.3f} s)")
                else:
                    print(f"INVALID  {path}  ({label}): {verdict.reason}")
            bar.advance()
    if not files:
        print("certify: check: no certificate files found", file=sys.stderr)
    code = BAD_INPUT if unreadable or not files else (NO if invalid else YES)
    if args.json:
        print(dumps({"command": "check", "exit_code": code, "files": len(files), "invalid": invalid,
                     "unreadable": unreadable, "results": results}))
    elif files:
        print(f"{len(files) - invalid - unreadable} valid, {invalid} invalid, {unreadable} unreadable")
    return code
