"""Oracle for B ∈ G·A, independent of certify's matcher: every permutation, scales by z3."""
from __future__ import annotations

import itertools

import z3

from certify.network import Network


def z3_in_orbit(a: Network, b: Network) -> bool:
    """Oracle: try every permutation; solve the (linear in λ) scale equations with z3."""
    if a.widths != b.widths:
        return False
    hidden = a.widths[1:-1]
    for perms in itertools.product(*[itertools.permutations(range(n)) for n in hidden]):
        s = z3.Solver()
        lam = [[z3.Real(f"l{t}_{i}") for i in range(n)] for t, n in enumerate(hidden)]
        for row in lam:
            s.add(*[v > 0 for v in row])
        for t, (la, lb) in enumerate(zip(a.layers, b.layers)):
            last = t == len(a.layers) - 1
            for i, (row, bias) in enumerate(zip(la.weight, la.bias)):
                pi = i if last else perms[t][i]
                li = 1 if last else lam[t][i]
                s.add(z3.RealVal(str(lb.bias[pi])) == li * z3.RealVal(str(bias)))
                for j, w in enumerate(row):
                    pj = j if t == 0 else perms[t - 1][j]
                    lj = 1 if t == 0 else lam[t - 1][j]
                    s.add(z3.RealVal(str(lb.weight[pi][pj])) * lj == li * z3.RealVal(str(w)))
        if s.check() == z3.sat:
            return True
    return False
