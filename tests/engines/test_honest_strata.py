"""Step 2 of Theorem 3.7 (theory.md §3.5) against a brute force over the strata near θ.

Near θ ∈ Σ every point lies in a stratum Z_P (P ⊂ Q the pairs kept, the others split into two
singles each).  The limit lemma (Step 1) says a move μ of Z_P can be realisable arbitrarily close
to θ only if its *limit data* satisfy rank(M_μ(θ)|_{U_μ}) ≤ g + e_μ.  Step 2 reduces every such
move of a split stratum to a move of θ's own stratum violating (L), or to a failure of (a').  This
module enumerates all moves of all strata with their limit data — which the package never does
(it enumerates only θ's own stratum, P = Q) — and checks the consequence: some stratum has a
limit-bad move ⟺ the package decides θ ∉ int Σ.  (With these ≤ 3 pairs the split pairs of the
limit-bad moves found play only the roles (∅,∅) and (T,T) of Step 2; the roles with A' or (T,∅)
need a violating move of θ with spare freed neurons, hence more pairs.)"""
from __future__ import annotations

import random
from fractions import Fraction as F
from itertools import combinations, product

from certify.kernel.honest import decide
from certify.kernel.linalg import nullspace_q, rank_q
from certify.network import Network

# Hidden rows and biases: (d, n) = (3, 7) with two pairs, two parallel singles and a third single
# (S13's geometry), the same with a pair of ratio 2, and (4, 9) with three pairs.
GEOMETRIES = [
    ([[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -2, 0], [0, 0, 1], [0, 0, 1], [1, 1, 1]],
     [0, 0, 0, 0, 0, -1, -1]),
    ([[1, 0, 0], [-2, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1], [1, 0, 1]],
     [1, -2, 0, 0, 1, 2, 0]),
    ([[1, 0, 0, 0], [-1, 0, 0, 0], [0, 1, 0, 0], [0, -1, 0, 0], [0, 0, 1, 0], [0, 0, -3, 0],
      [0, 0, 0, 1], [0, 0, 0, 2], [1, 1, 0, 1]],
     [0, 0, 1, -1, 0, 0, 0, -1, 2]),
]


def subsets(items, most=None):
    items = list(items)
    top = len(items) if most is None else min(most, len(items))
    return (c for k in range(top + 1) for c in combinations(items, k))


def stratum_moves(pairs, singles, P):
    """The non-trivial moves (R, removed members, A', largest g, T) of the stratum Z_P: pairs P kept,
    the other pairs split into two singles each (theory.md §3.4 with Q := P, S := S_P)."""
    S_P = list(singles) + [x for k in range(len(pairs)) if k not in P for x in pairs[k]]
    for R in subsets(P):
        for removed in product(*[pairs[k] for k in R]):
            for A in subsets(S_P, len(R)):
                g = (len(R) - len(A)) // 2  # the largest g: the condition is monotone in g
                for T in subsets(i for i in S_P if i not in A):
                    if R or T:
                        yield R, removed, A, g, T


def limit_bad_move(rows, outs, pairs, singles, split_only: bool):
    """A move of some stratum Z_P (P ≠ Q if ``split_only``) whose limit data at θ satisfy
    rank(M_μ B_{U_μ}) ≤ g + e_μ, or None.  Split members keep their normal at θ (limit data)."""
    d, m = len(rows[0]), len(outs)
    flip = [[outs[r][i] * w for r in range(m) for w in rows[i]] for i in range(len(rows))]
    for P in subsets(range(len(pairs)), len(pairs) - 1 if split_only else None):
        for R, removed, A, g, T in stratum_moves(pairs, singles, P):
            normals = [rows[pairs[k][0]] for k in P if k not in R] + [rows[i] for i in A]
            e = len(normals) - rank_q(normals)
            U = nullspace_q(normals, d)
            M = [sum(flip[i][k] for i in removed + T) for k in range(m * d)]
            MU = [[sum(M[r * d + j] * u[j] for j in range(d)) for u in U] for r in range(m)]
            if rank_q(MU) <= g + e:
                return {"P": P, "R": R, "remove": removed, "A": A, "g": g, "T": T, "e": e}
    return None


def test_limit_bad_moves_of_all_strata_are_the_int_sigma_failures():
    rng = random.Random(6)  # a seed that meets every outcome within ~100 draws (fast)
    seen = {"int": 0, "own": 0, "split": 0}
    for trial in range(600):
        rows, biases = GEOMETRIES[trial % 3]
        rows = [[F(x) for x in r] for r in rows]
        outs = [[F(rng.choice([-2, -1, 1, 2])) for _ in rows] for _ in range(2)]
        data = decide(Network.from_layers([(rows, biases), (outs, [0, 0])]).net)
        if data["sigma"] is not True:
            continue
        pairs = [tuple(p) for p in data["pairs"]]
        singles = [i for i in range(len(rows)) if all(i not in p for p in pairs)]
        split = limit_bad_move(rows, outs, pairs, singles, split_only=True)
        own = limit_bad_move(rows, outs, pairs, singles, split_only=False) if split is None else split
        # Steps 1–2: a limit-bad move anywhere ⟺ (a') or (L) fails ⟺ θ ∉ int Σ
        assert (own is not None) == (data["int_sigma"] is False), (rows, outs, own, data)
        seen["int" if own is None else "split" if split else "own"] += 1
        if min(seen.values()) >= 3:
            break
    assert min(seen.values()) >= 3, seen  # all three outcomes exercised (else the test proves little)
