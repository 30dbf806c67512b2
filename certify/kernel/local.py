"""Checker for ``locally-identifiable`` certificates: Theorem 5.1 (dense) and 5.4 (kink probes).

Claim: ``{"statement": "locally-identifiable", "networks": {"A": θ}, "domain": …,
"radius": null | ε}``: there is a neighbourhood V of θ in which every θ' with f_θ' = f_θ on
the domain is a positive rescaling of θ (theory.md §5.1); with a radius, V contains the ℓ∞
ball of radius ε (Theorem 5.3, checked by ``radius.py``).

Conventions shared with the engines.  Hidden layer l (0-based) is the output of
``layers[l]``.  Parameters are ordered layer by layer, neuron by neuron, each neuron's
incoming weights then its bias: ``param_index(widths, l, j, k)`` with k = d_l for the bias.
A point is ``[line, k]``: x0 + t_k·e of line ``lines[line]``.

Dense form (method ``dense``, Theorem 5.1).  Evidence: prime p, lines, ``rows`` = N − H
pairs ``[[line, k], output]``, ``columns`` = N − H parameter indices.  The kernel checks
(H1) every listed point has nonzero hidden pre-activations (exact); (H2) every hidden neuron
has a nonzero incoming row, which makes the pivot block of Ξ triangular with nonzero diagonal,
so rank Ξ = H (§5.4); (H3) the minor J[rows, columns] of the Jacobian is nonzero mod p
(§5.3: a nonzero minor mod p is nonzero over Q, and rank J ≤ N − H since Ξ ⊂ ker J).

Kink-probe form (method ``kink-probe``, Theorem 5.4).  Evidence: prime p, lines, ``probes``
= ``[line, [k1, k2, k3, k4], [l, j], output]`` (exactly d_l probes per hidden neuron of
hidden layer l, whose input width is d_l), ``final`` = d_{L-1} + 1 points.  Per probe: (P1)
the four points are admissible; (P2) pattern(k1) = pattern(k2), pattern(k3) = pattern(k4),
and pattern(k2), pattern(k3) differ exactly at neuron (l, j); (P3) the slopes of f_output
on the two sides differ (s_+ − s_− = ±u_i ∂_t z, so this is u_i ≠ 0).  The kink vector
v = (a_l(x(t*)), 1) is proportional to z(k2)·R(k3) − z(k3)·R(k2), R = augmented input rows
of ``layers[l]``.  (K1): each neuron's d_l kink vectors have rank d_l mod p; (K2): the rows
(a_{L-1}(x), 1) of the final points have rank d_{L-1} + 1 mod p.  Then rank DF_X = N − H
for X = all listed points (Theorem 5.4) and Theorem 5.1 applies; every listed point must be
admissible.  (H2) follows as above: a neuron with a kink has a nonzero row.

Trusts: ``exact``, ``forward`` (exact batched passes, under the deadline), ``linalg``, python-flint ``nmod_mat`` (ranks mod p).
"""
from __future__ import annotations

from flint import nmod_mat

from .claims import claim_domain, claim_networks
from .exact import InputError, rational
from .forward import Batch, IntNet, Line, batches, int_net, map_batches, parse_lines
from .linalg import is_probable_prime
from .network import Net
from .registry import CheckFailure, checker, require

STATEMENT = "locally-identifiable"
MAX_PRIME = 2 ** 63  # nmod_mat works with word-size moduli


# --------------------------------------------------------------------------- conventions

def param_offsets(widths) -> list[int]:
    """Offset of the first parameter of ``layers[l]``; the last entry is N."""
    out = [0]
    for a, b in zip(widths, widths[1:]):
        out.append(out[-1] + b * (a + 1))
    return out


def param_index(widths, l: int, j: int, k: int) -> int:
    """Index of W_l[j][k] (k < d_l) or of b_l[j] (k = d_l) for ``layers[l]``."""
    return param_offsets(widths)[l] + j * (widths[l] + 1) + k


def counts(widths) -> tuple[int, int]:
    """(N, H)."""
    return param_offsets(widths)[-1], sum(widths[1:-1])


def every_row_nonzero(net: Net) -> None:
    """(H2) via §5.4: a nonzero entry in every hidden row makes rank Ξ = H."""
    for l, layer in enumerate(net.layers[:-1]):
        for j, (w, b) in enumerate(zip(layer.weight, layer.bias)):
            require(b != 0 or any(w), f"hidden neuron [{l}, {j}] has a zero incoming row (H2 fails)")


# --------------------------------------------------------------------------- parsing helpers

