"""Bad ONNX files: exit 2 with one line naming the file, never a traceback, never another function.

Each class of crash from issue 11 has a test (Gemm alpha/beta = inf or NaN, non-finite
initializers, text that is not UTF-8, truncated or garbage protobuf, external data), and a
mutation fuzzer checks that a changed file is either refused or read as the function the
ONNX reference runtime computes from it.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from onnx.reference import ReferenceEvaluator  # noqa: E402

from certify.cli import main  # noqa: E402
from certify.io.onnx import from_onnx_model, load_onnx  # noqa: E402
from certify.kernel.exact import InputError  # noqa: E402


def small_model(alpha: float = 1.0, beta: float = 1.0, extra: dict | None = None, elem=TensorProto.FLOAT):
    dtype = np.float32 if elem == TensorProto.FLOAT else np.float64
    inits = {"w": np.array([[1.0, -2.0], [0.5, 0.25], [3.0, -1.0]], dtype=dtype),
             "b": np.array([0.5, -1.0, 2.0], dtype=dtype), "w2": np.array([[1.0, -1.0, 0.5]], dtype=dtype),
             **(extra or {})}
    nodes = [helper.make_node("Gemm", ["x", "w", "b"], ["z"], name="gemm1", transB=1, alpha=alpha, beta=beta),
             helper.make_node("Relu", ["z"], ["a"], name="relu1"),
             helper.make_node("Gemm", ["a", "w2"], ["y"], name="gemm2", transB=1)]
    graph = helper.make_graph(nodes, "small", [helper.make_tensor_value_info("x", elem, [1, 2])],
                              [helper.make_tensor_value_info("y", elem, [1, 1])],
                              [numpy_helper.from_array(v, k) for k, v in inits.items()])
    model = helper.make_model(graph, producer_name="tests", opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    return model


def exits_2_one_line(path, capsys, *fragments):
    code = main(["convert", str(path), str(path) + ".json"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and str(path) in err and "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, err


@pytest.mark.parametrize("attr,value", [("alpha", float("inf")), ("alpha", float("nan")), ("beta", float("-inf")),
                                        ("beta", float("nan"))])
def test_gemm_alpha_beta_not_finite(attr, value, tmp_path, capsys):
    path = tmp_path / "g.onnx"
    onnx.save(small_model(**{attr: value}), path)
    exits_2_one_line(path, capsys, "node 0 'gemm1' (Gemm)", f"attribute {attr}", "not a finite number")


@pytest.mark.parametrize("value", [np.inf, -np.inf, np.nan])
def test_any_initializer_with_inf_or_nan_even_unused(value, tmp_path, capsys):
    path = tmp_path / "i.onnx"
    onnx.save(small_model(extra={"unused": np.array([1.0, value], dtype=np.float32)}), path)
    exits_2_one_line(path, capsys, "initializer 'unused'[1]", "expected a finite number")


@pytest.mark.parametrize("field", ["producer_name", "graph.node.name", "metadata"])
def test_text_that_is_not_utf8(field, tmp_path, capsys):
    model = small_model()
    marker = {"producer_name": b"tests", "graph.node.name": b"relu1", "metadata": b"metaval"}[field]
    if field == "metadata":
        entry = model.metadata_props.add()
        entry.key, entry.value = "certify.name", "metaval"
    data = model.SerializeToString()
    assert data.count(marker) == 1
    path = tmp_path / "u.onnx"
    path.write_bytes(data.replace(marker, b"\xff\xfe" + marker[2:]))
    exits_2_one_line(path, capsys, "not valid UTF-8")


def test_every_truncation_is_refused_or_reads_the_same_function(tmp_path):
    data = small_model().SerializeToString()
    reference = from_onnx_model(small_model(), "full.onnx")
    path = tmp_path / "t.onnx"
    accepted = 0
    for k in range(len(data)):
        path.write_bytes(data[:k])
        try:
            net = load_onnx(path)
        except InputError as e:
            assert str(path) in str(e) and "\n" not in str(e)
        else:
            accepted += 1
            assert net.layers == reference.layers
    assert accepted == 0  # the opset import comes after the graph: every proper prefix is refused


def test_garbage_and_empty_files(tmp_path, capsys):
    for name, data in [("garbage.onnx", b"\x00\x01 definitely not protobuf \xff" * 3), ("empty.onnx", b""),
                       ("text.onnx", b"ir_version: 8\n")]:
        path = tmp_path / name
        path.write_bytes(data)
        exits_2_one_line(path, capsys)


def test_external_data_initializers_are_refused_clearly(tmp_path, capsys):
    path = tmp_path / "ext.onnx"
    onnx.save_model(small_model(), path, save_as_external_data=True, all_tensors_to_one_file=True,
                    location="ext.data", size_threshold=0)
    assert (tmp_path / "ext.data").exists()
    exits_2_one_line(path, capsys, "external data file")
    (tmp_path / "ext.data").unlink()  # a dangling reference is refused the same way
    exits_2_one_line(path, capsys, "external data file")


def test_sparse_initializers_and_missing_opset_are_refused():
    model = small_model()
    del model.opset_import[:]
    with pytest.raises(InputError, match="operator set"):
        from_onnx_model(model, "o.onnx")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10 ** 6), st.integers(0, 255)), min_size=1, max_size=3))
def test_mutated_files_are_refused_or_read_as_the_function_they_hold(edits):
    """Flip bytes of a valid file: the reader raises InputError or returns what ONNX computes from the file."""
    data = bytearray(small_model(elem=TensorProto.DOUBLE).SerializeToString())
    for pos, byte in edits:
        data[pos % len(data)] = byte
    try:
        net = load_onnx_bytes(bytes(data))
    except InputError:
        return
    model = onnx.load_model_from_string(bytes(data))
    (feed,) = [i.name for i in model.graph.input if i.name not in {t.name for t in model.graph.initializer}]
    try:
        run = ReferenceEvaluator(model)
        x = np.array([[0.75, -1.5]])
        (y,) = run.run(None, {feed: x.reshape([d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim])})
    except Exception:
        return  # the reference runtime cannot run this mutant: nothing to compare with
    got = net([Fraction(0.75), Fraction(-1.5)])
    assert np.allclose([float(v) for v in got], np.asarray(y, dtype=np.float64).reshape(-1), rtol=1e-9, atol=1e-9)


def load_onnx_bytes(data: bytes):
    import os
    import tempfile
    fd, name = tempfile.mkstemp(suffix=".onnx")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return load_onnx(name)
    finally:
        os.unlink(name)
