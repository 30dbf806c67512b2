"""Single-field mutations of a JSON certificate, for kernel tests."""
from __future__ import annotations

import copy
import random
from fractions import Fraction
from typing import Any, Iterator

from certify.kernel.exact import fmt, rational

Path = tuple


def leaves(obj: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from leaves(v, path + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from leaves(v, path + (i,))
    else:
        yield path, obj


def containers(obj: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    if isinstance(obj, (dict, list)):
        yield path, obj
        items = obj.items() if isinstance(obj, dict) else enumerate(obj)
        for k, v in items:
            yield from containers(v, path + (k,))


def _set(obj: Any, path: Path, value: Any) -> Any:
    out = copy.deepcopy(obj)
    cur = out
    for p in path[:-1]:
        cur = cur[p]
    cur[path[-1]] = value
    return out


def _delete(obj: Any, path: Path) -> Any:
    out = copy.deepcopy(obj)
    cur = out
    for p in path[:-1]:
        cur = cur[p]
    del cur[path[-1]]
    return out


def mutate_value(value: Any) -> list[Any]:
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1, -value - 1]
    if isinstance(value, float):
        return [value + 0.5]
    if isinstance(value, str):
        try:
            q = rational(value)
        except Exception:
            return [value + "x"]
        return [fmt(q + Fraction(1, 7919)), fmt(-q) if q else "1"]
    if value is None:
        return [{"box": [["0", "1"]]}]
    return []


def mutations(cert: dict, skip: tuple[str, ...] = ("generator",), limit: int | None = None,
              seed: int = 0) -> list[tuple[str, dict]]:
    """Every single-leaf change, plus deletions of dict keys and of list entries."""
    out = []
    for path, value in leaves(cert):
        if path and path[0] in skip:
            continue
        for new in mutate_value(value):
            out.append(("/".join(map(str, path)) + f" := {new!r}", _set(cert, path, new)))
    for path, node in containers(cert):
        if path and path[0] in skip:
            continue
        if isinstance(node, dict):
            for k in node:
                out.append(("/".join(map(str, path + (k,))) + " deleted", _delete(cert, path + (k,))))
        elif isinstance(node, list) and node:
            out.append(("/".join(map(str, path + (len(node) - 1,))) + " deleted",
                        _delete(cert, path + (len(node) - 1,))))
    if limit is not None and len(out) > limit:
        out = random.Random(seed).sample(out, limit)
    return out
