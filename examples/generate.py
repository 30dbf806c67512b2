"""Regenerate the example networks of theory.md §6 and their manifest.

    python examples/generate.py

Every network is written in ``certify.network/1``; ``manifest.json`` records the
answer theory.md gives for each command (exit codes per DESIGN.md) and the section
that says so.  Witness networks (θ' with f_θ' = f_θ) are listed as pairs.
"""
from __future__ import annotations

import json
import os
import random
from fractions import Fraction as F

HERE = os.path.dirname(os.path.abspath(__file__))


def q(x) -> str:
    x = F(x)
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def net(name: str, layers, box=None, source: str = "") -> dict:
    obj = {"format": "certify.network/1", "name": name,
           "source": source or "theory.md §6",
           "layers": [{"weight": [[q(v) for v in row] for row in w], "bias": [q(v) for v in b]} for w, b in layers]}
    if box is not None:
        obj["domain"] = {"box": [[q(lo), q(hi)] for lo, hi in box]}
    return obj


def rand_layers(widths, seed):
    rng = random.Random(seed)
    return [([[F(rng.randint(-9, 9), rng.randint(1, 4)) or F(1) for _ in range(a)] for _ in range(b)],
             [F(rng.randint(-9, 9), rng.randint(1, 4)) for _ in range(b)]) for a, b in zip(widths, widths[1:])]


NETS: dict[str, dict] = {}
EXPECT: dict[str, dict] = {}


def add(key, layers, expected, section, box=None):
    NETS[key] = net(key, layers, box, f"theory.md {section}")
    EXPECT[key] = {"section": section, **expected}


# ---- §6.1 shallow (d, n, m)
add("S1", [([[1], [-1]], [0, 0]), ([[1, 1]], [0])],
    {"hidden": 1, "honest": 1, "local": 3, "fdim": 4, "note": "|x|: in Σ, not in int Σ; rank 4 < 5"}, "§6.1 S1")
add("S2", [([[1], [-1]], [0, 0]), ([[2, 1]], [0])],
    {"hidden": 1, "honest": 0, "local": 3, "fdim": 4, "note": "in int Σ minus U_0; no finite-sample certificate"},
    "§6.1 S2, Theorem 3.5")
add("S3", [([[1], [1]], [0, -1]), ([[1, -1]], [0])],
    {"hidden": 0, "mechanism": "M8", "honest": 1, "local": 0, "fdim": 5, "note": "discrete flip; rank 5 = N − H"},
    "§6.1 S3")
add("S3-witness", [([[-1], [-1]], [0, 1]), ([[1, -1]], [1])], {}, "§6.1 S3")
add("S4", [([[1], [2]], [0, 0]), ([[1, 1]], [0])],
    {"hidden": 0, "mechanism": "M6", "honest": 1, "local": 1}, "§6.1 S4")
add("S4-witness", [([[1], [2]], [0, 0]), ([[3, 0]], [0])], {}, "§6.1 S4 (t = 1)")
add("S5", [([[0], [1]], [2, 0]), ([[1, 1]], [0])],
    {"hidden": 0, "mechanism": "M3", "honest": 1, "local": 1}, "§6.1 S5")
add("S5-witness", [([[0], [1]], [2, 0]), ([[0, 1]], [2])], {}, "§6.1 S5")
add("S6", [([[1, 0], [0, 1], [1, 1]], [0, 0, -1]), ([[1, 2, -4]], [0])],
    {"hidden": 1, "honest": 0, "local": 0, "fdim": 10, "note": "in U_0"}, "§6.1 S6")
add("S7", [([[1, 0], [0, 1], [1, 1]], [0, 0, -1]), ([[1, 1, -1]], [0])],
    {"hidden": 0, "mechanism": "M8", "honest": 1, "local": 0, "fdim": 10, "note": "invisible 3-flip"},
    "§6.1 S7")
