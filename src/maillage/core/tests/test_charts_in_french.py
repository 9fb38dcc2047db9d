"""Charts draw in French: no number in markup goes through localization, people read French.

French writes 253,1 where SVG wants 253.1; a chart whose coordinates were localized drew
nothing in French and drew in English. Every chart is checked both through the real request
path (LocaleMiddleware choosing French) and with its builder called under
``translation.override("fr")``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from django.utils import translation

from maillage.core.tests.charts_check import check_markup, demo_chart_pages

FRENCH_DECIMAL = re.compile(r"\d,\d")
SRC = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
@pytest.mark.slow
def test_every_chart_page_of_the_demo_writes_numbers_a_browser_parses_in_french_and_english(
    client,
) -> None:
    from maillage.demo import build_demo
    from maillage.people.models import Person

    build_demo(quiet=True)
    pages = demo_chart_pages()
    assert {p.path.split("/")[1] for p in pages} >= {
        "maillage",
        "conversations",
        "observatoire",
        "scrutins",
        "auto-observation",
    }
    problems: list[str] = []
    texts: dict[str, list[str]] = {"fr": [], "en": []}
    for page in pages:
        client.logout()
        if page.login:
            client.force_login(Person.objects.get(email=page.login))
        for language in ("fr", "en"):
            response = client.get(page.path, HTTP_ACCEPT_LANGUAGE=f"{language};q=1.0")
            assert response.status_code == 200, page.path
            html = response.content.decode()
            assert f'<html lang="{language}">' in html, (page.path, language)
            check = check_markup(html)
            assert check.charts, f"{page.path} draws no chart"
            problems += [f"{page.path} ({language}): {p}" for p in check.problems]
            texts[language] += check.texts
    assert problems == []
    # What the charts write for people follows the language.
    assert any(FRENCH_DECIMAL.search(t) for t in texts["fr"])
    assert any("\u202f%" in t for t in texts["fr"])
    assert not any("\u202f%" in t for t in texts["en"])
    assert any(re.search(r"\d\.\d", t) for t in texts["en"])


def _builders() -> dict[str, str]:
    """Return the markup of every chart builder, fed with numbers that have decimals."""
    from maillage.analysis.graph import analyze
    from maillage.analysis.graph.report import render_report
    from maillage.analysis.tests.test_graph_measures import region
    from maillage.decisions.charts import merit_profiles
    from maillage.journeys.charts import line_chart
    from maillage.mesh.charts import heatmap, timeline
    from maillage.observatory.charts import quadrant_chart, theme_bars, timelines
    from maillage.opinions.charts import opinion_map_chart

    class Theme:
        def __init__(self, label: str, share: float) -> None:
            self.label, self.share = label, share

    class Signal:
        def __init__(self, term: str, x: float, y: float, quadrant: str) -> None:
            self.term, self.visibility, self.visibility_increase = term, x, y
            self.quadrant, self.emerging = quadrant, True

    class Run:
        periods = ["2025-01", "2025-02", "2025-03"]
        timelines = {"marché": [1, 4, 9]}

    class Option:
        def __init__(self, option: str, rank: int, tally: tuple[int, ...]) -> None:
            self.option, self.rank, self.tally = option, rank, tally
            self.shares = tuple(t / sum(tally) for t in tally)
            self.majority_grade_label, self.gauge_sign = "Bien", "+"

    class Results:
        grades = ("À rejeter", "Insuffisant", "Passable", "Assez bien", "Bien", "Très bien", "Top")
        option_labels = {"a": "Halle", "b": "Parc"}

        class majority:  # noqa: N801 — the shape of rank_tallies' result
            ranking = [Option("a", 1, (1, 2, 3, 4, 5, 6, 7)), Option("b", 2, (7, 6, 5, 4, 3, 2, 1))]

    signals = [
        Signal("sans", 0.107, 0.776, "weak"),
        Signal("lire", 0.163, 0.688, "weak"),
        Signal("bancs", 0.251, 0.123, "well-known"),
        Signal("soir", 0.209, 0.311, "strong"),
        Signal("pluie", 0.052, -0.123, "latent"),
    ]
    sectors = ["Université et recherche", "Habitants et collectifs citoyens", "Association"]
    return {
        "merit profiles": merit_profiles(Results)[0].figure,
        "self-observation": line_chart(
            ["Premier tour", "Second tour"],
            {"je": [3.3333, 4.6667], "nous": [2.5, None], "dans": [4.25, 3.75]},
            low=1,
            high=5,
            chart_id="mine",
            title="Mon évolution",
        ).figure,
        "heatmap": heatmap(np.array([[0, 2.5, 1], [2.5, 7.25, 3], [1, 3, 0.5]]), sectors).figure,
        "balance": timeline(["2025", "2026"], [1, 21], [4, 389]).figure,
        "themes": theme_bars([Theme("petit marché", 0.5234), Theme("bancs", 0.0812)]).figure,
        "weak signals": quadrant_chart(signals, "2025-03").figure,  # type: ignore[union-attr]
        "timelines": timelines(Run, ["marché"])[0].chart.figure,
        "opinion map": opinion_map_chart(
            [
                {"x": -1.2345, "y": 0.333, "group": 0},
                {"x": 2.5, "y": -0.75, "group": 1},
                {"x": 0.125, "y": 1.5, "group": None},
            ],
            {0: "A", 1: "B"},
            1,
        ).figure,
        "graph report": render_report(analyze(region())),
    }


def test_every_chart_builder_writes_numbers_a_browser_parses_under_french() -> None:
    from maillage.analysis.themes.report import render_html

    with translation.override("fr"):
        drawn = _builders()
    document = {
        "themes": [
            {
                "id": 0,
                "label": "marché",
                "share": 0.5234,
                "size": 3,
                "terms": ["marché"],
                "examples": [],
            }
        ],
        "skipped": {},
        "shares_by_territory": {"Nord": {"0": 0.125}},
        "weak_signals": [
            {
                "term": t,
                "period": "2025-03",
                "quadrant": q,
                "visibility": x,
                "visibility_increase": y,
                "emerging": True,
                "document_frequency": 3,
                "log_likelihood": 4.56,
                "burst": False,
                "examples": [],
            }
            for t, q, x, y in [("sans", "weak", 0.107, 0.776), ("bancs", "well-known", 0.25, 0.1)]
        ],
        "periods": ["2025-03"],
    }
    drawn["themes report"] = render_html(document, "Rapport")
    for name, markup in drawn.items():
        check = check_markup(markup)
        assert check.charts, f"{name}: no chart"
        assert check.problems == [], name
    shown = " ".join(check_markup(drawn["weak signals"]).texts)
    assert "0,1" in shown and "+75\u202f%" in shown  # ticks read as French people read them
    assert "2,5" in " ".join(check_markup(drawn["heatmap"]).texts)


def test_templates_write_numbers_into_markup_only_through_markup_number() -> None:
    """A template variable inside a style or an SVG geometry attribute is filtered.

    (A data attribute may hold a key or a slug: the page test above parses the numeric ones.)
    """
    attribute = re.compile(
        r"\s(style|viewBox|x|y|x1|x2|y1|y2|cx|cy|r|width|height|points|d|transform)"
        r'="([^"]*\{\{[^"]*)"'
    )
    variable = re.compile(r"\{\{\s*([^}]*?)\s*\}\}")
    unfiltered = []
    for template in sorted(SRC.glob("**/templates/**/*.html")):
        for name, value in attribute.findall(template.read_text(encoding="utf-8")):
            unfiltered += [
                f"{template.relative_to(SRC)}: {name}={{{{ {expression} }}}}"
                for expression in variable.findall(value)
                if "markup_number" not in expression
                # palette colours are hex strings, never localized
                and not expression.endswith(("colour", "color"))
            ]
    assert unfiltered == []


def test_a_percentage_in_a_table_reads_as_its_language_writes_it() -> None:
    from django.template import Context, Template

    template = Template("{% load charts %}{{ share|percent }}")
    with translation.override("fr"):
        assert template.render(Context({"share": 86})) == "86\u202f%"
    with translation.override("en"):
        assert template.render(Context({"share": 86})) == "86%"
        assert template.render(Context({"share": 7.5})) == "7.5%"
