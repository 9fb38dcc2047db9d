"""A self-contained, accessible HTML report (French) of a graph analysis.

Charts are inline SVG drawn here, each with a title, a description and the same figures in a
data table beside it (RGAA / WCAG 2.1: a chart is never the only way to read a figure).
"""

from __future__ import annotations

import math
from html import escape

from maillage.analysis import charts

from .analyze import GraphAnalysis
from .hybridization import Hybridization

SECTOR_NAMES = {
    "academic": "Académique",
    "business": "Entreprises",
    "public_body": "Acteurs publics",
    "association": "Associations",
    "citizens": "Citoyens",
}
KIND_NAMES = {
    "co-production": "Coproduction",
    "pooling": "Mutualisation",
    "encounter": "Rencontre",
    "belonging": "Appartenance",
    "invitation": "Invitation",
}
_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:70rem;color:#1b1b1b;
line-height:1.5;padding:0 1rem}
h1,h2{color:#000091}.pair{display:flex;flex-wrap:wrap;gap:2rem;align-items:flex-start}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #666;padding:.25rem .5rem;
text-align:right}th{background:#eee}caption{font-weight:bold;text-align:left;padding:.25rem 0}
td:first-child,th:first-child{text-align:left}.note{color:#3a3a3a;font-style:italic}
.chart-figure{margin:0}.chart-box{overflow-x:auto}.chart{max-width:100%;height:auto}
.chart-legend,.chart-key{list-style:none;display:flex;flex-wrap:wrap;gap:.25rem 1rem;padding:0}
.chart-key-number{font-weight:bold}
"""
FRENCH = charts.NumberFormat.for_language("fr")


def render_report(analysis: GraphAnalysis, *, title: str = "Graphe de coopération") -> str:
    """Return the HTML page of ``analysis`` (lang="fr", no external resource)."""
    sections = [
        _summary(analysis),
        _hybridization_section(analysis.hybridization, analysis.pooling_hybridization),
        _trend_section(analysis),
        _bridges_section(analysis),
        _communities_section(analysis),
        _loops_section(analysis),
        _snowball_section(analysis),
        _pooling_section(analysis),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{escape(title)}</h1>\n" + "\n".join(sections) + "\n</main>\n</body>\n</html>\n"
    )


def _note(text: str | None) -> str:
    return f'<p class="note">{escape(text)}</p>' if text else ""


def _table(caption: str, header: list[str], rows: list[list[object]]) -> str:
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<th scope="row">{escape(_cell(c))}</th>' if i == 0 else f"<td>{escape(_cell(c))}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return (
        f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _cell(value: object) -> str:
    if isinstance(value, float):
        if value.is_integer() or abs(value) >= 1e4:
            return FRENCH.number(value)
        significant = max(0, 3 - math.floor(math.log10(abs(value)))) if value else 0
        return FRENCH.number(value, min(significant, 4)).rstrip("0").rstrip(",")
    return str(value)


def _percent(value: float) -> str:
    return FRENCH.percent(value, 1)


def _summary(analysis: GraphAnalysis) -> str:
    rows = [[KIND_NAMES[k], n] for k, n in analysis.edges_by_kind.items()]
    return (
        "<section><h2>En bref</h2>"
        f"<p>{analysis.nodes} nœuds, {analysis.edges} liens. La mutualisation et la "
        "coproduction sont comptées à part dans chaque figure : mutualiser ne suffit pas à "
        "coopérer.</p>"
        + _note(analysis.explanation)
        + _table("Liens par nature", ["Nature", "Liens"], rows)
        + "</section>"
    )


def _heatmap(mix: Hybridization, chart_id: str, label: str) -> str:
    names = [SECTOR_NAMES[s] for s in mix.sectors]
    matrix = mix.weight_matrix
    values = [[float(matrix[i, j]) for j in range(len(names))] for i in range(len(names))]
    chart = charts.heatmap(
        names,
        names,
        values,
        [[_cell(v) for v in row] for row in values],
        chart_id=chart_id,
        title=label,
        desc="Carte de chaleur secteur par secteur ; les valeurs sont dans le tableau voisin.",
    )
    rows = [[names[i], *values[i]] for i in range(len(names))]
    table = _table(label, ["Secteur", *names], rows)
    return f'<div class="pair">{chart.figure}{table}</div>'


def _hybridization_section(copro: Hybridization, pooling: Hybridization) -> str:
    def line(mix: Hybridization, what: str) -> str:
        return (
            f"<p>{what} : {mix.edges} liens dont {mix.cross_sector_edges} entre secteurs "
            f"différents, soit {_percent(mix.cross_sector_share)} "
            f"({_percent(mix.weighted_cross_sector_share)} en poids).</p>"
        )

    return (
        "<section><h2>Hybridation entre secteurs</h2>"
        + line(copro, "Coproduction")
        + _note(copro.explanation)
        + _heatmap(copro, "heat-copro", "Coproduction : poids des liens entre secteurs")
        + line(pooling, "Mutualisation (lignes : qui donne ; colonnes : qui reçoit)")
        + _note(pooling.explanation)
        + _heatmap(pooling, "heat-pool", "Mutualisation : poids donnés d'un secteur à l'autre")
        + "</section>"
    )


def _line_chart(
    chart_id: str, label: str, periods: list[str], series: list[tuple[str, list[float]]]
) -> str:
    peak = max((max(values) for _, values in series if values), default=0.0) or 1.0
    ticks = charts.nice_ticks(0.0, peak)
    decimals = charts.decimals_for(ticks)
    styles = (("", "circle"), ("6 4", "square"), ("2 3", "triangle"))
    chart = charts.line_chart(
        periods,
        [
            charts.Series(name, tuple(values), charts.SERIES[k], *styles[k % len(styles)])
            for k, (name, values) in enumerate(series)
        ],
        charts.Axis("", ticks, [FRENCH.number(t, decimals) for t in ticks]),
        chart_id=chart_id,
        title=label,
        desc="Courbe par période ; les valeurs sont dans le tableau voisin.",
        legend_name="Légende :",
    )
    rows = [[p, *(values[i] for _, values in series)] for i, p in enumerate(periods)]
    table = _table(label, ["Période", *(name for name, _ in series)], rows)
    return f'<div class="pair">{chart.figure}{table}</div>'


def _trend_section(analysis: GraphAnalysis) -> str:
    trend = analysis.hybridization.trend
    balance = analysis.pooling.by_period
    parts = ["<section><h2>Évolution</h2>"]
    if trend:
        parts.append(
            _line_chart(
                "trend-hybrid",
                "Part de la coproduction entre secteurs différents, par période",
                [t.period for t in trend],
                [("Part entre secteurs", [t.cross_sector_share for t in trend])],
            )
        )
    if balance:
        parts.append(
            _line_chart(
                "trend-balance",
                "Liens de coproduction et de mutualisation, par période",
                [b.period for b in balance],
                [
                    ("Coproduction", [float(b.coproduction_edges) for b in balance]),
                    ("Mutualisation", [float(b.pooling_edges) for b in balance]),
                ],
            )
        )
    if not trend and not balance:
        parts.append(_note("Aucun lien daté dans cette fenêtre : pas d'évolution à montrer."))
    return "".join(parts) + "</section>"


def _bridges_section(analysis: GraphAnalysis) -> str:
    found = analysis.bridges
    estimate = found.betweenness
    if estimate.exact:
        accuracy = "Intermédiarité exacte."
    else:
        accuracy = (
            f"Intermédiarité estimée sur {estimate.pivots} pivots tirés au hasard : avec une "
            f"probabilité d'au moins {_percent(1 - estimate.delta)}, chaque valeur est à moins "
            f"de {_cell(estimate.epsilon)} de la valeur exacte ({_cell(estimate.epsilon_per_node)} "
            "pour un nœud pris isolément)."
        )
    header = ["Nœud", "Nature", "Secteur", "Territoire", "Intermédiarité", "Coupe", "Secteurs"]

    def rows(items: tuple) -> list[list[object]]:
        return [
            [
                b.node_id,
                b.kind,
                SECTOR_NAMES.get(b.sector or "", "—"),
                b.territory or "—",
                b.betweenness,
                b.separated_nodes,
                b.sectors_reached,
            ]
            for b in items
        ]

    return (
        "<section><h2>Passeurs entre les mondes</h2>"
        f"<p>{accuracy} {found.articulation_points} points d'articulation ; "
        f"{found.components} composantes, la plus grande de {found.largest_component} nœuds. "
        "« Coupe » : nœuds séparés du reste si ce passeur disparaît.</p>"
        + _note(found.explanation)
        + _table("Passeurs par intermédiarité", header, rows(found.by_betweenness))
        + _table("Points d'articulation qui coupent le plus", header, rows(found.by_separation))
        + "</section>"
    )


def _communities_section(analysis: GraphAnalysis) -> str:
    found = analysis.communities
    rows = [
        [
            f"n° {c.index + 1}",
            c.size,
            c.persons,
            c.organizations,
            len(c.territories),
            c.territory_diversity,
            sum(1 for v in c.sectors.values() if v),
            c.sector_diversity,
        ]
        for c in found.largest
    ]
    return (
        "<section><h2>Communautés (Leiden)</h2>"
        f"<p>{found.count} communautés, modularité {FRENCH.number(found.modularity, 3)}. "
        f"{_percent(found.share_in_multi_territory)} des nœuds sont dans une communauté qui "
        f"traverse plusieurs territoires, {_percent(found.share_in_multi_sector)} plusieurs "
        "secteurs.</p>"
        + _note(found.explanation)
        + _table(
            "Plus grandes communautés",
            [
                "Communauté",
                "Taille",
                "Personnes",
                "Organisations",
                "Territoires",
                "Mixité territoriale",
                "Secteurs",
                "Mixité sectorielle",
            ],
            rows,
        )
        + "</section>"
    )


def _loops_section(analysis: GraphAnalysis) -> str:
    found = analysis.loops
    listing = "" if found.complete else " (liste tronquée)"
    cycles = [[" → ".join(c.nodes) + " → " + c.nodes[0], c.weakest_weight] for c in found.cycles]
    pairs = [
        [f"{p.first} ⇄ {p.second}", p.first_to_second, p.second_to_first]
        for p in found.reciprocal_pairs
    ]
    return (
        "<section><h2>Boucles de mutualisation</h2>"
        f"<p>Réciprocité : {_percent(found.reciprocity)} des {found.pooling_pairs} couples "
        f"donneur → receveur sont rendus. {found.three_cycles} cycles à trois ; "
        f"{len(found.cycles)} cycles de longueur 3 à {found.max_length} listés{listing}.</p>"
        + _note(found.explanation)
        + _table("Échanges réciproques", ["Couple", "Aller", "Retour"], pairs)
        + _table("Cycles d'échange (20 premiers)", ["Cycle", "Poids le plus faible"], cycles[:20])
        + "</section>"
    )


def _snowball_section(analysis: GraphAnalysis) -> str:
    found = analysis.snowball
    trees = [[t.root, t.size, t.depth, t.breadth] for t in found.largest]
    periods = [[p.period, p.joined, p.brought, p.reproduction_number] for p in found.by_period]
    return (
        "<section><h2>Effet boule de neige</h2>"
        f"<p>{found.participants} participants dans {found.trees} arbres d'invitation ; "
        f"profondeur maximale {found.max_depth}, largeur maximale {found.max_breadth}. "
        f"Chaque participant en a amené {FRENCH.number(found.reproduction_number, 2)} en moyenne.</p>"
        + _note(found.explanation)
        + _table("Plus grands arbres", ["Racine", "Taille", "Profondeur", "Largeur"], trees)
        + _table(
            "Reproduction par cohorte d'arrivée (les dernières n'ont pas fini d'inviter)",
            ["Période", "Arrivés", "Amenés", "R"],
            periods,
        )
        + "</section>"
    )


def _pooling_section(analysis: GraphAnalysis) -> str:
    found = analysis.pooling
    top = [
        [o.organization, o.pooling_given, o.pooling_received, o.coproduction, o.coproduction_share]
        for o in found.top
    ]
    periods = [
        [p.period, p.coproduction_edges, p.pooling_edges, p.organizations_pooling_only]
        for p in found.by_period
    ]
    return (
        "<section><h2>Mutualisation ou coproduction ?</h2>"
        f"<p>{found.organizations} organisations actives : {found.coproducing} coproduisent "
        f"avec d'autres, {found.pooling_only} ne font que mutualiser.</p>"
        + _note(found.explanation)
        + _table(
            "Par organisation",
            [
                "Organisation",
                "Mutualisation donnée",
                "Mutualisation reçue",
                "Coproduction",
                "Part de coproduction",
            ],
            top,
        )
        + _table(
            "Par période",
            [
                "Période",
                "Liens de coproduction",
                "Liens de mutualisation",
                "Organisations qui ne font que mutualiser",
            ],
            periods,
        )
        + "</section>"
    )
