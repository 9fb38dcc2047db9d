"""Writes on shared works: the update log, snapshots, participants, comments, co-signature."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pycrdt import Doc, StickyIndex, Text, merge_updates

from maillage.core.mail import personal_messages, send_on_commit
from maillage.core.permissions import require
from maillage.core.services import audit_record
from maillage.core.websocket import person_access_changed
from maillage.cowriting.authorship import TEXT_NAME
from maillage.cowriting.models import (
    Comment,
    CoSignature,
    Participant,
    PublicationProposal,
    PublishedVersion,
    SharedWork,
    Snapshot,
    Update,
    Version,
)

if TYPE_CHECKING:
    from maillage.people.models import Person


# Compact the update log into a snapshot every this many updates.
COMPACT_EVERY = 200
MAX_COMMENT_ANCHOR = 256  # bytes: a Yjs relative position is a few dozen


# The update log ---------------------------------------------------------------------------


@transaction.atomic
def updates_append(*, work_id: int, items: Sequence[tuple[int | None, bytes]]) -> int:
    """Store ``items`` ((author id, update)) with consecutive sequences; return the first.

    The counter lives on the work row: the UPDATE locks it until commit, so workers sharing
    the database never hand out the same sequence.
    """
    count = len(items)
    table = SharedWork._meta.db_table
    column = SharedWork._meta.get_field("last_sequence").column
    key = SharedWork._meta.pk.column
    with connection.cursor() as cursor:
        # One round trip for the lock and the new counter (RETURNING: PostgreSQL, SQLite ≥ 3.35).
        # The names come from the model, the values are parameters.
        cursor.execute(
            f"UPDATE {table} SET {column} = {column} + %s WHERE {key} = %s RETURNING {column}",  # noqa: S608
            [count, work_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise SharedWork.DoesNotExist(work_id)
    first = row[0] - count + 1
    Update.objects.bulk_create(
        [
            Update(work_id=work_id, sequence=first + i, author_id=author, data=data)
            for i, (author, data) in enumerate(items)
        ]
    )
    return first


def updates_after(*, work_id: int, after: int) -> list[tuple[int, bytes]]:
    """Return the stored updates of a work with a sequence above ``after``, in order."""
    rows = (
        Update.objects.filter(work_id=work_id, sequence__gt=after)
        .order_by("sequence")
        .values_list("sequence", "data")
    )
    return [(sequence, bytes(data)) for sequence, data in rows]


def work_last_sequence(*, work_id: int) -> int:
    """Return the sequence of the last update stored for a work (0 if none)."""
    return SharedWork.objects.filter(pk=work_id).values_list("last_sequence", flat=True).get()


def work_state(*, work_id: int, through: int | None = None) -> tuple[bytes, int]:
    """Return the work's state as one update, rebuilt from the database alone, and its sequence.

    The latest snapshot is merged with the updates stored after it (up to ``through``).
    """
    snapshots = Snapshot.objects.filter(work_id=work_id)
    updates = Update.objects.filter(work_id=work_id)
    if through is not None:
        snapshots = snapshots.filter(through_sequence__lte=through)
        updates = updates.filter(sequence__lte=through)
    snapshot = snapshots.order_by("-through_sequence").values("state", "through_sequence").first()
    start = snapshot["through_sequence"] if snapshot else 0
    parts = [bytes(snapshot["state"])] if snapshot else []
    last = start
    for sequence, data in (
        updates.filter(sequence__gt=start).order_by("sequence").values_list("sequence", "data")
    ):
        parts.append(bytes(data))
        last = sequence
    if not parts:
        return b"\x00\x00", last
    return (merge_updates(*parts) if len(parts) > 1 else parts[0]), last


def doc_from_state(state: bytes) -> Doc:
    """Return a pycrdt Doc holding ``state``, with its text root declared."""
    doc: Doc = Doc()
    doc.get(TEXT_NAME, type=Text)
    doc.apply_update(state)
    return doc


def snapshot_compact(*, work_id: int) -> Snapshot | None:
    """Write a snapshot covering every stored update, when enough accumulated since the last.

    Built from the database, not from a live replica, so a snapshot can never claim an
    update it does not contain. Updates are kept: they are the record of who wrote what.
    """
    latest = (
        Snapshot.objects.filter(work_id=work_id)
        .order_by("-through_sequence")
        .values_list("through_sequence", flat=True)
        .first()
        or 0
    )
    pending = Update.objects.filter(work_id=work_id, sequence__gt=latest).count()
    if pending < COMPACT_EVERY:
        return None
    state, through = work_state(work_id=work_id)
    compact = doc_from_state(state).get_update()
    try:
        with transaction.atomic():
            snapshot = Snapshot.objects.create(
                work_id=work_id, through_sequence=through, state=compact
            )
            # Two snapshots are enough: the newest, and one before it while readers finish.
            old = Snapshot.objects.filter(work_id=work_id).order_by("-through_sequence")[2:]
            Snapshot.objects.filter(pk__in=list(old.values_list("pk", flat=True))).delete()
    except IntegrityError:  # another worker compacted the same range first
        return None
    return snapshot


def work_text(*, work: SharedWork) -> str:
    """Return the current Markdown text of ``work``."""
    state, _ = work_state(work_id=work.pk)
    return str(doc_from_state(state)[TEXT_NAME])


# Works and participants -------------------------------------------------------------------


def _notify(subject: str, body: str, recipients: list[str]) -> None:
    """Tell each address alone, after the commit (co-authors never see each other's email)."""
    send_on_commit(personal_messages(subject, body, recipients))


@transaction.atomic
def work_create(
    *,
    actor: Person,
    title: str,
    organization: Any = None,
    attached_to: Any = None,
    vision: str = "",
    is_public: bool = False,
    publication_rule: str = SharedWork.PublicationRule.UNANIMOUS,
    objection_days: int = 7,
    objective: str = "",
) -> SharedWork:
    """Create a shared work owned by ``organization`` (or attached to an object) and its writer."""
    if (organization is None) == (attached_to is None):
        raise ValidationError(_("A shared work belongs to one organization or one object."))
    if organization is not None:
        require(actor, "cowriting.add_work_for_organization", organization)
    elif not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("cowriting.add_work")
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("A title is required.")})
    work = SharedWork(
        title=title[:200],
        vision=vision.strip(),
        organization=organization,
        is_public=is_public,
        publication_rule=publication_rule,
        objection_days=objection_days,
        created_by=actor,
    )
    if attached_to is not None:
        work.attached_to = attached_to
    work.full_clean(exclude=["attached_type", "attached_id"])
    work.save()
    Participant.objects.create(
        work=work, person=actor, role=Participant.Role.WRITER, objective=objective.strip()
    )
    audit_record(actor=actor, action="cowriting.work.create", target=work)
    return work


