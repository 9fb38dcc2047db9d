"""``maillage demo``: load the demo territory."""

from __future__ import annotations

import argparse
from typing import Any

from maillage.core.cli import migrate, setup_django


def cmd_demo(args: argparse.Namespace) -> int:
    setup_django()
    from maillage.demo import build_demo

    migrate()
    build_demo(force=args.force, quiet=args.quiet)
    return 0


def register(subparsers: Any) -> None:
    """Add the ``demo`` command."""
    demo = subparsers.add_parser("demo", help="load the demo territory (once; --force rebuilds)")
    demo.add_argument("--force", action="store_true", help="delete existing data and rebuild")
    demo.add_argument("--quiet", action="store_true")
    demo.set_defaults(func=cmd_demo)
