"""Solver encodings of equivalence questions (theory.md §4.2, complete method B and the MILP).

* ``smt``: ReLU as ``If(z > 0, z, 0)`` over the reals — z3 through its API (exact over the
  rationals, no big-M, unbounded domains allowed) and a writer for SMT-LIB 2 (QF_LRA,
  rationals as ``(/ p q)``).
* ``lp``: the big-M MILP on a box (pulp; HiGHS or CBC), big-M from exact interval bounds,
  and LP/MPS files.

Solvers only propose: a model or an optimum is a candidate input, re-evaluated exactly.
A solver's "unsat"/"optimum 0" is never a certificate (the kernel does not take a
solver's word); region trees are the certificates (``certify.deep.regiontree``).
"""
