"""An independent exact oracle for local-identifiability tests (no certify internals).

For a fixed activation pattern, f_θ(x) is affine in each single parameter θ_c (every
monomial is a path product with each parameter at most once), so the Jacobian column is
exactly f^frozen_{θ + e_c}(x) − f^frozen_θ(x).  Ranks are computed by plain Gaussian
elimination over Fractions.
"""
from __future__ import annotations

from fractions import Fraction

from certify.network import Network


def flat_params(network: Network) -> list[Fraction]:
    out = []
    for layer in network.layers:
        for row, b in zip(layer.weight, layer.bias):
            out.extend(row)
            out.append(b)
    return out


def _frozen(network: Network, theta: list[Fraction], x, masks) -> list[Fraction]:
    w = network.widths
    a, pos = [Fraction(v) for v in x], 0
    for l in range(len(w) - 1):
        z = []
        for j in range(w[l + 1]):
            row = theta[pos:pos + w[l]]
            b = theta[pos + w[l]]
            pos += w[l] + 1
            z.append(sum((p * q for p, q in zip(row, a)), Fraction(0)) + b)
        if l == len(w) - 2:
            return z
        a = [v if m else Fraction(0) for v, m in zip(z, masks[l])]
    raise AssertionError


def pattern(network: Network, x) -> list[list[int]] | None:
    """Signs of the hidden pre-activations, or None if one is zero (inadmissible x)."""
    masks = []
    a = [Fraction(v) for v in x]
    for l, layer in enumerate(network.layers[:-1]):
        z = [sum((p * q for p, q in zip(row, a)), Fraction(0)) + b for row, b in zip(layer.weight, layer.bias)]
        if any(v == 0 for v in z):
            return None
        masks.append([v > 0 for v in z])
        a = [v if v > 0 else Fraction(0) for v in z]
    return masks


def jacobian(network: Network, points) -> list[list[Fraction]]:
    theta = flat_params(network)
    rows = []
    for x in points:
        masks = pattern(network, x)
        assert masks is not None, "inadmissible point"
        base = _frozen(network, theta, x, masks)
        cols = []
        for c in range(len(theta)):
            t2 = list(theta)
            t2[c] += 1
            cols.append([u - v for u, v in zip(_frozen(network, t2, x, masks), base)])
        rows.extend([[col[i] for col in cols] for i in range(len(base))])
    return rows


def rank(rows: list[list[Fraction]]) -> int:
    m = [list(r) for r in rows]
    r = 0
    ncols = len(m[0]) if m else 0
    for c in range(ncols):
        piv = next((i for i in range(r, len(m)) if m[i][c] != 0), None)
        if piv is None:
            continue
        m[r], m[piv] = m[piv], m[r]
        for i in range(len(m)):
            if i != r and m[i][c] != 0:
                f = m[i][c] / m[r][c]
                m[i] = [a - f * b for a, b in zip(m[i], m[r])]
        r += 1
    return r


def certificate_points(cert: dict) -> list[list[Fraction]]:
    from certify.kernel.exact import rational
    lines = cert["evidence"]["lines"] if "lines" in cert["evidence"] else cert["claim"]["sample"]
    pts = []
    for line in lines:
        x0 = [rational(v) for v in line["x0"]]
        e = [rational(v) for v in line["e"]]
        for t in line["t"]:
            t = rational(t)
            pts.append([a + t * d for a, d in zip(x0, e)])
    return pts


def theorem_5_1_holds(network: Network, points) -> bool:
    """(H1) every point admissible, (H3) rank DF_X = N − H, (H2) every hidden row nonzero."""
    if any(pattern(network, x) is None for x in points):
        return False
    for layer in network.layers[:-1]:
        if any(not any(row) and b == 0 for row, b in zip(layer.weight, layer.bias)):
            return False
    return rank(jacobian(network, points)) == network.N - network.H
