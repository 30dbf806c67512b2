"""PyTorch ``nn.Sequential`` of ``Linear``/``ReLU`` ↔ certify networks, exactly (extra ``torch``).

* ``from_module(module)``: a live ``nn.Sequential`` (nested ``Sequential`` are flattened)
  of ``nn.Linear``, ``nn.ReLU`` and ``nn.Flatten`` (a no-op on a batch of vectors).
  Consecutive ``Linear`` layers compose exactly; a leading or trailing ``ReLU`` gets an
  identity layer (``chain.py``).  Any other module is rejected, naming it.
* ``from_state_dict(state)``: the ``state_dict()`` of such a Sequential.  Keys are
  ``<prefix>.weight`` / ``<prefix>.bias`` in module order; since a state dict does not
  record activations, a ReLU is assumed **between consecutive Linear layers** and none
  after the last (the usual ``Linear, ReLU, …, Linear``).  Keys of any other kind
  (e.g. BatchNorm's ``running_mean``) are rejected, naming the key.
* ``load_torch(path)``: a ``.pt``/``.pth`` file holding a state dict (or a checkpoint
  dict with a ``state_dict`` / ``model_state_dict`` entry), read with
  ``torch.load(weights_only=True)``, which unpickles tensors only and runs no code.
  Whole pickled modules are refused: save ``model.state_dict()`` instead, or call
  ``from_module`` in Python.

Tensors are taken as their exact binary values (bfloat16 and float16 widen exactly).
"""
from __future__ import annotations

import os
import re
from typing import Any, Mapping

from ..kernel.exact import InputError
from ..kernel.network import Net
from ..network import Network
from .arrays import exact_matrix, exact_vector, network_from_arrays
from .chain import AffineChain

__all__ = ["load_torch", "from_module", "from_state_dict"]


def require_torch(path: str):
    try:
        import torch
    except ImportError:
        raise InputError(path, "PyTorch support needs the optional package torch: pip install 'certify[torch]' "
                               "(CPU build: pip install torch --index-url https://download.pytorch.org/whl/cpu)"
                         ) from None
    return torch


def _numpy(tensor: Any, torch, where: str):
    if not isinstance(tensor, torch.Tensor):
        raise InputError(where, f"expected a tensor, got {type(tensor).__name__}")
    t = tensor.detach().cpu()
    if t.dtype in (torch.bfloat16, torch.float16):
        t = t.to(torch.float32)  # exact: float32 holds every bfloat16/float16 value
    if not (t.dtype.is_floating_point or t.dtype in (torch.int8, torch.int16, torch.int32, torch.int64,
                                                     torch.uint8)):
        raise InputError(where, f"unsupported tensor dtype {t.dtype}")
    return t.numpy()


def from_module(module: Any, path: str = "<module>") -> Network:
    """Compose a live ``nn.Sequential`` of Linear/ReLU(/Flatten) into an exact Network."""
    torch = require_torch(path)
    nn = torch.nn

    def flat(m, prefix):
        if isinstance(m, nn.Sequential):
            for key, child in m.named_children():
                yield from flat(child, f"{prefix}.{key}" if prefix else key)
        else:
            yield prefix or type(m).__name__, m

    chain = AffineChain(None)
    for key, m in flat(module, ""):
        where = f"{path}: module {key!r} ({type(m).__name__})"
        if isinstance(m, nn.Linear):
            chain.linear(exact_matrix(_numpy(m.weight, torch, where), where), where)
            if m.bias is not None:
                chain.add(exact_vector(_numpy(m.bias, torch, where), where), where)
        elif isinstance(m, nn.ReLU):
            chain.relu(where)
        elif isinstance(m, (nn.Flatten, nn.Identity)):
            pass
        else:
            raise InputError(where, "unsupported module; certify imports nn.Sequential of Linear and ReLU")
    if chain.empty:
        raise InputError(path, "no nn.Linear layer found")
    return Network(Net(tuple(chain.finish(path))), None, f"PyTorch module {type(module).__name__}",
                   {"imported_from": "torch-module"})


def from_state_dict(state: Mapping[str, Any], path: str = "<state_dict>") -> Network:
    """Layers from ``<prefix>.weight``/``<prefix>.bias`` keys, ReLU between consecutive ones."""
    torch = require_torch(path)
    groups: dict[str, dict[str, Any]] = {}
    for key, value in state.items():
        if not isinstance(key, str) or "." not in key and key not in ("weight", "bias"):
            raise InputError(f"{path}: {key!r}", "unexpected key (expected <layer>.weight and <layer>.bias)")
        prefix, _, leaf = key.rpartition(".")
        if leaf not in ("weight", "bias"):
            raise InputError(f"{path}: {key}", "not a Linear parameter (certify imports Linear/ReLU "
                                               "Sequentials only)")
        groups.setdefault(prefix, {})[leaf] = value
    if not groups:
        raise InputError(path, "empty state dict")
    pairs, names = [], []
    for prefix, params in groups.items():
        label = f"{prefix}." if prefix else ""
        if "weight" not in params:
            raise InputError(f"{path}: {label}bias", "has no matching weight")
        w = _numpy(params["weight"], torch, f"{path}: {label}weight")
        if w.ndim != 2:
            raise InputError(f"{path}: {label}weight", f"expected a 2-D Linear weight, got shape {list(w.shape)}")
        b = _numpy(params["bias"], torch, f"{path}: {label}bias") if "bias" in params else None
        pairs.append((w, b))
        names.append((f"{label}weight", f"{label}bias"))
    return network_from_arrays(pairs, path=path, names=names,
                              source=f"PyTorch state dict {os.path.basename(path)}",
                              metadata={"imported_from": "torch-state-dict", "file": os.path.basename(path),
                                        "assumed": "ReLU between consecutive Linear layers, none after the last"})


def load_torch(path: str | os.PathLike) -> Network:
    """Read a state dict saved with ``torch.save(model.state_dict(), path)``."""
    name = os.fspath(path)
    torch = require_torch(name)
    if not os.path.exists(name):
        raise InputError(name, "no such file")
    if os.path.isdir(name):
        raise InputError(name, "is a directory, expected a .pt/.pth file")
    try:
        obj = torch.load(name, map_location="cpu", weights_only=True)
    except Exception as e:  # UnpicklingError, RuntimeError (not a zip/pickle), EOFError …
        if "unsupported global" in str(e).lower():
            raise InputError(name, "holds more than tensors (a pickled module?); certify reads state dicts "
                                   "only, because unpickling objects runs code: save model.state_dict() "
                                   "instead, or use certify.io.torch.from_module in Python") from None
        text = re.sub(r"\x1b\[[0-9;]*m", "", str(e))
        detail = re.search(r"WeightsUnpickler error:\s*(.+)", text, re.S)
        text = (detail.group(1) if detail else text).split("Check the documentation")[0]
        text = " ".join(text.split())[:120] or type(e).__name__
        raise InputError(name, f"cannot read as a PyTorch state dict ({text})") from None
    if isinstance(obj, Mapping):
        for key in ("state_dict", "model_state_dict"):
            if isinstance(obj.get(key), Mapping):
                obj = obj[key]
                break
    if not isinstance(obj, Mapping):
        raise InputError(name, f"expected a state dict, found {type(obj).__name__}")
    return from_state_dict(obj, name)
