"""Cooperation-graph measures on a small hand-made region with known answers."""

from __future__ import annotations

import datetime as dt
import importlib
import subprocess
import sys

import igraph as ig
import numpy as np
import pytest

from maillage.analysis.graph import (
    CooperationGraph,
    Edge,
    GraphInputError,
    Node,
    analyze,
    approximate_betweenness,
    bridges,
    communities,
    hybridization,
    loops,
    pivot_count,
    pooling_balance,
    snowball,
    to_jsonable,
)
from maillage.analysis.graph.model import POOLING


def region() -> CooperationGraph:
    """Return a university and two associations joined only through a living lab.

    Plus a pooling loop mairie → coop → ressourcerie → mairie (coop also gives back to the
    mairie), and an invitation tree a1 → {a2, a3}, a2 → {p1, p2}, p1 → p3.
    """
    nodes = [
        Node("uha", "organization", "academic", "Mulhouse"),
        Node("lab", "organization", "business", "Mulhouse"),
        Node("asso1", "organization", "association", "Colmar"),
        Node("asso2", "organization", "association", "Colmar"),
        Node("mairie", "organization", "public_body", "Mulhouse"),
        Node("coop", "organization", "business", "Colmar"),
        Node("ressourcerie", "organization", "association", "Colmar"),
        *(Node(p, "person") for p in ("u1", "u2", "u3", "a1", "a2", "a3", "l1")),
        *(Node(p, "person", "citizens", "Colmar") for p in ("p1", "p2", "p3")),
    ]
    edges = [
        Edge(p, o, "belonging", 1, "2022-01-01")
        for p, o in [
            ("u1", "uha"),
            ("u2", "uha"),
            ("u3", "uha"),
            ("a1", "asso1"),
            ("a2", "asso1"),
            ("a3", "asso2"),
            ("l1", "lab"),
        ]
    ]
    same_sector = [
        ("u1", "u2"),
        ("u2", "u3"),
        ("u1", "u3"),
        ("a1", "a2"),
        ("a2", "a3"),
        ("a1", "a3"),
    ]
    edges += [Edge(a, b, "co-production", 1, "2023-03-01", "doc:1") for a, b in same_sector]
    edges += [
        Edge("lab", "u1", "co-production", 3, "2024-03-01", "doc:2"),
        Edge("lab", "a1", "co-production", 1, "2024-04-01", "doc:3"),
    ]
    pooling = [
        ("mairie", "coop"),
        ("coop", "ressourcerie"),
        ("ressourcerie", "mairie"),
        ("coop", "mairie"),
    ]
    edges += [Edge(a, b, "pooling", 1, "2024-05-01") for a, b in pooling]
    invitations = [
        ("a1", "a2", "2023-01-01"),
        ("a1", "a3", "2023-01-02"),
        ("a2", "p1", "2023-02-01"),
        ("a2", "p2", "2023-02-02"),
        ("p1", "p3", "2024-01-01"),
        ("a3", "a2", "2024-02-01"),
    ]
    edges += [Edge(a, b, "invitation", 1, t) for a, b, t in invitations]
    return CooperationGraph.from_records(nodes, edges)


def test_hybridization_share_matrix_and_trend_have_the_known_values() -> None:
    mix = hybridization(region())
    assert mix.edges == 8
    assert mix.cross_sector_share == pytest.approx(2 / 8)
    assert mix.weighted_cross_sector_share == pytest.approx(4 / 10)
    academic, business, association = 0, 1, 3
    assert mix.weight_matrix[academic, academic] == 3
    assert mix.weight_matrix[business, academic] == mix.weight_matrix[academic, business] == 3
    assert mix.weight_matrix[business, association] == 1
    assert mix.count_matrix[business, academic] == 1
    assert [(t.period, t.cross_sector_share) for t in mix.trend] == [("2023", 0.0), ("2024", 1.0)]


def test_pooling_hybridization_is_directed_and_kept_apart_from_co_production() -> None:
    mix = hybridization(region(), kind=POOLING)
    business, public_body = 1, 2
    assert mix.edges == 4
    assert mix.weight_matrix[business, public_body] == 1  # coop gives to the mairie once
    assert mix.weight_matrix[public_body, business] == 1
    assert mix.kind == "pooling"


def test_living_lab_is_the_bridge_between_university_and_associations() -> None:
    found = bridges(region(), pivots=None, epsilon=0.01)
    top = found.by_betweenness[0]
    assert top.node_id == "lab"
    assert top.articulation_point
    # Removing it leaves the associations' side (8 nodes) as the bulk: 13 - 8 cut off.
    assert top.separated_nodes == 5
    assert top.sectors_reached == 3
    assert found.betweenness.exact


def test_sampled_betweenness_stays_within_its_stated_error_of_the_exact_one() -> None:
    g = ig.Graph.Barabasi(400, 2, directed=False)
    g.es["weight"] = 1.0
    n = g.vcount()
    exact = 2 * np.asarray(g.betweenness()) / ((n - 1) * (n - 2))
    estimate = approximate_betweenness(g, pivots=60, seed=3, workers=1)
    assert not estimate.exact and 0 < estimate.epsilon < 1
    error = np.abs(estimate.values - exact).max()
    assert error <= estimate.epsilon
    assert estimate.epsilon_per_node < estimate.epsilon
    # The estimator is unbiased: averaging seeds gets much closer than the bound.
    mean = np.mean(
        [approximate_betweenness(g, pivots=60, seed=s, workers=1).values for s in range(20)], axis=0
    )
    assert np.abs(mean - exact).max() < error


