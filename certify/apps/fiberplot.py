"""The picture of a one-parameter family (``certify fiber --family … --plot``; extra ``plot``: matplotlib).

Each point is a record of ``certify.shallow.fibers.family_point``: its numbers come from
kernel-checked certificates (kept next to the picture as JSON lines); the picture is drawn
in floats and is not itself a claim.
"""
from __future__ import annotations

from fractions import Fraction

from ..shallow.fibers import FAMILIES, HONESTY_LEVEL
from .plot import _require_matplotlib


def draw(records: list[dict], path: str) -> None:
    Figure = _require_matplotlib()
    name = records[0]["family"]
    ts = [float(Fraction(r["t"])) for r in records]
    fig = Figure(figsize=(7.0, 4.6))
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    dims = [r["fiber_dim"] for r in records]
    n = min(r["orbit_dim"] for r in records)
    colours = ["#1f77b4" if r["certified"] else "#d62728" for r in records]
    top.vlines(ts, n, dims, color="#1f77b4", lw=0.8, alpha=0.5)  # isolated jumps: no interpolation
    top.scatter(ts, dims, c=colours, zorder=3, s=22)
    top.axhline(n, color="grey", lw=0.6, ls=":")
    top.set_ylabel("dim fiber(θ(t))")
    top.set_yticks(range(min(dims + [n]), max(dims) + 1))
    top.set_title(f"family {name}: {FAMILIES[name][3]}", fontsize=9)
    levels = [HONESTY_LEVEL.get(r["honesty"], -1) for r in records]
    bottom.scatter(ts, levels, c=["#2ca02c" if r["certified"] else "#d62728" for r in records], zorder=3, s=22)
    bottom.set_yticks([0, 1, 2], ["θ ∉ Σ", "Σ ∖ int Σ", "int Σ (honest)"])
    bottom.set_ylim(-0.5, 2.5)
    bottom.set_xlabel("t")
    fig.text(0.01, 0.01, "every point: kernel-checked certificates (fiber samples, honest) in the JSONL next to "
             "this picture", fontsize=7, color="grey")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path, dpi=110)
