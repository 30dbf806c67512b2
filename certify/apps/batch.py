"""Batch runs over many network files: JSON Lines output, resumable after interruption.

Every line of the output is one finished job: the file, the command, the verdict, the
exit code, the method, timings and (optionally) where its certificate was written.  A
rerun with the same output file skips the jobs already recorded, so an interrupted
batch continues where it stopped.  Lines are appended and flushed one by one; a
truncated last line (a crash mid-write) is ignored and its job redone.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from ..core.answer import Answer
from ..core.files import dumps, write_atomic
@dataclass(frozen=True)
class Job:
    command: str
    path: str
    reference: str | None = None          # for pair commands (equiv, orbit): compared against this
    options: tuple[tuple[str, Any], ...] = ()
    certificates: str | None = None       # directory for certificates, or None

    @property
    def key(self) -> str:
        return f"{self.command}\t{self.reference or ''}\t{self.path}\t{json.dumps(dict(self.options), sort_keys=True)}"


PAIR = ("equiv", "orbit")  # questions about two networks (the reference is A)


def _answer(job: Job) -> Answer:
    """The job's question through the API (``certify.api.ask``): the one question → engine table."""
    from ..api import ask
    from ..io import load_any
    net = load_any(job.path)
    if job.command in PAIR:
        if job.reference is None:
            raise ValueError(f"{job.command} needs a reference network (--against)")
        return ask(job.command, load_any(job.reference), net, **dict(job.options))
    return ask(job.command, net, **dict(job.options))


def run_job(job: Job) -> dict:
    """One job, in a worker: never raises; bad input and bugs become result records."""
    from ..kernel.exact import InputError
    start = time.perf_counter()
    record: dict[str, Any] = {"key": job.key, "command": job.command, "file": job.path}
    if job.reference:
        record["reference"] = job.reference
    try:
        answer = _answer(job)
    except InputError as e:
        record.update(verdict="bad-input", exit_code=2, error=str(e))
    except Exception as e:  # a bug must not stop a long batch; it is recorded as such
        record.update(verdict="internal-error", exit_code=4, error=f"{type(e).__name__}: {e}")
    else:
        record.update(verdict=answer.verdict, exit_code=answer.code, method=answer.method,
                      theorem=answer.theorem, certified=answer.certified, summary=answer.summary,
                      domain=None if answer.domain is None else answer.domain.to_json())
        if job.certificates and answer.certificate is not None and answer.certified:
            digest = hashlib.sha256(job.key.encode()).hexdigest()[:12]
            name = f"{job.command}-{os.path.splitext(os.path.basename(job.path))[0]}-{digest}.json"
            path = os.path.join(job.certificates, name)
            write_atomic(path, answer.certificate)
            record["certificate"] = path
    record["seconds"] = round(time.perf_counter() - start, 6)
    return record


def read_records(path: str) -> list[dict]:
    """The records of a JSONL results file (none if it does not exist; a torn last line, left
    by a crash mid-write, is ignored and its job redone)."""
    records: list[dict] = []
    if not os.path.exists(path):
        return records
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(rec, dict) and "key" in rec:
                records.append(rec)
    return records


def done_keys(path: str) -> set[str]:
    """Keys of the jobs already recorded in a JSONL file."""
    return {rec["key"] for rec in read_records(path)}


def append_records(path: str, records: Iterable[dict], on_record: Callable[[dict], None] | None = None) -> None:
    """Append each record as one JSON line as soon as it exists, flushed to disk, so an
    interrupted run loses at most the job in flight."""
    _drop_torn_tail(path)
    with open(path, "a", encoding="utf-8") as fh:
        for record in records:
            fh.write(dumps(record) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
            if on_record:
                on_record(record)


def run_batch(jobs: Iterable[Job], out: str, workers: int | None = None, scheduler: str | None = None,
              on_result: Callable[[dict], None] | None = None) -> tuple[list[dict], int]:
    """Run the jobs not yet in ``out``; append each result as one JSON line.  Returns
    (new records, number of skipped jobs)."""
    from .parallel import run_all
    jobs = list(jobs)
    done = done_keys(out)
    todo = [j for j in jobs if j.key not in done]
    records: list[dict] = []

    def keep(record: dict) -> None:
        records.append(record)
        if on_result:
            on_result(record)
    append_records(out, (rec for _, rec in run_all(run_job, todo, workers=workers, scheduler=scheduler)), keep)
    return records, len(jobs) - len(todo)


def _drop_torn_tail(path: str) -> None:
    """A crash mid-write can leave a last line without its newline: cut it off."""
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return
    with open(path, "rb+") as fh:
        data = fh.read()
        if data.endswith(b"\n"):
            return
        cut = data.rfind(b"\n") + 1
        fh.seek(cut)
        fh.truncate()


def summarise(path: str) -> dict[str, Counter]:
    """Verdict counts per command over everything recorded in ``path``."""
    counts: dict[str, Counter] = {}
    for rec in read_records(path):
        counts.setdefault(rec.get("command", "?"), Counter())[rec.get("verdict", "?")] += 1
    return counts
