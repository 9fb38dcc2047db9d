"""Writes on workshops: creation, registrations with a waiting list, cancellations that promote
the next person, reminders, attendance and outputs. Emails leave after commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.core.dates import moment_format
from maillage.core.mail import ERASED_SUFFIX, personal_messages, send_on_commit
from maillage.core.periods import active_q
from maillage.core.permissions import require
from maillage.core.services import audit_record
from maillage.core.slugs import unique_slug
from maillage.organizations.models import Membership
from maillage.territories.models import Territory
from maillage.workshops import ical
from maillage.workshops.models import Output, Registration, Workshop

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from maillage.people.models import Person


PROFILE_CHOICES = {
    "sector": Registration.Sector,
    "age_band": Registration.AgeBand,
    "public": Registration.Public,
    "discipline": Registration.Discipline,
}
PROFILE_FIELDS = tuple(PROFILE_CHOICES)
REMINDER_AHEAD = dt.timedelta(hours=48)


def _check(
    *, starts_at: dt.datetime, ends_at: dt.datetime, place: str, video_url: str, capacity: int
) -> None:
    errors: dict[str, str] = {}
    if ends_at <= starts_at:
        errors["ends_at"] = _("The workshop ends before it starts.")
    if not place.strip() and not video_url.strip():
        errors["place"] = _("Give a place or a video link.")
    if video_url:
        try:
            URLValidator(schemes=["https", "http"])(video_url)
        except ValidationError:
            errors["video_url"] = _("The video link is not a valid address.")
    if capacity < 1:
        errors["capacity"] = _("The capacity is at least one person.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def workshop_create(
    *,
    actor: Person,
    title: str,
    theme: str,
    method: str,
    territory: Territory,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int,
    organizers: Iterable[Any],
    hosts: Iterable[Any] = (),
    place: str = "",
    video_url: str = "",
    description: str = "",
    slug: str | None = None,
) -> Workshop:
    """Create a workshop; the actor must belong to one of its organizing organizations.

    ``hosts`` are the people who run it, each an active member of an organizing organization.
    """
    organizers = list(organizers)
    if not organizers:
        raise ValidationError({"organizers": _("A workshop has at least one organizer.")})
    if not any(actor.has_perm("workshops.add_workshop", org) for org in organizers):
        raise PermissionDenied("workshops.add_workshop")
    hosts = _check_hosts(hosts, organizers)
    _check(
        starts_at=starts_at, ends_at=ends_at, place=place, video_url=video_url, capacity=capacity
    )
    workshop = Workshop.objects.create(
        title=title.strip()[:200],
        slug=slug or unique_slug(title, Workshop),
        theme=theme.strip()[:200],
        method=method.strip()[:200],
        description=description.strip(),
        territory=territory,
        place=place.strip()[:300],
        video_url=video_url.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
    )
    workshop.organizers.set(organizers)
    workshop.hosts.set(hosts)
    audit_record(actor=actor, action="workshops.workshop.create", target=workshop)
    return workshop


def _check_hosts(hosts: Iterable[Any], organizers: Iterable[Any]) -> list[Any]:
    """Return the hosts, refusing anyone who is not an active member of an organizer."""
    hosts = list(hosts)
    members = set(
        Membership.objects.filter(active_q(), organization__in=list(organizers))
        .filter(person__in=hosts)
        .values_list("person_id", flat=True)
    )
    strangers = [host.public_name for host in hosts if host.pk not in members]
    if strangers:
        raise ValidationError(
            {
                "hosts": _(
                    "Not a member of the organizing organizations: %(names)s. The people who "
                    "run a workshop are chosen among their members."
                )
                % {"names": ", ".join(strangers)}
            }
        )
    return hosts


def _ics_attachment(message: EmailMessage, workshop: Workshop) -> EmailMessage:
    message.attach(
        f"{workshop.slug}.ics",
        ical.calendar([workshop], name=workshop.title),
        "text/calendar; charset=utf-8",
    )
    return message


def _confirmation(registration: Registration) -> EmailMessage:
    workshop = registration.workshop
    url = settings.SITE_URL + workshop.get_absolute_url()
    if registration.status == Registration.Status.CONFIRMED:
        subject = _("Your place at “%(title)s” is confirmed") % {"title": workshop.title}
        body = _("See you on %(when)s. %(url)s") % {
            "when": moment_format(workshop.starts_at, "SHORT_DATETIME_FORMAT"),
            "url": url,
        }
    else:
        subject = _("You are on the waiting list of “%(title)s”") % {"title": workshop.title}
        body = _("The workshop is full; you will be told if a place frees up. %(url)s") % {
            "url": url
        }
    message = EmailMessage(subject, body, to=[registration.email])
    if registration.status == Registration.Status.CONFIRMED:
        _ics_attachment(message, workshop)
    return message


def registration_create(
    *,
    workshop: Workshop,
    actor: Person | AnonymousUser,
    name: str = "",
    email: str = "",
    territory: Territory | None = None,
    **profile: str,
) -> Registration:
    """Register someone (with an account, or by name and email); past capacity, wait-list them.

    A full workshop is not an error: the registration goes on the waiting list. The workshop
    row is locked while places are counted, so two people never take the last place.
    One registration per email per workshop (a database constraint).
    """
    person = actor if actor.is_authenticated else None
    if person is not None:
        email, name = person.email, name or person.public_name
    email = email.strip().lower()
    errors: dict[str, str] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Give a valid email address.")
    if not name.strip():
        errors["name"] = _("Give a name.")
    for key in PROFILE_FIELDS:
        value = profile.get(key, "")
        choices = PROFILE_CHOICES[key].values
        if value and value not in choices:
            errors[key] = _("Choose one of: %(values)s.") % {"values": ", ".join(choices)}
    if errors:
        raise ValidationError(errors)
    if workshop.is_cancelled or workshop.starts_at <= timezone.now():
        raise ValidationError(_("Registrations are closed for this workshop."))
    try:
        with transaction.atomic():
            locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
            confirmed = locked.registrations.filter(status=Registration.Status.CONFIRMED).count()
            registration = Registration.objects.create(
                workshop=locked,
                person=person,
                name=name.strip()[:120],
                email=email,
                status=(
                    Registration.Status.CONFIRMED
                    if confirmed < locked.capacity
                    else Registration.Status.WAITING
                ),
                territory=territory,
                **{key: profile.get(key, "") for key in PROFILE_FIELDS},
            )
            send_on_commit([_confirmation(registration)])
    except IntegrityError:
        raise ValidationError(
            {"email": _("This email address is already registered for this workshop.")}
        ) from None
    return registration


@transaction.atomic
def registration_cancel(*, registration: Registration, actor: Person) -> Registration | None:
    """Cancel a registration (its person, or an organizer); promote the first one waiting.

    Return the promoted registration, if any; they are told by email after commit.
    """
    workshop = Workshop.objects.select_for_update().get(pk=registration.workshop_id)
    own = getattr(actor, "is_authenticated", False) and registration.person_id == actor.pk
    if not own:
        require(actor, "workshops.change_workshop", workshop)
    was_confirmed = registration.status == Registration.Status.CONFIRMED
    registration.status = Registration.Status.CANCELLED
    registration.save(update_fields=["status"])
    if not was_confirmed:
        return None
    promoted = (
        workshop.registrations.filter(status=Registration.Status.WAITING)
        .order_by("created_at", "id")
        .first()
    )
    if promoted is not None:
        promoted.status = Registration.Status.CONFIRMED
        promoted.save(update_fields=["status"])
        send_on_commit([_confirmation(promoted)])
    return promoted


def workshop_send_reminders(*, now: dt.datetime | None = None) -> int:
    """Email the confirmed registrants of workshops starting within 48 hours, once each.

    A scheduler calls it (hourly); return the number of emails queued (sent after commit).
    """
    now = now or timezone.now()
    count = 0
    due = Workshop.objects.filter(
        is_cancelled=False,
        reminder_sent_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + REMINDER_AHEAD,
    )
    for workshop in due:
        with transaction.atomic():
            # The conditional update claims the workshop: two schedulers never both send.
            if not Workshop.objects.filter(pk=workshop.pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            ):
                continue
            emails = list(
                workshop.registrations.filter(status=Registration.Status.CONFIRMED).values_list(
                    "email", flat=True
                )
            )
            subject = _("Reminder: “%(title)s” on %(when)s") % {
                "title": workshop.title,
                "when": moment_format(workshop.starts_at, "SHORT_DATETIME_FORMAT"),
            }
            body = "\n".join(
                [
                    workshop.place or workshop.video_url,
                    settings.SITE_URL + workshop.get_absolute_url(),
                ]
            )
            send_on_commit(
                [
                    _ics_attachment(EmailMessage(subject, body, to=[email]), workshop)
                    for email in emails
                ]
            )
            count += len(emails)
    return count


@transaction.atomic
def attendance_record(*, workshop: Workshop, actor: Person, present_ids: Iterable[int]) -> int:
    """Mark who came among the confirmed registrants, on the day or after; return how many."""
    require(actor, "workshops.take_attendance", workshop)
    if timezone.localdate() < timezone.localdate(workshop.starts_at):
        raise ValidationError(_("Attendance is taken on the day of the workshop."))
    present = set(present_ids)
    confirmed = workshop.registrations.filter(status=Registration.Status.CONFIRMED)
    unknown = present - set(confirmed.values_list("pk", flat=True))
    if unknown:
        raise ValidationError(
            _("Not confirmed registrations of this workshop: %(ids)s")
            % {"ids": ", ".join(map(str, sorted(unknown)))}
        )
    confirmed.filter(pk__in=present).update(attended=True)
    confirmed.exclude(pk__in=present).update(attended=False)
    audit_record(
        actor=actor,
        action="workshops.attendance",
        target=workshop,
        data={"present": len(present)},
    )
    return len(present)


WORKSHOP_EDITABLE = (
    "title",
    "theme",
    "method",
    "description",
    "place",
    "video_url",
    "starts_at",
    "ends_at",
    "capacity",
    "is_cancelled",
)


def _cancellation_notices(workshop: Workshop) -> list[EmailMessage]:
    """Tell everyone still registered (confirmed or waiting); calendars get STATUS:CANCELLED."""
    subject = _("Cancelled: “%(title)s”") % {"title": workshop.title}
    body = _("The workshop of %(when)s is cancelled. %(url)s") % {
        "when": moment_format(workshop.starts_at, "SHORT_DATETIME_FORMAT"),
        "url": settings.SITE_URL + workshop.get_absolute_url(),
    }
    recipients = workshop.registrations.exclude(status=Registration.Status.CANCELLED).values_list(
        "email", flat=True
    )
    return [
        _ics_attachment(message, workshop)
        for message in personal_messages(subject, body, recipients)
    ]


@transaction.atomic
def workshop_update(*, workshop: Workshop, actor: Person, **changes: Any) -> Workshop:
    """Change the time, place, link, capacity or cancel; calendars see a new SEQUENCE.

    A workshop that has already started cannot be cancelled (it took place); cancelling tells
    every registrant after commit, with the cancelled calendar event attached.
    """
    require(actor, "workshops.change_workshop", workshop)
    hosts = changes.pop("hosts", None)
    unknown = set(changes) - set(WORKSHOP_EDITABLE)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    if hosts is not None:
        workshop.hosts.set(_check_hosts(hosts, workshop.organizers.all()))
    was_cancelled = Workshop.objects.select_for_update().get(pk=workshop.pk).is_cancelled
    fields = [name for name in WORKSHOP_EDITABLE if name in changes]
    for name in fields:
        value = changes[name]
        if isinstance(value, str) and name != "description":
            value = value.strip()
        setattr(workshop, name, value)
    if not workshop.title or not workshop.theme or not workshop.method:
        raise ValidationError(_("A workshop keeps a title, a theme and a method."))
    _check(
        starts_at=workshop.starts_at,
        ends_at=workshop.ends_at,
        place=workshop.place,
        video_url=workshop.video_url,
        capacity=workshop.capacity,
    )
    cancelling = workshop.is_cancelled and not was_cancelled
    if cancelling and workshop.starts_at <= timezone.now():
        raise ValidationError(
            {"is_cancelled": _("This workshop has already taken place: it cannot be cancelled.")}
        )
    workshop.sequence = F("sequence") + 1
    workshop.save(update_fields=[*fields, "sequence", "updated_at"])
    workshop.refresh_from_db(fields=["sequence"])
    audit_record(
        actor=actor,
        action="workshops.workshop.cancel" if cancelling else "workshops.workshop.update",
        target=workshop,
        data={"fields": fields + (["hosts"] if hosts is not None else [])},
    )
    if cancelling:
        send_on_commit(_cancellation_notices(workshop))
    return workshop


@transaction.atomic
def workshop_duplicate(*, workshop: Workshop, actor: Person, starts_at: dt.datetime) -> Workshop:
    """Copy a workshop to another date, for a series: same texts, place, link, capacity and
    organizers, the same duration; registrations and outputs stay with the original.

    The copy is a new workshop of the same organizations: like any, a member of one of them
    makes it (a territory facilitator edits and cancels, but does not create for them).
    """
    require(actor, "workshops.change_workshop", workshop)
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("The new date is in the past.")})
    return workshop_create(
        actor=actor,
        title=workshop.title,
        theme=workshop.theme,
        method=workshop.method,
        description=workshop.description,
        territory=workshop.territory,
        place=workshop.place,
        video_url=workshop.video_url,
        starts_at=starts_at,
        ends_at=starts_at + (workshop.ends_at - workshop.starts_at),
        capacity=workshop.capacity,
        organizers=list(workshop.organizers.all()),
        hosts=list(workshop.hosts.all()),
    )


@transaction.atomic
def output_add(*, workshop: Workshop, actor: Person, kind: str, label: str, url: str) -> Output:
    """Link something the workshop produced (a contribution, a document, a decision…)."""
    require(actor, "workshops.change_workshop", workshop)
    if kind not in Output.Kind.values:
        raise ValidationError({"kind": _("Unknown kind.")})
    url = url.strip()
    # A page of this site is a path; "//host" and "/\\host" are other sites to a browser.
    if not url.startswith("/") or url.startswith(("//", "/\\")):
        try:
            URLValidator(schemes=["https", "http"])(url)
        except ValidationError:
            raise ValidationError(
                {"url": _("Give a web address or a page of this site.")}
            ) from None
    if not label.strip():
        raise ValidationError({"label": _("Give a label.")})
    return Output.objects.create(workshop=workshop, kind=kind, label=label.strip()[:200], url=url)


def person_erase(person: Any) -> None:
    """Blank the name and address of their registrations: no reminder or notice reaches them.

    Registrations stay (anonymous) so that a workshop's attendance and diversity figures hold.
    """
    theirs = Q(person=person)
    if person.verified_email:
        theirs |= Q(email__iexact=person.verified_email)
    for registration in Registration.objects.filter(theirs).only("pk"):
        Registration.objects.filter(pk=registration.pk).update(
            person=None, name="", email=f"erased-registration-{registration.pk}{ERASED_SUFFIX}"
        )
