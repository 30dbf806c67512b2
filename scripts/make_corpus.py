"""Regenerate certificates/: one kernel-checked certificate of every kind and method.

    python scripts/make_corpus.py            # rewrite certificates/*.json and its README
    python scripts/make_corpus.py --check    # only verify that every entry still decides as listed

Every entry is produced by the public API (``certify.equivalent`` …) from the bundled
examples, must give the expected exit code, must pass the kernel, and is written
atomically.  ``tests/test_corpus.py`` then re-checks the whole directory on every CI run
(``certify check certificates/``), validates it against docs/certificate.schema.json, and
requires that every (kind, method) the kernel registers appears here — so a new checker
cannot land without a regression certificate.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Callable, NamedTuple

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

import certify  # noqa: E402
from certify.core.files import write_atomic, write_bytes_atomic  # noqa: E402

OUT = os.path.join(ROOT, "certificates")


def ex(name: str) -> str:
    return os.path.join(ROOT, "examples", f"{name}.json")


def _leaf(kind: str, run: Callable[[], Any]) -> Any:
    """Run with the box partition's leaves set to ``kind`` (\"intervals\" or \"symbolic\")."""
    from certify.deep import tolerance
    old = tolerance.PARTITION_LEAF
    tolerance.PARTITION_LEAF = kind
    try:
        return run()
    finally:
        tolerance.PARTITION_LEAF = old


class Entry(NamedTuple):
    subject: str            # part of the file name
    command: str            # the CLI command that produces the same certificate
    expected: int           # exit code
    run: Callable[[], Any]  # -> Answer


