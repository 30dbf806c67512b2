"""The functional dimension on a sample of points given by the user (``points=``, ``--inputs``)."""
from __future__ import annotations

import json
import random
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from certify.api import functional_dimension
from certify.cli import main
from certify.kernel import check
from certify.kernel.exact import InputError
from local_oracle import jacobian, pattern, rank
from strategies import random_network

F = Fraction


@settings(max_examples=25, deadline=None)
@given(st.sampled_from([[2, 3, 1], [2, 2, 2, 1], [3, 2, 2]]), st.integers(0, 10 ** 6), st.integers(1, 6))
def test_dimension_on_user_points_is_the_oracle_rank(widths, seed, n):
    """Planted sample: the certified dimension is the exact rank of the Jacobian at exactly those
    points (independent oracle), and the certificate's sample is the user's points."""
    rng = random.Random(seed)
    net = random_network(widths, rng)
    points = [[F(rng.randint(-12, 12), rng.randint(1, 4)) for _ in range(widths[0])] for _ in range(n)]
    ans = functional_dimension(net, points=points)
    if any(pattern(net, x) is None for x in points):
        assert ans.code == 3 and "not admissible" in ans.summary
        bad = ans.details["inadmissible_point"]
        assert pattern(net, points[bad]) is None and all(pattern(net, x) is not None for x in points[:bad])
        return
    assert ans.code == 0 and ans.certified, ans.summary
    assert ans.details["dimension"] == rank(jacobian(net, points))
    assert ans.details["points"] == n
    sample = ans.certificate["claim"]["sample"]
    got = [[F(a) + F(t) * F(e) for a, e in zip(line["x0"], line["e"])] for line in sample for t in line["t"]]
    assert got == points
    assert check(ans.certificate).valid


def test_points_file_json_and_npy(tmp_path, capsys):
    pts = [[0, 0], [1, 2], [3, -1], ["1/2", 7]]
    (tmp_path / "x.json").write_text(json.dumps(pts))
    np.save(tmp_path / "x.npy", np.array([[0.0, 0.0], [1.0, 2.0], [3.0, -1.0], [0.5, 7.0]]))
    a = functional_dimension("examples/D-ID.json", points=str(tmp_path / "x.json"))
    b = functional_dimension("examples/D-ID.json", points=str(tmp_path / "x.npy"))
    assert a.code == b.code == 0
    assert a.details["dimension"] == b.details["dimension"] == functional_dimension(
        "examples/D-ID.json", points=[[0, 0], [1, 2], [3, -1], [F(1, 2), 7]]).details["dimension"]
    assert main(["fdim", "examples/D-ID.json", "--inputs", str(tmp_path / "x.json"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["evidence"]["points"] == 4


@pytest.mark.parametrize("content, where", [
    ([[0, 0, 1]], "[0]"),                 # wrong dimension
    ([[0, "x"]], "[0][1]"),               # not a number
    ([], "no points"),
    ({"x": 1}, "list of points"),
])
def test_bad_points_file_is_bad_input(tmp_path, capsys, content, where):
    path = tmp_path / "x.json"
    path.write_text(json.dumps(content))
    assert main(["fdim", "examples/D-ID.json", "--inputs", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and where in err and len(err.strip().splitlines()) == 1


def test_points_outside_the_box_and_with_samples_are_refused():
    with pytest.raises(InputError, match="outside the domain"):
        functional_dimension("examples/D-ID.json", box="-1:1", points=[[0, 0], [2, 0]])
    with pytest.raises(InputError, match="--samples"):
        functional_dimension("examples/D-ID.json", samples=10, points=[[0, 0]])


def test_inadmissible_point_is_named():
    """x = 0 on a network with a zero bias in hidden layer 0: the pre-activation is 0 there."""
    from certify.network import Network
    net = Network.from_layers([([[1, 2], [3, -1]], [0, 1]), ([[1, 1]], [0])])
    ans = functional_dimension(net, points=[[1, 1], [0, 0]])
    assert ans.code == 3 and ans.details["inadmissible_point"] == 1 and ans.details["neuron"] == [0, 0]
    assert "[0, 0]" in ans.summary
