"""Hidden symmetries (theory.md §3.3–3.5, §4): find one with an exact witness, or prove there is none.

``mechanisms`` is the catalogue M1–M13 (premises proved, witnesses θ' built near θ); ``search`` is a z3
CEGIS search for tiny networks; ``decision`` runs them for ``certify hidden``.  The kernel checks every witness.
"""