def entries() -> list[Entry]:
    eq, E = certify.equivalent, ex
    return [
        # equivalence, each method
        Entry("D-ID__D-ID-moved", "certify equiv examples/D-ID.json examples/D-ID-moved.json", 0,
              lambda: eq(E("D-ID"), E("D-ID-moved"))),
        Entry("S7__S7-witness", "certify equiv examples/S7.json examples/S7-witness.json", 0,
              lambda: eq(E("S7"), E("S7-witness"))),
        Entry("D-DEAD__D-DEAD-witness", "certify equiv examples/D-DEAD.json examples/D-DEAD-witness.json --method tree",
              0, lambda: eq(E("D-DEAD"), E("D-DEAD-witness"), method="tree")),
        Entry("D-ACT__D-ACT-witness", "certify equiv examples/D-ACT.json examples/D-ACT-witness.json --method tree",
              0, lambda: eq(E("D-ACT"), E("D-ACT-witness"), method="tree")),
        Entry("S3__S12-constant-on-2-5", "certify equiv examples/S3.json examples/S12-constant.json --box 2:5 --method tree",
              0, lambda: eq(E("S3"), E("S12-constant"), box=[(2, 5)], method="tree")),
        Entry("D-DEAD__pruned", "certify prune examples/D-DEAD.json --out D-DEAD-pruned.json --certificate C", 0,
              lambda: certify.prune(E("D-DEAD"))),
        Entry("S3__pruned-on-m3-m1", "certify prune examples/S3.json --box=-3:-1 --out S3-pruned.json --certificate C",
              0, lambda: certify.prune(E("S3"), box=[(-3, -1)])),
        # non-equivalence: an exact counterexample, whichever method found it
        Entry("D-ID__D-ID-perturbed-sample", "certify equiv examples/D-ID.json examples/D-ID-perturbed.json", 1,
              lambda: eq(E("D-ID"), E("D-ID-perturbed"))),
        Entry("D-ID__D-ID-perturbed-tree", "certify equiv examples/D-ID.json examples/D-ID-perturbed.json --method tree",
              1, lambda: eq(E("D-ID"), E("D-ID-perturbed"), method="tree")),
        Entry("D-ID__D-ID-perturbed-smt", "certify equiv examples/D-ID.json examples/D-ID-perturbed.json --method smt",
              1, lambda: eq(E("D-ID"), E("D-ID-perturbed"), method="smt")),
        Entry("S6__S7", "certify equiv examples/S6.json examples/S7.json", 1, lambda: eq(E("S6"), E("S7"))),
        Entry("S3__S12-constant-on-0-5", "certify equiv examples/S3.json examples/S12-constant.json --box 0:5", 1,
              lambda: eq(E("S3"), E("S12-constant"), box=[(0, 5)])),
        # ε-equivalence (issue 13): a box partition (differential intervals, LP leaves), a counterexample
        Entry("D-ID__D-ID-perturbed-within-0.0255",
              "certify equiv examples/D-ID.json examples/D-ID-perturbed.json --box=-1:1 --tolerance 0.0255 "
              "--method partition (with deep.tolerance.PARTITION_LEAF = \"intervals\")", 0,
              lambda: _leaf("intervals", lambda: eq(E("D-ID"), E("D-ID-perturbed"), box="-1:1", tolerance="0.0255",
                                                    method="partition"))),
        Entry("D-ID__D-ID-perturbed-within-0.0255-symbolic",
              "certify equiv examples/D-ID.json examples/D-ID-perturbed.json --box=-1:1 --tolerance 0.0255 "
              "--method partition", 0,
              lambda: eq(E("D-ID"), E("D-ID-perturbed"), box="-1:1", tolerance="0.0255", method="partition")),
        Entry("D-ID__D-ID-perturbed-within-0.01",
              "certify equiv examples/D-ID.json examples/D-ID-perturbed.json --box=-1:1 --tolerance 0.01", 1,
              lambda: eq(E("D-ID"), E("D-ID-perturbed"), box="-1:1", tolerance="0.01")),
        # top-1 agreement (issue 13): a region-tree leaf on the box, a disagreement point
        Entry("C-TOP__C-TOP-perturbed-top1-on-0-1",
              "certify equiv examples/C-TOP.json examples/C-TOP-perturbed.json --box 0:1,0:1 --top1", 0,
              lambda: eq(E("C-TOP"), E("C-TOP-perturbed"), box="0:1,0:1", top1=True)),
        Entry("C-TOP__C-TOP-perturbed-top1",
              "certify equiv examples/C-TOP.json examples/C-TOP-perturbed.json --box=-1:1,-1:1 --top1", 1,
              lambda: eq(E("C-TOP"), E("C-TOP-perturbed"), box="-1:1,-1:1", top1=True)),
        # orbit membership
        Entry("D-ID__D-ID-moved", "certify orbit examples/D-ID.json examples/D-ID-moved.json", 0,
              lambda: certify.orbit(E("D-ID"), E("D-ID-moved"))),
        Entry("D-ID__D-ID-perturbed", "certify orbit examples/D-ID.json examples/D-ID-perturbed.json", 1,
              lambda: certify.orbit(E("D-ID"), E("D-ID-perturbed"))),
        # approximate orbits (issue 13)
        Entry("D-ID__D-ID-perturbed-within-0.001",
              "certify orbit examples/D-ID.json examples/D-ID-perturbed.json --tolerance 0.001 --box=-1:1", 0,
              lambda: certify.orbit(E("D-ID"), E("D-ID-perturbed"), tolerance="0.001", box="-1:1")),
        Entry("D-ID__D-ID-perturbed-within-0",
              "certify orbit examples/D-ID.json examples/D-ID-perturbed.json --tolerance 0", 1,
              lambda: certify.orbit(E("D-ID"), E("D-ID-perturbed"), tolerance="0")),
        # hidden symmetries: witnesses by catalogue move, and by equivalence
        Entry("D-DEAD", "certify hidden examples/D-DEAD.json", 0, lambda: certify.hidden_symmetry(E("D-DEAD"))),
        Entry("D-ACT", "certify hidden examples/D-ACT.json", 0, lambda: certify.hidden_symmetry(E("D-ACT"))),
        Entry("D-TWIN", "certify hidden examples/D-TWIN.json", 0, lambda: certify.hidden_symmetry(E("D-TWIN"))),
        Entry("S7", "certify hidden examples/S7.json", 0, lambda: certify.hidden_symmetry(E("S7"))),
        Entry("S9", "certify hidden examples/S9.json", 0, lambda: certify.hidden_symmetry(E("S9"))),
        Entry("D-FLIP", "certify hidden examples/D-FLIP.json", 0, lambda: certify.hidden_symmetry(E("D-FLIP"))),
        Entry("D-EXCL", "certify hidden examples/D-EXCL.json", 0, lambda: certify.hidden_symmetry(E("D-EXCL"))),
        Entry("D-CHART", "certify hidden examples/D-CHART.json", 0, lambda: certify.hidden_symmetry(E("D-CHART"))),
        Entry("S3-search", "python -c 'from certify.hidden.search import search_witness' (CEGIS search, §4)", 0,
              lambda: _searched("S3")),
        # the honest-set decision (one hidden layer)
        Entry("S6", "certify honest examples/S6.json", 0, lambda: certify.honest(E("S6"))),
        Entry("S2", "certify honest examples/S2.json", 0, lambda: certify.honest(E("S2"))),
        Entry("S10", "certify honest examples/S10.json", 0, lambda: certify.honest(E("S10"))),
        Entry("S1", "certify honest examples/S1.json", 1, lambda: certify.honest(E("S1"))),
        Entry("S14", "certify honest examples/S14.json", 0, lambda: certify.honest(E("S14"))),
        Entry("S13", "certify honest examples/S13.json", 1, lambda: certify.honest(E("S13"))),
        # local identifiability, with an explicit radius
        Entry("D-ID-radius", "certify local examples/D-ID.json --radius", 0,
              lambda: certify.locally_identifiable(E("D-ID"), radius=True)),
        Entry("D-FLIP", "certify local examples/D-FLIP.json", 0, lambda: certify.locally_identifiable(E("D-FLIP"))),
        Entry("S6", "certify local examples/S6.json", 0, lambda: certify.locally_identifiable(E("S6"))),
        # exact functional dimension
        Entry("D-ID", "certify fdim examples/D-ID.json", 0, lambda: certify.functional_dimension(E("D-ID"))),
        Entry("D-DEAD", "certify fdim examples/D-DEAD.json", 0, lambda: certify.functional_dimension(E("D-DEAD"))),
    ]


