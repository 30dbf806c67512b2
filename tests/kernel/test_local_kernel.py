"""The exact machinery under the local certificates: batched forward passes, Jacobian rows,
parallel batches, and the rigorous float error bound used to screen probes."""
from __future__ import annotations

import copy
import random
from fractions import Fraction

import numpy as np
from hypothesis import given, settings, strategies as st

from certify.kernel import check
from certify.kernel.forward import Line, batches, int_net, map_batches, point
from certify.kernel.local import column_scales, jacobian_rows, numerators_mod_p
from certify.local.kinkprobe import _float_pass
from certify.local.linewalk import FloatNet, walk
from certify.api import locally_identifiable as decide_local
from certify.network import Network
from local_oracle import jacobian
from strategies import direct_eval, random_network

F = Fraction


def random_lines(d0: int, rng: random.Random, n: int = 3, zero_e: bool = False) -> list[Line]:
    out = []
    for _ in range(n):
        x0 = tuple(F(rng.randint(-9, 9), rng.randint(1, 5)) for _ in range(d0))
        e = tuple(F(0) if zero_e else F(rng.randint(-9, 9), rng.randint(1, 5)) for _ in range(d0))
        ts = tuple(sorted({F(rng.randint(-40, 40), rng.randint(1, 7)) for _ in range(5)}))
        out.append(Line(x0, e, ts))
    return out


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10 ** 6), st.lists(st.integers(1, 4), min_size=2, max_size=4), st.booleans())
def test_batch_forward_is_exact(seed, widths, zero_e):
    rng = random.Random(seed)
    net = random_network(widths, rng, zero=0.2)
    lines = random_lines(widths[0], rng, zero_e=zero_e)
    for batch in batches(int_net(net.net), lines, chunk=4):
        for k, (m, i) in enumerate(batch.index):
            x = point(lines[m], i)
            zs = net.preactivations(x)
            assert list(batch.output(k)) == direct_eval(net, x)
            for l in range(len(widths) - 2):
                assert [F(batch.z(k, l, j), batch.den(k, l)) for j in range(widths[l + 1])] == list(zs[l])
                assert batch.pattern[k][l] == bytes(int(v > 0) for v in zs[l])
                R = batch.input_row(k, l + 1)
                assert [F(v, R[-1]) for v in R[:-1]] == [max(v, F(0)) for v in zs[l]]
            assert batch.zero[k] == any(v == 0 for z in zs[:-1] for v in z)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10 ** 6))
def test_jacobian_rows_match_oracle(seed):
    """J' = diag(D_x)·DF_X·diag(s): the kernel's integer rows are the oracle's up to those scalings."""
    rng = random.Random(seed)
    widths = [rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 2)]
    net = random_network(widths, rng)
    inet = int_net(net.net)
    exact = numerators_mod_p(inet, None)
    scales = column_scales(inet)
    lines = random_lines(widths[0], rng, n=2)
    for batch in batches(inet, lines):
        for r, (m, i) in enumerate(batch.index):
            if batch.zero[r]:
                continue
            x = point(lines[m], i)
            D = batch.input_row(r, 0)[-1]
            oracle = jacobian(net, [x])
            rows = jacobian_rows(exact, batch, r, range(widths[-1]), None)
            for mine, theirs in zip(rows, oracle):
                assert mine == [t * D * s for t, s in zip(theirs, scales)]


def test_batch_size_does_not_change_the_verdict(monkeypatch):
    """Many small batches (CHUNK = 8) give the same verdicts and outputs as one batch."""
    cert = decide_local(Network.load("examples/D-ID.json")).certificate
    monkeypatch.setattr("certify.kernel.forward.CHUNK", 8)
    assert check(cert).valid
    broken = copy.deepcopy(cert)
    last = broken["evidence"]["probes"][-1]
    last[1] = [0, 1, 2, 3] if last[1] != [0, 1, 2, 3] else [1, 2, 3, 4]
    assert not check(broken).valid
    net = Network.load("examples/D-ID.json")
    lines = random_lines(2, random.Random(1), n=6)
    small = [p for batch in map_batches(net.net, lines, _outputs, None) for p in batch]
    monkeypatch.setattr("certify.kernel.forward.CHUNK", 1 << 20)
    whole = [p for batch in map_batches(net.net, lines, _outputs, None) for p in batch]
    assert len(small) == len(whole) == sum(len(l.t) for l in lines)
    assert sorted(small) == sorted(whole)


def _outputs(batch, payload):
    return [(batch.index[k], batch.output(k)) for k in range(len(batch.index))]


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10 ** 6))
def test_float_error_bound_is_rigorous(seed):
    rng = random.Random(seed)
    widths = [rng.randint(1, 4), rng.randint(1, 5), rng.randint(1, 5), rng.randint(1, 2)]
    net = random_network(widths, rng, den=7)
    pts = [[F(rng.randint(-99, 99), rng.randint(1, 13)) for _ in range(widths[0])] for _ in range(20)]
    X = np.array([[float(v) for v in p] for p in pts])
    E = np.array([[abs(float(v) - v) * 2 + 1e-300 for v in p] for p in pts], dtype=float)
    pats, certain, Y, EY = _float_pass(FloatNet(net), X, E)
    for k, p in enumerate(pts):
        exact = net.preactivations(p)
        for i, v in enumerate(exact[-1]):
            assert abs(Fraction(Y[k, i]) - v) <= Fraction(EY[k, i])
        if certain[k]:
            for l, z in enumerate(exact[:-1]):
                assert list(pats[l][k]) == [v > 0 for v in z]


def test_walk_finds_the_kinks_of_a_shallow_network():
    net = Network.load("examples/S3.json")  # kinks at x = 0 and x = 1
    fnet = FloatNet(net)
    (w,) = walk(fnet, np.array([[-0.5]]), np.array([[1.0]]), np.array([-3.0]), np.array([4.0]))
    assert np.allclose(w.t, [0.5, 1.5]) and list(w.neuron) == [0, 1]
    assert np.allclose(w.slopes[:, 0], [0.0, 1.0, 0.0])


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10 ** 6))
def test_scaling_generators_lie_in_the_kernel(seed):
    """§1: DF_X·ξ = 0 for every generator ξ_{l,j} at admissible points (Sc-invariance)."""
    from certify.local.jacobian import generators
    rng = random.Random(seed)
    widths = [rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 3), 1]
    net = random_network(widths, rng)
    pts = [[F(rng.randint(-50, 50), rng.randint(1, 9)) for _ in range(widths[0])] for _ in range(4)]
    from local_oracle import pattern
    pts = [x for x in pts if pattern(net, x) is not None]
    J = jacobian(net, pts)
    for xi in generators(net):
        assert all(sum(a * b for a, b in zip(row, xi)) == 0 for row in J)
