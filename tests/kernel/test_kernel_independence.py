"""The kernel imports nothing from the rest of certify and no solver (ground rule 2)."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

KERNEL = Path(__file__).resolve().parents[2] / "certify" / "kernel"
ALLOWED = {"__future__", "fractions", "json", "math", "re", "typing", "dataclasses", "collections",
           "itertools", "functools", "operator", "heapq", "bisect", "flint", "hashlib", "enum",
           # clock.py: the kernel-wide deadline (time.perf_counter, a context variable)
           "time", "contextlib", "contextvars"}


def test_kernel_imports_only_stdlib_and_flint():
    for path in sorted(KERNEL.glob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert alias.name.split(".")[0] in ALLOWED, f"{path.name} imports {alias.name}"
            elif isinstance(node, ast.ImportFrom):
                if node.level == 0:
                    assert node.module.split(".")[0] in ALLOWED, f"{path.name} imports {node.module}"
                else:
                    assert node.level == 1, f"{path.name} imports from outside the kernel ({'.' * node.level}{node.module})"


def test_checking_loads_no_solver_and_no_numpy(tmp_path):
    from certify.cli import main
    examples = Path(__file__).resolve().parents[2] / "examples"
    cert = tmp_path / "c.json"
    assert main(["equiv", str(examples / "S7.json"), str(examples / "S7-witness.json"),
                 "--certificate", str(cert)]) == 0
    code = ("import json, sys; import certify.kernel as k; "
            f"v = k.check(json.load(open({str(cert)!r}))); "
            "bad = [m for m in ('numpy', 'z3', 'pulp', 'sympy', 'highspy', 'certify.network') if m in sys.modules]; "
            "print(v.valid, bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True []", out
