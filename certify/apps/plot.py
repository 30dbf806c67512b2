"""Pictures of ReLU networks with input dimension 1 or 2 (extra ``plot``: matplotlib).

The geometry is computed **exactly** (rational arithmetic), the drawing in floats:

* ``arrangement(network, box)`` partitions the view box into the activation regions of
  the network, layer by layer: on each region of layers < l the pre-activations of layer
  l are affine in x (theory.md §1), so each neuron's zero set z_{l,j} = 0 cuts the region
  along a straight segment — the *bent hyperplanes* of layer l.  Splitting convex
  polygons (intervals in 1-D) by these lines gives the regions on which f is affine,
  together with f's exact affine map on each.
* On every region of layers < l the pre-activation z_{l,j} is affine, so its minimum and
  maximum over the box are attained at region vertices: a neuron is **dead on the box**
  if max z ≤ 0 and **stably active** if min z ≥ 0 — exact statements about the view
  box (not about R^d0 unless the network's domain is that box).

The drawing (``draw``): in 2-D the regions are filled with f's level sets (contour bands
interpolated linearly over each region's triangles: exact, since f is affine there),
region boundaries are thin grey lines, bent hyperplanes are coloured by layer with a
tick on the side where the neuron is active (z > 0); in 1-D the graph of f with its
kinks (filled) and neuron switches that do not bend f (hollow), and the last layer's
terms W_L[k, j]·a_j(x).  A witness pair θ, θ' is drawn side by side on the same box and
colour scale.  A picture is not a claim: the equivalence of a witness is certified
by ``certify equiv`` / the witness certificate, not by this picture.
"""
from __future__ import annotations

import io
import math
import os
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Sequence

from ..kernel.exact import InputError, Matrix, Vector, dot, fmt
from ..kernel.network import Box
from ..network import Network

__all__ = ["arrangement", "Arrangement", "Region", "Bend", "view_box", "draw", "write_plot", "load_witness"]

Point = tuple[Fraction, ...]
MAX_REGIONS = 20000


@dataclass(frozen=True)
class Region:
    """A convex cell of the view box (polygon in 2-D, interval in 1-D) on which f is affine."""

    vertices: tuple[Point, ...]     # counter-clockwise in 2-D; (lo, hi) in 1-D
    pattern: tuple[tuple[int, ...], ...]
    hidden: tuple[Matrix, Vector]   # a_{L-1}(x) = A x + c on the region
    output: tuple[Matrix, Vector]   # f(x) = A x + c on the region

    def value(self, x: Point) -> Vector:
        a, c = self.output
        return tuple(dot(row, x) + ci for row, ci in zip(a, c))


@dataclass(frozen=True)
class Bend:
    """A piece of the bent hyperplane z_{layer, neuron} = 0 inside one region of earlier layers."""

    layer: int          # 0-based hidden layer (the output of network.layers[layer])
    neuron: int
    ends: tuple[Point, Point]   # equal in 1-D
    normal: Point       # z = normal·x + offset on that region; normal points to the active side z > 0
    offset: Fraction
    bends_f: bool | None = None  # does f itself bend there (its affine maps differ across)?


@dataclass
class Arrangement:
    box: Box
    regions: list[Region]
    bends: list[Bend]
    extremes: dict[tuple[int, int], tuple[Fraction, Fraction]] = field(default_factory=dict)

    def dead(self) -> list[tuple[int, int]]:
        """Hidden neurons with z ≤ 0 on the whole box (layer, neuron), 0-based."""
        return sorted(k for k, (lo, hi) in self.extremes.items() if hi <= 0)

    def stably_active(self) -> list[tuple[int, int]]:
        return sorted(k for k, (lo, hi) in self.extremes.items() if lo >= 0 and hi > 0)


# --------------------------------------------------------------------------- exact geometry

def _matmul(w: Matrix, a: Matrix) -> Matrix:
    cols = list(zip(*a))
    return tuple(tuple(dot(row, col) for col in cols) for row in w)


def _affine_after(w: Matrix, b: Vector, a: Matrix, c: Vector) -> tuple[Matrix, Vector]:
    """z = W (A x + c) + b as (W A, W c + b)."""
    return _matmul(w, a), tuple(dot(row, c) + bi for row, bi in zip(w, b))


