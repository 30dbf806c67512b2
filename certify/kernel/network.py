"""Networks as plain exact data: parsing of ``certify.network/1`` and exact forward passes.

Notation of theory.md §1: layer maps z_l = W_l a_{l-1} + b_l, a_l = σ(z_l) for
1 ≤ l ≤ L-1, a_0 = x, f(x) = z_L.  ``weight`` is out × in (PyTorch's convention).
Here layers are 0-indexed: ``layers[l]`` maps a_l to z_{l+1}; the hidden neurons are
the outputs of ``layers[0..L-2]``.

Trusts: ``exact`` (numbers).
"""
from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple, Sequence

from .exact import AffineMap, InputError, Matrix, Vector, json_repr, matrix, rational, relu, vector

FORMAT = "certify.network/1"
_KEYS = {"format", "layers", "domain", "name", "source", "metadata"}
_LAYER_KEYS = {"weight", "bias"}

Box = tuple[tuple[Fraction, Fraction], ...]


class Layer(NamedTuple):
    weight: Matrix  # out × in
    bias: Vector


class Net(NamedTuple):
    layers: tuple[Layer, ...]
    box: Box | None = None

    @property
    def widths(self) -> tuple[int, ...]:
        """(d_0, d_1, …, d_L)."""
        return (len(self.layers[0].weight[0]),) + tuple(len(l.bias) for l in self.layers)


def parse_box(value: object, path: str, dim: int | None) -> Box:
    """A list of [lo, hi] pairs with lo ≤ hi, one per input coordinate."""
    if not isinstance(value, list):
        raise InputError(path, f"expected a list of [lo, hi] pairs, got {json_repr(value)}")
    if dim is not None and len(value) != dim:
        raise InputError(path, f"box has {len(value)} intervals but the input dimension is {dim}")
    box = []
    for i, pair in enumerate(value):
        lo, hi = vector(pair, f"{path}[{i}]", 2)
        if lo > hi:
            raise InputError(f"{path}[{i}]", f"empty interval: lo {lo} > hi {hi}")
        box.append((lo, hi))
    return tuple(box)


def parse_domain(value: object, path: str, dim: int | None) -> Box | None:
    """``{"box": [[lo, hi], …]}``; ``null`` (or an absent domain) means the whole space R^d0."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InputError(path, f"expected an object with a 'box', got {json_repr(value)}")
    unknown = set(value) - {"box"}
    if unknown:
        raise InputError(f"{path}.{sorted(unknown)[0]}", "unknown key (a domain has only 'box')")
    if "box" not in value:
        raise InputError(f"{path}.box", "missing (omit the domain for the whole space R^d0)")
    return parse_box(value["box"], f"{path}.box", dim)


def parse_net(obj: object, path: str = "") -> Net:
    """Parse a ``certify.network/1`` object exactly; raise InputError naming the faulty place."""
    at = (lambda key: f"{path}.{key}" if path else key)
    if not isinstance(obj, dict):
        raise InputError(path, f"expected a network object, got {json_repr(obj)}")
    fmt = obj.get("format")
    if fmt != FORMAT:
        raise InputError(at("format"), f"expected {FORMAT!r}, got {json_repr(fmt)}")
    unknown = sorted(set(obj) - _KEYS)
    if unknown:
        raise InputError(at(unknown[0]), f"unknown key (allowed: {', '.join(sorted(_KEYS))})")
    raw_layers = obj.get("layers")
    if not isinstance(raw_layers, list) or not raw_layers:
        raise InputError(at("layers"), "expected a non-empty list of layers")
    layers: list[Layer] = []
    width: int | None = None
    for li, raw in enumerate(raw_layers):
        lp = f"{at('layers')}[{li}]"
        if not isinstance(raw, dict):
            raise InputError(lp, f"expected an object with 'weight' and 'bias', got {json_repr(raw)}")
        for key in ("weight", "bias"):
            if key not in raw:
                raise InputError(f"{lp}.{key}", "missing")
        extra = sorted(set(raw) - _LAYER_KEYS)
        if extra:
            raise InputError(f"{lp}.{extra[0]}", "unknown key (a layer has 'weight' and 'bias')")
        w = raw["weight"]
        if not isinstance(w, list) or not w:
            raise InputError(f"{lp}.weight", "expected a non-empty list of rows")
        if not isinstance(w[0], list) or not w[0]:
            raise InputError(f"{lp}.weight[0]", "expected a non-empty row")
        if width is not None and len(w[0]) != width:
            raise InputError(f"{lp}.weight[0]",
                             f"row has {len(w[0])} entries but the previous layer has {width} outputs")
        weight = matrix(w, f"{lp}.weight", cols=len(w[0]))
        bias = vector(raw["bias"], f"{lp}.bias", len(weight))
        layers.append(Layer(weight, bias))
        width = len(weight)
    box = parse_domain(obj.get("domain"), at("domain"), len(layers[0].weight[0]))
    return Net(tuple(layers), box)


# --------------------------------------------------------------------------- exact evaluation

def affine_maps(net: Net) -> list[AffineMap]:
    return [AffineMap(l.weight, l.bias) for l in net.layers]


def preactivations(maps: Sequence[AffineMap], x: Sequence[Fraction]) -> list[Vector]:
    """[z_1(x), …, z_L(x)], exact; the last entry is f(x)."""
    zs: list[Vector] = []
    a: Sequence[Fraction] = x
    for i, f in enumerate(maps):
        z = f(a)
        zs.append(z)
        if i + 1 < len(maps):
            a = relu(z)
    return zs


def evaluate(maps: Sequence[AffineMap], x: Sequence[Fraction]) -> Vector:
    return preactivations(maps, x)[-1]


def in_box(x: Sequence[Fraction], box: Box | None) -> bool:
    return box is None or all(lo <= xi <= hi for xi, (lo, hi) in zip(x, box))


__all__ = ["Layer", "Net", "Box", "FORMAT", "parse_net", "parse_box", "parse_domain",
           "affine_maps", "preactivations", "evaluate", "in_box", "rational"]
