"""certify fiber NET and certify fiber --family (docs/fibers.md): --json, exit codes, bad input."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from certify.cli import main
from certify.kernel import check
from certify.network import Network

EX = Path(__file__).resolve().parents[2] / "examples"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def _save(tmp_path, name, layers) -> Path:
    path = tmp_path / name
    Network.from_layers(layers).save(str(path))
    return path


def test_fiber_json_components(capsys, tmp_path):
    twins = _save(tmp_path, "twins.json", [([[1], [2]], [0, 0]), ([[1, 3]], [0])])
    code, out, _ = run(capsys, "fiber", twins, "--json")
    obj = json.loads(out)
    assert code == 0 and obj["exit_code"] == 0 and obj["N"] == 7
    assert (obj["orbit_dim"], obj["local_dim"], obj["dim"]) == (2, 3, 3)
    types = [c["type"] for c in obj["components"]]
    assert types == ["orbit", "stratum", "twins", "merge"]
    for c in obj["components"][1:]:
        assert c["kernel"] == "valid" and check(c["certificate"]).valid
        assert c["certificate"]["claim"]["networks"]["B"]["layers"] == c["sample"]["layers"]
    assert "certificate" not in obj["components"][0]


def test_fiber_text_and_witness_folder(capsys, tmp_path):
    code, text, _ = run(capsys, "fiber", EX / "S7.json", "--witness", tmp_path / "w")
    assert code == 0 and "flip {[0,0], [0,1], [0,2]}: dim 3" in text and "(exit 0)" in text
    files = sorted(p.name for p in (tmp_path / "w").iterdir())
    assert files == ["1-flip.cert.json", "1-flip.json"]
    assert check(json.loads((tmp_path / "w" / "1-flip.cert.json").read_text())).valid
    code, out, _ = run(capsys, "fiber", EX / "S7.json", "--witness", tmp_path / "w2", "--json")
    comp = json.loads(out)["components"][1]
    assert "certificate" not in comp and comp["certificate_file"].endswith("1-flip.cert.json")


def test_deep_network_exit_3(capsys, tmp_path):
    deep = _save(tmp_path, "deep.json", [([[1]], [0]), ([[1]], [0]), ([[1]], [0])])
    code, out, _ = run(capsys, "fiber", deep, "--json")
    obj = json.loads(out)
    assert code == 3 and obj["exit_code"] == 3 and "one hidden layer only" in obj["summary"]


@pytest.mark.parametrize("argv", [
    ["fiber"],                                                   # neither NET nor --family
    ["fiber", "EX/S7.json", "--family", "pair"],                 # both
    ["fiber", "--family", "nope"],
    ["fiber", "--family", "pair", "--t-range", "1:2"],
    ["fiber", "--family", "pair", "--t-range=2:1:5"],
    ["fiber", "--family", "pair", "--t-range", "0:1:x"],
    ["fiber", "EX/S7.json", "--plot", "a.png"],                  # --plot only with --family
    ["fiber", "--family", "pair", "--witness", "w"],
    ["fiber", "--family", "pair", "--out", "r.json"],            # extension
    ["fiber", "missing.json"],
])
def test_bad_input_one_line_exit_2(capsys, tmp_path, argv):
    argv = [a.replace("EX/", f"{EX}/") for a in argv]
    code, out, err = run(capsys, *argv, "--json")
    assert code == 2
    obj = json.loads(out)
    assert obj["exit_code"] == 2 and "\n" not in obj["error"]


def test_no_hidden_layer_is_bad_input(capsys, tmp_path):
    flat = _save(tmp_path, "flat.json", [([[1, 2]], [0])])
    code, _, err = run(capsys, "fiber", flat)
    assert code == 2 and err.count("\n") == 1


def test_family_json_and_records(capsys, tmp_path):
    out_file = tmp_path / "r.jsonl"
    code, out, _ = run(capsys, "fiber", "--family", "twins", "--t-range=-1/2:1/2:3", "--out", out_file, "--json")
    obj = json.loads(out)
    assert code == 0 and [r["t"] for r in obj["records"]] == ["-1/2", "0", "1/2"]
    assert [r["fiber_dim"] for r in obj["records"]] == [2, 3, 2]
    assert [r["honesty"] for r in obj["records"]] == ["int-sigma", "not-sigma", "int-sigma"]
    lines = [json.loads(line) for line in out_file.read_text().splitlines()]
    assert len(lines) == 3 and all(r["certified"] for r in lines)
    assert all(check(r["honest_certificate"]).valid for r in lines)


def test_escape_family_keeps_its_kink_moment_until_the_kink_is_gone(capsys):
    """Theorem 3.8's family: fiber dim 1 and honest for t ≠ 0, kink moment 2 however close to 0;
    at t = 0 the zero function (moment 0, a constant neuron, fiber dim 2)."""
    code, out, _ = run(capsys, "fiber", "--family", "escape", "--t-range=-1/100:1/100:3", "--json")
    obj = json.loads(out)
    assert code == 0 and [r["t"] for r in obj["records"]] == ["-1/100", "0", "1/100"]
    assert [r["kink_moment"] for r in obj["records"]] == ["2", "0", "2"]
    assert [r["fiber_dim"] for r in obj["records"]] == [1, 2, 1]
    assert [r["honesty"] for r in obj["records"]] == ["int-sigma", "not-sigma", "int-sigma"]


def test_family_plot(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    png = tmp_path / "f.png"
    code, text, _ = run(capsys, "fiber", "--family", "pair", "--t-range=0:1:2", "--plot", png)
    assert code == 0 and png.read_bytes()[:4] == b"\x89PNG" and "written:" in text
