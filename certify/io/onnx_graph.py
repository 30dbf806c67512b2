"""Folding an ONNX graph into exact affine layers and ReLUs, or refusing it.

A ReLU network is a chain (theory.md §1): affine map, ReLU, affine map, …, affine map.
This module walks an ONNX graph node by node and accepts it only if it *is* such a chain
for one input sample (batch dimension 1):

* there is one computed tensor at a time, the **current** one: every node that reads a
  computed tensor reads exactly the current one and produces the next (a node that reads
  an older tensor, or two computed tensors, is a branch or a residual connection and is
  refused); every other operand is an initializer or the output of a ``Constant`` node;
* the current tensor is tracked with its static shape, and each operator is the exact
  affine map (on the entries in C order) that ONNX defines for that shape — with
  numpy broadcasting where ONNX broadcasts:

  ===========================  =========================================================
  ``Identity``, ``Dropout``     identity (Dropout in inference mode, its mask unused)
  ``Reshape``, ``Flatten``,     the same entries under a new shape
  ``Squeeze``, ``Unsqueeze``
  ``Transpose``                 a permutation of the entries
  ``Add``, ``Sub``              x ± c, c − x
  ``Mul``, ``Div``              c ⊙ x, x ⊘ c (c ≠ 0)
  ``MatMul``                    x·C or C·x (either way round; 1-D operands as ONNX says)
  ``Gemm``                      alpha·A'·B' + beta·C (transA, transB), the tensor as A
  ``BatchNormalization``        scale·(x − mean)/sqrt(var + eps) + B per channel (axis 1),
                                inference mode
  ``Relu``                      closes the current affine layer
  ===========================  =========================================================

* ``Shape`` of the current tensor is a constant (its one-sample shape), and ``Identity``,
  ``Reshape``, ``Flatten``, ``Squeeze``, ``Unsqueeze``, ``Transpose``, ``Gather``, ``Concat``,
  ``Slice`` (positive steps) and value-preserving ``Cast`` of constants are folded (data
  movement), as are ``Add``/``Sub``/``Mul`` of integer constants (the shape arithmetic of
  exports with a dynamic batch axis); any other computation on constants, any other
  operator, and any operator domain but the default one is refused;
* every node has the number of inputs and outputs its ONNX schema allows (``ARITY``), reads
  only tensors defined before it, defines each tensor once, and leaves unused the extra
  outputs of Dropout (its mask) and BatchNormalization (training statistics); a static
  shape the file declares for a computed tensor (``value_info``, the graph output) must be
  the shape computed;
* the graph input has a float element type and a static shape, except a symbolic batch
  dimension 0, read as 1 (the network is the function of one sample; an operator that
  would mix several rows — a MatMul or Gemm on more than one row — is refused);
* opsets 1–6 broadcast Add/Sub/Mul/Div only with ``broadcast=1``, aligned at ``axis``: that
  alignment is applied, not numpy's.

The graph's output must be the current tensor.  Consecutive affine maps are composed
exactly (``affine.Affine``, bounded in size); floats are their exact binary values.

**BatchNormalization and square roots.** 1/sqrt(var + eps) is rational only when
var + eps is the square of a rational.  Otherwise the layer has no exact rational form,
and the importer refuses (``irrational="refuse"``, the default) unless the caller asks
for ``irrational="approximate"``: then 1/sqrt is replaced by a dyadic rational within
relative 2^-64 and the network's ``metadata["assumed"]`` says so (it travels into the
JSON, and every command prints it when it reads the network).  PyTorch's default (dynamo) exporter folds BatchNorm into the weights itself,
so its files are read exactly.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable

import numpy as np

from ..kernel.exact import InputError
from ..kernel.network import Layer
from .arrays import _as_array, _exact_list
from .affine import scaled_array
from .chain import AffineChain
from .onnx_constants import axis_index, constant_node, int_list, CONSTANT_FOLDS

__all__ = ["fold_graph", "Folded", "DATA_OPS", "CONSTANT_OPS", "inverse_sqrt"]

_FLOAT_TYPES = {1: "float32", 10: "float16", 11: "float64", 16: "bfloat16"}  # TensorProto element types


@dataclass
class Folded:
    """The layers of a graph, and what the reader did to get them."""

    layers: list[Layer]
    input_name: str
    input_shape: list
    output_shape: list[int]
    folded: list[str]
    assumed: list[str]


@dataclass
class Node:
    """One node, with the place to name in an error."""

    where: str
    op: str
    inputs: list[str]
    outputs: list[str]
    attrs: dict[str, Any]

    def int(self, name: str, default: int) -> int:
        value = self.attrs.get(name, default)
        if type(value) is not int:
            raise InputError(self.where, f"attribute {name} must be an integer, got {_shown(value)}")
        return value

    def float(self, name: str, default: float) -> float:
        value = self.attrs.get(name, default)
        if type(value) not in (int, float) or not math.isfinite(value):
            raise InputError(self.where, f"attribute {name} = {_shown(value)} is not a finite number")
        return value

    def ints(self, name: str, default: list[int] | None) -> list[int] | None:
        value = self.attrs.get(name, default)
        if value is not None and (not isinstance(value, (list, tuple)) or any(type(v) is not int for v in value)):
            raise InputError(self.where, f"attribute {name} must be a list of integers, got {_shown(value)}")
        return None if value is None else list(value)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "…"


# --------------------------------------------------------------------------- numbers and shapes

def fractions(value: Any, where: str) -> list[Fraction]:
    """The entries of an array (C order) as exact Fractions; NaN/inf refused with their place."""
    return _exact_list(_as_array(value, where), where)


def scaled_matrix(value: Any, where: str) -> tuple[list[int], int]:
    """A constant's entries (C order) as exact integers over one power-of-two denominator."""
    arr = _as_array(value, where)
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        fractions(arr, where)  # raises, naming the first non-finite entry
    return scaled_array(arr)


