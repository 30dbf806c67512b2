"""The ``.nnet`` text format (Julian et al., ACAS Xu / Reluplex / Marabou) ↔ certify networks.

Layout after the ``//`` comment lines (every line may end with a comma):

1. ``L, d0, dL, max width`` — L = number of affine layers;
2. the L + 1 layer sizes d0, d1, …, dL;
3. an unused flag;
4. input minima (d0 numbers);  5. input maxima (d0);
6. means (d0 inputs, then 1 for the outputs);  7. ranges (d0 + 1, likewise);
8. for each layer: its weight, one row of d_{l-1} numbers per neuron (out × in), then its
   d_l biases, one per line.

Numbers are decimal text and are taken **exactly as written** ("0.1" is 1/10), like the
decimal strings of ``certify.network/1``; ``load_nnet(path, exact_decimals=False)``
instead rounds each to the nearest float64 first, as C tools reading the file do.

The normalisation constants are **not applied**: the imported network is the raw one,
mapping normalised inputs (x − mean)/range to normalised outputs, exactly what the
weights compute.  The constants are reported in ``metadata["normalization"]``, and
``normalized_box`` turns the min/max bounds into the corresponding input box when
the user asks for it (``certify convert --nnet-box``).
"""
from __future__ import annotations

import os
from fractions import Fraction

from ..kernel.exact import InputError, fmt, fmt_vector, rational
from ..kernel.network import Box, Layer, Net
from ..network import Network
from ..core.files import read_text
from .arrays import decimal_text

__all__ = ["load_nnet", "write_nnet", "normalized_box"]


def _tokens(text: str, path: str, exact: bool) -> list[tuple[Fraction, int]]:
    """All numbers after the comment header, with their 1-based line numbers."""
    out = []
    header = True
    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if header and (stripped.startswith("//") or not stripped):
            continue
        header = False
        for token in stripped.split(","):
            token = token.strip()
            if not token:
                continue
            value = rational(token, f"{path}: line {lineno}")
            if not exact:
                try:
                    value = Fraction(float(value))
                except OverflowError:
                    raise InputError(f"{path}: line {lineno}", f"{token[:40]} is beyond the float64 range") from None
            out.append((value, lineno))
    return out


def load_nnet(path: str | os.PathLike, exact_decimals: bool = True) -> Network:
    """Read a .nnet file into the raw (un-normalised) exact Network."""
    name = os.fspath(path)
    text = read_text(name, "a .nnet file")
    tokens = _tokens(text, name, exact_decimals)
    pos = 0

    def take(n: int, what: str) -> list[Fraction]:
        nonlocal pos
        if pos + n > len(tokens):
            last = tokens[-1][1] if tokens else 0
            raise InputError(f"{name}: line {last}", f"file ends early: expected {n} numbers for {what}, "
                                                     f"found {len(tokens) - pos}")
        values = [v for v, _ in tokens[pos:pos + n]]
        pos += n
        return values

    def count(value: Fraction, what: str, lo: int = 1) -> int:
        if value.denominator != 1 or value < lo:
            line = tokens[pos - 1][1]
            raise InputError(f"{name}: line {line}", f"{what} must be an integer ≥ {lo}, got {fmt(value)}")
        return int(value)

    depth, d_in, d_out, _ = (count(v, w) for v, w in zip(take(4, "the header"),
                                                        ("number of layers", "input size", "output size",
                                                         "largest layer size")))
    sizes = [count(v, "layer size") for v in take(depth + 1, "the layer sizes")]
    if sizes[0] != d_in or sizes[-1] != d_out:
        raise InputError(f"{name}: line {tokens[pos - 1][1]}",
                         f"layer sizes {sizes} disagree with input size {d_in} / output size {d_out}")
    take(1, "the unused flag")
    mins, maxs = take(d_in, "the input minima"), take(d_in, "the input maxima")
    means, ranges = take(d_in + 1, "the means"), take(d_in + 1, "the ranges")
    layers = []
    for l in range(depth):
        flat = take(sizes[l + 1] * sizes[l], f"the weights of layer {l + 1}")
        weight = tuple(tuple(flat[r * sizes[l]:(r + 1) * sizes[l]]) for r in range(sizes[l + 1]))
        layers.append(Layer(weight, tuple(take(sizes[l + 1], f"the biases of layer {l + 1}"))))
    if pos != len(tokens):
        raise InputError(f"{name}: line {tokens[pos][1]}", f"{len(tokens) - pos} unexpected numbers after "
                                                           "the last layer")
    normalization = {"input_min": fmt_vector(mins), "input_max": fmt_vector(maxs),
                     "input_mean": fmt_vector(means[:-1]), "input_range": fmt_vector(ranges[:-1]),
                     "output_mean": fmt(means[-1]), "output_range": fmt(ranges[-1]),
                     "applied": False,
                     "note": "the network is the raw one: it maps normalised inputs (x - mean)/range to "
                             "normalised outputs; tools clip x to [min, max] before normalising"}
    metadata = {"imported_from": "nnet", "file": os.path.basename(name), "normalization": normalization,
                "numbers": "exact decimals" if exact_decimals else "nearest float64"}
    return Network(Net(tuple(layers)), None, f".nnet file {os.path.basename(name)}", metadata)


