"""Deep networks on a box or R^d (theory.md §4.2): activation regions, region trees, sampling, ε-equivalence, top-1.

Floats and LPs here only propose; every proof they produce is re-checked by ``certify.kernel``.
"""
