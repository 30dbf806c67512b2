"""ONNX import/export: exact on the real benchmark networks, exact round trips, clear refusals."""
from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from onnx.reference import ReferenceEvaluator  # noqa: E402

from certify.cli import main  # noqa: E402
from certify.io import load_any, save_any  # noqa: E402
from certify.io.onnx import from_onnx_model, to_onnx_model  # noqa: E402
from certify.kernel.exact import InputError  # noqa: E402
from certify.network import Network  # noqa: E402
from strategies import direct_eval, networks  # noqa: E402
from paths import benchmarks




REAL = ["acasxu/ACASXU_run2a_1_1_batch_2000", "acasxu/ACASXU_run2a_1_9_batch_2000",
        "acasxu/ACASXU_run2a_2_3_batch_2000", "acasxu/ACASXU_run2a_3_5_batch_2000",
        "acasxu/ACASXU_run2a_5_9_batch_2000", "mnistfc/mnist-net_256x2"]


@pytest.mark.parametrize("stem", REAL)
def test_real_networks_import_exactly(stem):
    base = benchmarks()
    imported = load_any(base / f"{stem}.onnx")
    reference = Network.load(base / f"{stem}.json")
    assert imported.widths == reference.widths
    assert imported.layers == reference.layers  # every weight equal as an exact rational
    assert imported.box is None


def test_real_network_round_trips_through_onnx_export(tmp_path):
    base = benchmarks()
    net = load_any(base / "acasxu/ACASXU_run2a_1_1_batch_2000.onnx")
    out = tmp_path / "acas.onnx"
    assert save_any(net, out) is None  # float32 weights: exact, nothing rounded
    model = onnx.load(out)
    assert model.graph.input[0].type.tensor_type.elem_type == TensorProto.FLOAT
    assert load_any(out).layers == net.layers


def test_real_onnx_and_reference_runtime_agree_with_exact_evaluation():
    """The importer's composition (Sub fold, MatMul transposition) matches the runtime's float result."""
    base = benchmarks()
    path = base / "acasxu/ACASXU_run2a_1_9_batch_2000.onnx"
    net = load_any(path)
    model = onnx.load(path)
    session = ReferenceEvaluator(model)
    rng = np.random.default_rng(0)
    (feed,) = {i.name for i in model.graph.input} - {t.name for t in model.graph.initializer}
    for _ in range(5):
        x = rng.uniform(-0.5, 0.5, size=5).astype(np.float32)
        (y,) = session.run(None, {feed: x.reshape(1, 1, 1, 5)})
        exact = net([Fraction(float(v)) for v in x])
        assert np.allclose(np.asarray(y).reshape(-1), [float(v) for v in exact], rtol=1e-4, atol=1e-4)


# --------------------------------------------------------------------------- synthetic graphs

