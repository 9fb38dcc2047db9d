"""Self-contained outputs of an analysis: a JSON document and an accessible HTML report."""

from __future__ import annotations

from html import escape
from statistics import median
from typing import Any

from maillage.analysis import charts

from .pipeline import ThemeAnalysis

FRENCH = charts.NumberFormat.for_language("fr")
QUADRANTS = {  # quadrant: (name, corner, colour, marker shape), as on the observatory's pages
    "weak": ("Signaux faibles", "top-left", charts.SERIES[4], "triangle"),
    "strong": ("Signaux forts", "top-right", charts.SERIES[0], "diamond"),
    "latent": ("Signaux latents", "bottom-left", charts.SERIES[7], "square"),
    "well-known": ("Termes connus", "bottom-right", charts.SERIES[2], "cross"),
}


def analysis_document(
    analysis: ThemeAnalysis, texts: list[str], max_examples: int = 5
) -> dict[str, Any]:
    """Return the analysis as JSON-ready data: themes, rows, weak signals, timings."""
    themes = [
        {
            "id": theme.id,
            "label": theme.label,
            "terms": theme.terms,
            "share": round(theme.share, 6),
            "size": theme.size,
            "language": theme.language,
            "examples": [{"row": row, "text": texts[row]} for row in theme.examples[:max_examples]],
            "duplicate_groups": [
                {"size": group.size, "rows": group.rows[:50], "text": group.text}
                for group in theme.duplicate_groups[:10]
            ],
        }
        for theme in analysis.themes
    ]
    rows = [
        {
            "row": row,
            "theme": int(theme) if theme >= 0 else None,
            "weight": round(float(weight), 4) if theme >= 0 else None,
            **({"skipped": reason} if reason else {}),
        }
        for row, (theme, weight, reason) in enumerate(
            zip(
                analysis.row_theme.tolist(),
                analysis.row_weight.tolist(),
                analysis.row_skip,
                strict=True,
            )
        )
    ]
    signals = []
    report = analysis.weak_signals
    if report is not None:
        signals = [
            {
                "term": s.term,
                "lemma": s.lemma,
                "quadrant": s.quadrant,
                "period": s.period,
                "diffusion_quadrant": s.diffusion_quadrant,
                "frequency": s.frequency,
                "document_frequency": s.document_frequency,
                "visibility": round(s.visibility, 6),
                "diffusion": round(s.diffusion, 6),
                "visibility_increase": round(s.visibility_increase, 4),
                "diffusion_increase": round(s.diffusion_increase, 4),
                "log_likelihood": round(s.log_likelihood, 3),
                "p_value": s.p_value,
                "q_value": s.q_value,
                "burst": s.burst,
                "emerging": s.emerging,
                "examples": [{"row": row, "text": texts[row][:500]} for row in s.examples],
            }
            for s in report.signals
        ]
    return {
        "themes": themes,
        "rows": rows,
        "weak_signals": signals,
        "periods": report.periods if report else [],
        "documents_per_period": report.documents_per_period if report else [],
        "filtered_places": report.filtered_places if report else [],
        "skipped": analysis.skipped,
        "languages": analysis.languages,
        "model_selection": {
            language: {
                "method": sel.method,
                "criterion": sel.criterion,
                "scores": {str(k): round(v, 4) for k, v in sel.scores.items()},
                "chosen": sel.chosen,
            }
            for language, sel in analysis.selection.items()
        },
        "shares_by_territory": _shares(analysis.shares_by_territory),
        "shares_by_period": _shares(analysis.shares_by_period),
        "timings": {stage: round(seconds, 3) for stage, seconds in analysis.timings.items()},
    }


def _shares(table: dict[str, dict[int, float]]) -> dict[str, dict[str, float]]:
    """Return shares with string keys, rounded, as JSON wants them."""
    return {name: {str(k): round(v, 4) for k, v in row.items()} for name, row in table.items()}


def render_html(document: dict[str, Any], title: str) -> str:
    """Return a self-contained French HTML report: inline SVG charts, each with its data table."""
    parts = [
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:auto;padding:1rem;"
        "color:#1a1a1a}table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #999;"
        "padding:.25rem .5rem;text-align:left}caption{font-weight:bold;text-align:left}"
        ".chart-figure{margin:0}.chart-box{overflow-x:auto}.chart{max-width:100%;height:auto}"
        ".chart-legend,.chart-key{list-style:none;display:flex;flex-wrap:wrap;gap:.25rem 1rem;"
        "padding:0}.chart-key-number{font-weight:bold}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f"<p>{sum(t['size'] for t in document['themes'])} contributions analysées ; "
        f"ignorées : {escape(', '.join(f'{k} {v}' for k, v in document['skipped'].items()) or 'aucune')}.</p>",
        "<h2>Thèmes</h2>",
        _bar_chart(document["themes"]),
        _theme_table(document["themes"]),
    ]
    if document["shares_by_territory"]:
        parts.append(
            _share_table(
                "Part des thèmes par territoire",
                document["shares_by_territory"],
                document["themes"],
            )
        )
    if document["weak_signals"]:
        parts.append("<h2>Signaux faibles</h2>")
        last = document["periods"][-1]
        points = [s for s in document["weak_signals"] if s["period"] == last]
        parts.append(_quadrant_chart(points, last))
        parts.append(_signal_table([s for s in document["weak_signals"] if s["emerging"]][:100]))
    parts.append("</body></html>")
    return "\n".join(parts)


