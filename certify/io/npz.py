"""NumPy ``.npz`` archives ↔ certify networks, exactly.

Expected arrays (``numpy.savez(path, W0=..., b0=..., W1=..., b1=...)``):

* ``W0, W1, …, W{L-1}`` — the weight of each affine layer, shape (out, in)
  (PyTorch's ``nn.Linear`` convention, as in ``certify.network/1``);
* ``b0, b1, …, b{L-1}`` — the biases, shape (out,);
* ``domain`` (optional) — the input box, shape (d0, 2): ``domain[i] = (lo_i, hi_i)``.

A ReLU follows every layer but the last.  Float arrays (float16/32/64) are taken as
their exact binary values, integer arrays as integers.  Any other array name is
rejected (a misspelt ``w0`` would otherwise be silently ignored), and so are object
arrays: the file is opened with ``allow_pickle=False``, so reading it runs no code.
"""
from __future__ import annotations

import io
import os
import re

import numpy as np

from ..kernel.exact import InputError
from ..network import Network
from .arrays import Rounding, exact_matrix, float_layers, network_from_arrays

__all__ = ["load_npz", "write_npz"]

_NAME = re.compile(r"([Wb])(\d+)")


def load_npz(path: str | os.PathLike) -> Network:
    """Read ``W0, b0, W1, b1, …`` (and optionally ``domain``) from an .npz archive."""
    name = os.fspath(path)
    if not os.path.exists(name):
        raise InputError(name, "no such file")
    try:
        data = np.load(name, allow_pickle=False)
        if not hasattr(data, "files"):
            raise InputError(name, "holds a single array, expected an .npz archive (W0, b0, W1, b1, …)")
        with data:
            arrays = {key: data[key] for key in data.files}
    except InputError:
        raise
    except Exception as e:  # noqa: BLE001 — any failure to unpack a user's bytes is bad input:
        # BadZipFile, a CRC error, an encrypted member (RuntimeError), an unsupported compression
        # method (NotImplementedError), a bad .npy header (ValueError), a truncated stream (EOFError) …
        detail = " ".join(str(e).split())[:120] or type(e).__name__
        raise InputError(name, f"not a NumPy .npz archive of numeric arrays ({detail})") from None
    if not arrays:
        raise InputError(name, "empty archive (expected arrays W0, b0, W1, b1, …)")
    indices: dict[str, set[int]] = {"W": set(), "b": set()}
    for key in arrays:
        match = _NAME.fullmatch(key)
        if match:
            indices[match.group(1)].add(int(match.group(2)))
        elif key != "domain":
            raise InputError(f"{name}: {key}", "unexpected array (expected W0, b0, W1, b1, … and "
                                               "optionally domain)")
    depth = len(indices["W"])
    for kind in "Wb":
        for i in sorted(indices[kind]):
            if i >= depth or f"W{i}" not in arrays:
                raise InputError(f"{name}: {kind}{i}", f"has no matching weight (found W0..W{depth - 1})"
                                 if kind == "b" else "layers must be numbered W0, W1, … without gaps")
    if depth == 0:
        raise InputError(name, "no weight arrays (expected W0, b0, W1, b1, …)")
    for i in range(depth):
        if f"b{i}" not in arrays:
            raise InputError(f"{name}: b{i}", "missing (every layer needs a bias; use zeros for none)")
        if arrays[f"b{i}"].ndim != 1:
            raise InputError(f"{name}: b{i}", f"expected shape (out,), got {list(arrays[f'b{i}'].shape)} "
                                              "(a bias is a 1-D array)")
    box = None
    if "domain" in arrays:
        rows = exact_matrix(arrays["domain"], f"{name}: domain")
        if any(len(r) != 2 for r in rows):
            raise InputError(f"{name}: domain", f"expected shape (d0, 2), got {list(arrays['domain'].shape)}")
        for i, (lo, hi) in enumerate(rows):
            if lo > hi:
                raise InputError(f"{name}: domain[{i}]", f"empty interval: lo {lo} > hi {hi}")
        box = tuple((lo, hi) for lo, hi in rows)
    return network_from_arrays([(arrays[f"W{i}"], arrays[f"b{i}"]) for i in range(depth)], path=name,
                               names=[(f"W{i}", f"b{i}") for i in range(depth)], box=box,
                               source=f"NumPy archive {os.path.basename(name)}",
                               metadata={"imported_from": "npz", "file": os.path.basename(name)})


def write_npz(network: Network, path: str | os.PathLike, dtype: str = "auto",
              rounding: str = "refuse") -> Rounding | None:
    """Write ``W{i}``, ``b{i}`` (and ``domain``) atomically; exact or refused unless rounding."""
    from ..core.files import write_bytes_atomic
    _, arrays, domain, report = float_layers(network, dtype, rounding, include_domain=True)
    named = {}
    for i, (w, b) in enumerate(arrays):
        named[f"W{i}"], named[f"b{i}"] = w, b
    if domain is not None:
        named["domain"] = domain
    buffer = io.BytesIO()
    np.savez(buffer, **named)
    write_bytes_atomic(path, buffer.getvalue())
    return report