def _value(g: Sequence[Fraction], h: Fraction, x: Point) -> Fraction:
    return sum((gi * xi for gi, xi in zip(g, x)), h)


def _area2(poly: Sequence[Point]) -> Fraction:
    """Twice the signed area (shoelace)."""
    n = len(poly)
    return sum((poly[i][0] * poly[(i + 1) % n][1] - poly[(i + 1) % n][0] * poly[i][1] for i in range(n)),
               Fraction(0))


def _clip(poly: Sequence[Point], g: Sequence[Fraction], h: Fraction, sign: int) -> tuple[Point, ...]:
    """The part of a convex polygon where sign·(g·x + h) ≥ 0 (Sutherland–Hodgman, exact)."""
    out: list[Point] = []
    n = len(poly)
    for i in range(n):
        p, q = poly[i], poly[(i + 1) % n]
        vp, vq = sign * _value(g, h, p), sign * _value(g, h, q)
        if vp >= 0:
            out.append(p)
        if (vp > 0 > vq) or (vp < 0 < vq):
            t = vp / (vp - vq)
            out.append(tuple(pi + t * (qi - pi) for pi, qi in zip(p, q)))
    dedup = [p for i, p in enumerate(out) if p != out[i - 1]] if len(out) > 1 else out
    return tuple(dedup)


def _split(cell: tuple[Point, ...], g: Sequence[Fraction], h: Fraction
           ) -> tuple[list[tuple[tuple[Point, ...], int]], tuple[Point, Point] | None]:
    """Split a cell by z = g·x + h: [(part, sign of z inside)], and the piece of z = 0 in it.

    The zero set is reported when it cuts the cell, and also when it runs along the
    boundary of a cell on its active side (z > 0 inside): a neuron whose hyperplane
    coincides with an earlier one (a twin, a flipped pair) still shows its bend, once.
    """
    values = [_value(g, h, v) for v in cell]
    if all(v >= 0 for v in values) or all(v <= 0 for v in values):
        inside = _value(g, h, _centre(cell))
        sign = (inside > 0) - (inside < 0)
        n = len(cell)
        if n > 2:  # a polygon: an edge on the line
            edge = [(cell[i], cell[(i + 1) % n]) for i in range(n) if values[i] == 0 == values[(i + 1) % n]]
        else:      # an interval: an end point on the switch
            edge = [(v, v) for v, z in zip(cell, values) if z == 0]
        return [(cell, sign)], ((min(edge[0]), max(edge[0])) if edge and sign > 0 else None)
    if len(cell[0]) == 1:
        root = -h / g[0]
        parts = [((cell[0], (root,)), 1 if values[0] > 0 else -1), (((root,), cell[1]), 1 if values[1] > 0 else -1)]
        return parts, ((root,), (root,))
    pos, neg = _clip(cell, g, h, 1), _clip(cell, g, h, -1)
    cut = [p for p in pos if _value(g, h, p) == 0]
    ends = (min(cut), max(cut)) if len(cut) >= 2 else None
    return [(part, s) for part, s in ((pos, 1), (neg, -1)) if len(part) >= 3 and _area2(part) != 0], ends


def _on_boundary(ends: tuple[Point, Point], box: Box) -> bool:
    """Both ends on one side of the box: a zero set along the boundary is not drawn as a bend."""
    return any(ends[0][k] == ends[1][k] == bound for k, iv in enumerate(box) for bound in iv)


def _centre(cell: Sequence[Point]) -> Point:
    n = len(cell)
    return tuple(sum(coords, Fraction(0)) / n for coords in zip(*cell))


