"""Writes on consultations: campaigns, field sync, online and paper contributions, moderation,
follow-up. Each write checks permissions, runs atomically and notifies only after commit."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from maillage.consultations.models import TEXT_MAX_LENGTH, Campaign, Contribution, Response
from maillage.consultations.photos import photo_prepare
from maillage.consultations.questions import validate_answers, validate_questions
from maillage.consultations.selectors import contributions_received, published_counts_forget
from maillage.core.mail import personal_messages, send_now
from maillage.core.permissions import require
from maillage.core.services import audit_record
from maillage.core.sync import (
    NewRecord,
    RecordResult,
    Refusal,
    SyncSpec,
    parse_uuid,
    payload_hash,
    sync_batch,
)
from maillage.territories.models import Territory
from maillage.territories.services import unique_slug

# The fields of a record that define it: a replay must carry the same values to be a duplicate.
HASHED_FIELDS = (
    "campaign",
    "site",
    "text",
    "answers",
    "age_band",
    "relation",
    "consent",
    "captured_at",
    "contact_email",
)
# How far ahead of the server's clock a phone's clock may be.
CLOCK_SKEW = dt.timedelta(hours=24)


# ---------------------------------------------------------------------------------------------
# Campaigns

# Apps built on consultations react to a campaign's closing (the observatory recomputes its
# themes). They register here, since consultations may not import them; each callback gets the
# campaign's id after commit, so that it never runs on a closing that was rolled back.
_CLOSE_CALLBACKS: list[Callable[[int], None]] = []


def register_campaign_close_callback(callback: Callable[[int], None]) -> None:
    """Call ``callback(campaign_id)`` after commit whenever a campaign becomes closed."""
    if callback not in _CLOSE_CALLBACKS:
        _CLOSE_CALLBACKS.append(callback)


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
    _counts_changed(campaign.pk)
    if campaign.status == Campaign.Status.CLOSED and previous_status != Campaign.Status.CLOSED:
        for callback in _CLOSE_CALLBACKS:
            transaction.on_commit(lambda callback=callback: callback(campaign.pk))
    return campaign


# ---------------------------------------------------------------------------------------------
# Contributions: validation shared by field sync, online form and paper import


@dataclass
class CampaignContext:
    """What validating records of one campaign needs, loaded once per batch."""

    campaign: Campaign
    site_ids: set[int]
    site_names: dict[int, str]


def campaign_context(campaign: Campaign) -> CampaignContext:
    """Load the sites of ``campaign`` once for validating many records."""
    sites = dict(campaign.sites.values_list("pk", "name"))
    return CampaignContext(campaign=campaign, site_ids=set(sites), site_names=sites)


def _site_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value)
    return None


def contribution_validate(
    ctx: CampaignContext, record: dict[str, Any], *, known_site_ids: set[int] | None = None
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Return (model fields, errors by field) for one record of ``ctx.campaign``.

    ``known_site_ids`` holds the ids among the records' sites that exist as public spaces, to
    tell an unknown site from a site outside the campaign without a query per record.
    """
    errors: dict[str, list[str]] = {}
    campaign = ctx.campaign

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not campaign.accepts_contributions:
        fail(
            "campaign",
            f"the campaign {campaign.slug!r} is {campaign.status}: it no longer accepts "
            "contributions",
        )
    text = record.get("text")
    text = text.strip() if isinstance(text, str) else ""
    if not text:
        fail("text", "the text is empty: write the inhabitant's words")
    elif len(text) > TEXT_MAX_LENGTH:
        fail("text", f"the text has {len(text)} characters; the limit is {TEXT_MAX_LENGTH}")
    site_id = _site_id(record.get("site"))
    if site_id is None:
        fail("site", "the site is missing: give the id of one of the campaign's sites")
    elif site_id not in ctx.site_ids:
        is_site = (
            site_id in known_site_ids
            if known_site_ids is not None
            else Territory.objects.filter(pk=site_id, kind=Territory.Kind.SITE).exists()
        )
        if is_site:
            fail("site", f"site {site_id} is not one of the sites of this campaign")
        else:
            fail("site", f"unknown site {site_id}")
    try:
        answers = validate_answers(campaign.closed_questions, record.get("answers"))
    except ValidationError as error:
        answers = {}
        fail("answers", "; ".join(error.messages))
    age_band = record.get("age_band") or ""
    if age_band and age_band not in Contribution.AgeBand.values:
        fail("age_band", f"age_band must be one of {', '.join(Contribution.AgeBand.values)}")
    relation = record.get("relation") or ""
    if relation and relation not in Contribution.Relation.values:
        fail("relation", f"relation must be one of {', '.join(Contribution.Relation.values)}")
    consent = record.get("consent", False)
    if not isinstance(consent, bool):
        fail("consent", "consent must be true or false")
    email = (record.get("contact_email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            fail("contact_email", "the email address is not valid")
    captured_at = timezone.now()
    raw_time = record.get("captured_at")
    if raw_time:
        parsed = parse_datetime(raw_time) if isinstance(raw_time, str) else None
        if parsed is None:
            fail("captured_at", "captured_at must be an ISO 8601 date-time")
        else:
            if timezone.is_naive(parsed):
                parsed = timezone.make_aware(parsed)
            if parsed > timezone.now() + CLOCK_SKEW:
                fail("captured_at", "captured_at is in the future: check the phone's clock")
            captured_at = parsed
    fields = {
        "campaign": campaign,
        "site_id": site_id,
        "text": text,
        "answers": answers,
        "age_band": age_band,
        "relation": relation,
        "consent_publication": consent is True,
        "contact_email": email.lower(),
        "captured_at": captured_at,
        "status": Contribution.Status.PENDING if consent is True else Contribution.Status.PRIVATE,
    }
    return fields, errors


class FieldSync(SyncSpec):
    """Field captures: an agent records contributions for the campaigns of their team."""

    model = Contribution
    hashed_fields = HASHED_FIELDS
    noun = "contribution"

    def __init__(self, actor: Any) -> None:
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
        site_values = {_site_id(r.get("site")) for r in records}
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

    def inserted(self, rows: list[Contribution]) -> None:
        for campaign_id in {row.campaign_id for row in rows}:
            transaction.on_commit(partial(contributions_received, campaign_id))


def contribution_sync_batch(*, actor: Any, records: list[Any]) -> list[RecordResult]:
    """Record a batch of field captures; return one result per record, in the same order.

    The guarantees are those of ``core.sync``: idempotent by UUID, answered record by record,
    one statement in UUID order, one commit.
    """
    return sync_batch(FieldSync(actor), records)


def _photo_target(actor: Any, client_uuid: str) -> Contribution:
    uid = parse_uuid(client_uuid)
    contribution = (
        Contribution.objects.select_related("campaign__territory").filter(client_uuid=uid).first()
        if uid
        else None
    )
    if contribution is None:
        from django.http import Http404

        raise Http404(f"no contribution with UUID {client_uuid}: sync the record first")
    if contribution.agent_id != actor.pk and not actor.has_perm(
        "consultations.moderate_contribution", contribution
    ):
        raise PermissionDenied("consultations.capture_contribution")
    return contribution


def contribution_attach_photo(
    *, actor: Any, client_uuid: str, data: bytes
) -> tuple[Contribution, bool]:
    """Store the photo of a synced record once; return (contribution, whether it was stored).

    A second upload for the same record is acknowledged without replacing the first, so that
    a retried upload is harmless.
    """
    contribution = _photo_target(actor, client_uuid)
    if contribution.photo:
        return contribution, False
    prepared = photo_prepare(data, name=str(contribution.client_uuid))
    with transaction.atomic():
        locked = Contribution.objects.select_for_update().get(pk=contribution.pk)
        if locked.photo:
            return locked, False
        locked.photo.save(prepared.name, prepared, save=False)
        locked.save(update_fields=["photo"])
        if locked.status == Contribution.Status.PUBLISHED:
            _counts_changed(locked.campaign_id)
    return locked, True


def contribution_submit_online(
    *, campaign: Campaign, author: Any, record: dict[str, Any], photo: bytes | None = None
) -> Contribution:
    """Record a contribution an inhabitant typed online; raise ValidationError on bad input."""
    if not campaign.is_public:
        raise PermissionDenied("consultations.view_campaign")
    fields, errors = contribution_validate(campaign_context(campaign), record)
    if errors:
        raise ValidationError(errors)
    prepared = photo_prepare(photo) if photo else None
    uid = str(uuid.uuid4())
    digest = payload_hash(record, HASHED_FIELDS)
    is_person = getattr(author, "is_authenticated", False)
    with transaction.atomic():
        contribution = Contribution.objects.create(
            client_uuid=uid,
            payload_hash=digest,
            source=Contribution.Source.ONLINE,
            author=author if is_person else None,
            **fields,
        )
        if prepared is not None:
            contribution.photo.save(f"{uid}.jpg", prepared, save=True)
        transaction.on_commit(partial(contributions_received, contribution.campaign_id))
    return contribution


# ---------------------------------------------------------------------------------------------
# Moderation


def _counts_changed(campaign_id: int) -> None:
    # Now for this request, and after commit so that no reader caches the old count meanwhile.
    published_counts_forget(campaign_id)
    transaction.on_commit(lambda: published_counts_forget(campaign_id))


@transaction.atomic
def contribution_publish(*, contribution: Contribution, actor: Any) -> Contribution:
    """Publish a contribution; only one whose author consented to publication."""
    require(actor, "consultations.moderate_contribution", contribution)
    if not contribution.consent_publication:
        raise ValidationError(_("The inhabitant did not consent to publication."))
    previous = contribution.status
    contribution.status = Contribution.Status.PUBLISHED
    contribution.hidden_reason = ""
    contribution.save(update_fields=["status", "hidden_reason"])
    _counts_changed(contribution.campaign_id)
    audit_record(
        actor=actor,
        action="consultations.contribution.publish",
        target=contribution,
        data={"previous_status": previous},
    )
    return contribution


@transaction.atomic
def contribution_hide(*, contribution: Contribution, actor: Any, reason: str) -> Contribution:
    """Hide a contribution from every public place, with a reason."""
    require(actor, "consultations.moderate_contribution", contribution)
    if reason not in Contribution.HiddenReason.values:
        raise ValidationError(
            {"reason": f"the reason must be one of {', '.join(Contribution.HiddenReason.values)}"}
        )
    previous = contribution.status
    contribution.status = Contribution.Status.HIDDEN
    contribution.hidden_reason = reason
    contribution.save(update_fields=["status", "hidden_reason"])
    _counts_changed(contribution.campaign_id)
    audit_record(
        actor=actor,
        action="consultations.contribution.hide",
        target=contribution,
        data={"previous_status": previous, "reason": reason},
    )
    return contribution


@transaction.atomic
def contribution_redact(
    *, contribution: Contribution, actor: Any, text: str, remove_photo: bool = False
) -> Contribution:
    """Replace the text (to edit out personal data); the original stays in the audit log only."""
    require(actor, "consultations.moderate_contribution", contribution)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("The text cannot be empty.")})
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError({"text": f"the text is limited to {TEXT_MAX_LENGTH} characters"})
    original = contribution.text
    contribution.text = text
    fields = ["text"]
    photo_removed = False
    if remove_photo and contribution.photo:
        contribution.photo.delete(save=False)
        fields.append("photo")
        photo_removed = True
    contribution.save(update_fields=fields)
    # The old words must leave the public pages at once, cached parts included.
    _counts_changed(contribution.campaign_id)
    audit_record(
        actor=actor,
        action="consultations.contribution.redact",
        target=contribution,
        data={"original_text": original, "photo_removed": photo_removed},
    )
    return contribution


