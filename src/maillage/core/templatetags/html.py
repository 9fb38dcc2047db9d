"""``|sanitized``: user HTML shown as HTML only once nh3 has cleaned it, wherever it was saved."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from maillage.core.sanitize import sanitize_html

register = template.Library()


@register.filter
def sanitized(value: str | None) -> SafeString:
    """Return ``value`` cleaned by the allow-list of ``core.sanitize``, safe to insert."""
    return mark_safe(sanitize_html(value or ""))  # noqa: S308 - cleaned just above
