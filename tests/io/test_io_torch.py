"""PyTorch: read what carries the graph, exactly; refuse what is not a ReLU network; refuse bare
state dicts unless the user states the architecture (issue 11).

Each accepted model is compared with an exact forward pass written here from the module's own
tensors (Fractions, independent of certify's importer) at rational points.  The tests that need
torch skip without it (CI has no torch); the refusal logic of the graph walker
(``certify.io.opchain``) is tested without torch too.
"""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from certify.cli import main
from certify.io import load_any
from certify.io.opchain import GraphNode, Op, Ref, chain_of, exact_sqrt, network_from_ops
from certify.io.torch import ASSUMED, STATE_DICT_REFUSED, from_state_dict
from certify.kernel.exact import InputError

POINTS = [[Fraction(1, 2), Fraction(-1), Fraction(2), Fraction(1, 4)],
          [Fraction(-3), Fraction(0), Fraction(7, 8), Fraction(5)],
          [Fraction(0)] * 4]


# --------------------------------------------------------------------------- torch-free: the graph walker

def node(out, op, *operands):
    return GraphNode(out, op, operands, f"g: {op} ({out})")


W = np.array([[1.0, -2.0], [0.5, 3.0]])
B = np.array([0.25, -1.0])


def test_chain_of_reads_a_chain_in_forward_order():
    nodes = [node("h", "linear", Ref("x"), W, B), node("r", "relu", Ref("h")), node("d", "dropout", Ref("r"), 0.5, False),
             node("f", "flatten", Ref("d"), 1, -1), node("y", "linear", Ref("f"), W[:1], None)]
    ops = chain_of(list(reversed(nodes)), "x", "y")  # node order in the list does not matter
    assert [o.kind for o in ops] == ["linear", "relu", "identity", "identity", "linear"]
    net = network_from_ops(ops, "g", "test", {})
    x = (Fraction(3), Fraction(-1, 2))
    h = [max(Fraction(1) * x[0] - 2 * x[1] + Fraction(1, 4), Fraction(0)),
         max(Fraction(1, 2) * x[0] + 3 * x[1] - 1, Fraction(0))]
    assert net(x) == (h[0] - 2 * h[1],)


@pytest.mark.parametrize("op", ["sigmoid", "leaky_relu", "softmax", "tanh", "gelu", "prim::If", "mul"])
def test_chain_of_refuses_other_operators_naming_them(op):
    nodes = [node("h", "linear", Ref("x"), W, B), node("s", op, Ref("h")), node("y", "linear", Ref("s"), W, B)]
    with pytest.raises(InputError, match=f"operator '{op}' is not supported") as e:
        chain_of(nodes, "x", "y")
    assert e.value.path == f"g: {op} (s)"


def test_chain_of_refuses_a_residual_connection():
    nodes = [node("h", "linear", Ref("x"), W, B), node("r", "relu", Ref("h")), node("s", "add", Ref("r"), Ref("x")),
             node("y", "linear", Ref("s"), W, B)]
    with pytest.raises(InputError, match="'add' is not supported"):
        chain_of(nodes, "x", "y")
    # an accepted operator with two computed operands (a weight computed from the input) is no chain
    nodes = [node("h", "linear", Ref("x"), W, B), node("y", "linear", Ref("h"), Ref("x"), B)]
    with pytest.raises(InputError, match="2 computed operands"):
        chain_of(nodes, "x", "y")


@pytest.mark.parametrize("bad, message", [
    (node("y", "dropout", Ref("x"), 0.5, True), "training mode"),
    (node("y", "flatten", Ref("x"), 0, -1), "flatten"),
    (node("y", "batch_norm", Ref("x"), None, None, np.zeros(2), np.ones(2), True, 0.1, 0.0), "training mode"),
])
def test_chain_of_refuses_training_mode_and_other_flattenings(bad, message):
    with pytest.raises(InputError, match=message):
        chain_of([bad], "x", "y")


