"""The certificate corpus (certificates/): regression proof checking on every CI run.

`certify check certificates/` must accept every file; every file must match the documented
format (docs/certificate.schema.json); and every (kind, method) the kernel can check must
have a certificate there, so no checker lands without a regression proof.
Regenerate with `python scripts/make_corpus.py`.
"""
from __future__ import annotations

import copy
import json
from fractions import Fraction
from pathlib import Path

import jsonschema
import pytest

from certify.cli import main
from certify.kernel.registry import CHECKERS

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted((ROOT / "certificates").glob("*.json"))
SCHEMA = json.loads((ROOT / "docs" / "certificate.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def test_certify_check_accepts_the_whole_corpus(capsys):
    assert len(CORPUS) >= 20
    assert main(["check", str(ROOT / "certificates")]) == 0
    out = capsys.readouterr().out
    assert f"{len(CORPUS)} valid, 0 invalid, 0 unreadable" in out


def test_every_kernel_checker_has_a_corpus_certificate():
    present = set()
    for path in CORPUS:
        cert = json.loads(path.read_text())
        present.add((cert["kind"], cert["evidence"].get("method")))
    missing = set(CHECKERS) - present
    assert not missing, f"kernel checkers without a certificate in certificates/: {sorted(missing, key=str)}"


def test_the_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_corpus_file_matches_the_schema(path):
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(json.loads(path.read_text()))]
    assert not errors, errors[:3]


def _first(kind: str, method: str | None = None) -> dict:
    for path in CORPUS:
        cert = json.loads(path.read_text())
        if cert["kind"] == kind and (method is None or cert["evidence"].get("method") == method):
            return cert
    raise AssertionError(f"no {kind}/{method} certificate in the corpus")


def test_the_schema_rejects_what_the_format_forbids():
    """The schema is a specification, not a rubber stamp: each mutation breaks a rule it states."""
    tree = _first("equivalent", "region-tree")
    bad = []
    c = copy.deepcopy(tree); c["kind"] = "equivalence"; bad.append(c)                # unknown kind
    c = copy.deepcopy(tree); c["extra"] = 1; bad.append(c)                           # unknown field
    c = copy.deepcopy(tree); del c["evidence"]["tree"]; bad.append(c)                # tree missing
    c = copy.deepcopy(tree); c["evidence"]["tree"][0] = {"split": [0, 0, 0], "y": []}; bad.append(c)
    c = copy.deepcopy(tree); c["claim"]["networks"]["C"] = c["claim"]["networks"]["A"]; bad.append(c)
    c = copy.deepcopy(tree); c["claim"]["networks"]["A"]["layers"][0]["bias"][0] = 0.5; bad.append(c)  # a float
    c = copy.deepcopy(tree); c["claim"]["domain"] = {"box": [["0"]]}; bad.append(c)
    cx = _first("not-equivalent")
    c = copy.deepcopy(cx); del c["evidence"]["x"]; bad.append(c)
    loc = _first("locally-identifiable", "kink-probe")
    c = copy.deepcopy(loc); c["claim"]["radius"] = "about 1e-3"; bad.append(c)
    for i, cert in enumerate(bad):
        assert not VALIDATOR.is_valid(cert), f"mutation {i} passes the schema"


def test_bind_ties_a_proof_to_the_shipped_files(tmp_path, capsys):
    """`certify check --bind`: a valid proof about other networks than the files is rejected."""
    cert = str(ROOT / "certificates" / "equivalent--orbit--D-ID__D-ID-moved.json")
    a, b = str(ROOT / "examples" / "D-ID.json"), str(ROOT / "examples" / "D-ID-moved.json")
    expect = ["--expect", "equivalent", "--expect-domain", "whole"]
    assert main(["check", cert, "--bind", f"A={a}", "--bind", f"B={b}", *expect]) == 0
    assert main(["check", cert, "--bind", f"B={a}", *expect]) == 1
    assert "differs from" in capsys.readouterr().out
    # the statement and the domain are part of the gate: a weaker claim cannot pass it
    assert main(["check", cert, "--bind", f"A={a}", "--expect", "not-equivalent", "--expect-domain", "whole"]) == 1
    assert "--expect" in capsys.readouterr().out
    # the comparison is exact: a copy with one weight changed by 2^-60 is another network
    net = json.loads(Path(b).read_text())
    net["layers"][0]["bias"][0] = str(Fraction(net["layers"][0]["bias"][0]) + Fraction(1, 2 ** 60))
    (tmp_path / "b.json").write_text(json.dumps(net))
    assert main(["check", cert, "--bind", f"B={tmp_path / 'b.json'}", *expect]) == 1
    assert main(["check", cert, "--bind", f"C={a}", *expect]) == 2


def test_json_check_reports_what_each_certificate_proves(capsys):
    """--json names the statement, the domain and a digest of each network's exact layers: the
    same network gets the same digest in every certificate, a different one another digest."""
    files = [str(ROOT / "certificates" / n) for n in (
        "equivalent--orbit--D-ID__D-ID-moved.json", "orbit--exact-matching--D-ID__D-ID-perturbed.json")]
    assert main(["check", *files, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    first, second = out["results"]
    assert first["statement"] == "equivalent" and second["statement"] == "not-in-orbit"
    assert first["networks"]["A"]["sha256"] == second["networks"]["A"]["sha256"]       # D-ID twice
    assert first["networks"]["B"]["sha256"] != second["networks"]["B"]["sha256"]       # moved vs perturbed
    assert first["networks"]["A"]["widths"] == [2, 3, 3, 1]


def test_a_looser_tolerance_cannot_pass_a_ci_gate(capsys):
    """`--expect equivalent-within` needs `--expect-tolerance`, and a certificate of a looser ε
    (for example the weaker bound an exit-3 answer carries) fails the gate; an exact
    `equivalent` certificate passes any ε ≥ 0."""
    within = str(ROOT / "certificates" / "equivalent-within--box-partition--D-ID__D-ID-perturbed-within-0.0255.json")
    assert main(["check", within, "--expect", "equivalent-within", "--expect-tolerance", "0.03"]) == 0
    assert main(["check", within, "--expect", "equivalent-within", "--expect-tolerance", "0.025"]) == 1
    assert "weaker than the expected" in capsys.readouterr().out
    assert main(["check", within, "--expect", "equivalent-within"]) == 2
    exact = str(ROOT / "certificates" / "equivalent--orbit--D-ID__D-ID-moved.json")
    assert main(["check", exact, "--expect", "equivalent-within", "--expect-tolerance", "0",
                 "--expect-domain", "whole"]) == 0