def inverse_sqrt(r: Fraction, approximate: bool) -> tuple[Fraction, bool] | None:
    """(1/sqrt(r), exact?) for r > 0: exact when r is a rational square, else (if ``approximate``)
    the dyadic b/2^k with b = floor(2^k/sqrt(r)) ≥ 2^64, so the relative error is below 2^-64;
    None when r is not a square and ``approximate`` is false."""
    p, q = r.numerator, r.denominator
    sp, sq = math.isqrt(p), math.isqrt(q)
    if sp * sp == p and sq * sq == q:
        return Fraction(sq, sp), True
    if not approximate:
        return None
    k = max(0, 65 + (p.bit_length() - q.bit_length()) // 2 + 1)
    return Fraction(math.isqrt((q << (2 * k)) // p), 1 << k), False


def _size(shape: tuple[int, ...]) -> int:
    return math.prod(shape)


def reshape_target(shape: tuple[int, ...], target: list[int], allowzero: bool, where: str) -> tuple[int, ...]:
    """ONNX Reshape: 0 copies the input dimension (unless allowzero), one −1 is inferred."""
    out: list[int] = []
    for i, d in enumerate(target):
        if d == 0 and not allowzero:
            if i >= len(shape):
                raise InputError(where, f"shape entry {i} is 0 (copy) but the input has rank {len(shape)}")
            d = shape[i]
        elif d < -1:
            raise InputError(where, f"shape entry {i} is {d}")
        out.append(d)
    if out.count(-1) > 1:
        raise InputError(where, f"shape {target} has more than one -1")
    known = math.prod(d for d in out if d != -1)
    if -1 in out:
        if known == 0 or _size(shape) % known:
            raise InputError(where, f"cannot reshape {list(shape)} to {target}")
        out[out.index(-1)] = _size(shape) // known
    if _size(tuple(out)) != _size(shape):
        raise InputError(where, f"cannot reshape {list(shape)} ({_size(shape)} entries) to {out}")
    return tuple(out)


def broadcast(shape: tuple[int, ...], other: tuple[int, ...], where: str) -> tuple[int, ...]:
    try:
        return tuple(int(d) for d in np.broadcast_shapes(shape, other))
    except ValueError:
        raise InputError(where, f"shapes {list(shape)} and {list(other)} do not broadcast") from None


# --------------------------------------------------------------------------- the folder

class Folder:
    """The walk over one graph: constants by name, the current tensor, the chain of layers."""

    def __init__(self, path: str, opset: int, consts: dict[str, np.ndarray], input_name: str,
                 shape: tuple[int, ...], used: set[str], declared: dict[str, list], irrational: str):
        self.path, self.opset, self.consts = path, opset, consts
        self.current, self.shape = input_name, shape
        self.used, self.declared = used, declared
        self.approximate = irrational == "approximate"
        self.defined = set(consts) | {input_name}
        self.chain = AffineChain(_size(shape))
        self.folded: list[str] = []
        self.assumed: list[str] = []

    # ------------------------------------------------------------------ operands

    def const(self, node: Node, index: int, what: str) -> np.ndarray:
        if index >= len(node.inputs) or not node.inputs[index]:
            raise InputError(node.where, f"missing operand {what}")
        name = node.inputs[index]
        if name not in self.consts:
            raise InputError(node.where, f"operand {what} ({name!r}) must be a constant (an initializer or "
                                         "a Constant node), not a computed tensor")
        return self.consts[name]

    def optional_const(self, node: Node, index: int, what: str) -> np.ndarray | None:
        if index >= len(node.inputs) or not node.inputs[index]:
            return None
        return self.const(node, index, what)

    def data_index(self, node: Node, allowed: tuple[int, ...]) -> int:
        """Which operand is the current tensor (it must be one of ``allowed``)."""
        for i in allowed:
            if i < len(node.inputs) and node.inputs[i] == self.current:
                return i
        raise InputError(node.where, f"the computed tensor {self.current!r} is not in an operand position "
                                     "certify can read as an affine map")

    # ------------------------------------------------------------------ one node

    def visit(self, node: Node) -> None:
        arity = ARITY.get(node.op)
        if arity is not None:
            (lo, hi), most = arity[:2], arity[2]
            if node.op == "Reshape" and self.opset < 5:
                lo = hi = 1
            count = len(node.inputs)
            while count and not node.inputs[count - 1]:  # trailing empty names are omitted optionals
                count -= 1
            if not lo <= count <= hi:
                raise InputError(node.where, f"has {count} inputs; {node.op} takes "
                                             f"{lo if lo == hi else f'{lo} to {hi}'}")
            if len(node.outputs) > most:
                raise InputError(node.where, f"has {len(node.outputs)} outputs; {node.op} has at most {most}")
        for name in node.inputs:
            if name and name not in self.defined:
                raise InputError(node.where, f"reads {name!r}, which no earlier node, initializer or input "
                                             "defines (nodes must be in topological order)")
        if not node.outputs or not node.outputs[0]:
            raise InputError(node.where, "has no output")
        for name in node.outputs:
            if name and name in self.defined:
                raise InputError(node.where, f"redefines the tensor {name!r}")
        for name in node.outputs[1:]:
            if name and name in self.used:
                raise InputError(node.where, f"its extra output {name!r} is used; certify reads {node.op} only "
                                             "in inference mode, with one output")
        computed = [name for name in node.inputs if name and name not in self.consts]
        if not computed:
            self.fold_constant(node)
        else:
            if any(name != self.current for name in computed):
                others = sorted({name for name in computed if name != self.current})
                raise InputError(node.where, f"reads the computed tensor(s) {others} besides or instead of the "
                                             f"current one {self.current!r}: a branching or residual graph is not "
                                             "a chain of affine layers and ReLUs")
            if len(computed) > 1:
                raise InputError(node.where, f"combines the computed tensor {self.current!r} with itself; only "
                                             "operations with constants are read")
            if node.op == "Shape":  # reads only the (static, one-sample) shape: the chain goes on
                self.consts[node.outputs[0]] = self.shape_of(node)
            else:
                handler = DATA_OPS.get(node.op)
                if handler is None:
                    raise InputError(node.where, f"unsupported operator {node.op}: certify reads chains of "
                                                 f"{', '.join(sorted(DATA_OPS))} (a ReLU network)")
                handler(self, node)
                self.current = node.outputs[0]
                self.check_declared(node)
        self.defined.update(name for name in node.outputs if name)

    def fold_constant(self, node: Node) -> None:
        handler = CONSTANT_OPS.get(node.op)
        if handler is None:
            raise InputError(node.where, f"computes {node.op} on constants only; certify folds "
                                         f"{', '.join(sorted(CONSTANT_OPS))} of constants and nothing else")
        self.consts[node.outputs[0]] = handler(self, node)

    def check_declared(self, node: Node) -> None:
        """A static shape the file declares for the new tensor must be the one computed."""
        dims = self.declared.get(node.outputs[0])
        if dims is None:
            return
        ok = len(dims) == len(self.shape) and all(d is None or d == s for d, s in zip(dims, self.shape))
        if not ok:
            raise InputError(node.where, f"the file declares shape {dims} for {node.outputs[0]!r} but the "
                                         f"operation gives {list(self.shape)} (for one sample)")

    # ------------------------------------------------------------------ shape-only operations

    def movement(self, node: Node, shape: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...] | None]:
        """(new shape, permutation of the axes or None) of a data-movement node on a tensor of ``shape``."""
        op = node.op
        if op in ("Identity", "Dropout"):
            if op == "Dropout":
                self.check_dropout(node)
            return shape, None
        if op == "Flatten":
            axis = node.int("axis", 1)
            if not -len(shape) <= axis <= len(shape):
                raise InputError(node.where, f"axis {axis} is out of range for rank {len(shape)}")
            axis += len(shape) if axis < 0 else 0
            return (_size(shape[:axis]), _size(shape[axis:])), None
        if op == "Reshape":
            target = (node.ints("shape", None) if self.opset < 5 else
                      int_list(self.const(node, 1, "shape"), f"{node.where}: shape"))
            if target is None:
                raise InputError(node.where, "Reshape without a shape")
            return reshape_target(shape, target, bool(node.int("allowzero", 0)), node.where), None
        if op in ("Squeeze", "Unsqueeze"):
            axes = node.ints("axes", None) if self.opset < 13 else self.optional_const(node, 1, "axes")
            axes = None if axes is None else int_list(axes, f"{node.where}: axes")
            if op == "Squeeze":
                if axes is None:
                    return tuple(d for d in shape if d != 1), None
                drop = {axis_index(a, len(shape), node.where) for a in axes}
                if any(shape[a] != 1 for a in drop):
                    raise InputError(node.where, f"cannot squeeze axes {axes} of shape {list(shape)}")
                return tuple(d for i, d in enumerate(shape) if i not in drop), None
            if axes is None:
                raise InputError(node.where, "Unsqueeze without axes")
            rank = len(shape) + len(axes)
            put = {axis_index(a, rank, node.where) for a in axes}
            if len(put) != len(axes):
                raise InputError(node.where, f"repeated axes {axes}")
            rest = iter(shape)
            return tuple(1 if i in put else next(rest) for i in range(rank)), None
        if op == "Transpose":
            perm = tuple(node.ints("perm", list(range(len(shape) - 1, -1, -1))))
            if sorted(perm) != list(range(len(shape))):
                raise InputError(node.where, f"perm {list(perm)} is not a permutation of the {len(shape)} axes")
            return tuple(shape[p] for p in perm), perm
        raise AssertionError(op)

    def check_dropout(self, node: Node) -> None:
        if self.opset < 7 and node.int("is_test", 0) == 0:
            raise InputError(node.where, "Dropout with is_test=0 is training mode")
        mode = self.optional_const(node, 2, "training_mode") if self.opset >= 12 else None
        if mode is not None and bool(np.asarray(mode).reshape(-1)[0]):
            raise InputError(node.where, "Dropout in training mode (training_mode=true) is random, not a function")

    def move_data(self, node: Node) -> None:
        shape, perm = self.movement(node, self.shape)
        if perm is not None:
            index = np.arange(_size(self.shape)).reshape(self.shape).transpose(perm).reshape(-1)
            if (index != np.arange(index.size)).any():
                self.chain.gather([int(i) for i in index.tolist()], node.where)
        self.shape = shape

    def move_constant(self, node: Node) -> np.ndarray:
        c = self.const(node, 0, "input")
        shape, perm = self.movement(node, tuple(int(d) for d in c.shape))
        return (np.transpose(c, perm) if perm is not None else c).reshape(shape)

    # ------------------------------------------------------------------ elementwise with a constant

    def elementwise(self, node: Node) -> None:
        if len(node.inputs) != 2:
            raise InputError(node.where, "expected two operands")
        k = self.data_index(node, (0, 1))
        c = self.legacy_broadcast(node, k, self.const(node, 1 - k, "constant"))
        out = broadcast(self.shape, tuple(c.shape), node.where)
        if _size(out) != _size(self.shape):  # the tensor itself is broadcast: its entries are copied
            index = np.broadcast_to(np.arange(_size(self.shape)).reshape(self.shape), out).reshape(-1)
            self.chain.gather([int(i) for i in index.tolist()], node.where)
        values = fractions(np.broadcast_to(c, out), f"{node.where}: {node.inputs[1 - k]}")
        op = node.op
        if op == "Add":
            self.chain.add(values, node.where)
        elif op == "Sub":
            if k == 0:
                self.chain.add([-v for v in values], node.where)
            else:
                self.chain.scale([Fraction(-1)] * len(values), node.where)
                self.chain.add(values, node.where)
            if self.chain.empty:
                self.folded.append(f"{node.op} {node.inputs[1 - k]} (input offset) folded into the first bias")
        elif op == "Mul":
            self.chain.scale(values, node.where)
        else:  # Div
            if k == 1:
                raise InputError(node.where, "constant / tensor is not an affine map")
            zero = next((i for i, v in enumerate(values) if v == 0), None)
            if zero is not None:
                raise InputError(f"{node.where}: {node.inputs[1]}", f"division by zero (entry {zero})")
            self.chain.scale([1 / v for v in values], node.where)
        self.shape = out

    def legacy_broadcast(self, node: Node, k: int, c: np.ndarray) -> np.ndarray:
        """Opsets 1–6 broadcast only with broadcast=1, aligning B at ``axis`` (not numpy's trailing
        alignment): B is reshaped so that numpy broadcasting means the same; else shapes must agree."""
        if self.opset >= 7:
            return c
        if not node.int("broadcast", 0):
            if tuple(c.shape) != self.shape:
                raise InputError(node.where, f"operand shapes {list(self.shape)} and {list(c.shape)} differ "
                                             "and broadcast=0 (opset < 7)")
            return c
        if k != 0:
            raise InputError(node.where, "with broadcast=1 (opset < 7) the broadcast operand B must be the constant")
        rank = len(self.shape)
        axis = node.int("axis", rank - c.ndim)
        if not 0 <= axis <= rank - c.ndim or tuple(self.shape[axis:axis + c.ndim]) != tuple(
                d if d != 1 else self.shape[axis + i] for i, d in enumerate(c.shape)):
            raise InputError(node.where, f"B of shape {list(c.shape)} does not broadcast to {list(self.shape)} "
                                         f"at axis {axis}")
        return c.reshape(c.shape + (1,) * (rank - axis - c.ndim))

    # ------------------------------------------------------------------ matrix products

    def matmul(self, node: Node) -> None:
        if len(node.inputs) != 2:
            raise InputError(node.where, "expected two operands")
        k = self.data_index(node, (0, 1))
        c = self.const(node, 1 - k, "constant")
        where, s = f"{node.where}: {node.inputs[1 - k]}", self.shape
        if c.ndim not in (1, 2) or 0 in c.shape:
            raise InputError(where, f"expected a 1-D or 2-D constant, got shape {list(c.shape)}")
        if not s:
            raise InputError(node.where, "MatMul of a scalar")
        if k == 0:  # x · C acts on the last axis of x
            rows = _size(s[:-1])
            n = c.shape[0]
            if s[-1] != n:
                raise InputError(node.where, f"tensor of shape {list(s)} times constant of shape {list(c.shape)}")
            if rows != 1:
                raise InputError(node.where, f"the tensor of shape {list(s)} has {rows} rows; only one row (one "
                                             "sample) is read")
            m = c.T if c.ndim == 2 else c.reshape(1, n)
            out = s[:-1] + ((c.shape[1],) if c.ndim == 2 else ())
        else:  # C · x acts on the first axis of x (1-D) or the second-to-last one (column vector)
            n = c.shape[-1]
            if len(s) == 1:
                if s[0] != n:
                    raise InputError(node.where, f"constant of shape {list(c.shape)} times tensor of shape {list(s)}")
                out = c.shape[:-1]
            else:
                if s[-2] != n or s[-1] != 1 or _size(s[:-2]) != 1:
                    raise InputError(node.where, f"constant of shape {list(c.shape)} times tensor of shape "
                                                 f"{list(s)}: only a single column vector is read")
                out = s[:-2] + c.shape[:-1] + (1,)
            m = c if c.ndim == 2 else c.reshape(1, n)
        self.chain.linear_scaled(*scaled_matrix(m, where), int(m.shape[0]), int(m.shape[1]), node.where)
        self.shape = tuple(int(d) for d in out)

    def gemm(self, node: Node) -> None:
        if self.data_index(node, (0, 1)) != 0:
            raise InputError(node.where, "the computed tensor must be the first operand A")
        alpha, beta = node.float("alpha", 1.0), node.float("beta", 1.0)
        if len(self.shape) != 2:
            raise InputError(node.where, f"operand A has shape {list(self.shape)}; Gemm takes a matrix")
        rows, inner = self.shape[::-1] if node.int("transA", 0) else self.shape
        if rows != 1:
            raise InputError(node.where, f"operand A has {rows} rows; only one row (one sample) is read")
        b = self.const(node, 1, "B")
        if b.ndim != 2:
            raise InputError(f"{node.where}: {node.inputs[1]}", f"expected a 2-D matrix, got shape {list(b.shape)}")
        w = b if node.int("transB", 0) else b.T   # out × in
        if w.shape[1] != inner:
            raise InputError(node.where, f"A has {inner} columns but B expects {w.shape[1]}")
        ints, den = scaled_matrix(w, f"{node.where}: {node.inputs[1]}")
        a = Fraction(alpha)
        if a != 1:
            ints, den = [a.numerator * v for v in ints], den * a.denominator
        self.chain.linear_scaled(ints, den, int(w.shape[0]), inner, node.where)
        out = (1, int(w.shape[0]))
        c = self.optional_const(node, 2, "C")
        if c is not None:
            where = f"{node.where}: {node.inputs[2]}"
            if broadcast(tuple(c.shape), out, where) != out:
                raise InputError(where, f"C of shape {list(c.shape)} does not broadcast to {list(out)}")
            bias = fractions(np.broadcast_to(c, out), where)
            bt = Fraction(beta)
            self.chain.add([bt * v for v in bias] if bt != 1 else bias, node.where)
        self.shape = out

    # ------------------------------------------------------------------ normalisation

    def batchnorm(self, node: Node) -> None:
        if self.data_index(node, (0,)) != 0:
            raise InputError(node.where, "the computed tensor must be the first operand X")
        if node.int("training_mode", 0):
            raise InputError(node.where, "BatchNormalization in training mode depends on the batch")
        if self.opset < 9 and node.int("spatial", 1) == 0:
            raise InputError(node.where, "BatchNormalization with spatial=0 is not supported")
        if len(self.shape) < 2:
            raise InputError(node.where, f"input of shape {list(self.shape)} has no channel axis 1")
        channels = self.shape[1]
        params = []
        for i, what in enumerate(("scale", "B", "mean", "var"), start=1):
            arr = self.const(node, i, what)
            if arr.shape != (channels,):
                raise InputError(f"{node.where}: {node.inputs[i]}", f"{what} has shape {list(arr.shape)}, "
                                                                   f"expected [{channels}]")
            params.append(fractions(arr, f"{node.where}: {node.inputs[i]}"))
        eps = Fraction(node.float("epsilon", float(np.float32(1e-5))))
        factor, offset, inexact = [], [], 0
        for ch, (g, b, mean, var) in enumerate(zip(*params)):
            r = var + eps
            if r <= 0:
                raise InputError(node.where, f"var + epsilon = {r} ≤ 0 in channel {ch}")
            root = inverse_sqrt(r, self.approximate)
            if root is None:
                raise InputError(node.where, f"1/sqrt(var + epsilon) is irrational in channel {ch} "
                                             f"(var + epsilon = {float(r):.17g}), so the layer has no exact "
                                             "rational form; export with BatchNorm folded into the weights "
                                             "(torch.onnx.export's default dynamo exporter does this), or read "
                                             "with irrational='approximate'")
            inexact += not root[1]
            factor.append(g * root[0])
            offset.append(b - g * root[0] * mean)
        inner = _size(self.shape[2:])
        repeat = _size(self.shape) // (channels * inner)
        expand = lambda v: [x for _ in range(repeat) for x in v for _ in range(inner)]  # noqa: E731
        self.chain.scale(expand(factor), node.where)
        self.chain.add(expand(offset), node.where)
        if inexact:
            self.assumed.append(f"{node.where}: 1/sqrt(var + epsilon) is irrational in {inexact} of {channels} "
                                "channels and was replaced by a dyadic rational within relative 2^-64; the "
                                "network differs from the file's real-arithmetic function by that much")
        self.folded.append(f"{node.op} {node.outputs[0]} folded into the affine layer")

    def shape_of(self, node: Node) -> np.ndarray:
        """Shape of the current tensor for one sample (opset 15: its slice start:end)."""
        end = len(self.shape) if "end" not in node.attrs else node.int("end", 0)
        return np.array(self.shape[node.int("start", 0):end], dtype=np.int64)

    def relu(self, node: Node) -> None:
        self.chain.relu(node.where)


# (fewest inputs, most inputs, most outputs) of each operator read, per the ONNX operator schemas.
ARITY: dict[str, tuple[int, int, int]] = {
    "Constant": (0, 0, 1), "Identity": (1, 1, 1), "Dropout": (1, 3, 2), "Flatten": (1, 1, 1),
    "Reshape": (2, 2, 1), "Squeeze": (1, 2, 1), "Unsqueeze": (1, 2, 1), "Transpose": (1, 1, 1),
    "Add": (2, 2, 1), "Sub": (2, 2, 1), "Mul": (2, 2, 1), "Div": (2, 2, 1), "MatMul": (2, 2, 1),
    "Gemm": (2, 3, 1), "BatchNormalization": (5, 5, 5), "Relu": (1, 1, 1), "Shape": (1, 1, 1),
    "Gather": (2, 2, 1), "Concat": (1, 1 << 16, 1), "Slice": (1, 5, 1), "Cast": (1, 1, 1)}

DATA_OPS: dict[str, Callable[[Folder, Node], None]] = {
    "Identity": Folder.move_data, "Dropout": Folder.move_data, "Flatten": Folder.move_data,
    "Reshape": Folder.move_data, "Squeeze": Folder.move_data, "Unsqueeze": Folder.move_data,
    "Transpose": Folder.move_data, "Add": Folder.elementwise, "Sub": Folder.elementwise,
    "Mul": Folder.elementwise, "Div": Folder.elementwise, "MatMul": Folder.matmul, "Gemm": Folder.gemm,
    "BatchNormalization": Folder.batchnorm, "Relu": Folder.relu}

CONSTANT_OPS: dict[str, Callable[[Folder, Node], np.ndarray]] = {
    **CONSTANT_FOLDS, "Constant": constant_node, "Identity": Folder.move_constant, "Flatten": Folder.move_constant,
    "Reshape": Folder.move_constant, "Squeeze": Folder.move_constant, "Unsqueeze": Folder.move_constant,
    "Transpose": Folder.move_constant}


# --------------------------------------------------------------------------- the graph

def _input_shape(value_info, path: str) -> tuple[tuple[int, ...], list]:
    """(shape for one sample, shape as declared) of the graph input; a symbolic dim 0 is the batch."""
    kind = value_info.type.WhichOneof("value")
    tensor = value_info.type.tensor_type
    if kind != "tensor_type":
        raise InputError(path, f"input {value_info.name!r} is not a tensor")
    if tensor.elem_type not in _FLOAT_TYPES:
        raise InputError(path, f"input {value_info.name!r} has element type {tensor.elem_type}; certify reads "
                               "networks of real numbers (float16, float32, float64, bfloat16)")
    if not tensor.HasField("shape"):
        raise InputError(path, f"input {value_info.name!r} has no declared shape")
    declared, shape = [], []
    for i, d in enumerate(tensor.shape.dim):
        if d.HasField("dim_value"):
            if d.dim_value <= 0:
                raise InputError(path, f"input {value_info.name!r} has dimension {i} = {d.dim_value}")
            declared.append(d.dim_value)
            shape.append(d.dim_value)
        elif i == 0:
            declared.append(d.dim_param or "?")
            shape.append(1)
        else:
            raise InputError(path, f"input {value_info.name!r} has a symbolic dimension {i} "
                                   f"({d.dim_param or '?'}); only the batch dimension 0 may be symbolic")
    return tuple(shape), declared


def _declared_shapes(graph) -> dict[str, list]:
    """Static shapes (None for a symbolic dim) the file declares for outputs and value_info."""
    out = {}
    for vi in list(graph.value_info) + list(graph.output):
        t = vi.type.tensor_type
        if vi.type.WhichOneof("value") == "tensor_type" and t.HasField("shape"):
            out[vi.name] = [d.dim_value if d.HasField("dim_value") else None for d in t.shape.dim]
    return out


def fold_graph(model: Any, path: str, consts: dict[str, np.ndarray], attrs: Callable[[Any, str], dict],
               irrational: str = "refuse") -> Folded:
    """Walk ``model.graph`` (constants already read) into exact layers, or raise InputError."""
    if irrational not in ("refuse", "approximate"):
        raise ValueError(f"unknown irrational={irrational!r}")
    graph = model.graph
    opset = max((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), default=None)
    if opset is None:
        raise InputError(path, "the model imports no version of the default ONNX operator set")
    inputs = [i for i in graph.input if i.name not in consts]
    if len(inputs) != 1:
        raise InputError(path, f"expected exactly one graph input, found {len(inputs)} "
                               f"({', '.join(i.name for i in inputs) or 'none'})")
    shape, declared = _input_shape(inputs[0], path)
    used = {name for node in graph.node for name in node.input} | {o.name for o in graph.output}
    folder = Folder(path, opset, consts, inputs[0].name, shape, used, _declared_shapes(graph), irrational)
    for k, proto in enumerate(graph.node):
        where = f"{path}: node {k} {proto.name or '(unnamed)'!r} ({proto.op_type})"
        if proto.domain not in ("", "ai.onnx"):
            raise InputError(where, f"operator domain {proto.domain!r} is not supported")
        folder.visit(Node(where, proto.op_type, list(proto.input), list(proto.output), attrs(proto, where)))
    outputs = [o.name for o in graph.output]
    if outputs != [folder.current]:
        raise InputError(path, f"graph output {outputs} is not the end of the chain {folder.current!r}")
    if folder.chain.empty:
        raise InputError(path, "no affine layer found (need Gemm or MatMul)")
    return Folded(folder.chain.finish(path), inputs[0].name, declared, list(folder.shape), folder.folded,
                  folder.assumed)