def _box_cell(box: Box) -> tuple[Point, ...]:
    if len(box) == 1:
        return ((box[0][0],), (box[0][1],))
    (x0, x1), (y0, y1) = box
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def arrangement(network: Network, box: Box, max_regions: int = MAX_REGIONS) -> Arrangement:
    """The exact partition of ``box`` into activation regions, bends and per-neuron extremes."""
    d0 = network.widths[0]
    if d0 not in (1, 2):
        raise InputError("", f"plots need input dimension 1 or 2; this network has {d0} inputs")
    if len(box) != d0 or any(lo >= hi for lo, hi in box):
        raise InputError("--box", "the view box must have one non-empty interval per input")
    identity = tuple(tuple(Fraction(int(i == j)) for j in range(d0)) for i in range(d0))
    cells = [(_box_cell(box), identity, (Fraction(0),) * d0, ())]
    bends: list[Bend] = []
    extremes: dict[tuple[int, int], tuple[Fraction, Fraction]] = {}
    for l, layer in enumerate(network.layers[:-1]):
        new_cells = []
        for vertices, a, c, pattern in cells:
            z_a, z_c = _affine_after(layer.weight, layer.bias, a, c)
            pieces = [(vertices, ())]
            for j, (g, h) in enumerate(zip(z_a, z_c)):
                vals = [_value(g, h, v) for v in vertices]
                lo, hi = extremes.get((l, j), (min(vals), max(vals)))
                extremes[(l, j)] = (min(lo, *vals), max(hi, *vals))
                split = []
                for piece, signs in pieces:
                    parts, ends = _split(piece, g, h)
                    if ends is not None and not _on_boundary(ends, box):
                        bends.append(Bend(l, j, ends, tuple(g), h))
                    split += [(part, signs + (s,)) for part, s in parts]
                pieces = split
                if len(pieces) + len(new_cells) > max_regions:
                    raise InputError("--max-regions", f"more than {max_regions} regions: too many to draw exactly")
            for piece, signs in pieces:
                on = [s > 0 for s in signs]
                a_next = tuple(row if o else (Fraction(0),) * d0 for row, o in zip(z_a, on))
                c_next = tuple(v if o else Fraction(0) for v, o in zip(z_c, on))
                new_cells.append((piece, a_next, c_next, pattern + (signs,)))
        cells = new_cells
    last = network.layers[-1]
    regions = [Region(v, p, (a, c), _affine_after(last.weight, last.bias, a, c)) for v, a, c, p in cells]
    bounds = [_float_bounds(r.vertices) for r in regions]
    bends = [Bend(b.layer, b.neuron, b.ends, b.normal, b.offset, _bends_f(b, regions, bounds)) for b in bends]
    return Arrangement(box, regions, bends, extremes)


def _contains(region: Region, x: Point) -> bool:
    """x in the closed convex region (exact)."""
    v = region.vertices
    if len(x) == 1:
        return v[0][0] <= x[0] <= v[1][0]
    n = len(v)
    return all((v[(i + 1) % n][0] - v[i][0]) * (x[1] - v[i][1]) - (v[(i + 1) % n][1] - v[i][1]) * (x[0] - v[i][0])
               >= 0 for i in range(n))


def _float_bounds(vertices: Sequence[Point]) -> tuple[float, ...]:
    """A float bounding box slightly enlarged: a filter that never excludes a containing region."""
    out = []
    for coords in zip(*vertices):
        lo, hi = float(min(coords)), float(max(coords))
        pad = 1e-9 * (1.0 + abs(lo) + abs(hi))
        out += [lo - pad, hi + pad]
    return tuple(out)


def _bends_f(bend: Bend, regions: list[Region], bounds: list[tuple[float, ...]]) -> bool | None:
    """Whether f's affine maps differ on the two sides of the bend (None: not decided).

    Take a point m of the segment that is a vertex of no region (then exactly one region
    on each side contains it) and compare the two regions' affine maps of f exactly.  The
    float bounding boxes only skip regions that are far from m; containment is exact.
    """
    g, h = bend.normal, bend.offset
    p, q = bend.ends
    if len(p) == 1:  # 1-D: the regions ending and starting at the switch point
        left = [r.output for r in regions if r.vertices[1] == p]
        right = [r.output for r in regions if r.vertices[0] == p]
        return left != right if len(left) == len(right) == 1 else None
    for t in (Fraction(1, 2), Fraction(1, 3), Fraction(2, 5), Fraction(3, 7), Fraction(5, 11)):
        m = tuple(pi + t * (qi - pi) for pi, qi in zip(p, q))
        mx, my = float(m[0]), float(m[1])
        around = [r for r, (x0, x1, y0, y1) in zip(regions, bounds)
                  if x0 <= mx <= x1 and y0 <= my <= y1 and _contains(r, m)]
        if any(m in r.vertices for r in around):
            continue
        sides: dict[int, set] = {1: set(), -1: set()}
        for r in around:
            z = _value(g, h, _centre(r.vertices))
            sides[1 if z > 0 else -1].add(r.output)
        if len(sides[1]) == 1 and len(sides[-1]) == 1:
            return sides[1] != sides[-1]
    return None


