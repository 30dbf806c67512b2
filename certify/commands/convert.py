"""certify convert IN OUT: translate a network between formats, exactly.

Reads any supported format (by extension: .json, .onnx, .nnet, .npz, .pt/.pth/.pt2) and
writes ``certify.network/1`` JSON, or ONNX / NumPy / .nnet when OUT ends in .onnx /
.npz / .nnet.  Reading never rounds.  Writing floats is exact or refused; ``--round``
rounds to the nearest float and says so (the written network is then a different
network).  Exit 0: written; 2: bad input or a network the target cannot hold exactly.
"""
from __future__ import annotations

import argparse
import os
import sys

from ..core.files import dumps
from ..io import save_any
from ..kernel.exact import InputError
from ..core.domain import parse_box
from .options import add_assume, add_box, add_json, load

FORMATS = {".onnx": "ONNX", ".npz": "NumPy .npz", ".nnet": ".nnet"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("convert", help="convert a network between formats exactly (JSON, ONNX, .nnet, .npz, PyTorch)",
                       description="Read a network (.json, .onnx, .nnet, .npz, .pt/.pth TorchScript, .pt2 torch.export; by "
                       "extension) and write "
                       "it as certify.network/1 JSON, or as ONNX/.npz/.nnet when OUT ends so.  Floats are read "
                       "as their exact binary values; a number the output format cannot hold exactly is "
                       "refused unless --round is given.  See docs/formats.md.")
    p.add_argument("input", metavar="IN", help="network file to read")
    p.add_argument("output", metavar="OUT", help="file to write (.json, .onnx, .npz, .nnet)")
    add_box(p)
    add_assume(p)
    p.add_argument("--nnet-box", action="store_true",
                   help="set the domain to the .nnet input bounds, normalised: [(min-mean)/range, (max-mean)/range]")
    p.add_argument("--dtype", choices=("auto", "float32", "float64"), default="auto",
                   help="float type for .onnx/.npz (default auto: float32 if exact, else float64)")
    p.add_argument("--round", action="store_true",
                   help="round numbers that the float type cannot hold exactly (with a warning) instead of "
                        "refusing; the written network then differs from the input")
    p.add_argument("--name", help="set the network's name")
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..core.files import output_path
    from ..io import WRITERS
    output_path(args.output, "OUT", tuple(WRITERS))  # before reading: a bad OUT fails at once
    network = load(args.input, args)
    if args.nnet_box:
        from ..io.nnet import normalized_box
        network = network.replace(box=normalized_box(network, args.input))
    box = parse_box(args.box, network.widths[0])
    if box is not None:
        network = network.replace(box=box)
    if args.name is not None:
        network = network.replace(name=args.name)
    if os.path.abspath(args.input) == os.path.abspath(args.output):
        raise InputError(args.output, "is the input file; choose another output")
    report = save_any(network, args.output, dtype=args.dtype, rounding="nearest" if args.round else "refuse")
    ext = os.path.splitext(args.output)[1].lower()
    kind = FORMATS.get(ext, "certify.network/1")
    if report is not None:
        print(f"certify: warning: {args.output}: {report.message()}", file=sys.stderr)
    widths = "-".join(map(str, network.widths))
    if args.json:
        print(dumps({"command": "convert", "exit_code": 0, "input": args.input, "output": args.output,
                     "format": kind, "widths": list(network.widths), "parameters": network.N,
                     "domain": None if network.box is None else [[str(lo), str(hi)] for lo, hi in network.box],
                     "exact": report is None, "rounded": 0 if report is None else report.count}))
    else:
        exact = "exact" if report is None else f"ROUNDED to {report.dtype} ({report.count} numbers changed)"
        print(f"wrote {args.output} ({kind}): widths {widths}, {network.N} parameters, {exact}")
    return 0
