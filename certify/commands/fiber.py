"""certify fiber NET | --family NAME: the shallow fiber as explicit families (theory.md §3.3, docs/fibers.md)."""
from __future__ import annotations

import argparse
import os

from .options import NET_HELP, add_assume, add_json, load

UNDECIDED = 3


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("fiber", help="the fiber of f_θ as a finite union of explicit families (one hidden layer)",
                       description="Describe the fiber {θ' : f_θ' = f_θ on R^d} of a one-hidden-layer network "
                       "(Theorem 3.3) as a finite union of explicit families: the orbit G·θ, the stratum of θ and its "
                       "freedoms (free rows of silent neurons, constant neurons, twin splits, slides of linear "
                       "units, redistributions between pairs), flips, twin merges, silenced constants and the "
                       "first realisable (C6) move.  Each: its type, what moves, its dimension, and for every "
                       "family not contained in G·θ one sample θ' with a kernel-checked hidden-symmetry "
                       "certificate (f_θ' = f_θ by canonical forms, θ' ∉ G·θ by separation).  Exit 0 when every "
                       "sample is certified; 3 for deeper networks (one hidden layer only) or when a sample "
                       "was not certified (it is dropped, never shown).  With --family NAME instead of NET: the "
                       "one-parameter family θ(t) along which the fiber dimension jumps (docs/fibers.md), one "
                       "certified record per t.")
    p.add_argument("net", metavar="NET", nargs="?", help=NET_HELP + " (one hidden layer)")
    p.add_argument("--family", metavar="NAME", help="a one-parameter family instead of NET: pair (σ(x) + tσ(−x)), "
                   "twins (σ(x) + 2σ(x − t)) or escape (2σ(tx − 1), the kink leaving to infinity of Theorem 3.8)")
    p.add_argument("--t-range", metavar="A:B:STEPS", help="with --family: STEPS equally spaced t in [A, B] "
                   "(rationals), plus the family's special values inside (default pair -2:2:17, twins -1:1:9, escape -2:2:9)")
    p.add_argument("--plot", metavar="PNG", help="with --family: draw fiber dimension and honesty against t "
                   "(needs matplotlib: pip install 'certify[plot]')")
    p.add_argument("--out", metavar="JSONL", help="with --family: write one JSON line per t with its "
                   "certificates (fiber samples and honesty)")
    p.add_argument("--witness", metavar="DIR", help="with NET: write each sample point θ' (DIR/K-TYPE.json) and "
                   "its certificate (DIR/K-TYPE.cert.json); the JSON output then names the files instead of "
                   "inlining the certificates")
    add_assume(p)
    add_json(p, "N, the orbit, stratum and fiber dimensions and the components (type, where, what moves, dim, "
                "sample point, certificate or its file); with --family the records")
    p.set_defaults(run=run)


def _usage(args: argparse.Namespace) -> None:
    from ..kernel.exact import InputError
    if (args.net is None) == (args.family is None):
        raise InputError("NET", "give a network NET or --family NAME (not both)")
    if args.family is None:
        for opt in ("t_range", "plot", "out"):
            if getattr(args, opt) is not None:
                raise InputError(f"--{opt.replace('_', '-')}", "applies only with --family")
    elif args.witness is not None:
        raise InputError("--witness", "applies only with NET (the family's records are written by --out)")


