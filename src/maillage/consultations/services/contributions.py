"""The validation of a contribution, shared by the field sync, the online form and the paper
import, and the online form's write."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from maillage.consultations.models import TEXT_MAX_LENGTH, Campaign, Contribution
from maillage.consultations.photos import photo_prepare, photo_store
from maillage.consultations.questions import validate_answers
from maillage.consultations.selectors import contributions_received
from maillage.core.storage import discard_quietly
from maillage.core.sync import payload_hash
from maillage.territories.models import Territory

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


def parse_site_id(value: Any) -> int | None:
    """Return a site id given as a number or as digits, else None."""
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
    site_id = parse_site_id(record.get("site"))
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


def contribution_submit_online(
    *, campaign: Campaign, author: Any, record: dict[str, Any], photo: bytes | None = None
) -> Contribution:
    """Record a contribution an inhabitant typed online; raise ValidationError on bad input."""
    if not campaign.is_public:
        raise PermissionDenied("consultations.view_campaign")
    fields, errors = contribution_validate(campaign_context(campaign), record)
    if errors:
        raise ValidationError(errors)
    photo_name = photo_store(photo_prepare(photo)) if photo else ""
    uid = str(uuid.uuid4())
    digest = payload_hash(record, HASHED_FIELDS)
    is_person = getattr(author, "is_authenticated", False)
    try:
        with transaction.atomic():
            contribution = Contribution.objects.create(
                client_uuid=uid,
                payload_hash=digest,
                source=Contribution.Source.ONLINE,
                author=author if is_person else None,
                photo=photo_name,
                **fields,
            )
            transaction.on_commit(partial(contributions_received, contribution.campaign_id))
    except BaseException:
        if photo_name:
            discard_quietly(photo_name)
        raise
    return contribution
