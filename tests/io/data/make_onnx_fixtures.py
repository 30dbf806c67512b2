"""Regenerate the ONNX fixtures of tests/io/test_io_onnx_exports.py from PyTorch (needs torch, onnxscript).

    python tests/io/data/make_onnx_fixtures.py

Each model is exported twice, with torch.onnx.export's default (dynamo) exporter and with
``dynamo=False``, as ``<name>.dynamo.onnx`` / ``<name>.legacy.onnx``.  The torch model's own
outputs on a few seeded random inputs go to ``onnx_fixtures.json``, so the tests compare
the exact import with the float model without torch installed.  The models:

* ``mlp``: Flatten of a [1, 2, 3] input, Linear 6→4, ReLU, bias-free Linear 4→3, ReLU,
  Linear 3→2 (seeded random float weights);
* ``bn_exact``: Flatten, Linear 6→4, BatchNorm1d(eps=2^-4), ReLU, Dropout(0.5), bias-free
  Linear 4→2, with dyadic weights and running_var = s^2 − eps for dyadic s, so that the folded
  layer is rational and float32 arithmetic on it is exact (the test checks the folded weights
  as Fractions);
* ``bn_identity``: Linear 3→4, a fresh BatchNorm1d(eps=9/16) (weight = running_var = 1, bias =
  running_mean = 0, so the legacy exporter shares them through ``Identity`` nodes; 1/sqrt(1 + 9/16)
  = 4/5), ReLU, Linear 4→1;
* ``bn_float``: Linear 3→4, BatchNorm1d (default eps, random running statistics), ReLU,
  Linear 4→1 (1/sqrt(var + eps) irrational);
* ``dynamic_batch``: ``x.view(x.size(0), -1)``, Linear 6→4, ReLU, Linear 4→2, exported with a
  symbolic batch dimension (the legacy exporter computes the Reshape target with Shape/Gather/
  Unsqueeze/Concat);
* ``sigmoid``, ``leaky``, ``softmax``, ``residual``: models that are not ReLU networks
  (dynamo export only), which the importer must refuse.
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import torch
from torch import nn

HERE = Path(__file__).resolve().parent
EPS = 2.0 ** -4


class View(nn.Module):
    """``x.view(x.size(0), -1)``: with a dynamic batch axis the legacy exporter computes the shape
    (Shape, Gather, Unsqueeze, Concat) before the Reshape."""

    def __init__(self) -> None:
        super().__init__()
        self.a, self.b = nn.Linear(6, 4), nn.Linear(4, 2)

    def forward(self, x):
        return self.b(torch.relu(self.a(x.view(x.size(0), -1))))


class Residual(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a, self.b = nn.Linear(3, 3), nn.Linear(3, 2)

    def forward(self, x):
        return self.b(torch.relu(self.a(x)) + x)


def dyadic(shape, gen, den=8):
    return torch.randint(-12, 13, shape, generator=gen).float() / den


def models() -> dict[str, tuple[nn.Module, tuple[int, ...], bool]]:
    """name → (model in eval mode, input shape, export with both exporters?)."""
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    mlp = nn.Sequential(nn.Flatten(), nn.Linear(6, 4), nn.ReLU(), nn.Linear(4, 3, bias=False), nn.ReLU(),
                        nn.Linear(3, 2))
    bn = nn.Sequential(nn.Flatten(), nn.Linear(6, 4), nn.BatchNorm1d(4, eps=EPS), nn.ReLU(), nn.Dropout(0.5),
                       nn.Linear(4, 2, bias=False))
    with torch.no_grad():
        for p in (bn[1].weight, bn[1].bias, bn[2].weight, bn[2].bias, bn[2].running_mean, bn[5].weight):
            p.copy_(dyadic(p.shape, gen))
        s = torch.tensor([0.5, 1.0, 2.0, 0.25])
        bn[2].running_var.copy_(s * s - EPS)
    bn_float = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 1))
    with torch.no_grad():
        bn_float[1].running_mean.copy_(torch.randn(4, generator=gen))
        bn_float[1].running_var.copy_(torch.rand(4, generator=gen) + 0.5)
    bn_identity = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4, eps=9 / 16), nn.ReLU(), nn.Linear(4, 1))
    return {"mlp": (mlp, (1, 2, 3), True), "bn_exact": (bn, (1, 2, 3), True),
            "bn_identity": (bn_identity, (1, 3), True), "dynamic_batch": (View(), (2, 2, 3), True),
            "bn_float": (bn_float, (1, 3), True),
            "sigmoid": (nn.Sequential(nn.Linear(3, 3), nn.Sigmoid(), nn.Linear(3, 1)), (1, 3), False),
            "leaky": (nn.Sequential(nn.Linear(3, 3), nn.LeakyReLU(0.1), nn.Linear(3, 1)), (1, 3), False),
            "softmax": (nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 2), nn.Softmax(dim=-1)), (1, 3),
                        False),
            "residual": (Residual(), (1, 3), False)}


def export(name: str, model: nn.Module, x, path: Path, dynamo: bool) -> None:
    """torch.onnx.export, with a symbolic batch dimension for ``dynamic_batch``."""
    if name == "dynamic_batch":
        dynamic = ({"dynamic_shapes": ({0: torch.export.Dim("batch")},)} if dynamo else
                   {"input_names": ["x"], "dynamic_axes": {"x": {0: "batch"}}})
    else:
        dynamic = {}
    torch.onnx.export(model, (x,), str(path), dynamo=dynamo, verbose=False, **dynamic)
    data = path.with_name(path.name + ".data")  # the dynamo exporter leaves an empty one
    if data.exists() and data.stat().st_size == 0:
        data.unlink()


def main() -> None:
    warnings.filterwarnings("ignore")
    expected = {"torch": torch.__version__, "models": {}}
    for name, (model, shape, both) in models().items():
        model.eval()
        x = torch.randn(shape, generator=torch.Generator().manual_seed(7))
        files = {}
        for kind, dynamo in (("dynamo", True), ("legacy", False))[: 2 if both else 1]:
            path = HERE / f"{name}.{kind}.onnx"
            export(name, model, x, path, dynamo)
            files[kind] = path.name
        points = torch.randn((5,) + shape[1:], generator=torch.Generator().manual_seed(11))
        with torch.no_grad():
            outputs = [model(p.unsqueeze(0)).reshape(-1).tolist() for p in points]
        expected["models"][name] = {"files": files, "input_shape": list(shape),
                                    "inputs": [p.reshape(-1).tolist() for p in points], "outputs": outputs}
        if name == "bn_exact":
            expected["models"][name]["parameters"] = {k: v.reshape(-1).tolist() if v.ndim else v.item()
                                                      for k, v in model.state_dict().items()}
            expected["models"][name]["eps"] = EPS
    (HERE / "onnx_fixtures.json").write_text(json.dumps(expected, indent=1) + "\n")


if __name__ == "__main__":
    main()
