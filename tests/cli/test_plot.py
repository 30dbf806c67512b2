"""certify plot: the exact region geometry behind the pictures, and the pictures themselves."""
from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certify.cli import main
from certify.network import Network
from certify.apps.plot import _area2, _contains, arrangement, view_box
from strategies import direct_eval, networks

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BOX2 = ((Fraction(-2), Fraction(3)), (Fraction(-1), Fraction(2)))
BOX1 = ((Fraction(-3), Fraction(5, 2)),)


def _pre(net: Network, x):
    return net.preactivations([Fraction(v) for v in x])


@settings(max_examples=30)
@given(networks(min_in=2, max_in=2, max_width=3, max_depth=3, max_out=2),
       st.lists(st.tuples(st.integers(-20, 30), st.integers(-10, 20)), min_size=3, max_size=3))
def test_regions_tile_the_box_and_carry_the_exact_function(net, points):
    arr = arrangement(net, BOX2)
    box_area = (BOX2[0][1] - BOX2[0][0]) * (BOX2[1][1] - BOX2[1][0])
    assert sum(_area2(r.vertices) for r in arr.regions) == 2 * box_area  # CCW, disjoint, covering
    for r in arr.regions:
        assert _area2(r.vertices) > 0
        centre = tuple(sum(c, Fraction(0)) / len(r.vertices) for c in zip(*r.vertices))
        for x in (centre, *r.vertices):
            assert r.value(x) == tuple(direct_eval(net, x))
        zs = _pre(net, centre)[:-1]
        assert tuple(tuple(int(z > 0) for z in zl) for zl in zs) == tuple(
            tuple(int(s > 0) for s in sl) for sl in r.pattern)
    for px, py in points:
        x = (Fraction(px, 10), Fraction(py, 10))
        assert any(_contains(r, x) for r in arr.regions)
        for l, zl in enumerate(_pre(net, x)[:-1]):
            for j, z in enumerate(zl):
                lo, hi = arr.extremes[(l, j)]
                assert lo <= z <= hi


@settings(max_examples=30)
@given(networks(min_in=2, max_in=2, max_width=3, max_depth=3))
def test_neuron_extremes_are_attained_at_region_vertices(net):
    arr = arrangement(net, BOX2)
    values: dict = {}
    for r in arr.regions:
        for v in r.vertices:
            for l, zl in enumerate(_pre(net, v)[:-1]):
                for j, z in enumerate(zl):
                    lo, hi = values.get((l, j), (z, z))
                    values[(l, j)] = (min(lo, z), max(hi, z))
    assert values == arr.extremes
    for l, j in arr.dead():
        assert arr.extremes[(l, j)][1] <= 0
    for l, j in arr.stably_active():
        assert arr.extremes[(l, j)][0] >= 0


@settings(max_examples=40)
@given(networks(min_in=1, max_in=1, max_width=4, max_depth=3, max_out=2))
def test_one_dimensional_breakpoints_are_exact(net):
    arr = arrangement(net, BOX1)
    regions = sorted(arr.regions, key=lambda r: r.vertices[0])
    assert regions[0].vertices[0] == BOX1[0][:1] and regions[-1].vertices[1] == (BOX1[0][1],)
    for left, right in zip(regions, regions[1:]):
        assert left.vertices[1] == right.vertices[0]  # intervals tile the box
    # every first-layer switch inside the box is a breakpoint
    ends = {r.vertices[0][0] for r in regions}
    for w, b in zip(net.layers[0].weight, net.layers[0].bias):
        if w[0] != 0 and BOX1[0][0] < -b / w[0] < BOX1[0][1]:
            assert -b / w[0] in ends
    for r in regions:
        mid = ((r.vertices[0][0] + r.vertices[1][0]) / 2,)
        assert r.value(mid) == tuple(direct_eval(net, mid))


def test_bends_where_f_does_not_bend_are_recognised():
    # f(x) = σ(x1) − σ(−x1) + σ(x2) = x1 + σ(x2): the x1 = 0 bends do not bend f, the x2 = 0 bend does
    net = Network.from_layers([([["1", "0"], ["-1", "0"], ["0", "1"]], ["0", "0", "0"]),
                               ([["1", "-1", "1"]], ["0"])])
    arr = arrangement(net, BOX2)
    flat = {b.neuron for b in arr.bends if b.bends_f is False}
    bent = {b.neuron for b in arr.bends if b.bends_f is True}
    assert flat == {0, 1} and bent == {2}
    # in 1-D the same decision: |x| bends at 0, x = σ(x) − σ(−x) does not
    abs_net = Network.load(EXAMPLES / "S1.json")
    assert {b.bends_f for b in arrangement(abs_net, BOX1).bends} == {True}
    ident = Network.from_layers([([["1"], ["-1"]], ["0", "0"]), ([["1", "-1"]], ["0"])])
    assert {b.bends_f for b in arrangement(ident, BOX1).bends} == {False}


