"""Mutation fuzzing of every reader: the shared harness of tests/io/test_fuzz_readers.py (small
budget, in CI) and bench/fuzz.py (large budget, counts per reader and outcome).

A *reader* turns bytes into a value: a network file (JSON, .nnet, .npz, .pt/.pt2, ONNX) into a
``Network``, a VNN-LIB property or a ``--box`` string into a box, a certificate into the
kernel's ``Verdict``.  Each reader starts from valid seeds, which ``mutate`` damages (byte
flips, truncation, numbers replaced by huge / NaN / infinite / non-ASCII-digit text,
structural deletions, duplicated spans).  The only acceptable outcomes are

* ``ok``: a value of the right type (a Network whose widths are consistent, a box, a Verdict);
* ``input-error``: ``InputError`` naming the file (or ``--box``) — exit 2 on the command line;

anything else is a crash class (``crash:<Exception>``), and a reader that runs for more than
``HANG_SECONDS`` is a ``hang`` (a guard, not a timing assertion: a hang would never end).
"""
from __future__ import annotations

import os
import random
import re
import signal
import tempfile
import warnings
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CERTIFICATES = ROOT / "certificates"
HANG_SECONDS = 20

# Replacements for a number: beyond Python's digit limit, beyond the float range, beyond the
# exponent limit, not finite, not ASCII digits (Arabic-Indic, fullwidth), empty, a zero divisor.
HOSTILE_NUMBERS = ["1" * 5000, "1/" + "3" * 4400, "0." + "7" * 4400, "1e400", "-1e401", "1e-400",
                   "1e99999999999", "NaN", "Infinity", "-Infinity", "inf", "nan", "\u0663", "\uff11",
                   "1\u06602", "", "-", "1/0", "0/0", "--1", "1e", ".", "+.e1", "99999999999999999999999",
                   "\"1\"", "true", "null", "[]", "{}", "1" * 4301, "-0", "0x10"]


class FuzzTimeout(Exception):
    pass


@dataclass
class Reader:
    """A reader under fuzzing: its seeds (bytes) and how to read one input."""

    name: str
    suffix: str                     # file extension, or "" for a string (--box)
    seeds: list[bytes]
    read: Callable[[str], object]   # path (or text) -> value; raises InputError on bad input
    check: Callable[[object], bool]  # is the value well formed?
    names_file: bool = True         # must the InputError name the file?
    label: Callable[[object], str] = lambda value: "ok"  # the outcome of a well-formed value
    damage: Callable[[bytes, random.Random], bytes] | None = None  # default: mutate()


@dataclass
class Tally:
    counts: dict[str, Counter] = field(default_factory=dict)
    examples: dict[str, bytes] = field(default_factory=dict)  # first input of each crash class

    def add(self, reader: str, outcome: str, data: bytes) -> None:
        self.counts.setdefault(reader, Counter())[outcome] += 1
        if outcome not in ACCEPTABLE:
            self.examples.setdefault(f"{reader}: {outcome}", data)


# --------------------------------------------------------------------------- mutations

