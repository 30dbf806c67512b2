"""Start-up time of the command line against ``python -c pass``, and the size of the kernel.

    python bench/startup.py [--runs 30]

Each command runs ``--runs`` times as a fresh process (the first run is discarded as a
warm-up of the file cache); the table gives the median and the ratio to the baseline
``python -c pass`` measured in the same run.  The kernel's size is counted in physical
lines (``wc -l``) and in code lines (no blank, comment or docstring lines).  Results go to
the section ``startup`` of bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import ast
import io
import statistics
import subprocess
import sys
import time
import tokenize
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import git_revision, machine, table, write_section  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CERT = ROOT / "certificates" / "equivalent--orbit--D-ID__D-ID-moved.json"


def timed(argv: list[str], runs: int) -> float:
    samples = []
    for k in range(runs + 1):
        start = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        if k:
            samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def code_lines(path: Path) -> int:
    """Lines holding code: no blank lines, comments or docstrings."""
    source = path.read_text()
    doc_lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant) \
                    and isinstance(first.value.value, str):
                doc_lines.update(range(first.lineno, first.end_lineno + 1))
    skip = (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER)
    code: set[int] = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type not in skip:
            code.update(line for line in range(tok.start[0], tok.end[0] + 1) if line not in doc_lines)
    return len(code)


def kernel_size() -> tuple[int, int, list[list[object]]]:
    rows, total, total_code = [], 0, 0
    for path in sorted((ROOT / "certify" / "kernel").glob("*.py")):
        lines = len(path.read_text().splitlines())
        code = code_lines(path)
        rows.append([path.name, lines, code])
        total += lines
        total_code += code
    return total, total_code, rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    py = sys.executable
    cases = [("python -c pass (baseline)", [py, "-c", "pass"]),
             ("certify --version", [py, "-m", "certify", "--version"]),
             ("certify --help", [py, "-m", "certify", "--help"]),
             ("certify check (one small certificate)", [py, "-m", "certify", "check", str(CERT)]),
             ("certify equiv --help", [py, "-m", "certify", "equiv", "--help"])]
    times = [(name, timed(argv, args.runs)) for name, argv in cases]
    base = times[0][1]
    rows = [[name, f"{t * 1000:.0f} ms", f"{t / base:.1f}×", f"{(t - base) * 1000:.0f} ms"] for name, t in times]
    total, total_code, krows = kernel_size()
    body = "\n".join([
        "## Start-up time and kernel size (issue 10)",
        "",
        f"Command: `python bench/startup.py --runs {args.runs}` (median of {args.runs} fresh processes after one "
        f"warm-up; `python -m certify`, the console script adds its own few ms).  Machine: {machine()}.  "
        f"Revision {git_revision()}.",
        "",
        table(["command", "median", "ratio to python -c pass", "above the baseline"], rows),
        "",
        f"Kernel (`certify/kernel/`): {total} lines (`wc -l`), {total_code} lines of code (no blank, comment or "
        "docstring lines).",
        "",
        table(["module", "lines", "code lines"], krows),
    ])
    write_section("startup", body)
    print(body)


if __name__ == "__main__":
    main()
