"""A computation graph that is a chain of affine maps and ReLUs, read exactly (no torch needed).

Importers of graph formats (TorchScript, ``torch.export``, a live ``nn.Module``) translate
their nodes into ``GraphNode`` records: an operator name and its operands, each either a
``Ref`` to another node's output (a tensor computed from the input) or a constant (a weight,
a flag).  ``chain_of`` then decides whether the function from the input to the output is a
composition of the accepted operators, and ``network_from_ops`` composes them exactly.

Theorem (what is read).  Walk back from the output: if every node on the way has exactly one
operand computed from the input, the output is op_k(…op_1(x)), and nodes off this path
cannot change it (the importers refuse in-place writes off the path).  Each accepted
operator is an exact affine map or the ReLU:

* ``linear(x, W, b)``: x ↦ Wx + b;  ``relu``: the ReLU (theory.md §1);
* ``flatten(x, 1, -1)``, ``identity``, ``dropout(x, p, train=False)``: the identity on the
  flattened input;
* ``batch_norm(x, γ, β, μ, σ², training=False, momentum, ε)`` (inference mode):
  x ↦ γ(x − μ)/√(σ² + ε) + β, an affine map with *rational* coefficients exactly when every
  σ²_i + ε is the square of a rational; otherwise the layer computes an irrational function
  and is refused (certify does not round).

Consecutive affine maps compose into one layer (``chain.AffineChain``, exact and fast).  Any other operator
on the path — Sigmoid, LeakyReLU, Softmax, a residual ``add`` (two operands from the input)
— is refused, naming it, with exit 2.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, NamedTuple, Sequence

from ..kernel.exact import InputError, fmt
from ..kernel.network import Net
from ..network import Network
from .arrays import exact_matrix, exact_vector
from .chain import AffineChain

__all__ = ["Ref", "GraphNode", "Op", "chain_of", "chain_path", "network_from_ops", "exact_sqrt", "ACCEPTED"]

ACCEPTED = ("linear", "relu", "flatten", "identity", "dropout", "batch_norm")


class Ref(NamedTuple):
    """An operand computed in the graph (from the input): the name of the value."""

    name: str


@dataclass(frozen=True)
class GraphNode:
    """One node: ``output = op(*operands)``; ``where`` names it in messages."""

    output: str
    op: str  # normalised: "linear", "relu", "add", "sigmoid", … (no namespace, no overload)
    operands: tuple[Any, ...]
    where: str


@dataclass(frozen=True)
class Op:
    """One accepted operator on the chain, with its constant operands."""

    kind: str  # one of ACCEPTED
    where: str
    args: tuple[Any, ...] = ()


def chain_of(nodes: Sequence[GraphNode], input_name: str, output_name: str) -> list[Op]:
    """The operators from the input to the output, in forward order (see the module docstring);
    InputError naming the first operator that is not accepted or not on a chain."""
    return [_accept(node) for node in chain_path(nodes, input_name, output_name)]


def chain_path(nodes: Sequence[GraphNode], input_name: str, output_name: str) -> list[GraphNode]:
    """The nodes on the way from the input to the output, in forward order; each is an accepted
    operator with exactly one computed operand, its first (else InputError naming it)."""
    by_output = {n.output: n for n in nodes}
    path: list[GraphNode] = []
    current = output_name
    while current != input_name:
        node = by_output.get(current)
        if node is None:
            raise InputError(output_name, f"the output does not depend on the input only (value {current!r})")
        refs = [a for a in node.operands if isinstance(a, Ref)]
        if node.op not in ACCEPTED:
            raise InputError(node.where, f"operator {node.op!r} is not supported: certify reads chains of "
                                         "Linear, ReLU, Flatten, Identity, Dropout and BatchNorm1d (eval)")
        if len(refs) != 1 or not isinstance(node.operands[0], Ref):
            raise InputError(node.where, f"operator {node.op!r} takes {len(refs)} computed operands; certify "
                                         "reads chains (no skip connections, no weights computed in the graph)")
        path.append(node)
        if len(path) > len(nodes):
            raise InputError(node.where, "the graph has a cycle")
        current = refs[0].name
    path.reverse()
    return path


def _accept(node: GraphNode) -> Op:
    """Check the constant operands of an accepted operator (flags and dimensions)."""
    args = node.operands[1:]
    if node.op == "flatten":
        dims = tuple(args) + (1, -1)[len(args):]
        if dims[:2] != (1, -1):
            raise InputError(node.where, f"flatten({dims[0]}, {dims[1]}) is not a flattening of the batch "
                                         "rows (only flatten(1, -1) is)")
        return Op("identity", node.where)
    if node.op == "dropout":
        train = args[1] if len(args) > 1 else False
        if train is not False:
            raise InputError(node.where, "dropout in training mode is random: call model.eval() before saving")
        return Op("identity", node.where)
    if node.op == "batch_norm":
        if len(args) < 7:
            raise InputError(node.where, f"batch_norm with {len(args)} operands (expected weight, bias, "
                                         "running_mean, running_var, training, momentum, eps)")
        weight, bias, mean, var, training, _momentum, eps = args[:7]
        if training is not False or mean is None or var is None:
            raise InputError(node.where, "batch normalisation in training mode uses the batch's statistics: "
                                         "call model.eval() before saving")
        return Op("batch_norm", node.where, (weight, bias, mean, var, eps))
    if node.op == "linear":
        if len(args) not in (1, 2):
            raise InputError(node.where, f"linear with {len(args) + 1} operands")
        return Op("linear", node.where, (args[0], args[1] if len(args) > 1 else None))
    return Op(node.op, node.where)


def exact_sqrt(q: Fraction) -> Fraction | None:
    """√q if it is rational (q ≥ 0 and both terms of the reduced fraction are squares), else None."""
    if q < 0:
        return None
    rn, rd = math.isqrt(q.numerator), math.isqrt(q.denominator)
    return Fraction(rn, rd) if rn * rn == q.numerator and rd * rd == q.denominator else None


def _number(value: Any, where: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, float, Fraction)):
        raise InputError(where, f"expected a number, got {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(where, f"expected a finite number, got {value}")
    return Fraction(value)


def batch_norm_affine(op: Op) -> tuple[list[Fraction], list[Fraction]]:
    """(scale, shift) with batch_norm(x)_i = scale_i·x_i + shift_i, exactly; InputError if a
    scale γ_i/√(σ²_i + ε) is irrational."""
    weight, bias, mean, var, eps = op.args
    mu = exact_vector(mean, f"{op.where}: running_mean")
    sigma2 = exact_vector(var, f"{op.where}: running_var")
    n = len(mu)
    gamma = exact_vector(weight, f"{op.where}: weight") if weight is not None else (Fraction(1),) * n
    beta = exact_vector(bias, f"{op.where}: bias") if bias is not None else (Fraction(0),) * n
    if not (len(sigma2) == len(gamma) == len(beta) == n):
        raise InputError(op.where, "weight, bias, running_mean and running_var differ in length")
    e = _number(eps, f"{op.where}: eps")
    scale, shift = [], []
    for i in range(n):
        root = exact_sqrt(sigma2[i] + e)
        if root is None or root == 0:
            raise InputError(f"{op.where}: running_var[{i}]",
                             f"sqrt(running_var + eps) = sqrt({fmt(sigma2[i] + e)}) is "
                             + ("zero" if root == 0 else "irrational") + ", so this batch normalisation is "
                             "not an exact rational affine map; certify does not round (fold it into the "
                             "neighbouring Linear layer and save the folded weights, which are then the network)")
        s = gamma[i] / root
        scale.append(s)
        shift.append(beta[i] - s * mu[i])
    return scale, shift


def network_from_ops(ops: Sequence[Op], path: str, source: str, metadata: dict) -> Network:
    """Compose the chain exactly into certify layers (``chain.AffineChain``)."""
    chain = AffineChain(None)
    for op in ops:
        if op.kind == "linear":
            weight, bias = op.args
            chain.linear(exact_matrix(weight, f"{op.where}: weight"), op.where)
            if bias is not None:
                chain.add(exact_vector(bias, f"{op.where}: bias"), op.where)
        elif op.kind == "relu":
            chain.relu(op.where)
        elif op.kind == "batch_norm":
            scale, shift = batch_norm_affine(op)
            chain.scale(scale, op.where)
            chain.add(tuple(shift), op.where)
        elif op.kind != "identity":
            raise InputError(op.where, f"operator {op.kind!r} is not supported")
    if chain.empty:
        raise InputError(path, "no affine layer found (no Linear or BatchNorm on the way from input to output)")
    return Network(Net(tuple(chain.finish(path))), None, source, metadata)
