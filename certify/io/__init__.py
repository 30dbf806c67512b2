"""Networks in the formats users already have, read and written exactly.

``load_any(path)`` dispatches on the file extension:

=================  ==========================================  ================
extension          format                                      module
=================  ==========================================  ================
``.json`` (other)  ``certify.network/1``                       certify.network
``.onnx``          ONNX chain of affine operators and Relu   io.onnx, io.onnx_graph (extra ``onnx``)
``.nnet``          ACAS Xu / Reluplex text format              io.nnet
``.npz``           NumPy arrays ``W0, b0, W1, b1, …``          io.npz
``.pt``, ``.pth``  TorchScript (or a state dict, only with      io.torch (extra ``torch``)
                   ``assume_sequential``)
``.pt2``           ``torch.export`` program                    io.torch (extra ``torch``)
=================  ==========================================  ================

``save_any(network, path)`` writes ``certify.network/1`` JSON (``.json``), ONNX (``.onnx``),
NumPy (``.npz``) or ``.nnet``; any other extension is refused.  Reading never rounds: binary floats are taken as their exact values and
decimal text as the exact decimal.  Writing floats is exact or refused unless the
caller asks to round (``rounding="nearest"``); see ``arrays.float_layers``.
docs/formats.md is the user documentation.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Callable

from ..core.files import write_atomic
from ..kernel.exact import InputError
from ..network import Network

if TYPE_CHECKING:  # numpy is needed only by the binary formats, imported when used
    from .arrays import Rounding

__all__ = ["load_any", "save_any", "READERS", "WRITERS"]


def _onnx(path: str) -> Network:
    from .onnx import load_onnx
    return load_onnx(path)


def _nnet(path: str) -> Network:
    from .nnet import load_nnet
    return load_nnet(path)


def _npz(path: str) -> Network:
    from .npz import load_npz
    return load_npz(path)


def _torch(path: str, assume_sequential: bool = False) -> Network:
    from .torch import load_torch
    return load_torch(path, assume_sequential)


READERS: dict[str, Callable[[str], Network]] = {
    ".onnx": _onnx, ".nnet": _nnet, ".npz": _npz, ".pt": _torch, ".pth": _torch, ".pt2": _torch}
TORCH = (".pt", ".pth", ".pt2")


def load_any(path: str | os.PathLike, assume_sequential: bool = False) -> Network:
    """Read a network from any supported format, chosen by extension (JSON by default).

    ``assume_sequential``: read a bare PyTorch state dict as nn.Sequential(Linear, ReLU, …,
    Linear); without it a state dict is refused (it does not record its architecture)."""
    name = os.fspath(path)
    ext = os.path.splitext(name)[1].lower()
    if ext in TORCH:
        return _torch(name, assume_sequential)
    reader = READERS.get(ext)
    return reader(name) if reader else Network.load(name)


def _write_json(network: Network, path: str, **_: str) -> None:
    write_atomic(path, network.to_json())


def _write_onnx(network: Network, path: str, dtype: str = "auto", rounding: str = "refuse") -> "Rounding | None":
    from .onnx import write_onnx
    return write_onnx(network, path, dtype, rounding)


def _write_npz(network: Network, path: str, dtype: str = "auto", rounding: str = "refuse") -> "Rounding | None":
    from .npz import write_npz
    return write_npz(network, path, dtype, rounding)


def _write_nnet(network: Network, path: str, **_: str) -> None:
    from .nnet import write_nnet
    write_nnet(network, path)


WRITERS = {".json": _write_json, ".onnx": _write_onnx, ".npz": _write_npz, ".nnet": _write_nnet}


def save_any(network: Network, path: str | os.PathLike, dtype: str = "auto",
             rounding: str = "refuse") -> "Rounding | None":
    """Write ``network`` in the format named by the extension (JSON by default).

    Returns the rounding report when floats had to be rounded (only with
    ``rounding="nearest"``), else None: the written network is exactly ``network``.
    """
    name = os.fspath(path)
    ext = os.path.splitext(name)[1].lower()
    if ext in TORCH:
        raise InputError(name, "writing PyTorch files is not supported; write .onnx, .npz, .nnet or .json")
    writer = WRITERS.get(ext)
    if writer is None:  # never guess: a file named x.txt or x.onxx must not silently become JSON
        raise InputError(name, f"unknown extension {ext or '(none)'!r}; write {', '.join(WRITERS)}")
    try:
        return writer(network, name, dtype=dtype, rounding=rounding)
    except InputError as e:
        if e.path.startswith(name):
            raise
        raise InputError(f"{name}: {e.path}" if e.path else name, e.message) from None
