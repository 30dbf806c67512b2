"""Single-field mutations of region-tree certificates fail the kernel — unless the mutated
certificate still proves a true claim, which an independent oracle (z3 over the rationals,
a different method) then confirms.  Covers multipliers, row ids, branching data (split
neurons, fix signs, node kinds, deleted nodes) and the claim itself."""
from __future__ import annotations

import json
from fractions import Fraction

import pytest

from certify.deep import regiontree as rt
from certify.core.certificate import claim, envelope
from certify.encode import smt
from certify.kernel import check
from certify.kernel import regiontree as krt
from certify.kernel.network import parse_domain
from certify.kernel.registry import CheckFailure
from certify.network import Network
from deep_pairs import box_move_pair
from mutation import mutations

EX = "examples/"


def _cert(a, b, box):
    r = rt.prove_equivalence(a, b, box)
    assert r.verdict == "proved"
    cert = envelope("equivalent", claim("equivalent", {"A": a, "B": b}, box),
                    {"method": "region-tree", "tree": r.tree}, "region-tree", "", 0.0)
    return json.loads(json.dumps(cert))


def _cases():
    out = []
    for x, y in (("D-DEAD", "D-DEAD-witness"), ("D-ACT", "D-ACT-witness")):
        out.append((f"{x}", Network.load(EX + x + ".json"), Network.load(EX + y + ".json"), None))
    box = ((Fraction(-2), Fraction(2)),) * 2
    for seed in (15, 18):  # moves whose precondition needs splits, tri rows and empty leaves
        a, b, _ = box_move_pair([2, 4, 3, 2], seed, box)
        out.append((f"box-move-{seed}", a, b, box))
    return out


CASES = _cases()


def _still_true(mutant: dict) -> bool:
    """The oracle: z3 decides the mutated claim exactly."""
    try:
        nets = mutant["claim"]["networks"]
        a, b = Network.from_json(nets["A"]).net, Network.from_json(nets["B"]).net
        box = parse_domain(mutant["claim"]["domain"], "domain", a.widths[0])
    except Exception:
        return False
    if a.widths[0] != b.widths[0] or a.widths[-1] != b.widths[-1]:
        return False
    return smt.decide(a, b, box, timeout=20).status == "unsat" and mutant["claim"].get("statement") == "equivalent"


@pytest.mark.parametrize("label,a,b,box", CASES, ids=[c[0] for c in CASES])
def test_mutations_fail_or_are_true(label, a, b, box):
    cert = _cert(a, b, box)
    assert check(cert).valid
    tree = cert["evidence"]["tree"]
    assert any("fix" in n or "split" in n for n in tree)
    muts = mutations(cert)
    evidence_muts = [m for m in muts if m[0].startswith("evidence")]
    assert len(evidence_muts) >= 10
    accepted = []
    for what, mutant in muts:
        if check(mutant).valid:
            accepted.append(what)
            assert _still_true(mutant), f"kernel accepted a false claim after {what}"
    # evidence mutations are nearly all fatal; the accepted ones are true claims (checked above)
    acc_ev = [w for w in accepted if w.startswith("evidence")]
    assert len(acc_ev) <= len(evidence_muts) // 10, acc_ev


@pytest.mark.parametrize("label,a,b,box", CASES[2:], ids=[c[0] for c in CASES[2:]])
def test_structural_mutations_fail(label, a, b, box):
    """Branching data: swapping the children of a split, flipping a fix, removing a node,
    splitting on another neuron, turning an empty leaf into a claim leaf."""
    cert = _cert(a, b, box)
    tree = cert["evidence"]["tree"]

    def ok(t):
        c = json.loads(json.dumps(cert))
        c["evidence"]["tree"] = t
        return check(c).valid

    assert ok(tree)
    for i, node in enumerate(tree):
        if "fix" in node:
            flipped = dict(node, sign="on" if node["sign"] == "off" else "off")
            assert not ok(tree[:i] + [flipped] + tree[i + 1:])
        if "split" in node:
            other = [node["split"][0], node["split"][1], (node["split"][2] + 1) % 3]
            assert not ok(tree[:i] + [{"split": other}] + tree[i + 1:]) or other == node["split"]
        if "empty" in node:
            assert not ok(tree[:i] + [{"leaf": [node["empty"]] * 4}] + tree[i + 1:])
        assert not ok(tree[:i] + tree[i + 1:])
    # swap the two subtrees of the first split (off ↔ on): the multipliers no longer fit
    first = next(i for i, n in enumerate(tree) if "split" in n)
    off_end = _subtree_end(tree, first + 1)
    swapped = tree[:first + 1] + tree[off_end:_subtree_end(tree, off_end)] + tree[first + 1:off_end] \
        + tree[_subtree_end(tree, off_end):]
    assert swapped == tree or not ok(swapped)


def _subtree_end(tree: list, i: int) -> int:
    """Index after the subtree starting at i (pre-order, splits have two children, fixes one)."""
    need = 1
    while need:
        node = tree[i]
        i += 1
        need -= 1
        need += 2 if "split" in node else 1 if "fix" in node else 0
    return i


def test_sign_evidence_mutations_fail():
    a, _, (l, j, sign) = box_move_pair([2, 4, 3, 2], 15, ((Fraction(-2), Fraction(2)),) * 2)
    box = ((Fraction(-2), Fraction(2)),) * 2
    ev = rt.prove_neuron_sign(a, l, j, box, sign)
    krt.check_neuron_sign(a.net, box, l, j, sign, ev)
    rejected = 0
    muts = mutations({"evidence": ev}, skip=())
    for what, m in muts:
        try:
            krt.check_neuron_sign(a.net, box, l, j, sign, m.get("evidence"))
        except CheckFailure:
            rejected += 1
    assert rejected >= len(muts) - len(muts) // 10
