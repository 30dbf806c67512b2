"""Mechanisms from sign facts: M1, M3, M4, M5, M7, M10, M11, M12 (theory.md §4).

* dead neuron (z ≤ 0 on the image): M1 — or M3 if its row is zero (a constant neuron),
  M12 if it is a first-layer neuron that is dead only because of the box, M11 if it
  follows a width-1 layer (where the sign tests are complete);
* stably active neuron (z ≥ 0): M4 (same relabelling);
* two stably active neurons of one layer: M5;
* stably active neurons whose incoming rows are linearly dependent, Σ c_k W[k,:] = 0:
  the affine relation c·a_t = Σ c_k b_k on the image, M7;
* a neuron that is dead wherever predecessor k is active (M10), shown by its positive
  weights sitting on predecessors that vanish where y_k > 0 (the sign test), or by a
  conditional region tree over the domain (``Facts.exclusive``; the premise itself).
"""
from __future__ import annotations

from fractions import Fraction
from typing import Iterable

from ...kernel.exact import fmt
from ...kernel.linalg import nullspace_q, rank_mod_p
from ...network import Box, Network
from .facts import ACTIVE, DEAD, Facts, relation_json
from .finding import Finding

ONE = Fraction(1)
PRIME = (1 << 61) - 1  # a Mersenne prime; trained networks have dyadic (odd-free) denominators


def _label(network: Network, box: Box | None, t: int, j: int, default: str) -> str:
    row = network.layers[t].weight[j]
    if not any(row):
        return "M3"
    if t == 0 and box is not None:
        return "M12"
    if t >= 1 and network.widths[t] == 1:
        return "M11"
    return default


def _column(network: Network, t: int, j: int) -> list[Fraction]:
    return [row[j] for row in network.layers[t + 1].weight]


HOW = {"interval": "interval bounds", "region-tree": "a region-tree proof",
       "charts": "one proof per projective chart box, §4.3"}


def dead_findings(network: Network, box: Box | None, facts: Facts) -> list[Finding]:
    out = []
    for t in range(len(facts.bounds)):
        for j in facts.layer(t, DEAD):
            proof = facts.proof(t, j)
            col = _column(network, t, j)
            bias = network.layers[t].bias[j]

            def build(delta: Fraction, t=t, j=j, proof=proof, col=col, bias=bias) -> Iterable[list[dict]]:
                for r in range(len(col)):
                    for s in (delta, -delta):
                        new = list(col)
                        new[r] += s
                        yield [{"move": "dead", "layer": t, "neuron": j, "proof": proof,
                                "column": [fmt(x) for x in new], "bias": fmt(bias)}]
                yield [{"move": "dead", "layer": t, "neuron": j, "proof": proof,
                        "column": [fmt(x) for x in col], "bias": fmt(bias - delta)}]

            how = HOW[proof["method"]]
            out.append(Finding(_label(network, box, t, j, "M1"), True,
                               f"neuron [{t}, {j}]: dead on the domain ({how})",
                               network, box, build, t, (j,)))
    return out


def active_findings(network: Network, box: Box | None, facts: Facts) -> list[Finding]:
    out = []
    for t in range(len(facts.bounds)):
        for j in facts.layer(t, ACTIVE):
            proof = facts.proof(t, j)
            col = _column(network, t, j)
            big = max([ONE] + [abs(x) for x in col])

            def build(delta: Fraction, t=t, j=j, proof=proof, big=big) -> Iterable[list[dict]]:
                yield [{"move": "active-shift", "layer": t, "neuron": j, "shift": fmt(delta / big), "proof": proof}]

            how = HOW[proof["method"]]
            out.append(Finding(_label(network, box, t, j, "M4"), True,
                               f"neuron [{t}, {j}]: stably active on the domain ({how})",
                               network, box, build, t, (j,)))
    return out


def mixing_findings(network: Network, box: Box | None, facts: Facts) -> list[Finding]:
    """M5: one finding per layer with ≥ 2 stably active neurons."""
    out = []
    for t in range(len(facts.bounds)):
        active = facts.layer(t, ACTIVE)
        if len(active) < 2:
            continue
        layer, nxt = network.layers[t], network.layers[t + 1]

        def build(delta: Fraction, t=t, active=active, layer=layer, nxt=nxt) -> Iterable[list[dict]]:
            for p in active[:4]:
                for q in active[:4]:
                    if p == q:
                        continue
                    big = max([ONE] + [abs(x) for x in layer.weight[q]] + [abs(layer.bias[q])]
                              + [abs(row[p]) for row in nxt.weight])
                    yield [{"move": "active-combine", "layer": t, "target": p, "source": q,
                            "factor": fmt(delta / big), "proofs": [facts.proof(t, p), facts.proof(t, q)]}]

        out.append(Finding("M5", True, f"hidden layer {t}, neurons {active[:8]}{'…' if len(active) > 8 else ''}: "
                           f"{len(active)} stably active neurons can be mixed", network, box, build, t, tuple(active)))
    return out


