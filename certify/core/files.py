"""Reading and writing files: one-line errors on the way in, atomic writes on the way out.

Every file certify reads goes through ``read_text``/``read_json`` (a failure names the
file, and the line and column for JSON); every file it writes goes through
``write_through`` (readers see the old file or the whole new one, never half of it).
``output_path`` is the one check of an output path, done before any work starts, so a
long run never ends in an unwritable file.
"""
from __future__ import annotations

import json
import os
import tempfile
from fractions import Fraction
from typing import Any, Callable, Iterable

from ..kernel.exact import InputError, fmt, no_duplicate_keys

__all__ = ["read_text", "read_json", "dumps", "write_atomic", "write_bytes_atomic", "write_through",
           "output_path", "output_folder", "distinct_outputs"]


def read_text(path: str | os.PathLike, what: str = "a JSON file") -> str:
    """A text file's contents; any failure becomes an InputError naming the file."""
    name = os.fspath(path)
    try:
        with open(name, encoding="utf-8") as fh:
            return fh.read()
    except FileNotFoundError:
        raise InputError(name, "no such file") from None
    except IsADirectoryError:
        raise InputError(name, f"is a directory, expected {what}") from None
    except UnicodeDecodeError as e:
        raise InputError(name, f"not UTF-8 text (byte {e.start})") from None
    except OSError as e:
        raise InputError(name, f"cannot read: {e.strerror or e}") from None


def read_json(path: str | os.PathLike) -> Any:
    """Read a JSON file; any failure becomes an InputError naming the file (and line, column)."""
    name = os.fspath(path)
    text = read_text(name)
    try:
        return json.loads(text, object_pairs_hook=no_duplicate_keys)
    except json.JSONDecodeError as e:
        what = "truncated JSON" if e.pos >= len(text.rstrip()) else "not JSON"
        raise InputError(name, f"line {e.lineno} column {e.colno}: {what} ({e.msg})") from None
    except RecursionError:
        raise InputError(name, "JSON nested too deeply") from None
    except ValueError as e:  # a repeated key, or an integer literal beyond Python's digit limit
        raise InputError(name, f"not accepted as JSON: {e}") from None


def dumps(obj: Any, indent: int | None = None) -> str:
    """JSON text of plain data; Fractions become their exact "p/q" strings."""
    return json.dumps(obj, indent=indent, ensure_ascii=False, default=_default)


def _default(obj: Any) -> Any:
    if isinstance(obj, Fraction):
        return fmt(obj)
    raise TypeError(f"cannot serialise {type(obj).__name__}")


def output_path(path: str | os.PathLike, option: str, extensions: Iterable[str] | None = None) -> str:
    """Check an output path before the work starts: its folder exists and is writable, it is
    not a directory, and (when ``extensions`` is given) its extension is one of them.

    Raises InputError naming the option; nothing is created."""
    name = os.fspath(path)
    if not name:
        raise InputError(option, "empty output path")
    if os.path.isdir(name):
        raise InputError(option, f"{name} is a directory; give a file name")
    folder = os.path.dirname(os.path.abspath(name))
    if not os.path.isdir(folder):
        raise InputError(option, f"{name}: the folder {os.path.dirname(name) or '.'} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(option, f"{name}: cannot write in the folder {os.path.dirname(name) or '.'}")
    if os.path.exists(name) and not os.access(name, os.W_OK):
        raise InputError(option, f"{name}: the file is not writable")
    if extensions is not None:
        allowed = tuple(extensions)
        if not name.lower().endswith(allowed):
            raise InputError(option, f"{name}: unknown extension (expected {', '.join(allowed)})")
    return name


def output_folder(path: str | os.PathLike, option: str) -> str:
    """A folder that a command fills (certificates of a batch, the demo's output): created if
    missing, but only inside a folder that exists (no silent ``mkdir -p``)."""
    name = os.fspath(path)
    if os.path.isdir(name):
        if not os.access(name, os.W_OK | os.X_OK):
            raise InputError(option, f"{name}: cannot write in this folder")
        return name
    if os.path.exists(name):
        raise InputError(option, f"{name} exists and is not a folder")
    parent = os.path.dirname(os.path.abspath(name))
    if not os.path.isdir(parent):
        raise InputError(option, f"{name}: the folder {os.path.dirname(name) or '.'} does not exist")
    try:
        os.mkdir(name)
    except OSError as e:
        raise InputError(option, f"{name}: cannot create the folder ({e.strerror or e})") from None
    return name


def distinct_outputs(paths: dict[str, str | None]) -> None:
    """Refuse two outputs of one command that name the same file (one would overwrite the other)."""
    seen: dict[str, str] = {}
    for option, path in paths.items():
        if not path:
            continue
        key = os.path.realpath(path)
        if key in seen:
            raise InputError(option, f"{path} is also the {seen[key]} output; give each output its own file")
        seen[key] = option


def write_atomic(path: str | os.PathLike, obj: Any, indent: int | None = 1) -> None:
    """Write JSON so that readers see the old file or the whole new one, never half."""
    write_bytes_atomic(path, (dumps(obj, indent=indent) + "\n").encode("utf-8"))


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write any file (JSON, ONNX, a picture) atomically: a temporary file, then rename."""
    def put(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            fh.write(data)
    write_through(path, put)


def write_through(path: str | os.PathLike, write: Callable[[str], None]) -> None:
    """Let ``write(tmp)`` create the file under a temporary name in the same folder (for
    writers that insist on a path, such as pulp's LP/MPS), then rename it into place.

    The folder must exist (certify never creates folders silently); a failure to write is
    an InputError naming the file, and the temporary file is removed."""
    name = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(name))
    if os.path.isdir(name):
        raise InputError(name, "is a directory; give a file name")
    if not os.path.isdir(folder):
        raise InputError(name, f"the folder {os.path.dirname(name) or '.'} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=os.path.splitext(name)[1])
    except OSError as e:
        raise InputError(name, f"cannot write: {e.strerror or e}") from None
    os.close(fd)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the usual mode
        write(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, name)
    except OSError as e:
        _remove(tmp)
        raise InputError(name, f"cannot write: {e.strerror or e}") from None
    except BaseException:
        _remove(tmp)
        raise


def _remove(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
