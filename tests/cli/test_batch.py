"""Batch runs: JSONL output, resumption after interruption, local pool and Dask cluster."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from certify.apps.batch import Job, done_keys, run_batch
from certify.cli import main

EX = Path(__file__).resolve().parents[2] / "examples"
FILES = [str(EX / f"{n}.json") for n in ("S7-witness", "S6", "S7")]
REF = str(EX / "S7.json")


def records(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


def test_batch_equiv_against_reference_and_resume(tmp_path, capsys):
    out = tmp_path / "r.jsonl"
    certs = tmp_path / "certs"
    assert main(["batch", "equiv", *FILES, "--against", REF, "--out", str(out), "--workers", "1",
                 "--certificates", str(certs)]) == 0
    recs = {Path(r["file"]).stem: r for r in records(out)}
    assert recs["S7-witness"]["verdict"] == "equivalent" and recs["S6"]["verdict"] == "not-equivalent"
    assert all(r["certified"] for r in recs.values())
    assert main(["check", str(certs)]) == 0
    # an interrupted run: a torn last line is dropped and its job redone, finished jobs are skipped
    lines = out.read_text().splitlines()
    out.write_text("\n".join(lines[:2]) + "\n" + lines[2][: len(lines[2]) // 2])
    capsys.readouterr()
    assert main(["batch", "equiv", *FILES, "--against", REF, "--out", str(out), "--workers", "1", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["new"] == 1 and summary["skipped"] == 2
    assert len(records(out)) == 3 and len(done_keys(str(out))) == 3


def test_bad_file_is_recorded_not_fatal(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    out = tmp_path / "r.jsonl"
    recs, skipped = run_batch([Job("orbit", str(bad), REF), Job("orbit", FILES[2], REF)], str(out), workers=1)
    verdicts = sorted(r["verdict"] for r in recs)
    assert verdicts == ["bad-input", "in-orbit"]


def test_batch_on_a_dask_local_cluster(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        out = tmp_path / "r.jsonl"
        jobs = [Job("equiv", f, REF) for f in FILES]
        recs, _ = run_batch(jobs, str(out), scheduler=cluster.scheduler_address)
        # the survey's draws on the same cluster are the draws of a sequential run
        from certify.apps.survey import run_survey
        on_dask = run_survey([2, 2, 2, 1], 6, seed=4, local=False, scheduler=cluster.scheduler_address)
    assert sorted(Path(r["file"]).stem for r in recs) == ["S6", "S7", "S7-witness"]
    assert {r["verdict"] for r in recs} == {"equivalent", "not-equivalent"}
    alone = run_survey([2, 2, 2, 1], 6, seed=4, local=False, workers=1)
    assert on_dask.details["layer2_dead"] == alone.details["layer2_dead"]
    assert on_dask.details["hidden_symmetry_witnessed"] == alone.details["hidden_symmetry_witnessed"]


def test_unknown_scheduler_is_a_one_line_error(tmp_path, capsys):
    code = main(["batch", "orbit", FILES[0], "--against", REF, "--out", str(tmp_path / "r.jsonl"),
                 "--scheduler", "tcp://127.0.0.1:1"])
    assert code == 2 and "--scheduler" in capsys.readouterr().err
