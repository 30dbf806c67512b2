"""Mutation fuzzing of every reader at a large budget; counts per reader and outcome.

    python bench/fuzz.py [--examples 20000] [--seed 0] [--readers npz,vnnlib] [--write]

The harness is tests/common/fuzzing.py, the same one tests/io/test_fuzz_readers.py runs in CI
at a small budget.  Outcomes: ``ok`` (a well-formed value), ``input-error`` (InputError naming
the file: exit 2); anything else is a crash class and is printed with the first input that
produced it (saved under bench/fuzz-crashes/).  With ``--write`` the table goes to the section
``fuzz`` of bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests" / "common"))
from _results import git_revision, machine, write_section  # noqa: E402
from fuzzing import ACCEPTABLE, Tally, readers, run  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=20000, help="mutated inputs per reader")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--readers", help="comma-separated subset (default: every installed reader)")
    parser.add_argument("--write", action="store_true", help="write the section 'fuzz' of bench/RESULTS.md")
    args = parser.parse_args()
    where = machine()
    (HERE / "fuzz-crashes").mkdir(exist_ok=True)
    chosen = readers(set(args.readers.split(",")) if args.readers else None)
    tally, seconds = Tally(), {}
    for reader in chosen:
        start = time.perf_counter()
        run([reader], args.examples, args.seed, tally, last_input=str(HERE / "fuzz-crashes" / "last-input.bin"))
        seconds[reader.name] = time.perf_counter() - start
        counts = tally.counts[reader.name]
        print(f"{reader.name:16s} {seconds[reader.name]:8.1f} s  " + ", ".join(f"{k} {v}" for k, v in counts.most_common()),
              flush=True)
    crashes = dict(tally.examples)
    if crashes:
        folder = HERE / "fuzz-crashes"
        folder.mkdir(exist_ok=True)
        for i, (what, data) in enumerate(sorted(crashes.items())):
            (folder / f"{i:02d}.bin").write_bytes(data)
            print(f"CRASH {what}: bench/fuzz-crashes/{i:02d}.bin ({len(data)} bytes)")
    rows = ["| reader | inputs | ok (certificates: kernel verdict) | input-error (exit 2) | other (crash classes) "
            "| seconds |", "|---|---|---|---|---|---|"]
    for reader in chosen:
        c = tally.counts[reader.name]
        ok = f"{c['valid']} valid, {c['rejected']} rejected" if c["valid"] or c["rejected"] else str(c["ok"])
        other = ", ".join(f"{k} {v}" for k, v in c.items() if k not in ACCEPTABLE) or "0"
        rows.append(f"| {reader.name} | {sum(c.values())} | {ok} | {c['input-error']} | {other} | "
                    f"{seconds[reader.name]:.0f} |")
    body = "\n".join([
        "## Fuzzing the readers (issue 11)", "",
        f"Command: `python bench/fuzz.py --examples {args.examples} --seed {args.seed}"
        + (f" --readers {args.readers}" if args.readers else "") + " --write`.",
        f"Machine: {where}; revision {git_revision()}. Other engineers' jobs may have been running on the 2 cores.", "",
        "Each input is a valid seed file damaged by 1–3 mutations (byte flips, truncation, numbers replaced by "
        "huge / NaN / infinite / non-ASCII-digit text, deletions, duplicated spans; tests/common/fuzzing.py). "
        "The only acceptable outcomes are a well-formed value (ok) and an InputError naming the file "
        "(exit 2); the last column lists anything else.", "", *rows])
    print("\n" + body)
    if args.write:
        write_section("fuzz", body)
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
