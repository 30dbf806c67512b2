"""certify demo: the main job on the bundled examples (theory.md §6)."""
from __future__ import annotations

import argparse
import time

from ..core.files import dumps
from .options import add_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="run every available check on the bundled examples",
                       description="Run the available checks on examples/ (theory.md §6), write the "
                       "certificates, re-check them with the kernel, and print a table. Exit 1 if a "
                       "result contradicts the manifest.")
    p.add_argument("--out", default="certify-demo", metavar="DIR", help="certificate directory (default certify-demo)")
    p.add_argument("--only", metavar="CMD[,CMD]", help="run only these commands (e.g. equiv,orbit)")
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..apps.demo import as_json, format_table, run_demo, summary
    start = time.perf_counter()
    only = set(args.only.split(",")) if args.only else None
    rows, wrong = run_demo(args.out, only)
    seconds = time.perf_counter() - start
    if args.json:
        print(dumps({"command": "demo", "exit_code": int(wrong > 0), "rows": as_json(rows),
                     "summary": summary(rows, wrong, args.out, seconds)}))
    else:
        print(format_table(rows))
        print()
        print(summary(rows, wrong, args.out, seconds))
    return 1 if wrong else 0