add("S7-witness", [([[-1, 0], [0, -1], [-1, -1]], [0, 0, 1]), ([[1, 1, -1]], [1])], {}, "§6.1 S7")
add("S8", [([[1], [-1], [1]], [0, 0, -1]), ([[2, 1, 3]], [0])],
    {"hidden": 0, "mechanism": "M13", "honest": 1, "note": "minimal representation with a pair move"},
    "§6.1 S8, §3.7")
add("S8-witness", [([[1], [1], [-1]], [0, -1, 1]), ([[3, 2, 1]], [-1])], {}, "§6.1 S8")
add("S9", [([[1, 0], [-1, 0], [0, 1], [0, -1]], [0, 0, 0, 0]), ([[2, 1, 3, -5]], [0])],
    {"hidden": 0, "mechanism": "M13", "honest": 1, "note": "two pairs, m = 1: continuous family"}, "§6.1 S9")
add("S9-witness", [([[1, 0], [0, 1], [-1, 5], [1, -5]], [0, 0, 1, -1]), ([[3, -2, 1, -1]], [-1])], {},
    "§6.1 S9 (β = 1)")
add("S10", [([[1, 0], [-1, 0], [0, 1]], [0, 0, 0]), ([[2, 1, 3]], [0])],
    {"hidden": 1, "honest": 0, "local": 3, "note": "U_1 point: honest, rank 9 < 10"}, "§6.1 S10, Theorem 3.6")
add("S11", [([[1, 0], [-1, 0], [1, 0]], [0, 0, -1]), ([[2, 1, 3]], [0])],
    {"hidden": 0, "mechanism": "M13", "honest": 1}, "§6.1 S11")
add("S13", [([[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, 1], [1, 1, 1]], [0, 0, 0, 0, 0, -1, -1]),
            ([[1, 0, 2, -1, 0, -1, 1], [0, 1, -1, -1, 3, 2, 1]], [0, 0])],
    {"hidden": 1, "honest": 1, "note": "two pairs, m = 2: in Σ, not in int Σ (limit move, Theorem 3.7)"},
    "§6.1 S13, Theorem 3.7")
add("S14", [([[1, 0], [-1, 0], [0, 1], [0, -1]], [0, 0, 0, 0]), ([[2, 1, 0, 1], [0, 1, 3, -1]], [0, 0])],
    {"hidden": 1, "honest": 0, "note": "two pairs, m = 2: in int Σ (Theorem 3.7)"}, "§6.1 S14, Theorem 3.7")
add("S12", [([[1], [1]], [0, -1]), ([[1, -1]], [0])],
    {"hidden": 0, "mechanism": "M12", "honest": None, "note": "S3 on [2, 5]: constant 1 there"}, "§6.1 S12",
    box=[(2, 5)])
add("S12-constant", [([[0]], [0]), ([[0]], [1])], {}, "§6.1 S12: the constant 1", box=[(2, 5)])

# ---- §6.2 deep
I2 = [[1, 0], [0, 1]]
add("D-DEAD", [(I2, [0, 0]), ([[-1, -2], [1, -1]], [-1, 1]), ([[1, 1]], [0])],
    {"hidden": 0, "mechanism": "M1", "local": 1, "fdim": 8, "prune": 1}, "§6.2 D-DEAD")
add("D-DEAD-witness", [(I2, [0, 0]), ([[-1, -2], [1, -1]], [-1, 1]), ([[7, 1]], [0])], {}, "§6.2 D-DEAD")
add("D-ACT", [(I2, [0, 0]), ([[1, 2], [1, -1]], [1, 1]), ([[1, 1]], [0])],
    {"hidden": 0, "mechanism": "M4", "local": 1, "fdim": 10, "prune": 0}, "§6.2 D-ACT")
add("D-ACT-witness", [(I2, [0, 0]), ([[1, 2], [1, -1]], [F(7, 2), 1]), ([[1, 1]], [F(-5, 2)])], {},
    "§6.2 D-ACT (t = 5/2)")