def _int(value: object, where: str, lo: int = 0, hi: int | None = None) -> int:
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= lo and (hi is None or value < hi)
    require(ok, f"{where}: expected an integer in [{lo}, {hi if hi is not None else '∞'})")
    return value  # type: ignore[return-value]


def parse_prime(value: object, where: str = "evidence.prime") -> int:
    p = _int(value, where, 2, MAX_PRIME)
    require(is_probable_prime(p), f"{where}: {p} is not prime")
    return p


def parse_point(value: object, where: str, lines: list[Line]) -> tuple[int, int]:
    require(isinstance(value, list) and len(value) == 2, f"{where}: expected [line, k]")
    m = _int(value[0], f"{where}[0]", 0, len(lines))
    return m, _int(value[1], f"{where}[1]", 0, len(lines[m].t))


def claim_network(claim: dict) -> tuple[Net, object]:
    require(claim.get("statement") == STATEMENT, f"claim.statement: expected {STATEMENT!r}")
    net = claim_networks(claim, ("A",))[0]
    require(len(net.layers) >= 2, "claim.networks.A: no hidden layer")
    return net, claim_domain(claim, net.widths[0])


# --------------------------------------------------------------------------- probes (Theorem 5.4)

def probe_vector(batch: Batch, rows: tuple[int, int, int, int], l: int, j: int, output: int) -> tuple[str | None, list[int]]:
    """(reason, v): reason is None iff (P1)–(P3) hold; v ∝ the kink vector (a_l(x(t*)), 1)."""
    k1, k2, k3, k4 = rows
    if any(batch.zero[k] for k in rows):
        return "(P1) a probe point has a zero pre-activation", []
    pat = batch.pattern
    if pat[k1] != pat[k2] or pat[k3] != pat[k4]:
        return "(P2) the pattern changes within one side of the kink", []
    a, b = pat[k2], pat[k3]
    if any(a[m] != b[m] for m in range(len(a)) if m != l):
        return "(P2) the patterns on the two sides differ outside the neuron's layer", []
    diff = int.from_bytes(a[l], "big") ^ int.from_bytes(b[l], "big")
    if diff != 1 << (8 * (len(a[l]) - 1 - j)):
        return f"(P2) the patterns on the two sides do not differ exactly at neuron [{l}, {j}]", []
    ts = [batch.lines[batch.index[k][0]].t[batch.index[k][1]] for k in rows]
    ys = [batch.output(k)[output] for k in rows]
    if (ys[1] - ys[0]) / (ts[1] - ts[0]) == (ys[3] - ys[2]) / (ts[3] - ts[2]):
        return f"(P3) output {output} does not bend at the kink (u_i = 0)", []
    z2, z3 = batch.z(k2, l, j), batch.z(k3, l, j)
    r2, r3 = batch.input_row(k2, l), batch.input_row(k3, l)
    return None, [z2 * x3 - z3 * x2 for x2, x3 in zip(r2, r3)]


def parse_probes(value: object, widths, lines: list[Line]) -> list[tuple]:
    """[(line, (k1..k4), l, j, output)], with exactly d_l probes per hidden neuron of layer l."""
    require(isinstance(value, list), "evidence.probes: expected a list")
    out, seen = [], {}
    for n, pr in enumerate(value):
        at = f"evidence.probes[{n}]"
        require(isinstance(pr, list) and len(pr) == 4, f"{at}: expected [line, [k1, k2, k3, k4], [l, j], output]")
        m = _int(pr[0], f"{at}[0]", 0, len(lines))
        ks = pr[1]
        require(isinstance(ks, list) and len(ks) == 4, f"{at}[1]: expected four point indices")
        ks = tuple(_int(k, f"{at}[1]", 0, len(lines[m].t)) for k in ks)
        require(ks[0] < ks[1] < ks[2] < ks[3], f"{at}[1]: indices must increase")
        require(isinstance(pr[2], list) and len(pr[2]) == 2, f"{at}[2]: expected [l, j]")
        l = _int(pr[2][0], f"{at}[2][0]", 0, len(widths) - 2)
        j = _int(pr[2][1], f"{at}[2][1]", 0, widths[l + 1])
        out.append((m, ks, l, j, _int(pr[3], f"{at}[3]", 0, widths[-1])))
        seen[(l, j)] = seen.get((l, j), 0) + 1
    for l in range(len(widths) - 2):
        for j in range(widths[l + 1]):
            got = seen.get((l, j), 0)
            require(got == widths[l], f"evidence.probes: neuron [{l}, {j}] needs exactly {widths[l]} probes, has {got}")
    return out


