"""ONNX graph folding (certify/io/onnx_graph.py): every accepted operator is the function ONNX defines.

The oracle is ONNX's own reference runtime (opset 15: its BatchNormalization for opsets 9–13
mixes in batch statistics) in float64 on dyadic weights and dyadic inputs,
where float64 arithmetic makes no rounding error: the exact import must then agree with
it *exactly*, entry by entry.  Refusals must name the node and its operator.
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from onnx.reference import ReferenceEvaluator  # noqa: E402

from certify.io import affine  # noqa: E402
from certify.io.onnx import from_onnx_model  # noqa: E402
from certify.io.onnx_graph import inverse_sqrt  # noqa: E402
from certify.kernel.exact import InputError  # noqa: E402


def model_of(nodes, inits, in_shape, out="y", opset=15, elem=TensorProto.DOUBLE, value_info=()):
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", elem, in_shape)],
                              [helper.make_tensor_value_info(out, elem, None)],
                              [numpy_helper.from_array(np.asarray(v), k) for k, v in inits.items()],
                              value_info=list(value_info))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    return model


def agree_exactly(model, net, points, in_shape):
    """The reference runtime (float64, exact on these dyadic numbers) and the exact network agree."""
    shape = [1 if isinstance(d, str) else d for d in in_shape]
    run = ReferenceEvaluator(model)
    for x in points:
        (y,) = run.run(None, {"x": np.array([float(v) for v in x]).reshape(shape)})
        assert [Fraction(float(v)) for v in np.asarray(y).reshape(-1)] == list(net(list(x)))


# --------------------------------------------------------------------------- random chain graphs

quarters = st.integers(-8, 8).map(lambda k: k / 4)


def arr(draw, shape):
    return np.array(draw(st.lists(quarters, min_size=math.prod(shape), max_size=math.prod(shape))),
                    dtype=np.float64).reshape(shape)


@st.composite
def chain_graphs(draw):
    """(model, input shape): a random chain of every accepted operator, dyadic constants."""
    n = draw(st.integers(1, 4))
    start = draw(st.sampled_from(["batch", "flat", "deep", "symbolic"]))
    in_shape = {"batch": [1, n], "flat": [n], "deep": [1, 1, n], "symbolic": ["N", n]}[start]
    shape = tuple(1 if isinstance(d, str) else d for d in in_shape)
    nodes, inits, count = [], {}, [0]
    cur = "x"

    def const(value):
        name = f"c{len(inits)}"
        inits[name] = np.asarray(value)
        return name

    def emit(op, inputs, **attrs):
        nonlocal cur
        count[0] += 1
        out = f"t{count[0]}"
        nodes.append(helper.make_node(op, inputs, [out], name=f"n{count[0]}", **attrs))
        cur = out

    for _ in range(draw(st.integers(0, 6))):
        size = math.prod(shape)
        options = ["Relu", "Add", "Sub", "RSub", "Mul", "Div", "Identity", "Dropout", "MatMulRight", "ReshapeFlat",
                   "ReshapeBatch", "Unsqueeze"]
        if len(shape) == 2:
            options += ["Gemm", "GemmTransA", "BatchNormalization", "Flatten"]
        if shape[-1] == 1:
            options += ["AddWide"]
        if len(shape) == 1:
            options += ["MatMulLeft"]
        if len(shape) == 3:
            options += ["Flatten", "Squeeze"]
        if size % 2 == 0 and size > 2:
            options += ["Transpose"]
        op = draw(st.sampled_from(options))
        m = draw(st.integers(1, 4))
        if op == "Relu" or op == "Identity":
            emit(op, [cur])
        elif op == "Dropout":
            emit(op, [cur, const(np.array(0.5)), const(np.array(False))])
        elif op in ("Add", "Sub", "RSub", "Mul"):
            cshape = draw(st.sampled_from([shape, shape[-1:], ()]))
            c = const(arr(draw, cshape))
            emit("Sub" if op == "RSub" else op, [c, cur] if op == "RSub" else [cur, c])
        elif op == "Div":
            c = np.array(draw(st.lists(st.sampled_from([0.5, -0.5, 2.0, -4.0, 1.0]), min_size=shape[-1],
                                       max_size=shape[-1])))
            emit(op, [cur, const(c)])
        elif op == "MatMulRight":
            emit("MatMul", [cur, const(arr(draw, (shape[-1], m)))])
            shape = shape[:-1] + (m,)
        elif op == "MatMulLeft":
            emit("MatMul", [const(arr(draw, (m, shape[0]))), cur])
            shape = (m,)
        elif op == "Gemm":
            trans_b = draw(st.booleans())
            w = arr(draw, (m, shape[1]) if trans_b else (shape[1], m))
            inputs = [cur, const(w)]
            if draw(st.booleans()):
                inputs.append(const(arr(draw, draw(st.sampled_from([(m,), (1, m), ()])))))
            emit("Gemm", inputs, transB=int(trans_b), alpha=draw(st.sampled_from([1.0, 0.5, 2.0])),
                 beta=draw(st.sampled_from([1.0, -1.0, 0.5])))
            shape = (1, m)
        elif op == "GemmTransA":  # A stored as the column [n, 1]
            emit("Reshape", [cur, const(np.array([size, 1], dtype=np.int64))])
            emit("Gemm", [cur, const(arr(draw, (size, m))), const(arr(draw, (m,)))], transA=1)
            shape = (1, m)
        elif op == "AddWide":  # the tensor's last axis of length 1 is broadcast: its entries are copied
            emit("Add", [cur, const(arr(draw, shape[:-1] + (m,)))])
            shape = shape[:-1] + (m,)
        elif op == "BatchNormalization":
            c = shape[1]
            s = np.array(draw(st.lists(st.sampled_from([0.5, 1.0, 2.0]), min_size=c, max_size=c)))
            emit(op, [cur, const(arr(draw, (c,))), const(arr(draw, (c,))), const(arr(draw, (c,))),
                      const(s * s - 1 / 16)], epsilon=1 / 16)
        elif op == "Flatten":
            axis = draw(st.sampled_from([a for a in range(len(shape)) if math.prod(shape[:a]) == 1]))
            emit(op, [cur], axis=axis)
            shape = (math.prod(shape[:axis]), math.prod(shape[axis:]))
        elif op == "ReshapeFlat":
            emit("Reshape", [cur, const(np.array([-1], dtype=np.int64))])
            shape = (size,)
        elif op == "ReshapeBatch":
            emit("Reshape", [cur, const(np.array([1, -1], dtype=np.int64))])
            shape = (1, size)
        elif op == "Unsqueeze":
            emit(op, [cur, const(np.array([0], dtype=np.int64))])
            shape = (1,) + shape
        elif op == "Squeeze":
            emit(op, [cur, const(np.array([0], dtype=np.int64))])
            shape = shape[1:]
        elif op == "Transpose":
            emit("Reshape", [cur, const(np.array([1, 2, size // 2], dtype=np.int64))])
            emit("Transpose", [cur], perm=[0, 2, 1])
            emit("Reshape", [cur, const(np.array([1, -1], dtype=np.int64))])
            shape = (1, size)
    # End in an affine layer, so the graph always has one.
    if len(shape) == 1:
        emit("MatMul", [const(arr(draw, (2, shape[0]))), cur])
    else:
        emit("MatMul", [cur, const(arr(draw, (shape[-1], 2)))])
    nodes[-1].output[0] = "y"
    return model_of(nodes, inits, in_shape), in_shape


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chain_graphs(), st.lists(st.lists(st.integers(-8, 8), min_size=4, max_size=4), min_size=2, max_size=3))
def test_random_chains_compute_exactly_what_onnx_computes(graph, raw):
    model, in_shape = graph
    net = from_onnx_model(model, "chain.onnx")
    d0 = net.widths[0]
    assert d0 == math.prod(1 if isinstance(d, str) else d for d in in_shape)
    agree_exactly(model, net, [[Fraction(v, 4) for v in xs[:d0]] for xs in raw], in_shape)


# --------------------------------------------------------------------------- the exporters' forms, exactly

def test_matmul_of_weight_times_one_dimensional_input_as_nnet2onnx_writes():
    """sisl/NNet nnet2onnx: MatMul(W, x) with x of shape [n], then Add(b), Relu."""
    w1, b1 = np.array([[1.0, -2.0], [0.5, 3.0], [0.0, 1.0]]), np.array([0.25, -1.0, 2.0])
    w2, b2 = np.array([[2.0, -1.0, 0.5]]), np.array([-0.75])
    model = model_of([helper.make_node("MatMul", ["W0", "x"], ["m0"]), helper.make_node("Add", ["m0", "B0"], ["z0"]),
                      helper.make_node("Relu", ["z0"], ["a0"]), helper.make_node("MatMul", ["W1", "a0"], ["m1"]),
                      helper.make_node("Add", ["m1", "B1"], ["y"])], {"W0": w1, "B0": b1, "W1": w2, "B1": b2}, [2])
    net = from_onnx_model(model, "nnet2onnx.onnx")
    assert net.widths == (2, 3, 1)
    assert net.layers[0].weight == tuple(tuple(Fraction(v) for v in row) for row in w1)  # W, not Wᵀ
    assert net.layers[1].bias == (Fraction(-3, 4),)
    agree_exactly(model, net, [[Fraction(1), Fraction(-2)], [Fraction(3, 4), Fraction(5, 2)]], [2])


def test_batchnorm_dropout_identity_fold_into_the_rational_layer():
    w, b = np.array([[1.0, 2.0], [-1.0, 0.5]]), np.array([0.5, -1.0])
    gamma, beta, mean = np.array([3.0, -2.0]), np.array([0.25, 1.0]), np.array([1.0, -0.5])
    var = np.array([0.25, 4.0]) - 0.0625  # var + eps = 1/4, 4
    model = model_of([helper.make_node("Gemm", ["x", "w", "b"], ["g"], transB=1),
                      helper.make_node("Identity", ["g"], ["i"]),
                      helper.make_node("BatchNormalization", ["i", "gamma", "beta", "mean", "var"], ["n"],
                                       epsilon=0.0625),
                      helper.make_node("Dropout", ["n"], ["d"]), helper.make_node("Relu", ["d"], ["y"])],
                     {"w": w, "b": b, "gamma": gamma, "beta": beta, "mean": mean, "var": var}, [1, 2])
    net = from_onnx_model(model, "bn.onnx")
    # y = gamma (Wx + b − mean) / sqrt(var + eps) + beta, folded by hand: factor = gamma / (1/2, 2) = (6, −1).
    assert net.layers[0].weight == ((6, 12), (1, Fraction(-1, 2)))
    assert net.layers[0].bias == (Fraction(6) * (Fraction(1, 2) - 1) + Fraction(1, 4),
                                  Fraction(-1) * (-1 - Fraction(-1, 2)) + 1)
    assert any("BatchNormalization" in f for f in net.metadata["folded"])
    agree_exactly(model, net, [[Fraction(1), Fraction(2)], [Fraction(-3, 2), Fraction(1, 4)]], [1, 2])


def test_batchnorm_with_irrational_square_root_is_refused_unless_approximation_is_asked():
    model = model_of([helper.make_node("BatchNormalization", ["x", "s", "b", "m", "v"], ["n"], name="bn"),
                      helper.make_node("MatMul", ["n", "w"], ["y"])],
                     {"s": np.ones(2), "b": np.zeros(2), "m": np.zeros(2), "v": np.array([2.0, 1.0]),
                      "w": np.eye(2)}, [1, 2])
    with pytest.raises(InputError, match=r"node 0 'bn' \(BatchNormalization\).*irrational in channel 0"):
        from_onnx_model(model, "bn.onnx")
    net = from_onnx_model(model, "bn.onnx", irrational="approximate")
    assert "2^-64" in net.metadata["assumed"] and "'bn'" in net.metadata["assumed"]
    eps = Fraction(float(np.float32(1e-5)))
    for value, w in zip((Fraction(2), Fraction(1)), (net.layers[0].weight[0][0], net.layers[0].weight[1][1])):
        assert abs(w * w * (value + eps) - 1) < Fraction(1, 2 ** 62)  # w ≈ 1/sqrt(v + eps)


@pytest.mark.parametrize("r", [Fraction(9, 4), Fraction(1, 10 ** 6), Fraction(2), Fraction(10 ** 30 + 7, 3)])
def test_inverse_sqrt_is_exact_or_within_two_to_the_minus_64(r):
    exact = inverse_sqrt(r, approximate=False)
    value, is_exact = inverse_sqrt(r, approximate=True)
    if exact is not None:
        assert exact == (value, True) and value * value * r == 1
    else:
        assert not is_exact and value.denominator & (value.denominator - 1) == 0  # dyadic
        assert 1 - Fraction(1, 2 ** 63) < value * value * r <= 1


def test_transpose_of_constants_and_of_the_tensor():
    w = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])           # stored 2 × 3, used transposed: 3 × 2
    model = model_of([helper.make_node("Transpose", ["w"], ["wt"]),
                      helper.make_node("Reshape", ["x", "s1"], ["r"]),
                      helper.make_node("Transpose", ["r"], ["p"], perm=[0, 2, 1]),
                      helper.make_node("Reshape", ["p", "s2"], ["q"]),
                      helper.make_node("MatMul", ["q", "wt"], ["m"]),
                      helper.make_node("Div", ["m", "four"], ["y"])],
                     {"w": w, "s1": np.array([1, 3, 1], dtype=np.int64), "s2": np.array([1, 3], dtype=np.int64),
                      "four": np.array(4.0)}, [1, 3])
    net = from_onnx_model(model, "t.onnx")
    assert net.layers[0].weight == ((Fraction(1, 4), Fraction(1, 2), Fraction(3, 4)), (1, Fraction(5, 4), Fraction(3, 2)))
    agree_exactly(model, net, [[Fraction(1), Fraction(-2), Fraction(3)]], [1, 3])


def test_a_real_permutation_of_the_tensor_is_applied():
    perm_model = model_of([helper.make_node("Reshape", ["x", "s1"], ["r"]),
                           helper.make_node("Transpose", ["r"], ["p"], perm=[0, 2, 1]),
                           helper.make_node("Flatten", ["p"], ["f"]),
                           helper.make_node("MatMul", ["f", "w"], ["y"])],
                          {"s1": np.array([1, 2, 2], dtype=np.int64), "w": np.eye(4)}, [1, 4])
    net = from_onnx_model(perm_model, "p.onnx")
    # [[a, b], [c, d]]ᵀ = [[a, c], [b, d]]: outputs (x0, x2, x1, x3).
    assert net.layers[0].weight == ((1, 0, 0, 0), (0, 0, 1, 0), (0, 1, 0, 0), (0, 0, 0, 1))


# --------------------------------------------------------------------------- composition

def test_consecutive_affine_layers_compose_to_the_fraction_product():
    rng = np.random.default_rng(3)
    w1 = rng.standard_normal((7, 5)).astype(np.float32)
    w2 = (rng.standard_normal((5, 3)) * 1e-30).astype(np.float64)  # widely different exponents
    b1 = rng.standard_normal(5).astype(np.float32)
    model = model_of([helper.make_node("MatMul", ["x", "w1"], ["m"]), helper.make_node("Add", ["m", "b1"], ["z"]),
                      helper.make_node("MatMul", ["z", "w2"], ["y"])],
                     {"w1": w1, "b1": b1, "w2": w2}, [1, 7])
    net = from_onnx_model(model, "c.onnx")
    assert net.widths == (7, 3)
    f = lambda a: [[Fraction(float(v)) for v in row] for row in a]  # noqa: E731
    W1, W2, B1 = f(w1.T), f(w2.T), [Fraction(float(v)) for v in b1]
    expected = tuple(tuple(sum(W2[i][k] * W1[k][j] for k in range(5)) for j in range(7)) for i in range(3))
    assert net.layers[0].weight == expected
    assert net.layers[0].bias == tuple(sum(W2[i][k] * B1[k] for k in range(5)) for i in range(3))


def test_a_composition_beyond_the_size_bound_is_refused():
    """1→2100 then 2100→1 composes to 2100·2100 > 2^22 entries from 4200 numbers in the file."""
    n = 2100
    model = model_of([helper.make_node("MatMul", ["x", "a"], ["m"]), helper.make_node("MatMul", ["m", "b"], ["y"],
                                                                                       name="second")],
                     {"a": np.ones((n, 1)), "b": np.ones((1, n))}, [1, n])
    with pytest.raises(InputError, match=r"node 1 'second' \(MatMul\).*2100×2100.*4,194,304 entries"):
        from_onnx_model(model, "big.onnx")


def test_the_bit_bound_counts_the_heights(monkeypatch):
    monkeypatch.setattr(affine, "MAX_BITS", 1000)
    w = np.full((4, 4), 2.0 ** -40)
    w[0, 0] = 1.0  # integers over 2^40 of up to 41 bits: the product's 16 entries need ~84 bits each
    model = model_of([helper.make_node("MatMul", ["x", "w"], ["m"]), helper.make_node("MatMul", ["m", "w"], ["y"])],
                     {"w": w}, [1, 4])
    with pytest.raises(InputError, match="bits of exact numerators"):
        from_onnx_model(model, "bits.onnx")
    monkeypatch.setattr(affine, "MAX_BITS", 1 << 28)
    assert from_onnx_model(model, "bits.onnx").layers[0].weight[0][0] == 1 + 3 * Fraction(1, 2 ** 80)


# --------------------------------------------------------------------------- refusals

def refused(model, pattern, **kw):
    with pytest.raises(InputError, match=pattern):
        from_onnx_model(model, "bad.onnx", **kw)


@pytest.mark.parametrize("op,attrs", [("Sigmoid", {}), ("LeakyRelu", {"alpha": 0.1}), ("Softmax", {}),
                                      ("Tanh", {}), ("Abs", {}), ("MaxPool", {"kernel_shape": [1]})])
def test_non_affine_operators_are_refused_naming_node_and_op(op, attrs):
    model = model_of([helper.make_node("MatMul", ["x", "w"], ["m"]), helper.make_node(op, ["m"], ["y"], name="act",
                                                                                       **attrs)],
                     {"w": np.eye(2)}, [1, 2])
    refused(model, rf"bad.onnx: node 1 'act' \({op}\): unsupported operator {op}")


def test_residual_add_of_two_activations_is_refused():
    model = model_of([helper.make_node("MatMul", ["x", "w"], ["m"]), helper.make_node("Relu", ["m"], ["r"]),
                      helper.make_node("Add", ["r", "m"], ["y"], name="skip")], {"w": np.eye(2)}, [1, 2])
    refused(model, r"node 2 'skip' \(Add\).*branching or residual")


def test_skip_from_the_input_and_self_combination_are_refused():
    skip = model_of([helper.make_node("MatMul", ["x", "w"], ["m"]), helper.make_node("Add", ["m", "x"], ["y"])],
                    {"w": np.eye(2)}, [1, 2])
    refused(skip, r"node 1 .*\(Add\).*\['x'\]")
    double = model_of([helper.make_node("MatMul", ["x", "w"], ["m"]), helper.make_node("Add", ["m", "m"], ["y"])],
                      {"w": np.eye(2)}, [1, 2])
    refused(double, r"\(Add\).*with itself")


@pytest.mark.parametrize("case", ["training_dropout", "training_bn", "div_by_zero", "const_over_tensor",
                                  "two_rows", "custom_domain", "constant_arithmetic", "undefined",
                                  "output_not_end", "declared_shape", "int_input", "symbolic_feature",
                                  "transA_rows", "redefined", "mask_used"])
def test_graphs_that_are_not_one_chain_for_one_sample_are_refused(case):
    eye = {"w": np.eye(2)}
    mm = helper.make_node("MatMul", ["x", "w"], ["m"])
    cases = {
        "training_dropout": (model_of([mm, helper.make_node("Dropout", ["m", "", "t"], ["y"])], {**eye, "t": np.array(True)},
                                      [1, 2]), "training mode"),
        "training_bn": (model_of([helper.make_node("BatchNormalization", ["x", "o", "z", "z", "o"], ["n"], training_mode=1),
                                  helper.make_node("MatMul", ["n", "w"], ["y"])], {**eye, "o": np.ones(2), "z": np.zeros(2)},
                                 [1, 2], opset=15), "training mode"),
        "div_by_zero": (model_of([mm, helper.make_node("Div", ["m", "c"], ["y"])], {**eye, "c": np.array([1.0, 0.0])},
                                 [1, 2]), "division by zero"),
        "const_over_tensor": (model_of([mm, helper.make_node("Div", ["c", "m"], ["y"])], {**eye, "c": np.ones(2)}, [1, 2]),
                              "not an affine map"),
        "two_rows": (model_of([helper.make_node("MatMul", ["x", "w"], ["y"])], eye, [2, 2]), "2 rows"),
        "custom_domain": (model_of([helper.make_node("MatMul", ["x", "w"], ["y"], domain="com.example")], eye, [1, 2]),
                          "domain 'com.example'"),
        "constant_arithmetic": (model_of([helper.make_node("Add", ["w", "w"], ["w2"]),
                                          helper.make_node("MatMul", ["x", "w2"], ["y"])], eye, [1, 2]),
                                "computes Add on float constants"),
        "undefined": (model_of([helper.make_node("MatMul", ["x", "nowhere"], ["y"])], eye, [1, 2]),
                      "reads 'nowhere'"),
        "output_not_end": (model_of([mm, helper.make_node("Relu", ["m"], ["r"])], eye, [1, 2], out="m"),
                           "not the end of the chain"),
        "declared_shape": (model_of([helper.make_node("MatMul", ["x", "w"], ["y"])], eye, [1, 2],
                                    value_info=[]), None),
        "int_input": (model_of([helper.make_node("MatMul", ["x", "w"], ["y"])], {"w": np.eye(2, dtype=np.int64)},
                               [1, 2], elem=TensorProto.INT64), "element type"),
        "symbolic_feature": (model_of([helper.make_node("MatMul", ["x", "w"], ["y"])], eye, [1, "F"]),
                             "symbolic dimension 1"),
        "transA_rows": (model_of([helper.make_node("Gemm", ["x", "w"], ["y"], transA=1)], eye, [1, 2]), "2 rows"),
        "redefined": (model_of([mm, helper.make_node("Relu", ["m"], ["m"])], eye, [1, 2], out="m"), "redefines"),
        "mask_used": (model_of([helper.make_node("Dropout", ["x"], ["d", "mask"]),
                                helper.make_node("Mul", ["d", "mask"], ["y"])], {}, [1, 2]), "extra output 'mask'"),
    }
    model, pattern = cases[case]
    if case == "declared_shape":  # the file says the output has 3 entries; the graph gives 2
        model.graph.output[0].CopyFrom(helper.make_tensor_value_info("y", TensorProto.DOUBLE, [1, 3]))
        pattern = r"declares shape \[1, 3\].*gives \[1, 2\]"
    refused(model, pattern)


def test_flatten_reshape_squeeze_keep_the_function():
    model = model_of([helper.make_node("Unsqueeze", ["x", "ax"], ["u"]), helper.make_node("Flatten", ["u"], ["f"], axis=0),
                      helper.make_node("Reshape", ["f", "shape"], ["r"]), helper.make_node("Squeeze", ["r", "ax"], ["s"]),
                      helper.make_node("Gemm", ["s", "w", "b"], ["y"], transB=1, alpha=0.5, beta=-2.0)],
                     {"ax": np.array([0], dtype=np.int64), "shape": np.array([1, 1, 0, -1], dtype=np.int64),
                      "w": np.array([[2.0, 4.0, 6.0]]), "b": np.array([1.0])}, [1, 3])
    refused(model, r"\(Reshape\).*entry 2 is 0 \(copy\) but the input has rank 2")
    model.graph.initializer[1].CopyFrom(numpy_helper.from_array(np.array([1, 1, -1], dtype=np.int64), "shape"))
    net = from_onnx_model(model, "shapes.onnx")
    assert net.layers[0].weight == ((1, 2, 3),) and net.layers[0].bias == (-2,)


# --------------------------------------------------------------------------- older operator sets

@pytest.mark.parametrize("axis,bias", [(1, [1, 1, 2, 2, 4, 4]), (None, None)])
def test_opset_6_broadcast_aligns_at_axis_not_at_the_end(axis, bias):
    """Add(X [1,3,2], B [3], broadcast=1, axis=1) adds B[c] along axis 1; numpy would refuse [3] vs [..., 2]."""
    attrs = {"broadcast": 1, **({"axis": axis} if axis is not None else {})}
    model = model_of([helper.make_node("Add", ["x", "b"], ["s"], **attrs),
                      helper.make_node("Reshape", ["s", "shape"], ["r"]),
                      helper.make_node("MatMul", ["r", "eye"], ["y"])],
                     {"b": np.array([1.0, 2.0, 4.0]), "shape": np.array([1, 6], dtype=np.int64), "eye": np.eye(6)},
                     [1, 3, 2], opset=6)
    if axis is None:  # default: B aligned with the trailing axes, [3] against [..., 2]: refused
        refused(model, r"\(Add\).*does not broadcast")
    else:
        assert from_onnx_model(model, "old.onnx").layers[0].bias == tuple(Fraction(v) for v in bias)


def test_opset_6_without_broadcast_needs_equal_shapes_and_reshape_attribute_form():
    model = model_of([helper.make_node("Add", ["x", "b"], ["s"]), helper.make_node("MatMul", ["s", "w"], ["y"])],
                     {"b": np.array([1.0, 2.0]), "w": np.eye(2)}, [1, 2], opset=6)
    refused(model, "broadcast=0")
    reshape = model_of([helper.make_node("Reshape", ["x"], ["r"], shape=[1, 4]),
                        helper.make_node("MatMul", ["r", "w"], ["y"])], {"w": np.eye(4)}, [1, 2, 2], opset=4)
    assert from_onnx_model(reshape, "r.onnx").widths == (4, 4)


def test_constant_node_with_a_non_finite_list_is_refused():
    model = model_of([helper.make_node("Constant", [], ["c"], name="k", value_floats=[1.0, float("inf")]),
                      helper.make_node("MatMul", ["x", "w"], ["m"]), helper.make_node("Add", ["m", "c"], ["y"])],
                     {"w": np.eye(2)}, [1, 2])
    refused(model, r"node 0 'k' \(Constant\): attribute value_floats\[1\].*finite")


def _mm(inp="x", out="y", w="w"):
    return helper.make_node("MatMul", [inp, w], [out])


SHAPE_REFUSALS = {
    "squeeze_non_unit": ([helper.make_node("Squeeze", ["x", "ax1"], ["s"]), _mm("s")], [1, 2], "cannot squeeze"),
    "unsqueeze_repeated": ([helper.make_node("Unsqueeze", ["x", "ax00"], ["s"]), _mm("s")], [1, 2], "repeated axes"),
    "transpose_bad_perm": ([helper.make_node("Transpose", ["x"], ["s"], perm=[0, 0]), _mm("s")], [1, 2],
                           "not a permutation"),
    "flatten_axis": ([helper.make_node("Flatten", ["x"], ["s"], axis=5), _mm("s")], [1, 2], "out of range"),
    "reshape_two_minus_one": ([helper.make_node("Reshape", ["x", "mm"], ["s"]), _mm("s")], [1, 2],
                              "more than one -1"),
    "reshape_size": ([helper.make_node("Reshape", ["x", "three"], ["s"]), _mm("s")], [1, 2], "cannot reshape"),
    "matmul_3d_constant": ([_mm(w="w3")], [1, 2], "1-D or 2-D constant"),
    "matmul_mismatch": ([_mm(w="w32")], [1, 2], "times constant of shape"),
    "gemm_tensor_as_b": ([helper.make_node("Gemm", ["w", "x"], ["y"])], [2, 1], "first operand A"),
    "gemm_c_shape": ([helper.make_node("Gemm", ["x", "w", "c3"], ["y"])], [1, 2], "do not broadcast"),
    "bn_param_shape": ([helper.make_node("BatchNormalization", ["x", "o3", "z", "z", "o"], ["n"]), _mm("n")], [1, 2],
                       r"scale has shape \[3\], expected \[2\]"),
    "bn_nonpositive": ([helper.make_node("BatchNormalization", ["x", "o", "z", "z", "neg"], ["n"]), _mm("n")],
                       [1, 2], "≤ 0 in channel 0"),
    "bn_rank_1": ([helper.make_node("BatchNormalization", ["x", "o", "z", "z", "o"], ["n"]), _mm("n")], [2],
                  "no channel axis"),
    "attr_type": ([helper.make_node("Gemm", ["x", "w"], ["y"], transB=1.5)], [1, 2], "must be an integer"),
    "zero_dim": ([_mm()], [1, 0], "dimension 1 = 0"),
    "no_shape": ([_mm()], None, "no declared shape"),
}


@pytest.mark.parametrize("case", sorted(SHAPE_REFUSALS))
def test_operators_on_shapes_they_do_not_fit_are_refused(case):
    nodes, in_shape, pattern = SHAPE_REFUSALS[case]
    inits = {"w": np.eye(2), "ax1": np.array([1], dtype=np.int64), "ax00": np.array([0, 0], dtype=np.int64),
             "mm": np.array([-1, -1], dtype=np.int64), "three": np.array([1, 3], dtype=np.int64),
             "w3": np.ones((1, 2, 2)), "w32": np.ones((3, 2)), "c3": np.ones(3), "o3": np.ones(3),
             "o": np.ones(2), "z": np.zeros(2), "neg": np.array([-1.0, 1.0])}
    refused(model_of(nodes, inits, in_shape), pattern)


def test_file_level_refusals():
    model = model_of([_mm()], {"w": np.eye(2)}, [1, 2])
    model.graph.initializer.append(numpy_helper.from_array(np.eye(2), "w"))
    refused(model, "initializer 'w' is defined twice")
    graph_attr = model_of([helper.make_node("If", ["x"], ["y"], then_branch=helper.make_graph([], "t", [], []),
                                            else_branch=helper.make_graph([], "e", [], []))], {}, [1, 2])
    refused(graph_attr, "holds a GRAPH")


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([np.float16, np.float32, np.float64]),
       st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=30))
def test_scaled_array_is_exact_with_the_least_common_denominator(dtype, values):
    arr = np.array(values).astype(dtype)
    arr = arr[np.isfinite(arr)]  # float16/32 overflow to inf is not a finite input
    ints, den = affine.scaled_array(arr)
    exact = [Fraction(float(v)) for v in arr]
    assert [Fraction(n, den) for n in ints] == exact
    assert den == math.lcm(*[q.denominator for q in exact]) if exact else den == 1


@pytest.mark.parametrize("node,pattern", [
    (helper.make_node("Relu", ["x", "w"], ["y"]), "has 2 inputs; Relu takes 1"),
    (helper.make_node("Gemm", ["x"], ["y"]), "has 1 inputs; Gemm takes 2 to 3"),
    (helper.make_node("MatMul", ["x", "w"], ["y", "z"]), "has 2 outputs; MatMul has at most 1")])
def test_operators_with_the_wrong_number_of_operands_are_refused(node, pattern):
    refused(model_of([node], {"w": np.eye(2)}, [1, 2]), pattern)


def test_shape_arithmetic_of_dynamic_batch_exports_is_folded():
    """Reshape(x, Concat(Gather(Shape(x), 0) · 1, Slice(Shape(x), 1, 2) · 3)) on x [N, 2, 3] is [1, 6]."""
    i64 = lambda *v: np.array(v, dtype=np.int64)  # noqa: E731
    nodes = [helper.make_node("Shape", ["x"], ["s"]),
             helper.make_node("Gather", ["s", "zero"], ["b"], axis=0),
             helper.make_node("Unsqueeze", ["b", "zero1"], ["b1"]),
             helper.make_node("Slice", ["s", "one1", "two1"], ["f"]),
             helper.make_node("Mul", ["f", "three1"], ["f3"]),
             helper.make_node("Cast", ["f3"], ["f3i"], to=TensorProto.INT64),
             helper.make_node("Concat", ["b1", "f3i"], ["target"], axis=0),
             helper.make_node("Reshape", ["x", "target"], ["r"]),
             helper.make_node("MatMul", ["r", "w"], ["y"])]
    w = np.arange(12, dtype=np.float64).reshape(6, 2) / 4
    model = model_of(nodes, {"zero": i64(0).reshape(()), "zero1": i64(0), "one1": i64(1), "two1": i64(2),
                             "three1": i64(3), "w": w}, ["N", 2, 3])
    net = from_onnx_model(model, "dyn.onnx")
    assert net.widths == (6, 2)
    agree_exactly(model, net, [[Fraction(k, 2) for k in range(-3, 3)]], ["N", 2, 3])


@pytest.mark.parametrize("node,inits,pattern", [
    (helper.make_node("Cast", ["c"], ["ci"], to=TensorProto.INT64), {"c": np.array([1.5])}, "changes its values"),
    (helper.make_node("Slice", ["c", "s", "e", "a", "k"], ["ci"]),
     {"c": np.arange(4), "s": np.array([3]), "e": np.array([0]), "a": np.array([0]), "k": np.array([-1])},
     "step is not positive"),
    (helper.make_node("Gather", ["c", "s"], ["ci"]), {"c": np.arange(4), "s": np.array([7])}, "out of range"),
    (helper.make_node("Mul", ["c", "c"], ["ci"]), {"c": np.array([2 ** 40])}, "overflows int64")])
def test_constant_folding_refuses_what_would_change_values(node, inits, pattern):
    model = model_of([node, helper.make_node("Add", ["x", "ci"], ["y"])], inits, [1, 1])
    refused(model, pattern)
