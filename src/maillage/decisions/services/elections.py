"""Sociocratic elections: nominations with reasons, a change round, consent to the person."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.analysis import consent as consent_rules
from maillage.analysis.rotation import Nomination as PlainNomination
from maillage.analysis.rotation import sociocratic_election
from maillage.core.services import audit_record
from maillage.decisions import selectors
from maillage.decisions.models import Circle, Election, ElectionAnswer, Nomination
from maillage.decisions.permissions import person_is_member, require_rule
from maillage.decisions.services.common import ProcessConflict, notify, validate_answer

if TYPE_CHECKING:
    from maillage.people.models import Person


@transaction.atomic
def election_open(*, circle: Circle, actor: Person, role: str) -> Election:
    """Open a sociocratic election for a role; the member who opens it facilitates it."""
    require_rule(actor, "decisions.open_election", circle)
    if not person_is_member(actor, circle):
        raise PermissionDenied("decisions.take_part")
    if not role.strip():
        raise ValidationError({"role": _("Name the role to fill.")})
    election = Election.objects.create(circle=circle, role=role.strip(), facilitator=actor)
    audit_record(actor=actor, action="election.open", target=election)
    notify(circle, "election_opened", {"election": election}, url=election.get_absolute_url())
    return election


def _lock_election(election: Election) -> Election:
    return Election.objects.select_for_update().select_related("circle").get(pk=election.pk)


@transaction.atomic
def nomination_submit(
    *, election: Election, actor: Person, nominee: Any, reason: str
) -> Nomination:
    """Nominate a member with a reason (first round) or change one's nomination (change round)."""
    election = _lock_election(election)
    require_rule(actor, "decisions.take_part", election)
    if election.state not in (Election.State.NOMINATIONS, Election.State.CHANGES):
        raise ProcessConflict(_("Nominations are closed."), state=election.state)
    if not person_is_member(nominee, election.circle):
        raise ValidationError({"nominee": _("Only a member of the circle can be nominated.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for your nomination.")})
    is_change = election.state == Election.State.CHANGES
    if is_change and not election.nominations.filter(voter=actor, is_change=False).exists():
        raise ValidationError(_("Only who nominated in the first round can change it."))
    nomination, _created = Nomination.objects.update_or_create(
        election=election,
        voter=actor,
        is_change=is_change,
        defaults={"nominee": nominee, "reason": reason.strip()},
    )
    return nomination


def _election_outcome(election: Election, with_consent: bool) -> Any:
    members = [str(m.person_id) for m in selectors.circle_active_members(election.circle)]
    allowed = set(members)
    first: list[PlainNomination] = []
    changes: list[PlainNomination] = []
    for row in election.nominations.all():
        if str(row.voter_id) in allowed and str(row.nominee_id) in allowed:
            plain = PlainNomination(str(row.voter_id), str(row.nominee_id), row.reason)
            (changes if row.is_change else first).append(plain)
    answers = None
    if with_consent:
        answers = [
            consent_rules.Answer(
                str(a.member_id), consent_rules.AnswerKind(a.kind), a.reason, a.acceptable_if
            )
            for a in election.answers.all()
            if str(a.member_id) in allowed
        ]
    past_terms: dict[str, int] = {}
    for elected_id in Election.objects.filter(
        circle=election.circle, role=election.role, state=Election.State.ELECTED
    ).values_list("proposed_id", flat=True):
        past_terms[str(elected_id)] = past_terms.get(str(elected_id), 0) + 1
    return sociocratic_election(
        members, first, changes=changes, past_terms=past_terms, consent_answers=answers
    )


@transaction.atomic
def election_advance(*, election: Election, actor: Person) -> Election:
    """Move the election on (its facilitator): nominations → change round → consent → result."""
    election = _lock_election(election)
    require_rule(actor, "decisions.run_election", election)
    if election.state == Election.State.NOMINATIONS:
        if not election.nominations.exists():
            raise ValidationError(_("Nobody has been nominated yet."))
        election.state = Election.State.CHANGES
        election.save(update_fields=["state"])
    elif election.state == Election.State.CHANGES:
        try:
            outcome = _election_outcome(election, with_consent=False)
        except ValueError as error:
            raise ValidationError(str(error)) from None
        election.proposed_id = int(outcome.proposed)
        election.state = Election.State.CONSENT
        election.save(update_fields=["state", "proposed"])
    elif election.state == Election.State.CONSENT:
        outcome = _election_outcome(election, with_consent=True)
        if outcome.consent.status is consent_rules.OutcomeStatus.PENDING:
            raise ValidationError(_("Every member has not answered yet."))
        election.state = Election.State.ELECTED if outcome.elected else Election.State.OBJECTED
        election.closed_at = timezone.now()
        election.save(update_fields=["state", "closed_at"])
    else:
        raise ProcessConflict(_("This election is over."), state=election.state)
    audit_record(
        actor=actor, action="election.advance", target=election, data={"state": election.state}
    )
    notify(
        election.circle,
        "election_advanced",
        {"election": election},
        url=election.get_absolute_url(),
    )
    return election


@transaction.atomic
def election_answer(
    *, election: Election, actor: Person, kind: str, reason: str = "", acceptable_if: str = ""
) -> ElectionAnswer:
    """Consent, object (with reason and remedy) or stand aside on the proposed person."""
    election = _lock_election(election)
    require_rule(actor, "decisions.take_part", election)
    if election.state != Election.State.CONSENT:
        raise ProcessConflict(
            _("The consent round of this election is not open."), state=election.state
        )
    validate_answer(kind, reason, acceptable_if)
    answer, _created = ElectionAnswer.objects.update_or_create(
        election=election,
        member=actor,
        defaults={"kind": kind, "reason": reason.strip(), "acceptable_if": acceptable_if.strip()},
    )
    return answer
