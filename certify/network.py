"""The exact network model (``certify.network/1``): I/O, exact evaluation, float view.

A ``Network`` wraps the kernel's plain data (``certify.kernel.network.Net``) so that
engines and the kernel read a file the same way, and adds what engines need: file
I/O with one-line errors, metadata, activation patterns and a float view for fast
(untrusted) search.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from .core.files import read_json
from .kernel.exact import InputError, Vector, fmt_matrix, fmt_vector
from .kernel.network import FORMAT, Box, Layer, Net, affine_maps, parse_net, preactivations

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Network", "Layer", "Box", "load_network", "FORMAT"]
FLOAT_BLOCK = 128  # rows per float product (see Network.float_forward)


@dataclass(frozen=True, eq=False)
class Network:
    """A feedforward ReLU network with exact rational weights (theory.md §1)."""

    net: Net
    name: str | None = None
    source: str | None = None
    metadata: dict | None = field(default=None)
    file: str | None = field(default=None)  # the file it was read from (for messages; never serialised)

    # ------------------------------------------------------------------ construction and I/O
    @classmethod
    def from_json(cls, obj: Any) -> "Network":
        net = parse_net(obj, "")
        meta = obj.get("metadata")
        if meta is not None and not isinstance(meta, dict):
            raise InputError("metadata", "expected an object")
        for key in ("name", "source"):
            if obj.get(key) is not None and not isinstance(obj[key], str):
                raise InputError(key, "expected a string")
        return cls(net, obj.get("name"), obj.get("source"), meta)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Network":
        obj = read_json(path)
        try:
            return cls.from_json(obj)
        except InputError as e:
            raise InputError(f"{os.fspath(path)}: {e.path}" if e.path else os.fspath(path), e.message) from None

    @classmethod
    def from_layers(cls, layers: Iterable[tuple[Sequence[Sequence[Any]], Sequence[Any]]],
                    box: Sequence[tuple[Any, Any]] | None = None, name: str | None = None) -> "Network":
        """Build from Python numbers (ints, Fractions, strings, floats taken exactly)."""
        obj: dict = {"format": FORMAT, "layers": [{"weight": [list(r) for r in w], "bias": list(b)}
                                                  for w, b in layers]}
        if box is not None:
            obj["domain"] = {"box": [list(iv) for iv in box]}
        if name is not None:
            obj["name"] = name
        return cls.from_json(_stringify(obj))

    def save(self, path: str | os.PathLike, **options: Any) -> None:
        """Write the network atomically, in the format its extension names (.json, .onnx,
        .nnet, .npz; see ``certify.io.save_any`` for ``dtype`` and ``rounding``)."""
        from .io import save_any
        save_any(self, os.fspath(path), **options)

    def to_json(self) -> dict:
        out: dict = {"format": FORMAT}
        for key in ("name", "source", "metadata"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        out["layers"] = [{"weight": fmt_matrix(l.weight), "bias": fmt_vector(l.bias)} for l in self.layers]
        if self.box is not None:
            out["domain"] = {"box": [fmt_vector(iv) for iv in self.box]}
        return out

    def replace(self, layers: Sequence[Layer] | None = None, box: Box | None | str = "keep",
                name: str | None | str = "keep") -> "Network":
        net = Net(tuple(layers) if layers is not None else self.layers,
                  self.box if box == "keep" else box)  # type: ignore[arg-type]
        return Network(net, self.name if name == "keep" else name, self.source, self.metadata, self.file)

    # ------------------------------------------------------------------ shape
    @property
    def layers(self) -> tuple[Layer, ...]:
        return self.net.layers

    @property
    def box(self) -> Box | None:
        return self.net.box

    @property
    def widths(self) -> tuple[int, ...]:
        """(d_0, d_1, …, d_L)."""
        return self.net.widths

    @property
    def depth(self) -> int:
        """L, the number of affine layers (L = 2: one hidden layer, "shallow")."""
        return len(self.layers)

    @property
    def is_shallow(self) -> bool:
        return self.depth == 2

    @property
    def N(self) -> int:
        """Number of parameters Σ_l d_l (d_{l-1} + 1)."""
        w = self.widths
        return sum(w[l] * (w[l - 1] + 1) for l in range(1, len(w)))

    @property
    def H(self) -> int:
        """Number of hidden neurons Σ_{l<L} d_l."""
        return sum(self.widths[1:-1])

    def __repr__(self) -> str:
        label = f" {self.name!r}" if self.name else ""
        return f"<Network{label} {'-'.join(map(str, self.widths))}>"

    # ------------------------------------------------------------------ exact evaluation
    @cached_property
    def _maps(self):
        return affine_maps(self.net)

    def preactivations(self, x: Sequence[Fraction]) -> list[Vector]:
        """[z_1(x), …, z_L(x)] exactly; the last entry is f(x)."""
        return preactivations(self._maps, tuple(Fraction(v) for v in x))

    def __call__(self, x: Sequence[Fraction]) -> Vector:
        return self.preactivations(x)[-1]

    def pattern(self, x: Sequence[Fraction]) -> tuple[tuple[int, ...], ...]:
        """Signs (−1, 0, +1) of every hidden pre-activation at x."""
        return tuple(tuple((z > 0) - (z < 0) for z in zl) for zl in self.preactivations(x)[:-1])

    # ------------------------------------------------------------------ float view (untrusted)
    @cached_property
    def float_layers(self) -> "list[tuple[np.ndarray, np.ndarray]]":
        """The weights as floats, for search only; a weight beyond the float range (|q| above
        about 1.8·10^308) is refused here, naming it, since every float proposal would overflow."""
        import numpy as np  # the exact model needs no numpy; only the float view does
        try:
            return [(np.array([_floats(r) for r in l.weight]), np.array(_floats(l.bias))) for l in self.layers]
        except OverflowError:
            raise InputError(*self._overflow_place()) from None

    def _overflow_place(self) -> tuple[str, str]:
        for i, layer in enumerate(self.layers):
            cells = [(f"weight[{r}][{c}]", q) for r, row in enumerate(layer.weight) for c, q in enumerate(row)]
            for place, q in cells + [(f"bias[{r}]", q) for r, q in enumerate(layer.bias)]:
                try:
                    q.numerator / q.denominator
                except OverflowError:
                    who = self.file or self.name or "network"
                    return (f"{who}: layers[{i}].{place}", "magnitude beyond the float range (about 1.8e308); "
                            "certify searches in floating point before it verifies exactly, so this network "
                            "cannot be searched (certify convert and certify check still read it exactly)")
        return (self.file or "network", "a number beyond the float range")

    def float_forward(self, X: "np.ndarray") -> "list[np.ndarray]":
        """Pre-activations of a batch X (rows are inputs), in floating point — search only."""
        import numpy as np
        X = np.asarray(X, dtype=float)
        if X.ndim == 2 and len(X) > FLOAT_BLOCK:
            # blocks of rows: OpenBLAS threads a 2000 × 50 product, and on a loaded 2-core machine
            # its thread pool costs 0.1–0.8 s per call against 0.01 s for the same rows in blocks
            # of 128 (issue 12, item 7); rows are independent, so the values are the same
            parts = [self.float_forward(X[i:i + FLOAT_BLOCK]) for i in range(0, len(X), FLOAT_BLOCK)]
            return [np.vstack([part[t] for part in parts]) for t in range(len(self.float_layers))]
        zs = []
        a = X
        for t, (W, b) in enumerate(self.float_layers):
            z = a @ W.T + b
            zs.append(z)
            a = np.maximum(z, 0.0)
        return zs

    def float_eval(self, X: "np.ndarray") -> "np.ndarray":
        return self.float_forward(X)[-1]


def _floats(row: Sequence[Fraction]) -> list[float]:
    # int / int is correctly rounded and much faster than float(Fraction)
    return [q.numerator / q.denominator for q in row]


def load_network(path: str | os.PathLike) -> Network:
    return Network.load(path)


def _stringify(obj: Any) -> Any:
    """Python numbers → exact JSON values (Fractions become "p/q" strings)."""
    if isinstance(obj, dict):
        return {k: _stringify(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_stringify(v) for v in obj]
    if isinstance(obj, Fraction):
        return f"{obj.numerator}/{obj.denominator}"
    return obj
