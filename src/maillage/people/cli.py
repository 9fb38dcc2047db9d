"""``maillage createadmin``: create a platform admin account."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from maillage.core.cli import setup_django


def cmd_createadmin(args: argparse.Namespace) -> int:
    setup_django()
    import getpass

    from maillage.people.models import Person

    password = os.environ.get("MAILLAGE_ADMIN_PASSWORD") or getpass.getpass("Password: ")
    if len(password) < 8:
        print("maillage: the password must have at least 8 characters", file=sys.stderr)
        return 2
    if Person.objects.filter(email__iexact=args.email).exists():
        print(f"maillage: an account already uses {args.email}", file=sys.stderr)
        return 2
    Person.objects.create_superuser(args.email, password, display_name=args.name)
    print(f"Platform admin {args.email} created.")
    return 0


def register(subparsers: Any) -> None:
    """Add the ``createadmin`` command."""
    admin = subparsers.add_parser("createadmin", help="create a platform admin account")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", default="Admin")
    admin.set_defaults(func=cmd_createadmin)