# ---------------------------------------------------------------------------------------------
# Follow-up


def _check_response(status: str, reason: str) -> None:
    if status not in Response.Status.values:
        raise ValidationError({"status": f"unknown status {status!r}"})
    if status == Response.Status.NOT_RETAINED and not reason.strip():
        raise ValidationError({"reason": _("Say why the idea is not retained.")})


def _campaign_contributions(campaign: Campaign, ids: Iterable[int]) -> list[int]:
    ids = list(ids)
    found = list(
        Contribution.objects.filter(campaign=campaign, pk__in=ids).values_list("pk", flat=True)
    )
    missing = sorted(set(ids) - set(found))
    if missing:
        raise ValidationError(
            {"contributions": f"not contributions of this campaign: {', '.join(map(str, missing))}"}
        )
    return found


@transaction.atomic
def response_create(
    *,
    campaign: Campaign,
    actor: Any,
    title: str,
    status: str = Response.Status.RECEIVED,
    text: str = "",
    reason: str = "",
    link_url: str = "",
    contribution_ids: Iterable[int] = (),
) -> Response:
    """Answer one or several contributions; their authors are told after commit."""
    require(actor, "consultations.answer_contribution", campaign)
    _check_response(status, reason)
    ids = _campaign_contributions(campaign, contribution_ids)
    response = Response.objects.create(
        campaign=campaign,
        title=title.strip(),
        status=status,
        text=text,
        reason=reason,
        link_url=link_url,
        author=actor,
    )
    response.contributions.set(ids)
    audit_record(
        actor=actor,
        action="consultations.response.create",
        target=response,
        data={"status": status, "contributions": ids},
    )
    _notify_on_commit(response)
    return response


