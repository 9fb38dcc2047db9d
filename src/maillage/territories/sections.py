"""What happens on a territory: each app adds a section to the territory's home page.

A section provider takes the territory and the ids of it and its descendants and returns
``None`` (nothing to show) or a dict with ``title``, ``template`` and ``context``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SectionProvider = Callable[[Any, list[int]], dict | None]
_PROVIDERS: list[tuple[int, SectionProvider]] = []


def register_section(provider: SectionProvider, order: int = 100) -> SectionProvider:
    """Add a section provider; lower ``order`` shows first."""
    _PROVIDERS.append((order, provider))
    _PROVIDERS.sort(key=lambda item: item[0])
    return provider


def territory_sections(territory: Any, ids: list[int]) -> list[dict]:
    """Return the non-empty sections for ``territory``."""
    sections = []
    for _, provider in _PROVIDERS:
        section = provider(territory, ids)
        if section:
            sections.append(section)
    return sections
