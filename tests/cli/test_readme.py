"""The README tour is real output: every quick `$ certify …` line still gives the exit code
and the first line printed beside it (numbers masked).  ``python scripts/readme_tour.py
--write --slow`` refreshes the tour; this test fails when behaviour and README drift apart."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import readme_tour  # noqa: E402


def test_the_tour_has_the_commands_of_every_question():
    commands = {s.command.split()[1] for s in readme_tour.steps(readme_tour.README.read_text().split("\n"))}
    assert {"equiv", "orbit", "prune", "hidden", "honest", "local", "fdim", "survey", "check", "vnnlib", "fiber"} <= commands


def test_readme_tour_matches_behaviour():
    problems = readme_tour.tour(write=False, slow=False)
    assert not problems, "\n".join(problems)


def test_shape_masks_numbers_only():
    assert readme_tour.shape("kernel: valid (0.005 s; generated in 1e-3 s)") == \
        readme_tour.shape("kernel: valid (1.250 s; generated in 12 s)")
    assert readme_tour.shape("equivalent on R^2") != readme_tour.shape("not equivalent on R^2")