def view_box(network: Network, margin: Fraction = Fraction(1, 4)) -> Box:
    """The network's domain, or a box around the first layer's bent hyperplanes.

    Without a domain the picture shows where the first layer bends: the points of its
    hyperplanes nearest the origin (and their pairwise crossings in 2-D), enlarged by a
    margin, rounded outward to multiples of a power of ten, at least [-1, 1] wide.
    """
    if network.box is not None:
        return network.box
    d0 = network.widths[0]
    layer = network.layers[0]
    points: list[list[float]] = [[0.0] * d0]
    lines = [(tuple(float(v) for v in w), float(b)) for w, b in zip(layer.weight, layer.bias) if any(w)]
    for w, b in lines:
        n2 = sum(v * v for v in w)
        points.append([-b * v / n2 for v in w])
    if d0 == 2:
        for i, (w1, b1) in enumerate(lines):
            for w2, b2 in lines[i + 1:]:
                det = w1[0] * w2[1] - w1[1] * w2[0]
                if abs(det) > 1e-12 * (1 + abs(w1[0] * w2[1]) + abs(w1[1] * w2[0])):
                    points.append([(-b1 * w2[1] + b2 * w1[1]) / det, (-w1[0] * b2 + w2[0] * b1) / det])
    box = []
    for k in range(d0):
        lo, hi = min(p[k] for p in points), max(p[k] for p in points)
        pad = max(float(margin) * (hi - lo), 1.0)
        lo, hi = lo - pad, hi + pad
        step = 10.0 ** math.floor(math.log10(max(hi - lo, 1e-9))) / 10
        box.append((Fraction(math.floor(lo / step)) * Fraction(step).limit_denominator(10 ** 12),
                    Fraction(math.ceil(hi / step)) * Fraction(step).limit_denominator(10 ** 12)))
    return tuple(box)


def load_witness(path: str) -> Network:
    """θ' from a witness file: a network (any format), or a certificate's claim network B."""
    from ..io import load_any
    from ..core.files import read_json
    if path.lower().endswith(".json"):
        obj = read_json(path)
        if isinstance(obj, dict) and obj.get("format") == "certify.certificate/1":
            nets = (obj.get("claim") or {}).get("networks") or {}
            if not isinstance(nets, dict) or len(nets) < 2:
                raise InputError(f"{path}: claim.networks", "a witness certificate needs two networks")
            key = "B" if "B" in nets else list(nets)[1]
            try:
                return Network.from_json(nets[key])
            except InputError as e:
                raise InputError(f"{path}: claim.networks.{key}.{e.path}", e.message) from None
    return load_any(path)


# --------------------------------------------------------------------------- drawing

LAYER_COLOURS = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")


def _require_matplotlib():
    try:
        import matplotlib
    except ImportError:
        raise InputError("certify plot", "pictures need the optional package matplotlib: "
                                         "pip install 'certify[plot]'") from None
    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure
    return Figure


def _neuron_label(k: tuple[int, int]) -> str:
    return f"[{k[0]},{k[1]}]"  # the one neuron convention: [hidden layer, neuron], both from 0


def _status_text(arr: Arrangement) -> str:
    dead, active = arr.dead(), arr.stably_active()
    text = [f"dead on the box: {', '.join(map(_neuron_label, dead)) if dead else 'none'}",
            f"stably active on the box: {', '.join(map(_neuron_label, active)) if active else 'none'}"]
    return "\n".join(text)


def _box_text(box: Box) -> str:
    return " × ".join(f"[{fmt(lo)}, {fmt(hi)}]" for lo, hi in box)