_NUMBER = re.compile(rb"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def mutate(data: bytes, rng: random.Random, rounds: int | None = None) -> bytes:
    """Apply 1–3 random damages to ``data``."""
    out = bytearray(data)
    for _ in range(rounds or rng.randint(1, 3)):
        kind = rng.choice(("flip", "truncate", "number", "number", "delete", "duplicate", "byte", "bracket"))
        if not out:
            out = bytearray(rng.randbytes(rng.randint(0, 8)))
            continue
        i = rng.randrange(len(out))
        if kind == "flip":
            for _ in range(rng.randint(1, 4)):
                j = rng.randrange(len(out))
                out[j] ^= 1 << rng.randrange(8)
        elif kind == "truncate":
            del out[i:]
        elif kind == "number":
            spans = [m.span() for m in _NUMBER.finditer(out)]
            if spans:
                a, b = rng.choice(spans)
                out[a:b] = rng.choice(HOSTILE_NUMBERS).encode("utf-8")
            else:
                out[i:i] = rng.choice(HOSTILE_NUMBERS).encode("utf-8")
        elif kind == "delete":
            del out[i:i + rng.randint(1, 64)]
        elif kind == "duplicate":
            j = min(len(out), i + rng.randint(1, 64))
            out[j:j] = out[i:j]
        elif kind == "byte":
            out[i] = rng.choice((0, 0x7F, 0xFF, 0xC3, ord("("), ord(")"), ord("["), ord("]"), ord("{"),
                                 ord(","), ord(":"), ord('"')))
        elif kind == "bracket":
            positions = [k for k, c in enumerate(out) if c in b"()[]{}"]
            if positions:
                del out[rng.choice(positions)]
    return bytes(out)


# --------------------------------------------------------------------------- running one input

def _alarm(signum, frame):
    raise FuzzTimeout()


def outcome(reader: Reader, data: bytes, folder: str) -> str:
    """Run ``reader`` on ``data`` and classify the result (see the module docstring)."""
    from certify.kernel.exact import InputError
    if reader.suffix:
        path = os.path.join(folder, f"fuzz{reader.suffix}")
        with open(path, "wb") as fh:
            fh.write(data)
        arg = path
    else:
        arg = data.decode("utf-8", "replace")
    use_alarm = hasattr(signal, "SIGALRM")
    if use_alarm:
        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(HANG_SECONDS)
    try:
        value = reader.read(arg)
    except FuzzTimeout:
        return "hang"
    except InputError as e:
        if reader.names_file and not str(e).startswith(arg):
            return "input-error-without-file"
        if not reader.names_file and not str(e).startswith("--box"):
            return "input-error-without-place"
        return "input-error"
    except RecursionError:
        return "crash:RecursionError"
    except Exception as e:  # noqa: BLE001 — this is what the harness looks for
        return f"crash:{type(e).__name__}"
    finally:
        if use_alarm:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
    return reader.label(value) if reader.check(value) else "malformed-value"


ACCEPTABLE = ("ok", "valid", "rejected", "input-error")


def run(readers: list[Reader], examples: int, seed: int = 0, tally: Tally | None = None,
        last_input: str | None = None) -> Tally:
    """``examples`` mutated inputs per reader (plain random; bench/fuzz.py).  ``last_input``:
    a file that holds the input being read, to reproduce a crash that kills the process."""
    tally = tally or Tally()
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as folder:
        for reader in readers:
            for _ in range(examples):
                data = (reader.damage or mutate)(rng.choice(reader.seeds), rng)
                if last_input:
                    with open(last_input, "wb") as fh:
                        fh.write(data)
                tally.add(reader.name, outcome(reader, data, folder), data)
    return tally


# --------------------------------------------------------------------------- the readers and their seeds

def _well_formed_network(value: object) -> bool:
    from certify.network import Network
    if not isinstance(value, Network):
        return False
    w = value.widths
    return all(len(l.weight) == w[i + 1] and all(len(r) == w[i] for r in l.weight) and len(l.bias) == w[i + 1]
               for i, l in enumerate(value.layers)) and all(isinstance(q, Fraction) for l in value.layers
                                                            for r in l.weight for q in r)


def _box_ok(value: object) -> bool:
    return isinstance(value, tuple) and all(isinstance(lo, Fraction) and lo <= hi for lo, hi in value)


def _file_bytes(write: Callable[[str], None], suffix: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, f"seed{suffix}")
        write(path)
        with open(path, "rb") as fh:
            return fh.read()


def readers(include: set[str] | None = None) -> list[Reader]:
    """Every reader whose dependencies are installed (or the ``include`` subset)."""
    from certify.core.domain import parse_box
    from certify.io import load_any, save_any
    from certify.io.vnnlib import read_input_box
    from certify.io.vnnlib_query import read_query
    from certify.kernel.dispatch import Verdict, check_text
    from certify.network import Network

    s3 = Network.load(EXAMPLES / "S3.json")
    boxed = s3.replace(box=((Fraction(-4), Fraction(4)),))
    dead = Network.load(EXAMPLES / "D-DEAD.json")
    dead = dead.replace(box=dead.box or tuple((Fraction(-1), Fraction(1)) for _ in range(dead.widths[0])))
    json_seeds = [(EXAMPLES / n).read_bytes() for n in ("S3.json", "D-DEAD.json", "S7.json")]
    out: list[Reader] = [
        Reader("network-json", ".json", json_seeds, load_any, _well_formed_network),
        Reader("nnet", ".nnet", [_file_bytes(lambda p: save_any(boxed, p), ".nnet"),
                                 _file_bytes(lambda p: save_any(dead, p), ".nnet")], load_any, _well_formed_network),
        Reader("npz", ".npz", [_file_bytes(lambda p: save_any(boxed, p), ".npz"),
                               _npz_compressed(dead)], load_any, _well_formed_network),
        Reader("vnnlib", ".vnnlib", [VNNLIB_SEED.encode()] + _acas_property(),
               lambda p: read_input_box(p, _dim(p)), _box_ok),
        Reader("vnnlib-query", ".vnnlib", _query_seeds(s3), read_query, _query_ok),
        Reader("box", "", [b"-1:1,0:1/2", b'[["-1","1"],[0,"0.5"]]', b"-1e3:2.5e-2, 1/3:2/3", b"0:1"],
               lambda text: parse_box(text, 2), _box_ok, names_file=False),
        Reader("certificate", ".json", [p.read_bytes() for p in sorted(CERTIFICATES.glob("*.json"))
                                        if p.stat().st_size < 4000][:6],
               lambda p: check_text(Path(p).read_text(encoding="utf-8", errors="replace")),
               lambda v: isinstance(v, Verdict), label=lambda v: "valid" if v.valid else "rejected"),
        Reader("npz-arrays", ".npz", [b""], load_any, _well_formed_network, damage=hostile_npz),
    ]
    try:
        import onnx  # noqa: F401
        out.append(Reader("onnx", ".onnx", [_file_bytes(lambda p: save_any(boxed, p), ".onnx"),
                                            _file_bytes(lambda p: save_any(dead, p), ".onnx")],
                          load_any, _well_formed_network))
    except ImportError:
        pass
    try:
        import torch  # noqa: F401
        out += _torch_readers(load_any)
    except ImportError:
        pass
    return [r for r in out if include is None or r.name in include]


def _query_seeds(net) -> list[bytes]:
    """Two-network VNN-LIB 2.0 equivalence queries: certify's export and the isomorphic_acasxu_2026 template."""
    from certify.io.vnnlib import equivalence_query
    iso = ["(vnnlib-version <2.0>)",
           "(declare-network f (declare-input X_f real [1, 1, 1, 2]) (declare-output Y_f real [1, 2]))",
           "(declare-network g (isomorphic-to f) (declare-input X_g real [1,1,1,2]) (declare-output Y_g real [1,2]))",
           "(assert (and (<= X_f[0,0,0,0] 0.679857769) (>= X_f[0,0,0,0] 0.6)))",
           "(assert (and (<= X_f[0,0,0,1] 0.5) (>= X_f[0,0,0,1] -0.5)))",
           "(assert (== X_f[0,0,0,0] X_g[0,0,0,0]))", "(assert (== X_f[0,0,0,1] X_g[0,0,0,1]))",
           "(assert (or (or (> Y_g[0,0] (+ Y_f[0,0] 0.05)) (< Y_g[0,0] (- Y_f[0,0] 0.05)))",
           " (or (> (- Y_g[0,1] Y_f[0,1]) 0.05) (< (* 2.0 Y_g[0,1]) (- (* 2.0 Y_f[0,1]) 0.1)))))"]
    return [equivalence_query(net, net, ((Fraction(-1, 3), Fraction(5, 2)),)).encode(), "\n".join(iso).encode()]


def _query_ok(q) -> bool:
    return len(q.networks) == 2 and len(q.box) == q.networks[0].d_in and len(q.tolerance) == q.networks[0].d_out \
        and all(e is None or e >= 0 for e in q.tolerance)


VNNLIB_SEED = """; a property on two inputs
(declare-const X_0 Real)
(declare-const X_1 Real)
(declare-const Y_0 Real)
(assert (<= X_0 1.0))
(assert (>= X_0 -0.5))
(assert (<= X_1 2.5e-1))
(assert (>= X_1 -1.25))
(assert (or (and (>= Y_0 0.5)) (<= (+ Y_0 (* 2.0 X_0)) 0.0)))
"""


def _dim(path: str) -> int:
    with open(path, "rb") as fh:
        return 5 if b"X_4" in fh.read() else 2


def _acas_property() -> list[bytes]:
    prop = Path("/work/shared/benchmarks/acasxu/prop_1.vnnlib")
    return [prop.read_bytes()] if prop.is_file() else []


def hostile_npz(_: bytes, rng: random.Random) -> bytes:
    """A well-formed .npz archive whose arrays are hostile: wrong shapes and ranks, (n, 1) biases,
    NaN/inf, huge or subnormal floats, integer/bool/complex/string dtypes, gaps and extra names."""
    import io

    import numpy as np
    depth = rng.randint(1, 3)
    widths = [rng.randint(0 if rng.random() < 0.05 else 1, 4) for _ in range(depth + 1)]
    arrays = {}
    for i in range(depth):
        w = np.array(rng.choices([0.5, -1.0, 3.0, 1e308, 5e-324, float("nan"), float("inf"), 0.0],
                                 weights=[5, 5, 5, 1, 1, 1, 1, 2], k=widths[i + 1] * widths[i]))
        arrays[f"W{i}"] = w.reshape(widths[i + 1], widths[i])
        arrays[f"b{i}"] = np.zeros(widths[i + 1])
    for _ in range(rng.randint(0, 3)):
        key = rng.choice(list(arrays))
        a = arrays[key]
        choice = rng.randrange(9)
        if choice == 0:
            arrays[key] = a.reshape(-1, 1) if a.size else a
        elif choice == 1:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # complex → real, NaN → int: the point is a hostile array
                arrays[key] = a.astype(rng.choice([np.int64, np.int8, np.uint8, np.bool_, np.float16, np.float32,
                                                   np.complex128, np.longdouble]))
        elif choice == 2:
            arrays[key] = a.reshape(a.shape + (1,))
        elif choice == 3 and len(arrays) > 1:
            del arrays[key]
        elif choice == 4:
            arrays[rng.choice(["w0", "W01", "b9", "W-1", "domain", "extra"])] = a
        elif choice == 5:
            arrays["domain"] = np.array(rng.choice([[[-1.0, 1.0]] * max(widths[0], 1), [[1.0, -1.0]], [[0.0]],
                                                    [[float("nan"), 1.0]]]))
        elif choice == 6:
            arrays[key] = np.array(["1", "2"])
        elif choice == 7:
            arrays[key] = np.array(rng.random())
        else:
            arrays[key] = np.zeros((0,) + a.shape[1:])
    buffer = io.BytesIO()
    (np.savez_compressed if rng.random() < 0.5 else np.savez)(buffer, **arrays)
    return buffer.getvalue()


def _npz_compressed(network) -> bytes:
    import io

    import numpy as np
    arrays = {}
    for i, layer in enumerate(network.layers):
        arrays[f"W{i}"] = np.array([[float(q) for q in r] for r in layer.weight])
        arrays[f"b{i}"] = np.array([float(q) for q in layer.bias])
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def _torch_readers(load_any) -> list[Reader]:
    import torch
    nn = torch.nn
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)).eval()
    script = _file_bytes(lambda p: torch.jit.save(torch.jit.script(model), p), ".pt")
    state = _file_bytes(lambda p: torch.save(model.state_dict(), p), ".pt")
    exported = _file_bytes(lambda p: torch.export.save(torch.export.export(model, (torch.zeros(2, 2),)), p), ".pt2")
    return [Reader("pt-torchscript", ".pt", [script], load_any, _well_formed_network),
            Reader("pt-state-dict", ".pth", [state], lambda p: load_any(p, assume_sequential=True),
                   _well_formed_network),
            Reader("pt2-export", ".pt2", [exported], load_any, _well_formed_network)]