def normalized_box(network: Network, path: str = "") -> Box:
    """The input box [(min − mean)/range, (max − mean)/range] from .nnet metadata."""
    norm = (network.metadata or {}).get("normalization")
    if not isinstance(norm, dict):
        raise InputError(path, "no .nnet normalisation constants in the metadata")
    box = []
    for i, (lo, hi, mean, rng) in enumerate(zip(*(norm[k] for k in ("input_min", "input_max",
                                                                      "input_mean", "input_range")))):
        lo, hi, mean, rng = (rational(v, f"{path}: normalization[{i}]") for v in (lo, hi, mean, rng))
        if rng <= 0:
            raise InputError(path, f"input {i}: range {fmt(rng)} is not positive")
        box.append(((lo - mean) / rng, (hi - mean) / rng))
    return tuple(box)


def write_nnet(network: Network, path: str | os.PathLike) -> None:
    """Write the network as .nnet with exact decimals; refuse numbers with no finite decimal.

    Normalisation constants come from the metadata of an imported .nnet file; otherwise
    the means are 0, the ranges 1 and the min/max bounds are the network's domain (a
    .nnet file has no way to say "no bounds", so a network without a domain is refused).
    """
    from ..core.files import write_bytes_atomic
    name = os.fspath(path)

    def dec(q: Fraction, where: str) -> str:
        text = decimal_text(q)
        if text is None:
            raise InputError(where, f"{fmt(q)} has no finite decimal expansion; .nnet holds decimals only")
        return text

    widths = network.widths
    norm = (network.metadata or {}).get("normalization")
    if isinstance(norm, dict):
        mins, maxs = norm["input_min"], norm["input_max"]
        means = list(norm["input_mean"]) + [norm["output_mean"]]
        ranges = list(norm["input_range"]) + [norm["output_range"]]
        mins, maxs, means, ranges = ([rational(v, "metadata.normalization") for v in vs]
                                     for vs in (mins, maxs, means, ranges))
    elif network.box is not None:
        mins, maxs = [lo for lo, _ in network.box], [hi for _, hi in network.box]
        means, ranges = [Fraction(0)] * (widths[0] + 1), [Fraction(1)] * (widths[0] + 1)
    else:
        raise InputError(name, ".nnet needs input bounds: give the network a domain (or import it from .nnet)")
    lines = ["// Neural network written by certify: numbers are exact decimals",
             f"{len(network.layers)},{widths[0]},{widths[-1]},{max(widths)},",
             ",".join(map(str, widths)) + ",", "0,"]
    for label, values in (("min", mins), ("max", maxs), ("mean", means), ("range", ranges)):
        lines.append(",".join(dec(v, f"normalization {label}") for v in values) + ",")
    for i, layer in enumerate(network.layers):
        for r, row in enumerate(layer.weight):
            lines.append(",".join(dec(v, f"layers[{i}].weight[{r}]") for v in row) + ",")
        for r, b in enumerate(layer.bias):
            lines.append(dec(b, f"layers[{i}].bias[{r}]") + ",")
    write_bytes_atomic(name, ("\n".join(lines) + "\n").encode("utf-8"))
