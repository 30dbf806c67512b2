"""certify zariski D-N-M: the shallow honest set as polynomials (theory.md §3.4–3.6)."""
from __future__ import annotations

import argparse

from .options import add_json

FORMATS = ("text", "latex", "json")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("zariski", help="the polynomial conditions of U_0 and U_1 (one hidden layer, d-n-m)",
                       description="Print the finite list of polynomial conditions in the weights whose "
                       "simultaneous non-vanishing puts θ in U_0 ⊂ int Σ (Theorem 3.4), and those of the strata "
                       "U_1 with one opposite pair (Theorem 3.6), for one-hidden-layer networks d-n-m; in raw "
                       "coordinates (w_{j,i}, b_{j}, v_{k,j}, c_{k}, 0-based) and in scaling-invariant ones (the "
                       "sphere model u_{j,i}, gamma_{k,j} of §3.6).  For m = 1, int Σ = U_0 ∪ U_1.  In raw "
                       "coordinates a stratum needs a sign condition (not Zariski open, §3.6); in the quotient "
                       "only equations.  `certify honest NET --explain` evaluates the list at a network.  Exit 0.")
    p.add_argument("architecture", metavar="D-N-M", help="input width d, hidden width n (at most 8), output width m")
    p.add_argument("--format", choices=FORMATS, default="text", help="text (default), latex or json")
    p.add_argument("--chart", choices=("raw", "invariant", "both"), default="both",
                   help="which coordinates to print (default both)")
    add_json(p, "the architecture, the theorems and, per chart, the symbols, the conditions (name, relation, "
                "section, polynomials as sympy text and as exact terms), U_0 and the strata of U_1 "
                "(same as --format json)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from .. import api
    from ..shallow import zariski as z
    description = api.zariski(args.architecture)
    charts = None if args.chart == "both" else (args.chart,)
    fmt = "json" if args.json else args.format
    if fmt == "json":
        from ..core.files import dumps
        print(dumps({"command": "zariski", "exit_code": 0, **z.to_json(description, charts)}))
    elif fmt == "latex":
        print(z.to_latex(description, charts))
    else:
        print(z.to_text(description, charts))
    return 0
