"""certify check PATH...: re-verify certificates with the trusted kernel.

Exit 0: every certificate valid (and, with --bind/--expect, about the given files, with the
expected statement and domain); 1: some certificate invalid or not what was expected;
2: some file unreadable (missing, not JSON), bad options, or no certificate found.

Only the standard library and python-flint are needed (no numpy): certificates are
checked on machines that have nothing else installed.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time

from .options import add_json

# The statement of each certificate kind (a statement names its kind).
STATEMENTS = {"not-equivalent": "not-equivalent", "equivalent": "equivalent", "in-orbit": "orbit",
              "not-in-orbit": "orbit", "hidden-symmetry": "hidden-symmetry", "in-sigma": "honest-shallow",
              "in-int-sigma": "honest-shallow", "not-in-int-sigma": "honest-shallow",
              "locally-identifiable": "locally-identifiable",
              "batch-functional-dimension": "functional-dimension",
              "equivalent-within": "equivalent-within", "not-equivalent-within": "not-equivalent-within",
              "top1-agreement": "top1-agreement", "not-top1-agreement": "not-top1-agreement"}
WHOLE = ("whole", "R^d", "Rd", "R")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="re-verify certificates (files or directories) with the kernel",
                       description="Re-verify certificates from scratch with the trusted kernel. "
                       "Directories are searched recursively for *.json.  In CI, pin what the proof must say: "
                       "--bind the networks, --expect the statement and --expect-domain the domain "
                       "(see docs/ci.md).")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--bind", action="append", default=[], metavar="NAME=FILE",
                   help="require that network NAME (A or B) of each certificate is exactly the network in FILE "
                        "(weights and biases; any format certify reads).  Needs --expect and --expect-domain, so "
                        "that a weaker claim about the same files cannot pass.")
    p.add_argument("--expect", metavar="STATEMENT", choices=sorted(STATEMENTS),
                   help="require this claim statement (and so its kind): " + ", ".join(sorted(STATEMENTS)))
    p.add_argument("--expect-domain", metavar="BOX|whole",
                   help="require this domain: LO:HI[,LO:HI...] (or a VNN-LIB file), or 'whole' for R^d0.  It "
                        "must equal the claim's domain, except that an 'equivalent' claim on a larger domain "
                        "(or on R^d0) also proves equality on the expected box")
    p.add_argument("--expect-tolerance", metavar="EPS[,EPS...]",
                   help="with --expect equivalent-within (required there): the claim's tolerance must be at most "
                        "EPS (one value, or one per output); an exact 'equivalent' claim also passes")
    p.add_argument("--deadline", type=float, metavar="S",
                   help="seconds the kernel may spend on one certificate before it fails closed (default: 60 s "
                        "plus 30 s per MB of certificate)")
    add_json(p, "per certificate: validity, kind, method, reason, seconds and, for valid ones, the statement, "
                "domain and a SHA-256 digest of each network")
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
    from ..kernel.exact import InputError
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
    from ..kernel.exact import InputError
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


def expectation_failure(cert: dict, statement: str | None, domain_spec: str | None,
                        tolerance: list | None = None) -> str | None:
    """Why a valid certificate does not say what was expected, or None."""
    from ..kernel.network import parse_domain, parse_net
    claim = cert["claim"]
    exact_for_within = statement == "equivalent-within" and claim.get("statement") == "equivalent"
    if statement is not None and not exact_for_within:
        if claim.get("statement") != statement or cert.get("kind") != STATEMENTS[statement]:
            return (f"the claim is {cert.get('kind')}/{claim.get('statement')}, not the expected "
                    f"{STATEMENTS[statement]}/{statement} (--expect)")
    if statement == "equivalent-within" and not exact_for_within:
        why = tolerance_failure(claim, tolerance)
        if why is not None:
            return why
    if domain_spec is None:
        return None
    dim = parse_net(claim["networks"]["A"], "claim.networks.A").widths[0]
    claimed = parse_domain(claim.get("domain"), "claim.domain", dim)
    if domain_spec.strip() in WHOLE:
        expected = None
    else:
        from ..core.domain import parse_box
        expected = parse_box(domain_spec, dim, "--expect-domain")
    if claimed == expected:
        return None
    if claim.get("statement") in ("equivalent", "equivalent-within") and covers(claimed, expected):
        return None  # equal (within ε) on a larger domain: so on the expected one too
    return f"the claim's domain is {_domain_text(claimed)}, not the expected {_domain_text(expected)} (--expect-domain)"


def tolerance_failure(claim: dict, expected: list | None) -> str | None:
    """Why the claim's tolerance is weaker than the expected one (``--expect-tolerance``,
    already read as rationals), or None."""
    from ..kernel.exact import InputError, rational
    if expected is None:
        return "no --expect-tolerance given for an equivalent-within claim"
    try:
        claimed = [rational(v, "claim.tolerance") for v in claim.get("tolerance", [])]
    except InputError as e:
        return str(e)
    if len(expected) == 1:
        expected = expected * len(claimed)
    if len(expected) != len(claimed):
        return f"--expect-tolerance has {len(expected)} values, the claim {len(claimed)}"
    for i, (c, e) in enumerate(zip(claimed, expected)):
        if c > e:
            return (f"the claim proves output {i} within {c} ≈ {float(c):.3g}, weaker than the expected "
                    f"{e} (--expect-tolerance)")
    return None


def covers(outer, inner) -> bool:
    """outer ⊇ inner for boxes (None: the whole space)."""
    if outer is None:
        return True
    if inner is None:
        return False
    return all(a <= c and d <= b for (a, b), (c, d) in zip(outer, inner))


def _domain_text(box) -> str:
    if box is None:
        return "R^d0"
    return "[" + ", ".join(f"[{lo}, {hi}]" for lo, hi in box) + "]"


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
    from ..core.files import dumps, read_json
    from ..kernel import check
    from ..kernel.exact import InputError
    if args.bind and (args.expect is None or args.expect_domain is None):
        raise InputError("--bind", "also give --expect STATEMENT and --expect-domain BOX|whole, so that a weaker "
                                   "claim about the same networks cannot pass")
    if args.expect == "equivalent-within" and args.expect_tolerance is None:
        raise InputError("--expect", "equivalent-within also needs --expect-tolerance EPS, so that a certificate "
                                     "of a looser tolerance cannot pass")
    if args.expect_tolerance is not None and args.expect != "equivalent-within":
        raise InputError("--expect-tolerance", "only with --expect equivalent-within")
    tolerance = None
    if args.expect_tolerance is not None:
        from ..kernel.exact import rational
        tolerance = [rational(v.strip(), "--expect-tolerance") for v in args.expect_tolerance.split(",")]
        if any(e < 0 for e in tolerance):
            raise InputError("--expect-tolerance", f"expected tolerances ≥ 0, got {args.expect_tolerance}")
    if args.deadline is not None and not args.deadline > 0:
        raise InputError("--deadline", f"expected a positive number of seconds, got {args.deadline}")
    bound = bindings(args.bind)
    files = certificate_files(args.paths)
    results, unreadable, invalid = [], 0, 0
    from ..apps.progress import Progress
    with Progress(len(files), "checking") as bar:
        for path in files:
            start = time.perf_counter()
            try:
                cert = read_json(path)
            except InputError as e:
                unreadable += 1
                results.append({"file": path, "valid": False, "error": e.message})
                if not args.json:
                    bar.clear()
                    print(f"UNREADABLE  {path}: {e.message}", file=sys.stderr)
                bar.advance()
                continue
            verdict = check(cert) if args.deadline is None else check(cert, deadline=args.deadline)
            if verdict.valid:
                why = binding_failure(cert, bound) if bound else None
                if why is None and (args.expect or args.expect_domain):
                    why = expectation_failure(cert, args.expect, args.expect_domain, tolerance)
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
        raise InputError("check", "no certificate files found")
    code = 2 if unreadable else (1 if invalid else 0)
    if args.json:
        print(dumps({"command": "check", "exit_code": code, "files": len(files), "invalid": invalid,
                     "unreadable": unreadable, "results": results}))
    else:
        print(f"{len(files) - invalid - unreadable} valid, {invalid} invalid, {unreadable} unreadable")
    return code
