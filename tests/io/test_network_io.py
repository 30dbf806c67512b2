"""The network format: exact reading and writing, metadata, and bad input (issue 2, item 3)."""
from __future__ import annotations

import copy
import json
import subprocess
import sys
from fractions import Fraction

import pytest
from hypothesis import given

from certify.cli import main
from certify.kernel.exact import InputError, fmt, rational
from certify.network import Network
from strategies import direct_eval, networks, small_rationals

GOOD = {"format": "certify.network/1",
        "layers": [{"weight": [["1", "-2"], ["1/3", "0.25"]], "bias": ["0", "-1"]},
                   {"weight": [["2", "-1"]], "bias": ["1/2"]}],
        "domain": {"box": [["-1", "1"], ["0", "2"]]}}


def write(tmp_path, obj, name="net.json"):
    p = tmp_path / name
    p.write_text(obj if isinstance(obj, str) else json.dumps(obj))
    return str(p)


def test_numbers_are_exact():
    assert rational("1/3") == Fraction(1, 3)
    assert rational("0.1") == Fraction(1, 10)          # decimal strings are decimal, not binary
    assert rational(0.1) == Fraction(3602879701896397, 36028797018963968)  # JSON floats are binary64
    assert rational("-1e-3") == Fraction(-1, 1000)
    assert rational(7) == 7 and rational("2.50") == Fraction(5, 2)


@given(small_rationals)
def test_fmt_round_trips(q):
    assert rational(fmt(q)) == q


def test_reads_all_number_forms_and_keeps_metadata(tmp_path):
    obj = dict(copy.deepcopy(GOOD), name="demo", source="unit test", metadata={"k": [1, 2]})
    obj["layers"][0]["weight"][0] = [1, 0.5]
    net = Network.load(write(tmp_path, obj))
    assert net.layers[0].weight[0] == (1, Fraction(1, 2))
    assert net.layers[0].weight[1] == (Fraction(1, 3), Fraction(1, 4))
    assert (net.name, net.source, net.metadata) == ("demo", "unit test", {"k": [1, 2]})
    assert net.box == ((-1, 1), (0, 2))
    assert (net.N, net.H, net.widths) == (9, 2, (2, 2, 1))
    again = Network.from_json(json.loads(json.dumps(net.to_json())))
    assert again.layers == net.layers and again.box == net.box and again.metadata == net.metadata


@given(networks())
def test_json_round_trip_and_exact_evaluation(net):
    again = Network.from_json(json.loads(json.dumps(net.to_json())))
    assert again.layers == net.layers
    x = [Fraction(i + 1, 3) for i in range(net.widths[0])]
    assert list(net(x)) == direct_eval(net, x)


def test_pattern_and_float_view():
    net = Network.from_json(GOOD)
    x = [Fraction(1), Fraction(2)]
    assert net.pattern(x) == ((-1, -1),)
    assert abs(float(net(x)[0]) - net.float_eval([[1.0, 2.0]])[0, 0]) < 1e-12


BAD_CASES = [
    ("missing file", None, "no such file"),
    ("not JSON", "{format: nope}", "not JSON"),
    ("truncated JSON", '{"format": "certify.network/1", "layers": [', "truncated JSON"),
    ("wrong format", dict(GOOD, format="onnx"), "format"),
    ("empty layers", dict(GOOD, layers=[]), "layers"),
    ("ragged rows", {**GOOD, "layers": [{"weight": [["1", "2"], ["1"]], "bias": ["0", "0"]}, GOOD["layers"][1]]},
     "layers[0].weight[1]"),
    ("mismatched shapes", {**GOOD, "layers": [GOOD["layers"][0], {"weight": [["1", "2", "3"]], "bias": ["0"]}]},
     "layers[1].weight[0]"),
    ("bias length", {**GOOD, "layers": [{"weight": GOOD["layers"][0]["weight"], "bias": ["0"]}, GOOD["layers"][1]]},
     "layers[0].bias"),
    ("abc", '{"format": "certify.network/1", "layers": [{"weight": [["abc"]], "bias": ["0"]}]}',
     "layers[0].weight[0][0]"),
    ("1/0", '{"format": "certify.network/1", "layers": [{"weight": [["1/0"]], "bias": ["0"]}]}',
     "layers[0].weight[0][0]"),
    ("NaN", '{"format": "certify.network/1", "layers": [{"weight": [[NaN]], "bias": ["0"]}]}',
     "layers[0].weight[0][0]"),
    ("Infinity", '{"format": "certify.network/1", "layers": [{"weight": [[1]], "bias": [Infinity]}]}',
     "layers[0].bias[0]"),
    ("box lo > hi", {**GOOD, "domain": {"box": [["1", "-1"], ["0", "2"]]}}, "domain.box[0]"),
    ("box dimension", {**GOOD, "domain": {"box": [["-1", "1"]]}}, "domain.box"),
    ("unknown key", dict(GOOD, colour="red"), "colour"),
    ("unknown layer key", {**GOOD, "layers": [dict(GOOD["layers"][0], act="relu"), GOOD["layers"][1]]},
     "layers[0].act"),
    ("boolean", '{"format": "certify.network/1", "layers": [{"weight": [[true]], "bias": ["0"]}]}',
     "layers[0].weight[0][0]"),
    # json keeps the last of two equal keys; another reader would see a different network
    ("duplicate key", '{"format": "certify.network/1", "layers": [{"weight": [[1]], "bias": [0], "bias": [1]}]}',
     "duplicate key 'bias'"),
    ("huge integer", '{"format": "certify.network/1", "layers": [{"weight": [[' + "9" * 5000 + ']], "bias": [0]}]}',
     "4300 digits"),
]


@pytest.mark.parametrize("label,content,place", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_input_is_one_line_exit_2(tmp_path, capsys, label, content, place):
    path = str(tmp_path / "absent.json") if content is None else write(tmp_path, content)
    code = main(["orbit", path, path])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert path in err and place in err, err


def test_bad_input_from_the_shell_has_no_traceback(tmp_path):
    path = write(tmp_path, '{"format": "certify.network/1", "layers": [{"weight": [["1/0"]], "bias": ["0"]}]}')
    proc = subprocess.run([sys.executable, "-m", "certify", "equiv", path, path], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "layers[0].weight[0][0]" in proc.stderr
    assert proc.stdout == ""


def test_bad_box_flag(tmp_path, capsys):
    path = write(tmp_path, GOOD)
    assert main(["equiv", path, path, "--box=1:0"]) == 2
    assert "--box[0]" in capsys.readouterr().err
    assert main(["equiv", path, path, "--box=0:1,0:1,0:1"]) == 2
    assert "input dimension is 2" in capsys.readouterr().err


def test_unknown_option_is_one_line(capsys):
    assert main(["equiv", "--frobnicate"]) == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments" in err or "required" in err
    assert err.strip().count("\n") == 0


def test_input_error_names_the_place():
    with pytest.raises(InputError) as e:
        rational("x", "layers[1].weight[0][2]")
    assert str(e.value).startswith("layers[1].weight[0][2]")
