"""The ``maillage`` command: one entry point for serving, setting up and analysing.

The platform's own commands are in ``PLATFORM_COMMANDS``; each app adds its command groups in
the modules its AppConfig names (``commands``, see ``core.capabilities``), read without setting
Django up, so that the Django-free analysis commands start fast and work without a database.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from maillage.core.capabilities import command_modules

# Each module exposes ``register(subparsers)``, adding its subcommands (a group adds one
# subparser named after itself; these add top-level commands).
PLATFORM_COMMANDS = ("maillage.core.cli", "maillage.demo.cli")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every available command group registered."""
    parser = argparse.ArgumentParser(
        prog="maillage",
        description="Maillage: a platform for cooperative territories.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_path in (*PLATFORM_COMMANDS, *command_modules()):
        importlib.import_module(module_path).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings")
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    return int(func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
