"""Template context shared by every page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def _capability_nav() -> list[tuple[str, str]]:
    """Return (label, url) for each app whose AppConfig declares ``nav``."""
    from django.urls import NoReverseMatch, reverse

    from maillage.core.capabilities import nav_items

    items = []
    for label, url_name in nav_items():
        try:
            items.append((str(label), reverse(url_name)))
        except NoReverseMatch:
            continue
    return items


def site(request: HttpRequest) -> dict:
    return {
        "CAPABILITY_NAV": _capability_nav(),
        "SITE_NAME": settings.SITE_NAME,
        "SITE_LOGO_URL": settings.SITE_LOGO_URL,
        "SITE_COLOUR": settings.SITE_COLOUR,
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
    }