def test_chain_of_refuses_an_output_that_is_not_computed_from_the_input():
    with pytest.raises(InputError, match="does not depend on the input"):
        chain_of([node("h", "linear", Ref("x"), W, B)], "x", "y")


@given(st.fractions(min_value=0, max_value=1000, max_denominator=1000))
def test_exact_sqrt_is_exact_or_none(q):
    root = exact_sqrt(q)
    assert root is None or root * root == q
    assert exact_sqrt(q * q) == q


def test_batch_norm_folds_exactly_and_refuses_irrational_scales():
    gamma, beta, mean = np.array([2.0, -1.0]), np.array([0.5, 0.0]), np.array([1.0, -3.0])
    ops = [Op("linear", "g: l", (W, B)),
           Op("batch_norm", "g: bn", (gamma, beta, mean, np.array([4.0, 0.25]), 0.0))]
    net = network_from_ops(ops, "g", "test", {})
    x = (Fraction(1, 3), Fraction(-2))
    z = [x[0] - 2 * x[1] + Fraction(1, 4), Fraction(1, 2) * x[0] + 3 * x[1] - 1]
    assert net(x) == (2 * (z[0] - 1) / 2 + Fraction(1, 2), -1 * (z[1] + 3) / Fraction(1, 2))
    irrational = [Op("batch_norm", "g: bn", (gamma, beta, mean, np.array([1.0, 1.0]), 1e-5))]
    with pytest.raises(InputError, match=r"g: bn: running_var\[0\].*irrational"):
        network_from_ops(irrational, "g", "test", {})


def test_state_dict_is_refused_without_the_assumption_and_marked_with_it():
    with pytest.raises(InputError) as e:
        from_state_dict({"0.weight": W, "0.bias": B}, "m.pt")
    assert e.value.path == "m.pt" and e.value.message == STATE_DICT_REFUSED
    assert "--assume-sequential" in STATE_DICT_REFUSED and "architecture" in STATE_DICT_REFUSED
    import certify
    with pytest.raises(InputError, match="state dict"):  # the Python API refuses it too
        certify.equivalent({"0.weight": W, "0.bias": B}, {"0.weight": W, "0.bias": B})


# --------------------------------------------------------------------------- with torch: real models

def exact_forward(model, x):
    """The model's function at x, exactly, from its own tensors (Linear, ReLU, BatchNorm1d with a
    rational scale, Dropout/Identity/Flatten as identity)."""
    import torch
    nn = torch.nn
    v = list(x)
    val = lambda t: [Fraction(float(a)) for a in t.detach().double().reshape(-1).tolist()]  # noqa: E731
    for m in model:
        if isinstance(m, nn.Linear):
            rows = [val(r) for r in m.weight]
            b = val(m.bias) if m.bias is not None else [Fraction(0)] * len(rows)
            v = [sum(w * a for w, a in zip(r, v)) + c for r, c in zip(rows, b)]
        elif isinstance(m, nn.ReLU):
            v = [max(a, Fraction(0)) for a in v]
        elif isinstance(m, nn.BatchNorm1d):
            var = [q + Fraction(m.eps) for q in val(m.running_var)]
            root = [exact_sqrt(q) for q in var]
            v = [g * (a - mu) / r + bb for a, g, bb, mu, r in
                 zip(v, val(m.weight), val(m.bias), val(m.running_mean), root)]
        elif not isinstance(m, (nn.Dropout, nn.Identity, nn.Flatten)):
            raise AssertionError(m)
    return tuple(v)


