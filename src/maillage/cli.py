"""The ``maillage`` command: one entry point for serving, setting up and analysing.

Command groups live in their own modules, named in ``COMMAND_GROUPS`` and imported only when
used, so that the Django-free analysis commands start fast and work without a database.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

# Each module exposes ``register(subparsers)``, adding its subcommands (a group adds one
# subparser named after itself; ``core`` adds the top-level platform commands).
COMMAND_GROUPS: dict[str, str] = {
    "core": "maillage.core.cli",
    "opinions": "maillage.opinions.cli",
    "themes": "maillage.observatory.cli_themes",
    "graph": "maillage.observatory.cli_graph",
}


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every available command group registered."""
    parser = argparse.ArgumentParser(
        prog="maillage",
        description="Maillage: a platform for cooperative territories.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_path in COMMAND_GROUPS.values():
        try:
            module = importlib.import_module(module_path)
        except ModuleNotFoundError as error:
            # A group whose module is not part of this build is simply not offered.
            if error.name and module_path.startswith(error.name):
                continue
            raise
        module.register(subparsers)
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
