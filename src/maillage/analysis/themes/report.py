"""Self-contained outputs of an analysis: a JSON document and an accessible HTML report."""

from __future__ import annotations

from html import escape
from typing import Any

from .pipeline import ThemeAnalysis


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
        "svg text{font-size:12px}</style></head><body>",
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
    """Return an SVG bar chart of theme shares; the table after it carries the same data."""
    height = 24 * len(themes) + 10
    bars = []
    for i, theme in enumerate(themes):
        width = 400 * theme["share"] / max(max(t["share"] for t in themes), 1e-9)
        y = 5 + 24 * i
        bars.append(
            f'<rect x="320" y="{y}" width="{width:.1f}" height="18" fill="#1f5fa8"></rect>'
            f'<text x="315" y="{y + 13}" text-anchor="end">{escape(theme["label"][:48])}</text>'
            f'<text x="{325 + width:.1f}" y="{y + 13}">{100 * theme["share"]:.1f} %</text>'
        )
    return (
        f'<svg role="img" aria-labelledby="bars-title" width="800" height="{height}" '
        f'viewBox="0 0 800 {height}"><title id="bars-title">Part de chaque thème</title>'
        + "".join(bars)
        + "</svg>"
    )


def _theme_table(themes: list[dict[str, Any]]) -> str:
    """Return the themes as a table: label, share, terms, examples."""
    rows = "".join(
        f"<tr><td>{t['id']}</td><td>{escape(t['label'])}</td><td>{100 * t['share']:.1f} %</td>"
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
        + "".join(f"<td>{100 * row.get(str(t['id']), 0.0):.1f} %</td>" for t in themes)
        + "</tr>"
        for name, row in list(shares.items())[:200]
    )
    return f"<table><caption>{escape(caption)}</caption><thead><tr><th></th>{head}</tr></thead><tbody>{body}</tbody></table>"


def _quadrant_chart(points: list[dict[str, Any]], period: str) -> str:
    """Return Yoon's keyword emergence map of one period as an SVG scatter plot."""
    if not points:
        return ""
    xs = [p["visibility"] for p in points]
    ys = [p["visibility_increase"] for p in points]
    x_low, x_high = min(xs), max(xs) or 1.0
    y_low, y_high = min(ys), max(ys)
    colors = {"weak": "#c0392b", "strong": "#1f5fa8", "latent": "#7f8c8d", "well-known": "#27ae60"}
    dots = []
    for p in points:
        x = 60 + 500 * (p["visibility"] - x_low) / max(x_high - x_low, 1e-12)
        y = 330 - 300 * (p["visibility_increase"] - y_low) / max(y_high - y_low, 1e-12)
        dots.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colors.get(p["quadrant"], "#000")}">'
            f"<title>{escape(p['term'])} ({p['quadrant']})</title></circle>"
        )
    return (
        f'<svg role="img" aria-labelledby="kem-title" width="620" height="360" viewBox="0 0 620 360">'
        f'<title id="kem-title">Carte d’émergence des termes, période {escape(period)} : '
        "visibilité (horizontal) et taux d’accroissement (vertical)</title>"
        '<line x1="60" y1="330" x2="580" y2="330" stroke="#333"></line>'
        '<line x1="60" y1="20" x2="60" y2="330" stroke="#333"></line>'
        '<text x="320" y="352" text-anchor="middle">visibilité (DoV)</text>'
        '<text x="15" y="180" transform="rotate(-90 15 180)" text-anchor="middle">accroissement</text>'
        + "".join(dots)
        + "</svg>"
    )


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
        f"<td>{s['visibility_increase']:+.2f}</td><td>{s['log_likelihood']:.1f}</td>"
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