add("D-FLIP", [([[1, 0], [0, 1], [1, 1], [1, -1]], [0, 0, -1, F(1, 2)]),
               ([[1, 1, -1, -2], [-2, -2, 2, 1]], [F(1, 2), 1]), ([[1, -1]], [0])],
    {"hidden": 0, "mechanism": "M8", "local": 0, "fdim": 19, "note": "locally identifiable yet not in Σ"},
    "§6.2 D-FLIP")
add("D-FLIP-witness", [([[-1, 0], [0, -1], [-1, -1], [1, -1]], [0, 0, 1, F(1, 2)]),
                       ([[1, 1, -1, -2], [-2, -2, 2, 1]], [F(3, 2), -1]), ([[1, -1]], [0])], {}, "§6.2 D-FLIP")
D_ID = [([[F(-1, 3), F(5, 4)], [-9, F(3, 2)], [F(-5, 2), F(7, 2)]], [8, F(-9, 4), -4]),
        ([[-1, F(-5, 2), 1], [-8, F(7, 4), 2], [3, F(-1, 4), F(-7, 2)]], [F(-7, 4), F(5, 4), F(-8, 3)]),
        ([[F(-7, 2), 9, -1]], [F(-4, 3)])]
add("D-ID", D_ID, {"hidden": 3, "local": 0, "fdim": 19, "prune": 0, "note": "kink-block certificate, rank 19 = N − H"},
    "§6.2 D-ID, Theorem 5.4")
# D-ID moved by a group element, and D-ID with one weight perturbed
g_perm, g_scale = [2, 0, 1], [F(2), F(1, 3), F(5, 7)]
l1w = [None] * 3
l1b = [None] * 3
for i in range(3):
    l1w[g_perm[i]] = [g_scale[i] * v for v in D_ID[0][0][i]]
    l1b[g_perm[i]] = g_scale[i] * D_ID[0][1][i]
l2w = [[None] * 3 for _ in range(3)]
for r in range(3):
    for i in range(3):
        l2w[r][g_perm[i]] = D_ID[1][0][r][i] / g_scale[i]
add("D-ID-moved", [(l1w, l1b), (l2w, D_ID[1][1]), D_ID[2]], {}, "§6.2 D-ID under a group element")
add("D-ID-perturbed", [D_ID[0], D_ID[1], ([[F(-7, 2), 9, F(-1001, 1000)]], [F(-4, 3)])], {},
    "§6.2 D-ID with W_3[0][2] moved by 1/1000")
top = rand_layers([2, 6, 6, 3], seed=21)  # a 3-class classifier, and a copy with W_2[0][0] moved by 1/20
add("C-TOP", top, {}, "issue 13: a 2-6-6-3 classifier (equiv --top1)")
top_moved = [(list(map(list, w)), list(b)) for w, b in top]
top_moved[1][0][0][0] += F(1, 20)
add("C-TOP-perturbed", top_moved, {}, "issue 13: C-TOP with W_2[0][0] moved by 1/20")
stab = rand_layers([3, 4, 4, 2], seed=7)
stab[1][0][0] = [F(9, 2), F(2, 3), F(3, 2), F(4, 3)]
stab[1][1][0] = F(4, 3)
add("D-STAB", stab, {"hidden": 0, "mechanism": "M4", "local": 1,
                     "note": "layer-2 row and bias positive: stably active, no kink"}, "§6.2 D-STAB")
add("D-W1", [([[1, F(-1, 2)]], [F(1, 3)]), ([[2], [-1]], [1, F(-1, 2)]), ([[1, 3]], [0])],
    {"hidden": 0, "mechanism": "M11", "local": 1, "prune": 1,
     "note": "width-1 layer: one layer-2 neuron stably active, one dead"},
    "§6.2 D-W1")