def _bar_chart(themes: list[dict[str, Any]]) -> str:
    """Return a bar chart of theme shares; the table after it carries the same data."""
    chart = charts.bar_chart(
        [charts.BarRow(t["label"], t["share"], FRENCH.percent(t["share"], 1)) for t in themes],
        chart_id="bars",
        title="Part de chaque thème",
        desc="Une barre par thème, la plus grande d'abord ; le tableau qui suit donne les parts.",
    )
    return chart.figure


def _theme_table(themes: list[dict[str, Any]]) -> str:
    """Return the themes as a table: label, share, terms, examples."""
    rows = "".join(
        f"<tr><td>{t['id']}</td><td>{escape(t['label'])}</td><td>{FRENCH.percent(t['share'], 1)}</td>"
        f"<td>{escape(', '.join(t['terms']))}</td>"
        f"<td>{'<br>'.join(escape(e['text'][:200]) for e in t['examples'][:3])}</td></tr>"
        for t in themes
    )
    return (
        "<table><caption>Thèmes (données du graphique)</caption><thead><tr><th scope=col>n°</th>"
        "<th scope=col>Thème</th><th scope=col>Part</th><th scope=col>Termes</th>"
        f"<th scope=col>Contributions représentatives</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _share_table(
    caption: str, shares: dict[str, dict[str, float]], themes: list[dict[str, Any]]
) -> str:
    """Return a table of theme shares per group (territory, period)."""
    head = "".join(f"<th scope=col>{escape(t['label'][:30])}</th>" for t in themes)
    body = "".join(
        f"<tr><th scope=row>{escape(name)}</th>"
        + "".join(f"<td>{FRENCH.percent(row.get(str(t['id']), 0.0), 1)}</td>" for t in themes)
        + "</tr>"
        for name, row in list(shares.items())[:200]
    )
    return f"<table><caption>{escape(caption)}</caption><thead><tr><th></th>{head}</tr></thead><tbody>{body}</tbody></table>"


def _quadrant_chart(points: list[dict[str, Any]], period: str, labelled: int = 12) -> str:
    """Return Yoon's keyword emergence map of one period, cut at the medians."""
    if not points:
        return ""
    xs = [p["visibility"] for p in points]
    ys = [p["visibility_increase"] for p in points]
    x_ticks = charts.nice_ticks(0.0, max(xs) or 1.0)
    y_ticks = charts.nice_ticks(min(min(ys), 0.0), max(max(ys), 0.0))
    ranked = sorted(
        (i for i, p in enumerate(points) if p["quadrant"] in ("weak", "strong")),
        key=lambda i: (not points[i]["emerging"], -points[i]["visibility_increase"]),
    )
    priority = {index: rank for rank, index in enumerate(ranked[:labelled])}
    chart = charts.quadrant_chart(
        [
            charts.Point(
                p["visibility"], p["visibility_increase"], p["term"], p["quadrant"], priority.get(i)
            )
            for i, p in enumerate(points)
        ],
        [
            charts.Group(q, name, colour, shape)
            for q, (name, _c, colour, shape) in QUADRANTS.items()
        ],
        charts.Axis(
            "Degré de visibilité →",
            x_ticks,
            [FRENCH.number(t, charts.decimals_for(x_ticks)) for t in x_ticks],
        ),
        charts.Axis("↑ Taux d'accroissement", y_ticks, [FRENCH.signed_percent(t) for t in y_ticks]),
        cut=(median(xs), median(ys)),
        corners={corner: name for name, corner, _colour, _shape in QUADRANTS.values()},
        chart_id="kem",
        title=f"Carte d'émergence des termes, période {period}",
        desc=(
            "En abscisse la visibilité, en ordonnée son taux d'accroissement ; les pointillés "
            "aux médianes séparent les quatre quadrants. Le tableau qui suit liste les signaux."
        ),
        legend_name="Quadrants :",
        key_name="Termes numérotés sur la carte :",
    )
    return chart.figure


def _signal_table(signals: list[dict[str, Any]]) -> str:
    """Return the emerging signals as a table with an example each."""
    names = {
        "weak": "signal faible",
        "strong": "signal fort",
        "latent": "latent",
        "well-known": "connu",
    }
    rows = "".join(
        f"<tr><td>{escape(s['term'])}</td><td>{escape(s['period'])}</td>"
        f"<td>{names.get(s['quadrant'], s['quadrant'])}</td><td>{s['document_frequency']}</td>"
        f"<td>{FRENCH.signed_percent(s['visibility_increase'])}</td>"
        f"<td>{FRENCH.number(s['log_likelihood'], 1)}</td>"
        f"<td>{'oui' if s['burst'] else 'non'}</td>"
        f"<td>{escape(s['examples'][0]['text'][:200]) if s['examples'] else ''}</td></tr>"
        for s in signals
    )
    return (
        "<table><caption>Signaux émergents (données de la carte)</caption><thead><tr>"
        "<th scope=col>Terme</th><th scope=col>Période</th><th scope=col>Quadrant</th>"
        "<th scope=col>Contributions</th><th scope=col>Accroissement</th><th scope=col>G²</th>"
        f"<th scope=col>Salve</th><th scope=col>Exemple</th></tr></thead><tbody>{rows}</tbody></table>"
    )
