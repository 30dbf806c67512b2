"""certify batch COMMAND FILE...: one command over many networks, resumable JSONL output."""
from __future__ import annotations

import argparse
import os
import sys

from ..apps.batch import SINGLE, Job, run_batch, summarise
from ..core.files import dumps, output_folder, output_path
from ..kernel.exact import InputError
from ..apps.progress import Progress
from .output import add_json, parse_box

PAIR = ("equiv", "orbit")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("batch", help="run one command over many network files (JSONL, resumable, Dask)",
                       description="Run a command over many network files on a local process pool, or on a "
                       "Dask cluster with --scheduler. Each result is appended to --out as one JSON line; "
                       "rerunning with the same --out skips finished jobs. equiv/orbit compare every file "
                       "against --against REF.")
    p.add_argument("command", metavar="COMMAND", help="equiv, orbit, or a single-network command "
                   "(hidden, honest, local, fdim)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--against", metavar="REF", help="reference network for equiv/orbit")
    p.add_argument("--out", required=True, metavar="RESULTS.jsonl")
    p.add_argument("--certificates", metavar="DIR", help="write each certified answer's certificate here")
    p.add_argument("--box", metavar="LO:HI[,LO:HI...]", help="domain for equiv")
    p.add_argument("--method", default="auto", help="equiv method")
    p.add_argument("--workers", type=int, help="local worker processes (default: number of cores)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://host:8786")
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.command not in PAIR and args.command not in SINGLE:
        known = ", ".join(PAIR + tuple(sorted(SINGLE)))
        raise InputError("COMMAND", f"unknown batch command {args.command!r} (available: {known})")
    if args.command in PAIR and not args.against:
        raise InputError("--against", f"{args.command} compares every file against a reference: give --against REF")
    for path in args.files + ([args.against] if args.against else []):
        if not os.path.isfile(path):
            raise InputError(path, "no such file")
    output_path(args.out, "--out", (".jsonl", ".json"))
    if args.certificates:
        output_folder(args.certificates, "--certificates")
    options: dict = {}
    if args.command == "equiv":
        options["method"] = args.method
        if args.box:
            from ..apps.batch import load_any
            options["box"] = parse_box(args.box, load_any(args.against).widths[0])
    jobs = [Job(args.command, f, args.against, tuple(sorted(options.items())), args.certificates) for f in args.files]
    with Progress(len(jobs), f"batch {args.command}") as bar:
        records, skipped = run_batch(jobs, args.out, workers=args.workers, scheduler=args.scheduler,
                                     on_result=lambda r: bar.advance(note=os.path.basename(r["file"])))
    counts = summarise(args.out)
    failed = sum(r["exit_code"] in (2, 4) for r in records)
    if args.json:
        print(dumps({"command": "batch", "new": len(records), "skipped": skipped, "out": args.out,
                     "summary": {k: dict(v) for k, v in counts.items()}}))
    else:
        print(f"{len(records)} new results, {skipped} already in {args.out}")
        for command, verdicts in sorted(counts.items()):
            print(f"  {command:8s} " + ", ".join(f"{v}: {n}" for v, n in verdicts.most_common()))
        if failed:
            print(f"  {failed} jobs failed (bad input or internal error): see {args.out}", file=sys.stderr)
    return 2 if failed else 0