twin = [list(map(list, D_ID[0])), [list(map(list, D_ID[1][0])), list(D_ID[1][1])], D_ID[2]]
twin[1][0][1] = [3 * v for v in D_ID[1][0][0]]
twin[1][1][1] = 3 * D_ID[1][1][0]
add("D-TWIN", [tuple(twin[0]), tuple(twin[1]), twin[2]], {"hidden": 0, "mechanism": "M6", "local": 1},
    "§6.2 D-TWIN")
# M10 beyond the sign test: k = σ(y0 − y1), i = σ(−(y0 − y1) − y2/2 − 1) ≤ σ(−z_k) vanishes where k
# fires (not on k's opposite ray), and j = σ(−y_k + 3 y_i − 1/2) is dead there: a conditional
# region tree proves the premise (§4 M10), W_3[0][0] can decrease freely.
add("D-EXCL", [([[1, 0], [0, 1], [1, 1]], [0, 0, 0]),
               ([[1, -1, 0], [-1, 1, F(-1, 2)], [0, 1, 1]], [0, -1, -1]),
               ([[-1, 3, 0], [1, 1, -1]], [F(-1, 2), F(1, 3)]), ([[1, -2]], [0])],
    {"hidden": 0, "mechanism": "M10", "local": 1, "fdim": 23, "prune": 0,
     "note": "neuron [2, 0] dead wherever [1, 0] is active (conditional region tree)"}, "§4 M10")

PAIRS = [
    {"A": "S1", "B": "S1", "equiv": 0, "orbit": 0},
    {"A": "S3", "B": "S3-witness", "equiv": 0, "orbit": 1, "why": "hidden flip (M8)"},
    {"A": "S4", "B": "S4-witness", "equiv": 0, "orbit": 1, "why": "twins (M6)"},
    {"A": "S5", "B": "S5-witness", "equiv": 0, "orbit": 1, "why": "constant neuron (M3)"},
    {"A": "S7", "B": "S7-witness", "equiv": 0, "orbit": 1, "why": "invisible 3-flip (M8)"},
    {"A": "S8", "B": "S8-witness", "equiv": 0, "orbit": 1, "why": "pair move (§3.7)"},
    {"A": "S9", "B": "S9-witness", "equiv": 0, "orbit": 1, "why": "two pairs, linear units (§3.5)"},
    {"A": "S12", "B": "S12-constant", "equiv": 0, "box": True, "why": "both neurons stably active on [2, 5]"},
    {"A": "S6", "B": "S7", "equiv": 1, "orbit": 1},
    {"A": "D-ID", "B": "D-ID-moved", "equiv": 0, "orbit": 0},
    {"A": "D-ID", "B": "D-ID-perturbed", "equiv": 1, "orbit": 1},
    {"A": "D-DEAD", "B": "D-DEAD-witness", "equiv": 0, "orbit": 1, "why": "dead neuron (M1)"},
    {"A": "D-ACT", "B": "D-ACT-witness", "equiv": 0, "orbit": 1, "why": "stably active neuron (M4)"},
    {"A": "D-FLIP", "B": "D-FLIP-witness", "equiv": 0, "orbit": 1, "why": "flip (M8)"},
]


def main() -> None:
    for key, obj in NETS.items():
        with open(os.path.join(HERE, f"{key}.json"), "w") as fh:
            json.dump(obj, fh, indent=1)
            fh.write("\n")
    networks = {k: {"file": f"{k}.json", **v} for k, v in EXPECT.items() if v}
    manifest = {
        "about": "Expected exit codes (0 yes, 1 no, 3 undecided) per command, from theory.md §6. "
                 "hidden: 0 = hidden symmetry found, 1 = none exists. honest: 0 = in int Σ. "
                 "local: 0 = locally identifiable. fdim: exact batch functional dimension. "
                 "prune: number of hidden neurons proved dead on R^d0 and deleted (§4 M1).",
        "networks": networks,
        "pairs": PAIRS,
    }
    with open(os.path.join(HERE, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
