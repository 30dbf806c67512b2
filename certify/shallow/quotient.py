"""No semi-algebraic quotient by the fibers (theory.md §3.8, Theorem 3.8): the kink moment.

Write f on R^d in its canonical form (Theorem 3.1) f = A x + c + Σ_k α_k σ(p_k·x + q_k).
The **kink moment** of f is

    Φ(f) = Σ_k ‖α_k‖₁ |q_k|,

the size ‖α_k‖₁‖p_k‖₂ of the gradient jump α_k p_kᵀ across the hyperplane H_k times the
distance |q_k|/‖p_k‖₂ of H_k from the origin.  Rescaling a key (p, q) → λ(p, q) divides α
by λ, so Φ depends on f alone (the form is unique).  The lemma behind Theorem 3.8 is

    Φ(f_θ) ≤ Ψ(θ) := Σ_i ‖a_i‖₁ |b_i|       (Ψ continuous in θ),

because α_k = Σ_{i on H_k} s_i a_i with |b_i| = s_i |q_k|.  The *escaping family*
θ(w, A) = A σ(w x_1 − 1) has Φ = A for w ≠ 0 and is the zero function at w = 0: classes of
every kink moment come arbitrarily close to the class of 0, while on a compact set of
weights Φ stays bounded.  That is why the quotient by the fibers is not first countable
at [0], so no semi-algebraic set carries the quotient (theory.md §3.8).
"""
from __future__ import annotations

from fractions import Fraction

from ..network import Network
from .canonical import canonical_form


def kink_moment(network: Network) -> Fraction:
    """Φ(f_θ) for a network with one hidden layer, exact, from its canonical form on R^d."""
    _, _, terms = canonical_form(network)
    return sum((sum(abs(x) for x in alpha) * abs(Fraction(key[-1])) for key, alpha in terms), Fraction(0))


def kink_moment_bound(network: Network) -> Fraction:
    """Ψ(θ) = Σ_i ‖a_i‖₁ |b_i|: continuous in the weights and ≥ Φ(f_θ) (theory.md §3.8, Lemma)."""
    hidden, out = network.layers
    return sum((abs(b) * sum(abs(row[i]) for row in out.weight) for i, b in enumerate(hidden.bias)), Fraction(0))


def escaping(w: Fraction, A: Fraction, d: int = 1, n: int = 1, m: int = 1) -> Network:
    """θ(w, A) of Theorem 3.8 in architecture d-n-m: neuron 0 has row (w e_1, −1) and output
    column A e_1, every other neuron row (0, −1) and output 0, c = 0; f = A σ(w x_1 − 1)."""
    zero = Fraction(0)
    rows = [[Fraction(w) if (i, j) == (0, 0) else zero for j in range(d)] for i in range(n)]
    outs = [[Fraction(A) if (r, i) == (0, 0) else zero for i in range(n)] for r in range(m)]
    return Network.from_layers([(rows, [Fraction(-1)] * n), (outs, [zero] * m)], name=f"escaping(w={w}, A={A})")


__all__ = ["kink_moment", "kink_moment_bound", "escaping"]
