"""certify export A [B] --smt2 OUT | --lp OUT | --mps OUT | --vnnlib OUT: solver encodings (theory.md §4.2).

With A and B: SMT-LIB 2 (QF_LRA, exact rationals) is sat iff some x in the domain has
f_A(x) ≠ f_B(x); LP/MPS is the big-M MILP max_i |f_A,i − f_B,i| on a box (optimum 0
iff equal — in exact arithmetic; a float solver's optimum is only a hint); VNN-LIB 2.0 is
the same question for verifiers that read ONNX models (``--onnx-dir`` writes them).
With A alone: SMT-LIB defines y = f_A(x) on the domain (a base for your own property);
LP/MPS maximises f_A,0 over the box (an output-range query).
"""
from __future__ import annotations

import argparse
import os
import sys

from ..core.files import dumps, output_path, distinct_outputs, write_bytes_atomic, write_through
from ..kernel.exact import InputError
from .options import NET_HELP, add_assume, add_box, add_json, load


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="write SMT-LIB 2 / LP / MPS / VNN-LIB encodings for other solvers",
                       description="Export the equivalence query for A and B (or the network A alone) "
                       "as SMT-LIB 2 (QF_LRA, exact rationals), or as the big-M MILP on a box in LP/MPS "
                       "format, or as a VNN-LIB 2.0 equivalence query (A and B). LP/MPS need a box (--box or "
                       "the networks' domain).")
    p.add_argument("a", metavar="A", help=f"network A ({NET_HELP})")
    p.add_argument("b", metavar="B", nargs="?", help="network B (optional)")
    p.add_argument("--smt2", metavar="OUT", help="write SMT-LIB 2 here")
    p.add_argument("--lp", metavar="OUT", help="write the MILP in LP format here")
    p.add_argument("--mps", metavar="OUT", help="write the MILP in MPS format here")
    p.add_argument("--vnnlib", metavar="OUT", help="write a VNN-LIB 2.0 equivalence query (needs A and B)")
    p.add_argument("--onnx-dir", metavar="DIR",
                   help="with --vnnlib: also write A and B as ONNX models there (refused if not exact in floats)")
    add_box(p)
    add_assume(p)
    add_json(p, "the files written, the query and the domain")
    p.set_defaults(run=run)


def export(a, b, box, smt2: str | None = None, lp_path: str | None = None, mps_path: str | None = None,
           title: str = "", vnnlib: str | None = None, onnx_dir: str | None = None) -> list[str]:
    """Write the requested files atomically; return their paths."""
    from ..encode import lp, smt
    if (lp_path or mps_path) and box is None:
        raise InputError("--box", "LP/MPS export needs a box (the MILP's big-M bounds): give --box")
    if vnnlib and b is None:
        raise InputError("--vnnlib", "a VNN-LIB equivalence query needs two networks A and B")
    written = []
    if smt2:
        write_bytes_atomic(smt2, smt.write_smt2(a.net, None if b is None else b.net, box, title).encode("utf-8"))
        written.append(smt2)
    for path, writer in ((lp_path, lp.write_lp), (mps_path, lp.write_mps)):
        if path:
            write_through(path, lambda tmp, w=writer: w(tmp, a.net, None if b is None else b.net, box))
            written.append(path)
    if vnnlib:
        from ..io.vnnlib import write_equivalence_query
        models = None
        if onnx_dir is not None:
            stem = os.path.splitext(os.path.basename(vnnlib))[0]
            models = (os.path.join(onnx_dir, f"{stem}-A.onnx"), os.path.join(onnx_dir, f"{stem}-B.onnx"))
        write_equivalence_query(a, b, box, vnnlib, onnx_paths=models)
        written.append(vnnlib)
        written.extend(models or ())
    return written


def run(args: argparse.Namespace) -> int:
    if not (args.smt2 or args.lp or args.mps or args.vnnlib):
        raise InputError("export", "nothing to write: give --smt2 OUT, --lp OUT, --mps OUT or --vnnlib OUT")
    outputs = {"--smt2": args.smt2, "--lp": args.lp, "--mps": args.mps, "--vnnlib": args.vnnlib}
    distinct_outputs(outputs)
    for option, path, ext in (("--smt2", args.smt2, (".smt2",)), ("--lp", args.lp, (".lp",)),
                              ("--mps", args.mps, (".mps",)), ("--vnnlib", args.vnnlib, (".vnnlib",))):
        if path:
            output_path(path, option, ext)
    if args.onnx_dir is not None and not os.path.isdir(args.onnx_dir):
        raise InputError("--onnx-dir", f"{args.onnx_dir} is not an existing folder")
    from ..core.domain import resolve
    a = load(args.a, args)
    b = load(args.b, args) if args.b else None
    box = resolve({"A": a} if b is None else {"A": a, "B": b}, args.box).box
    title = f"certify export: {os.path.basename(args.a)}" + (f" vs {os.path.basename(args.b)}" if b else "")
    written = export(a, b, box, args.smt2, args.lp, args.mps, title, args.vnnlib, args.onnx_dir)
    if args.json:
        print(dumps({"command": "export", "exit_code": 0, "files": written,
                     "query": "f_A != f_B somewhere in the domain" if b else "network A alone",
                     "domain": None if box is None else [[str(lo), str(hi)] for lo, hi in box]}))
    else:
        for path in written:
            print(f"written: {path}")
    sys.stdout.flush()
    return 0