WORK_EDITABLE = ("title", "vision", "is_public", "publication_rule", "objection_days", "archived")


@transaction.atomic
def work_update(*, work: SharedWork, actor: Person, **changes: Any) -> SharedWork:
    """Rename, change the vision, visibility or publication rule, archive or bring back ``work``.

    Its writers and the owner organization's admins may. A change of visibility is told to
    every other participant by email (after commit). An archived work is kept, read-only;
    it cannot be archived while a version is proposed for publication.
    """
    require(actor, "cowriting.change_work", work)
    unknown = set(changes) - set(WORK_EDITABLE)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    SharedWork.objects.select_for_update().filter(pk=work.pk).first()
    before = {"title": work.title, "is_public": work.is_public, "archived": work.is_archived}
    fields = [name for name in WORK_EDITABLE if name in changes and name != "archived"]
    for name in fields:
        value = changes[name]
        setattr(work, name, value.strip() if isinstance(value, str) else value)
    if not work.title:
        raise ValidationError({"title": _("A title is required.")})
    if "archived" in changes and bool(changes["archived"]) != before["archived"]:
        if changes["archived"] and _proposal_open_for(work):
            raise ValidationError(
                _(
                    "A version is proposed for publication: withdraw the proposal, or wait "
                    "until it is settled, before archiving the work."
                )
            )
        work.archived_at = timezone.now() if changes["archived"] else None
        fields.append("archived_at")
    work.full_clean(exclude=["attached_type", "attached_id"])
    work.save(update_fields=fields)
    if work.title != before["title"]:
        audit_record(
            actor=actor,
            action="cowriting.work.rename",
            target=work,
            data={"from": before["title"], "to": work.title},
        )
    if work.is_archived != before["archived"]:
        audit_record(
            actor=actor,
            action="cowriting.work.archive" if work.is_archived else "cowriting.work.unarchive",
            target=work,
        )
    if work.is_public != before["is_public"]:
        audit_record(
            actor=actor,
            action="cowriting.work.visibility",
            target=work,
            data={"is_public": work.is_public},
        )
        _notify_visibility(work, actor)
    return work


