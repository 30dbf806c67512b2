"""The explicit radius of a kink-probe certificate: Theorem 5.3 in block form (theory.md §5.4–5.5).

Claim: every θ' with ||θ' − θ||∞ ≤ ε and f_θ' = f_θ on X (the certificate's points) is a
positive rescaling of θ.  Evidence ``{"pivots": [[k, …] per hidden layer], "precision": bits}``:
pivot k of neuron (l, j) is a coordinate of its incoming row (k = d_l is the bias).

Proof obligations, all re-derived here:

* ε < |θ_π| for every pivot, so Φ(θ') = λ(θ')·θ' ∈ S_θ (the pivot slice) is defined;
* (E1) Lemma 5.2 at every point of X, in exact integer arithmetic: Δ_0 = 0,
  Δ_{l+1} = (|W_l| + ε11ᵀ)Δ_l + ε(||a_l||_1 + 1)1 < |z_{l+1}|, so θ' has θ's pattern on X;
* (E2) the box Y ∋ y-coordinates of Φ(B_ε), with exact rational endpoints:
  λ_{l,j} ∈ r_{l,j}·λ_{l−1,k} (weight pivot on a hidden input k) or r_{l,j} (bias or input
  pivot), r = [|θ_π|/(|θ_π|+ε), |θ_π|/(|θ_π|−ε)]; W''_l[j][k] = λ_{l,j}·W'_l[j][k]/λ_{l−1,k};
* (E3) T = (kink abscissas κ, F_{X_L}) on the slice has a block lower-triangular Jacobian with
  exactly zero blocks (κ of neuron (l, j) depends on layers < l and row (l, j) only).  Its
  diagonal blocks are enclosed over Y with ball arithmetic (python-flint ``arb``, outward
  rounding): the row of probe q is ∂κ/∂row = −v/∂_t z without the pivot column, where along
  the line the frozen functions are affine, so v = a(t₂) − (z(t₂)/∂_t z)·∂_t a (∂_t from a
  frozen pass of the direction e) — evaluated this way, no 1/(t₃ − t₂) blows up the
  enclosure — and the final block is [(a_{L−1}(x), 1)]_{x∈X_L} (⊗ I_{d_L}).  Each must pass
  the Rump test ||I − R·𝐌||∞ < 1 with R ≈ mid(𝐌)⁻¹ (any R is sound), and ∂_t z must exclude
  0 on Y (κ is defined and smooth).
Then the mean-value argument of Theorem 5.3 gives y' = y_θ, i.e. θ' ∈ Sc·θ.

Trusts: ``forward``, ``clock``, python-flint ``arb`` (ball arithmetic, outward rounded) and ``fmpz_mat``.
"""
from __future__ import annotations

from fractions import Fraction

from flint import arb, arb_mat, ctx, fmpq, fmpz_mat

from .clock import tick
from .forward import Batch, IntNet, batches, int_net
from .network import Net
from .registry import require

Interval = tuple[Fraction, Fraction]


def parse_pivots(value: object, net: Net) -> list[list[int]]:
    widths = net.widths
    hidden = len(widths) - 2
    require(isinstance(value, list) and len(value) == hidden, "evidence.radius.pivots: one list per hidden layer")
    out = []
    for l in range(hidden):
        row = value[l]
        require(isinstance(row, list) and len(row) == widths[l + 1],
                f"evidence.radius.pivots[{l}]: one pivot per neuron")
        ks = []
        for j, k in enumerate(row):
            require(isinstance(k, int) and not isinstance(k, bool) and 0 <= k <= widths[l],
                    f"evidence.radius.pivots[{l}][{j}]: expected an index in [0, {widths[l]}]")
            ks.append(k)
        out.append(ks)
    return out


def _entry(net: Net, l: int, j: int, k: int) -> Fraction:
    layer = net.layers[l]
    return layer.bias[j] if k == len(layer.weight[j]) else layer.weight[j][k]


def _mul(a: Interval, b: Interval) -> Interval:
    products = [x * y for x in a for y in b]
    return min(products), max(products)