def _kink_task(batch: Batch, payload: tuple) -> tuple[str | None, list, list]:
    """One batch: admissibility, (P1)–(P3) of its probes, kink vectors and final rows mod p."""
    by_line, finals, p, last = payload
    for r, (m, k) in enumerate(batch.index):
        if batch.zero[r]:
            return f"(H1) point [{m}, {k}] has a zero hidden pre-activation", [], []
    kinks, rows = [], []
    for m in sorted({m for m, _ in batch.index}):
        for n, (_, ks, l, j, out) in by_line.get(m, []):
            reason, v = probe_vector(batch, tuple(batch.row_of[(m, k)] for k in ks), l, j, out)
            if reason is not None:
                return f"evidence.probes[{n}]: {reason}", [], []
            kinks.append(((l, j), [x % p for x in v]))
        for i, k in finals.get(m, []):
            rows.append((i, [x % p for x in batch.input_row(batch.row_of[(m, k)], last)]))
    return None, kinks, rows


def kink_blocks(net: Net, lines: list[Line], probes: list[tuple], final: list[tuple[int, int]],
                p: int) -> tuple[dict, list]:
    """Run the exact passes: check (P1)–(P3) and admissibility; return the blocks mod p."""
    by_line: dict[int, list] = {}
    for n, pr in enumerate(probes):
        by_line.setdefault(pr[0], []).append((n, pr))
    finals: dict[int, list] = {}
    for i, (m, k) in enumerate(final):
        finals.setdefault(m, []).append((i, k))
    blocks: dict[tuple[int, int], list[list[int]]] = {}
    final_rows: list = [None] * len(final)
    for failure, kinks, rows in map_batches(net, lines, _kink_task, (by_line, finals, p, len(net.layers) - 1)):
        require(failure is None, failure or "")
        for neuron, v in kinks:
            blocks.setdefault(neuron, []).append(v)
        for i, row in rows:
            final_rows[i] = row
    return blocks, final_rows


@checker("locally-identifiable", "kink-probe")
def check_kink_probe(claim: dict, evidence: dict) -> None:
    """Theorem 5.4 ⇒ rank DF_X = N − H ⇒ Theorem 5.1 (and Theorem 5.3 if a radius is claimed)."""
    net, box = claim_network(claim)
    keys = {"method", "prime", "lines", "probes", "final"} | ({"radius"} if "radius" in evidence else set())
    require(set(evidence) == keys, "evidence: expected method, prime, lines, probes, final (and radius)")
    widths = net.widths
    p = parse_prime(evidence["prime"])
    lines = parse_lines(evidence["lines"], "evidence.lines", widths[0], box)
    probes = parse_probes(evidence["probes"], widths, lines)
    raw_final = evidence["final"]
    require(isinstance(raw_final, list) and len(raw_final) == widths[-2] + 1,
            f"evidence.final: expected {widths[-2] + 1} points")
    final = [parse_point(v, f"evidence.final[{i}]", lines) for i, v in enumerate(raw_final)]
    every_row_nonzero(net)
    blocks, final_rows = kink_blocks(net, lines, probes, final, p)
    for (l, j), rows in sorted(blocks.items()):
        require(nmod_mat(rows, p).rank() == widths[l],
                f"(K1) the kink vectors of neuron [{l}, {j}] are dependent mod {p}")
    require(nmod_mat(final_rows, p).rank() == widths[-2] + 1,
            f"(K2) the final points do not span Q^{widths[-2] + 1} mod {p}")
    _radius(claim, evidence, net, lines, probes, final)


def _radius(claim: dict, evidence: dict, net: Net, lines, probes, final) -> None:
    radius = claim.get("radius")
    if radius is None:
        require("radius" not in evidence, "evidence.radius: present but the claim has no radius")
        return
    require("radius" in evidence, "evidence.radius: missing for a claimed radius")
    try:
        eps = rational(radius, "claim.radius")
    except InputError as e:
        raise CheckFailure(str(e)) from None
    from .radius import check_radius  # a separate module: Lemma 5.2 and the interval test
    check_radius(net, eps, evidence["radius"], lines, probes, final)


# --------------------------------------------------------------------------- dense form (Theorem 5.1)