def test_dead_and_stably_active_neurons_of_the_examples():
    dead = Network.load(EXAMPLES / "D-DEAD.json")
    arr = arrangement(dead, view_box(dead))
    assert arr.dead() == [(1, 0)]            # neuron (2,1) of theory.md §6.2
    act = Network.load(EXAMPLES / "D-ACT.json")
    assert (1, 0) in arrangement(act, view_box(act)).stably_active()
    s12 = Network.load(EXAMPLES / "S12.json")  # S3 on [2, 5]: both neurons stably active
    assert arrangement(s12, view_box(s12)).stably_active() == [(0, 0), (0, 1)]


def test_view_box_contains_the_first_layer_bends():
    net = Network.load(EXAMPLES / "D-ID.json")
    box = view_box(net)
    arr = arrangement(net, box)
    assert {b.neuron for b in arr.bends if b.layer == 0} == {0, 1, 2}


def test_too_many_regions_is_refused():
    from certify.kernel.exact import InputError
    net = Network.load(EXAMPLES / "D-FLIP.json")
    with pytest.raises(InputError, match="regions"):
        arrangement(net, BOX2, max_regions=3)


# --------------------------------------------------------------------------- pictures

def _picture_has_content(path: Path) -> None:
    pytest.importorskip("matplotlib")
    from matplotlib.image import imread
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    img = imread(path)
    assert img.shape[0] > 300 and img.shape[1] > 300
    assert img[..., :3].std() > 0.05  # not a blank canvas


def test_plot_2d_1d_and_witness_pictures(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out2, out1, outw = tmp_path / "flip.png", tmp_path / "s3.png", tmp_path / "w.svg"
    assert main(["plot", str(EXAMPLES / "D-DEAD.json"), "--out", str(out2), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["networks"][0]["dead"] == [[1, 0]] and report["networks"][0]["stably_active"] == [[1, 1]]
    assert report["networks"][0]["bends"] == 3  # x1 = 0 once, x2 = 0 in two pieces; none on the border
    _picture_has_content(out2)
    assert main(["plot", str(EXAMPLES / "S3.json"), "--out", str(out1), "--box=-1:2"]) == 0
    _picture_has_content(out1)
    assert main(["plot", str(EXAMPLES / "D-FLIP.json"), "--witness", str(EXAMPLES / "D-FLIP-witness.json"),
                 "--out", str(outw)]) == 0
    svg = outw.read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and svg.count("<path") > 50
    assert "D-FLIP-witness" in svg or "θ'" in svg


def test_witness_certificate_is_accepted(tmp_path):
    pytest.importorskip("matplotlib")
    a, b = Network.load(EXAMPLES / "S3.json"), Network.load(EXAMPLES / "S3-witness.json")
    cert = {"format": "certify.certificate/1", "kind": "hidden-symmetry",
            "claim": {"statement": "hidden-symmetry", "networks": {"A": a.to_json(), "B": b.to_json()},
                      "domain": None}, "evidence": {}}
    (tmp_path / "w.json").write_text(json.dumps(cert))
    assert main(["plot", str(EXAMPLES / "S3.json"), "--witness", str(tmp_path / "w.json"),
                 "--out", str(tmp_path / "w.png")]) == 0
    _picture_has_content(tmp_path / "w.png")


@pytest.mark.parametrize("args, message", [
    (["D-STAB.json", "--out", "x.png"], "input dimension 1 or 2"),
    (["S3.json", "--out", "x.gif"], "unknown extension (expected .png, .svg, .pdf)"),
    (["S3.json", "--out", "x.png", "--witness", "D-DEAD.json"], "different interface"),
    (["S3.json", "--out", "x.png", "--output", "2"], "--output"),
])
def test_plot_bad_input_exits_2(tmp_path, capsys, args, message):
    pytest.importorskip("matplotlib")
    argv = ["plot"] + [str(EXAMPLES / a) if a.endswith(".json") else a for a in args]
    argv = [str(tmp_path / a) if a.startswith("x.") else a for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
