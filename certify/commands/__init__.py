"""One module per ``certify`` subcommand; each defines ``register(subparsers)``.

A command module parses its arguments, asks ``certify.api`` (imported inside ``run``, so
that start-up stays light), and hands the ``Answer`` to ``options.emit``.  Commands are listed here in the order ``certify --help`` shows them.
"""
from __future__ import annotations

import importlib
from types import ModuleType

COMMANDS = ("equiv", "orbit", "hidden", "honest", "zariski", "fiber", "local", "fdim", "prune", "check", "export", "vnnlib", "convert",
            "plot", "survey", "batch", "demo")


def load_commands() -> list[ModuleType]:
    modules = []
    for name in COMMANDS:
        try:
            modules.append(importlib.import_module(f"{__name__}.{name}"))
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":  # a real missing dependency inside the module
                raise
    return modules
