"""The template side of the charts: a number written into markup is never localized.

``{{ value|markup_number }}`` for CSS widths, data attributes and any number a browser parses;
numbers people read stay ``{{ value }}`` (localized), and percentages ``{{ value|percent }}``
(``86 %`` in French, ``86%`` in English). The charts themselves come drawn from
:mod:`maillage.analysis.charts`, whose ``markup_number`` this is.
"""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from maillage.analysis.charts import NumberFormat
from maillage.analysis.charts import markup_number as _markup_number

register = template.Library()


@register.filter
def markup_number(value: float) -> str:
    """Return ``value`` for markup: a dot before the decimals, whatever the language."""
    return _markup_number(value)


@register.filter
def percent(value: float) -> str:
    """Return ``value``, in percentage points (86), as the page's language writes a percentage.

    French puts a narrow no-break space before the sign (``86 %``, never cut from its number),
    English none (``86%``).
    """
    points = float(value)
    decimals = 0 if points.is_integer() else 1
    return NumberFormat.for_language(get_language()).percent(points / 100, decimals)
