"""Shared by the chart tests: the demo's pages that carry a chart, and a check of their markup.

A number written into markup must parse as a browser parses it: an SVG coordinate, a CSS
length, a data attribute, inline JSON. The French decimal comma (``cx="253,1"``) is the
failure this guards against: browsers reject it and draw nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser

NUMERIC = {
    "x",
    "y",
    "x1",
    "x2",
    "y1",
    "y2",
    "cx",
    "cy",
    "r",
    "dx",
    "dy",
    "width",
    "height",
    "font-size",
    "stroke-width",
}
SVG_TAGS = {
    "svg",
    "rect",
    "line",
    "circle",
    "text",
    "tspan",
    "path",
    "polyline",
    "polygon",
    "pattern",
    "g",
}
NUMBER = r"-?(?:\d+(?:\.\d+)?|\.\d+)"
PAIR = re.compile(rf"^{NUMBER},{NUMBER}$")
# Commands and numbers, space-separated or run together ("M2 4h16"); a comma is refused.
PATH = re.compile(rf"^(?:[MLHVZCSQTAmlhvzcsqta]|{NUMBER})+$")
TRANSFORM = re.compile(r"(\w+)\(([^)]*)\)")
CSS_NUMBER = re.compile(r"(?<![\w#-])(-?[\d.,]+)(px|%|rem|em)\b")


@dataclass(frozen=True)
class ChartPage:
    """A page of the demo that carries a chart, and who must be logged in to see it."""

    path: str
    login: str | None = None


def demo_chart_pages() -> list[ChartPage]:
    """Return every kind of page that carries a chart in the demo data (built beforehand)."""
    from django.urls import reverse

    from maillage.decisions.models import Poll
    from maillage.demo import MARKER_SLUG
    from maillage.demo.foundation import DEMO_LOGINS
    from maillage.observatory.models import AnalysisRun
    from maillage.opinions.models import Analysis
    from maillage.organizations.models import Organization

    member = dict(DEMO_LOGINS)["organization admin"]
    pages = [ChartPage(reverse("mesh:territory", args=[MARKER_SLUG]))]
    for analysis in Analysis.objects.select_related("conversation"):
        if analysis.result and analysis.result.get("groups"):
            pages.append(ChartPage(reverse("opinions:report", args=[analysis.conversation.slug])))
    for run in AnalysisRun.objects.filter(status="done").select_related("campaign", "territory"):
        if run.campaign_id:
            pages.append(ChartPage(reverse("observatory:campaign", args=[run.campaign.slug])))
        else:
            pages.append(ChartPage(reverse("observatory:territory", args=[run.territory.slug])))
        signal = run.signals.order_by("-visibility_increase").first()
        if signal is not None:
            pages.append(ChartPage(reverse("observatory:signal", args=[signal.pk])))
    for poll in Poll.objects.filter(state="closed"):
        pages.append(ChartPage(poll.get_absolute_url()))
    pages.append(ChartPage(reverse("journeys:observation"), member))
    collective = Organization.objects.filter(memberships__person__email=member).first()
    if collective is not None:
        pages.append(ChartPage(reverse("journeys:collective", args=[collective.slug]), member))
    return pages


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.charts = 0
        self.texts: list[str] = []
        self._json: list[str] | None = None
        self._in_text = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "svg" and "chart" in values.get("class", "").split():
            self.charts += 1
        if tag == "script" and values.get("type") == "application/json":
            self._json = []
        self._in_text = tag == "text"
        for name, value in values.items():
            problem = _attribute_problem(tag, name, value)
            if problem:
                self.problems.append(f"<{tag} {name}={value!r}>: {problem}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._json is not None:
            try:
                json.loads("".join(self._json))
            except ValueError as error:
                self.problems.append(f"inline JSON does not parse: {error}")
            self._json = None
        if tag == "text":
            self._in_text = False

    def handle_data(self, data: str) -> None:
        if self._json is not None:
            self._json.append(data)
        elif self._in_text:
            self.texts.append(data)


def _floats(values: list[str]) -> str | None:
    for value in values:
        try:
            float(value)
        except ValueError:
            return f"{value!r} is not a number"
    return None


def _attribute_problem(tag: str, name: str, value: str) -> str | None:
    if tag in SVG_TAGS and name in NUMERIC:
        return _floats([value.removesuffix("%")])
    if name == "viewBox":
        parts = value.split()
        return _floats(parts) if len(parts) == 4 else "a viewBox has four numbers"
    if name == "stroke-dasharray":
        return _floats(value.split())
    if name == "points":
        bad = [p for p in value.split() if not PAIR.match(p)]
        return f"points {bad[:3]} are not x,y pairs" if bad else None
    if name == "d" and tag == "path":
        bad = [t for t in value.split() if not PATH.match(t)]
        return f"path tokens {bad[:3]}" if bad else None
    if name in ("transform", "patternTransform"):
        for _function, arguments in TRANSFORM.findall(value):
            problem = _floats(arguments.split())
            if problem:
                return problem
        return None
    if name == "style":
        return _floats([number for number, _unit in CSS_NUMBER.findall(value)])
    if name.startswith("data-") and re.fullmatch(r"[\d\s.,+-]+", value):
        return _floats([value])
    return None


@dataclass(frozen=True)
class MarkupCheck:
    problems: list[str]
    charts: int
    texts: list[str]  # what the charts write for people to read


def check_markup(html: str) -> MarkupCheck:
    """Return the numbers in ``html``'s markup that a browser would not parse, and its charts."""
    parser = _Markup()
    parser.feed(html)
    return MarkupCheck(parser.problems, parser.charts, parser.texts)
