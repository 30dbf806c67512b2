"""Kind ``equivalent``, method ``pruning``: B is A with neurons removed that cannot matter.

Claim: networks A and B with the same input and output widths and the same depth, and a
domain (null = R^d0).  Evidence:

* ``moves``: catalogue moves of ``moves.py`` replayed on A, every precondition checked on
  the current network (in practice ``dead`` moves, M1: a neuron proved dead on the domain
  by interval bounds or a region tree gets a zero outgoing column);
* ``removed``: hidden neurons ``[t, j]`` (hidden layer t is the output of ``layers[t]``).

The kernel replays the moves, requires the outgoing column W_{t+1}[:, j] of every removed
neuron to be zero, deletes those neurons (row j of layer t, column j of layer t+1) and
requires the result to be B exactly.

**Theorem.** f_B = f_A on the domain.  *Proof.*  Each move preserves the function on the
domain (theory.md §4, the one-line proofs quoted in ``moves.py``).  A neuron with a zero
outgoing column adds W_{t+1}[:, j]·a_{t,j} = 0 to every pre-activation of layer t+1, so
deleting it changes no value downstream.  ∎

No orbit test: unlike ``hidden-symmetry``, the claim is only that the functions agree.

Trusts: ``claims``, ``network``, ``moves`` (the dead-neuron move and its sign facts).
"""
from __future__ import annotations

from .claims import claim_domain, claim_networks
from .moves import replay
from .network import Layer, Net
from .registry import checker, require


def _removed(value: object, widths: tuple[int, ...]) -> dict[int, set[int]]:
    require(isinstance(value, list), "evidence.removed: expected a list of [layer, neuron]")
    out: dict[int, set[int]] = {}
    for n, item in enumerate(value):
        where = f"evidence.removed[{n}]"
        require(isinstance(item, list) and len(item) == 2
                and all(type(v) is int for v in item), f"{where}: expected [layer, neuron]")
        t, j = item
        require(0 <= t < len(widths) - 2 and 0 <= j < widths[t + 1], f"{where}: no hidden neuron {item}")
        require(j not in out.setdefault(t, set()), f"{where}: listed twice")
        out[t].add(j)
    for t, js in out.items():
        require(len(js) < widths[t + 1], f"evidence.removed: hidden layer {t} would lose every neuron")
    return out


def delete_neurons(net: Net, removed: dict[int, set[int]]) -> Net:
    """Delete hidden neurons whose outgoing columns are zero (checked here)."""
    layers = list(net.layers)
    for t, js in removed.items():
        nxt = layers[t + 1]
        for j in js:
            require(all(row[j] == 0 for row in nxt.weight),
                    f"evidence.removed: neuron [{t}, {j}] still has a nonzero outgoing weight")
        keep = [j for j in range(len(layers[t].bias)) if j not in js]
        cur = layers[t]
        layers[t] = Layer(tuple(cur.weight[j] for j in keep), tuple(cur.bias[j] for j in keep))
        layers[t + 1] = Layer(tuple(tuple(row[j] for j in keep) for row in nxt.weight), nxt.bias)
    return Net(tuple(layers), net.box)


@checker("equivalent", "pruning")
def check_pruning(claim: dict, evidence: dict) -> None:
    require(claim.get("statement") == "equivalent", "claim.statement: expected 'equivalent'")
    require(set(claim) == {"statement", "networks", "domain"}, "claim: expected statement, networks, domain")
    require(set(evidence) == {"method", "moves", "removed"}, "evidence: expected method, moves, removed")
    a, b = claim_networks(claim, ("A", "B"))
    box = claim_domain(claim, a.widths[0])
    removed = _removed(evidence["removed"], a.widths)
    moves = evidence["moves"]
    require(isinstance(moves, list), "evidence.moves: expected a list")
    result = replay(a, box, moves)[0] if moves else a
    result = delete_neurons(result, removed)
    require(result.layers == b.layers, "deleting the removed neurons after the moves does not give B")
