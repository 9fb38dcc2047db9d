"""SVG markup built from Python: numbers through markup_number, text escaped."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from maillage.analysis.charts.numbers import markup_number


class Markup(str):
    """Markup already escaped: Django and Jinja templates insert it as is (``__html__``)."""

    __slots__ = ()

    def __html__(self) -> str:
        return self


def _attribute(value: object) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return markup_number(value)
    if isinstance(value, tuple | list):
        return " ".join(_attribute(item) for item in value)
    if hasattr(value, "__float__") and not isinstance(value, str):  # numpy numbers
        return markup_number(float(value))  # type: ignore[arg-type]
    return escape(str(value), quote=True)


def el(tag: str, *children: str, **attributes: object) -> Markup:
    """Return an element; numbers go through :func:`markup_number`, text is escaped.

    Attribute names take ``-`` for ``_`` (``font_size`` → ``font-size``) and ``class_`` is
    ``class``; ``None`` or ``False`` leaves an attribute out.
    """
    parts = [tag]
    for name, value in attributes.items():
        if value is None or value is False:
            continue
        key = "class" if name == "class_" else name.replace("_", "-")
        parts.append(f'{key}="{_attribute(value)}"')
    opening = " ".join(parts)
    if not children:
        return Markup(f"<{opening}/>")
    inner = "".join(c if isinstance(c, Markup) else escape(c, quote=False) for c in children)
    return Markup(f"<{opening}>{inner}</{tag}>")


def join(items: Iterable[str]) -> Markup:
    """Return the concatenation of elements (text items are escaped)."""
    return Markup("".join(i if isinstance(i, Markup) else escape(i, quote=False) for i in items))


def points(pairs: Iterable[tuple[float, float]]) -> str:
    """Return an SVG ``points`` list: ``x,y x,y`` (the comma separates x from y)."""
    return " ".join(f"{markup_number(x)},{markup_number(y)}" for x, y in pairs)


def path(*commands: tuple[str, float] | tuple[str, float, float] | str) -> str:
    """Return SVG path data from commands such as ``("M", x, y)``, ``("H", x)`` and ``"Z"``."""
    out = []
    for command in commands:
        if isinstance(command, str):
            out.append(command)
        else:
            letter, *numbers = command
            out.append(" ".join([str(letter), *(markup_number(n) for n in numbers)]))
    return " ".join(out)
