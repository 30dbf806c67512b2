"""ONNX models ↔ certify networks, exactly.

Import (``load_onnx``) walks a *chain* graph — every node consumes the previous
node's result — and composes it into affine layers separated by ReLUs:

* ``Gemm`` (alpha, beta, transB; transA = 0), ``MatMul`` with a constant right operand,
  ``Add``/``Sub`` of a constant (a bias, or an input offset such as ACAS Xu's ``AvgImg``),
  ``Relu``, ``Flatten`` (batch dimension 1).
* Consecutive affine operations are composed exactly (so ``Sub`` of an input offset is
  folded into the first bias: W(x − c) + b = Wx + (b − Wc)).
* A graph that ends in ``Relu`` gets an identity output layer (certify's last layer is
  affine, theory.md §1).
* Any other operator is rejected with a one-line message naming the node.

Every float32/float64 weight is taken as its exact binary value (``arrays.py``): the
imported network is the real-arithmetic network with those weights.

Export (``write_onnx``) writes ``Gemm(transB=1)`` + ``Relu`` per layer (opset 13), with
input ``[1, d0]``; float32 when every number is exactly a float32, else float64, else
it refuses unless rounding is requested (see ``arrays.float_layers``).  The name,
source and domain travel in the model's metadata, so JSON → ONNX → JSON is lossless
for dyadic networks.
"""
from __future__ import annotations

import json
import math
import os
from fractions import Fraction
from typing import Any

import numpy as np

from ..kernel.exact import InputError, fmt_vector
from ..kernel.network import Net, parse_box
from ..network import Network
from .arrays import Rounding, exact_matrix, exact_vector, float_layers
from .chain import AffineChain

__all__ = ["load_onnx", "from_onnx_model", "to_onnx_model", "write_onnx", "SUPPORTED_OPS"]

SUPPORTED_OPS = ("Gemm", "MatMul", "Add", "Sub", "Relu", "Flatten")
OPSET = 13
IR_VERSION = 8  # readable by onnx ≥ 1.10 and onnxruntime ≥ 1.10
_META = "certify."


def require_onnx(path: str):
    try:
        import onnx
    except ImportError:
        raise InputError(path, "ONNX support needs the optional package onnx: "
                               "pip install 'certify[onnx]'") from None
    return onnx


def load_onnx(path: str | os.PathLike) -> Network:
    """Read an ONNX file into an exact Network (see the module docstring)."""
    name = os.fspath(path)
    onnx = require_onnx(name)
    if not os.path.exists(name):
        raise InputError(name, "no such file")
    if os.path.isdir(name):
        raise InputError(name, "is a directory, expected an ONNX file")
    try:
        model = onnx.load(name)
    except Exception as e:  # protobuf decode errors have no common base class
        raise InputError(name, f"not an ONNX model ({type(e).__name__}: {str(e)[:120]})") from None
    return from_onnx_model(model, name)


# --------------------------------------------------------------------------- import

def _attrs(node, onnx) -> dict[str, Any]:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _constant_value(node, onnx, where: str) -> np.ndarray:
    attrs = _attrs(node, onnx)
    if "value" in attrs:
        return onnx.numpy_helper.to_array(attrs["value"])
    for key in ("value_float", "value_floats", "value_int", "value_ints"):
        if key in attrs:
            return np.asarray(attrs[key])
    raise InputError(where, f"Constant without a numeric value (attributes: {sorted(attrs)})")


def _static_dim(value_info) -> tuple[int | None, list]:
    """(flattened length, shape) of a graph input; a symbolic leading dim counts as batch 1."""
    dims = value_info.type.tensor_type.shape.dim
    shape = [d.dim_value if d.HasField("dim_value") else (d.dim_param or "?") for d in dims]
    if not shape:
        return None, shape
    size = 1
    for i, d in enumerate(shape):
        if isinstance(d, int):
            size *= d
        elif i != 0:
            return None, shape
    return size, shape


def _elementwise(c: np.ndarray, shape: list[int] | None, where: str) -> None:
    """Refuse a constant whose ONNX broadcasting against the tensor would not be elementwise."""
    if c.size == 1:
        return
    strip = (lambda dims: list(dims)[next((i for i, d in enumerate(dims) if d != 1), len(dims)):])
    ok = strip(c.shape) == strip(shape) if shape is not None else c.ndim <= 1 or all(d == 1 for d in c.shape[:-1])
    if not ok:
        raise InputError(where, f"constant of shape {list(c.shape)} does not match the tensor's shape "
                                f"{shape if shape is not None else '[1, n]'} elementwise")


