"""Mutation fuzzing of every reader (issue 11), at a small budget for CI.

Each reader gets valid seeds damaged by ``fuzzing.mutate`` (byte flips, truncation, hostile
numbers, deletions); the only acceptable outcomes are a well-formed value and an InputError
naming the file (exit 2 on the command line).  ``bench/fuzz.py`` runs the same harness at a
large budget and records the counts in bench/RESULTS.md.
"""
from __future__ import annotations

import functools
import os
import random
import subprocess
import sys
import tempfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fuzzing

NAMES = ["network-json", "nnet", "npz", "npz-arrays", "vnnlib", "vnnlib-query", "box", "certificate", "onnx", "pt-torchscript",
         "pt-state-dict", "pt2-export"]


@functools.lru_cache(maxsize=None)
def all_readers() -> dict[str, fuzzing.Reader]:
    return {r.name: r for r in fuzzing.readers()}


def reader(name: str) -> fuzzing.Reader:
    found = all_readers().get(name)
    if found is None:
        pytest.skip(f"reader {name} needs a package that is not installed")
    return found


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=40, derandomize=True, deadline=None)
@given(rng=st.randoms(use_true_random=False), data=st.data())
def test_a_damaged_input_is_read_or_refused_never_crashes(name, rng, data):
    r = reader(name)
    seed = data.draw(st.sampled_from(r.seeds))
    damaged = (r.damage or fuzzing.mutate)(seed, rng)
    with tempfile.TemporaryDirectory() as folder:
        result = fuzzing.outcome(r, damaged, folder)
    assert result in fuzzing.ACCEPTABLE, (name, result, damaged[:300])


@pytest.mark.parametrize("name", NAMES)
def test_the_seeds_themselves_are_read(name):
    r = reader(name)
    with tempfile.TemporaryDirectory() as folder:
        for seed in r.seeds:
            if r.damage is None:
                assert fuzzing.outcome(r, seed, folder) in ("ok", "valid"), name


def test_the_harness_sees_a_crash_when_a_reader_crashes():
    def broken(path):
        raise ZeroDivisionError("a bug")
    r = fuzzing.Reader("broken", ".json", [b"{}"], broken, lambda v: True)
    with tempfile.TemporaryDirectory() as folder:
        assert fuzzing.outcome(r, b"{}", folder) == "crash:ZeroDivisionError"
    tally = fuzzing.run([r], 5)
    assert tally.counts["broken"]["crash:ZeroDivisionError"] == 5 and "broken: crash:ZeroDivisionError" in tally.examples


def test_mutate_changes_the_input_and_is_reproducible():
    seed = b'{"layers": [{"weight": [["1", "2"]], "bias": ["0"]}]}'
    a = [fuzzing.mutate(seed, random.Random(k)) for k in range(50)]
    b = [fuzzing.mutate(seed, random.Random(k)) for k in range(50)]
    assert a == b and sum(m != seed for m in a) >= 45


# --------------------------------------------------------------------------- the command line, as a user runs it

def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(fuzzing.ROOT)}
    return subprocess.run([sys.executable, "-m", "certify", *args], capture_output=True, text=True, env=env,
                          cwd=fuzzing.ROOT, timeout=300)


def _bad_inputs(folder: str) -> list[tuple[list[str], str]]:
    """(command line, the file it must name) for damaged inputs of several readers."""
    s3 = str(fuzzing.EXAMPLES / "S3.json")
    out = []
    rng = random.Random(7)
    for name, suffix, cut in (("network-json", ".json", 0.5), ("npz", ".npz", 0.6), ("vnnlib", ".vnnlib", 0.55),
                              ("onnx", ".onnx", 0.5), ("pt2-export", ".pt2", 0.5)):
        r = all_readers().get(name)
        if r is None:
            continue
        path = os.path.join(folder, f"bad-{name}{suffix}")
        seed = r.seeds[0]
        with open(path, "wb") as fh:
            fh.write(seed[:int(len(seed) * cut)])  # truncated
        if name == "vnnlib":
            out.append((["equiv", s3, s3, "--box", path], path))
        else:
            out.append((["convert", path, os.path.join(folder, "out.json")], path))
    long_weight = os.path.join(folder, "long.json")
    with open(long_weight, "wb") as fh:
        fh.write(fuzzing.mutate((fuzzing.EXAMPLES / "S3.json").read_bytes(), rng).replace(b'"1"', b'"' + b"9" * 5000 + b'"'))
    out.append((["equiv", long_weight, s3], long_weight))
    return out


def test_the_cli_gives_exit_2_and_one_line_for_damaged_files(tmp_path):
    for argv, path in _bad_inputs(str(tmp_path)):
        run = _cli(*argv)
        assert run.returncode == 2, (argv, run.stderr)
        assert run.stderr.count("\n") == 1 and path in run.stderr, (argv, run.stderr)


def test_the_cli_gives_exit_2_for_a_bad_box_and_a_truncated_certificate(tmp_path):
    s3 = str(fuzzing.EXAMPLES / "S3.json")
    run = _cli("equiv", s3, s3, "--box=nan:1")
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and "--box" in run.stderr, run.stderr
    cert = next(iter(sorted(fuzzing.CERTIFICATES.glob("*.json"))))
    bad = tmp_path / "cert.json"
    bad.write_bytes(cert.read_bytes()[:100])
    run = _cli("check", str(bad))
    assert run.returncode == 2 and str(bad) in run.stderr and "Traceback" not in run.stderr, run.stderr
