"""The main job: run every available check on the bundled examples, write the
certificates, re-check them with the kernel from disk, and print a table.

Expected answers come from ``examples/manifest.json`` (theory.md §6).  A result that
contradicts the manifest is a failure (exit 1); an undecided result is reported as
such and is not a failure.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..core.answer import Answer
from ..core.files import write_atomic
from ..kernel import check
from ..network import Network
from ..core.files import output_folder, read_json
def examples_dir() -> Path:
    """``examples/`` of the working directory, else of the source checkout."""
    for base in (Path.cwd(), Path(__file__).resolve().parent.parent):
        if (base / "examples" / "manifest.json").is_file():
            return base / "examples"
    raise FileNotFoundError("examples/manifest.json not found (run from the certify checkout)")


@dataclass
class Row:
    command: str
    subject: str
    expected: int | None
    answer: Answer
    certificate: str | None
    kernel: str

    @property
    def got(self):
        """The exit code, or for VALUE_COMMANDS the computed value the manifest predicts."""
        key = VALUE_COMMANDS.get(self.command)
        return self.answer.code if key is None else self.answer.details.get(key)

    @property
    def status(self) -> str:
        if self.answer.code == 3:
            return "undecided"
        if self.expected is None:
            return "ok"
        return "ok" if self.got == self.expected else "WRONG"


# Commands whose manifest entry is a value (answer.details[key]), not an exit code.
VALUE_COMMANDS = {"fdim": "dimension", "prune": "removed_count"}


# The demo's own limits per question (everything else is the API's default).
OPTIONS: dict[str, dict] = {"hidden": {"timeout": 30.0}, "local": {"timeout": 60.0}}
PAIR_COMMANDS = ("equiv", "orbit")
NETWORK_COMMANDS = ("hidden", "honest", "local", "fdim", "prune")


def run_demo(out_dir: str, only: set[str] | None = None, log: Callable[[str], None] = print) -> tuple[list[Row], int]:
    ex = examples_dir()
    manifest = read_json(ex / "manifest.json")
    output_folder(out_dir, "--out")
    rows: list[Row] = []

    def record(command: str, subject: str, expected, answer: Answer) -> None:
        path = None
        if answer.certificate is not None and answer.certified:
            path = os.path.join(out_dir, f"{command}-{subject.replace(' ', '_').replace('/', '-')}.json")
            write_atomic(path, answer.certificate)
        # re-check from disk: what the user would ship
        kernel = check(read_json(path)).reason if path else "-"
        rows.append(Row(command, subject, expected, answer, path, kernel))

    from ..api import ask
    for pair in manifest["pairs"]:
        for command in PAIR_COMMANDS:
            if command in pair and (only is None or command in only):
                a, b = Network.load(ex / f"{pair['A']}.json"), Network.load(ex / f"{pair['B']}.json")
                record(command, f"{pair['A']} vs {pair['B']}", pair[command],
                       ask(command, a, b, **OPTIONS.get(command, {})))
    for key, entry in manifest["networks"].items():
        for command in NETWORK_COMMANDS:
            if command in entry and (only is None or command in only):
                record(command, key, entry[command],
                       ask(command, Network.load(ex / entry["file"]), **OPTIONS.get(command, {})))
    wrong = sum(r.status == "WRONG" for r in rows)
    return rows, wrong


def format_table(rows: list[Row]) -> str:
    head = ("command", "subject", "expect", "got", "verdict", "method", "kernel", "status")
    body = [(r.command, r.subject, "-" if r.expected is None else str(r.expected), str(r.got),
             r.answer.verdict, r.answer.method, r.kernel, r.status) for r in rows]
    widths = [max(len(x[i]) for x in [head] + body) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in [head] + body]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def summary(rows: list[Row], wrong: int, out_dir: str, seconds: float) -> str:
    undecided = [r for r in rows if r.status == "undecided"]
    certs = sum(r.certificate is not None for r in rows)
    valid = sum(r.kernel == "valid" for r in rows)
    text = (f"{len(rows)} runs in {seconds:.1f} s: {len(rows) - len(undecided) - wrong} as expected, "
            f"{len(undecided)} undecided, {wrong} contradicting the manifest; "
            f"{certs} certificates written to {out_dir}/, {valid} re-checked valid by the kernel")
    return text


def as_json(rows: list[Row]) -> list[dict]:
    return [{"command": r.command, "subject": r.subject, "expected": r.expected, "exit_code": r.answer.code,
             "verdict": r.answer.verdict, "method": r.answer.method, "certificate": r.certificate,
             "kernel": r.kernel, "status": r.status} for r in rows]


__all__ = ["run_demo", "format_table", "summary", "as_json", "PAIR_RUNNERS", "NETWORK_RUNNERS"]
