"""Parameter laws of the survey (theory.md §6.4): exact rational draws from symmetric laws.

A draw is u·s: u a *unit* draw rounded to the dyadic grid 2^-16 (zeros redrawn), s an exact
rational scale of its layer.  Every law is symmetric (θ ↦ −θ entrywise preserves it) and has
no atom at 0, the two properties the §6.4 sign statistics use.

* ``gaussian``: u ~ N(0, 1), s = 1 (weights and biases);
* ``uniform``:  u ~ U(−1, 1), s = 1;
* ``he``:       u ~ N(0, 1), s = sqrt(2 / fan_in) (He/Kaiming normal; fan_in = the layer's input
  width; the float square root, taken exactly as the binary number it is).

Biases are drawn like their layer's weights and multiplied by the bias scale S (``--bias-scale``,
a positive rational, default 1).  With the default law (gaussian, S = 1) the draws are exactly
those of earlier versions, so old ``--out`` files resume.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

from ..kernel.exact import InputError, fmt, rational
from ..network import Network

GRID = 1 << 16
LAWS = ("gaussian", "uniform", "he")

__all__ = ["Law", "LAWS", "GRID", "parse_law"]


@dataclass(frozen=True)
class Law:
    name: str = "gaussian"
    bias_scale: Fraction = Fraction(1)

    @property
    def default(self) -> bool:
        return self.name == "gaussian" and self.bias_scale == 1

    @property
    def isotropic_rows(self) -> bool:
        """Is each neuron's (row, bias) an isotropic Gaussian vector (the setting of Brownlowe et
        al.'s n1 = n0 + 1 formula)?  Only for the Gaussian laws with S = 1 (He scales rows and
        biases alike, so they stay isotropic, but layers then differ in scale)."""
        return self.name == "gaussian" and self.bias_scale == 1

    def unit(self, rng: random.Random) -> Fraction:
        """A nonzero draw of the unit law on the grid 2^-16."""
        while True:
            x = rng.uniform(-1.0, 1.0) if self.name == "uniform" else rng.gauss(0.0, 1.0)
            q = Fraction(round(x * GRID), GRID)
            if q:
                return q

    def scale(self, fan_in: int) -> Fraction:
        return Fraction(math.sqrt(2.0 / fan_in)) if self.name == "he" else Fraction(1)

    def parameters(self, widths: Sequence[int], rng: random.Random) -> Network:
        """One draw of every weight and bias (row by row, then the biases, layer by layer)."""
        layers = []
        for a, b in zip(widths, widths[1:]):
            s = self.scale(a)
            weight = [[self.unit(rng) * s for _ in range(a)] for _ in range(b)]
            bias = [self.unit(rng) * s * self.bias_scale for _ in range(b)]
            layers.append((weight, bias))
        return Network.from_layers(layers)

    def text(self) -> str:
        unit = "U(−1,1)" if self.name == "uniform" else "N(0,1)"
        scale = " × sqrt(2/fan_in) (He)" if self.name == "he" else ""
        bias = "" if self.bias_scale == 1 else f"; biases × {fmt(self.bias_scale)}"
        return f"{unit}{scale} rounded to multiples of 2^-16, zeros redrawn (symmetric){bias}"

    def spec(self) -> str:
        """A short name for keys and file names ("" for the default law)."""
        return "" if self.default else f"{self.name}:{fmt(self.bias_scale)}"


def parse_law(name: str, bias_scale: object = 1) -> Law:
    if name not in LAWS:
        raise InputError("--law", f"unknown law {name!r} (choose from {', '.join(LAWS)})")
    s = rational(bias_scale.strip() if isinstance(bias_scale, str) else bias_scale, "--bias-scale")
    if s <= 0:
        raise InputError("--bias-scale", f"must be positive (a zero bias changes the §6.4 statistics), got {fmt(s)}")
    return Law(name, s)
