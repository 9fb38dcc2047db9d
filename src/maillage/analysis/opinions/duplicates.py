"""Recognise the same statement written twice: case, accents, punctuation and spacing aside."""

from __future__ import annotations

import unicodedata


def statement_key(text: str) -> str:
    """Return the comparison key of a statement.

    Two statements with the same key say the same words: letters are compared without case
    or accents, every run of spaces or punctuation counts as one space.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    words = "".join(c if c.isalnum() else " " for c in letters).split()
    return " ".join(words)
