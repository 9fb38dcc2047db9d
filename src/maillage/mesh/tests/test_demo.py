"""The demo territory's mesh shows a bridge, a pooling loop, a snowball and a participation loop."""

from __future__ import annotations

import pytest

from maillage.territories.models import Territory

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_the_demo_mesh_shows_the_bridge_the_loops_and_the_snowball(client, settings) -> None:
    from maillage.demo import MARKER_SLUG, build_demo
    from maillage.mesh import measures
    from maillage.mesh.visibility import MeshFilters

    settings.LANGUAGE_CODE = "en"
    build_demo(quiet=True)
    agglo = Territory.objects.get(slug=MARKER_SLUG)
    result = measures.observatory(filters=MeshFilters(), territory=agglo)
    analysis, labels, mesh = result.analysis, result.labels, result.mesh

    # A bridge: the living lab links the university's world with associations'.
    lab = "organization-bramont-living-lab"
    neighbours = {
        (mesh.nodes[a].id, mesh.nodes[b].id)
        for link in mesh.links
        if str(link.kind) == "co-production"
        for a, b in ((link.source, link.target), (link.target, link.source))
    }
    lab_neighbours = {other for first, other in neighbours if first == lab}
    assert "organization-universite-de-bramont-haute-alsace" in lab_neighbours
    associations = {
        node.id for node in mesh.nodes.values() if node.sector == "association" and node.id != lab
    }
    assert lab_neighbours & associations
    bridge = next(b for b in analysis.bridges.by_betweenness if b.node_id == lab)
    assert bridge.betweenness > 0
    assert bridge.sectors_reached >= 2

    # A loop of pooling among three organizations.
    cycles = {frozenset(labels[n] for n in c.nodes) for c in analysis.loops.cycles}
    assert (
        frozenset({"Fablab de la Fonderie", "Collectif Friche Vivante", "Repair Café de la Forge"})
        in cycles
    )

    # The snowball of the open campaign.
    snowballs = dict(result.campaign_snowballs)
    open_campaign = snowballs["Berges et friche DMC : comment voulez-vous vous y sentir ?"]
    assert open_campaign.participants == 10
    assert open_campaign.max_depth == 5
    assert open_campaign.reproduction_number == pytest.approx(0.9)

    # A full participation loop, from a contribution of 2025 to the 2026 consultation.
    assert analysis.participation.completed >= 1
    (campaign,) = [c for c in analysis.participation.campaigns if c.completed]
    assert labels[f"campaign:{campaign.campaign}"].startswith("Nos espaces publics")

    page = client.get(f"/maillage/territoires/{MARKER_SLUG}/").content.decode()
    for shown in (
        "Bramont Living Lab",
        "Repair Café de la Forge",
        "Berges et friche DMC",
        "came back as an action",
    ):
        assert shown in page
