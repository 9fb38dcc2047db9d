"""What the decisions services share: the conflict error, row locks, the state machine's
transitions, the validation of a consent answer and the members' notification emails."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from maillage.analysis import consent as consent_rules
from maillage.core.mail import personal_messages, send_on_commit
from maillage.core.periods import active_q
from maillage.decisions.models import Answer, Circle, Decision

State = Decision.State


class ProcessConflict(Exception):
    """The action does not fit the current state (HTTP 409); ``details`` says where things are."""

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


def notify(
    circle: Circle,
    template: str,
    context: Mapping[str, Any],
    *,
    url: str,
    only: Iterable[int] | None = None,
) -> None:
    """Email the circle's active members (or ``only`` those) after the transaction commits.

    The text is ``decisions/email/<template>.txt``, rendered in the active language: its first
    line is the subject, the rest the body (see ``decisions/email/base.txt``). One message per
    recipient, so that nobody sees the others' addresses (``core.mail``).
    """
    members = circle.memberships.filter(active_q()).filter(person__is_active=True)
    if only is not None:
        members = members.filter(person_id__in=list(only))
    recipients = list(members.values_list("person__email", flat=True))
    if not recipients:
        return
    text = render_to_string(
        f"decisions/email/{template}.txt",
        {**context, "circle": circle, "link": f"{settings.SITE_URL}{url}"},
    )
    subject, _newline, body = text.strip().partition("\n")
    send_on_commit(personal_messages(subject.strip(), body.strip() + "\n", recipients))


def lock_decision(decision: Decision) -> Decision:
    return Decision.objects.select_for_update().select_related("circle").get(pk=decision.pk)


def refuse_if_final(decision: Decision) -> None:
    if decision.state in (State.ADOPTED, State.WITHDRAWN):
        raise ProcessConflict(
            _("This decision is %(state)s: it cannot change any more (a change is a new proposal).")
            % {"state": decision.get_state_display()},
            state=decision.state,
        )


# What the page offers for each state: the round that opens next (a consent round closed
# without an outcome may be opened again; objections are integrated before the next one).
NEXT_ROUND = {
    State.DRAFT: "clarifying",
    State.CLARIFYING: "reactions",
    State.REACTIONS: "consent",
    State.CONSENT: "consent",
    State.AMEND: "consent",
}


def next_round_kind(decision: Decision) -> str | None:
    """Return the kind of round the decision may open next, None once it is final."""
    return NEXT_ROUND.get(State(decision.state))


def step_label(state: str) -> str:
    """Return the words of a step, as a person reads them (never the internal code)."""
    labels = {
        State.CLARIFYING: _("Open a clarifying questions round"),
        State.REACTIONS: _("Open a reactions round"),
        State.CONSENT: _("Open the consent round"),
        State.AMEND: _("Integrate the objections (amend the proposal)"),
        State.ADOPTED: _("Adopt the decision (close the consent round)"),
        State.WITHDRAWN: _("Withdraw the proposal"),
    }
    return str(labels.get(State(state), State(state).label))


def transition(decision: Decision, target: str) -> str:
    """Return ``target`` when the state machine allows it; raise ProcessConflict else.

    The conflict says where the decision stands and which steps are possible, in words.
    """
    try:
        return consent_rules.check_transition(decision.state, target).value
    except consent_rules.TransitionError as error:
        raise ProcessConflict(
            _("This step is not possible now: the decision is at the “%(state)s” stage.")
            % {"state": decision.get_state_display()},
            state=decision.state,
            allowed=list(error.allowed),
        ) from None


def validate_answer(kind: str, reason: str, acceptable_if: str) -> None:
    """Refuse an unknown kind of answer, or an objection without its reason and remedy."""
    if kind not in Answer.Kind.values:
        raise ValidationError({"kind": _("Unknown answer: consent, objection or stand_aside.")})
    if kind == Answer.Kind.OBJECTION:
        errors = {}
        if not reason.strip():
            errors["reason"] = _(
                "An objection needs its reason: say why the proposal would harm the circle's aim."
            )
        if not acceptable_if.strip():
            errors["acceptable_if"] = _(
                "An objection needs what would make the proposal acceptable to you."
            )
        if errors:
            raise ValidationError(errors)