def _draw_2d(ax, net: Network, arr: Arrangement, output: int, vrange: tuple[float, float] | None):
    from matplotlib.collections import LineCollection, PolyCollection
    from matplotlib.tri import Triangulation
    xs, ys, vals, tris = [], [], [], []
    for region in arr.regions:
        base = len(xs)
        for v in region.vertices:
            xs.append(float(v[0]))
            ys.append(float(v[1]))
            vals.append(float(region.value(v)[output]))
        tris += [(base, base + i, base + i + 1) for i in range(1, len(region.vertices) - 1)]
    lo, hi = vrange if vrange else (min(vals), max(vals))
    if hi - lo < 1e-12:
        lo, hi = lo - 1, hi + 1
    # Every triangle lies inside one region, where f is affine: linear interpolation over the
    # triangles (what tricontourf does) draws f's level sets exactly, up to float rounding.
    from matplotlib.ticker import MaxNLocator
    levels = MaxNLocator(40).tick_values(lo, hi)
    mesh = ax.tricontourf(Triangulation(xs, ys, tris), vals, levels=levels, cmap="viridis")
    ax.add_collection(PolyCollection([[(float(x), float(y)) for x, y in r.vertices] for r in arr.regions],
                                     facecolors="none", edgecolors=(1, 1, 1, 0.35), linewidths=0.5))
    (x0, x1), (y0, y1) = ((float(a), float(b)) for a, b in arr.box)
    tick = 0.025 * math.hypot(x1 - x0, y1 - y0)
    flat = False
    for l in range(net.depth - 1):
        bends = [b for b in arr.bends if b.layer == l]
        colour = LAYER_COLOURS[l % len(LAYER_COLOURS)]
        ticks = []
        for b in bends:
            (px, py), (qx, qy) = (tuple(map(float, e)) for e in b.ends)
            gx, gy = (float(v) for v in b.normal)
            norm = math.hypot(gx, gy) or 1.0
            mx, my = (px + qx) / 2, (py + qy) / 2
            ticks.append([(mx, my), (mx + tick * gx / norm, my + tick * gy / norm)])
        for style, group in (("-", [b for b in bends if b.bends_f is not False]),
                             ("--", [b for b in bends if b.bends_f is False])):
            segs = [[tuple(map(float, b.ends[0])), tuple(map(float, b.ends[1]))] for b in group]
            label = f"hidden layer {l} bends ({net.widths[l + 1]} neurons)" if style == "-" else None
            ax.add_collection(LineCollection(segs, colors=colour, linewidths=2.0 if style == "-" else 1.5,
                                             linestyles=style, label=label))
            flat = flat or (style == "--" and bool(group))
        ax.add_collection(LineCollection(ticks, colors=colour, linewidths=1.2))
    if flat:
        ax.plot([], [], ls="--", color="0.3", label="dashed: z = 0 but f does not bend there")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal" if 0.2 < (y1 - y0) / (x1 - x0) < 5 else "auto")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return mesh


def _draw_1d(ax, net: Network, arr: Arrangement, outputs: list[int]):
    regions = sorted(arr.regions, key=lambda r: r.vertices[0])
    xs = [regions[0].vertices[0]] + [r.vertices[1] for r in regions]
    fx = [regions[0].value(xs[0])] + [r.value(r.vertices[1]) for r in regions]
    for k in outputs:
        ax.plot([float(x[0]) for x in xs], [float(v[k]) for v in fx], lw=2.2, color="black" if len(outputs) == 1
                else None, label=f"$f_{{{k}}}(x)$" if len(outputs) > 1 else "$f(x)$", zorder=3)
    # Kinks: a region boundary where some plotted output changes slope; other switches are hollow.
    for left, right in zip(regions, regions[1:]):
        x = right.vertices[0]
        kink = any(left.output[0][k] != right.output[0][k] for k in outputs)
        for k in outputs:
            y = float(right.value(x)[k])
            ax.plot([float(x[0])], [y], "o", ms=7, zorder=4, mfc="black" if kink else "white", mec="black")
    for l in range(net.depth - 1):
        colour = LAYER_COLOURS[l % len(LAYER_COLOURS)]
        points = sorted({float(b.ends[0][0]) for b in arr.bends if b.layer == l})
        for i, x in enumerate(points):
            ax.axvline(x, color=colour, ls=":", lw=1.2, label=f"hidden layer {l} switches" if i == 0 else None)
    if len(outputs) == 1:
        k = outputs[0]
        w_last = net.layers[-1].weight[k]
        labelled = False
        for j in range(net.widths[-2]):
            if w_last[j] == 0:
                continue
            ys = []
            for r in regions:
                a, c = r.hidden
                for x in r.vertices:
                    ys.append((float(x[0]), float(w_last[j] * (dot(a[j], x) + c[j]))))
            ax.plot([p[0] for p in ys], [p[1] for p in ys], lw=0.9, ls="--", color="0.55", zorder=2,
                    label=None if labelled else
                    f"terms $W_L[k,j]\\,a_j(x)$; f = their sum + {fmt(net.layers[-1].bias[k])}")
            labelled = True
    ax.set_xlim(float(arr.box[0][0]), float(arr.box[0][1]))
    ax.set_xlabel("$x$")
    ax.grid(alpha=0.25)