def active_relations(network: Network, t: int, facts: Facts) -> list[tuple[list[Fraction], Fraction]]:
    """Relations c·a_t = κ from stably active neurons with dependent rows."""
    active = facts.layer(t, ACTIVE)
    if len(active) < 2:
        return []
    layer = network.layers[t]
    width = len(layer.bias)
    d_prev = len(layer.weight[0])
    if len(active) <= d_prev:  # independent rows (rank mod p = |S| proves it) give no relation
        try:
            if rank_mod_p([[layer.weight[k][i] for k in active] for i in range(d_prev)], PRIME) == len(active):
                return []
        except ZeroDivisionError:
            pass
    else:
        active = active[:d_prev + 1]  # any d_prev + 1 rows are dependent
    if len(active) * d_prev > 40000:  # exact nullspace too large to be worth it here
        return []
    rows = [[layer.weight[k][i] for k in active] for i in range(d_prev)]  # columns = active rows
    out = []
    for v in nullspace_q(rows, len(active))[:4]:
        c = [Fraction(0)] * width
        for k, x in zip(active, v):
            c[k] = x
        out.append((c, sum((x * layer.bias[k] for k, x in zip(active, v)), Fraction(0))))
    return out


def relation_findings(network: Network, box: Box | None, facts: Facts) -> list[Finding]:
    """M7: an affine relation on the image of layer t moves the weights of layer t + 1."""
    out = []
    for t in range(len(facts.bounds)):
        rels = active_relations(network, t, facts)
        if not rels:
            continue
        m = len(network.layers[t + 1].bias)

        def build(delta: Fraction, t=t, rels=rels, m=m) -> Iterable[list[dict]]:
            for c, kappa in rels:
                big = max([ONE, abs(kappa)] + [abs(x) for x in c])
                for r in range(m):
                    u = [Fraction(0)] * m
                    u[r] = delta / big
                    yield [{"move": "relation", "relation": relation_json(t, c, kappa, facts),
                            "direction": [fmt(x) for x in u]}]

        c, _ = rels[0]
        used = [k for k, x in enumerate(c) if x]
        out.append(Finding("M7", True, f"hidden layer {t}: stably active neurons {used} satisfy an affine "
                           f"relation on the image ({len(rels)} found)", network, box, build, t, tuple(used)))
    return out


def _opposite(layer, i: int, k: int) -> bool:
    """z_i ≤ −λ z_k for some λ > 0 (so y_k > 0 forces y_i = 0)."""
    wi, wk = layer.weight[i], layer.weight[k]
    lead = next((c for c, x in enumerate(wk) if x), None)
    if lead is None:
        return False
    lam = -wi[lead] / wk[lead]
    return lam > 0 and all(x == -lam * y for x, y in zip(wi, wk)) and layer.bias[i] <= -lam * layer.bias[k]


def exclusive_findings(network: Network, box: Box | None, facts: Facts) -> list[Finding]:
    """M10 by the exact sign test: b ≤ 0, W[j,k] ≤ 0, positive weights only on predecessors
    that vanish where y_k > 0 (dead, or on the opposite ray of k)."""
    out = []
    for t in range(1, len(facts.bounds)):
        prev, layer = network.layers[t - 1], network.layers[t]
        dead_prev = set(facts.layer(t - 1, DEAD))
        for j, (row, b) in enumerate(zip(layer.weight, layer.bias)):
            if b > 0 or facts.sign(t, j) == DEAD:
                continue
            positive = [i for i, w in enumerate(row) if w > 0 and i not in dead_prev]
            if not positive:
                continue
            for k in range(len(prev.bias)):
                if row[k] > 0 or not any(prev.weight[k]):
                    continue
                if all(_opposite(prev, i, k) for i in positive):
                    partners = [{"neuron": i, "by": "opposite"} for i in positive] + \
                               [{"neuron": i, "by": "dead", "proof": facts.proof(t - 1, i)}
                                for i, w in enumerate(row) if w > 0 and i in dead_prev]

                    def build(delta: Fraction, t=t, j=j, k=k, partners=partners) -> Iterable[list[dict]]:
                        yield [{"move": "exclusive", "layer": t, "neuron": j, "predecessor": k,
                                "decrease": fmt(delta), "partners": partners}]

                    out.append(Finding("M10", True, f"neuron [{t}, {j}]: dead wherever neuron {k} "
                                       f"of layer {t} is active", network, box, build, t, (j, k)))
                    break
    shown = {(f.layer, f.neurons) for f in out}
    for (t, j, k), proof in sorted(facts.exclusive.items()):
        if (t, (j, k)) in shown:
            continue

        def build(delta: Fraction, t=t, j=j, k=k, proof=proof) -> Iterable[list[dict]]:
            yield [{"move": "exclusive", "layer": t, "neuron": j, "predecessor": k, "decrease": fmt(delta),
                    "proof": proof}]

        out.append(Finding("M10", True, f"neuron [{t}, {j}]: dead wherever neuron [{t - 1}, {k}] is active "
                           f"({HOW[proof['method']]})", network, box, build, t, (j, k)))
    return out


__all__ = ["dead_findings", "active_findings", "mixing_findings", "relation_findings", "exclusive_findings",
           "active_relations"]
