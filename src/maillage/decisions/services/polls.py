"""Polls among options: majority judgment (a grade for each) or approval."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.core.permissions import require
from maillage.core.services import audit_record
from maillage.decisions.models import Circle, Decision, Grade, Poll, PollOption
from maillage.decisions.permissions import require_rule
from maillage.decisions.services.common import ProcessConflict, notify

if TYPE_CHECKING:
    from maillage.people.models import Person


@transaction.atomic
def poll_open(
    *,
    circle: Circle,
    actor: Person,
    title: str,
    question: str,
    method: str,
    options: Iterable[str | tuple[str, str]],
    decision: Decision | None = None,
) -> Poll:
    """Open a majority-judgment or approval poll among at least two options."""
    require_rule(actor, "decisions.open_poll", circle)
    pairs = [(o, "") if isinstance(o, str) else o for o in options]
    pairs = [(label.strip(), description) for label, description in pairs if label.strip()]
    errors = {}
    if method not in Poll.Method.values:
        errors["method"] = _("Unknown method: majority_judgment or approval.")
    if not title.strip():
        errors["title"] = _("A poll needs a title.")
    if len(pairs) < 2:
        errors["options"] = _("A poll needs at least two options.")
    elif len({label for label, _d in pairs}) != len(pairs):
        errors["options"] = _("Two options have the same label.")
    if errors:
        raise ValidationError(errors)
    poll = Poll.objects.create(
        circle=circle,
        decision=decision,
        title=title.strip(),
        question=question.strip(),
        method=method,
        opened_by=actor,
    )
    PollOption.objects.bulk_create(
        [
            PollOption(poll=poll, label=label, description=description, position=index)
            for index, (label, description) in enumerate(pairs)
        ]
    )
    audit_record(actor=actor, action="poll.open", target=poll, data={"method": method})
    notify(circle, "poll_opened", {"poll": poll}, url=poll.get_absolute_url())
    return poll


def poll_submit(*, poll: Poll, actor: Person, grades: Mapping[int, int]) -> list[Grade]:
    """Record a voter's ballot: a grade for every option (approval: 1 or 0 for each).

    One grade per voter and option (a database constraint); voting again while the poll is
    open replaces the ballot.
    """
    with transaction.atomic():
        poll = Poll.objects.select_for_update().select_related("circle").get(pk=poll.pk)
        require_rule(actor, "decisions.take_part", poll)
        if poll.state != Poll.State.OPEN:
            raise ProcessConflict(_("This poll is closed."), state=poll.state)
        options = {o.pk: o for o in poll.options.all()}
        top = len(poll.grade_labels) - 1
        clean = {int(k): v for k, v in grades.items()}
        missing = [pk for pk in options if pk not in clean]
        unknown = [pk for pk in clean if pk not in options]
        errors = []
        if unknown:
            errors.append(
                _("These options are not in the poll: %(ids)s")
                % {"ids": ", ".join(map(str, unknown))}
            )
        if missing and poll.method == Poll.Method.MAJORITY_JUDGMENT:
            errors.append(
                _("Grade every option; missing: %(labels)s")
                % {"labels": ", ".join(options[pk].label for pk in missing)}
            )
        if any(
            not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= top
            for v in clean.values()
        ):
            errors.append(_("A grade is a whole number from 0 to %(top)s.") % {"top": top})
        if errors:
            raise ValidationError(errors)
        for pk in missing:  # approval: an option left unticked is not approved
            clean[pk] = 0
        rows = []
        for option_id, value in clean.items():
            row, _created = Grade.objects.update_or_create(
                poll=poll, voter=actor, option_id=option_id, defaults={"grade": value}
            )
            rows.append(row)
    return rows


@transaction.atomic
def poll_close(*, poll: Poll, actor: Person) -> Poll:
    """Close the poll (who opened it, or the circle's stewards); results are final."""
    poll = Poll.objects.select_for_update().select_related("circle").get(pk=poll.pk)
    require(actor, "decisions.close_poll", poll)
    if poll.state != Poll.State.OPEN:
        raise ProcessConflict(_("This poll is already closed."), state=poll.state)
    poll.state = Poll.State.CLOSED
    poll.closed_at = timezone.now()
    poll.save(update_fields=["state", "closed_at"])
    audit_record(actor=actor, action="poll.close", target=poll)
    notify(poll.circle, "poll_closed", {"poll": poll}, url=poll.get_absolute_url())
    return poll