@transaction.atomic
def response_update(
    *,
    response: Response,
    actor: Any,
    status: str | None = None,
    text: str | None = None,
    reason: str | None = None,
    link_url: str | None = None,
    add_contribution_ids: Iterable[int] = (),
) -> Response:
    """Change a response; when its status changes, the contributors are told after commit."""
    require(actor, "consultations.answer_contribution", response.campaign)
    previous = response.status
    new_status = status or response.status
    new_reason = reason if reason is not None else response.reason
    _check_response(new_status, new_reason)
    response.status, response.reason = new_status, new_reason
    if text is not None:
        response.text = text
    if link_url is not None:
        response.link_url = link_url
    response.save()
    added = _campaign_contributions(response.campaign, add_contribution_ids)
    if added:
        response.contributions.add(*added)
    audit_record(
        actor=actor,
        action="consultations.response.update",
        target=response,
        data={"previous_status": previous, "status": new_status, "added": added},
    )
    if new_status != previous:
        _notify_on_commit(response)
    return response


def response_recipients(response: Response) -> list[str]:
    """Return the addresses to tell: contact emails left, and active accounts of authors."""
    rows = response.contributions.values_list(
        "contact_email", "author__email", "author__is_active", "author__deleted_at"
    )
    emails = set()
    for contact, account, active, deleted_at in rows:
        if contact:
            emails.add(contact.lower())
        if account and active and deleted_at is None:
            emails.add(account.lower())
    return sorted(emails)


def _notify_on_commit(response: Response) -> None:
    def send() -> None:
        recipients = response_recipients(response)
        if not recipients:
            return
        url = settings.SITE_URL + reverse("consultations:follow_up", args=[response.campaign.slug])
        subject = _("What became of your idea: %(title)s") % {"title": response.title}
        lines = [
            _("Your contribution to the consultation “%(campaign)s” has news.")
            % {"campaign": response.campaign.title},
            "",
            f"{response.title} — {response.get_status_display()}",
        ]
        if response.text:
            lines += ["", response.text]
        if response.reason:
            lines += ["", _("Why: %(reason)s") % {"reason": response.reason}]
        lines += ["", _("Follow every idea of the consultation: %(url)s") % {"url": url}]
        body = "\n".join(lines)
        send_now(personal_messages(subject, body, recipients))

    transaction.on_commit(send)