def _searched(name: str) -> Any:
    """The CEGIS search's witness for a network whose flip the catalogue also finds: the one
    way to show a ``hidden-symmetry`` certificate by method ``equivalence``."""
    from types import SimpleNamespace

    from certify.network import Network
    from certify.hidden.search import search_witness
    found = search_witness(Network.load(ex(name)), None, seconds=60)
    if found is None:
        return SimpleNamespace(code=3, certificate=None, certified=False, verdict="unknown",
                               summary="the search found no witness")
    _, cert, verdict, _ = found
    return SimpleNamespace(code=0, certificate=cert, certified=verdict.valid, verdict="hidden-symmetry",
                           summary="witness found by the CEGIS search")


def file_name(certificate: dict, subject: str) -> str:
    method = certificate["evidence"].get("method") or certificate["generator"]["method"]
    return f"{certificate['kind']}--{method}--{subject}.json"


def stable(certificate: dict) -> dict:
    """Drop the creation time and timing so that regenerating an unchanged corpus is a no-op diff."""
    gen = {k: v for k, v in certificate["generator"].items() if k not in ("created", "seconds")}
    return {**certificate, "generator": gen}


def build(write: bool) -> list[tuple[str, Entry, Any]]:
    rows, failures = [], []
    for entry in entries():
        answer = entry.run()
        cert = answer.certificate
        if answer.code != entry.expected or cert is None or not certify.check(cert).valid:
            failures.append(f"{entry.command}: exit {answer.code} (expected {entry.expected}), "
                            f"certified {answer.certified}: {answer.summary}")
            continue
        cert = stable(cert)
        name = file_name(cert, entry.subject)
        if write:
            write_atomic(os.path.join(OUT, name), cert)
        rows.append((name, entry, answer))
        print(f"{'written' if write else 'ok':8s} {name}")
    if failures:
        sys.exit("corpus entries that no longer decide as listed:\n  " + "\n  ".join(failures))
    names = [r[0] for r in rows]
    if len(set(names)) != len(names):
        sys.exit("two corpus entries share a file name")
    return rows


def readme(rows: list[tuple[str, Entry, Any]]) -> str:
    lines = ["# The certificate corpus", "",
             "Regression proofs: one certificate of every kind and method the kernel checks, made from",
             "the bundled examples by `python scripts/make_corpus.py` (which regenerates this file).",
             "`tests/test_corpus.py` runs `certify check certificates/` on every CI run, validates each",
             "file against `docs/certificate.schema.json`, and fails if a (kind, method) the kernel",
             "registers has no certificate here. Each file re-checks on its own:", "",
             "    certify check certificates/", "",
             "| file | verdict | produced by |", "|---|---|---|"]
    for name, entry, answer in sorted(rows):
        lines.append(f"| `{name}` | {answer.verdict} (exit {answer.code}) | `{entry.command}` |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="verify the entries without writing")
    args = ap.parse_args()
    rows = build(write=not args.check)
    if not args.check:
        stale = {n for n in os.listdir(OUT) if n.endswith(".json")} - {r[0] for r in rows}
        for name in sorted(stale):
            os.unlink(os.path.join(OUT, name))
            print(f"removed  {name}")
        write_bytes_atomic(os.path.join(OUT, "README.md"), readme(rows).encode("utf-8"))
    print(f"{len(rows)} certificates")


if __name__ == "__main__":
    main()
