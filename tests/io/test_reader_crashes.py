"""Crash classes found by fuzzing the readers: each is bad input, exit 2, one line naming the
file and the place — never an internal error (exit 4) and never a hang.

Each test here failed on the code before issue 11 (an OverflowError, a ValueError from
Python's int-string limit, a RuntimeError from zipfile, an accepted malformed file …).
"""
from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from certify.cli import main
from certify.core.domain import parse_box, resolve
from certify.core.numbers import MAX_BOUND
from certify.io import load_any, save_any
from certify.io.vnnlib import read_input_box
from certify.kernel.exact import InputError
from certify.network import Network

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
S3 = str(EXAMPLES / "S3.json")
S3W = str(EXAMPLES / "S3-witness.json")
LONG = "1" * 5000  # beyond Python's 4300-digit limit for integer strings


def one_line_error(capsys, *needles: str) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error" not in err, err
    for needle in needles:
        assert needle in err, err
    return err


def s3_with(tmp_path: Path, value: str, name: str = "n.json") -> Path:
    obj = json.loads(Path(S3).read_text())
    obj["layers"][1]["weight"][0][1] = value
    path = tmp_path / name
    path.write_text(json.dumps(obj))
    return path


# --------------------------------------------------------------------------- numbers beyond Python's digit limit

@pytest.mark.parametrize("text", [LONG, f"-{LONG}", f"1/{LONG}", f"{LONG}/7", f"0.{LONG}", f"{LONG}e3"],
                         ids=["int", "negative", "denominator", "numerator", "decimal", "exponent"])
def test_network_json_with_a_number_of_more_than_4300_digits_names_the_place(tmp_path, capsys, text):
    path = s3_with(tmp_path, text)
    with pytest.raises(InputError) as e:
        Network.load(path)
    assert e.value.path == f"{path}: layers[1].weight[0][1]"
    assert "4300 digits" in e.value.message
    assert main(["equiv", str(path), S3]) == 2
    one_line_error(capsys, str(path), "layers[1].weight[0][1]")


def test_box_with_a_number_of_more_than_4300_digits(capsys):
    with pytest.raises(InputError, match=r"--box\[0\]: .*4300 digits"):
        parse_box(f"0:{LONG}", 1)
    assert main(["equiv", S3, S3W, f"--box=0:{LONG}"]) == 2
    one_line_error(capsys, "--box[0]")


# --------------------------------------------------------------------------- magnitudes beyond the float range

@pytest.mark.parametrize("box", ["1e400:1e401", "-1e301:0", "0:10000000000" + "0" * 300], ids=["e400", "e301", "digits"])
def test_box_beyond_the_documented_magnitude_is_refused(capsys, box):
    assert main(["equiv", S3, S3W, f"--box={box}"]) == 2
    one_line_error(capsys, "--box[0]", "10^300")


def test_box_at_the_documented_magnitude_is_accepted_and_exact():
    net = Network.load(S3)
    domain = resolve({"A": net}, f"{MAX_BOUND}:{MAX_BOUND}")
    assert domain.box == ((Fraction(MAX_BOUND), Fraction(MAX_BOUND)),)  # exact, not a float


def test_declared_domain_beyond_the_magnitude_is_refused_naming_the_file(tmp_path):
    obj = json.loads(Path(S3).read_text())
    obj["domain"] = {"box": [["1e400", "1e401"]]}
    path = tmp_path / "big-domain.json"
    path.write_text(json.dumps(obj))
    net = load_any(path)  # reading stays exact: the box is a valid rational box
    assert net.box == ((Fraction(10) ** 400, Fraction(10) ** 401),)
    assert main(["equiv", str(path), S3W]) == 2
    with pytest.raises(InputError, match=r"domain\.box\[0\]"):
        resolve({"A": net.replace()}, None)


def test_vnnlib_bound_beyond_the_magnitude_is_refused(tmp_path, capsys):
    prop = tmp_path / "big.vnnlib"
    prop.write_text("(declare-const X_0 Real)\n(assert (<= X_0 1e401))\n(assert (>= X_0 1e400))\n")
    assert read_input_box(prop, 1)[0][0] == Fraction(10) ** 400  # the reader stays exact
    assert main(["equiv", S3, S3W, "--box", str(prop)]) == 2
    one_line_error(capsys, f"{prop}: X_0", "10^300")