def _proposal_open_for(work: SharedWork) -> bool:
    return PublicationProposal.objects.filter(
        work=work, status=PublicationProposal.Status.OPEN
    ).exists()


def _notify_visibility(work: SharedWork, actor: Person) -> None:
    """Tell the other participants that the work became public, or private."""
    if work.is_public:
        subject = _("“%(title)s” is now public") % {"title": work.title}
        body = _("%(name)s made the work readable by everyone, text included: %(url)s")
    else:
        subject = _("“%(title)s” is now private") % {"title": work.title}
        body = _("%(name)s made the work readable by its participants only: %(url)s")
    body = body % {
        "name": actor.public_name,
        "url": settings.SITE_URL + work.get_absolute_url(),
    }
    emails = (
        work.participants.exclude(person=actor)
        .filter(person__is_active=True)
        .values_list("person__email", flat=True)
    )
    _notify(subject, body, list(emails))


def _refuse_if_archived(work: SharedWork) -> None:
    if work.is_archived:
        raise ValidationError(
            _("This work is archived: bring it back from its settings to change it.")
        )


@transaction.atomic
def participant_invite(
    *, work: SharedWork, actor: Person, person: Any, role: str, objective: str = ""
) -> Participant:
    """Invite ``person`` with ``role``, or change the role of someone already in the work.

    Any writer invites newcomers (snowball) and the inviter is recorded; only the work's
    stewards change an existing participant's role (anyone may step down themselves), and no
    one becomes or stops being a writer while a version is proposed: the co-authors whose
    consent the proposal needs stay those it was made to.
    """
    # The rule is tested as written, without the superuser's blanket pass: the platform admin
    # reads every work but, as in the other capabilities, joins none he is not part of.
    if not rules.has_perm("cowriting.invite_to_work", actor, work):
        raise PermissionDenied("cowriting.invite_to_work")
    if role not in Participant.Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if not person.is_active:
        raise ValidationError(_("This account is closed."))
    if person.email_verified_at is None:
        # An unverified address may be a squatter's: nobody is let in through it.
        raise ValidationError(_("This account's address is not verified yet."))
    # Locked: two concurrent invitations of one person, or a role change racing a proposal,
    # see each other's result.
    SharedWork.objects.select_for_update().filter(pk=work.pk).first()
    participant = Participant.objects.filter(work=work, person=person).first()
    created = participant is None
    current = None if participant is None else participant.role
    if current == role:
        return participant  # type: ignore[return-value]
    if current is not None:
        stepping_down = person.pk == actor.pk and _rank(role) < _rank(current)
        if not stepping_down:
            require(actor, "cowriting.change_participant_role", work)
    if Participant.Role.WRITER in (current, role) and _proposal_open(work):
        raise ValidationError(
            _(
                "The co-authors cannot change while a version is proposed for publication: "
                "withdraw the proposal first, or wait until it is settled."
            )
        )
    if participant is None:
        participant = Participant.objects.create(
            work=work, person=person, role=role, objective=objective.strip(), invited_by=actor
        )
    else:
        participant.role = role
        participant.save(update_fields=["role"])
    work.__dict__.pop("_role_cache", None)
    # Their open websockets on this work hold the old role: closed, they reconnect with this one.
    person_access_changed(person_id=person.pk, scope=work.pk)
    audit_record(
        actor=actor,
        action="cowriting.participant.invite" if created else "cowriting.participant.role",
        target=work,
        data={"person": person.pk, "role": role, "previous": current},
    )
    if created:
        _notify(
            _("You are invited to co-write “%(title)s”") % {"title": work.title},
            _("%(name)s invites you to write “%(title)s” together: %(url)s")
            % {
                "name": actor.public_name,
                "title": work.title,
                "url": settings.SITE_URL + work.get_absolute_url(),
            },
            [person.email],
        )
    return participant


_RANKS = {Participant.Role.READER: 0, Participant.Role.COMMENTER: 1, Participant.Role.WRITER: 2}


def _rank(role: str) -> int:
    return _RANKS[Participant.Role(role)]


def _proposal_open(work: SharedWork) -> bool:
    return PublicationProposal.objects.filter(
        work=work, status=PublicationProposal.Status.OPEN
    ).exists()


