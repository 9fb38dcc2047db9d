"""The members' emails: every step of the process tells them, in plain text, in the language."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.utils import timezone, translation

from maillage.decisions.models import FacilitationTurn, Round
from maillage.decisions.services import circles, elections, polls, proposals, rotation, rounds
from maillage.decisions.tests.conftest import deadline, make_person

TITLE = "L'école & <la> place"


def _lifecycle(personas, capture) -> None:
    """Run every step that emails the members: a whole consent process, an election, a poll."""
    facilitator, author, member = (make_person(f"{n}@example.org") for n in ("f", "a", "m"))
    with capture(execute=True):
        circle = circles.circle_create(
            name="Cercle « Jardins »", kind="project_team", territory=personas.commune
        )
        for person in (facilitator, author, member):
            circles.circle_member_add(circle=circle, person=person)
        decision = proposals.decision_propose(
            circle=circle, actor=author, title=TITLE, text="Le jardin ouvre le dimanche."
        )
        rotation.decision_assign_roles(decision=decision, actor=member, on=dt.date(2026, 1, 5))
        turn = FacilitationTurn.objects.get(decision=decision, role="facilitator")
        rotation.facilitation_pass(turn=turn, actor=turn.person)
        decision.refresh_from_db()
        runner = decision.facilitator
        for kind in ("clarifying", "reactions"):
            round_ = rounds.round_open(decision=decision, actor=runner, kind=kind, mode="live")
            rounds.round_close(round=round_, actor=runner)
        round_ = rounds.round_open(
            decision=decision, actor=runner, kind="consent", mode="async", deadline=deadline()
        )
        Round.objects.filter(pk=round_.pk).update(deadline=timezone.now() + dt.timedelta(hours=2))
        rounds.rounds_send_reminders()
        rounds.answer_submit(
            round=round_,
            actor=member,
            kind="objection",
            reason="Le voisinage & le bruit",
            acceptable_if="Fermer à 20 h",
        )
        rounds.round_close(round=round_, actor=runner)
        objection = round_.answers.get()
        proposals.decision_amend(
            decision=decision,
            actor=author,
            text="Le jardin ouvre le dimanche jusqu'à 20 h.",
            note="Fermeture à 20 h.",
            integrations={objection.pk: "Fermeture à 20 h."},
        )
        round_ = rounds.round_open(decision=decision, actor=runner, kind="consent", mode="live")
        for person in (facilitator, author, member):
            rounds.answer_submit(round=round_, actor=runner, member=person, kind="consent")
        rounds.round_close(round=round_, actor=runner)
        other = proposals.decision_propose(circle=circle, actor=author, title="Autre", text="Texte")
        proposals.decision_withdraw(decision=other, actor=author)
        election = elections.election_open(circle=circle, actor=member, role="Trésorière")
        elections.nomination_submit(election=election, actor=member, nominee=author, reason="Oui")
        elections.election_advance(election=election, actor=member)
        poll = polls.poll_open(
            circle=circle,
            actor=member,
            title="Couleur du portail",
            question="Quelle couleur ?",
            method="approval",
            options=["Vert", "Bleu"],
        )
        polls.poll_close(poll=poll, actor=member)


def test_every_step_emails_the_members_in_french(personas, django_capture_on_commit_callbacks):
    with translation.override("fr"):
        _lifecycle(personas, django_capture_on_commit_callbacks)
    # French typography puts a no-break space before colons and inside quotes.
    sent = [(m.subject.replace("\xa0", " "), m.body.replace("\xa0", " ")) for m in mail.outbox]
    subjects = {subject.removeprefix("[Cercle « Jardins »] ") for subject, _body in sent}
    review = (timezone.localdate() + dt.timedelta(days=365)).strftime("%d/%m/%Y")
    assert subjects == {
        "Vous avez rejoint le cercle",
        f"Nouvelle proposition : {TITLE}",
        f"À votre tour : {TITLE}",
        "À votre tour : Animateur/animatrice",
        f"Tour « Questions de clarification » ouvert : {TITLE}",
        f"Tour « Réactions » ouvert : {TITLE}",
        f"Tour « Consentement » ouvert : {TITLE}",
        f"Tour clos : {TITLE}",
        f"Rappel : {TITLE}",
        f"Objection : {TITLE}",
        f"Objections à intégrer : {TITLE}",
        f"Proposition amendée : {TITLE}",
        f"Adoptée : {TITLE}",
        "Nouvelle proposition : Autre",
        "Proposition retirée : Autre",
        "Élection : Trésorière",
        "Élection Trésorière : Tour des changements",
        "Vote : Couleur du portail",
        "Résultats : Couleur du portail",
    }
    by_subject = dict(sent)
    objection = by_subject[f"[Cercle « Jardins »] Objection : {TITLE}"]
    assert objection.startswith("Raison : Le voisinage & le bruit\nAcceptable si : Fermer à 20 h\n")
    assert f"Date de révision : {review}." in by_subject[f"[Cercle « Jardins »] Adoptée : {TITLE}"]


def test_a_notification_is_plain_text_with_its_link_and_one_line_subject(
    personas, django_capture_on_commit_callbacks
):
    with translation.override("en"):
        _lifecycle(personas, django_capture_on_commit_callbacks)
    assert len(mail.outbox) > 19
    for message in mail.outbox:
        assert "\n" not in message.subject
        assert message.subject.startswith("[Cercle « Jardins »] ")
        assert "&amp;" not in message.body + message.subject
        assert "&#x27;" not in message.body + message.subject
        assert message.body.rstrip().splitlines()[-1].startswith("http")
        assert message.body.count("\n\n") == 1  # the text, a blank line, the link
    reminders = [m for m in mail.outbox if m.subject.endswith(f"Reminder: {TITLE}")]
    assert len(reminders) == 3  # nobody had answered yet
    assert all("closes on " in m.body for m in reminders)
