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


def _answer(job: Job) -> Answer:
    opts = dict(job.options)
    net = load_any(job.path)
    if job.command in ("equiv", "orbit"):
        if job.reference is None:
            raise ValueError(f"{job.command} needs a reference network (--against)")
        ref = load_any(job.reference)
        if job.command == "equiv":
            from ..deep.strategy import decide
            return decide(ref, net, opts.get("box"), method=opts.get("method", "auto"))
        from ..group.orbit import decide_orbit
        return decide_orbit(ref, net)
    runner = SINGLE.get(job.command)
    if runner is None:
        raise ValueError(f"unknown batch command {job.command!r}")
    return runner(net, opts)


def load_any(path: str):
    from ..io import load_any as loader
    return loader(path)


def _hidden(net, opts: dict) -> Answer:
    from ..hidden.decision import decide_hidden
    return decide_hidden(net, opts.get("box"), timeout=opts.get("timeout"))


def _honest(net, opts: dict) -> Answer:
    from ..shallow.honesty import decide_honest
    return decide_honest(net)


def _local(net, opts: dict) -> Answer:
    from ..local.identifiability import decide_local
    return decide_local(net, opts.get("box"), radius=opts.get("radius", False), timeout=opts.get("timeout"))


def _fdim(net, opts: dict) -> Answer:
    from ..local.fdim import functional_dimension
    return functional_dimension(net, opts.get("box"))


# Single-network commands available to batches.
SINGLE: dict[str, Callable[[Any, dict], Answer]] = {"hidden": _hidden, "honest": _honest, "local": _local,
                                                     "fdim": _fdim}


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
                      theorem=answer.theorem, certified=answer.certified, summary=answer.summary)
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
