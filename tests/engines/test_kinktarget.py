"""Kink-target proposals (certify/local/kinktarget.py, theory.md §5.5): kinks that lie only far out."""
from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import pytest

from certify.kernel import check
from certify.local import kinkprobe
from certify.local.identifiability import certificate_answer
from certify.local.kinktarget import Proposer, climb
from certify.local.linewalk import preactivations
from certify.network import Network
from strategies import random_network

F = Fraction
FAR = 3000   # the planted neuron is active only where relu(x1) + relu(x2) > FAR


def planted(seed: int) -> Network:
    """A random 2-4-3-2-1 network whose layer-1 neuron 0 is relu(relu(x1) + relu(x2) − FAR):
    every kink of a layer-2 neuron with that input active lies at |x| ≳ FAR, far outside the
    radius the random lines explore (a few units here)."""
    rng = random.Random(seed)
    net = random_network([2, 4, 3, 2, 1], rng)
    layers = [(l.weight, l.bias) for l in net.layers]
    w0 = [[F(1), F(0)], [F(0), F(1)]] + [list(r) for r in layers[0][0][2:]]
    b0 = [F(0), F(0)] + list(layers[0][1][2:])
    w1 = [list(r) for r in layers[1][0]]
    b1 = list(layers[1][1])
    w1[0], b1[0] = [F(1), F(1), F(0), F(0)], F(-FAR)
    return Network.from_layers([(w0, b0), (w1, b1)] + layers[2:])


def test_climb_and_propose_reach_the_far_region():
    net = planted(6)
    fnet = kinkprobe.FloatNet(net)
    rng = np.random.default_rng(0)
    B = 1e5
    y, top = climb(fnet.Ws, [b / B for b in fnet.bs], 1, 0, rng)
    assert top * B > 0   # found where the planted neuron is active: only beyond |x| = FAR
    x = Proposer(fnet.Ws, fnet.bs, rng).propose((2, 0), 0)
    assert x is not None
    zs = preactivations(fnet.Ws, fnet.bs, x[None])
    assert abs(zs[2][0, 0]) < 1e-6 * (1 + np.abs(x).max()) and zs[1][0, 0] > 0
    assert np.abs(x).max() > FAR / 2


@pytest.mark.parametrize("seed", [4, 6])
def test_far_kinks_need_the_proposer_and_the_kernel_accepts(seed):
    net = planted(seed)
    old = kinkprobe.search(net, None, seed=0, aim=False)
    assert not old.complete
    assert any(s.inactive_inputs == [0] or s.candidates == 0 for s in old.failures())
    new = kinkprobe.search(net, None, seed=0)
    assert new.complete, [s.reason() for s in new.failures()]
    far = max(max(abs(F(v)) for v in l["x0"]) for l in new.evidence["lines"])
    assert far > FAR / 2   # the certificate really uses far points
    ans = certificate_answer(net, None, new.evidence, "kink-probe", "Theorem 5.4", 0.0, {"points": new.points})
    assert ans.code == 0 and ans.certified
    assert check(ans.certificate).valid