def draw(networks: Sequence[tuple[Network, str]], box: Box | None = None, output: int | None = None,
         fmt_name: str = "png", max_regions: int = MAX_REGIONS) -> tuple[bytes, list[Arrangement]]:
    """Draw one network, or a witness pair side by side, on one view box.

    Returns the picture file's bytes and the exact arrangements it shows.
    """
    Figure = _require_matplotlib()
    first = networks[0][0]
    d0, m = first.widths[0], first.widths[-1]
    for net, title in networks[1:]:
        if net.widths[0] != d0 or net.widths[-1] != m:
            raise InputError(title, f"has a different interface ({net.widths[0]}→{net.widths[-1]}) "
                                    f"than {networks[0][1]} ({d0}→{m})")
    if output is not None and not 0 <= output < m:
        raise InputError("--output", f"must be between 1 and {m}")
    box = box or view_box(first)
    arrangements = [arrangement(net, box, max_regions) for net, _ in networks]
    n = len(networks)
    fig = Figure(figsize=(6.4 * n + (0.8 if d0 == 2 else 0), 5.6), layout="constrained")
    axes = fig.subplots(1, n, squeeze=False)[0]
    if d0 == 2:
        k = output or 0
        vals = [float(r.value(v)[k]) for arr in arrangements for r in arr.regions for v in r.vertices]
        vrange = (min(vals), max(vals))
        mesh = None
        for ax, (net, title), arr in zip(axes, networks, arrangements):
            mesh = _draw_2d(ax, net, arr, k, vrange)
            ax.set_title(f"{title}  ({'-'.join(map(str, net.widths))}, {len(arr.regions)} regions)", fontsize=10)
            ax.legend(loc="upper right", fontsize=7, framealpha=0.8)
            ax.text(0.01, 0.01, _status_text(arr), transform=ax.transAxes, fontsize=7, va="bottom",
                    bbox=dict(boxstyle="round", fc="white", alpha=0.8))
        fig.colorbar(mesh, ax=list(axes), label=f"$f_{{{k}}}(x)$" if m > 1 else "$f(x)$", shrink=0.9)
    else:
        outputs = [output] if output is not None else list(range(min(m, 4)))
        ymin = ymax = None
        for ax, (net, title), arr in zip(axes, networks, arrangements):
            _draw_1d(ax, net, arr, outputs)
            ax.set_title(f"{title}  ({'-'.join(map(str, net.widths))})", fontsize=10)
            ax.legend(loc="best", fontsize=7, framealpha=0.8)
            ax.text(0.01, 0.99, _status_text(arr), transform=ax.transAxes, fontsize=7, va="top",
                    bbox=dict(boxstyle="round", fc="white", alpha=0.8))
            lo, hi = ax.get_ylim()
            ymin, ymax = (lo, hi) if ymin is None else (min(ymin, lo), max(ymax, hi))
        for ax in axes:
            ax.set_ylim(ymin, ymax)
    note = ("exact regions (rational arithmetic); colour bands are level sets of f; ticks point to the "
            "active side z > 0" if d0 == 2 else
            "exact breakpoints: ● kink of f, ○ neuron switch that does not bend f")
    if n == 2:
        note += "; the pair's equivalence is certified by certify equiv, not by this picture"
    fig.suptitle(f"view box {_box_text(box)} — {note}", fontsize=8)
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt_name, dpi=130)
    return buffer.getvalue(), arrangements


def write_plot(path: str, networks: Sequence[tuple[Network, str]], box: Box | None = None,
               output: int | None = None, max_regions: int = MAX_REGIONS) -> list[Arrangement]:
    """Draw and write the picture atomically (format = extension: png, svg, pdf); return the arrangements."""
    from ..core.files import write_bytes_atomic
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    if ext not in ("png", "svg", "pdf"):
        raise InputError(path, "the picture format is chosen by the extension: .png, .svg or .pdf")
    data, arrangements = draw(networks, box, output, ext, max_regions)
    write_bytes_atomic(path, data)
    return arrangements
