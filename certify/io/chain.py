"""Composing a chain of affine maps and ReLUs into certify layers, exactly.

Importers (ONNX graphs, PyTorch ``nn.Sequential``) see a sequence of operations on
one flat tensor: affine maps (x ↦ Mx, x ↦ x + c) and ReLUs.  Between two ReLUs the
affine maps compose into one affine layer z = Wx + b (theory.md §1), computed in
exact rational arithmetic, so an input offset ``x − c`` before the first layer becomes
the bias b − Wc without any rounding.  A ReLU closes the current layer; a ReLU with
no affine map before it gets an identity layer, and a chain that ends in a ReLU gets
an identity output layer (certify's last layer is affine): both are exact rewrites
of the same function.
"""
from __future__ import annotations

from fractions import Fraction

from ..kernel.exact import InputError, Matrix, Vector, dot
from ..kernel.network import Layer

__all__ = ["AffineChain"]


class AffineChain:
    """Layers closed so far, and the affine map x ↦ W x + b pending since the last ReLU."""

    def __init__(self, dim: int | None):
        self.dim = dim                           # length of the current flat tensor, if known
        self.weight: Matrix | None = None        # None: identity
        self.bias: list[Fraction] | None = None  # None: zero; length 1: broadcast
        self.layers: list[Layer] = []

    def add(self, c: Vector, where: str) -> None:
        """Compose with x ↦ x + c (c of the tensor's length, or one entry broadcast)."""
        if self.dim is None and len(c) != 1:
            self.dim = len(c)
        if self.dim is not None:
            if len(c) not in (1, self.dim):
                raise InputError(where, f"constant has {len(c)} entries but the tensor has {self.dim}")
            c = c * self.dim if len(c) == 1 else c
            if self.bias is not None and len(self.bias) == 1:
                self.bias = self.bias * self.dim
        self.bias = list(c) if self.bias is None else [u + v for u, v in zip(self.bias, c)]

    def linear(self, m: Matrix, where: str) -> None:
        """Compose with x ↦ M x (M is out × in)."""
        cols = len(m[0])
        if self.dim is not None and cols != self.dim:
            raise InputError(where, f"weight expects {cols} inputs but the tensor has {self.dim} entries")
        if self.bias is not None and len(self.bias) == 1 and cols != 1:
            self.bias = self.bias * cols
        self.dim = len(m)
        if self.weight is None:
            self.weight = m
        else:
            columns = list(zip(*self.weight))
            self.weight = tuple(tuple(dot(row, col) for col in columns) for row in m)
        if self.bias is not None:
            self.bias = [dot(row, self.bias) for row in m]

    def relu(self, where: str) -> None:
        self.layers.append(self._close(where))
        self.weight, self.bias = None, None

    def finish(self, where: str) -> list[Layer]:
        """All layers; the pending affine map (possibly the identity) is the output layer."""
        return self.layers + [self._close(where)]

    @property
    def empty(self) -> bool:
        """No affine operation seen yet (only identities)."""
        return not self.layers and self.weight is None

    def _close(self, where: str) -> Layer:
        if self.dim is None:
            raise InputError(where, "cannot determine the width of the tensor (no static shape)")
        weight = self.weight if self.weight is not None else identity(self.dim)
        bias = tuple(self.bias) if self.bias is not None else (Fraction(0),) * self.dim
        return Layer(weight, bias)


def identity(n: int) -> Matrix:
    one, zero = Fraction(1), Fraction(0)
    return tuple(tuple(one if i == j else zero for j in range(n)) for i in range(n))
