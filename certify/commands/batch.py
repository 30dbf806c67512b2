"""certify batch COMMAND FILE...: one question over many networks, resumable JSONL output."""
from __future__ import annotations

import argparse
import os
import sys

from ..kernel.exact import InputError
from .options import add_json

PAIR = ("equiv", "orbit")
SINGLE = ("hidden", "honest", "local", "fdim", "prune")
BOXED = ("equiv", "hidden", "local", "fdim")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("batch", help="run one command over many network files (JSONL, resumable, Dask)",
                       description="Run a question over many network files on a local process pool, or on a "
                       "Dask cluster with --scheduler. Each result (verdict, exit code, domain, method, "
                       "certificate file) is appended to --out as one JSON line; rerunning with the same --out "
                       "skips finished jobs. equiv/orbit compare every file against --against REF.")
    p.add_argument("command", metavar="COMMAND", choices=PAIR + SINGLE,
                   help="the question: " + ", ".join(PAIR + SINGLE))
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--against", metavar="REF", help="reference network for equiv/orbit (it is A, each FILE is B)")
    p.add_argument("--out", required=True, metavar="RESULTS.jsonl", help="append one JSON line per result here")
    p.add_argument("--certificates", metavar="DIR", help="write each certified answer's certificate into this "
                   "folder (created if its parent exists)")
    p.add_argument("--box", metavar="LO:HI[,LO:HI...]", help=f"domain for {', '.join(BOXED)} (default: each "
                   "network's own, else R^d0)")
    p.add_argument("--method", default="auto", help="equiv method (see certify equiv --help)")
    p.add_argument("--timeout", type=float, metavar="S", help="total wall time of each job")
    p.add_argument("--workers", type=int, help="local worker processes (default: number of cores)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://host:8786")
    add_json(p, "new and skipped job counts and the verdicts per command")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..apps.batch import Job, run_batch, summarise
    from ..apps.progress import Progress
    from ..core.files import dumps, output_folder, output_path
    if args.command in PAIR and not args.against:
        raise InputError("--against", f"{args.command} compares every file against a reference: give --against REF")
    if args.box and args.command not in BOXED:
        raise InputError("--box", f"{args.command} takes no box")
    if args.workers is not None and args.workers < 1:
        raise InputError("--workers", "must be a positive integer")
    for path in args.files + ([args.against] if args.against else []):
        if not os.path.isfile(path):
            raise InputError(path, "no such file")
    output_path(args.out, "--out", (".jsonl",))
    if args.certificates:
        output_folder(args.certificates, "--certificates")
    options: dict = {}
    if args.command == "equiv":
        options["method"] = args.method
    if args.box:
        options["box"] = args.box
    if args.timeout is not None:
        options["timeout"] = args.timeout
    jobs = [Job(args.command, f, args.against, tuple(sorted(options.items())), args.certificates) for f in args.files]
    with Progress(len(jobs), f"batch {args.command}") as bar:
        records, skipped = run_batch(jobs, args.out, workers=args.workers, scheduler=args.scheduler,
                                     on_result=lambda r: bar.advance(note=os.path.basename(r["file"])))
    counts = summarise(args.out)
    failed = sum(r["exit_code"] in (2, 4) for r in records)
    if args.json:
        print(dumps({"command": "batch", "exit_code": 2 if failed else 0, "new": len(records), "skipped": skipped,
                     "out": args.out, "failed": failed, "summary": {k: dict(v) for k, v in counts.items()}}))
    else:
        print(f"{len(records)} new results, {skipped} already in {args.out}")
        for command, verdicts in sorted(counts.items()):
            print(f"  {command:8s} " + ", ".join(f"{v}: {n}" for v, n in verdicts.most_common()))
        if failed:
            print(f"  {failed} jobs failed (bad input or internal error): see {args.out}", file=sys.stderr)
    return 2 if failed else 0