def slice_box(net: Net, eps: Fraction, pivots: list[list[int]]) -> list[list[list[Interval]]]:
    """(E2): box[l][j] = intervals of row (l, j) of (W''_l | b''_l) over Φ(B_ε) (pivots exact)."""
    widths = net.widths
    lam_prev: list[Interval] = [(Fraction(1), Fraction(1))] * widths[0]
    box = []
    for l, layer in enumerate(net.layers):
        hidden = l < len(net.layers) - 1
        lam: list[Interval] = []
        rows = []
        for j, (w, b) in enumerate(zip(layer.weight, layer.bias)):
            if hidden:
                k_pi = pivots[l][j]
                t = abs(_entry(net, l, j, k_pi))
                require(t != 0, f"evidence.radius.pivots[{l}][{j}]: the pivot entry is 0")
                require(eps < t, f"claim.radius: ε must be < |θ_π| = {t} at pivot [{l}, {j}]")
                r = (t / (t + eps), t / (t - eps))
                lam_j = _mul(r, lam_prev[k_pi]) if k_pi < widths[l] else r
            else:
                k_pi, lam_j = None, (Fraction(1), Fraction(1))
            lam.append(lam_j)
            row = []
            for k, v in enumerate(tuple(w) + (b,)):
                if k == k_pi:
                    row.append((v, v))  # the slice fixes the pivot
                    continue
                inv = (1 / lam_prev[k][1], 1 / lam_prev[k][0]) if k < widths[l] else (Fraction(1), Fraction(1))
                row.append(_mul(_mul(lam_j, (v - eps, v + eps)), inv))
            rows.append(row)
        box.append(rows)
        lam_prev = lam
    return box


def _ball(iv: Interval) -> arb:
    lo, hi = iv
    a = arb(fmpq(lo.numerator, lo.denominator))
    return a if lo == hi else a.union(arb(fmpq(hi.numerator, hi.denominator)))


# --------------------------------------------------------------------------- (E1) Lemma 5.2

def lemma_5_2(inet: IntNet, batch: Batch, eps: Fraction) -> str | None:
    """None if Δ < |z| at every hidden neuron of every point of the batch, else the failure."""
    widths = inet.widths
    en, ed = eps.numerator, eps.denominator
    n = len(batch.index)
    U: list[list[int]] = [[] for _ in range(n)]
    V = [1] * n
    for l in range(len(inet.mats) - 1):
        d_in, d_out, c = widths[l], widths[l + 1], inet.dens[l]
        if l:
            absW = _abs_weights(inet, l)
            prod = (fmpz_mat(U) * absW).entries()
        for k in range(n):
            R = batch.input_row(k, l)
            D = R[-1]
            SR = sum(abs(x) for x in R[:-1])
            SU = sum(U[k])
            shift = c * en * (SU * D + SR * V[k] + V[k] * D)
            if l:
                base = [int(prod[k * d_out + j]) * ed * D for j in range(d_out)]
            else:
                base = [0] * d_out
            U[k] = [b + shift for b in base]
            V[k] = c * V[k] * ed * D
            for j in range(d_out):
                if U[k][j] * c * D >= abs(batch.z(k, l, j)) * V[k]:
                    m, i = batch.index[k]
                    return f"(E1) Lemma 5.2 fails at point [{m}, {i}], neuron [{l}, {j}]"
    return None


def _abs_weights(inet: IntNet, l: int) -> fmpz_mat:
    cols = inet.mats[l].tolist()[:-1]  # (d_in) × d_out, bias row dropped
    return fmpz_mat([[abs(int(v)) for v in row] for row in cols])


# --------------------------------------------------------------------------- (E3) enclosures

def _interval_layers(box) -> list[arb_mat]:
    """(W'' | b'')ᵀ of every layer as arb matrices ((d_in + 1) × d_out)."""
    mats = []
    for rows in box:
        cols = list(zip(*rows))
        mats.append(arb_mat([[_ball(iv) for iv in col] for col in cols]))
    return mats


def _frozen_pass(mats: list[arb_mat], batch: Batch, rows: list[int]) -> tuple[list, list, list, list]:
    """Enclosures over Y, with the pattern of θ frozen, at the given rows: pre-activations Z[l],
    augmented inputs A[l] = (a_l, 1), and their derivatives along the row's line, dZ[l] and
    dA[l] = (∂_t a_l, 0) (the same pass applied to the direction e, without biases)."""
    first, slope = [], []
    for r in rows:
        R = batch.input_row(r, 0)
        first.append([arb(fmpq(x, R[-1])) for x in R[:-1]] + [arb(1)])
        e = batch.lines[batch.index[r][0]].e
        slope.append([arb(fmpq(v.numerator, v.denominator)) for v in e] + [arb(0)])
    A, dA, Z, dZ = [first], [slope], [], []
    for l, W in enumerate(mats):
        z = (arb_mat(A[-1]) * W).tolist()
        dz = (arb_mat(dA[-1]) * W).tolist()
        Z.append(z)
        dZ.append(dz)
        if l == len(mats) - 1:
            break
        nxt, dnxt = [], []
        for r, zr, dzr in zip(rows, z, dz):
            mask = batch.pattern[r][l]
            nxt.append([v if mask[j] else arb(0) for j, v in enumerate(zr)] + [arb(1)])
            dnxt.append([v if mask[j] else arb(0) for j, v in enumerate(dzr)] + [arb(0)])
        A.append(nxt)
        dA.append(dnxt)
    return Z, A, dZ, dA


