"""Stages of the theme pipeline: each one announced to the caller and timed."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from .results import Progress


@dataclass
class Stages:
    """Announce each stage through ``notify`` and record its duration in ``timings``.

    A stage of one language is announced as ``"fit:fr"`` and timed as ``"fit_fr"``: callers
    (the CLI's progress line, the observatory's stored timings) read those two spellings.
    """

    notify: Progress
    timings: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str, language: str | None = None) -> Iterator[None]:
        """Time the block as ``name`` (of ``language``); a failed stage records nothing."""
        start = time.perf_counter()
        self.notify(name if language is None else f"{name}:{language}")
        yield
        self.timings[name if language is None else f"{name}_{language}"] = (
            time.perf_counter() - start
        )
