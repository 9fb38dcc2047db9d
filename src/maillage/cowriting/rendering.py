"""Markdown of co-written texts to safe HTML."""

from __future__ import annotations

from markdown_it import MarkdownIt

from maillage.core.sanitize import sanitize_html

_MARKDOWN = MarkdownIt("commonmark", {"html": False})


def markdown_to_html(text: str) -> str:
    """Return ``text`` (CommonMark, raw HTML disabled) as sanitized HTML."""
    return sanitize_html(_MARKDOWN.render(text))
