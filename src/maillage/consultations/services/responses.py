"""Follow-up: the answers to contributions (what became of an idea), and the email that tells
their authors after commit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from maillage.consultations.models import Campaign, Contribution, Response
from maillage.core.mail import personal_messages, send_now
from maillage.core.permissions import require
from maillage.core.services import audit_record

if TYPE_CHECKING:
    from maillage.people.models import Person


def _check_response(status: str, reason: str) -> None:
    if status not in Response.Status.values:
        raise ValidationError({"status": _("Unknown status %(status)s.") % {"status": status}})
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
            {
                "contributions": _("Not contributions of this campaign: %(ids)s.")
                % {"ids": ", ".join(map(str, missing))}
            }
        )
    return found


@transaction.atomic
def response_create(
    *,
    campaign: Campaign,
    actor: Person,
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
    actor: Person,
    title: str | None = None,
    status: str | None = None,
    text: str | None = None,
    reason: str | None = None,
    link_url: str | None = None,
    add_contribution_ids: Iterable[int] = (),
    contribution_ids: Iterable[int] | None = None,
) -> Response:
    """Change a response; ``contribution_ids`` replaces the contributions it answers. The
    previous values go to the audit log (the response's history); when the status changes,
    the contributors are told after commit."""
    require(actor, "consultations.answer_contribution", response.campaign)
    before = {
        "title": response.title,
        "status": response.status,
        "text": response.text,
        "reason": response.reason,
        "link_url": response.link_url,
    }
    previous = response.status
    new_status = status or response.status
    new_reason = reason if reason is not None else response.reason
    _check_response(new_status, new_reason)
    if title is not None:
        if not title.strip():
            raise ValidationError({"title": _("Give the response a title.")})
        response.title = title.strip()
    response.status, response.reason = new_status, new_reason
    if text is not None:
        response.text = text
    if link_url is not None:
        response.link_url = link_url
    response.save()
    old_ids = sorted(response.contributions.values_list("pk", flat=True))
    added = _campaign_contributions(response.campaign, add_contribution_ids)
    if contribution_ids is not None:
        response.contributions.set(_campaign_contributions(response.campaign, contribution_ids))
    if added:
        response.contributions.add(*added)
    new_ids = sorted(response.contributions.values_list("pk", flat=True))
    changed = {k: v for k, v in before.items() if getattr(response, k) != v}
    audit_record(
        actor=actor,
        action="consultations.response.update",
        target=response,
        data={
            "previous_status": previous,
            "status": new_status,
            "added": sorted(set(new_ids) - set(old_ids)),
            "removed": sorted(set(old_ids) - set(new_ids)),
            "previous": changed,
        },
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
        context = {"response": response, "url": url}
        rendered_subject = render_to_string("consultations/email/response_subject.txt", context)
        body = render_to_string("consultations/email/response_body.txt", context)
        subject = "".join(rendered_subject.splitlines())  # a header holds one line
        send_now(personal_messages(subject, body.rstrip("\n"), recipients))

    transaction.on_commit(send)