def models(torch):
    nn = torch.nn
    torch.manual_seed(11)
    bn = nn.BatchNorm1d(3, eps=0.0)
    with torch.no_grad():
        bn.running_var.copy_(torch.tensor([4.0, 0.25, 1.0]))
        bn.running_mean.copy_(torch.tensor([0.5, -1.0, 2.0]))
        bn.weight.copy_(torch.tensor([1.5, -2.0, 0.75]))

    class Residual(nn.Module):  # 4-4-2 with a skip connection around the hidden layer
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(4, 4), nn.Linear(4, 2)

        def forward(self, x):
            return self.b(torch.relu(self.a(x)) + x)

    accepted = {
        "final-relu": nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2), nn.ReLU()),
        "every-accepted-module": nn.Sequential(nn.Flatten(), nn.Linear(4, 3), nn.ReLU(), nn.Dropout(0.2), bn,
                                               nn.Identity(), nn.Linear(3, 2)),
        "inplace-relu": nn.Sequential(nn.Linear(4, 3), nn.ReLU(inplace=True), nn.Linear(3, 2)),
    }
    refused = {
        "residual": (Residual(), "'add'"),
        "sigmoid": (nn.Sequential(nn.Linear(4, 3), nn.Sigmoid(), nn.Linear(3, 2)), "'sigmoid'"),
        "leaky-relu": (nn.Sequential(nn.Linear(4, 3), nn.LeakyReLU(), nn.Linear(3, 2)), "'leaky_relu'"),
        "softmax": (nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2), nn.Softmax(dim=1)), "'softmax'"),
        "irrational-batchnorm": (nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.Linear(3, 2)), "irrational"),
    }
    for m in list(accepted.values()) + [m for m, _ in refused.values()]:
        m.eval()
    return accepted, refused


def save_all(torch, model, tmp_path: Path, stem: str) -> dict[str, Path]:
    example = torch.zeros(2, 4)
    paths = {"script": tmp_path / f"{stem}-script.pt", "trace": tmp_path / f"{stem}-trace.pth",
             "export": tmp_path / f"{stem}.pt2"}
    torch.jit.save(torch.jit.script(model), paths["script"])
    torch.jit.save(torch.jit.trace(model, example), paths["trace"])
    torch.export.save(torch.export.export(model, (example,)), paths["export"])
    return paths


def test_models_that_carry_their_graph_are_read_exactly(tmp_path):
    torch = pytest.importorskip("torch")
    from certify.io.torch import from_module
    accepted, _ = models(torch)
    for stem, model in accepted.items():
        readings = {"module": from_module(model)}
        readings.update({how: load_any(p) for how, p in save_all(torch, model, tmp_path, stem).items()})
        for how, net in readings.items():
            for x in POINTS:
                assert net(x) == exact_forward(model, x), (stem, how, x)
        assert readings["module"].widths[-2:] == ((2, 2) if stem == "final-relu" else (3, 2))


@pytest.mark.parametrize("stem", ["residual", "sigmoid", "leaky-relu", "softmax", "irrational-batchnorm"])
def test_models_that_are_not_relu_networks_are_refused_naming_the_operator(tmp_path, capsys, stem):
    torch = pytest.importorskip("torch")
    from certify.io.torch import from_module
    _, refused = models(torch)
    model, what = refused[stem]
    with pytest.raises(InputError, match=what):
        from_module(model)
    for how, path in save_all(torch, model, tmp_path, stem).items():
        with pytest.raises(InputError, match=what):
            load_any(path)
        assert main(["convert", str(path), str(tmp_path / "out.json")]) == 2, how
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and str(path) in err and what in err, err
        assert not (tmp_path / "out.json").exists()


