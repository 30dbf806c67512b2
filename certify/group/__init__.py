"""The symmetry group G = permutations ⋉ positive scalings (theory.md §1): orbits, matching, approximate orbits."""
