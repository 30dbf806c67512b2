""".nnet, .npz and PyTorch importers: exact values, documented conventions, one-line errors."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certify.cli import main
from certify.io import load_any, save_any
from certify.io.nnet import load_nnet, normalized_box
from certify.kernel.exact import InputError
from certify.network import Network
from strategies import direct_eval, networks
from paths import benchmarks

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"




# --------------------------------------------------------------------------- .nnet

SMALL_NNET = """// A tiny network in the ACAS Xu format
// second comment line
2,2,1,3,
2,3,1,
0,
-1.0,0.0,
1.0,10.0,
0.0,5.0,7.5,
2.0,10.0,3.0,
0.1,-2,
1e-3,0.5,
-0.25,3.0,
0.5,
-1,
0,
1.0,-1.0,2.5,
0.125,
"""


def test_nnet_numbers_are_exact_decimals_and_normalisation_is_not_applied(tmp_path):
    path = tmp_path / "tiny.nnet"
    path.write_text(SMALL_NNET)
    net = load_any(path)
    assert net.widths == (2, 3, 1)
    assert net.layers[0].weight == ((Fraction(1, 10), -2), (Fraction(1, 1000), Fraction(1, 2)), (Fraction(-1, 4), 3))
    assert net.layers[0].bias == (Fraction(1, 2), -1, 0)
    assert net.layers[1].weight == ((1, -1, Fraction(5, 2)),) and net.layers[1].bias == (Fraction(1, 8),)
    assert net.box is None  # bounds are reported, not applied
    norm = net.metadata["normalization"]
    assert norm["input_mean"] == ["0", "5"] and norm["output_range"] == "3" and norm["applied"] is False
    # raw network: f(x) evaluates the weights directly, without (x − mean)/range
    x = [Fraction(1), Fraction(2)]
    assert net(x) == tuple(direct_eval(net, x))
    assert normalized_box(net) == ((Fraction(-1, 2), Fraction(1, 2)), (Fraction(-1, 2), Fraction(1, 2)))
    floats = load_nnet(path, exact_decimals=False)
    assert floats.layers[0].weight[0][0] == Fraction(0.1) != Fraction(1, 10)


@pytest.mark.parametrize("mutate, message", [
    (lambda t: t.replace("0.125,\n", ""), "file ends early"),
    (lambda t: t + "9,\n", "unexpected numbers"),
    (lambda t: t.replace("2,3,1,", "2,4,1,"), "line"),
    (lambda t: t.replace("1e-3", "abc"), "line 11: not a rational number"),
    (lambda t: t.replace("2,2,1,3,", "2.5,2,1,3,"), "integer"),
])
def test_malformed_nnet_is_rejected_with_the_line(tmp_path, mutate, message):
    path = tmp_path / "bad.nnet"
    path.write_text(mutate(SMALL_NNET))
    with pytest.raises(InputError, match=message):
        load_any(path)


def test_nnet_round_trip_on_real_acas_weights(tmp_path):
    """ACAS Xu float32 weights written as exact decimals and read back: the same rationals."""
    net = Network.load(benchmarks() / "acasxu/ACASXU_run2a_2_3_batch_2000.json").replace(box=(
        (Fraction(-1, 2), Fraction(1, 2)),) * 5)
    save_any(net, tmp_path / "acas.nnet")
    back = load_any(tmp_path / "acas.nnet")
    assert back.layers == net.layers
    assert normalized_box(back) == net.box  # means 0, ranges 1: the bounds are the domain


def test_nnet_writer_refuses_numbers_without_a_decimal_expansion(tmp_path):
    net = Network.from_layers([([["1/3"]], ["0"]), ([["1"]], ["0"])], box=[("0", "1")])
    with pytest.raises(InputError, match="1/3"):
        save_any(net, tmp_path / "n.nnet")


def test_convert_nnet_box_sets_the_normalised_domain(tmp_path, capsys):
    path = tmp_path / "tiny.nnet"
    path.write_text(SMALL_NNET)
    assert main(["convert", str(path), str(tmp_path / "t.json"), "--nnet-box"]) == 0
    assert Network.load(tmp_path / "t.json").box == ((Fraction(-1, 2), Fraction(1, 2)),) * 2
    assert main(["convert", str(EXAMPLES / "S3.json"), str(tmp_path / "x.json"), "--nnet-box"]) == 2
    assert "normalisation" in capsys.readouterr().err


# --------------------------------------------------------------------------- .npz

dyadic = st.builds(lambda n, k: Fraction(n, 2 ** k), st.integers(-64, 64), st.integers(0, 6))


@settings(max_examples=25)
@given(networks(entries=dyadic, max_width=5))
def test_npz_round_trip_is_exact(tmp_path_factory, net):
    path = tmp_path_factory.mktemp("npz") / "n.npz"
    assert save_any(net, path) is None
    assert load_any(path).layers == net.layers


def test_npz_documented_names_integers_and_domain(tmp_path):
    path = tmp_path / "n.npz"
    np.savez(path, W0=np.array([[1, -2]], dtype=np.int64), b0=np.array([0.1], dtype=np.float32),
             W1=np.array([[3.0]]), b1=np.array([0.0]), domain=np.array([[-1.0, 1.0], [0.0, 0.5]]))
    net = load_any(path)
    assert net.layers[0].weight == ((1, -2),)
    assert net.layers[0].bias == (Fraction(float(np.float32(0.1))),)  # the float32's exact value
    assert net.box == ((-1, 1), (0, Fraction(1, 2)))


@pytest.mark.parametrize("arrays, message", [
    ({"W0": np.eye(2), "b0": np.zeros(2), "w1": np.eye(2)}, "w1: unexpected array"),
    ({"W0": np.eye(2)}, "b0: missing"),
    ({"W0": np.eye(2), "b0": np.zeros(2), "W2": np.eye(2), "b2": np.zeros(2)}, "without gaps"),
    ({"W0": np.eye(2), "b0": np.zeros(3)}, "3 entries"),
    ({"W0": np.ones((2, 3)), "b0": np.zeros(2), "W1": np.ones((1, 3)), "b1": np.zeros(1)}, "previous layer"),
    ({"W0": np.array([[np.inf]]), "b0": np.zeros(1)}, "finite"),
    ({"W0": np.array([["a"]]), "b0": np.zeros(1)}, "numeric"),
])
def test_bad_npz_is_rejected_naming_the_array(tmp_path, arrays, message):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(InputError, match=message):
        load_any(path)


def test_npz_with_pickled_objects_is_refused_without_running_them(tmp_path, capsys):
    path = tmp_path / "obj.npz"
    np.savez(path, W0=np.array([{"x": 1}], dtype=object), b0=np.zeros(1))
    assert main(["convert", str(path), str(tmp_path / "o.json")]) == 2
    assert "obj.npz" in capsys.readouterr().err


# --------------------------------------------------------------------------- PyTorch

def _sequential_like(torch, net: Network):
    layers = []
    for i, layer in enumerate(net.layers):
        lin = torch.nn.Linear(len(layer.weight[0]), len(layer.weight), dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(torch.tensor([[float(v) for v in r] for r in layer.weight], dtype=torch.float64))
            lin.bias.copy_(torch.tensor([float(v) for v in layer.bias], dtype=torch.float64))
        layers.append(lin)
        if i + 1 < len(net.layers):
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def test_torch_module_and_state_dict_import_exactly(tmp_path):
    torch = pytest.importorskip("torch")
    from certify.io.torch import from_module
    net = Network.load(benchmarks() / "acasxu/ACASXU_run2a_3_5_batch_2000.json")
    seq = _sequential_like(torch, net)
    assert from_module(seq).layers == net.layers
    torch.save(seq.state_dict(), tmp_path / "acas.pt")
    loaded = load_any(tmp_path / "acas.pt", assume_sequential=True)  # a state dict: only if stated
    assert loaded.layers == net.layers
    torch.save({"epoch": 3, "state_dict": seq.state_dict()}, tmp_path / "ckpt.pth")
    assert load_any(tmp_path / "ckpt.pth", assume_sequential=True).layers == net.layers
    torch.jit.save(torch.jit.script(seq), tmp_path / "acas-script.pt")  # TorchScript carries the graph
    assert load_any(tmp_path / "acas-script.pt").layers == net.layers


def test_torch_half_precision_and_composed_linears():
    torch = pytest.importorskip("torch")
    from certify.io.torch import from_module
    a, b = torch.nn.Linear(2, 3).to(torch.bfloat16), torch.nn.Linear(3, 1).to(torch.bfloat16)
    a.requires_grad_(False)
    b.requires_grad_(False)
    seq = torch.nn.Sequential(torch.nn.Flatten(), a, b, torch.nn.ReLU())  # Linear∘Linear, trailing ReLU
    net = from_module(seq)
    assert net.widths == (2, 1, 1)
    x = [Fraction(1, 2), Fraction(-3)]
    wa = [[Fraction(float(v)) for v in row] for row in a.weight.float().tolist()]
    wb = [Fraction(float(v)) for v in b.weight.float()[0].tolist()]
    ba, bb = [Fraction(float(v)) for v in a.bias.float().tolist()], Fraction(float(b.bias.float()[0]))
    hidden = [sum(w * xi for w, xi in zip(row, x)) + c for row, c in zip(wa, ba)]
    expected = max(sum(w * h for w, h in zip(wb, hidden)) + bb, Fraction(0))
    assert net(x) == (expected,)


def test_torch_rejects_other_modules_and_pickled_modules(tmp_path, capsys):
    torch = pytest.importorskip("torch")
    from certify.io.torch import from_module
    with pytest.raises(InputError, match=r"'1' \(Sigmoid\)"):
        from_module(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Sigmoid()))
    torch.save(torch.nn.Sequential(torch.nn.Linear(2, 2)), tmp_path / "module.pt")
    assert main(["convert", str(tmp_path / "module.pt"), str(tmp_path / "m.json")]) == 2
    err = capsys.readouterr().err
    assert "pickled" in err and "torch.jit.save" in err and err.count("\n") == 1
    torch.save({"0.weight": torch.eye(2), "1.running_mean": torch.zeros(2)}, tmp_path / "bn.pt")
    with pytest.raises(InputError, match="running_mean"):
        load_any(tmp_path / "bn.pt", assume_sequential=True)


def test_torch_missing_gives_an_install_hint(monkeypatch, tmp_path):
    import builtins
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        level = args[3] if len(args) > 3 else kwargs.get("level", 0)
        if name == "torch" and level == 0:
            raise ImportError("no torch")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    (tmp_path / "x.pt").write_bytes(b"")
    with pytest.raises(InputError, match=r"certify\[torch\]"):
        load_any(tmp_path / "x.pt")


# --------------------------------------------------------------------------- every command, every format

def test_commands_accept_every_format_by_extension(tmp_path, capsys):
    s3 = Network.load(EXAMPLES / "S3.json")
    paths = {}
    for ext in (".npz", ".nnet"):
        paths[ext] = tmp_path / f"s3{ext}"
        save_any(s3.replace(box=((Fraction(-4), Fraction(4)),)), paths[ext])
    assert main(["orbit", str(paths[".npz"]), str(EXAMPLES / "S3.json")]) == 0
    assert main(["equiv", str(paths[".nnet"]), str(EXAMPLES / "S3-witness.json"), "--json"]) == 0
    capsys.readouterr()
    assert main(["equiv", str(tmp_path / "nothere.npz"), str(EXAMPLES / "S3.json")]) == 2
    assert "nothere.npz: no such file" in capsys.readouterr().err


def test_rounded_float32_export_says_float32(tmp_path):
    """`convert --dtype float32 --round` reports the dtype it rounded to (it said float64)."""
    import subprocess
    import sys
    out = tmp_path / "x.onnx"
    r = subprocess.run([sys.executable, "-m", "certify", "convert", "examples/D-ID.json", str(out),
                        "--dtype", "float32", "--round"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0
    assert "ROUNDED to float32" in r.stdout and "float32" in r.stderr and "float64 (" not in r.stderr
