"""Who may open the open-data pages: everyone, they are the published data."""

from __future__ import annotations

from maillage.core.permissions import EVERYONE, NOBODY

# Who may open (GET) each page, and whose POST writes (core/tests/test_authorization_matrix.py).
PAGES = {
    "opendata:catalog": (EVERYONE, NOBODY),
    "opendata:catalog_as": (EVERYONE, NOBODY),
    "opendata:download": (EVERYONE, NOBODY),
    "opendata:index": (EVERYONE, NOBODY),
    "opendata:schema": (EVERYONE, NOBODY),
}
