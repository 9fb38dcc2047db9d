"""Writes on campaigns: create, change (status, texts, questions, period, sites, team); a
closing calls the ``on_campaign_closed`` hooks the apps declare in their manifest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from maillage.consultations.models import Campaign
from maillage.consultations.questions import validate_questions
from maillage.consultations.services.moderation import counts_changed
from maillage.core.capabilities import hooks
from maillage.core.permissions import require
from maillage.core.services import audit_record
from maillage.core.slugs import unique_slug
from maillage.territories.models import Territory


@transaction.atomic
def campaign_create(
    *,
    actor: Any,
    title: str,
    territory: Territory,
    open_question: str,
    starts_on: dt.date,
    ends_on: dt.date,
    sites: Iterable[Territory] = (),
    closed_questions: list | None = None,
    team: Iterable[Any] = (),
    facilitator: Any = None,
    description: str = "",
    status: str = Campaign.Status.DRAFT,
    slug: str | None = None,
) -> Campaign:
    """Create a campaign on ``territory``; its sites must be public spaces inside it."""
    require(actor, "consultations.add_campaign", territory)
    sites = list(sites)
    _check_sites(territory, sites)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end date is before the start date.")})
    campaign = Campaign.objects.create(
        title=title.strip(),
        slug=slug or unique_slug(title, Campaign),
        territory=territory,
        open_question=open_question.strip(),
        closed_questions=_questions(closed_questions or []),
        starts_on=starts_on,
        ends_on=ends_on,
        facilitator=facilitator,
        description=description,
        status=status,
    )
    campaign.sites.set(sites)
    campaign.team.set(list(team))
    audit_record(actor=actor, action="consultations.campaign.create", target=campaign)
    return campaign


def _questions(questions: Any) -> list:
    try:
        return validate_questions(questions)
    except ValidationError as error:
        raise ValidationError({"closed_questions": error.messages}) from None


def _check_sites(territory: Territory, sites: Sequence[Territory]) -> None:
    for site in sites:
        if site.kind != Territory.Kind.SITE:
            raise ValidationError({"sites": f"{site.name} is not a public space (kind site)"})
        if not site.path.startswith(territory.path):
            raise ValidationError({"sites": f"{site.name} is outside {territory.name}"})


@transaction.atomic
def campaign_update(*, campaign: Campaign, actor: Any, **changes: Any) -> Campaign:
    """Change a campaign's status, texts, questions, period, sites or team."""
    require(actor, "consultations.change_campaign", campaign)
    previous_status = campaign.status
    fields = []
    if "status" in changes and changes["status"] not in Campaign.Status.values:
        raise ValidationError({"status": f"unknown status {changes['status']!r}"})
    if "closed_questions" in changes:
        changes["closed_questions"] = _questions(changes["closed_questions"])
    for name in (
        "title",
        "description",
        "open_question",
        "closed_questions",
        "starts_on",
        "ends_on",
        "status",
        "facilitator",
    ):
        if name in changes:
            setattr(campaign, name, changes[name])
            fields.append(name)
    if campaign.ends_on < campaign.starts_on:
        raise ValidationError({"ends_on": _("The end date is before the start date.")})
    if fields:
        campaign.save(update_fields=fields)
    if "sites" in changes:
        _check_sites(campaign.territory, list(changes["sites"]))
        campaign.sites.set(changes["sites"])
        fields.append("sites")
    if "team" in changes:
        campaign.team.set(changes["team"])
        fields.append("team")
    audit_record(
        actor=actor,
        action="consultations.campaign.update",
        target=campaign,
        data={"fields": fields, "status": campaign.status},
    )
    # Its public pages show the texts, questions and sites: their cached parts must go.
    counts_changed(campaign.pk)
    if campaign.status == Campaign.Status.CLOSED and previous_status != Campaign.Status.CLOSED:
        # Apps built on consultations react (the observatory recomputes its themes): they
        # declare ``on_campaign_closed``, since consultations may not import them. After commit,
        # so that no hook runs on a closing that was rolled back.
        for hook in hooks("on_campaign_closed"):
            transaction.on_commit(lambda hook=hook: hook(campaign.pk))
    return campaign
