"""Composing a chain of affine maps and ReLUs into certify layers, exactly.

Importers (ONNX graphs, PyTorch ``nn.Sequential``) see a sequence of operations on
one flat tensor: affine maps (x ↦ Mx, x ↦ x + c, x ↦ g ⊙ x, a rearrangement of the
entries) and ReLUs.  Between two ReLUs the affine maps compose into one affine layer
z = Wx + b (theory.md §1), computed in exact rational arithmetic (``affine.Affine``:
integer matrices over one denominator, multiplied by python-flint), so an input offset
``x − c`` before the first layer becomes the bias b − Wc without any rounding.  A ReLU
closes the current layer; a ReLU with no affine map before it gets an identity layer,
and a chain that ends in a ReLU gets an identity output layer (certify's last layer is
affine): both are exact rewrites of the same function.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Sequence

from ..kernel.exact import InputError, Matrix, Vector
from ..kernel.network import Layer
from .affine import Affine, scaled

__all__ = ["AffineChain"]


class AffineChain:
    """Layers closed so far, and the affine map pending since the last ReLU."""

    def __init__(self, dim: int | None):
        self.dim = dim                            # length of the current flat tensor, if known
        self.layers: list[Layer] = []
        self.pending: Affine | None = Affine.identity(dim) if dim is not None else None
        self._linear_seen = False                 # any linear map since the last ReLU

    # ------------------------------------------------------------------ the operations

    def add(self, c: Vector, where: str) -> None:
        """Compose with x ↦ x + c (c of the tensor's length, or one entry broadcast)."""
        if self.dim is None:
            if len(c) == 1:
                raise InputError(where, "cannot determine the width of the tensor (no static shape)")
            self._start(len(c))
        if len(c) not in (1, self.dim):
            raise InputError(where, f"constant has {len(c)} entries but the tensor has {self.dim}")
        ints, den = scaled(tuple(c) * self.dim if len(c) == 1 else c)
        self.pending = self.pending.then_add(ints, den)

    def linear(self, m: Matrix, where: str) -> None:
        """Compose with x ↦ M x (M is out × in)."""
        self.linear_flat([v for row in m for v in row], len(m), len(m[0]), where)

    def linear_flat(self, values: Sequence[Fraction], rows: int, cols: int, where: str) -> None:
        """Compose with x ↦ M x, M given row by row (``rows`` × ``cols`` exact numbers)."""
        self.linear_scaled(*scaled(values), rows, cols, where)

    def linear_scaled(self, ints: Sequence[int], den: int, rows: int, cols: int, where: str) -> None:
        """Compose with x ↦ (A/den) x, A given row by row as ``rows`` × ``cols`` integers."""
        if self.dim is None:
            self._start(cols)
        if cols != self.dim:
            raise InputError(where, f"weight expects {cols} inputs but the tensor has {self.dim} entries")
        self.pending = self.pending.then_linear(ints, den, rows, where)
        self.dim = rows
        self._linear_seen = True

    def scale(self, g: Sequence[Fraction], where: str) -> None:
        """Compose with x ↦ g ⊙ x (elementwise; g of the tensor's length)."""
        self._known(len(g), where)
        ints, den = scaled(g)
        self.pending = self.pending.then_scale(ints, den, where)
        if not self.pending.linear_is_identity:
            self._linear_seen = True

    def gather(self, index: Sequence[int], where: str) -> None:
        """Compose with x ↦ x[index] (a permutation, or a copy of entries when broadcasting)."""
        if self.dim is None:
            raise InputError(where, "cannot determine the width of the tensor (no static shape)")
        self.pending = self.pending.then_gather(index, where)
        self.dim = len(index)
        self._linear_seen = True

    def relu(self, where: str) -> None:
        self.layers.append(self._close(where))
        self.pending = Affine.identity(self.dim)
        self._linear_seen = False

    def finish(self, where: str) -> list[Layer]:
        """All layers; the pending affine map (possibly the identity) is the output layer."""
        return self.layers + [self._close(where)]

    @property
    def empty(self) -> bool:
        """No linear operation seen yet (only identities and translations)."""
        return not self.layers and not self._linear_seen

    # ------------------------------------------------------------------ helpers

    def _start(self, dim: int) -> None:
        self.dim = dim
        self.pending = Affine.identity(dim)

    def _known(self, n: int, where: str) -> None:
        if self.dim is None:
            self._start(n)
        if n != self.dim:
            raise InputError(where, f"constant has {n} entries but the tensor has {self.dim}")

    def _close(self, where: str) -> Layer:
        if self.dim is None or self.pending is None:
            raise InputError(where, "cannot determine the width of the tensor (no static shape)")
        return self.pending.layer()