def from_onnx_model(model: Any, path: str = "<onnx>") -> Network:
    """Compose an in-memory ``onnx.ModelProto`` chain graph into an exact Network."""
    onnx = require_onnx(path)
    graph = model.graph
    try:
        consts: dict[str, np.ndarray] = {t.name: onnx.numpy_helper.to_array(t) for t in graph.initializer}
    except Exception as e:
        raise InputError(path, f"unreadable initializer ({type(e).__name__}: {str(e)[:120]})") from None
    inputs = [i for i in graph.input if i.name not in consts]
    if len(inputs) != 1:
        raise InputError(path, f"expected exactly one graph input, found {len(inputs)} "
                               f"({', '.join(i.name for i in inputs) or 'none'})")
    d0, in_shape = _static_dim(inputs[0])
    # The current tensor's shape (a symbolic leading batch dimension counts as 1), tracked so
    # that an Add/Sub constant is accepted only when ONNX broadcasting keeps it elementwise.
    shape: list[int] | None = [1] + in_shape[1:] if d0 is not None else None
    current = inputs[0].name
    chain = AffineChain(d0)
    folded: list[str] = []

    def const(name: str, where: str) -> np.ndarray:
        if name not in consts:
            raise InputError(where, f"expected a constant operand, got the computed tensor {name!r} "
                                    "(only chains of affine layers and ReLUs are supported)")
        return consts[name]

    for k, node in enumerate(graph.node):
        where = f"{path}: node {k} {node.name or '(unnamed)'!r} ({node.op_type})"
        op = node.op_type
        if node.domain not in ("", "ai.onnx"):
            raise InputError(where, f"operator domain {node.domain!r} is not supported")
        if op == "Constant":
            consts[node.output[0]] = _constant_value(node, onnx, where)
            continue
        if op not in SUPPORTED_OPS:
            raise InputError(where, f"unsupported operator; certify imports chains of "
                                    f"{', '.join(SUPPORTED_OPS)}")
        data = [i for i in node.input if i and i not in consts]
        if data != [current]:
            raise InputError(where, f"does not continue the chain from {current!r} "
                                    "(branching graphs are not supported)")
        if len(node.output) != 1:
            raise InputError(where, "expected exactly one output")
        attrs = _attrs(node, onnx)
        if op == "Relu":
            chain.relu(where)
        elif op == "Flatten":
            # The tensor is handled as a flat vector in C order; only a batch of 1 may stay in front.
            if shape is not None:
                axis = attrs.get("axis", 1) % max(len(shape), 1)
                if math.prod(shape[:axis]) != 1:
                    raise InputError(where, f"flattening shape {shape} at axis {axis} leaves a batch "
                                            f"of {math.prod(shape[:axis])}; only batch 1 is supported")
                shape = [1, math.prod(shape[axis:])]
        elif op in ("Add", "Sub"):
            if len(node.input) != 2:
                raise InputError(where, "expected two operands")
            other = node.input[1] if node.input[0] == current else node.input[0]
            _elementwise(const(other, where), shape, f"{where}: {other}")
            c = exact_vector(const(other, where), f"{where}: {other}")
            if op == "Sub":
                if node.input[0] != current:
                    raise InputError(where, "constant − tensor is not supported (only tensor − constant)")
                c = tuple(-v for v in c)
                if chain.empty:
                    folded.append(f"Sub {other} (input offset) folded into the first bias")
            chain.add(c, where)
        elif op == "MatMul":
            if node.input[0] != current:
                raise InputError(where, "the constant must be the right operand (x · W)")
            w = const(node.input[1], where)
            if w.ndim != 2:
                raise InputError(where, f"expected a 2-D weight, got shape {list(w.shape)}")
            chain.linear(exact_matrix(w.T, f"{where}: {node.input[1]}"), where)
            shape = None if shape is None else shape[:-1] + [int(w.shape[1])]
        elif op == "Gemm":
            if attrs.get("transA", 0):
                raise InputError(where, "transA=1 is not supported")
            if node.input[0] != current:
                raise InputError(where, "the tensor must be the first operand A")
            w = const(node.input[1], where)
            if w.ndim != 2:
                raise InputError(where, f"expected a 2-D weight, got shape {list(w.shape)}")
            m = exact_matrix(w if attrs.get("transB", 0) else w.T, f"{where}: {node.input[1]}")
            alpha = Fraction(attrs.get("alpha", 1.0))
            if alpha != 1:
                m = tuple(tuple(alpha * v for v in row) for row in m)
            chain.linear(m, where)
            shape = [1, len(m)]
            if len(node.input) > 2 and node.input[2]:
                _elementwise(const(node.input[2], where), shape, f"{where}: {node.input[2]}")
                c = exact_vector(const(node.input[2], where), f"{where}: {node.input[2]}")
                beta = Fraction(attrs.get("beta", 1.0))
                chain.add(tuple(beta * v for v in c), where)
        current = node.output[0]
    outputs = [o.name for o in graph.output]
    if outputs != [current]:
        raise InputError(path, f"graph output {outputs} is not the end of the chain {current!r}")
    if chain.empty:
        raise InputError(path, "no affine layer found (need Gemm or MatMul)")
    layers = chain.finish(path)
    meta_props = {p.key: p.value for p in model.metadata_props}
    box = None
    if _META + "domain" in meta_props:
        try:
            box = parse_box(json.loads(meta_props[_META + "domain"]), f"{path}: metadata {_META}domain",
                            len(layers[0].weight[0]))
        except json.JSONDecodeError:
            raise InputError(path, f"metadata {_META}domain is not JSON") from None
    metadata = {"imported_from": "onnx", "file": os.path.basename(path), "input": inputs[0].name,
                "input_shape": in_shape, "producer": " ".join(filter(None, (model.producer_name,
                                                                             model.producer_version))) or None,
                "opset": max((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), default=None)}
    if folded:
        metadata["folded"] = folded
    if d0 is not None and d0 != len(layers[0].weight[0]):
        raise InputError(path, f"input {inputs[0].name!r} has {d0} entries but the first layer expects "
                               f"{len(layers[0].weight[0])}")
    return Network(Net(tuple(layers), box), meta_props.get(_META + "name"),
                   meta_props.get(_META + "source") or f"ONNX model {os.path.basename(path)}",
                   {k: v for k, v in metadata.items() if v is not None})