def jacobian_rows(mods: list, batch: Batch, r: int, outputs, p: int | None) -> list[list[int]]:
    """Rows of J' (∝ DF_X) at point row r, one per output, all N columns; mod p (None: exact).

    ``mods`` = ``numerators_mod_p(batch.net, p)``.  Entry (output i, W_l[j][k] or b_l[j]) is
    δ'_{l,j}·R_l[k] with R_l the augmented input row (integers) and δ' the backward pass
    through the integer numerators with the exact pattern.  Then
    DF_X = diag(1/D_x)·J'·diag(1/s) with D_x > 0 per row and s_l = Π_{m≠l} c_m per layer
    (``column_scales``), so every minor of J' vanishes iff the same minor of DF_X does.
    """
    widths, L = batch.net.widths, len(batch.net.mats)
    red = (lambda x: x % p) if p else (lambda x: x)
    masks = batch.pattern[r]
    inputs = [[red(x) for x in batch.input_row(r, l)] for l in range(L)]
    out = []
    for i in outputs:
        delta = [0] * widths[-1]
        delta[i] = 1
        row_parts: list = [None] * L
        for l in range(L - 1, -1, -1):
            R = inputs[l]
            row_parts[l] = [red(dj * x) for dj in delta for x in R]
            if l:
                back = [0] * widths[l]
                for dj, wrow in zip(delta, mods[l]):  # rows of Wn (d_{l+1} × d_l)
                    if dj:
                        back = [b + dj * w for b, w in zip(back, wrow)]
                mask = masks[l - 1]
                delta = [red(b) if mask[k] else 0 for k, b in enumerate(back)]
        out.append([x for part in row_parts for x in part])
    return out


def column_scales(inet: IntNet) -> list[int]:
    """s_l = Π_{m≠l} c_m for every parameter column (DF_X = diag(1/D_x)·J'·diag(1/s))."""
    total = 1
    for c in inet.dens:
        total *= c
    widths = inet.widths
    return [total // inet.dens[l] for l in range(len(inet.dens)) for _ in range(widths[l + 1] * (widths[l] + 1))]


def numerators_mod_p(inet: IntNet, p: int | None) -> list[list[list[int]]]:
    """The weight numerators Wn of every layer mod p (None: exact), as rows (d_out × d_in)."""
    mats = []
    for mat in inet.mats:
        cols = mat.tolist()  # (d_in + 1) × d_out
        mats.append([[int(cols[k][j]) % p if p else int(cols[k][j]) for k in range(len(cols) - 1)]
                     for j in range(len(cols[0]))])
    return mats


@checker("locally-identifiable", "dense")
def check_dense(claim: dict, evidence: dict) -> None:
    """Theorem 5.1: (H1) exact, (H2) via nonzero rows, (H3) a nonzero (N−H)-minor mod p."""
    net, box = claim_network(claim)
    require(claim.get("radius") is None, "claim.radius: the dense form carries no radius")
    require(set(evidence) == {"method", "prime", "lines", "rows", "columns"},
            "evidence: expected method, prime, lines, rows, columns")
    widths = net.widths
    N, H = counts(widths)
    p = parse_prime(evidence["prime"])
    lines = parse_lines(evidence["lines"], "evidence.lines", widths[0], box)
    rows, cols = evidence["rows"], evidence["columns"]
    require(isinstance(rows, list) and len(rows) == N - H, f"evidence.rows: expected N − H = {N - H} rows")
    require(isinstance(cols, list) and len(cols) == N - H, f"evidence.columns: expected N − H = {N - H} columns")
    cols = [_int(c, f"evidence.columns[{i}]", 0, N) for i, c in enumerate(cols)]
    require(len(set(cols)) == len(cols), "evidence.columns: repeated column")
    parsed = []
    for i, r in enumerate(rows):
        require(isinstance(r, list) and len(r) == 2, f"evidence.rows[{i}]: expected [[line, k], output]")
        parsed.append((parse_point(r[0], f"evidence.rows[{i}][0]", lines), _int(r[1], f"evidence.rows[{i}][1]", 0, widths[-1])))
    require(len(set(parsed)) == len(parsed), "evidence.rows: repeated row")
    every_row_nonzero(net)
    minor = minor_rows(net, lines, parsed, cols, p)
    require(nmod_mat(minor, p).det() != 0, f"(H3) the selected minor vanishes mod {p}")


def minor_rows(net: Net, lines: list[Line], rows: list, cols: list[int], p: int) -> list[list[int]]:
    """J'[rows, cols] mod p, checking (H1) at every listed point on the way."""
    inet = int_net(net)
    mods = numerators_mod_p(inet, p)
    wanted: dict[tuple[int, int], list[int]] = {}
    for (pt, i) in rows:
        wanted.setdefault(pt, []).append(i)
    values: dict[tuple, list[int]] = {}
    for batch in batches(inet, lines):
        for r, pt in enumerate(batch.index):
            require(not batch.zero[r], f"(H1) point {list(pt)} has a zero hidden pre-activation")
            if pt in wanted:
                outs = wanted[pt]
                for i, full in zip(outs, jacobian_rows(mods, batch, r, outs, p)):
                    values[(pt, i)] = [full[c] for c in cols]
    return [values[r] for r in rows]
