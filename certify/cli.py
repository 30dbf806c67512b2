"""The ``certify`` command.  Exit status (DESIGN.md): 0 yes, 1 no, 2 bad input, 3 undecided.

Status 4 means an internal error — a bug in certify, never an answer.  Bad input
always gets one line on stderr naming the file and the place, never a traceback.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

from . import __version__
from .core.answer import BAD_INPUT, INTERNAL
from .commands import load_commands
from .kernel.exact import InputError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2 (argparse prints usage + 2 lines)
        self.exit(BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog.split()[0]} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="certify", description="Exact, checkable certificates about the symmetries "
                     "of ReLU networks.  Exit status: 0 yes, 1 no, 2 bad input, 3 undecided.")
    parser.add_argument("--version", action="version", version=f"certify {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in load_commands():
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help(sys.stderr)
        return BAD_INPUT
    try:
        return int(args.run(args))
    except InputError as e:
        print(f"certify: {e}", file=sys.stderr)
        return BAD_INPUT
    except KeyboardInterrupt:
        print("certify: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:  # a bug: say so in one line, never pass it off as an answer
        if os.environ.get("CERTIFY_DEBUG"):
            raise
        print(f"certify: internal error ({type(e).__name__}: {e}); this is a bug — "
              "rerun with CERTIFY_DEBUG=1 for a traceback", file=sys.stderr)
        return INTERNAL


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