def _model(nodes, inits, in_shape, out_name, dtype=np.float64, extra_inputs=()):
    elem = TensorProto.DOUBLE if dtype == np.float64 else TensorProto.FLOAT
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", elem, in_shape), *extra_inputs],
                              [helper.make_tensor_value_info(out_name, elem, None)],
                              [numpy_helper.from_array(np.asarray(v, dtype=dtype), k) for k, v in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    return model


def _run(model, x):
    return np.asarray(ReferenceEvaluator(model).run(None, {"x": x})[0]).reshape(-1)


def test_sub_offset_is_folded_into_the_first_bias_exactly():
    w = np.array([[1.0, -2.0, 0.5], [0.25, 3.0, -1.0]]).T     # MatMul weight (in × out) = 3 × 2
    c = np.array([[0.5, -1.5, 2.0]])                          # input offset
    b = np.array([0.125, -4.0])
    w2 = np.array([[2.0], [-3.0]])
    model = _model([helper.make_node("Sub", ["x", "c"], ["s"]),
                    helper.make_node("MatMul", ["s", "w"], ["m"]), helper.make_node("Add", ["m", "b"], ["z"]),
                    helper.make_node("Relu", ["z"], ["a"]), helper.make_node("MatMul", ["a", "w2"], ["y"])],
                   {"c": c, "w": w, "b": b, "w2": w2}, [1, 3], "y")
    net = from_onnx_model(model, "m.onnx")
    assert net.widths == (3, 2, 1)
    # Hand-computed: bias = b − Wᵀc.
    expected = [Fraction(0.125) - (Fraction(1) * Fraction(0.5) + Fraction(-2) * Fraction(-1.5) + Fraction(0.5) * 2),
                Fraction(-4) - (Fraction(0.25) * Fraction(0.5) + 3 * Fraction(-1.5) + Fraction(-1) * 2)]
    assert list(net.layers[0].bias) == expected
    assert net.metadata["folded"]
    rng = np.random.default_rng(1)
    for _ in range(10):
        x = rng.integers(-8, 8, size=3) / 4
        exact = net([Fraction(v) for v in x])
        assert float(exact[0]) == pytest.approx(_run(model, x.reshape(1, 3))[0], abs=1e-12)


def test_gemm_attributes_and_constant_nodes_and_trailing_relu():
    w = np.array([[1.0, 2.0], [-1.0, 0.5]])   # transB = 0: B is in × out
    bias = np.array([1.0, -1.0])
    const = helper.make_node("Constant", [], ["k"], value=numpy_helper.from_array(np.array([0.5, 0.25]), "k"))
    model = _model([const, helper.make_node("Gemm", ["x", "w", "bias"], ["z"], alpha=0.5, beta=2.0, transB=0),
                    helper.make_node("Add", ["z", "k"], ["z2"]), helper.make_node("Relu", ["z2"], ["y"])],
                   {"w": w, "bias": bias}, ["N", 2], "y")
    net = from_onnx_model(model, "g.onnx")
    assert net.widths == (2, 2, 2)  # the trailing Relu got an identity output layer
    assert net.layers[1].weight == ((1, 0), (0, 1)) and net.layers[1].bias == (0, 0)
    assert net.layers[0].weight == ((Fraction(1, 2), Fraction(-1, 2)), (1, Fraction(1, 4)))
    assert net.layers[0].bias == (Fraction(5, 2), Fraction(-7, 4))
    for x in ([1.0, 2.0], [-3.0, 0.5], [0.0, -1.0]):
        got = [float(v) for v in net([Fraction(v) for v in x])]
        assert got == pytest.approx(list(_run(model, np.array([x]))))


@pytest.mark.parametrize("op", ["Sigmoid", "Tanh", "Softmax"])
def test_unsupported_operator_is_rejected_naming_the_node(op):
    model = _model([helper.make_node("MatMul", ["x", "w"], ["m"]), helper.make_node(op, ["m"], ["y"], name="act")],
                   {"w": np.eye(2)}, [1, 2], "y")
    with pytest.raises(InputError) as err:
        from_onnx_model(model, "bad.onnx")
    assert "node 1 'act'" in str(err.value) and op in str(err.value)


def test_branching_graph_is_rejected():
    model = _model([helper.make_node("MatMul", ["x", "w"], ["m"]), helper.make_node("Relu", ["m"], ["r"]),
                    helper.make_node("Add", ["m", "r"], ["y"])], {"w": np.eye(2)}, [1, 2], "y")
    with pytest.raises(InputError, match="branching|constant operand"):
        from_onnx_model(model, "branch.onnx")


def test_constant_that_would_broadcast_is_rejected():
    """x of shape [1, 2] plus c of shape [2, 1] is a 2 × 2 tensor in ONNX (two rows), not a bias."""
    model = _model([helper.make_node("Add", ["x", "c"], ["s"]), helper.make_node("MatMul", ["s", "w"], ["y"])],
                   {"c": np.array([[1.0], [2.0]]), "w": np.eye(2)}, [1, 2], "y")
    with pytest.raises(InputError, match="has 2 rows"):
        from_onnx_model(model, "bc.onnx")


def test_two_graph_inputs_are_rejected():
    extra = helper.make_tensor_value_info("x2", TensorProto.DOUBLE, [1, 2])
    model = _model([helper.make_node("MatMul", ["x", "w"], ["y"])], {"w": np.eye(2)}, [1, 2], "y",
                   extra_inputs=[extra])
    with pytest.raises(InputError, match="exactly one graph input"):
        from_onnx_model(model, "two.onnx")


def test_nan_weight_is_rejected_with_its_place():
    w = np.eye(2)
    w[1, 0] = np.nan
    model = _model([helper.make_node("MatMul", ["x", "w"], ["y"])], {"w": w}, [1, 2], "y")
    with pytest.raises(InputError, match=r"initializer 'w'\[1\]\[0\].*finite"):  # the file's own indices
        from_onnx_model(model, "nan.onnx")


# --------------------------------------------------------------------------- export

dyadic = st.builds(lambda n, k: Fraction(n, 2 ** k), st.integers(-64, 64), st.integers(0, 6))


@settings(max_examples=25)
@given(networks(entries=dyadic, max_width=5))
def test_dyadic_networks_round_trip_exactly(net):
    model, report = to_onnx_model(net)
    assert report is None
    back = from_onnx_model(onnx.load_from_string(model.SerializeToString()), "rt.onnx")
    assert back.layers == net.layers


@settings(max_examples=15)
@given(networks(entries=dyadic, max_width=4, max_in=3), st.lists(st.integers(-20, 20), min_size=3, max_size=3))
def test_exported_model_computes_the_network(net, xs):
    """The written graph, run by ONNX's reference runtime, computes f exactly on dyadic inputs."""
    model, _ = to_onnx_model(net, dtype="float64")
    x = [Fraction(v, 4) for v in xs[:net.widths[0]]]
    got = ReferenceEvaluator(model).run(None, {"input": np.array([[float(v) for v in x]])})[0]
    assert [Fraction(float(v)) for v in np.asarray(got).reshape(-1)] == direct_eval(net, x)


def test_non_dyadic_network_is_refused_unless_rounding_is_asked(tmp_path):
    net = Network.from_layers([([["1/3", "1"]], ["0"]), ([["2"]], ["1/10"])])
    with pytest.raises(InputError, match=r"layers\[0\].weight\[0\]\[0\].*1/3"):
        save_any(net, tmp_path / "n.onnx")
    assert not (tmp_path / "n.onnx").exists()
    report = save_any(net, tmp_path / "n.onnx", rounding="nearest")
    assert report is not None and report.count == 2 and 0 < report.max_change < Fraction(1, 10 ** 15)
    model = onnx.load(tmp_path / "n.onnx")
    assert any(p.key == "certify.rounded" for p in model.metadata_props)
    back = load_any(tmp_path / "n.onnx")
    assert back.layers[0].weight[0][0] == Fraction(1 / 3) != Fraction(1, 3)


def test_numbers_beyond_float64_are_refused_even_when_rounding(tmp_path):
    huge = Network.from_layers([([[str(10 ** 400)]], ["0"]), ([["1"]], ["0"])])
    with pytest.raises(InputError, match="overflows float64"):
        save_any(huge, tmp_path / "h.onnx", rounding="nearest")
    with pytest.raises(InputError, match="not exactly representable"):
        save_any(huge, tmp_path / "h.npz")


def test_domain_and_name_travel_in_the_metadata(tmp_path):
    net = Network.from_layers([([["1", "-1"]], ["0"]), ([["1"]], ["0"])], box=[("-1/3", "1"), ("0", "2")],
                              name="boxed")
    save_any(net, tmp_path / "b.onnx")
    back = load_any(tmp_path / "b.onnx")
    assert back.box == net.box and back.name == "boxed"


def test_float32_chosen_when_exact_else_float64(tmp_path):
    small = Network.from_layers([([["1/2"]], ["3"]), ([["1"]], ["0"])])
    wide = Network.from_layers([([[str(Fraction(2 ** 30 + 1, 2 ** 30))]], ["0"]), ([["1"]], ["0"])])
    assert to_onnx_model(small)[0].graph.initializer[0].data_type == TensorProto.FLOAT
    assert to_onnx_model(wide)[0].graph.initializer[0].data_type == TensorProto.DOUBLE
    with pytest.raises(InputError, match="float32"):
        to_onnx_model(wide, dtype="float32")


# --------------------------------------------------------------------------- files and the CLI

def test_unreadable_files_exit_2_with_one_line(tmp_path, capsys):
    garbage = tmp_path / "g.onnx"
    garbage.write_bytes(b"\x00\x01 definitely not protobuf \xff" * 3)
    for path in (garbage, tmp_path / "missing.onnx"):
        assert main(["convert", str(path), str(tmp_path / "out.json")]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and str(path) in err


def test_convert_and_commands_read_onnx(tmp_path, capsys):
    examples = Path(__file__).resolve().parents[2] / "examples"
    out = tmp_path / "s3.onnx"
    assert main(["convert", str(examples / "S3.json"), str(out)]) == 0
    assert "exact" in capsys.readouterr().out
    assert main(["convert", str(out), str(tmp_path / "back.json")]) == 0
    assert Network.load(tmp_path / "back.json").layers == Network.load(examples / "S3.json").layers
    # Any command takes any format: equiv on ONNX vs JSON.
    assert main(["equiv", str(out), str(examples / "S3.json")]) == 0
    assert main(["equiv", str(out), str(examples / "S3-witness.json")]) == 0
    capsys.readouterr()
    assert main(["convert", str(examples / "D-ID.json"), str(tmp_path / "d.onnx")]) == 2
    assert "not exactly representable" in capsys.readouterr().err
    assert main(["convert", str(examples / "D-ID.json"), str(tmp_path / "d.onnx"), "--round", "--json"]) == 0
    captured = capsys.readouterr()
    assert "warning" in captured.err and '"exact": false' in captured.out
    assert os.path.exists(tmp_path / "d.onnx")
