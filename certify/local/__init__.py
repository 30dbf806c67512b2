"""Local identifiability and functional dimension (theory.md §5): Jacobians, kink probes, ranks, radii."""
