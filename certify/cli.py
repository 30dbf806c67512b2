"""The ``certify`` command.  Exit status (DESIGN.md): 0 yes, 1 no, 2 bad input, 3 undecided.

Exit 0 and 1 always come with a certificate the kernel accepted.  Status 4 means an
internal error — a bug in certify, never an answer.  Bad input always gets one line
naming the file and the place, never a traceback; with ``--json`` that line is the
``error`` of the one JSON object printed.

Start-up is kept light: ``--version`` imports nothing, and each command imports its
engines only when it runs.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

from . import __version__

YES, NO, BAD_INPUT, UNDECIDED, INTERNAL = 0, 1, 2, 3, 4  # as certify.core.answer (not imported: start-up)
# Options whose value may start with "-" (a negative bound): "--box -1:1" means "--box=-1:1".
VALUE_OPTIONS = ("--box", "--expect-domain", "--delta", "--tolerance")


class UsageError(Exception):
    """A command-line usage error (argparse's), reported in one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2 (argparse prints usage + 2 lines)
        raise UsageError(f"{self.prog}: error: {message} (see {self.prog.split()[0]} --help)")


def build_parser() -> argparse.ArgumentParser:
    from .commands import load_commands
    parser = _Parser(prog="certify", description="Exact, checkable certificates about the symmetries "
                     "of ReLU networks.  Exit status: 0 yes and 1 no (each with a kernel-checked "
                     "certificate), 2 bad input, 3 undecided.")
    parser.add_argument("--version", action="version", version=f"certify {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in load_commands():
        module.register(sub)
    return parser


def normalise(argv: Sequence[str]) -> list[str]:
    """Join ``--box -1:1`` into ``--box=-1:1`` (argparse would take -1:1 for an option)."""
    out: list[str] = []
    args = list(argv)
    i = 0
    while i < len(args):
        a = args[i]
        if a in VALUE_OPTIONS and i + 1 < len(args) and args[i + 1][:1] == "-" and args[i + 1][1:2] in "0123456789.":
            out.append(f"{a}={args[i + 1]}")
            i += 2
            continue
        out.append(a)
        i += 1
    return out


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv in (["--version"], ["-V"]):
        print(f"certify {__version__}")
        return YES
    wants_json = "--json" in argv[: argv.index("--")] if "--" in argv else "--json" in argv
    command = next((a for a in argv if not a.startswith("-")), None)
    try:
        parser = build_parser()
        args = parser.parse_args(normalise(argv))
        if not getattr(args, "run", None):
            parser.print_help(sys.stderr)
            return BAD_INPUT
        return int(args.run(args))
    except UsageError as e:
        return _fail(str(e), BAD_INPUT, wants_json, command)
    except KeyboardInterrupt:
        return _fail("certify: interrupted", 130, wants_json, command)
    except BrokenPipeError:
        return YES
    except SystemExit as e:  # --help and --version inside a command
        return int(e.code or 0)
    except Exception as e:
        from .kernel.exact import InputError
        if isinstance(e, InputError):
            return _fail(f"certify: {e}", BAD_INPUT, wants_json, command)
        if os.environ.get("CERTIFY_DEBUG"):
            raise
        # a bug: say so in one line, never pass it off as an answer
        return _fail(f"certify: internal error ({type(e).__name__}: {e}); this is a bug — "
                     "rerun with CERTIFY_DEBUG=1 for a traceback", INTERNAL, wants_json, command)


def _fail(message: str, code: int, wants_json: bool, command: str | None) -> int:
    message = " ".join(message.split())  # one line, whatever the exception text held
    if wants_json:
        import json
        error = message[len("certify: "):] if message.startswith("certify: ") else message
        print(json.dumps({"command": command, "exit_code": code, "verdict": "error", "error": error},
                         ensure_ascii=False))
    print(message, file=sys.stderr)
    return code


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
