"""A sample of input points supplied by the user: ``.npy`` (an n × d array) or ``.json`` (a list of
points, each a list of d numbers).

Numbers are exact: a binary float *is* a rational (m·2^e) and is taken as its exact value, as
for network files (``certify.io.arrays``, ``kernel.exact.rational``); JSON strings such as
``"1/3"`` or ``"0.1"`` are exact rationals.  Errors name the file and the offending place.
"""
from __future__ import annotations

import os
from fractions import Fraction

from ..kernel.exact import InputError, rational

__all__ = ["read_points"]

Point = tuple[Fraction, ...]


def read_points(path: str | os.PathLike, d0: int | None = None) -> list[Point]:
    """The points of ``path`` (each of dimension ``d0`` when given), exactly."""
    name = os.fspath(path)
    if name.lower().endswith(".npy"):
        points = _npy(name)
    elif name.lower().endswith(".json"):
        points = _json(name)
    else:
        raise InputError(name, "expected a .npy array or a .json list of points")
    if not points:
        raise InputError(name, "no points")
    width = len(points[0]) if d0 is None else d0
    for i, x in enumerate(points):
        if len(x) != width:
            raise InputError(f"{name}: [{i}]", f"expected {width} coordinates (the input dimension), got {len(x)}")
    return points


def _npy(name: str) -> list[Point]:
    import numpy as np
    from .arrays import exact_matrix
    try:
        arr = np.load(name, allow_pickle=False)
    except FileNotFoundError:
        raise InputError(name, "no such file") from None
    except (OSError, ValueError) as e:
        raise InputError(name, f"not a .npy array ({e})") from None
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    if arr.ndim != 2:
        raise InputError(name, f"expected an n × d array of points, got shape {list(arr.shape)}")
    return [tuple(row) for row in exact_matrix(arr, name)]


def _json(name: str) -> list[Point]:
    from ..core.files import read_json
    value = read_json(name)
    if not isinstance(value, list):
        raise InputError(name, "expected a list of points (lists of numbers)")
    points = []
    for i, x in enumerate(value):
        if not isinstance(x, list):
            raise InputError(f"{name}: [{i}]", "expected a point: a list of numbers")
        points.append(tuple(rational(v, f"{name}: [{i}][{k}]") for k, v in enumerate(x)))
    return points