def test_parallel_betweenness_equals_the_serial_one(monkeypatch: pytest.MonkeyPatch) -> None:
    g = ig.Graph.Barabasi(3000, 4, directed=False)
    serial = approximate_betweenness(g, pivots=40, seed=1, workers=1)
    module = importlib.import_module("maillage.analysis.graph.bridges")
    monkeypatch.setattr(module, "_PARALLEL_MIN_WORK", 0)
    parallel = approximate_betweenness(g, pivots=40, seed=1, workers=2)
    np.testing.assert_allclose(parallel.values, serial.values)


def test_pivot_count_follows_the_hoeffding_bound() -> None:
    assert pivot_count(1_000_000, 0.1, 0.05) == 876  # ln(2e6 / 0.05) / 0.02 rounded up
    assert pivot_count(50, 0.01, 0.05) == 50


def test_pooling_loop_of_three_organizations_and_its_reciprocity_are_found() -> None:
    found = loops(region())
    assert found.three_cycles == 1
    assert [set(c.nodes) for c in found.cycles] == [{"mairie", "coop", "ressourcerie"}]
    assert found.complete
    assert found.reciprocity == pytest.approx(2 / 4)
    assert {(p.first, p.second) for p in found.reciprocal_pairs} == {("mairie", "coop")} or {
        (p.first, p.second) for p in found.reciprocal_pairs
    } == {("coop", "mairie")}


def test_cycle_listing_stops_at_its_cap_and_says_so() -> None:
    nodes = [Node(f"o{i}", "organization") for i in range(6)]
    edges = [Edge(f"o{i}", f"o{j}", "pooling") for i in range(6) for j in range(6) if i != j]
    found = loops(CooperationGraph.from_records(nodes, edges), max_cycles=10)
    assert len(found.cycles) == 10 and not found.complete
    assert found.three_cycles == 40  # 2 orientations x C(6, 3)


def test_snowball_tree_has_known_depth_breadth_and_reproduction() -> None:
    found = snowball(region())
    assert found.participants == 6
    assert found.trees == 1
    assert found.max_depth == 3
    assert found.max_breadth == 2
    assert found.reproduction_number == pytest.approx(5 / 6)
    assert found.largest[0].root == "a1"
    by_period = {p.period: (p.joined, p.brought) for p in found.by_period}
    # p1 joined in 2023 and brought p3 in 2024: the cohort of 2023 gets the credit.
    assert by_period == {"2023": (5, 5), "2024": (1, 0)}


def test_pooling_only_organizations_are_told_apart_from_co_producing_ones() -> None:
    found = pooling_balance(region())
    balance = {o.organization: o for o in found.top}
    assert balance["lab"].coproduction == 4
    assert balance["uha"].coproduction == 3  # co-writing inside the university does not count
    assert balance["mairie"].pooling_given == 1 and balance["mairie"].pooling_received == 2
    assert balance["mairie"].coproduction_share == 0
    assert found.pooling_only == 3
    assert found.coproducing == 4  # lab, uha, and both associations (a3 writes with a1, a2)


def test_communities_separate_the_worlds_and_report_their_crossings() -> None:
    found = communities(region(), seed=1)
    assert found.count >= 3
    graph = region()
    g, nodes = graph.social_graph()
    community_of = dict(zip(graph.node_ids[nodes].tolist(), found.membership.tolist(), strict=True))
    assert community_of["u2"] == community_of["u3"] != community_of["a3"]
    assert community_of["mairie"] == community_of["coop"] == community_of["ressourcerie"]
    assert 0 < found.share_in_multi_sector <= 1
    assert found.largest[0].size >= found.largest[-1].size


def test_window_keeps_dates_and_territories() -> None:
    graph = region()
    recent = graph.window(dt.date(2024, 1, 1), dt.date(2025, 1, 1))
    assert recent.edge_count == 2 + 4 + 2
    colmar = graph.window(territories=["Colmar"])
    assert "uha" not in colmar.node_ids and "a1" in colmar.node_ids
    # Members follow their organization: 3 belongings, 3 co-productions, 1 pooling, 6 invitations.
    assert colmar.edge_count == 13


def test_empty_window_gives_an_explained_empty_analysis() -> None:
    empty = region().window(dt.date(1990, 1, 1), dt.date(1991, 1, 1))
    result = analyze(empty)
    assert result.nodes == 0 and result.edges == 0
    assert "no edge" in result.explanation
    assert result.hybridization.explanation and result.bridges.explanation
    assert result.loops.explanation and result.snowball.explanation
    assert result.communities.count == 0
    to_jsonable(result)


def test_bad_records_are_named() -> None:
    nodes = [Node("a", "person"), Node("b", "person")]
    with pytest.raises(GraphInputError, match="1 edges name unknown node ids"):
        CooperationGraph.from_records(nodes, [Edge("a", "zz", "encounter")])
    with pytest.raises(GraphInputError, match="self-loops"):
        CooperationGraph.from_records(nodes, [Edge("a", "a", "encounter")])
    with pytest.raises(GraphInputError, match="negative"):
        CooperationGraph.from_records(nodes, [Edge("a", "b", "encounter", -1)])
    with pytest.raises(GraphInputError, match="unknown edge kind 'friendship'"):
        CooperationGraph.from_records(nodes, [Edge("a", "b", "friendship")])
    with pytest.raises(GraphInputError, match="duplicate node ids: a"):
        CooperationGraph.from_records([*nodes, Node("a", "person")], [])


def test_analysis_package_does_not_import_django() -> None:
    code = "import sys, maillage.analysis.graph; print('django' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
