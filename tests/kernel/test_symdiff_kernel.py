"""The symbolic differential leaf (kernel/symdiff.py): its bounds contain the exact gap, it never
certifies a pair whose exact gap somewhere exceeds ε (planted gaps just above and below ε), and
changing a split or a cell field of a certificate with symbolic leaves fails the kernel."""
from __future__ import annotations

import json
import random
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from certify.kernel import symdiff
from certify.kernel import tolerance as kt
from certify.kernel.registry import CheckFailure
from certify.network import Network
from strategies import direct_eval, random_network

F = Fraction
WIDTHS = [[2, 3, 1], [2, 4, 3, 2], [3, 5, 4, 3, 2]]


def _noisy(a: Network, rng: random.Random, size: Fraction) -> Network:
    layers = [(list(map(list, l.weight)), list(l.bias)) for l in a.layers]
    for w, b in layers:
        for row in w:
            for k in range(len(row)):
                row[k] += size * F(rng.randint(-4, 4), 4)
        for k in range(len(b)):
            b[k] += size * F(rng.randint(-4, 4), 4)
    return Network.from_layers(layers)


def _cell(d: int, c: int, r: int):
    return tuple((F(c, 4) - F(r, 8), F(c, 4) + F(r, 8)) for _ in range(d))


class _Leaf:
    """The checker of kernel.tolerance on one claim, called directly (no envelope)."""

    def __init__(self, a, b, box, eps, tree):
        self.claim = {"statement": "equivalent-within", "networks": {"A": a.to_json(), "B": b.to_json()},
                      "domain": {"box": [[str(lo), str(hi)] for lo, hi in box]}, "tolerance": [str(e) for e in eps]}
        self.evidence = {"method": "box-partition", "tree": tree}

    @property
    def valid(self) -> bool:
        try:
            kt.check_within(json.loads(json.dumps(self.claim)), self.evidence)
        except CheckFailure:
            return False
        return True


def _cert(a, b, box, eps, tree) -> _Leaf:
    return _Leaf(a, b, box, eps, tree)


def check_leaf(c: _Leaf) -> bool:
    return c.valid


def _exact_gap(a, b, cell, rng, points=40):
    """The largest exact |f_A,i − f_B,i| found at rational points of the cell (corners included)."""
    best = F(0)
    d = len(cell)
    xs = [[cell[k][(m >> k) & 1] for k in range(d)] for m in range(2 ** d)]
    xs += [[lo + (hi - lo) * F(rng.randint(0, 32), 32) for lo, hi in cell] for _ in range(points)]
    for x in xs:
        best = max(best, max(abs(p - q) for p, q in zip(direct_eval(a, x), direct_eval(b, x))))
    return best


def _assert_contains(a, b, cell, rng, points: int) -> list:
    """The kernel's symbolic intervals of f_A − f_B on the cell contain the exact gap at ``points``
    rational points of the cell; returns the intervals."""
    ivs = symdiff.symbolic_gap(symdiff.SymNet(a.net, b.net), cell)
    for _ in range(points):
        x = [lo + (hi - lo) * F(rng.randint(0, 16), 16) for lo, hi in cell]
        for (lo, hi), p, q in zip(ivs, direct_eval(a, x), direct_eval(b, x)):
            assert lo <= p - q <= hi
    return ivs


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10 ** 6), st.sampled_from(WIDTHS), st.integers(-8, 8), st.integers(1, 16))
def test_symbolic_bounds_contain_the_exact_gap(seed, widths, c, r):
    """Soundness of the propagation (the Theorem of kernel.symdiff) at exact points of the cell."""
    rng = random.Random(seed)
    a = random_network(widths, rng)
    b = _noisy(a, rng, F(1, 8))
    cell = _cell(widths[0], c, r)
    _assert_contains(a, b, cell, rng, 30)


def _planted_off(net: Network, rng: random.Random, share: float, dyadic: bool) -> Network:
    """A copy in which a share of the hidden neurons get a bias far below zero (off on every cell
    of the tests, in both networks: the kernel's both-off zero forms and dropped columns), with
    weights rounded to multiples of 1/64 when ``dyadic`` (the power-of-two rounding by shifts)."""
    def r(v):
        return F(round(v * 64), 64) if dyadic else v
    layers = [([[r(w) for w in row] for row in l.weight], [r(v) for v in l.bias]) for l in net.layers]
    for w, b in layers[:-1]:
        for j in range(len(b)):
            if rng.random() < share:
                b[j] = F(-10 ** 4)
    return Network.from_layers(layers)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10 ** 6), st.sampled_from(WIDTHS), st.integers(-8, 8), st.integers(1, 16),
       st.sampled_from([0.5, 1.0]), st.booleans())