def participant_set_objective(
    *, participant: Participant, actor: Person, objective: str
) -> Participant:
    """Let a participant state their own objective."""
    if actor.pk != participant.person_id:
        raise PermissionDenied("cowriting.set_objective")
    participant.objective = objective.strip()
    participant.save(update_fields=["objective"])
    return participant


# Comments ---------------------------------------------------------------------------------


def decode_anchor(value: str | bytes) -> bytes:
    """Return the binary relative position from base64 text (or bytes); raise ValidationError."""
    try:
        raw = value if isinstance(value, bytes) else base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValidationError(_("The anchor is not valid base64.")) from error
    if not raw or len(raw) > MAX_COMMENT_ANCHOR:
        raise ValidationError(_("The anchor is empty or too long."))
    try:
        StickyIndex.decode(raw)
    except Exception as error:  # pycrdt raises its own decoding errors
        raise ValidationError(_("The anchor is not a Yjs relative position.")) from error
    return raw


def anchor_quote(doc: Doc, start: bytes, end: bytes) -> str | None:
    """Return the passage between two relative positions in ``doc``, or None if gone."""
    text = doc[TEXT_NAME]
    try:
        with doc.transaction() as txn:
            first = StickyIndex.decode(start).get_index(txn)
            last = StickyIndex.decode(end).get_index(txn)
    except Exception:  # the anchored item is unknown to this state
        return None
    raw = str(text).encode("utf-8")
    first, last = sorted((max(0, first), min(len(raw), last)))
    return raw[first:last].decode("utf-8", errors="ignore")


@transaction.atomic
def comment_create(
    *,
    work: SharedWork,
    actor: Person,
    anchor_start: str | bytes,
    anchor_end: str | bytes,
    text: str,
) -> Comment:
    """Anchor a comment to a passage; only writers and commenters comment."""
    require(actor, "cowriting.comment_work", work)
    _refuse_if_archived(work)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("The comment is empty.")})
    start, end = decode_anchor(anchor_start), decode_anchor(anchor_end)
    state, _seq = work_state(work_id=work.pk)
    quote = anchor_quote(doc_from_state(state), start, end) or ""
    return Comment.objects.create(
        work=work,
        author=actor,
        anchor_start=start,
        anchor_end=end,
        quote=quote[:500],
        text=text[:5000],
    )


def comment_resolve(*, comment: Comment, actor: Person) -> Comment:
    """Mark a comment resolved (its author or a writer)."""
    if actor.pk != comment.author_id:
        require(actor, "cowriting.write_work", comment.work)
    comment.resolved = True
    comment.save(update_fields=["resolved"])
    return comment


# Versions and co-signature ----------------------------------------------------------------


@transaction.atomic
def version_create(*, work: SharedWork, actor: Person, name: str) -> Version:
    """Name the current state of ``work``: a snapshot with its Markdown text."""
    require(actor, "cowriting.name_version", work)
    _refuse_if_archived(work)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("A version needs a name.")})
    state, through = work_state(work_id=work.pk)
    doc = doc_from_state(state)
    return Version.objects.create(
        work=work,
        name=name[:120],
        through_sequence=through,
        state=doc.get_update(),
        text=str(doc[TEXT_NAME]),
        created_by=actor,
    )


def coauthors(work: SharedWork) -> list[Any]:
    """Return the persons whose consent a publication needs: the active writers."""
    return [
        p.person
        for p in work.participants.filter(role=Participant.Role.WRITER, person__is_active=True)
        .select_related("person")
        .order_by("person_id")
    ]


@transaction.atomic
def proposal_create(*, work: SharedWork, actor: Person, version: Version) -> PublicationProposal:
    """Propose ``version`` for publication; the proposer consents by proposing."""
    require(actor, "cowriting.propose_publication", work)
    _refuse_if_archived(work)
    if version.work_id != work.pk:
        raise ValidationError(_("This version belongs to another work."))
    deadline = None
    if work.publication_rule == SharedWork.PublicationRule.DEADLINE:
        deadline = timezone.now() + dt.timedelta(days=work.objection_days)
    try:
        with transaction.atomic():
            proposal = PublicationProposal.objects.create(
                work=work, version=version, proposed_by=actor, deadline=deadline
            )
    except IntegrityError:
        raise ValidationError(_("A proposal is already open for this work.")) from None
    CoSignature.objects.create(
        proposal=proposal, person=actor, decision=CoSignature.Decision.CONSENT
    )
    audit_record(actor=actor, action="cowriting.proposal.create", target=proposal)
    _notify(
        _("“%(title)s”: a version is proposed for publication") % {"title": work.title},
        _("Consent or object (with a reason) here: %(url)s")
        % {"url": settings.SITE_URL + work.get_absolute_url() + "publication/"},
        [p.email for p in coauthors(work) if p.pk != actor.pk],
    )
    proposal_settle(proposal=proposal)
    return proposal


