"""Writes on campaigns: create, change (texts, questions, period, sites, team, facilitator) and
move through their life (open, close, archive); a closing calls the ``on_campaign_closed`` hooks
the apps declare in their manifest."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

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
from maillage.people.selectors import territory_members
from maillage.territories.models import Territory

if TYPE_CHECKING:
    from maillage.people.models import Person


FACILITATOR_ROLES = ("admin", "facilitator")

# The moves a person may make, from a status to the statuses it may go to.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Campaign.Status.DRAFT: (Campaign.Status.OPEN, Campaign.Status.ARCHIVED),
    Campaign.Status.OPEN: (Campaign.Status.CLOSED,),
    Campaign.Status.CLOSED: (Campaign.Status.OPEN, Campaign.Status.ARCHIVED),
    Campaign.Status.ANALYSED: (Campaign.Status.ARCHIVED,),
    Campaign.Status.ANSWERED: (Campaign.Status.ARCHIVED,),
    Campaign.Status.ARCHIVED: (),
}


@transaction.atomic
def campaign_create(
    *,
    actor: Person,
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
    sites, team = list(sites), list(team)
    _check_sites(territory, sites)
    _check_team(territory, team)
    _check_facilitator(territory, facilitator)
    if not title.strip():
        raise ValidationError({"title": _("Give the campaign a title.")})
    if not open_question.strip():
        raise ValidationError({"open_question": _("Ask the open question of the campaign.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end date is before the start date.")})
    if status == Campaign.Status.OPEN and not sites:
        raise ValidationError({"sites": _("A campaign opens on at least one site.")})
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
    campaign.team.set(team)
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
            raise ValidationError(
                {"sites": _("%(name)s is not a public space.") % {"name": site.name}}
            )
        if not site.path.startswith(territory.path):
            raise ValidationError(
                {
                    "sites": _("%(site)s is outside %(territory)s, the campaign's territory.")
                    % {"site": site.name, "territory": territory.name}
                }
            )


def _check_team(territory: Territory, team: Sequence[Any]) -> None:
    members = set(
        territory_members(territory)
        .filter(pk__in=[p.pk for p in team])
        .values_list("pk", flat=True)
    )
    for person in team:
        if person.pk not in members:
            raise ValidationError(
                {
                    "team": _("%(person)s is not a member of %(territory)s.")
                    % {"person": person.public_name, "territory": territory.name}
                }
            )


def _check_facilitator(territory: Territory, facilitator: Any) -> None:
    if facilitator is None:
        return
    if not territory_members(territory, FACILITATOR_ROLES).filter(pk=facilitator.pk).exists():
        raise ValidationError(
            {
                "facilitator": _(
                    "%(person)s is neither a facilitator nor an admin of %(territory)s."
                )
                % {"person": facilitator.public_name, "territory": territory.name}
            }
        )


@transaction.atomic
def campaign_update(*, campaign: Campaign, actor: Person, **changes: Any) -> Campaign:
    """Change a campaign's status, texts, questions, period, sites or team."""
    require(actor, "consultations.change_campaign", campaign)
    previous_status = campaign.status
    fields = []
    if "status" in changes and changes["status"] not in Campaign.Status.values:
        raise ValidationError(
            {"status": _("Unknown status %(status)s.") % {"status": changes["status"]}}
        )
    if "closed_questions" in changes:
        changes["closed_questions"] = _questions(changes["closed_questions"])
    if "facilitator" in changes:
        _check_facilitator(campaign.territory, changes["facilitator"])
    for name in ("title", "open_question"):
        if name in changes and not str(changes[name]).strip():
            raise ValidationError({name: _("This field cannot be empty.")})
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
        team = list(changes["team"])
        _check_team(campaign.territory, team)
        campaign.team.set(team)
        fields.append("team")
    if campaign.status == Campaign.Status.OPEN and not campaign.sites.exists():
        raise ValidationError({"sites": _("A campaign opens on at least one site.")})
    audit_record(
        actor=actor,
        action="consultations.campaign.update",
        target=campaign,
        data={"fields": fields, "status": campaign.status},
    )
    # Its public pages show the texts, questions and sites: their cached parts must go.
    counts_changed(campaign.pk)
    if campaign.status == Campaign.Status.CLOSED and previous_status != Campaign.Status.CLOSED:
        _closed(campaign)
    return campaign


def _closed(campaign: Campaign) -> None:
    # Apps built on consultations react (the observatory recomputes its themes): they declare
    # ``on_campaign_closed``, since consultations may not import them. After commit, so that no
    # hook runs on a closing that was rolled back.
    for hook in hooks("on_campaign_closed"):
        transaction.on_commit(functools.partial(hook, campaign.pk))


@transaction.atomic
def _campaign_move(*, campaign: Campaign, actor: Person, to: str) -> Campaign:
    require(actor, "consultations.change_campaign", campaign)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if to not in TRANSITIONS[campaign.status]:
        raise ValidationError(
            _("A campaign that is %(status)s cannot become %(to)s.")
            % {
                "status": campaign.get_status_display().lower(),
                "to": str(Campaign.Status(to).label).lower(),
            }
        )
    if to == Campaign.Status.OPEN and not campaign.sites.exists():
        raise ValidationError({"sites": _("Choose at least one site before opening the campaign.")})
    previous = campaign.status
    campaign.status = to
    campaign.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action=f"consultations.campaign.{to}",
        target=campaign,
        data={"from": previous, "to": to},
    )
    counts_changed(campaign.pk)
    if to == Campaign.Status.CLOSED:
        _closed(campaign)
    return campaign


def campaign_open(*, campaign: Campaign, actor: Person) -> Campaign:
    """Open a draft (or reopen a closed) campaign to contributions; it needs a site."""
    return _campaign_move(campaign=campaign, actor=actor, to=Campaign.Status.OPEN)


def campaign_close(*, campaign: Campaign, actor: Person) -> Campaign:
    """Close an open campaign; the observatory's analysis starts after commit."""
    return _campaign_move(campaign=campaign, actor=actor, to=Campaign.Status.CLOSED)


def campaign_archive(*, campaign: Campaign, actor: Person) -> Campaign:
    """Archive a campaign that is over (or a draft given up): it stays readable."""
    return _campaign_move(campaign=campaign, actor=actor, to=Campaign.Status.ARCHIVED)


@transaction.atomic
def campaign_team_add(*, campaign: Campaign, actor: Person, person: Any) -> Campaign:
    """Add ``person``, a member of the campaign's territory, to its team of field agents."""
    require(actor, "consultations.change_campaign", campaign)
    _check_team(campaign.territory, [person])
    campaign.team.add(person)
    audit_record(
        actor=actor,
        action="consultations.campaign.team_add",
        target=campaign,
        data={"person": person.pk},
    )
    return campaign


@transaction.atomic
def campaign_team_remove(*, campaign: Campaign, actor: Person, person: Any) -> Campaign:
    """Take ``person`` off the campaign's team; what they captured stays."""
    require(actor, "consultations.change_campaign", campaign)
    campaign.team.remove(person)
    audit_record(
        actor=actor,
        action="consultations.campaign.team_remove",
        target=campaign,
        data={"person": person.pk},
    )
    return campaign