def rump(M: list[list[arb]]) -> bool:
    """||I − R·M||∞ < 1 with R = mid(M)⁻¹ rounded: every matrix in the enclosure M is invertible."""
    n = len(M)
    mid = arb_mat([[x.mid() for x in row] for row in M])
    try:
        inv = mid.inv()
    except (ZeroDivisionError, ValueError):
        return False
    R = arb_mat([[x.mid() for x in row] for row in inv.tolist()])
    E = (arb_mat.eye(n) if hasattr(arb_mat, "eye") else _eye(n)) - R * arb_mat(M)
    worst = max(sum((x.abs_upper() for x in row), arb(0)) for row in E.tolist())
    return bool(worst < 1)


def _eye(n: int) -> arb_mat:
    return arb_mat([[arb(int(i == j)) for j in range(n)] for i in range(n)])


def check_radius(net: Net, eps: Fraction, ev: object, lines, probes, final) -> None:
    """Raise CheckFailure unless Theorem 5.3's obligations hold for ε (block form)."""
    require(isinstance(ev, dict) and set(ev) == {"pivots", "precision"},
            "evidence.radius: expected pivots and precision")
    prec = ev["precision"]
    require(isinstance(prec, int) and not isinstance(prec, bool) and 53 <= prec <= 4096,
            "evidence.radius.precision: expected bits in [53, 4096]")
    require(eps > 0, "claim.radius: must be positive")
    pivots = parse_pivots(ev["pivots"], net)
    box = slice_box(net, eps, pivots)
    inet = int_net(net)
    widths, last = net.widths, len(net.layers) - 1
    by_line: dict[int, list] = {}
    for pr in probes:
        by_line.setdefault(pr[0], []).append(pr)
    finals = {}
    for m, k in final:
        finals.setdefault(m, []).append(k)
    blocks: dict[tuple[int, int], list] = {}
    final_rows: list = []
    old = ctx.prec
    ctx.prec = prec
    try:
        mats = _interval_layers(box)
        for batch in batches(inet, lines):
            failure = lemma_5_2(inet, batch, eps)
            require(failure is None, failure or "")
            here = sorted({m for m, _ in batch.index})
            need = sorted({batch.row_of[(m, ks[1])] for m in here for (_, ks, *_r) in by_line.get(m, [])}
                          | {batch.row_of[(m, k)] for m in here for k in finals.get(m, [])})
            if not need:
                continue
            Z, A, dZ, dA = _frozen_pass(mats, batch, need)
            at = {r: i for i, r in enumerate(need)}
            for m in here:
                for (_, ks, l, j, _out) in by_line.get(m, []):
                    i2 = at[batch.row_of[(m, ks[1])]]
                    z2, dz = Z[l][i2][j], dZ[l][i2][j]
                    require(not dz.contains(0), f"(E3) ∂_t z may vanish on Y at a probe of neuron [{l}, {j}]")
                    # kink vector v = a(t₂) − (z(t₂)/∂_t z)·∂_t a (frozen functions are affine in t);
                    # the row of ∂κ/∂(row (l, j)) is −v/∂_t z
                    shift = z2 / dz
                    row = [(x - shift * dx) / dz for x, dx in zip(A[l][i2], dA[l][i2])]
                    del row[pivots[l][j]]
                    blocks.setdefault((l, j), []).append(row)
                for k in finals.get(m, []):
                    final_rows.append(A[last][at[batch.row_of[(m, k)]]])
        for (l, j), M in sorted(blocks.items()):
            tick()
            require(rump(M), f"(E3) the interval kink block of neuron [{l}, {j}] is not certified regular")
        require(rump(final_rows), "(E3) the interval final block is not certified regular")
    finally:
        ctx.prec = old