def test_a_state_dict_is_refused_unless_the_architecture_is_assumed(tmp_path, capsys):
    torch = pytest.importorskip("torch")
    accepted, refused = models(torch)
    residual = refused["residual"][0]
    path = tmp_path / "residual.pt"
    torch.save(residual.state_dict(), path)  # a 4-4-2 state dict: the skip connection is not in it
    assert main(["convert", str(path), str(tmp_path / "r.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "state dict" in err and "--assume-sequential" in err
    with pytest.raises(InputError, match="architecture"):
        load_any(path)
    # stated: read as Linear, ReLU, Linear, and the assumption is printed on every run
    assert main(["convert", str(path), str(tmp_path / "r.json"), "--assume-sequential"]) == 0
    assert ASSUMED in capsys.readouterr().err
    assert main(["honest", str(path), "--assume-sequential"]) in (0, 1)
    assert ASSUMED in capsys.readouterr().err
    net = load_any(path, assume_sequential=True)
    assert net.metadata["assumed"] == ASSUMED and net.widths == (4, 4, 2)
    final = accepted["final-relu"]
    torch.save({"state_dict": final.state_dict()}, tmp_path / "ckpt.pth")
    with pytest.raises(InputError, match="state dict"):
        load_any(tmp_path / "ckpt.pth")
    assert load_any(tmp_path / "ckpt.pth", assume_sequential=True).widths == (4, 3, 2)  # as stated: no final ReLU


def test_the_python_api_reads_modules_through_their_graph():
    torch = pytest.importorskip("torch")
    import certify
    accepted, refused = models(torch)
    model = accepted["final-relu"]
    assert certify.equivalent(model, torch.jit.script(model)).code == 0
    with pytest.raises(InputError, match="'add'"):
        certify.equivalent(refused["residual"][0], refused["residual"][0])
    with pytest.raises(InputError, match="state dict"):
        from_state_dict(model.state_dict(), "<state_dict>")


def test_modules_in_training_mode_are_refused():
    torch = pytest.importorskip("torch")
    from certify.io.torch import from_module
    nn = torch.nn
    with pytest.raises(InputError, match="training mode"):
        from_module(nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5), nn.Linear(2, 1)).train())
    with pytest.raises(InputError, match="training mode|eval"):
        from_module(nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2), nn.Linear(2, 1)).train())


def test_a_sequential_subclass_with_its_own_forward_is_read_through_its_graph():
    torch = pytest.importorskip("torch")
    from certify.io.torch import from_module
    nn = torch.nn

    class Doubling(nn.Sequential):
        def forward(self, x):
            return torch.sigmoid(super().forward(x))

    with pytest.raises(InputError, match="'sigmoid'"):
        from_module(Doubling(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1)).eval())


def test_an_inplace_write_off_the_chain_is_refused(tmp_path):
    torch = pytest.importorskip("torch")
    nn = torch.nn

    class Sneaky(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(2, 2), nn.Linear(2, 1)

        def forward(self, x):
            h = self.a(x)
            y = self.b(h)
            h.add_(1.0)  # off the path to the output, but it writes to a tensor
            return y

    path = tmp_path / "sneaky.pt"
    torch.jit.save(torch.jit.script(Sneaky().eval()), path)
    with pytest.raises(InputError, match="in-place"):
        load_any(path)


def test_a_reader_that_kills_the_process_is_bad_input_not_a_crash():
    # torch's C++ readers abort (std::terminate, SIGABRT) on some damaged TorchScript archives
    # (found by bench/fuzz.py); the load is tried in a forked child first.
    import os
    from certify.io.torch import _survives
    if not hasattr(os, "fork"):
        pytest.skip("no fork on this platform")
    with pytest.raises(InputError, match=r"m\.pt: damaged PyTorch archive.*signal 6"):
        _survives(os.abort, "m.pt")
    _survives(lambda: None, "m.pt")  # a reader that returns is let through
    _survives(lambda: 1 / 0, "m.pt")  # a Python exception is left to the caller's own handling


def test_the_torchscript_file_that_aborted_torch_is_exit_2_in_one_line(tmp_path):
    pytest.importorskip("torch")
    import os
    import subprocess
    import sys
    root = Path(__file__).resolve().parents[2]
    damaged = root / "tests" / "io" / "data" / "torchscript-abort.pt"  # bench/fuzz.py, seed 0
    run = subprocess.run([sys.executable, "-m", "certify", "convert", str(damaged), str(tmp_path / "o.json")],
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(root)}, cwd=root)
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and str(damaged) in run.stderr, run.stderr
