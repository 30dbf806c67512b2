"""The Python API: every top-level function answers like the CLI and carries a certificate the
kernel accepts (README "Python API"; expected answers from examples/manifest.json, theory §6)."""
from __future__ import annotations

import doctest
import json
from fractions import Fraction
from pathlib import Path

import pytest

import certify
import certify.api

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MANIFEST = json.loads((EXAMPLES / "manifest.json").read_text())["networks"]


def ex(name: str) -> str:
    return str(EXAMPLES / f"{name}.json")


def assert_certified(answer, code: int) -> None:
    assert answer.code == code, answer.summary
    assert answer.certified and certify.check(answer.certificate).valid


def test_api_names_are_exported_lazily():
    for name in certify.api.__all__:
        assert getattr(certify, name) is getattr(certify.api, name)
    with pytest.raises(AttributeError):
        certify.no_such_function


def test_equivalent_and_orbit():
    assert_certified(certify.equivalent(ex("S7"), ex("S7-witness")), 0)
    assert_certified(certify.equivalent(ex("S6"), ex("S7")), 1)
    net = certify.load(ex("D-ID"))
    assert_certified(certify.orbit(net, ex("D-ID-moved")), 0)
    assert certify.orbit(net, ex("D-ID-perturbed")).code == 1


def test_box_is_given_as_pairs_of_rationals():
    # S12 = S3 on [2, 5], where it is the constant 1 (theory §6.1 S12)
    assert_certified(certify.equivalent(ex("S3"), ex("S12-constant"), box=[("2", "5")]), 0)
    wider = certify.equivalent(ex("S3"), ex("S12-constant"), box=[(0, "5")])
    assert_certified(wider, 1)
    x = wider.certificate["evidence"]["x"]
    assert 0 <= Fraction(x[0]) < 2        # the counterexample lies where the two differ


@pytest.mark.parametrize("name", ["D-DEAD", "S3"])
def test_hidden_symmetry(name):
    assert_certified(certify.hidden_symmetry(ex(name)), MANIFEST[name]["hidden"])


@pytest.mark.parametrize("name", ["S2", "S3", "S6"])
def test_honest(name):
    assert certify.honest(ex(name)).code == MANIFEST[name]["honest"]


def test_locally_identifiable_with_radius():
    ans = certify.locally_identifiable(ex("D-ID"), radius=True)
    assert_certified(ans, 0)
    assert ans.details["radius"]["found"]
    assert certify.locally_identifiable(ex("D-DEAD"), delta="1/10").code == 1


def test_functional_dimension_is_exact_on_d_id():
    ans = certify.functional_dimension(ex("D-ID"))
    assert_certified(ans, 0)
    assert ans.details["lower"] == ans.details["upper"] == 19 == ans.details["N-H"]


def test_check_accepts_a_path(tmp_path):
    ans = certify.equivalent(ex("S7"), ex("S7-witness"))
    path = tmp_path / "c.json"
    path.write_text(json.dumps(ans.certificate))
    assert certify.check(str(path)).valid


def test_module_docstring_example_runs(monkeypatch):
    monkeypatch.chdir(EXAMPLES.parent)
    result = doctest.testmod(certify.api, verbose=False)
    assert result.attempted > 0 and result.failed == 0


def test_every_public_api_function_has_a_running_example(monkeypatch):
    """Each public function's docstring carries a doctest, and all of them pass."""
    import inspect
    monkeypatch.chdir(EXAMPLES.parent)
    finder = doctest.DocTestFinder()
    tested = {t.name.rsplit(".", 1)[-1] for t in finder.find(certify.api) if t.examples}
    functions = {n for n in certify.api.__all__ if inspect.isfunction(getattr(certify.api, n))}
    assert functions <= tested, f"no doctest: {sorted(functions - tested)}"


def test_artifacts_come_back_in_the_answer():
    ans = certify.prune(ex("D-DEAD"), "-1:1")
    assert ans.artifacts["pruned"].box == ((Fraction(-1), Fraction(1)),) * 2
    witness = certify.hidden_symmetry(ex("D-FLIP")).witness
    assert certify.equivalent(ex("D-FLIP"), witness).code == 0 and certify.orbit(ex("D-FLIP"), witness).code == 1


def test_networks_from_modules_arrays_and_save(tmp_path):
    import numpy as np
    arrays = [(np.array([[1.0, -2.0], [0.5, 0.25]]), np.array([0.0, -1.0])), (np.array([[2.0, -1.0]]), np.array([0.5]))]
    net = certify.api.as_network(arrays)
    assert net.widths == (2, 2, 1) and net.layers[0].weight[1][0] == Fraction(1, 2)
    path = tmp_path / "n.json"
    net.save(path)
    assert certify.load(path).layers == net.layers
    torch = pytest.importorskip("torch")
    module = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    assert certify.equivalent(module, certify.api.as_network(module)).code == 0
