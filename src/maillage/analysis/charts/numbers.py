"""Numbers for markup (never localized) and numbers for people (in their language)."""

from __future__ import annotations

import math
from dataclasses import dataclass


def markup_number(value: float) -> str:
    """Return ``value`` as markup wants it: dot decimal, at most two decimals, never localized.

    For SVG geometry, CSS lengths and data attributes; never for what people read.
    """
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number for markup")
    if isinstance(value, int):
        return str(value)
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"not a finite number: {value!r}")
    text = f"{number:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class NumberFormat:
    """How numbers read in one language: decimal mark, digit grouping, the percent sign."""

    decimal: str = "."
    group: str = ","
    percent_sign: str = "%"
    minus: str = "\u2212"

    @classmethod
    def for_language(cls, code: str | None) -> NumberFormat:
        """Return the format of a language code (``fr``, ``fr-fr``, ``en``…); English else."""
        if (code or "").lower().split("-")[0] == "fr":
            # French typography: a narrow no-break space groups digits and precedes %.
            return cls(decimal=",", group="\u202f", percent_sign="\u202f%")
        return cls()

    def number(self, value: float, decimals: int = 0) -> str:
        """Return ``value`` rounded to ``decimals`` places, as people of the language read it."""
        text = f"{abs(value):,.{decimals}f}"
        text = text.replace(",", "\x00").replace(".", self.decimal).replace("\x00", self.group)
        negative = value < 0 and any(c not in "0.," for c in f"{abs(value):.{decimals}f}")
        return f"{self.minus}{text}" if negative else text

    def percent(self, share: float, decimals: int = 0) -> str:
        """Return a share (0.65) as a percentage (``65 %`` in French)."""
        return f"{self.number(share * 100, decimals)}{self.percent_sign}"

    def signed_percent(self, share: float, decimals: int = 0) -> str:
        """Return a change as a signed percentage (``+58 %``, ``−12 %``, ``0 %``)."""
        text = self.percent(share, decimals)
        rounded = round(share * 100, decimals)
        return f"+{text}" if rounded > 0 else text