def test_neurons_off_in_both_networks_keep_the_bounds_sound(seed, widths, c, r, share, dyadic):
    """Planted neurons off in both A and B (share 1: every hidden neuron, so the whole network after
    the first layer is constant on the cell): the bounds contain the exact gap at exact points, and
    when every hidden neuron is off they are exactly the output-bias difference."""
    rng = random.Random(seed)
    a = _planted_off(random_network(widths, rng), rng, share, dyadic)
    b = _planted_off(_noisy(a, random.Random(seed + 1), F(1, 8)), random.Random(0), 0.0, dyadic)
    b = Network.from_layers([(list(map(list, lb.weight)), [min(u, v) if v < -1000 else u for u, v in zip(lb.bias, la.bias)])
                             for la, lb in zip(a.layers, b.layers)])  # off in A ⇒ off in B too
    cell = _cell(widths[0], c, r)
    ivs = _assert_contains(a, b, cell, rng, 20)
    if share == 1.0:  # Δb is a multiple of 1/32 (the noise), so its rounding to 2^-52 is exact
        for (lo, hi), u, v in zip(ivs, a.layers[-1].bias, b.layers[-1].bias):
            assert lo == hi == u - v


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10 ** 6), st.sampled_from(WIDTHS), st.integers(-4, 4), st.integers(1, 8),
       st.sampled_from([F(1, 1000), F(1, 10 ** 6)]))
def test_planted_gap_just_above_epsilon_is_never_certified(seed, widths, c, r, slack):
    """Random pairs with a planted gap g (B = noisy A, or A with every output bias moved by g):
    with ε slightly below the exact gap at a point, the symbolic leaf must fail; with ε slightly
    above a planted constant gap it passes (the forms are exact when the hidden layers agree)."""
    rng = random.Random(seed)
    a = random_network(widths, rng)
    cell = _cell(widths[0], c, r)
    g = F(rng.randint(1, 50), 100)
    layers = [(list(map(list, l.weight)), list(l.bias)) for l in a.layers]
    layers[-1] = (layers[-1][0], [v + g for v in layers[-1][1]])
    shifted = Network.from_layers(layers)
    for b, gap in ((shifted, g), (_noisy(a, rng, F(1, 16)), None)):
        gap = _exact_gap(a, b, cell, rng) if gap is None else gap
        m = widths[-1]
        if gap == 0:  # e.g. every hidden neuron dead on the cell and no bias noise: "≤ 0" is true
            continue
        below = _cert(a, b, cell, [gap * (1 - slack)] * m, [{"leaf": "symbolic"}])
        assert not check_leaf(below), "certified a tolerance below the exact gap"
    above = _cert(a, shifted, cell, [g * (1 + slack)] * widths[-1], [{"leaf": "symbolic"}])
    assert check_leaf(above)


def _small_certificate():
    """A partition with symbolic leaves for a small pair that needs splits, built by bisecting
    the widest side until the kernel's own bound fits (the test does not rely on the producer)."""
    rng = random.Random(7)
    a = random_network([2, 6, 6, 2], rng)
    b = _noisy(a, rng, F(1, 40))
    box = ((F(-1), F(1)), (F(-1), F(1)))
    net = symdiff.SymNet(a.net, b.net)
    wide = max(max(-lo, hi) for lo, hi in symdiff.symbolic_gap(net, box))
    gap = _exact_gap(a, b, box, random.Random(1), 200)
    eps = gap + (wide - gap) / 8  # true, and one leaf on the box does not prove it

    def tree(cell):
        if max(max(-lo, hi) for lo, hi in symdiff.symbolic_gap(net, cell)) <= eps:
            return [{"leaf": "symbolic"}]
        k = max(range(len(cell)), key=lambda i: cell[i][1] - cell[i][0])
        c = (cell[k][0] + cell[k][1]) / 2
        lower, upper = list(cell), list(cell)
        lower[k], upper[k] = (cell[k][0], c), (c, cell[k][1])
        return [{"split": [k, str(c)]}] + tree(lower) + tree(upper)
    return a, b, box, [eps] * 2, tree(box)


A, B, BOX, EPS, TREE = _small_certificate()


def test_certificate_has_symbolic_leaves_and_splits():
    assert any("split" in n for n in TREE)
    assert check_leaf(_cert(A, B, BOX, EPS, TREE))


def test_changing_a_split_or_a_cell_field_fails():
    """Each change below makes some cell's symbolic bound exceed ε or breaks the cover."""
    splits = [i for i, n in enumerate(TREE) if "split" in n]
    bad = []
    for i in splits[:1]:
        axis, c = TREE[i]["split"]
        bad.append([*TREE[:i], {"split": [1 - axis, c]}, *TREE[i + 1:]])        # another coordinate
        bad.append([*TREE[:i], {"split": [axis, str(F(c) + F(9, 10))]}, *TREE[i + 1:]])  # moved
    bad.append(TREE[:-1])                                                        # a subtree missing
    bad.append([{"leaf": "symbolic"}])                                           # one leaf on the box
    bad.append([{"leaf": "symbolc"} if "leaf" in n else n for n in TREE])        # unknown leaf
    for t in bad:
        assert not check_leaf(_cert(A, B, BOX, EPS, t)), t[:3]
    wider = tuple((lo - 1, hi) for lo, hi in BOX)                                # a cell field: the box
    assert not check_leaf(_cert(A, B, wider, EPS, TREE))
    assert not check_leaf(_cert(A, B, BOX, [e / 4 for e in EPS], TREE))         # ε below the bound
