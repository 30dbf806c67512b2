"""The magnitude of a domain: every bound must have a finite float (DESIGN.md, "Network format").

A question's domain is searched in floating point (sampling, LPs, kink probes) before anything
is verified exactly, so ``check_magnitude`` refuses a bound with |q| > ``MAX_BOUND`` = 10^300
(the float maximum is about 1.8·10^308; the margin keeps widths hi − lo and the first products
finite).  The bound itself stays exact; only the float proposals need the limit.  Network
weights have no such limit when read (``certify convert`` and the kernel take them exactly);
the float view of a network refuses them when a search builds it (``Network.float_layers``).

The other limits on a user's numbers — at most 4300 digits, decimal exponents up to 4000 —
are the kernel's (``kernel.exact.rational``), so that the kernel and the readers agree.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Sequence

from ..kernel.exact import InputError, fmt

__all__ = ["check_magnitude", "MAX_BOUND"]

MAX_BOUND = 10 ** 300


def check_magnitude(box: Sequence[tuple[Fraction, Fraction]], where: str, vnnlib: bool = False) -> None:
    """Refuse a box with a bound of magnitude above ``MAX_BOUND`` (see the module docstring);
    the error names ``where[i]`` (``where: X_i`` for a VNN-LIB file)."""
    for i, pair in enumerate(box):
        for q in pair:
            if abs(q) > MAX_BOUND:
                text = fmt(q)
                short = text if len(text) <= 24 else f"{text[:12]}… ({len(text)} characters)"
                raise InputError(f"{where}: X_{i}" if vnnlib else f"{where}[{i}]",
                                 f"bound {short} exceeds 10^300 in magnitude; certify searches a domain in "
                                 "floating point, so bounds must be at most 10^300")
