"""One hidden layer (theory.md §3): canonical forms, Σ and int Σ, the fiber, the honest set as polynomials,
and the kink moment of the non-quotient theorem (§3.8)."""
