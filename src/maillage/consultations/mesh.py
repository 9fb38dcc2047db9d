"""What consultations give the cooperation mesh: the first and last stages of the participation
loop (contributions, responses and their realization, new consultations), and the campaigns
whose invitation trees the mesh shows."""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import urlparse

from maillage.analysis.graph import LoopEvent, LoopStage
from maillage.analysis.graph.sources import Answer, LoopRecords, MeshSource, as_datetime
from maillage.consultations.models import Campaign, Contribution, Response

CAMPAIGN = "consultations.campaign"


def loop_records() -> LoopRecords:
    """Return the loop's stages recorded by consultations, on every site.

    contribution (published, on a site) → response (its answer, once per site of the
    contributions it answers; a response that links to a page names what answered it) → action
    (a response marked done) → consultation (a campaign on the site).
    """
    records = LoopRecords()
    for pk, site, campaign_id, captured_at in Contribution.objects.filter(
        status=Contribution.Status.PUBLISHED, site__isnull=False
    ).values_list("pk", "site_id", "campaign_id", "captured_at"):
        records.events.append(
            LoopEvent(
                f"contribution:{pk}",
                LoopStage.CONTRIBUTION,
                str(site),
                str(campaign_id),
                captured_at,
            )
        )
    answered: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for response_id, contribution_id, site in Response.contributions.through.objects.filter(
        contribution__status=Contribution.Status.PUBLISHED, contribution__site__isnull=False
    ).values_list("response_id", "contribution_id", "contribution__site_id"):
        answered[response_id][site].append(f"contribution:{contribution_id}")
    for pk, campaign_id, status, created_at, updated_at, link_url in Response.objects.values_list(
        "pk", "campaign_id", "status", "created_at", "updated_at", "link_url"
    ):
        if pk not in answered:
            continue
        asked, realized = [], []
        for site, follows in sorted(answered[pk].items()):
            asked.append(f"response:{pk}:{site}")
            records.events.append(
                LoopEvent(
                    asked[-1],
                    LoopStage.RESPONSE,
                    str(site),
                    str(campaign_id),
                    created_at,
                    tuple(sorted(follows)),
                )
            )
            if status == Response.Status.DONE:
                realized.append(f"action:response:{pk}:{site}")
                records.events.append(
                    LoopEvent(realized[-1], LoopStage.ACTION, str(site), "", updated_at)
                )
        if link_url:
            records.answers.append(
                Answer(urlparse(link_url).path or "/", tuple(asked), tuple(realized))
            )
    for pk, site, starts_on in Campaign.objects.exclude(status=Campaign.Status.DRAFT).values_list(
        "pk", "sites", "starts_on"
    ):
        if site is not None:
            records.events.append(
                LoopEvent(
                    f"campaign:{pk}:{site}",
                    LoopStage.CONSULTATION,
                    str(site),
                    str(pk),
                    as_datetime(starts_on),
                )
            )
    campaigns = {int(event.campaign) for event in records.events if event.campaign}
    records.campaigns = {
        str(pk): title
        for pk, title in Campaign.objects.filter(pk__in=campaigns).values_list("pk", "title")
    }
    return records


def campaign_contexts(contexts: set[str], territory_path: str) -> dict[str, str]:
    """Return, among ``contexts``, the campaigns of the territory (and below) with their titles."""
    pks = [int(c.split(":", 1)[1]) for c in contexts if c.startswith(f"{CAMPAIGN}:")]
    return {
        f"{CAMPAIGN}:{pk}": title
        for pk, title in Campaign.objects.filter(
            pk__in=pks, territory__path__startswith=territory_path
        )
        .order_by("pk")
        .values_list("pk", "title")
    }


source = MeshSource(loop=loop_records, contexts=campaign_contexts)
