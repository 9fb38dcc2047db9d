"""The template side of the charts: a number written into markup is never localized.

``{{ value|markup_number }}`` for CSS widths, data attributes and any number a browser parses;
numbers people read stay ``{{ value }}`` (localized). The charts themselves come drawn from
:mod:`maillage.analysis.charts`, whose ``markup_number`` this is.
"""

from __future__ import annotations

from django import template

from maillage.analysis.charts import markup_number as _markup_number

register = template.Library()


@register.filter
def markup_number(value: float) -> str:
    """Return ``value`` for markup: a dot before the decimals, whatever the language."""
    return _markup_number(value)