def test_network_weight_beyond_the_float_range_is_refused_when_searched(tmp_path, capsys):
    path = s3_with(tmp_path, "1e400")
    net = load_any(path)
    assert net.layers[1].weight[0][1] == Fraction(10) ** 400  # read exactly
    assert main(["equiv", str(path), S3]) == 2
    one_line_error(capsys, str(path), "layers[1].weight[0][1]", "float range")
    assert main(["convert", str(path), str(tmp_path / "copy.json")]) == 0  # the exact path still works
    assert load_any(tmp_path / "copy.json").layers == net.layers


# --------------------------------------------------------------------------- VNN-LIB

def vnnlib(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "p.vnnlib"
    path.write_text(text)
    return path


GOOD = "(declare-const X_0 Real)\n(declare-const Y_0 Real)\n(assert (<= X_0 1.0))\n(assert (>= X_0 -0.5))\n"


def test_vnnlib_huge_exponent_is_refused_at_once(tmp_path, capsys):
    # Fraction("1e99999999999") would build a 10^11-digit integer: the old reader ran until killed.
    path = vnnlib(tmp_path, GOOD.replace("1.0", "1e99999999999"))
    with pytest.raises(InputError, match="exponent out of range"):
        read_input_box(path, 1)
    assert main(["equiv", S3, S3W, "--box", str(path)]) == 2
    one_line_error(capsys, str(path), "line 3")


@pytest.mark.parametrize("bad, where, what", [
    ("(assert (>= Y_0 ))\n", "line 5", "exactly two terms"),
    ("(assert (<= Y_0 1.0 2.0))\n", "line 5", "exactly two terms"),
    ("(assert (>= Y_0 1.0)\n", "line 5", "never closed"),
    ("(assert (>= Y_0 1.0)))\n", "line 5", "closes nothing"),
    ("(assert (or))\n", "line 5", "at least one formula"),
    ("(assert (frobnicate Y_0 1.0))\n", "line 5", "unknown operator"),
    ("(assert)\n", "line 5", "exactly one formula"),
    ("(assert (<= Y_0 (+)))\n", "line 5", "expected a term"),
    ("stray\n", "line 5", "outside parentheses"),
])
def test_vnnlib_malformed_assertions_are_refused(tmp_path, capsys, bad, where, what):
    path = vnnlib(tmp_path, GOOD + bad)
    with pytest.raises(InputError) as e:
        read_input_box(path, 1)
    assert e.value.path == f"{path}: {where}" and what in e.value.message
    assert main(["equiv", S3, S3W, "--box", str(path)]) == 2
    one_line_error(capsys, str(path))


def test_vnnlib_well_formed_properties_still_read(tmp_path):
    text = GOOD + ("(assert (or (and (>= Y_0 0.5)) (<= (+ Y_0 (* 2.0 X_0)) 0.0)))\n"
                   "(assert (<= X_0 X_0))\n(assert (not (< Y_0 1e-3)))\n")
    assert read_input_box(vnnlib(tmp_path, text), 1) == ((Fraction(-1, 2), Fraction(1)),)
    acas = Path("/work/shared/benchmarks/acasxu/prop_1.vnnlib")
    if acas.is_file():
        assert len(read_input_box(acas, 5)) == 5
    v2 = vnnlib(tmp_path, "(vnnlib-version <2.0>)\n(declare-network A (declare-input X real [1, 1]))\n"
                          "(assert (<= X[0, 0] 3.0))\n(assert (>= X[0,0] 0.5))\n")
    assert read_input_box(v2, 1) == ((Fraction(1, 2), Fraction(3)),)


# --------------------------------------------------------------------------- .npz

def _patch_zip(data: bytes, flag: int = 0, method: int | None = None) -> bytes:
    """Set a general-purpose flag bit / the compression method in every zip header."""
    out = bytearray(data)
    for sig, flag_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        i = out.find(sig)
        while i >= 0:
            struct.pack_into("<H", out, i + flag_at, struct.unpack_from("<H", out, i + flag_at)[0] | flag)
            if method is not None:
                struct.pack_into("<H", out, i + method_at, method)
            i = out.find(sig, i + 4)
    return bytes(out)


def _npz(tmp_path: Path, **arrays) -> Path:
    arrays = arrays or {"W0": np.eye(2), "b0": np.zeros(2), "W1": np.ones((1, 2)), "b1": np.zeros(1)}
    path = tmp_path / "n.npz"
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize("flag, method, detail", [(1, None, "encrypted"), (0, 99, "compression method")])
def test_npz_encrypted_or_unsupported_compression_is_bad_input(tmp_path, capsys, flag, method, detail):
    path = _npz(tmp_path)
    path.write_bytes(_patch_zip(path.read_bytes(), flag, method))
    with pytest.raises(InputError, match=detail):
        load_any(path)
    assert main(["convert", str(path), str(tmp_path / "o.json")]) == 2
    one_line_error(capsys, str(path))


def test_npz_bias_of_shape_n_by_1_is_refused(tmp_path):
    path = _npz(tmp_path, W0=np.eye(2), b0=np.zeros((2, 1)), W1=np.ones((1, 2)), b1=np.zeros(1))
    with pytest.raises(InputError, match=r"b0: expected shape \(out,\), got \[2, 1\]"):
        load_any(path)
    row = _npz(tmp_path, W0=np.eye(2), b0=np.zeros(2), W1=np.ones((1, 2)), b1=np.zeros((1, 1)))
    with pytest.raises(InputError, match="b1"):
        load_any(row)


# --------------------------------------------------------------------------- outputs

def test_output_that_is_a_directory_or_has_an_unknown_extension(tmp_path, capsys):
    net = Network.load(S3)
    folder = tmp_path / "out.json"
    folder.mkdir()
    with pytest.raises(InputError, match="is a directory"):
        save_any(net, folder)
    for bad in ("x.txt", "x", "x.pt"):
        with pytest.raises(InputError, match="unknown extension|not supported"):
            save_any(net, tmp_path / bad)
        assert not (tmp_path / bad).exists()
        assert main(["convert", S3, str(tmp_path / bad)]) == 2
        one_line_error(capsys, "unknown extension")
    assert main(["convert", S3, str(folder)]) == 2
    one_line_error(capsys, "is a directory")
    assert main(["prune", S3, "--box=-1:1", "--out", str(folder)]) == 2
    one_line_error(capsys, "--out", "is a directory")


def test_output_in_a_folder_without_write_permission(tmp_path, capsys, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.geteuid() != 0:  # root writes anywhere; then simulate the refusal below
            assert main(["convert", S3, str(locked / "o.json")]) == 2
            one_line_error(capsys, "cannot write")
        real_access = os.access
        monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if str(p) == str(locked)
                            else real_access(p, mode, **kw))
        assert main(["convert", S3, str(locked / "o.json")]) == 2
        one_line_error(capsys, "cannot write in the folder")
        assert main(["equiv", S3, S3W, "--certificate", str(locked / "c.json")]) == 2
        one_line_error(capsys, "--certificate", "cannot write")
    finally:
        locked.chmod(0o700)


def test_a_failing_write_is_bad_input_and_leaves_no_file(tmp_path, monkeypatch):
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(InputError, match="cannot write: Permission denied"):
        Network.load(S3).save(tmp_path / "o.json")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- the command line, end to end

def test_cli_subprocess_gives_exit_2_and_one_line(tmp_path):
    path = s3_with(tmp_path, LONG)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "certify", "convert", str(path), str(tmp_path / "o.json")],
                         capture_output=True, text=True, env=env, cwd=ROOT)
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and str(path) in run.stderr, run.stderr


@given(st.integers(min_value=4301, max_value=6000), st.sampled_from(["", "-", "+"]))
def test_any_too_long_integer_in_a_box_is_bad_input(digits, sign):
    with pytest.raises(InputError, match=r"--box\[0\]"):
        parse_box(f"{sign}{'7' * digits}:{'8' * digits}", 1)
