"""ONNX models ↔ certify networks, exactly.

Import (``load_onnx``) reads a graph that is a chain of affine operations and ReLUs for
one input sample, and composes it into exact affine layers separated by ReLUs
(``onnx_graph.py`` lists the operators and the checks: Gemm, MatMul either way round,
Add/Sub/Mul/Div by constants, BatchNormalization and Dropout in inference mode,
Identity, Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Relu; Shape of the tensor and
exact shape arithmetic on constants, ``onnx_constants.py``).  Anything else — another
operator, a branch or residual connection, a training-mode node — is refused with a
one-line message naming the file, the node and its operator.

Before the graph is walked the file itself is checked: protobuf that does not parse, text
fields that are not UTF-8, initializers kept in external data files, sparse or non-finite
initializers are refused (``InputError``, exit 2).  Every float32/float64 weight is taken
as its exact binary value (``arrays.py``): the imported network is the real-arithmetic
network with those weights.  A graph that ends in ``Relu`` gets an identity output layer
(certify's last layer is affine, theory.md §1).

Export (``write_onnx``) writes ``Gemm(transB=1)`` + ``Relu`` per layer (opset 13), with
input ``[1, d0]``; float32 when every number is exactly a float32, else float64, else
it refuses unless rounding is requested (see ``arrays.float_layers``).  The name,
source and domain travel in the model's metadata, so JSON → ONNX → JSON is lossless
for dyadic networks.
"""
from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from ..kernel.exact import InputError, fmt_vector
from ..kernel.network import Net, parse_box
from ..network import Network
from .arrays import Rounding, float_layers
from .onnx_graph import DATA_OPS, fold_graph

__all__ = ["load_onnx", "from_onnx_model", "to_onnx_model", "write_onnx", "SUPPORTED_OPS"]

SUPPORTED_OPS = tuple(sorted(DATA_OPS))
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


def load_onnx(path: str | os.PathLike, *, irrational: str = "refuse") -> Network:
    """Read an ONNX file into an exact Network (see the module docstring).

    ``irrational="approximate"`` accepts a BatchNormalization whose 1/sqrt(var + eps) is
    irrational, replaced by a dyadic rational within relative 2^-64 and recorded in
    ``metadata["assumed"]`` (``onnx_graph.py``); by default such a file is refused.
    """
    name = os.fspath(path)
    onnx = require_onnx(name)
    if not os.path.exists(name):
        raise InputError(name, "no such file")
    if os.path.isdir(name):
        raise InputError(name, "is a directory, expected an ONNX file")
    try:
        with open(name, "rb") as fh:
            data = fh.read()
    except OSError as e:
        raise InputError(name, f"cannot read: {e.strerror or e}") from None
    try:
        # Never follow external-data references: they name other files (refused below).
        model = onnx.load_model_from_string(data)
    except Exception as e:  # protobuf decode errors have no common base class
        raise InputError(name, f"not an ONNX model ({type(e).__name__}: {str(e)[:120]})") from None
    return from_onnx_model(model, name, irrational=irrational)


# --------------------------------------------------------------------------- import

def _check_text(message: Any, path: str, place: str = "model") -> None:
    """Every string field of the protobuf holds valid UTF-8 (a lenient parser hands back bytes)."""
    for field, value in message.ListFields():
        where = f"{place}.{field.name}"
        repeated = _repeated(field)
        if field.type == field.TYPE_STRING:
            if any(not isinstance(v, str) for v in (value if repeated else [value])):
                raise InputError(path, f"{where} is not valid UTF-8 text")
        elif field.type == field.TYPE_MESSAGE:
            for i, item in enumerate(value if repeated else [value]):
                _check_text(item, path, f"{where}[{i}]" if repeated else where)


def _repeated(field: Any) -> bool:
    flag = getattr(field, "is_repeated", None)  # protobuf ≥ 5; older versions have only .label
    return bool(flag) if flag is not None else field.label == field.LABEL_REPEATED


def _tensor_array(tensor, onnx, where: str) -> np.ndarray:
    """An embedded tensor as a numpy array; external data and non-finite floats are refused."""
    if tensor.data_location == onnx.TensorProto.EXTERNAL:
        raise InputError(where, "is stored in an external data file; certify reads self-contained ONNX files "
                                "(save with onnx.save_model(model, path, save_as_external_data=False))")
    try:
        arr = onnx.numpy_helper.to_array(tensor)
    except Exception as e:
        raise InputError(where, f"unreadable tensor ({type(e).__name__}: {str(e)[:120]})") from None
    if arr.dtype.kind == "f" and arr.size and not np.isfinite(arr.astype(np.float64)).all():
        bad = np.unravel_index(int(np.flatnonzero(~np.isfinite(arr.astype(np.float64)))[0]), arr.shape)
        raise InputError(where + "".join(f"[{i}]" for i in bad), "expected a finite number, got "
                                                                f"{arr[bad]}")
    return arr


def _attributes(onnx) -> Any:
    def read(node, where: str) -> dict[str, Any]:
        out = {}
        for a in node.attribute:
            if a.type == onnx.AttributeProto.TENSOR:
                out[a.name] = _tensor_array(a.t, onnx, f"{where}: attribute {a.name}")
            elif a.type in (onnx.AttributeProto.SPARSE_TENSOR, onnx.AttributeProto.GRAPH,
                            onnx.AttributeProto.GRAPHS, onnx.AttributeProto.TENSORS):
                raise InputError(where, f"attribute {a.name} holds a {onnx.AttributeProto.AttributeType.Name(a.type)},"
                                        " which certify does not read")
            else:
                out[a.name] = onnx.helper.get_attribute_value(a)
        return out
    return read


def from_onnx_model(model: Any, path: str = "<onnx>", *, irrational: str = "refuse") -> Network:
    """Compose an in-memory ``onnx.ModelProto`` chain graph into an exact Network."""
    onnx = require_onnx(path)
    _check_text(model, path)
    graph = model.graph
    if len(graph.sparse_initializer):
        raise InputError(path, f"sparse initializer {graph.sparse_initializer[0].values.name!r} is not supported")
    consts: dict[str, np.ndarray] = {}
    for t in graph.initializer:
        if t.name in consts:
            raise InputError(path, f"initializer {t.name!r} is defined twice")
        consts[t.name] = _tensor_array(t, onnx, f"{path}: initializer {t.name!r}")
    folded = fold_graph(model, path, consts, _attributes(onnx), irrational)
    layers = folded.layers
    meta_props = {p.key: p.value for p in model.metadata_props}
    box = None
    if _META + "domain" in meta_props:
        try:
            box = parse_box(json.loads(meta_props[_META + "domain"]), f"{path}: metadata {_META}domain",
                            len(layers[0].weight[0]))
        except json.JSONDecodeError:
            raise InputError(path, f"metadata {_META}domain is not JSON") from None
    metadata = {"imported_from": "onnx", "file": os.path.basename(path), "input": folded.input_name,
                "input_shape": folded.input_shape, "output_shape": folded.output_shape,
                "producer": " ".join(filter(None, (model.producer_name, model.producer_version))) or None,
                "opset": max((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), default=None),
                "folded": folded.folded or None, "assumed": "; ".join(folded.assumed) or None}
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

