"""The shared chart module: numbers for markup and for people, the palette, labels that fit."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from maillage.analysis import charts

FRENCH = charts.NumberFormat.for_language("fr")
ENGLISH = charts.NumberFormat.for_language("en")


class _Texts(HTMLParser):
    """Collect the SVG text elements with their position, size and anchor."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[dict[str, str]] = []
        self._open: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "text":
            self._open = {k: v or "" for k, v in attrs} | {"content": ""}
            self.texts.append(self._open)

    def handle_endtag(self, tag: str) -> None:
        if tag == "text":
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open["content"] += data


def _boxes(svg: str) -> list[tuple[str, charts.Box]]:
    parser = _Texts()
    parser.feed(svg)
    return [
        (
            t["content"],
            charts.text_box(
                t["content"],
                float(t["x"]),
                float(t["y"]),
                float(t["font-size"]),
                t.get("text-anchor", "start"),
            ),
        )
        for t in parser.texts
        if "transform" not in t
    ]


def test_the_chart_module_and_the_reports_import_no_django() -> None:
    code = (
        "import sys, maillage.analysis.charts, maillage.analysis.themes.report, "
        "maillage.analysis.graph.report; print('django' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_markup_numbers_use_a_dot_and_no_grouping_whatever_the_value() -> None:
    assert charts.markup_number(253.14159) == "253.14"
    assert charts.markup_number(200.0) == "200"
    assert charts.markup_number(-0.001) == "0"
    assert charts.markup_number(12345678) == "12345678"
    assert charts.markup_number(0.5) == "0.5"


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), True])
def test_markup_numbers_refuse_what_a_browser_cannot_draw(bad: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        charts.markup_number(bad)  # type: ignore[arg-type]


def test_numbers_for_people_follow_the_language() -> None:
    assert FRENCH.number(0.65, 2) == "0,65"
    assert FRENCH.number(12345.5, 1) == "12\u202f345,5"
    assert FRENCH.percent(0.65) == "65\u202f%"
    assert FRENCH.signed_percent(0.58) == "+58\u202f%"
    assert FRENCH.signed_percent(-0.12) == "\u221212\u202f%"
    assert FRENCH.signed_percent(0.001) == "0\u202f%"
    assert ENGLISH.number(12345.5, 1) == "12,345.5"
    assert ENGLISH.percent(0.65) == "65%"
    assert charts.NumberFormat.for_language("fr-ca") == FRENCH
    assert charts.NumberFormat.for_language(None) == ENGLISH


def test_every_palette_colour_meets_wcag_aa_on_the_chart_background() -> None:
    for colour in (*charts.SERIES, *charts.BINARY, charts.INK, charts.MUTED):
        assert charts.contrast_ratio(colour, charts.BACKGROUND) >= 4.5, colour
    for fill in charts.DIVERGING:
        assert charts.contrast_ratio(fill, charts.BACKGROUND) >= 4.5, fill
        assert charts.contrast_ratio(fill, charts.text_colour_on(fill)) >= 4.5, fill
    for step in range(101):
        fill = charts.shade(step / 100)
        assert charts.contrast_ratio(fill, charts.text_colour_on(fill)) >= 4.5, fill


def test_ticks_are_round_and_written_with_the_decimals_they_need() -> None:
    assert charts.nice_ticks(0, 0.384) == [0, 0.1, 0.2, 0.3, 0.4]
    assert charts.nice_ticks(-0.12, 0.82) == [-0.25, 0, 0.25, 0.5, 0.75, 1.0]
    assert charts.nice_ticks(3, 3) == [3, 3.25, 3.5, 3.75, 4.0]
    assert charts.decimals_for([0, 0.25, 0.5]) == 2
    assert charts.decimals_for([0, 0.1, 0.2]) == 1
    assert charts.decimals_for([0, 5, 10]) == 0


def test_text_and_attributes_are_escaped_and_numbers_never_localized() -> None:
    svg = charts.el("text", "<b>A & B</b>", x=1.5, y=2, class_="x", data_label='"q"', hidden=None)
    assert (
        svg
        == '<text x="1.5" y="2" class="x" data-label="&quot;q&quot;">&lt;b&gt;A &amp; B&lt;/b&gt;</text>'
    )
    assert svg.__html__() is svg


def test_a_label_that_finds_no_room_is_numbered_in_the_key() -> None:
    crowd = [charts.Point(0.1 + i / 2000, 0.5, f"terme numéro {i}", "weak", i) for i in range(12)]
    chart = _quadrant(crowd)
    assert chart.key  # twelve long labels within a few pixels cannot all be written
    assert "terme numéro 0" in chart.svg  # the first in priority got its name
    unwritten = [p.label for p in crowd if f">{p.label}<" not in chart.svg]
    assert [label for _number, label in chart.key] == unwritten


def test_terms_on_one_spot_share_one_label() -> None:
    chart = _quadrant(
        [charts.Point(0.2, 0.5, t, "weak", i) for i, t in enumerate(["lire", "midi"])]
    )
    assert ">lire · midi<" in chart.svg and chart.key == ()


def test_labels_on_the_quadrant_map_do_not_overlap() -> None:
    # Twelve named terms (as many as the observatory names) in a crowd of thirty.
    spread = [
        charts.Point(
            0.05 + 0.01 * (i % 6), 0.1 + 0.05 * (i // 6), f"mot {i}", "weak", i if i < 12 else None
        )
        for i in range(30)
    ]
    chart = _quadrant(spread)
    boxes = _boxes(chart.svg)
    for i, (text, box) in enumerate(boxes):
        for other, other_box in boxes[i + 1 :]:
            assert not box.overlaps(other_box, gap=0), (text, other)


def test_the_axis_titles_and_the_last_tick_stay_inside_the_drawing() -> None:
    chart = _quadrant([charts.Point(0.384, 0.82, "haut", "strong", 0)])
    for text, box in _boxes(chart.svg):
        assert box.left >= 0 and box.right <= chart.width + 0.5, text
        assert box.top >= 0 and box.bottom <= chart.height, text
    parser = _Texts()
    parser.feed(chart.svg)
    title = next(t for t in parser.texts if t["content"] == "↑ Taux")
    ticks = [t for t in parser.texts if t["content"].endswith("%")]
    assert all(float(t["y"]) - 10 > float(title["y"]) for t in ticks)  # title above all ticks


def test_heatmap_margins_hold_the_longest_sector_names() -> None:
    names = ["Université et recherche", "Habitants et collectifs citoyens", "Association"]
    values = [[float(i + j) for j in range(3)] for i in range(3)]
    chart = charts.heatmap(
        names,
        names,
        values,
        [[FRENCH.number(v) for v in row] for row in values],
        chart_id="h",
        title="t",
        desc="d",
    )
    for text, box in _boxes(chart.svg):
        assert box.left >= 0, text
    # The slanted column labels: the last one must end inside the drawing.
    last = charts.text_width(names[-1], 13) * 0.7072
    assert chart.width >= 10 + charts.text_width(names[1], 13) + 56 * 3 + last - 1


def test_every_number_in_a_chart_parses_as_a_float() -> None:
    chart = _quadrant([charts.Point(0.1234567, -0.0567, "x", "latent", 0)])
    for name, value in re.findall(r' ([a-z-]+|viewBox)="([^"]*)"', chart.svg):
        if name in {"x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "width", "height"}:
            float(value)
        if name in {"viewBox", "points"}:
            [float(v) for v in re.split(r"[ ,]", value)]


def _quadrant(chart_points: list[charts.Point]) -> charts.Chart:
    x_ticks = charts.nice_ticks(0, 0.384)
    y_ticks = charts.nice_ticks(-0.12, 0.82)
    groups = [
        charts.Group("weak", "Signaux faibles", charts.SERIES[4], "triangle"),
        charts.Group("strong", "Signaux forts", charts.SERIES[0], "diamond"),
        charts.Group("latent", "Signaux latents", charts.SERIES[7], "square"),
    ]
    return charts.quadrant_chart(
        chart_points,
        groups,
        charts.Axis(
            "Degré de visibilité →",
            x_ticks,
            [FRENCH.number(t, charts.decimals_for(x_ticks)) for t in x_ticks],
        ),
        charts.Axis("↑ Taux", y_ticks, [FRENCH.signed_percent(t) for t in y_ticks]),
        cut=(0.12, 0.3),
        corners={"top-left": "Signaux faibles", "top-right": "Signaux forts"},
        chart_id="q",
        title="Carte",
        desc="d",
    )
