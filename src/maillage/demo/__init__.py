"""The demo territory: a realistic, fictional French agglomeration built deterministically.

The foundation's steps are in ``DEMO_MODULES``; each capability adds its own in the module its
AppConfig names (``demo``, see ``core.capabilities``). A step is a function
``step(ctx: DemoContext) -> None`` registered with ``@demo_step(order, label)``.
Every write goes through the apps' services, like a real user's would.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

DEMO_MODULES = ["maillage.demo.foundation"]
DEMO_PASSWORD = "maillage-demo"  # noqa: S105 — printed for the demo logins, never for real accounts
MARKER_SLUG = "bramont-agglomeration"


@dataclass
class DemoContext:
    """What the steps share: a seeded random source, created objects and the logins to print."""

    rng: random.Random = field(default_factory=lambda: random.Random(20261125))  # noqa: S311
    objects: dict[str, Any] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)


_STEPS: list[tuple[int, str, Callable[[DemoContext], None]]] = []


def demo_step(order: int, label: str) -> Callable:
    """Register a demo step; steps run by increasing ``order``."""

    def decorator(func: Callable[[DemoContext], None]) -> Callable[[DemoContext], None]:
        _STEPS.append((order, label, func))
        return func

    return decorator


def demo_is_loaded() -> bool:
    from maillage.territories.models import Territory

    return Territory.objects.filter(slug=MARKER_SLUG).exists()


def _load_modules() -> set[str]:
    """Import the foundation's steps and those of the apps' declared demo modules."""
    from maillage.core.capabilities import demo_modules

    for module in DEMO_MODULES:
        importlib.import_module(module)
    return {*DEMO_MODULES, *demo_modules()}


def build_demo(*, force: bool = False, quiet: bool = False) -> DemoContext | None:
    """Build the demo (once: a second call does nothing unless ``force``) and print logins.

    ``quiet`` hides the progress bar, not the logins: they are what a person needs next. The
    demo's people have made-up addresses, so the notifications its steps trigger (invitations,
    proposals, reminders) go to a dummy mail backend, never to the configured one.
    """
    from django.core.management import call_command
    from django.test.utils import override_settings
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    console = Console(width=110)
    if demo_is_loaded() and not force:
        console.print("The demo territory is already loaded (use --force to rebuild it).")
        _print_logins(console, Table, _known_logins())
        return None
    if force:
        call_command("flush", interactive=False, verbosity=0)
    modules = _load_modules()
    ctx = DemoContext()
    steps = sorted(
        (step for step in _STEPS if step[2].__module__ in modules), key=lambda step: step[0]
    )
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=quiet,
        ) as progress,
    ):
        task = progress.add_task("Demo", total=len(steps))
        for _, label, func in steps:
            progress.update(task, description=f"Demo: {label}")
            func(ctx)
            progress.advance(task)
    _print_logins(console, Table, ctx.logins)
    return ctx


def _known_logins() -> list[tuple[str, str, str]]:
    from maillage.demo.foundation import DEMO_LOGINS

    return [(role, email, DEMO_PASSWORD) for role, email in DEMO_LOGINS]


def _print_logins(console: Any, table_class: Any, logins: list[tuple[str, str, str]]) -> None:
    from django.conf import settings

    table = table_class(title=f"Demo logins ({settings.SITE_URL}/connexion/)")
    for column in ("role", "email", "password"):
        table.add_column(column)
    for row in logins:
        table.add_row(*row)
    console.print(table)
