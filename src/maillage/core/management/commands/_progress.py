"""A rich progress bar fed by ``core.backup``'s ``progress(description, advance, total)``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from maillage.core.backup import Progress as ProgressCallback


@contextmanager
def progress_bar(*, quiet: bool) -> Iterator[ProgressCallback]:
    columns: list[Any] = [
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, transient=True, disable=quiet) as bar:
        tasks: dict[str, TaskID] = {}

        def advance(description: str, step: int, total: int | None) -> None:
            if description not in tasks:
                tasks[description] = bar.add_task(description, total=total)
            bar.update(tasks[description], advance=step, total=total)

        yield advance