# --------------------------------------------------------------------------- export

def to_onnx_model(network: Network, dtype: str = "auto", rounding: str = "refuse"):
    """(onnx.ModelProto, Rounding | None): Gemm(transB=1)+Relu layers, input [1, d0]."""
    onnx = require_onnx("ONNX export")
    from onnx import TensorProto, helper, numpy_helper
    dtype, arrays, _, report = float_layers(network, dtype, rounding)
    elem = TensorProto.FLOAT if dtype == "float32" else TensorProto.DOUBLE
    nodes, inits = [], []
    current = "input"
    for i, (w, b) in enumerate(arrays):
        inits += [numpy_helper.from_array(w, f"layers.{i}.weight"), numpy_helper.from_array(b, f"layers.{i}.bias")]
        out = "output" if i == len(arrays) - 1 else f"z{i + 1}"
        nodes.append(helper.make_node("Gemm", [current, f"layers.{i}.weight", f"layers.{i}.bias"], [out],
                                      name=f"gemm{i + 1}", transB=1))
        current = out
        if i < len(arrays) - 1:
            nodes.append(helper.make_node("Relu", [out], [f"a{i + 1}"], name=f"relu{i + 1}"))
            current = f"a{i + 1}"
    widths = network.widths
    graph = helper.make_graph(nodes, network.name or "certify_network", [
        helper.make_tensor_value_info("input", elem, [1, widths[0]])], [
        helper.make_tensor_value_info("output", elem, [1, widths[-1]])], inits)
    model = helper.make_model(graph, producer_name="certify", opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    meta = {"name": network.name, "source": network.source,
            "domain": json.dumps([fmt_vector(iv) for iv in network.box]) if network.box else None}
    if report is not None:
        meta["rounded"] = report.message()
    for key, value in meta.items():
        if value is not None:
            entry = model.metadata_props.add()
            entry.key, entry.value = _META + key, value
    onnx.checker.check_model(model)
    return model, report


def write_onnx(network: Network, path: str | os.PathLike, dtype: str = "auto",
               rounding: str = "refuse") -> Rounding | None:
    """Write ``network`` as ONNX atomically; returns the rounding report (None: exact)."""
    from ..core.files import write_bytes_atomic
    model, report = to_onnx_model(network, dtype, rounding)
    write_bytes_atomic(path, model.SerializeToString())
    return report

