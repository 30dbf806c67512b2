"""The float screen of sign facts (``certify.hidden.mechanisms.facts.candidates``) proposes
region-tree attempts; a neuron that switches only in the thin cap around a first-layer
neuron's maximising corner must not be proposed as dead (it was, before the extreme corners
joined the sample: mnist-net_256x2 on [0,1]^784, bench/mnist_switching.py)."""
from __future__ import annotations

from fractions import Fraction as F

import numpy as np
from hypothesis import given, settings, strategies as st

from certify.hidden.mechanisms.facts import DEAD, candidates, extreme_corners, prove_signs, sample_inputs
from certify.network import Network


def cap_network(d: int, k: int, margin: F) -> Network:
    """Neuron (0, 0) = σ(Σ_{i∈S} x_i − |S| + 1/2) with S = inputs 0..k−1 and the sign of x_i
    flipped for odd i (active only near one corner of [0,1]^d); neuron (1, 0) = a_{0,0} − margin:
    it switches only in that cap when margin < 1/2, and is dead when margin > 1/2."""
    w = [F(0)] * d
    corner_sum = F(0)
    for i in range(k):
        w[i] = F(1) if i % 2 == 0 else F(-1)
        corner_sum += 1 if i % 2 == 0 else 0
    first = [(w, -corner_sum + F(1, 2)), ([F(1)] + [F(0)] * (d - 1), F(0))]
    layers = [([r for r, _ in first], [b for _, b in first]),
              ([[F(1), F(0)]], [-margin]),
              ([[F(1)]], [F(0)])]
    return Network.from_layers(layers, box=[(0, 1)] * d)


@settings(max_examples=20, deadline=None)
@given(d=st.integers(24, 40), k=st.integers(22, 24), margin=st.sampled_from([F(1, 10), F(1, 4), F(2, 5)]))
def test_cap_neuron_is_not_proposed_dead(d, k, margin):
    net = cap_network(d, k, margin)
    box = net.box
    facts = prove_signs(net, box, nested=False)
    assert facts.sign(1, 0) is None  # interval bounds [−margin, 1/2 − margin] cannot decide it
    # the uniform part of the sample alone misses the cap: the neuron looks dead there ...
    pts = sample_inputs(net, box, 512, 0)
    uniform = pts[:-2 * net.widths[1]]
    assert np.all(net.float_forward(uniform)[1][:, 0] <= 0)
    # ... but the extreme corner of neuron (0, 0) switches it on, so it is no candidate
    assert (1, 0, DEAD) not in candidates(net, box, facts, 512, 0)


def test_extreme_corners_attain_the_first_layer_bounds():
    net = cap_network(26, 23, F(1, 10))
    lo, hi = np.zeros(26), np.ones(26)
    top, bottom = extreme_corners(net, lo, hi)[[0, 2]]
    z = net.float_forward(np.vstack([top, bottom]))[0][:, 0]
    assert z[0] == 0.5 and z[1] == -(12) + 0.5 - 11
