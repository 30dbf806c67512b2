"""certify honest NET: is θ in the maximal honest open set int Σ (theory §3.4–3.7)?"""
from __future__ import annotations

import argparse

from .options import NET_HELP, add_assume, add_budget, add_certificate, add_json, add_timeout, certificate_output, emit, load, prepare


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("honest", help="decide θ ∈ int Σ (no hidden symmetries near θ) exactly for one hidden layer",
                       description="Decide whether θ lies in the maximal honest open set int Σ (theory §3.5): "
                       "exact for one hidden layer (Theorems 3.3–3.7, any number of opposite pairs).  Honesty is about the function on R^d0 (no box).  "
                       "Reports Σ, U_0, int Σ and strong honesty.  Exit 0: honest; 1: not honest (witness, or a "
                       "nearby family of witnesses); 3: undecided.  Deep networks: exit 1 with a catalogue "
                       "witness, otherwise 3.")
    p.add_argument("net", metavar="NET", help=NET_HELP)
    add_certificate(p)
    add_budget(p, "subset patterns in the exact tests of Theorems 3.3–3.7", "2^20, which is also the most: the kernel re-checks with this fixed budget")
    add_timeout(p)
    add_assume(p)
    p.add_argument("--explain", action="store_true",
                   help="also evaluate exactly, at θ, the polynomial conditions of `certify zariski` (U_0 of "
                        "Theorem 3.4, the strata U_1 of Theorem 3.6) in raw and scaling-invariant coordinates: "
                        "which hold and which vanish (one hidden layer, n ≤ 8)")
    add_json(p, "the verdict, exit code, Σ / U_0 / int Σ / strong honesty, the failed condition, the witness "
                "mechanism and timings (with --explain: evidence.zariski, the conditions that hold and vanish)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    outputs = prepare([certificate_output(args)])
    network = load(args.net, args)
    from .. import api
    answer = api.honest(network, budget=args.budget, timeout=args.timeout)
    lines = []
    d = answer.details
    if not args.json and "sigma" in d:
        def show(v):
            return {True: "yes", False: "no", None: "undecided"}[v]
        lines.append(f"in Σ: {show(d['sigma'])};  in U_0: {show(d['U0'])};  in int Σ: {show(d['int_sigma'])};  "
                     f"strongly honest: {show(d['strongly_honest'])}")
        if d.get("failed"):
            lines.append(f"failed:   condition {d['failed']} of Theorem 3.3")
        if d.get("mechanism"):
            lines.append(f"witness:  {d['mechanism']} — {d['where']}")
        if d.get("subset") is not None:
            lines.append(f"family:   split the opposite pairs, then flip neurons {d['subset']} of hidden layer 0")
        if isinstance(d.get("limit"), dict) and d.get("moved") is not None:
            mv = d["limit"]
            lines.append(f"family:   tilt the normals of neurons {d['moved']} by t·η, t ∈ (0, t0]; then the move "
                         f"R = {mv['R']} (removing {mv['remove']}), A' = {mv['A']}, g = {mv['g']}, T = {mv['T']} "
                         f"is realisable (excess e = {mv['e']}); witness at distance {d['distance']}")
        if d.get("undecided"):
            lines.append(f"cost:     {d['undecided']}")
        if d.get("note"):
            lines.append(f"note:     {d['note']}")
    if args.explain:
        lines += _explain(network, answer)
    return emit(answer, args, outputs, lines)


def _explain(network, answer) -> list[str]:
    """The polynomial description at θ beside the decision (added to the answer's details)."""
    from ..shallow import zariski
    if not network.is_shallow:
        answer.details["zariski"] = {"defined": False, "reason": "the description is for one hidden layer"}
        return ["zariski:  not evaluated: the polynomial description is for one hidden layer (§3)"]
    d, n, m = network.widths
    if max(d, n, m) > zariski.MAX_WIDTH:
        answer.details["zariski"] = {"defined": False, "reason": f"widths above {zariski.MAX_WIDTH}"}
        return [f"zariski:  not evaluated: widths above {zariski.MAX_WIDTH} (the list has about n²·2^n conditions)"]
    data = zariski.explain(network.replace(box=None))
    answer.details["zariski"] = data
    yes = {True: "yes", False: "no"}
    lines = []
    for chart in ("raw", "invariant"):
        e = data[chart]
        if not e["defined"]:
            lines.append(f"zariski:  {chart}: not defined ({e['reason']})")
            continue
        strata = ", ".join(f"U_1[0,{s['pair'][0][1]}][0,{s['pair'][1][1]}] {yes[s['member']]}" for s in e["strata"])
        lines.append(f"zariski:  {chart} coordinates: θ ∈ U_0: {yes[e['U0']]}; θ ∈ U_1: {yes[e['U1']]}"
                     + (f" ({strata})" if strata else "") + f"; {len(e['hold'])} conditions hold, "
                     f"{len(e['vanish'])} vanish")
        lines.append(f"          vanish: {' '.join(e['vanish']) or 'none'}")
        lines.append(f"          hold:   {' '.join(e['hold'])}")
    raw = data["raw"]
    verdict = answer.details.get("int_sigma")
    scope = ("int Σ = U_0 ∪ U_1 (m = 1, Theorem 3.6)" if data["complete"]
             else "U_0 ∪ U_1 ⊂ int Σ (m ≥ 2; ≥ 2 opposite pairs not described, §3.5)")
    lines.append(f"zariski:  polynomials: θ ∈ U_0 ∪ U_1: {yes[raw['in_U0_or_U1']]}; exact decision: θ ∈ int Σ: "
                 f"{ {True: 'yes', False: 'no', None: 'undecided'}[verdict] }; {scope}")
    return lines
