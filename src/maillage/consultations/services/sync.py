"""The field sync of consultations: an agent's phone sends its captures in batches (the
protocol is ``core.sync``); this module says who may send to which campaign, and the row."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from django.db import models, transaction

from maillage.consultations.models import Campaign, Contribution
from maillage.consultations.selectors import contributions_received
from maillage.consultations.services.contributions import (
    HASHED_FIELDS,
    campaign_context,
    contribution_validate,
    parse_site_id,
)
from maillage.core.sync import NewRecord, RecordResult, Refusal, SyncSpec, sync_batch
from maillage.territories.models import Territory

if TYPE_CHECKING:
    from maillage.people.models import Person


class FieldSync(SyncSpec):
    """Field captures: an agent records contributions for the campaigns of their team."""

    model = Contribution
    hashed_fields = HASHED_FIELDS
    noun = "contribution"

    def __init__(self, actor: Person) -> None:
        self.actor = actor

    def load(self, records: list[dict[str, Any]]) -> None:
        slugs = {r.get("campaign") for r in records if isinstance(r.get("campaign"), str)}
        campaigns = Campaign.objects.select_related("territory").filter(slug__in=slugs)
        self.campaigns = {c.slug: c for c in campaigns}
        team_of = set(
            Campaign.team.through.objects.filter(
                campaign_id__in=[c.pk for c in self.campaigns.values()], person_id=self.actor.pk
            ).values_list("campaign_id", flat=True)
        )
        self.allowed = {
            slug: c.pk in team_of or self.actor.has_perm("consultations.moderate_contribution", c)
            for slug, c in self.campaigns.items()
        }
        self.contexts = {slug: campaign_context(c) for slug, c in self.campaigns.items()}
        site_values = {parse_site_id(r.get("site")) for r in records}
        self.known_sites = set(
            Territory.objects.filter(
                pk__in=[s for s in site_values if s is not None], kind=Territory.Kind.SITE
            ).values_list("pk", flat=True)
        )

    def admit(self, record: dict[str, Any]) -> Refusal | None:
        slug = record.get("campaign")
        campaign = self.campaigns.get(slug) if isinstance(slug, str) else None
        if campaign is None:
            return Refusal.unknown("campaign", f"unknown campaign {slug!r}")
        if not self.allowed[campaign.slug]:
            return Refusal.forbidden(f"you are not on the team of the campaign {campaign.slug!r}")
        return None

    def validate(self, record: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
        return contribution_validate(
            self.contexts[record["campaign"]], record, known_site_ids=self.known_sites
        )

    def row(self, new: NewRecord) -> Contribution:
        return Contribution(
            client_uuid=new.uuid,
            payload_hash=new.digest,
            source=Contribution.Source.FIELD,
            agent=self.actor,
            **new.fields,
        )

    def inserted(self, rows: list[models.Model]) -> None:
        for campaign_id in {row.campaign_id for row in rows}:  # type: ignore[attr-defined]
            transaction.on_commit(partial(contributions_received, campaign_id))


def contribution_sync_batch(*, actor: Person, records: list[Any]) -> list[RecordResult]:
    """Record a batch of field captures; return one result per record, in the same order.

    The guarantees are those of ``core.sync``: idempotent by UUID, answered record by record,
    one statement in UUID order, one commit.
    """
    return sync_batch(FieldSync(actor), records)
