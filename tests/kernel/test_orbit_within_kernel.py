"""The approximate-orbit checkers (kernel/approximate.py): every single-field mutation of an
``orbit-within`` or ``not-orbit-within`` certificate fails, unless the mutated claim is still
true, which an oracle outside the kernel (``group.orbit.apply_group`` and entry-wise
differences; exact sampling for the implied function bound) then confirms."""
from __future__ import annotations

import json
import random
from fractions import Fraction

import pytest

from certify import api
from certify.group.orbit import apply, apply_group, orbit_search, random_element
from certify.kernel import check
from certify.kernel.exact import rational
from certify.network import Network
from mutation import mutations
from strategies import direct_eval, random_network

F = Fraction
BOX = ((F(-1), F(1)), (F(-1), F(1)))


def entry_distance(a: Network, b: Network, perms, scales) -> Fraction:
    """‖g·A − B‖∞ by building g·A (not the kernel's formula)."""
    ga = apply_group(a.net, perms, scales)
    return max(abs(x - y) for la, lb in zip(ga.layers, b.net.layers)
               for ra, rb in zip(la.weight + (la.bias,), lb.weight + (lb.bias,)) for x, y in zip(ra, rb))


def scaled_gap(p, q) -> Fraction:
    """min over λ > 0 of max_j |λ p_j − q_j| (convex, piecewise linear: a breakpoint or λ → 0+)."""
    def f(lam):
        return max(abs(lam * x - y) for x, y in zip(p, q))
    cands = [y / x for x, y in zip(p, q) if x]
    cands += [(y + s * z) / (x + s * w) for x, y in zip(p, q) for w, z in zip(p, q) for s in (1, -1) if x + s * w]
    return min([f(c) for c in cands if c > 0] + [max(abs(y) for y in q)])


def first_layer_bound(a: Network, b: Network) -> Fraction:
    """min over permutations π of max_i min_λ ‖λ·row_i(A) − row_πi(B)‖∞ in the first layer (brute force)."""
    from itertools import permutations
    ra = [(*w, c) for w, c in zip(a.layers[0].weight, a.layers[0].bias)]
    rb = [(*w, c) for w, c in zip(b.layers[0].weight, b.layers[0].bias)]
    return min(max(scaled_gap(ra[i], rb[p[i]]) for i in range(len(ra))) for p in permutations(range(len(rb))))


def still_true(cert) -> bool:
    """Independent oracle for a mutated certificate the kernel accepted."""
    try:
        c = cert["claim"]
        a, b = (Network.from_json(c["networks"][k]) for k in ("A", "B"))
        delta = rational(c["tolerance"])
        if cert["kind"] == "not-orbit-within":
            ev = cert["evidence"]
            if "output-bias" in ev:
                i = ev["output-bias"]
                return abs(a.layers[-1].bias[i] - b.layers[-1].bias[i]) > delta
            if "hall" in ev:
                return first_layer_bound(a, b) > delta
            if "separation" in ev:
                return delta == 0 and orbit_search(a, b)[0] is None
            return a.widths != b.widths
        ev = cert["evidence"]
        perms = ev["permutations"]
        scales = [[rational(s) for s in row] for row in ev["scales"]]
        if entry_distance(a, b, perms, scales) > delta:
            return False
        if "implies" in c:
            bound = rational(c["implies"])
            box = [(rational(lo), rational(hi)) for lo, hi in c["domain"]["box"]]
            rng = random.Random(3)
            for _ in range(200):
                x = [lo + (hi - lo) * F(rng.randint(0, 32), 32) for lo, hi in box]
                if any(abs(p - q) > bound for p, q in zip(direct_eval(a, x), direct_eval(b, x))):
                    return False
        return True
    except Exception:
        return False


def _planted(seed: int):
    rng = random.Random(seed)
    a = random_network([2, 3, 3, 2], rng)
    g = random_element(a, rng)
    ga = apply(g, a)
    layers = [(list(map(list, l.weight)), list(l.bias)) for l in ga.layers]
    layers[0][0][1][0] += F(1, 50)
    layers[-1][1][0] += F(1, 100)  # an output bias: a lower bound of 1/100 for every g
    return a, Network.from_layers(layers)


def _certificates():
    a, b = _planted(7)
    out = []
    ans = api.orbit(a, b, tolerance="1/20", box=BOX)
    assert ans.code == 0 and "implies" in ans.certificate["claim"]
    out.append(("within/box", ans.certificate))
    ans = api.orbit(a, b, tolerance="1/20")
    assert ans.code == 0 and ans.certificate["claim"]["domain"] is None
    out.append(("within", ans.certificate))
    ans = api.orbit(a, b, tolerance="1/200")
    assert ans.code == 1 and "output-bias" in ans.certificate["evidence"]
    out.append(("not-within/output-bias", ans.certificate))
    ans = api.orbit(a, b, tolerance=0)
    assert ans.code == 1
    out.append(("not-within/zero", ans.certificate))
    layers = [(list(map(list, l.weight)), list(l.bias)) for l in b.layers]
    layers[0][0][2] = [F(5), F(-7)]
    layers[0][1][2] = F(9)
    far = Network.from_layers(layers)
    ans = api.orbit(a, far, tolerance="1/20")
    assert ans.code == 1 and "hall" in ans.certificate["evidence"], ans.summary
    out.append(("not-within/hall", ans.certificate))
    c = random_network([2, 4, 2], random.Random(2))
    ans = api.orbit(a, c, tolerance=1)
    assert ans.code == 1 and ans.certificate["evidence"] == {"architecture": True}
    out.append(("not-within/architecture", ans.certificate))
    return out


CERTS = _certificates()


@pytest.mark.parametrize("label,cert", CERTS, ids=[c[0] for c in CERTS])
def test_single_field_mutations_fail_the_kernel(label, cert):
    cert = json.loads(json.dumps(cert))
    assert check(cert).valid
    for what, mutant in mutations(cert):
        if check(mutant).valid:
            assert still_true(mutant), f"kernel accepted a false certificate after {what}"


def test_a_tolerance_below_the_distance_is_rejected():
    a, b = _planted(7)
    cert = api.orbit(a, b, tolerance="1/20").certificate
    d = rational(api.orbit(a, b, tolerance="1/20").details["distance"]["exact"])
    for tol in (d, d - F(1, 10 ** 9), d / 2):
        mutant = json.loads(json.dumps(cert))
        mutant["claim"]["tolerance"] = str(tol)
        assert check(mutant).valid == (tol >= d)


def test_an_understated_implied_bound_is_rejected():
    a, b = _planted(7)
    cert = api.orbit(a, b, tolerance="1/20", box=BOX).certificate
    bound = rational(cert["claim"]["implies"])
    mutant = json.loads(json.dumps(cert))
    mutant["claim"]["implies"] = str(bound * F(999, 1000))
    assert not check(mutant).valid
    mutant["claim"]["domain"] = None
    assert not check(mutant).valid  # the bound needs a box
