"""Every single-field mutation of a certificate fails the kernel — unless the mutated
certificate is still a valid proof, which an independent oracle then confirms."""
from __future__ import annotations

import random
from fractions import Fraction

import pytest

from certify import api
from certify.group import orbit as symmetry
from certify.api import equivalent as decide
from certify.kernel import check
from certify.kernel.exact import rational
from certify.network import Network
from mutation import mutations
from strategies import direct_eval, random_network
from orbit_oracle import z3_in_orbit

F = Fraction


def _nets(cert):
    return {k: Network.from_json(v) for k, v in cert["claim"]["networks"].items()}


def _box(cert):
    dom = cert["claim"].get("domain")
    return None if dom is None else [(rational(lo), rational(hi)) for lo, hi in dom["box"]]


def still_true(cert) -> bool:
    """Independent semantic oracle for a certificate the kernel accepted."""
    nets, box = _nets(cert), _box(cert)
    a, b = nets["A"], nets["B"]
    kind, stmt = cert["kind"], cert["claim"]["statement"]
    if kind == "not-equivalent":
        x = [rational(v) for v in cert["evidence"]["x"]]
        return direct_eval(a, x) != direct_eval(b, x) and (box is None or all(lo <= v <= hi for v, (lo, hi) in zip(x, box)))
    if kind == "equivalent":
        rng = random.Random(1)
        for _ in range(200):
            if box is None:
                x = [F(rng.randint(-60, 60), rng.randint(1, 9)) for _ in range(a.widths[0])]
            else:
                x = [lo + (hi - lo) * F(rng.randint(0, 64), 64) for lo, hi in box]
            if direct_eval(a, x) != direct_eval(b, x):
                return False
        return True
    if kind == "orbit":
        return z3_in_orbit(a, b) == (stmt == "in-orbit")
    raise AssertionError(kind)


def certificates():
    rng = random.Random(7)
    out = []
    a = random_network([2, 3, 1], rng)
    b = random_network([2, 2, 1], rng)
    out.append(("not-equivalent/shallow", decide(a, b, method="shallow").certificate))
    box = ((F(-1), F(1)), (F(0), F(2)))
    out.append(("not-equivalent/box", decide(a, b, box, method="shallow").certificate))
    deep = random_network([2, 3, 2, 1], rng)
    moved = symmetry.apply(symmetry.random_element(deep, rng), deep)
    out.append(("equivalent/orbit", decide(deep, moved, method="orbit").certificate))
    out.append(("orbit/in", api.orbit(deep, moved).certificate))
    other = random_network([2, 3, 2, 1], rng)
    out.append(("orbit/not", api.orbit(deep, other).certificate))
    # equal shallow pair outside the orbit: flip neuron 0, compensated by a linear unit
    (w1, b1), (w2, b2) = [(list(map(list, l.weight)), list(l.bias)) for l in a.layers]
    t = F(3, 2)
    w1 += [list(w1[0]), [-x for x in w1[0]]]
    b1 += [b1[0] + t, -b1[0] - t]
    a0 = w2[0][0]
    w2[0] += [a0, -a0]
    b2 = [b2[0] - a0 * t]
    w1[0] = [-x for x in w1[0]]
    b1[0] = -b1[0]
    twin = Network.from_layers([(w1, b1), (w2, b2)])
    out.append(("equivalent/shallow", decide(a, twin, method="shallow").certificate))
    out.append(("equivalent/shallow-box", decide(a, twin, box, method="shallow").certificate))
    return out


CERTS = certificates()


@pytest.mark.parametrize("label,cert", CERTS, ids=[c[0] for c in CERTS])
def test_single_field_mutations_fail_the_kernel(label, cert):
    assert cert is not None and check(cert).valid
    accepted = []
    for what, mutant in mutations(cert):
        verdict = check(mutant)
        if verdict.valid:
            assert still_true(mutant), f"kernel accepted a false certificate after {what}"
            accepted.append(what)
    # Accepted mutations are true claims.  Negative claims survive most changes of a network
    # (a counterexample only needs f_A(x) ≠ f_B(x); two random networks stay apart), but an
    # equality claim between generic networks has almost no free fields.
    if cert["kind"] == "equivalent" or cert["claim"]["statement"] == "in-orbit":
        assert len(accepted) <= len(mutations(cert)) // 20, accepted


def test_envelope_fields_are_checked():
    cert = CERTS[0][1]
    for bad in ({**cert, "format": "x"}, {**cert, "kind": "orbit"}, {k: v for k, v in cert.items() if k != "claim"},
                {**cert, "extra": 1}, [], "text"):
        assert not check(bad).valid
