"""The Jacobian of θ ↦ (f_θ(x))_{x∈X} and the scaling generators Ξ (theory.md §1, §5.1–5.3).

Parameter order (shared with the kernel, ``certify.kernel.local.param_index``): layer by
layer, neuron by neuron, each neuron's incoming weights then its bias.  At an admissible x
(no hidden pre-activation is 0) the entries are ∂f_i/∂W_l[j][k] = δ_{l,j}(x)·a_{l,k}(x) and
∂f_i/∂b_l[j] = δ_{l,j}(x), with δ the backward pass through the exact pattern.

* ``jacobian_mod_p``: exact rows mod p (integer numerators; the kernel's own routine);
* ``float_jacobian``: float64 rows, for the numpy SVD baseline and for guidance only;
* ``generators``: the H × N matrix Ξ exactly (from the kernel's sparse rows).
"""
from __future__ import annotations

from fractions import Fraction
from typing import Sequence

import numpy as np

from ..kernel.fdim import generator_rows
from ..kernel.forward import Line, batches, int_net
from ..kernel.local import counts, jacobian_rows, numerators_mod_p, param_index, param_offsets
from ..network import Network

__all__ = ["jacobian_mod_p", "float_jacobian", "generators", "generator_rows", "param_index",
           "param_offsets", "counts", "float_rank"]


def jacobian_mod_p(network: Network, lines: Sequence[Line], p: int) -> tuple[list[tuple], list[list[int]], list]:
    """All rows of J' mod p at the points of ``lines``: (ids, rows, inadmissible points).

    ids[r] = ((line, k), output).  Inadmissible points (a zero pre-activation) are skipped
    and listed; J' is DF_X up to positive row and column scalings (see the kernel).
    """
    inet = int_net(network.net)
    mods = numerators_mod_p(inet, p)
    ids, rows, bad = [], [], []
    outs = range(network.widths[-1])
    for batch in batches(inet, lines):
        for r, pt in enumerate(batch.index):
            if batch.zero[r]:
                bad.append(pt)
                continue
            for i, row in zip(outs, jacobian_rows(mods, batch, r, outs, p)):
                ids.append((pt, i))
                rows.append(row)
    return ids, rows, bad


def float_jacobian(network: Network, X: np.ndarray) -> np.ndarray:
    """DF_X in float64, rows (x, i) in the order of X then outputs (untrusted)."""
    Ws = [W for W, _ in network.float_layers]
    bs = [b for _, b in network.float_layers]
    n, L, dout = len(X), len(Ws), network.widths[-1]
    acts, masks, a = [X], [], X
    for l in range(L - 1):
        z = a @ Ws[l].T + bs[l]
        masks.append(z > 0)
        a = np.maximum(z, 0.0)
        acts.append(a)
    blocks = []
    delta = np.broadcast_to(np.eye(dout), (n, dout, dout)).copy()  # (point, output, neuron)
    for l in range(L - 1, -1, -1):
        aug = np.concatenate([acts[l], np.ones((n, 1))], axis=1)
        blocks.append(np.einsum("pij,pk->pijk", delta, aug).reshape(n, dout, -1))
        if l:
            delta = (delta @ Ws[l]) * masks[l - 1][:, None, :]
    return np.concatenate(blocks[::-1], axis=2).reshape(n * dout, -1)


def float_rank(J: np.ndarray) -> int:
    """numpy's default SVD rank (the usual functional-dimension practice; not a proof)."""
    return int(np.linalg.matrix_rank(J))


def generators(network: Network) -> list[list[Fraction]]:
    """Ξ as a dense H × N matrix of Fractions (small networks; the kernel's sparse rows)."""
    N, _ = counts(network.widths)
    dense = []
    for row in generator_rows(network.net):
        v = [Fraction(0)] * N
        for c, x in row.items():
            v[c] = x
        dense.append(v)
    return dense
