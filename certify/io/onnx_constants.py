"""Folding constants in an ONNX graph: data movement and integer shape arithmetic, exactly.

Exporters compute some operands instead of storing them: a Reshape target from the
tensor's ``Shape`` (exports with a dynamic batch axis), a weight through ``Transpose`` or
``Identity``.  The folder (``onnx_graph.py``) evaluates such constant subgraphs when every
step is exact: ``Gather``, ``Concat``, ``Slice`` (positive steps), a ``Cast`` that keeps every
value, and ``Add``/``Sub``/``Mul`` of *integer* constants in Python integers (overflow of
int64 refused).  Arithmetic on float constants is refused: evaluating it in floats would
round, and certify reads the file's numbers, not a runtime's results.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from ..kernel.exact import InputError
from .arrays import _as_array, _exact_list

if TYPE_CHECKING:
    from .onnx_graph import Folder, Node

__all__ = ["axis_index", "int_list", "constant_node", "CONSTANT_FOLDS"]


def axis_index(axis: int, rank: int, where: str) -> int:
    """An ONNX axis (−rank ≤ axis < rank) as 0 ≤ axis < rank."""
    if not -rank <= axis < rank:
        raise InputError(where, f"axis {axis} is out of range for a tensor of rank {rank}")
    return axis % rank


def int_list(value: Any, where: str) -> list[int]:
    """A 0-D or 1-D integer tensor (shape, axes, perm) as Python integers."""
    arr = np.asarray(value)
    if arr.dtype.kind not in "iu" or arr.ndim > 1:
        raise InputError(where, f"expected a 1-D integer tensor, got {arr.dtype} of shape {list(arr.shape)}")
    return [int(v) for v in arr.reshape(-1).tolist()]


def gather(folder: "Folder", node: "Node") -> np.ndarray:
    """Gather(data, indices, axis): numpy's take, indices checked (negative ones count from the end)."""
    data, index = folder.const(node, 0, "data"), folder.const(node, 1, "indices")
    if index.dtype.kind not in "iu":
        raise InputError(node.where, f"indices of type {index.dtype}")
    axis = axis_index(node.int("axis", 0), max(data.ndim, 1), node.where)
    try:
        return np.take(data, index, axis=axis, mode="raise")
    except IndexError as e:
        raise InputError(node.where, f"index out of range ({e})") from None


def concat(folder: "Folder", node: "Node") -> np.ndarray:
    """Concat(inputs…, axis)."""
    parts = [folder.const(node, i, f"input {i}") for i in range(len(node.inputs))]
    if not parts:
        raise InputError(node.where, "Concat of nothing")
    try:
        return np.concatenate(parts, axis=axis_index(node.int("axis", 0), max(parts[0].ndim, 1), node.where))
    except ValueError as e:
        raise InputError(node.where, f"cannot concatenate ({e})") from None


def slice_(folder: "Folder", node: "Node") -> np.ndarray:
    """Slice(data, starts, ends, axes, steps) (attributes before opset 10), positive steps only:
    then ONNX's clamping of starts and ends is Python's."""
    data = folder.const(node, 0, "data")
    if folder.opset < 10:
        starts, ends = node.ints("starts", None), node.ints("ends", None)
        axes, steps = node.ints("axes", None), None
    else:
        read = lambda i, what: (None if folder.optional_const(node, i, what) is None  # noqa: E731
                                else int_list(folder.const(node, i, what), f"{node.where}: {what}"))
        starts, ends, axes, steps = read(1, "starts"), read(2, "ends"), read(3, "axes"), read(4, "steps")
    if starts is None or ends is None or len(starts) != len(ends):
        raise InputError(node.where, "Slice needs starts and ends of one length")
    axes = list(range(len(starts))) if axes is None else axes
    steps = [1] * len(starts) if steps is None else steps
    if len(axes) != len(starts) or len(steps) != len(starts) or any(k <= 0 for k in steps):
        raise InputError(node.where, "Slice axes/steps do not match starts (or a step is not positive)")
    index = [slice(None)] * data.ndim
    for a, b, e, k in zip(axes, starts, ends, steps):
        index[axis_index(a, data.ndim, node.where)] = slice(b, e, k)  # positive steps: numpy clamps as ONNX does
    return data[tuple(index)]


# ONNX element types a Cast may target, as numpy dtypes.
_CAST = {1: np.float32, 2: np.uint8, 3: np.int8, 4: np.uint16, 5: np.int16, 6: np.int32, 7: np.int64,
         9: np.bool_, 10: np.float16, 11: np.float64, 12: np.uint32, 13: np.uint64}


def cast(folder: "Folder", node: "Node") -> np.ndarray:
    """Cast(input, to) when every value survives it (compared exactly, int against float)."""
    data = folder.const(node, 0, "input")
    target = _CAST.get(node.int("to", 0))
    if target is None:
        raise InputError(node.where, f"Cast to element type {node.attrs.get('to')} is not supported")
    with np.errstate(all="ignore"):
        out = data.astype(target)
    if any(a != b for a, b in zip(data.reshape(-1).tolist(), out.reshape(-1).tolist())):
        raise InputError(node.where, f"Cast of a constant from {data.dtype} to {np.dtype(target)} changes its values")
    return out


def integer_arithmetic(folder: "Folder", node: "Node") -> np.ndarray:
    """Add, Sub, Mul of integer constants (shape arithmetic), in Python integers: exact."""
    a, b = folder.const(node, 0, "A"), folder.const(node, 1, "B")
    if a.dtype.kind not in "iu" or b.dtype.kind not in "iu":
        raise InputError(node.where, f"computes {node.op} on float constants; certify folds only integer "
                                     "(shape) arithmetic on constants")
    try:
        x, y = np.broadcast_arrays(a.astype(object), b.astype(object))
    except ValueError:
        raise InputError(node.where, f"shapes {list(a.shape)} and {list(b.shape)} do not broadcast") from None
    out = {"Add": x + y, "Sub": x - y, "Mul": x * y}[node.op]
    if any(not -2 ** 63 <= v < 2 ** 63 for v in out.reshape(-1).tolist()):
        raise InputError(node.where, "integer constant arithmetic overflows int64")
    return out.astype(np.int64)


def constant_node(folder: "Folder", node: "Node") -> np.ndarray:
    attrs = node.attrs
    if "value" in attrs:
        return attrs["value"]  # already converted by the reader (tensor_array)
    for key in ("value_float", "value_floats", "value_int", "value_ints"):
        if key in attrs:
            value = np.asarray(attrs[key])
            if value.dtype.kind == "f" and not np.isfinite(value).all():
                where = f"{node.where}: attribute {key}"
                _exact_list(_as_array(value, where), where)  # raises, naming the entry
            return value
    raise InputError(node.where, f"Constant without a numeric value (attributes: {sorted(attrs)})")


CONSTANT_FOLDS: dict[str, Callable[["Folder", "Node"], np.ndarray]] = {
    "Gather": gather, "Concat": concat, "Slice": slice_, "Cast": cast,
    "Add": integer_arithmetic, "Sub": integer_arithmetic, "Mul": integer_arithmetic}
