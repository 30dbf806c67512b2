"""The domain of a question: parsed once, resolved once, and reported with every answer.

A question about functions is asked on a domain Ω: R^d0, or a box.  The rule (written
only here, used by the command line and the Python API alike):

1. an explicit box (``--box`` or the ``box=`` argument) wins;
2. else the networks' own ``domain.box`` — all that declare one must declare the same;
3. else the whole space R^d0.

Every answer names its domain and where it came from ("[-1,1]^4 (the domain of B)"),
because a verdict on a box says nothing off it.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Mapping, Sequence

from ..kernel.exact import InputError, fmt, rational
from ..kernel.network import Box
from .numbers import check_magnitude

__all__ = ["Domain", "BoxSpec", "parse_box", "resolve", "whole_space", "box_text"]

BoxSpec = Any  # None | "lo:hi,…" | a VNN-LIB path | a JSON list text | a sequence of (lo, hi) pairs | Box

EXPLICIT = "--box"


@dataclass(frozen=True)
class Domain:
    """A box (or None for R^d0), its dimension, and where it came from."""

    box: Box | None
    dim: int
    source: str  # "--box", "the domain of A", "the domain of A and B", "the whole space", …

    @property
    def whole(self) -> bool:
        return self.box is None

    def text(self) -> str:
        """"[-1,1]^4 (the domain of B)", or "R^4" for the whole space."""
        if self.box is None:
            return f"R^{self.dim}"
        return f"{box_text(self.box)} ({self.source})"

    def to_json(self) -> dict:
        return {"box": None if self.box is None else [[fmt(lo), fmt(hi)] for lo, hi in self.box],
                "source": self.source, "text": self.text()}


def whole_space(dim: int, source: str = "the whole space") -> Domain:
    return Domain(None, dim, source)


def box_text(box: Box, limit: int = 4) -> str:
    """[lo,hi]^d when all intervals agree, else [lo,hi]×[lo,hi]×… (the first ``limit``)."""
    parts = [f"[{fmt(lo)},{fmt(hi)}]" for lo, hi in box]
    if len(set(parts)) == 1:
        return parts[0] + (f"^{len(parts)}" if len(parts) > 1 else "")
    if len(parts) > limit:
        return "×".join(parts[:limit]) + f"×… ({len(parts)} intervals)"
    return "×".join(parts)


def parse_box(spec: BoxSpec, dim: int, where: str = EXPLICIT) -> Box | None:
    """An exact box from any accepted spelling; one interval broadcasts to all inputs.

    Spellings: ``"lo:hi,lo:hi"`` (rationals or decimals), a JSON list of pairs as text,
    the path of a VNN-LIB property (its input bounds), or a sequence of (lo, hi) pairs of
    Python numbers (ints, Fractions, strings, floats taken exactly, numpy scalars).
    Every bound must be a finite rational and lo ≤ hi (InputError otherwise)."""
    if spec is None:
        return None
    if isinstance(spec, (str, os.PathLike)):
        text = os.fspath(spec).strip()
        if text.lower().endswith(".vnnlib"):
            from ..io.vnnlib import read_input_box
            return read_input_box(text, dim)
        if text.startswith("["):
            try:
                pairs = json.loads(text)
            except (json.JSONDecodeError, ValueError) as e:
                raise InputError(where, f"not JSON: {e}") from None
        else:
            pairs = [part.split(":") for part in text.split(",")] if text else []
    else:
        pairs = spec
    try:
        pairs = list(pairs)
    except TypeError:
        raise InputError(where, "expected LO:HI[,LO:HI...] or a list of (lo, hi) pairs") from None
    if not pairs:
        raise InputError(where, "expected LO:HI[,LO:HI...]")
    box = []
    for i, pair in enumerate(pairs):
        try:
            lo, hi = pair
        except (TypeError, ValueError):
            raise InputError(f"{where}[{i}]", "expected LO:HI (two bounds)") from None
        lo, hi = _bound(lo, f"{where}[{i}]"), _bound(hi, f"{where}[{i}]")
        if lo > hi:
            raise InputError(f"{where}[{i}]", f"empty interval: lo {fmt(lo)} > hi {fmt(hi)}")
        box.append((lo, hi))
    if len(box) == 1 and dim > 1:
        box = box * dim
    if len(box) != dim:
        raise InputError(where, f"has {len(box)} intervals but the input dimension is {dim}")
    return tuple(box)


def _bound(value: Any, where: str) -> Fraction:
    if isinstance(value, str):
        return rational(value.strip(" "), where)
    return rational(_plain(value), where)


def _plain(value: Any) -> Any:
    """numpy scalars and other number-likes as Python numbers (exactly)."""
    if isinstance(value, (int, float, Fraction, str)) or value is None:
        return value
    item = getattr(value, "item", None)  # numpy scalar / 0-d array
    if callable(item):
        return item()
    return value


def resolve(networks: Mapping[str, Any], spec: BoxSpec = None, where: str = EXPLICIT,
            label: str | None = None) -> Domain:
    """The domain of a question about ``networks`` ({"A": net, …}); see the module docstring.

    ``label`` names a single network in messages (e.g. the file name); input dimensions
    must agree across the networks."""
    names = list(networks)
    dims = {n: networks[n].widths[0] for n in names}
    dim = dims[names[0]]
    for n in names[1:]:
        if dims[n] != dim:
            raise InputError("", f"input dimensions differ: {names[0]} has {dim}, {n} has {dims[n]}")
    explicit = parse_box(spec, dim, where)
    if explicit is not None:
        vnnlib = isinstance(spec, (str, os.PathLike)) and os.fspath(spec).strip().lower().endswith(".vnnlib")
        check_magnitude(explicit, os.fspath(spec).strip() if vnnlib else where, vnnlib)
        return Domain(explicit, dim, EXPLICIT)
    declared = {n: networks[n].box for n in names if networks[n].box is not None}
    for n, box in declared.items():
        check_magnitude(box, f"{getattr(networks[n], 'file', None) or n}: domain.box")
    if not declared:
        return whole_space(dim)
    boxes = list(declared.values())
    if any(b != boxes[0] for b in boxes[1:]):
        raise InputError("domain", f"{' and '.join(declared)} declare different boxes; choose one with --box")
    who = label if label is not None and len(names) == 1 else " and ".join(declared)
    return Domain(boxes[0], dim, f"the domain of {who}")


def same_outputs(networks: Mapping[str, Any]) -> None:
    """Output dimensions must agree across the networks of one question."""
    names = list(networks)
    first = networks[names[0]].widths[-1]
    for n in names[1:]:
        if networks[n].widths[-1] != first:
            raise InputError("", f"output dimensions differ: {names[0]} has {first}, {n} has "
                                 f"{networks[n].widths[-1]}")
