"""Top-1 agreement (issue 13): equal classifiers agree, a planted flip disagrees at an exact
point, planted ties follow the documented semantics (maximiser sets intersect; margin > 0
needs a unique argmax).  Every yes is re-checked by exact sampling, every no by an
independent forward pass."""
from __future__ import annotations

import json
import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certify import api
from certify.kernel import check
from certify.kernel.exact import InputError
from certify.network import Network
from strategies import direct_eval, random_network

F = Fraction
BOX = ((F(-1, 4), F(1, 4)), (F(-1, 4), F(1, 4)))


def edited(net: Network, bias: dict | None = None, copy_row: tuple | None = None) -> Network:
    """The network with output biases shifted (``bias``: output ↦ shift) and/or output row
    ``dst`` replaced by row ``src`` (``copy_row = (src, dst)``)."""
    layers = [(list(map(list, l.weight)), list(l.bias)) for l in net.layers]
    w, b = layers[-1]
    if copy_row is not None:
        s, d = copy_row
        w[d], b[d] = list(w[s]), b[s]
    for k, g in (bias or {}).items():
        b[k] += g
    return Network.from_layers(layers)


def common_top(fa, fb, mu) -> bool:
    m = len(fa)
    return any(all(f[c] - f[k] >= mu for f in (fa, fb) for k in range(m) if k != c) for c in range(m))


def assert_sound(ans, a, b, box, mu) -> None:
    if ans.code == 0:
        assert ans.certified and check(json.loads(json.dumps(ans.certificate))).valid
        rng = random.Random(5)
        for _ in range(100):
            x = [lo + (hi - lo) * F(rng.randint(0, 32), 32) for lo, hi in box]
            assert common_top(direct_eval(a, x), direct_eval(b, x), mu)
    elif ans.code == 1:
        assert ans.certified
        x = ans.counterexample
        assert all(lo <= v <= hi for v, (lo, hi) in zip(x, box))
        assert not common_top(direct_eval(a, x), direct_eval(b, x), mu)


def dominant(a: Network, rng: random.Random) -> tuple[Network, int]:
    """A with one class raised so far that it is the top class on the whole box."""
    c = rng.randrange(3)
    return edited(a, {c: F(10 ** 4)}), c


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10 ** 6))
def test_equal_classifiers_agree(seed):
    rng = random.Random(seed)
    a, _ = dominant(random_network([2, 6, 6, 3], rng), rng)
    ans = api.equivalent(a, a, box=BOX, top1=True)
    assert ans.code == 0 and ans.verdict == "top1-agreement", ans.summary
    assert_sound(ans, a, a, BOX, 0)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10 ** 6))
def test_planted_flip_is_an_exact_disagreement(seed):
    """B = A with the runner-up class raised until the argmax flips at the box centre."""
    rng = random.Random(seed)
    a = random_network([2, 6, 6, 3], rng)
    f = direct_eval(a, [F(0), F(0)])
    top = max(range(3), key=lambda k: f[k])
    other = (top + 1) % 3
    b = edited(a, {other: f[top] - f[other] + F(1, 100)})  # at x = 0, B's argmax is ``other``
    ans = api.equivalent(a, b, box=BOX, top1=True)
    assert ans.code == 1 and ans.verdict == "not-top1-agreement", ans.summary
    assert_sound(ans, a, b, BOX, 0)


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10 ** 6), st.booleans())
def test_planted_tie(seed, raise_b):
    """A's outputs 0 and 1 are the same function and dominate: A is tied at {0, 1} everywhere.
    B = A, or B with output 1 raised by 1/100 (argmax {1}): the maximiser sets intersect
    (agreement at margin 0); with margin 1/1000 A has no unique argmax (disagreement)."""
    rng = random.Random(seed)
    a = edited(random_network([2, 6, 6, 3], rng), copy_row=(0, 1))
    a = edited(a, {0: F(10 ** 4), 1: F(10 ** 4)})
    b = edited(a, {1: F(1, 100)}) if raise_b else a
    ans = api.equivalent(a, b, box=BOX, top1=True)
    assert ans.code == 0, ans.summary
    assert_sound(ans, a, b, BOX, 0)
    strict = api.equivalent(a, b, box=BOX, top1=True, margin="1/1000")
    assert strict.code == 1 and strict.verdict == "not-top1-agreement", strict.summary
    assert_sound(strict, a, b, BOX, F(1, 1000))


def test_margin_certifies_a_unique_argmax():
    rng = random.Random(3)
    a, c = dominant(random_network([2, 6, 6, 3], rng), rng)
    b = edited(a, {c: F(-1, 10)})
    ans = api.equivalent(a, b, box=BOX, top1=True, margin="1")
    assert ans.code == 0 and ans.details["classes"] == [c]


def test_bad_input():
    rng = random.Random(1)
    a = random_network([2, 3, 3], rng)
    for kw in ({"margin": "-1"}, {"margin": "nan"}, {"margin": "x"}):
        with pytest.raises(InputError):
            api.equivalent(a, a, box=BOX, top1=True, **kw)
    with pytest.raises(InputError):
        api.equivalent(a, a, top1=True)  # R^d: refused
    with pytest.raises(InputError):
        api.equivalent(a, a, box=BOX, margin="1")  # --margin without --top1
    with pytest.raises(InputError):
        api.equivalent(a, a, box=BOX, top1=True, tolerance="1")


def _cli(capsys, *argv):
    from certify.cli import main
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


C_TOP = "examples/C-TOP.json", "examples/C-TOP-perturbed.json"


@pytest.mark.parametrize("argv", [("--box=0:1,0:1", "--top1", "--margin=-1"), ("--box=0:1,0:1", "--top1", "--margin=nan"),
                                  ("--box=0:1,0:1", "--top1", "--margin=abc"), ("--top1",),
                                  ("--box=0:1,0:1", "--margin=1"), ("--box=0:1,0:1", "--top1", "--method=tree")])
def test_cli_bad_input_is_exit_2_with_one_line(capsys, argv):
    code, out, err = _cli(capsys, "equiv", *C_TOP, *argv)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_cli_json_certificate_and_counterexample(capsys, tmp_path):
    cert, cex = tmp_path / "c.json", tmp_path / "x.json"
    code, out, _ = _cli(capsys, "equiv", *C_TOP, "--box=-1:1,-1:1", "--top1", "--json", "--certificate", str(cert),
                        "--counterexample", str(cex))
    obj = json.loads(out)
    assert code == 1 == obj["exit_code"] and obj["verdict"] == "not-top1-agreement" and obj["certified"]
    ev = obj["evidence"]
    assert not set(ev["argmax_A"]) & set(ev["argmax_B"]) and json.loads(cex.read_text())["x"] == ev["x"]
    assert _cli(capsys, "check", str(cert), "--expect", "not-top1-agreement")[0] == 0
    code, out, _ = _cli(capsys, "equiv", *C_TOP, "--box=0:1,0:1", "--top1", "--json")
    assert code == 0 and json.loads(out)["verdict"] == "top1-agreement"


def test_boundary_crossing_box_is_undecided_with_the_share_proved():
    """A = A on a box that A's decision boundary crosses: one class per cell cannot cover it
    (docs/formats.md, limitation), so exit 3 with the exact share of the volume proved."""
    a = random_network([2, 6, 6, 3], random.Random(2))
    ans = api.equivalent(a, a, box=BOX, top1=True, timeout=3)
    assert ans.code == 3 and ans.verdict == "unknown", ans.summary
    share = F(ans.details["certified_fraction"])
    assert 0 < share < 1 and "% of the box volume" in ans.summary