def run(args: argparse.Namespace) -> int:
    _usage(args)
    if args.family is not None:
        return _family(args)
    from ..core.files import dumps, output_folder, write_atomic
    from ..kernel.exact import InputError
    folder = output_folder(args.witness, "--witness") if args.witness else None
    net = load(args.net, args)
    if net.depth < 2:
        raise InputError(f"{args.net}: layers", "the network has no hidden layer (the fiber concerns hidden neurons)")
    if not net.is_shallow:
        reason = (f"undecided: one hidden layer only — {args.net} has {net.depth - 1} hidden layers, and the fiber "
                  "of deeper networks has no complete description (theory.md §2.1, §7)")
        if args.json:
            print(dumps({"command": "fiber", "exit_code": UNDECIDED, "verdict": "unknown", "summary": reason}))
        else:
            print(reason)
            print(f"  verdict:  unknown (exit {UNDECIDED})")
        return UNDECIDED
    from .. import api
    fib = api.fiber(net)
    files = {}
    if folder:
        for k, c in enumerate(fib.components):
            if c.sample is not None:
                stem = os.path.join(folder, f"{k}-{c.type}")
                c.sample.save(stem + ".json")
                write_atomic(stem + ".cert.json", c.certificate)
                files[k] = {"sample_file": stem + ".json", "certificate_file": stem + ".cert.json"}
    code = 0 if not fib.dropped else UNDECIDED
    if args.json:
        comps = []
        for k, c in enumerate(fib.components):
            obj = c.to_json(inline=folder is None)
            obj.update(files.get(k, {}))
            comps.append(obj)
        print(dumps({"command": "fiber", "exit_code": code, "verdict": "described" if code == 0 else "unknown",
                     "network": args.net, "architecture": list(net.widths), "N": fib.N, "orbit_dim": fib.orbit_dim,
                     "local_dim": fib.local_dim, "local_dim_exact": fib.local_exact, "dim": fib.dim,
                     "dim_exact": fib.exact, "components": comps, "in_orbit": fib.in_orbit, "dropped": fib.dropped,
                     "theorem": "Theorem 3.3 (theory.md §3.3)", "seconds": round(fib.seconds, 3)}))
        return code
    print(f"fiber of f_θ on R^{net.widths[0]} ({'-'.join(map(str, net.widths))}, N = {fib.N}): "
          f"{len(fib.components)} families, dimension {fib.dim}{'' if fib.exact else ' (at least)'}")
    print(f"  orbit G·θ: dim {fib.orbit_dim}; stratum of θ (the fiber near θ): dim {fib.local_dim}"
          f"{'' if fib.local_exact else ' (at least)'}")
    for k, c in enumerate(fib.components):
        tail = ""
        if c.sample is not None:
            tail = f"  sample θ' certified ({c.mechanism})" if c.valid else "  sample REJECTED"
            if k in files:
                tail += f" → {files[k]['sample_file']}"
        inside = " ⊂ stratum" if c.contained_in else ""
        print(f"  [{k}] {c.type} {c.where}: dim {c.dim}{'' if c.exact else '+'}{inside}{tail}")
        print(f"      moves: {c.moves}")
    for note in fib.in_orbit:
        print(f"  in G·θ (no new family): {note}")
    for note in fib.dropped:
        print(f"  dropped: {note}")
    print(f"  verdict:  {'described' if code == 0 else 'unknown'} (exit {code})")
    print("  theorem:  Theorem 3.3 (theory.md §3.3); samples: kernel-checked hidden-symmetry certificates")
    print(f"  time:     {fib.seconds:.3f} s")
    return code


def _range(text: str | None, name: str):
    from fractions import Fraction
    from ..kernel.exact import InputError, rational
    from ..shallow.fibers import FAMILIES
    if text is None:
        return FAMILIES[name][1]
    parts = text.split(":")
    if len(parts) != 3:
        raise InputError("--t-range", f"expected A:B:STEPS, got {text!r}")
    lo, hi = rational(parts[0], "--t-range"), rational(parts[1], "--t-range")
    if not parts[2].isdigit() or not 1 <= int(parts[2]) <= 401:
        raise InputError("--t-range", f"STEPS must be an integer from 1 to 401, got {parts[2]!r}")
    if lo > hi:
        raise InputError("--t-range", f"A = {parts[0]} is larger than B = {parts[1]}")
    return Fraction(lo), Fraction(hi), int(parts[2])


def _family(args: argparse.Namespace) -> int:
    from ..core.files import distinct_outputs, dumps, output_path, write_bytes_atomic
    from ..kernel.exact import InputError
    from ..shallow.fibers import FAMILIES, family_grid
    if args.family not in FAMILIES:
        raise InputError("--family", f"unknown family {args.family!r} (available: {', '.join(FAMILIES)})")
    distinct_outputs({"--plot": args.plot, "--out": args.out})
    if args.plot:
        output_path(args.plot, "--plot", (".png",))
        from ..apps.plot import _require_matplotlib
        _require_matplotlib()
    if args.out:
        output_path(args.out, "--out", (".jsonl",))
    lo, hi, steps = _range(args.t_range, args.family)
    from .. import api
    records = api.fiber_family(args.family, family_grid(args.family, lo, hi, steps))
    code = 0 if all(r["certified"] for r in records) else UNDECIDED
    if args.out:
        write_bytes_atomic(args.out, "".join(dumps(r) + "\n" for r in records).encode("utf-8"))
    if args.plot:
        from ..apps.fiberplot import draw
        draw(records, args.plot)
    if args.json:
        slim = [{k: v for k, v in r.items() if k not in ("components", "honest_certificate", "network")} for r in records]
        print(dumps({"command": "fiber", "exit_code": code, "family": args.family, "records": slim,
                     "files": {k: v for k, v in (("plot", args.plot), ("out", args.out)) if v}}))
        return code
    print(f"family {args.family}: {FAMILIES[args.family][3]}")
    print("  t         fiber dim   stratum dim   kink moment   honesty       certified")
    for r in records:
        print(f"  {r['t']:<9} {r['fiber_dim']:<11} {r['local_dim']:<13} {r['kink_moment']:<13} "
              f"{r['honesty'] or 'unknown':<13} {'yes' if r['certified'] else 'NO'}")
    for opt, path in (("plot", args.plot), ("records", args.out)):
        if path:
            print(f"  written:  {path} ({opt})")
    print(f"  verdict:  {'described' if code == 0 else 'unknown'} (exit {code})")
    return code


__all__ = ["register", "run"]
