"""`certify local` on the ACAS Xu networks: over the property-1 box and over R^5.

    python bench/local_acas.py [--timeout 600] [--domains box,whole] [--nets 1_1,1_9] [--section NAME] [--no-write]

For each bundled ACAS Xu network (../shared/benchmarks/acasxu) the command runs once as a
fresh process with ``--timeout``; the table gives the exit code, the mechanism or method,
the wall time, and what an undecided answer had when it stopped.  Results go to the section
``local-acas`` of bench/RESULTS.md.  Issue 12's target: each decided within 10 minutes.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _results import git_revision, machine, table, write_section  # noqa: E402

ACAS = HERE.parent.parent / "shared" / "benchmarks" / "acasxu"
NETS = ["1_1", "1_9", "2_3", "3_5", "5_9"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--domains", default="box,whole")
    ap.add_argument("--nets", default=",".join(NETS))
    ap.add_argument("--section", default="local-acas")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    header = machine()
    rows = []
    for domain in args.domains.split(","):
        for name in args.nets.split(","):
            net = ACAS / f"ACASXU_run2a_{name}_batch_2000.json"
            argv = [sys.executable, "-m", "certify", "local", str(net), "--json", "--timeout", str(args.timeout)]
            if domain == "box":
                argv += ["--box", str(ACAS / "prop_1.vnnlib")]
            start = time.perf_counter()
            r = subprocess.run(argv, capture_output=True, text=True, cwd=HERE.parent)
            seconds = time.perf_counter() - start
            try:
                out = json.loads(r.stdout)
            except ValueError:
                out = {"verdict": "error", "summary": (r.stderr or r.stdout).strip()[:120]}
            summary = out.get("summary", "")
            ev = out.get("evidence") or {}
            covered = ev.get("covered", sum(ev["widths"][1:-1]) if out.get("method") == "kink-probe" and ev.get("widths")
                             else "-")
            kernel = (out.get("timings") or {}).get("kernel")
            rows.append([name, "property-1 box" if domain == "box" else "R^5", r.returncode, out.get("verdict"),
                         out.get("method", "-"), covered, ev.get("points", "-"), f"{seconds:.1f}",
                         "-" if kernel is None else f"{kernel:.1f}",
                         summary[:140] + ("…" if len(summary) > 140 else "")])
            print(*rows[-1], sep=" | ", flush=True)
    body = (f"Command: `python bench/local_acas.py --timeout {args.timeout:g} --domains {args.domains} "
            f"--nets {args.nets}` at {git_revision()}. Machine: {header}.\n\n"
            + table(["network", "domain", "exit", "verdict", "method", "neurons covered", "points", "seconds",
                     "kernel s", "summary"], rows))
    if not args.no_write:
        write_section(args.section, body)


if __name__ == "__main__":
    main()
