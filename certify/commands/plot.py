"""certify plot NET --out FIG: a picture of a network with input dimension 1 or 2.

2-D: the exact linear regions coloured by f, the bent hyperplanes coloured by layer,
dead and stably active neurons listed.  1-D: the graph of f with its kinks.  With
``--witness W`` the network and a hidden-symmetry witness θ' are drawn side by side.
Exit 0: written; 2: bad input (including input dimension ≥ 3, or matplotlib missing).
"""
from __future__ import annotations

import argparse

from ..core.files import dumps
from ..kernel.exact import InputError
from .options import NET_HELP, add_assume, add_box, add_json, load



def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plot", help="draw a network with 1 or 2 inputs (regions, bent hyperplanes, kinks)",
                       description="Draw a ReLU network with input dimension 1 or 2: in 2-D its exact linear "
                       "regions coloured by f, its bent hyperplanes coloured by layer, and the neurons that are "
                       "dead or stably active on the view box; in 1-D the graph of f with its kinks.  "
                       "See docs/plotting.md.")
    p.add_argument("network", metavar="NET", help=NET_HELP)
    p.add_argument("--out", required=True, metavar="FIG", help="picture to write: .png, .svg or .pdf")
    p.add_argument("--witness", metavar="W", help="a hidden-symmetry witness θ' (network file or witness "
                   "certificate) to draw beside NET")
    add_box(p)
    p.add_argument("--output", type=int, metavar="K", help="output coordinate to draw (0-based like every index "
                   "in certify; default: the first in 2-D, up to four in 1-D)")
    p.add_argument("--max-regions", type=int, metavar="N",
                   help="refuse to draw more than N regions (default 20000)")
    add_assume(p)
    add_json(p, "the picture written, the view box, and per network its regions, bends, and dead and stably "
                "active neurons ([layer, neuron], 0-based)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..apps.plot import load_witness, view_box, write_plot
    from ..core.domain import parse_box
    from ..core.files import output_path
    output_path(args.out, "--out", (".png", ".svg", ".pdf"))
    net = load(args.network, args)
    if net.widths[0] not in (1, 2):
        raise InputError(args.network, f"plots need input dimension 1 or 2; this network has {net.widths[0]} "
                                       "inputs")
    networks = [(net, net.name or args.network)]
    if args.witness:
        witness = load_witness(args.witness)
        networks = [(net, f"θ: {net.name or args.network}"), (witness, f"θ': {witness.name or args.witness}")]
    box = parse_box(args.box, net.widths[0]) or view_box(net)
    output = args.output
    if output is not None and not 0 <= output < net.widths[-1]:
        raise InputError("--output", f"expected an output index in 0..{net.widths[-1] - 1}, got {output}")
    limit = {} if args.max_regions is None else {"max_regions": args.max_regions}
    arrs = write_plot(args.out, networks, box, output, **limit)
    if args.json:
        print(dumps({"command": "plot", "exit_code": 0, "output": args.out,
                     "box": [[str(lo), str(hi)] for lo, hi in box],
                     "networks": [{"title": title, "regions": len(arr.regions), "bends": len(arr.bends),
                                   "dead": [[l, j] for l, j in arr.dead()],
                                   "stably_active": [[l, j] for l, j in arr.stably_active()]}
                                  for (_, title), arr in zip(networks, arrs)]}))
    else:
        print(f"wrote {args.out}")
    return 0
