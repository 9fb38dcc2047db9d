"""The co-written account of a journey (only when the co-writing capability is installed):
no report, the encounters become a draft the walkers write together."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from maillage.core.permissions import require
from maillage.core.services import audit_record
from maillage.journeys.models import Journey
from maillage.journeys.selectors import cowriting_installed, journey_shared_work

if TYPE_CHECKING:
    from maillage.people.models import Person


def account_draft(journey: Journey) -> str:
    """Return the Markdown the account starts from: the stages, then the consented notes."""
    lines = [f"# {journey.title}", ""]
    if journey.description:
        lines += [journey.description, ""]
    for encounter in journey.encounters.select_related("territory").order_by("met_on", "id"):
        themes = ", ".join(encounter.themes)
        lines.append(f"## {encounter.met_on.isoformat()} — {encounter.place_label}")
        lines.append(f"*{encounter.who}*" + (f" — {themes}" if themes else ""))
        if encounter.notes:
            lines += ["", encounter.notes]
        lines.append("")
    return "\n".join(lines)


@transaction.atomic
def account_start(*, journey: Journey, actor: Person) -> Any:
    """Start the co-written account of ``journey`` with its walkers; return the shared work.

    No report: the encounters and notes become a draft that the walkers write together, and
    that the co-writing capability publishes only with their co-signature. Raise
    ValidationError when co-writing is not installed; return the existing work if any.
    """
    require(actor, "journeys.start_account", journey)
    if not cowriting_installed():
        raise ValidationError(_("Co-writing is not available on this platform."))
    existing = journey_shared_work(journey)
    if existing is not None:
        return existing
    from pycrdt import Doc, Text

    from maillage.cowriting import services as cowriting
    from maillage.cowriting.authorship import TEXT_NAME

    work = cowriting.work_create(
        actor=actor,
        title=_("Account of the journey “%(title)s”") % {"title": journey.title},
        attached_to=journey,
        vision=_(
            "No report: what we heard on the way, written together with those we walked with."
        ),
    )
    for walker in journey.walkers.exclude(pk=actor.pk).filter(is_active=True):
        cowriting.participant_invite(work=work, actor=actor, person=walker, role="writer")
    doc: Doc = Doc()
    text = doc.get(TEXT_NAME, type=Text)
    text += account_draft(journey)
    cowriting.updates_append(work_id=work.pk, items=[(actor.pk, doc.get_update())])
    audit_record(actor=actor, action="journeys.account.start", target=journey)
    return work
