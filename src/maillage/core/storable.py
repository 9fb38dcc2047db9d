"""Text no database can store: a NUL character, a lone UTF-16 surrogate.

PostgreSQL refuses NUL in text and neither database takes a surrogate that is not UTF-8; such
text reaches us only from broken or hostile clients (``%00`` in a URL, ``\\u0000`` or
``\\ud800`` in JSON). It is refused where it enters, with a 400 or a per-record 422 that names
the field, instead of failing deep in a query with a 500.
"""

from __future__ import annotations

from typing import Any


def storable(text: str) -> bool:
    """Return whether ``text`` can be stored as text by every database we support."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable(text: str) -> str:
    """Return ``text`` with what UTF-8 cannot hold written as escapes, to name it in an answer."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def unstorable_field(value: Any, name: str = "") -> str | None:
    """Return the name of the first field of ``value`` holding unstorable text, or None.

    Keys count as well as values; a key that is itself unstorable is named in escapes.
    """
    if isinstance(value, str):
        return None if storable(value) else name
    if isinstance(value, dict):
        for key, item in value.items():
            key_text = str(key)
            if not storable(key_text):
                return printable(key_text)
            found = unstorable_field(item, f"{name}.{key_text}" if name else key_text)
            if found is not None:
                return found
    elif isinstance(value, list):
        for position, item in enumerate(value):
            found = unstorable_field(item, f"{name}[{position}]")
            if found is not None:
                return found
    return None


class UnstorableText(ValueError):
    """A request holds text no database can store; ``field`` names where."""

    def __init__(self, field: str) -> None:
        self.field = field
        super().__init__(
            f"{field or 'the request'} holds a character that cannot be stored "
            "(a NUL or a lone UTF-16 surrogate)"
        )
