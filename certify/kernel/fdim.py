"""Checker for ``functional-dimension``: exact bounds on the batch functional dimension.

Claim: ``{"statement": "batch-functional-dimension", "networks": {"A": θ}, "domain": …,
"sample": lines, "lower": r, "upper": u}``: rank DF_X(θ) ∈ [r, u] for X = the points of the
lines (theory.md §2.3: dim_ba.fun(θ, X) = rank of the Jacobian of θ ↦ (f_θ(x))_{x∈X}).

Evidence ``{"method": "minor+kernel", "prime": p, "rows": r pairs [[line, k], output],
"columns": r parameter indices, "vectors": [v_1, …, v_k]}``.  The kernel checks:
* X admissible (exact): DF_X is defined and Ξ ⊂ ker DF_X (Sc-invariance, §1);
* lower: the r × r minor DF_X[rows, columns] is nonzero mod p, hence over Q (§5.3);
* upper: every v_i (rational, length N) has DF_X·v_i = 0 exactly at every point and output,
  and rank [Ξ; v_1; …; v_k] ≥ N − u mod p (a lower bound for the rational rank), so
  dim ker DF_X ≥ N − u (§5.2: "a kernel vector is not a witness" — it bounds the sampled map only).

Trusts: ``exact``, ``forward`` (exact batched Jacobian rows), ``local`` (parameter indexing), python-flint ``nmod_mat`` (ranks mod p).
"""
from __future__ import annotations

from fractions import Fraction

from flint import nmod_mat

from .claims import claim_domain, claim_networks
from .exact import InputError, int_row, vector
from .forward import batches, int_net, parse_lines
from .local import (_int, column_scales, counts, jacobian_rows, minor_rows, numerators_mod_p, param_index,
                    parse_point, parse_prime)
from .network import Net
from .registry import checker, require

STATEMENT = "batch-functional-dimension"


def generator_rows(net: Net) -> list[dict[int, Fraction]]:
    """Ξ: ξ_{l,j} = (row j of (W_l | b_l)) − (column j of W_{l+1}), sparse (theory.md §1)."""
    w, out = net.widths, []
    for l in range(len(net.layers) - 1):
        layer, nxt = net.layers[l], net.layers[l + 1]
        for j in range(w[l + 1]):
            row = {param_index(w, l, j, k): v for k, v in enumerate(layer.weight[j]) if v}
            if layer.bias[j]:
                row[param_index(w, l, j, w[l])] = layer.bias[j]
            for i in range(w[l + 2]):
                if nxt.weight[i][j]:
                    row[param_index(w, l + 1, i, j)] = -nxt.weight[i][j]
            out.append(row)
    return out


@checker("functional-dimension", "minor+kernel")
def check_functional_dimension(claim: dict, evidence: dict) -> None:
    require(claim.get("statement") == STATEMENT, f"claim.statement: expected {STATEMENT!r}")
    net = claim_networks(claim, ("A",))[0]
    box = claim_domain(claim, net.widths[0])
    require(set(claim) == {"statement", "networks", "domain", "sample", "lower", "upper"},
            "claim: expected statement, networks, domain, sample, lower, upper")
    require(set(evidence) == {"method", "prime", "rows", "columns", "vectors"},
            "evidence: expected method, prime, rows, columns, vectors")
    require(evidence["method"] == "minor+kernel", "evidence.method: expected 'minor+kernel'")
    widths = net.widths
    N, _ = counts(widths)
    lower = _int(claim["lower"], "claim.lower", 0, N + 1)
    upper = _int(claim["upper"], "claim.upper", lower, N + 1)
    p = parse_prime(evidence["prime"])
    lines = parse_lines(claim["sample"], "claim.sample", widths[0], box)
    rows, cols = evidence["rows"], evidence["columns"]
    require(isinstance(rows, list) and len(rows) == lower, f"evidence.rows: expected {lower} rows")
    require(isinstance(cols, list) and len(cols) == lower, f"evidence.columns: expected {lower} columns")
    cols = [_int(c, f"evidence.columns[{i}]", 0, N) for i, c in enumerate(cols)]
    require(len(set(cols)) == len(cols), "evidence.columns: repeated column")
    parsed = []
    for i, r in enumerate(rows):
        require(isinstance(r, list) and len(r) == 2, f"evidence.rows[{i}]: expected [[line, k], output]")
        parsed.append((parse_point(r[0], f"evidence.rows[{i}][0]", lines),
                       _int(r[1], f"evidence.rows[{i}][1]", 0, widths[-1])))
    require(len(set(parsed)) == len(parsed), "evidence.rows: repeated row")
    raw = evidence["vectors"]
    require(isinstance(raw, list), "evidence.vectors: expected a list")
    try:
        vectors = [vector(v, f"evidence.vectors[{i}]", N) for i, v in enumerate(raw)]
    except InputError as e:
        from .registry import CheckFailure
        raise CheckFailure(str(e)) from None
    # lower bound (this pass also checks admissibility of every point)
    minor = minor_rows(net, lines, parsed, cols, p)
    if lower:
        require(nmod_mat(minor, p).det() != 0, f"the selected {lower}-minor vanishes mod {p}")
    # upper bound: DF_X v = 0 exactly ⟺ J'(v / s) = 0 (DF_X = diag(1/D)·J'·diag(1/s))
    inet = int_net(net)
    scales = column_scales(inet)
    scaled = [int_row([x / s for x, s in zip(v, scales)]) for v in vectors]
    exact = numerators_mod_p(inet, None)
    outs = range(widths[-1])
    for batch in batches(inet, lines):
        for r in range(len(batch.index)):
            for row in jacobian_rows(exact, batch, r, outs, None):
                for i, (nums, _) in enumerate(scaled):
                    require(sum(map(int.__mul__, row, nums)) == 0,
                            f"evidence.vectors[{i}]: DF_X·v ≠ 0 at point {list(batch.index[r])}")
    # The rank must be taken in θ's own coordinates, where Ξ lives: ``scaled`` (v / s) is in
    # J''s column scaling, and mixing the two can count v ∈ span Ξ as a new kernel direction.
    basis = [_dense_int(g, N) for g in generator_rows(net)] + [list(int_row(v)[0]) for v in vectors]
    rank = nmod_mat(basis, p).rank() if basis else 0
    require(rank >= N - upper, f"rank [Ξ; vectors] = {rank} mod {p} < N − upper = {N - upper}")


def _dense_int(row: dict[int, Fraction], n: int) -> list[int]:
    dense = [Fraction(0)] * n
    for c, x in row.items():
        dense[c] = x
    return list(int_row(dense)[0])
