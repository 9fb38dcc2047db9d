"""Proposals: put one before a circle, amend it (integrating objections), withdraw it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.core.services import audit_record
from maillage.decisions import selectors
from maillage.decisions.models import Answer, Circle, Decision, DecisionVersion, Delegation, Round
from maillage.decisions.permissions import require_rule
from maillage.decisions.services.common import (
    ProcessConflict,
    State,
    lock_decision,
    notify,
    refuse_if_final,
    transition,
)

if TYPE_CHECKING:
    from maillage.people.models import Person


@transaction.atomic
def decision_propose(
    *,
    circle: Circle,
    actor: Person,
    title: str,
    text: str,
    scope: Iterable[Delegation] = (),
    review_date: dt.date | None = None,
) -> Decision:
    """Put a proposal before the circle (members only); its text is version 1."""
    require_rule(actor, "decisions.propose", circle)
    if circle.archived_at is not None:
        raise ValidationError(_("This circle is archived: it takes no new proposal."))
    errors = {}
    if not title.strip():
        errors["title"] = _("A proposal needs a title.")
    if not text.strip():
        errors["text"] = _("A proposal needs its text.")
    scope = list(scope)
    if scope and not circle.is_committee:
        errors["scope"] = _("Only a steering committee's decisions name delegations.")
    if any(d.circle_id != circle.pk for d in scope):
        errors["scope"] = _("Every delegation concerned must sit on this committee.")
    if review_date is not None and review_date <= timezone.localdate():
        errors["review_date"] = _("The review date must be in the future.")
    if errors:
        raise ValidationError(errors)
    decision = Decision.objects.create(
        circle=circle, title=title.strip(), author=actor, review_date=review_date
    )
    if scope:
        decision.scope.set(scope)
    DecisionVersion.objects.create(
        decision=decision,
        number=1,
        text=text.strip(),
        author=actor,
        note=_("First version."),
    )
    audit_record(
        actor=actor,
        action="decision.propose",
        target=decision,
        data={"scope": [d.pk for d in scope]},
    )
    notify(
        circle,
        "proposal_new",
        {"decision": decision, "author": actor.public_name},
        url=decision.get_absolute_url(),
    )
    return decision


@transaction.atomic
def decision_amend(
    *,
    decision: Decision,
    actor: Person,
    text: str,
    note: str,
    integrations: Mapping[int, str] | None = None,
) -> DecisionVersion:
    """Amend the proposal: a new version, saying how each objection it answers was integrated.

    Allowed to the author and the facilitator before adoption, never while the text is in its
    consent round.
    """
    decision = lock_decision(decision)
    require_rule(actor, "decisions.amend", decision)
    refuse_if_final(decision)
    open_round = selectors.current_round(decision)
    if open_round is not None and open_round.kind == Round.Kind.CONSENT:
        raise ProcessConflict(
            _("The text cannot change during its consent round: close the round first."),
            state=decision.state,
            round=open_round.number,
            round_state=open_round.state,
        )
    text = text.strip()
    latest = selectors.latest_version(decision)
    errors = {}
    if not text:
        errors["text"] = _("The amended text cannot be empty.")
    elif text == latest.text:
        errors["text"] = _("The amendment changes nothing in the text.")
    if not note.strip():
        errors["note"] = _("Say what changed and why.")
    objections: list[Answer] = []
    if integrations:
        objections = list(
            Answer.objects.filter(
                pk__in=list(integrations),
                round__decision=decision,
                kind=Answer.Kind.OBJECTION,
                round__state=Round.State.CLOSED,
            )
        )
        if len(objections) != len(integrations):
            errors["integrations"] = _(
                "Only objections raised in a closed consent round of this decision can be "
                "integrated."
            )
        elif any(not how.strip() for how in integrations.values()):
            errors["integrations"] = _("Say how each objection was integrated.")
    if errors:
        raise ValidationError(errors)
    version = DecisionVersion.objects.create(
        decision=decision, number=latest.number + 1, text=text, note=note.strip(), author=actor
    )
    for objection in objections:
        objection.integration = (integrations or {})[objection.pk].strip()
        objection.integrated_in = version
        objection.save(update_fields=["integration", "integrated_in", "updated_at"])
    audit_record(
        actor=actor,
        action="decision.amend",
        target=decision,
        data={"version": version.number, "integrates": [o.pk for o in objections]},
    )
    notify(
        decision.circle,
        "proposal_amended",
        {"decision": decision, "version": version},
        url=decision.get_absolute_url(),
    )
    return version


@transaction.atomic
def decision_withdraw(*, decision: Decision, actor: Person) -> Decision:
    """Withdraw a proposal (its author or facilitator); an open round is closed with it."""
    decision = lock_decision(decision)
    require_rule(actor, "decisions.amend", decision)
    target = transition(decision, State.WITHDRAWN)
    decision.rounds.filter(state=Round.State.OPEN).update(
        state=Round.State.CLOSED, closed_at=timezone.now()
    )
    decision.state = target
    decision.save(update_fields=["state"])
    audit_record(actor=actor, action="decision.withdraw", target=decision)
    notify(
        decision.circle,
        "proposal_withdrawn",
        {"decision": decision},
        url=decision.get_absolute_url(),
    )
    return decision
