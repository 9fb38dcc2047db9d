"""Slugs: the short, stable names in page addresses."""

from __future__ import annotations

from typing import Any

from django.utils.text import slugify


def unique_slug(name: str, model: Any, max_length: int = 120) -> str:
    """Return a slug for ``name`` not yet used by ``model`` (suffixed -2, -3… if needed)."""
    base = slugify(name)[: max_length - 6] or "x"
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
