"""Keep the README tour true: run every `$ certify …` line of README.md and compare or rewrite.

    python scripts/readme_tour.py            # compare: exit codes and first lines must match
    python scripts/readme_tour.py --write    # replace each command's output with a fresh run

The commands run in order in one scratch folder (later commands read files that earlier ones
wrote, as a reader following the tour would), with ``examples/`` and the ACAS Xu files of
``../shared/benchmarks/acasxu`` linked in.  A command whose block abbreviates its output
with "…" is skipped; a line "  ..." keeps the block abbreviated when rewriting.  Timings and
other numbers are ignored when comparing (``shape``).  ``tests/cli/test_readme.py`` runs the
comparison on the quick commands in CI.
"""
from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
ACAS = ROOT.parent / "shared" / "benchmarks" / "acasxu"
LINKED = {"ACASXU_run2a_1_1_batch_2000.onnx": ACAS / "ACASXU_run2a_1_1_batch_2000.onnx",
          "prop_1.vnnlib": ACAS / "prop_1.vnnlib"}
SLOW = ("prune ACASXU", "convert ACASXU", "survey")  # minutes in CI: run only when asked


class Step(NamedTuple):
    line: int          # index of the "$ certify" line in README lines
    end: int           # index one past its output
    command: str
    output: list[str]  # as printed in the README


def steps(lines: list[str]) -> list[Step]:
    out, inside = [], False
    i = 0
    while i < len(lines):
        if lines[i].startswith("```"):
            inside = not inside
        elif inside and lines[i].startswith("$ certify "):
            j = i + 1
            while j < len(lines) and not lines[j].startswith(("$ ", "```")):
                j += 1
            body = lines[i + 1:j]
            while body and not body[-1].strip():
                body = body[:-1]
            out.append(Step(i, i + 1 + len(body), lines[i][2:], body))
            i = j
            continue
        i += 1
    return out


def shape(text: str) -> str:
    """A line with its numbers masked: timings and sizes change from run to run."""
    return re.sub(r"\d+(\.\d+)?(e-?\d+)?", "#", text).strip()


def same_line(readme: str, actual: str) -> bool:
    """Equal up to numbers; a README line cut short with "..." need only start the output."""
    if readme.rstrip().endswith("..."):
        return shape(actual).startswith(shape(readme.rstrip()[:-3]))
    return shape(readme) == shape(actual)


def exit_code(output: list[str]) -> int | None:
    for line in output:
        m = re.search(r"\(exit (\d)\)", line)
        if m:
            return int(m.group(1))
    return None


def run(command: str, cwd: Path) -> tuple[int, list[str]]:
    argv = [sys.executable, "-m", "certify", *shlex.split(command)[1:]]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    r = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, env=env, timeout=900)
    return r.returncode, (r.stdout + r.stderr).rstrip("\n").splitlines()


def abbreviate(old: list[str], new: list[str]) -> list[str]:
    """Keep a README abbreviation ("  ...") in the same place of the fresh output."""
    if "  ..." not in old:
        return new
    k = old.index("  ...")
    tail = len(old) - k - 1
    return new[:k] + ["  ..."] + (new[len(new) - tail:] if tail else [])


def scratch() -> tempfile.TemporaryDirectory:
    tmp = tempfile.TemporaryDirectory(prefix="certify-tour-")
    os.symlink(ROOT / "examples", Path(tmp.name) / "examples")
    for name, target in LINKED.items():
        if target.exists():
            os.symlink(target, Path(tmp.name) / name)
    return tmp


def skipped(step: Step, slow: bool) -> bool:
    return (any("…" in line for line in step.output)
            or (not slow and any(s in step.command for s in SLOW))
            or any(name in step.command and not target.exists() for name, target in LINKED.items()))


def tour(write: bool, slow: bool) -> list[str]:
    """Run the tour; return the mismatches (compare), or rewrite README.md (write)."""
    lines = README.read_text().split("\n")
    problems: list[str] = []
    with scratch() as folder:
        k = 0
        while k < len(steps(lines)):
            step = steps(lines)[k]  # parsed again: a rewritten output moves the later steps
            k += 1
            if skipped(step, slow):
                continue
            code, output = run(step.command, Path(folder))
            if write:
                lines[step.line + 1:step.end] = abbreviate(step.output, output)
                continue
            expected = exit_code(step.output)
            if expected is not None and code != expected:
                problems.append(f"{step.command}: exit {code}, README says {expected}")
            if step.output and output and not same_line(step.output[0], output[0]):
                problems.append(f"{step.command}: first line\n    README: {step.output[0]}\n    now:    {output[0]}")
    if write:
        README.write_text("\n".join(lines))
    return problems


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="rewrite the outputs in README.md")
    ap.add_argument("--slow", action="store_true", help="also run the slow commands (ACAS Xu, survey)")
    args = ap.parse_args()
    problems = tour(args.write, args.slow)
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
