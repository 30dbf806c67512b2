"""certify vnnlib QUERY --network f=A.onnx --network g=B.onnx: a VNN-LIB 2.0 equivalence query,
answered as VNN-COMP runs a benchmark (issue 13 item 5).

The query (``certify.io.vnnlib_query``) asks for a shared input in a box where two networks
differ by more than ε_j on some output (or differ at all).  certify maps it to
``api.equivalent`` — with ``tolerance`` ε, or exactly when ε = 0 everywhere — and answers in
the VNN-LIB / VNN-COMP words, with certify's exit codes:

* ``unsat`` (exit 0): the violation is empty — the networks ARE equivalent (within ε) on the
  box; a kernel-checked certificate;
* ``sat`` (exit 1): a counterexample — a decimal point in the box (both networks' inputs) whose
  exact outputs satisfy the query; it is re-read from the result text and re-evaluated
  exactly against every assertion, and the certificate is rebuilt at that decimal point and
  re-checked by the kernel;
* ``unknown`` / ``timeout`` (exit 3): undecided (``timeout`` when the wall time reached
  --timeout), with the best bounds the engine proved and found.

So certify's exit 0 ("the claim holds") is VNN-LIB's ``unsat``.  Bad input: exit 2, one line.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
from fractions import Fraction

from ..kernel.exact import InputError, fmt
from .options import Output, activity, add_budget, add_certificate, add_json, add_seed, certificate_output, emit, \
    load, prepare

STRICT_SHRINK = Fraction(1, 2 ** 20)  # non-strict atoms: decide |d| ≤ ε(1 − 2^-20), which implies |d| < ε
DIGITS = (17, 25, 40, 60, 100, 200, 400)  # significant digits tried for the counterexample's inputs


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("vnnlib", help="answer a VNN-LIB 2.0 equivalence query (two networks) as VNN-COMP does",
                       description="Read a VNN-LIB 2.0 query declaring two networks f and g (declare-network), a "
                       "box on their shared input and an output relation whose violation is asked — "
                       "|f_j − g_j| > ε_j for some j (ε-equivalence, one ε per output allowed) or f ≠ g (exact "
                       "equality) — and answer sat / unsat / unknown / timeout, in the result file (--result, "
                       "VNN-COMP format) and as the first line on stdout.  Exit 0 = unsat (the networks are "
                       "equivalent: kernel-checked certificate); 1 = sat (a verified counterexample, the decimal "
                       "point itself re-evaluated exactly and kernel-checked); 3 = unknown or timeout; 2 = bad "
                       "input or a query certify does not recognise (one line naming the construct).")
    p.add_argument("query", metavar="QUERY", help="the VNN-LIB 2.0 query (.vnnlib)")
    p.add_argument("models", metavar="NETWORK", nargs="*",
                   help="the networks' files, in declaration order (A.onnx B.onnx), or NAME=PATH, or the "
                        "instances.csv field of VNN-COMP 2026 \"[('f', 'a.onnx'), ('g', 'b.onnx')]\"; any format "
                        "certify reads.  Default: --network, else the '; Models:' comment certify export writes "
                        "(relative to the query)")
    p.add_argument("--network", action="append", default=[], metavar="NAME=PATH",
                   help="map a network declared in the query to its file (VNN-LIB 2.0 verify interface); repeat "
                        "for each network")
    p.add_argument("--result", metavar="FILE",
                   help="write the VNN-COMP result file: 'sat' / 'unsat' / 'unknown' / 'timeout'; after 'sat', "
                        "((NAME value) …) for every input and output variable of the query, in declaration order")
    p.add_argument("--timeout", type=float, metavar="S",
                   help="total wall time in seconds (as VNN-COMP's run_instance.sh passes it); past it the "
                        "answer is 'timeout' (exit 3)")
    from .equiv import METHODS
    p.add_argument("--method", default="auto", choices=METHODS,
                   help="the equivalence engine's method (as certify equiv --method; with a tolerance: auto, tree, "
                        "partition)")
    add_certificate(p)
    add_seed(p, "the sampling refutation")
    add_budget(p, "engine steps (as certify equiv --budget)", "as certify equiv")
    add_json(p, "the VNN-LIB result, the query as certify read it (relation, box, networks), the assignment, "
                "and the equivalence answer (verdict, certificate check, bounds, timings)")
    p.set_defaults(run=run)


# --------------------------------------------------------------------------- networks

def _pair_field(text: str) -> list[tuple[str, str]] | None:
    """The VNN-COMP 2026 instances.csv field [('f', 'a.onnx'), ('g', 'b.onnx')], or None."""
    if not text.lstrip().startswith("["):
        return None
    pairs = re.findall(r"\(\s*['\"]([^'\"]+)['\"]\s*,\s*['\"]?([^'\")]+?)['\"]?\s*\)", text)
    if not pairs:
        raise InputError("NETWORK", f"{text[:60]!r}: expected [('f', 'a.onnx'), ('g', 'b.onnx')]")
    return pairs


def _find(path: str, query: str) -> str:
    """A network path as given; if it does not exist, relative to the query's folder or its parent
    (VNN-COMP's instances.csv paths are relative to the benchmark folder)."""
    if os.path.exists(path) or os.path.isabs(path):
        return path
    here = os.path.dirname(os.path.abspath(query))
    for base in (here, os.path.dirname(here)):
        if os.path.exists(os.path.join(base, path)):
            return os.path.join(base, path)
    return path


def networks_of(args: argparse.Namespace, names: list[str]) -> dict[str, str]:
    """Each declared network's file, from the positional NETWORKs, --network, or the query's comment."""
    found: dict[str, str] = {}
    positional: list[str] = []
    for item in args.models:
        pairs = _pair_field(item)
        if pairs is not None:
            found.update({n: _find(p, args.query) for n, p in pairs})
        elif re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*=.+", item) and item.split("=", 1)[0] in names:
            n, p = item.split("=", 1)
            found[n] = p
        else:
            positional.append(item)
    for item in args.network:
        if "=" not in item:
            raise InputError("--network", f"{item[:60]!r}: expected NAME=PATH (NAME declared in the query: "
                                          f"{', '.join(names)})")
        n, p = item.split("=", 1)
        found[n] = p
    unknown = [n for n in found if n not in names]
    if unknown:
        raise InputError("--network", f"{unknown[0]}: the query declares no such network (it declares "
                                      f"{', '.join(names)})")
    rest = [n for n in names if n not in found]
    if positional:
        if len(positional) != len(rest):
            raise InputError("NETWORK", f"{len(positional)} network file(s) for {len(rest)} undeclared "
                                        f"network(s) ({', '.join(rest) or 'none'})")
        found.update(zip(rest, positional))
    if len(found) < len(names):
        found.update({n: p for n, p in _models_comment(args.query).items() if n not in found})
    missing = [n for n in names if n not in found]
    if missing:
        raise InputError("--network", f"no file for network {missing[0]}: give --network {missing[0]}=PATH")
    return {n: found[n] for n in names}


def _models_comment(query: str) -> dict[str, str]:
    """``; Models: A = a.onnx, B = b.onnx`` (certify export --onnx-dir), relative to the query."""
    try:
        with open(query, encoding="utf-8", errors="replace") as fh:
            head = fh.read(4096)
    except OSError:
        return {}
    m = re.search(r"^; Models: ([A-Za-z][A-Za-z0-9_]*) = (\S+), ([A-Za-z][A-Za-z0-9_]*) = (\S+)\s*$", head, re.M)
    if not m:
        return {}
    here = os.path.dirname(query)
    return {m.group(1): os.path.join(here, m.group(2)), m.group(3): os.path.join(here, m.group(4))}


def _outputs(net, keep: list[int]):
    """The network restricted to the outputs ``keep`` (rows of the last layer): exact."""
    if len(keep) == net.widths[-1]:
        return net
    from ..network import Layer
    last = net.layers[-1]
    layer = Layer(tuple(last.weight[j] for j in keep), tuple(last.bias[j] for j in keep))
    return net.replace(layers=net.layers[:-1] + (layer,))


# --------------------------------------------------------------------------- the counterexample

def verified_point(query, a, b, x, box) -> tuple[list, list, list, list] | None:
    """A decimal point near x (in the box) at which the query holds exactly, and its result
    assignment that re-reads to a satisfying assignment: (x', f(x'), g(x'), assignment)."""
    from ..io.arrays import decimal_text
    from ..io.vnnlib_query import assignment, decimal_point, environment, read_result, result_text
    candidates = []
    if all(decimal_text(v) is not None and len(decimal_text(v)) < 500 for v in x):
        candidates.append(list(x))
    for digits in DIGITS:
        xd = [decimal_point(v, digits) for v in x]
        if box is not None:
            xd = [min(max(v, lo), hi) if decimal_text(lo) and decimal_text(hi) else v for v, (lo, hi) in zip(xd, box)]
        candidates.append(xd)
    for xd in candidates:
        if box is not None and any(not lo <= v <= hi for v, (lo, hi) in zip(xd, box)):
            continue
        fy, gy = a(xd), b(xd)
        if not query.holds(environment(query, xd, fy, gy)):
            continue
        for y_digits in (40, 80, 200):
            pairs = assignment(query, xd, fy, gy, y_digits)
            _, back = read_result(result_text("sat", pairs))
            env = {key: back[name] for key, name in query.names()}
            if query.holds(env) and all(env[(n, "X", i)] == v for n in (0, 1) for i, v in enumerate(xd)):
                return xd, fy, gy, pairs
    return None


def _recheck(answer, x, fa, fb) -> bool:
    """Rebuild the certificate at the decimal point (restricted networks) and let the kernel judge it."""
    from ..core.certificate import finish
    from ..kernel.exact import fmt_vector
    cert = dict(answer.certificate)
    cert["evidence"] = {**cert["evidence"], "x": fmt_vector(x), "fA": fmt_vector(fa), "fB": fmt_vector(fb)}
    checked, verdict, seconds = finish(cert)
    answer.timings["kernel"] = answer.timings.get("kernel", 0.0) + seconds
    if verdict.valid:
        answer.certificate, answer.kernel = checked, verdict
    return verdict.valid


# --------------------------------------------------------------------------- the command

def run(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    if args.timeout is not None and not args.timeout > 0:
        raise InputError("--timeout", f"must be a positive number of seconds, got {args.timeout}")

    def write_result(answer, path: str) -> bool:
        from ..core.files import write_bytes_atomic
        from ..io.vnnlib_query import result_text
        write_bytes_atomic(path, result_text(answer.details["vnnlib_result"],
                                             answer.details.get("vnnlib_assignment", ())).encode("ascii"))
        return True
    outputs = prepare([certificate_output(args), Output("--result", args.result, "result", write_result, None)])
    from ..io.vnnlib_query import read_query
    q = read_query(args.query)
    names = [d.name for d in q.networks]
    files = networks_of(args, names)
    nets = [load(files[n], args) for n in names]
    for net, decl, n in zip(nets, q.networks, names):
        if net.widths[0] != decl.d_in or net.widths[-1] != decl.d_out:
            raise InputError(files[n], f"network {n} is {net.widths[0]}→{net.widths[-1]}, but the query declares "
                                       f"{decl.input} with {decl.d_in} and {decl.output} with {decl.d_out} elements")
    keep = q.outputs
    a, b = (_outputs(net, keep).replace(box=None) for net in nets)  # the query's box is the domain
    if q.bounded:
        box = tuple((lo, hi) for lo, hi in q.box)
    elif q.exact and all(lo is None and hi is None for lo, hi in q.box):
        box = None  # exact equality on R^d0
    else:
        i = next(i for i, (lo, hi) in enumerate(q.box) if lo is None or hi is None)
        raise InputError(args.query, f"input {i} of {names[0]} has no {'lower' if q.box[i][0] is None else 'upper'} "
                                     "bound: ε-equivalence is decided on a box (bound every input, or ask exact "
                                     "equality on all of R^d)")
    tolerance = None
    if not q.exact:
        tolerance = [q.tolerance[j] * (1 if q.strict[j] else 1 - STRICT_SHRINK) for j in keep]
    from .. import api
    left = None if args.timeout is None else max(args.timeout - (time.perf_counter() - start), 0.01)
    with activity("vnnlib"):
        answer = api.equivalent(a, b, box, method=args.method, timeout=left, seed=args.seed, budget=args.budget,
                                tolerance=tolerance)
    status, pairs = "unknown", []
    if answer.code == 0 and answer.certified:
        status = "unsat"
    elif answer.code == 1 and answer.certified and answer.counterexample is not None:
        found = verified_point(q, nets[0], nets[1], answer.counterexample, box)
        if found is not None and _recheck(answer, found[0], _outputs(nets[0], keep)(found[0]),
                                          _outputs(nets[1], keep)(found[0])):
            status, pairs = "sat", found[3]
        else:
            answer.code, answer.verdict = 3, "unknown"
            answer.summary += ("; but no decimal point near the counterexample satisfies the query as written "
                               "(a strict bound or a non-strict band), so the answer is unknown")
            answer.certificate = None
    elif answer.code in (0, 1):
        answer.code, answer.verdict = 3, "unknown"
    ran_out = "timeout" in answer.summary or "time limit" in answer.summary or \
        args.timeout is not None and time.perf_counter() - start >= 0.95 * args.timeout
    if status == "unknown" and args.timeout is not None and ran_out:
        status = "timeout"
    if answer.domain is not None and answer.domain.box is not None:  # the box is the query's, not a --box
        import dataclasses
        answer.domain = dataclasses.replace(answer.domain, source="the query")
        answer.summary = answer.summary.replace(" (--box)", " (the query)")
    answer.details.update(vnnlib_result=status, vnnlib_assignment=pairs)
    info = {"result": status, "query": args.query, "networks": files, "relation": q.relation_text(),
            "outputs": keep, "tolerance": [None if e is None else fmt(e) for e in q.tolerance],
            "strict": q.strict, "box": None if box is None else [[fmt(lo), fmt(hi)] for lo, hi in box],
            "assignment": [[n, v] for n, v in pairs]}
    if keep != list(range(nets[0].widths[-1])):
        answer.summary += f" (outputs {', '.join(map(str, keep))} of {names[0]} and {names[1]}: the others are " \
                          "unconstrained by the query)"
    if args.json:
        from ..core.files import dumps
        written = {o.what: o.path for o in outputs if o.path and o.write(answer, o.path)}
        obj = answer.to_json()
        obj["evidence"].pop("vnnlib_assignment", None)
        obj["command"], obj["vnnlib"] = "vnnlib", info
        if written:
            obj["files"] = written
        print(dumps(obj))
        return answer.code
    print(status)
    for n, v in pairs:
        print(f"{n}={v}")
    sys.stdout.flush()
    return emit(answer, args, outputs, [f"query:    unsat ⟺ {q.relation_text()} ({names[0]} = {files[names[0]]}, "
                                        f"{names[1]} = {files[names[1]]})"])