@transaction.atomic
def proposal_decide(
    *, proposal: PublicationProposal, actor: Person, decision: str, reason: str = ""
) -> CoSignature:
    """Record a co-author's consent or objection; an objection needs a reason."""
    require(actor, "cowriting.cosign", proposal.work)
    proposal = PublicationProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != PublicationProposal.Status.OPEN:
        raise ValidationError(_("This proposal is closed."))
    reason = reason.strip()
    if decision not in CoSignature.Decision.values:
        raise ValidationError({"decision": _("Unknown decision.")})
    if decision == CoSignature.Decision.OBJECTION and not reason:
        raise ValidationError({"reason": _("An objection needs a reason.")})
    signature, _created = CoSignature.objects.update_or_create(
        proposal=proposal, person=actor, defaults={"decision": decision, "reason": reason}
    )
    proposal_settle(proposal=proposal)
    return signature


@transaction.atomic
def proposal_withdraw(*, proposal: PublicationProposal, actor: Person) -> PublicationProposal:
    """Withdraw an open proposal (its proposer or any writer)."""
    require(actor, "cowriting.propose_publication", proposal.work)
    updated = PublicationProposal.objects.filter(
        pk=proposal.pk, status=PublicationProposal.Status.OPEN
    ).update(status=PublicationProposal.Status.WITHDRAWN)
    if not updated:
        raise ValidationError(_("This proposal is closed."))
    proposal.status = PublicationProposal.Status.WITHDRAWN
    return proposal


@transaction.atomic
def proposal_settle(
    *, proposal: PublicationProposal, now: dt.datetime | None = None
) -> PublishedVersion | None:
    """Publish the proposal if its rule is met; return the publication (or None).

    Unanimous: every active writer consented. Deadline: no objection stands and the
    deadline passed (or every writer already consented).
    """
    from maillage.cowriting.selectors import work_authorship

    proposal = (
        PublicationProposal.objects.select_for_update()
        .select_related("work", "version")
        .get(pk=proposal.pk)
    )
    if proposal.status != PublicationProposal.Status.OPEN:
        return None
    work = proposal.work
    signatures = {s.person_id: s for s in proposal.signatures.select_related("person")}
    authors = coauthors(work)
    consented = [p for p in authors if getattr(signatures.get(p.pk), "decision", "") == "consent"]
    objected = any(s.decision == CoSignature.Decision.OBJECTION for s in signatures.values())
    everyone = len(consented) == len(authors)
    deadline_met = (
        work.publication_rule == SharedWork.PublicationRule.DEADLINE
        and proposal.deadline is not None
        and (now or timezone.now()) >= proposal.deadline
        and not objected
    )
    if not (everyone or deadline_met):
        return None
    shares = work_authorship(work=work, through=proposal.version.through_sequence)
    publication = PublishedVersion.objects.create(
        work=work,
        proposal=proposal,
        title=work.title,
        text=proposal.version.text,
        shares=[row.as_public_dict() for row in shares],
        signatories=[
            {"person_id": p.pk, "name": p.public_name, "decision": "consent"} for p in consented
        ],
    )
    PublicationProposal.objects.filter(pk=proposal.pk).update(
        status=PublicationProposal.Status.PUBLISHED
    )
    audit_record(actor=None, action="cowriting.publish", target=publication)
    return publication


def person_erase(person: Any) -> None:
    """Take their name out of published versions (shares and signatories); the text stays.

    Live pages name co-authors from their accounts, already shown as "deleted participant";
    a publication froze the names at the time, so they are blanked here (shown the same way).
    """
    for publication in PublishedVersion.objects.all().only("pk", "shares", "signatories"):
        changed = False
        for row in [*publication.shares, *publication.signatories]:
            if row.get("person_id") == person.pk and row.get("name"):
                row["name"] = ""
                changed = True
        if changed:
            # The one change a publication accepts: its text and figures stay as published.
            PublishedVersion.objects.filter(pk=publication.pk).update(
                shares=publication.shares, signatories=publication.signatories
            )
