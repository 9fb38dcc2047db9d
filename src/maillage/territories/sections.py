"""What happens on a territory: each app adds a section to the territory's home page.

An app declares its providers in its AppConfig (``sections``, see ``core.capabilities``). A
provider takes the territory and the ids of it and its descendants and returns ``None``
(nothing to show) or a dict with ``title``, ``template`` and ``context``.
"""

from __future__ import annotations

from typing import Any

from maillage.core.capabilities import sections


def territory_sections(territory: Any, ids: list[int]) -> list[dict]:
    """Return the non-empty sections for ``territory``, by the order their apps declare."""
    found = []
    for _, provider in sections():
        section = provider(territory, ids)
        if section:
            found.append(section)
    return found
