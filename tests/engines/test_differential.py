"""Differential testing: exact sampling, the region tree, z3, orbit matching and the shallow
canonical form must agree wherever each applies (theory.md §3.1–3.2, §4.2).

Cases: (θ, g·θ); pairs equal but outside the orbit through a stably-active bias shift (M4)
or a dead neuron's new outgoing column (M1) — planted by the sign test, or stable on a
box only; and random perturbations (large, and tiny enough to dodge sampling)."""
from __future__ import annotations

import random
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from certify.deep import regiontree, sampling
from certify.shallow import canonical as shallow
from certify.group import orbit as symmetry
from certify.encode import smt
from certify.network import Layer, Network
from deep_pairs import m1_move, m1_pair, m4_move, m4_pair, moved, perturbed, random_net
from strategies import direct_eval

DEEP = [[2, 3, 2, 1], [1, 3, 2, 1], [2, 2, 2, 2], [3, 3, 3, 1], [2, 2, 3, 2, 1]]
SHALLOW = [[1, 3, 1], [2, 3, 1], [2, 4, 2], [3, 3, 1]]


def _box_stable_layer0(a: Network, box, rng: random.Random, kind: str) -> Network:
    """Make first-layer neuron 0 stable on the box (M12) via its bias, then move it."""
    w = a.layers[0].weight[0]
    lo = sum(min(c * l, c * h) for c, (l, h) in zip(w, box))
    hi = sum(max(c * l, c * h) for c, (l, h) in zip(w, box))
    bias = list(a.layers[0].bias)
    bias[0] = -lo + Fraction(rng.randint(0, 3), 4) if kind == "M4" else -hi - Fraction(rng.randint(0, 3), 4)
    a = a.replace(layers=(Layer(a.layers[0].weight, tuple(bias)),) + a.layers[1:])
    if kind == "M4":
        b = m4_move(a, 0, 0, Fraction(rng.randint(1, 5), 2))
    else:
        b = m1_move(a, 0, 0, [Fraction(rng.randint(-5, 5), 3) for _ in range(a.widths[2])])
    return a, b


def _case(seed: int, kind: str, deep: bool):
    rng = random.Random(seed)
    widths = rng.choice(DEEP if deep else SHALLOW)
    box = None
    if rng.random() < 0.4 or kind.startswith("box"):
        box = tuple((Fraction(-rng.randint(1, 3)), Fraction(rng.randint(1, 3))) for _ in range(widths[0]))
    if kind == "M4" and deep:
        a, b = m4_pair(widths, seed)
    elif kind == "M1" and deep:
        a, b = m1_pair(widths, seed)
    elif kind in ("M4", "M1", "box-M4", "box-M1"):
        box = box or tuple((Fraction(-2), Fraction(2)) for _ in range(widths[0]))
        a, b = _box_stable_layer0(random_net(widths, rng), box, rng, kind[-2:])
        b = moved(b, rng)
    else:
        a = random_net(widths, rng, den=3, big=5)
        if kind == "moved":
            b = moved(a, rng)
        elif kind == "perturbed":
            b = perturbed(a, rng, Fraction(1, 4))
        else:  # tiny
            b = perturbed(a, rng, Fraction(1, 10 ** 6))
    return a, b, box


@settings(max_examples=260, deadline=None)
@given(seed=st.integers(0, 10 ** 9), deep=st.booleans(),
       kind=st.sampled_from(["moved", "M4", "M1", "perturbed", "tiny", "box-M4", "box-M1"]))
def test_methods_agree(seed, deep, kind):
    a, b, box = _case(seed, kind, deep)
    verdicts = {}
    tree = regiontree.prove_equivalence(a, b, box, budget=50_000)
    assert tree.verdict in ("proved", "refuted"), tree.reason  # complete at these sizes
    verdicts["tree"] = tree.verdict == "proved"
    if tree.verdict == "refuted":
        x, fa, fb = tree.counterexample
        assert direct_eval(a, x) == list(fa) != list(fb) == direct_eval(b, x)
        assert box is None or all(lo <= v <= hi for v, (lo, hi) in zip(x, box))
    z = smt.decide(a.net, b.net, box, timeout=60)
    assert z.status in ("sat", "unsat"), z.reason
    verdicts["smt"] = z.status == "unsat"
    cex = sampling.refute(a, b, box, samples=300, exact_checks=8, seed=seed)
    if cex is not None:  # sampling can only refute
        verdicts["sample"] = False
    try:
        if symmetry.orbit_element(a, b) is not None:  # orbit can only prove
            verdicts["orbit"] = True
    except symmetry.Undecided:
        pass
    if a.is_shallow and b.is_shallow:  # complete for one hidden layer (Theorems 3.1, 3.2)
        verdicts["shallow"] = shallow.equal(a, b, box)
    assert len(set(verdicts.values())) == 1, verdicts
    if kind in ("moved", "M4", "M1", "box-M4", "box-M1"):
        assert verdicts["tree"], (kind, verdicts)
