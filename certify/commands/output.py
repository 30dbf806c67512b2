"""Shared option parsing and output for the commands: --json, --box, certificates."""
from __future__ import annotations

import argparse
import json
import sys

from ..core.answer import Answer
from ..core.files import dumps, write_atomic
from ..kernel.exact import InputError, rational
from ..network import Box, Network


def add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object (verdict, theorem, evidence, timings)")


def add_box(p: argparse.ArgumentParser) -> None:
    p.add_argument("--box", metavar="LO:HI[,LO:HI...]",
                   help="input box, one LO:HI per input (one interval is used for every input); "
                        "rationals allowed, e.g. --box=-1:1,0:1/2; or the input bounds of a VNN-LIB "
                        "property file (--box prop_1.vnnlib); overrides the networks' own domain")


def parse_box(text: str | None, dim: int) -> Box | None:
    """``lo:hi,lo:hi`` (or a JSON list of pairs) → exact box; one interval broadcasts to all inputs."""
    if text is None:
        return None
    text = text.strip()
    if text.endswith(".vnnlib"):
        from ..io.vnnlib import read_input_box
        return read_input_box(text, dim)
    try:
        if text.startswith("["):
            pairs = json.loads(text)
        else:
            pairs = [part.split(":") for part in text.split(",")]
    except json.JSONDecodeError as e:
        raise InputError("--box", f"not JSON: {e.msg}") from None
    if not isinstance(pairs, list) or not pairs:
        raise InputError("--box", "expected LO:HI[,LO:HI...]")
    box = []
    for i, pair in enumerate(pairs):
        if not isinstance(pair, list) or len(pair) != 2:
            raise InputError(f"--box[{i}]", "expected LO:HI")
        lo, hi = (rational(v, f"--box[{i}]") for v in pair)
        if lo > hi:
            raise InputError(f"--box[{i}]", f"empty interval: lo {lo} > hi {hi}")
        box.append((lo, hi))
    if len(box) == 1 and dim > 1:
        box = box * dim
    if len(box) != dim:
        raise InputError("--box", f"has {len(box)} intervals but the input dimension is {dim}")
    return tuple(box)


def load(path: str) -> Network:
    """Read a network in any supported format, by extension (.json default; .onnx, .nnet, .npz, .pt)."""
    from ..io import load_any
    return load_any(path)


def emit(answer: Answer, args: argparse.Namespace, certificate_path: str | None = None,
         extra_lines: list[str] | None = None) -> int:
    """Write the certificate (if asked and certified), print the answer, return the exit code."""
    written = None
    if certificate_path:
        if answer.certificate is not None and answer.certified:
            write_atomic(certificate_path, answer.certificate)
            written = certificate_path
        else:
            print(f"certify: no certificate written to {certificate_path}: the answer is not certified",
                  file=sys.stderr)
    if getattr(args, "json", False):
        obj = answer.to_json()
        if written:
            obj["certificate_file"] = written
        print(dumps(obj))
        return answer.code
    print(answer.summary)
    print(f"  verdict:  {answer.verdict} (exit {answer.code})")
    print(f"  method:   {answer.method}")
    if answer.theorem and answer.theorem != "none":
        print(f"  theorem:  {answer.theorem}")
    if answer.kernel is not None:
        state = "certificate valid" if answer.kernel.valid else f"REJECTED: {answer.kernel.reason}"
        print(f"  kernel:   {state} ({answer.timings.get('kernel', 0):.3f} s; "
              f"generated in {answer.timings.get('generate', 0):.3f} s)")
    for line in extra_lines or []:
        print(f"  {line}")
    if written:
        print(f"  written:  {written}")
    return answer.code

