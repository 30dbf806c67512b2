"""Pruning with a proof: delete the neurons that are dead on the domain (theory.md §4, M1).

A hidden neuron whose pre-activation is ≤ 0 on the whole domain outputs 0 there, so its
outgoing column can be zeroed (move ``dead``) and the neuron deleted without changing the
function on the domain.  ``prune`` finds such neurons with exact interval bounds and, when
time allows, nested region-tree sign proofs (``certify.hidden.mechanisms.facts``), builds the smaller
network, and emits an ``equivalent`` certificate, method ``pruning``, that the kernel checks
by replaying the sign proofs (``certify/kernel/pruning.py``).

The pruned network carries the domain in its ``domain.box``: it equals the original *on
that box*, and generally not outside it.
"""
from __future__ import annotations


from .core.answer import YES, Answer, judged, timed
from .core.problem import Problem
from .core.certificate import claim, envelope
from .kernel.exact import fmt
from .network import Box, Network

THEOREM = ("§4 M1: a neuron dead on the domain (z ≤ 0 there) has a free outgoing column; "
           "with a zero column it can be deleted")


def dead_neurons(network: Network, box: Box | None, nested_seconds: float) -> tuple[dict, object]:
    """{(t, j): sign proof} for hidden neurons proved dead on the domain, and the facts."""
    from .hidden.mechanisms.facts import DEAD, prove_signs
    facts = prove_signs(network, box, nested=nested_seconds > 0, nested_seconds=nested_seconds)
    dead = {(t, j): facts.proof(t, j) for t in range(len(network.layers) - 1) for j in facts.layer(t, DEAD)}
    return dead, facts


def choose(network: Network, dead: dict) -> list[tuple[int, int]]:
    """The dead neurons to delete: all of them, except that every hidden layer keeps one
    neuron (an empty layer is not a network in certify.network/1)."""
    chosen = []
    for t in range(len(network.layers) - 1):
        js = sorted(j for (s, j) in dead if s == t)
        width = len(network.layers[t].bias)
        chosen += [(t, j) for j in (js if len(js) < width else js[1:])]
    return chosen


def moves_for(network: Network, removed: list[tuple[int, int]], proofs: dict) -> list[dict]:
    """Dead moves zeroing the outgoing columns, deepest layer first: a move changes only the
    layer after the neuron, so every sign proof is replayed on the layers it was made for."""
    out = []
    for t, j in sorted(removed, key=lambda tj: (-tj[0], tj[1])):
        nxt = network.layers[t + 1]
        if all(row[j] == 0 for row in nxt.weight):
            continue
        out.append({"move": "dead", "layer": t, "neuron": j, "proof": proofs[(t, j)],
                    "column": ["0"] * len(nxt.bias), "bias": fmt(network.layers[t].bias[j])})
    return out


def delete(network: Network, removed: list[tuple[int, int]], box: Box | None) -> Network:
    gone: dict[int, set[int]] = {}
    for t, j in removed:
        gone.setdefault(t, set()).add(j)
    layers = []
    keep_prev: list[int] | None = None
    for t, layer in enumerate(network.layers):
        keep = [j for j in range(len(layer.bias)) if j not in gone.get(t, ())]
        cols = keep_prev if keep_prev is not None else range(len(layer.weight[0]))
        layers.append(([[layer.weight[i][k] for k in cols] for i in keep], [layer.bias[i] for i in keep]))
        keep_prev = keep
    name = f"{network.name}-pruned" if network.name else "pruned"
    return Network.from_layers(layers, box=box, name=name)


NESTED_SECONDS = 30.0  # default time for nested region-tree sign proofs (--nested-timeout)


def decide(p: Problem) -> Answer:
    """Prune θ on the problem's domain: ``answer.artifacts["pruned"]`` is the smaller network
    (with the domain as its ``domain.box``) and the ``equivalent``/``pruning`` certificate
    proves that both networks compute the same function there.

    Option ``nested_seconds``: time for nested region-tree sign proofs (0: intervals only),
    always within the deadline."""
    network, box = p.a, p.box
    # half the time left at most: the certificate and the kernel's replay of the proofs come after
    nested = p.option("nested_seconds", NESTED_SECONDS)
    if p.deadline is not None:
        nested = min(nested, p.remaining() / 2)
    proofs, facts = dead_neurons(network, box, max(nested, 0.0))
    removed = choose(network, proofs)
    pruned = delete(network, removed, box)
    evidence = {"method": "pruning", "moves": moves_for(network, removed, proofs),
                "removed": [list(tj) for tj in sorted(removed)]}
    cert = envelope("equivalent", claim("equivalent", {"A": network, "B": pruned}, box), evidence,
                    "pruning", THEOREM, p.elapsed())
    by_proof = {"interval": 0, "region-tree": 0}
    for tj in removed:
        method = proofs[tj].get("method")
        by_proof[method] = by_proof.get(method, 0) + 1
    unproven = facts.candidates - facts.nested
    details = {"removed": [list(tj) for tj in sorted(removed)], "removed_count": len(removed),
               "widths_before": list(network.widths),
               "widths_after": list(pruned.widths), "parameters_before": network.N,
               "parameters_after": pruned.N, "proved_by": by_proof,
               "candidates": facts.candidates, "nested_attempted": facts.attempted,
               "unproven": unproven, "unproven_out_of_time": facts.out_of_time,
               "unproven_over_cap": facts.over_cap}
    where = p.domain.text()
    if removed:
        summary = (f"pruned {len(removed)} dead neurons on {where}: widths {'-'.join(map(str, network.widths))} → "
                   f"{'-'.join(map(str, pruned.widths))}, parameters {network.N} → {pruned.N}; "
                   "the pruned network equals the original there")
    else:
        summary = f"no neuron proved dead on {where}: the network is unchanged"
    if facts.out_of_time:
        summary += (f"; {facts.out_of_time} candidate(s) were not attempted because the time limit ran out "
                    "(raise --nested-timeout)")
    answer = Answer("prune", "equivalent", YES, THEOREM, "pruning", summary, details, domain=p.domain)
    answer.artifacts["pruned"] = pruned
    return timed(judged(answer, cert), p.start)
