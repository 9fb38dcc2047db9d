"""Writes on persons: registration and email verification, passwords, roles, API tokens,
GDPR export and erasure."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Replace
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from maillage.core import ratelimit
from maillage.core.capabilities import data_erasers, data_exporters
from maillage.core.mail import ERASED_SUFFIX, personal_messages, send_on_commit
from maillage.core.periods import active_q
from maillage.core.permissions import require
from maillage.core.services import audit_record
from maillage.core.websocket import person_access_changed
from maillage.people.models import (
    DELETED_NAME,
    ApiToken,
    ExternalIdentity,
    Person,
    StaffInvitation,
    TerritoryRole,
)
from maillage.people.oidc import Identity


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    """Single-use, expiring links proving that a person reads the address of their account.

    The hash covers the verification date and the address: once followed (or once the address
    changes) the link is dead; it expires after ``PASSWORD_RESET_TIMEOUT`` like a reset link.
    """

    key_salt = "maillage.people.email_verification"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        verified = user.email_verified_at.isoformat() if user.email_verified_at else ""
        return f"{user.pk}{user.email}{verified}{timestamp}{user.is_active}"


email_verification_token = EmailVerificationTokenGenerator()


def _email(template: str, context: dict[str, Any], to: str) -> None:
    subject = render_to_string(f"people/email/{template}_subject.txt", context).strip()
    body = render_to_string(f"people/email/{template}_body.txt", context)
    send_on_commit(personal_messages(subject, body, [to]))


def email_verification_url(person: Person) -> str:
    """Return the absolute, single-use link verifying ``person``'s address."""
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    token = email_verification_token.make_token(person)
    return settings.SITE_URL + reverse("people:verify_email", args=[uid, token])


def email_verification_send(*, person: Person) -> bool:
    """Mail ``person`` a verification link (at most a few per hour); return whether it left."""
    if person.email_verified_at or person.deleted_at:
        return False
    try:
        ratelimit.hit("verification_email", f"person:{person.pk}")
    except ratelimit.RateLimitExceeded:
        return False
    _email("verify", {"person": person, "url": email_verification_url(person)}, person.email)
    return True


@transaction.atomic
def person_register(*, email: str, password: str, display_name: str, pseudonym: str = "") -> None:
    """Start a registration: the answer never tells whether the address has an account.

    A new address gets an unverified account and a verification link; an address already
    registered gets a note telling its owner (only them) to sign in or reset the password.
    """
    email = email.strip().lower()
    existing = Person.objects.filter(email__iexact=email).first()
    if existing is not None:
        if existing.deleted_at is None:
            login = settings.SITE_URL + reverse("people:login")
            reset = settings.SITE_URL + reverse("people:password_reset")
            _email("already_registered", {"login": login, "reset": reset}, existing.email)
        return
    person = Person.objects.create_user(
        email,
        password,
        email_verified=False,
        display_name=display_name.strip(),
        pseudonym=pseudonym.strip(),
    )
    email_verification_send(person=person)


@transaction.atomic
def person_verify_email(*, person: Person, token: str) -> Person:
    """Mark ``person``'s address verified if ``token`` is their valid, unused link."""
    if person.email_verified_at is not None:
        raise ValidationError(_("This link was already used: your address is verified."))
    if not email_verification_token.check_token(person, token):
        raise ValidationError(_("This link has expired or is not valid: sign in to get a new one."))
    person.email_verified_at = timezone.now()
    person.save(update_fields=["email_verified_at"])
    audit_record(actor=person, action="person.verify_email", target=person)
    return person


@transaction.atomic
def person_set_password(
    *, person: Person, actor: Person, password: str, email_proven: bool = False
) -> Person:
    """Set a new password and revoke every API token (a leaked key dies with the old password).

    ``email_proven``: the person came through a link mailed to their address (reset,
    invitation), which verifies it.
    """
    require(actor, "people.set_password", person)
    person.set_password(password)
    fields = ["password"]
    if email_proven and person.email_verified_at is None:
        person.email_verified_at = timezone.now()
        fields.append("email_verified_at")
    person.save(update_fields=fields)
    revoked = person.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    # Sessions of the old password end; so do the websockets they opened (on commit).
    person_access_changed(person_id=person.pk)
    audit_record(
        actor=actor, action="person.set_password", target=person, data={"tokens_revoked": revoked}
    )
    return person


def person_update_profile(*, person: Person, actor: Person, **changes: Any) -> Person:
    """Update the editable profile fields of ``person``."""
    require(actor, "people.change_person", person)
    allowed = {"display_name", "pseudonym", "public_profile", "bio"}
    fields = [name for name in changes if name in allowed]
    for name in fields:
        setattr(person, name, changes[name])
    territories = {
        k: changes[k] for k in ("residence_territories", "work_territories") if k in changes
    }
    with transaction.atomic():
        if fields:
            person.save(update_fields=fields)
        for name, values in territories.items():
            getattr(person, name).set(values)
    return person


def person_export_data(*, person: Person, actor: Person) -> dict[str, Any]:
    """Return everything Maillage holds about ``person`` as JSON-serializable data."""
    require(actor, "people.export_data", person)
    data: dict[str, Any] = {
        "account": {
            "email": person.email,
            "display_name": person.display_name,
            "pseudonym": person.pseudonym,
            "public_profile": person.public_profile,
            "bio": person.bio,
            "date_joined": person.date_joined.isoformat(),
            "last_login": person.last_login.isoformat() if person.last_login else None,
            "residence_territories": list(
                person.residence_territories.values_list("name", flat=True)
            ),
            "work_territories": list(person.work_territories.values_list("name", flat=True)),
        },
        "territory_roles": [
            {
                "territory": r.territory.name,
                "role": r.role,
                "since": r.since.isoformat(),
                "until": r.until.isoformat() if r.until else None,
            }
            for r in person.territory_roles.select_related("territory")
        ],
        "api_tokens": [
            {"name": t.name, "prefix": t.prefix, "created_at": t.created_at.isoformat()}
            for t in person.api_tokens.all()
        ],
        "external_sign_ins": [
            {
                "provider": link.provider,
                "subject": link.subject,
                "email": link.email,
                "linked_at": link.created_at.isoformat(),
                "last_used_at": link.last_used_at.isoformat() if link.last_used_at else None,
            }
            for link in person.external_identities.all()
        ],
    }
    # Each app that holds personal data adds its section (see core.capabilities).
    for section, exporter in data_exporters():
        data[section] = exporter(person)
    return data


@transaction.atomic
def person_delete(*, person: Person, actor: Person) -> None:
    """Erase the account's personal data; contributions stay, shown as "deleted participant".

    The row is kept (anonymized) so that what the person co-wrote, proposed or voted keeps its
    integrity; everything that identifies them is overwritten. Each app erases its part first
    (see core.capabilities), while the account still has its verified address to match by.
    """
    require(actor, "people.delete_account", person)
    for _label, eraser in data_erasers():
        eraser(person)
    _admin_log_forget(person)
    staff_invitations_erase(person)
    person.email = f"deleted-{person.pk}-{secrets.token_hex(6)}{ERASED_SUFFIX}"
    person.display_name = ""
    person.pseudonym = ""
    person.bio = ""
    person.public_profile = False
    person.is_active = False
    person.is_staff = False
    person.is_superuser = False
    person.deleted_at = timezone.now()
    person.set_unusable_password()
    person.save()
    person.residence_territories.clear()
    person.work_territories.clear()
    person.api_tokens.all().delete()
    person.external_identities.all().delete()
    person.territory_roles.filter(active_q()).update(until=timezone.localdate())
    person_access_changed(person_id=person.pk)  # their open websockets close on commit
    audit_record(actor=None, action="person.delete", target=person)


def _admin_log_forget(person: Person) -> None:
    """Take the person's name and address out of the Django admin's history.

    The admin logs each change with the object's text ("Name — role — territory"), so the
    name is replaced wherever it appears there.
    """
    identifiers = {person.email, person.display_name, person.pseudonym}
    deleted = str(DELETED_NAME)
    for text in sorted((i for i in identifiers if len(i) >= 3), key=len, reverse=True):
        LogEntry.objects.filter(object_repr__contains=text).update(
            object_repr=Replace("object_repr", Value(text), Value(deleted))
        )
        LogEntry.objects.filter(change_message__contains=text).update(
            change_message=Replace("change_message", Value(text), Value(deleted))
        )


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


TOKEN_LIFETIMES_DAYS = (7, 30, 90, 365)


@transaction.atomic
def api_token_create(
    *,
    person: Person,
    actor: Person,
    name: str,
    scope: str = ApiToken.Scope.READ,
    days: int = 90,
) -> tuple[ApiToken, str]:
    """Create a token and return it with its clear key (shown once, never stored)."""
    require(actor, "people.create_token")
    if actor.pk != person.pk:
        require(actor, "people.change_person", person)
    errors = {}
    if not name.strip():
        errors["name"] = _("Give the token a name.")
    if scope not in ApiToken.Scope.values:
        errors["scope"] = _("A token either reads, or reads and writes.")
    if days not in TOKEN_LIFETIMES_DAYS:
        errors["days"] = _("A token lasts 7, 30, 90 or 365 days.")
    if errors:
        raise ValidationError(errors)
    key = "mlg_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        person=person,
        name=name.strip(),
        scope=scope,
        expires_at=timezone.now() + datetime.timedelta(days=days),
        prefix=key[:10],
        key_hash=_hash(key),
    )
    audit_record(actor=actor, action="api_token.create", target=token, data={"scope": scope})
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: Person) -> ApiToken:
    """Revoke ``token`` now; revoking it twice changes nothing."""
    require(actor, "people.change_person", token.person)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="api_token.revoke", target=token)
    return token


def api_token_authenticate(key: str) -> Person | None:
    """Return the active person owning the live token ``key``, or None.

    The person carries the token's scope as ``api_token_scope`` for the API to enforce.
    """
    if not key or not key.startswith("mlg_"):
        return None
    token = (
        ApiToken.objects.select_related("person")
        .filter(
            key_hash=_hash(key),
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            person__is_active=True,
        )
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    person = token.person
    person.api_token_scope = token.scope  # type: ignore[attr-defined]
    return person


@transaction.atomic
def territory_role_grant(
    *, person: Person, territory: Any, role: str, actor: Person
) -> TerritoryRole:
    """Give ``person`` a role on ``territory``; the actor must administer the territory."""
    require(actor, "people.grant_territory_role", territory)
    grant, _ = TerritoryRole.objects.get_or_create(
        person=person, territory=territory, role=role, until__isnull=True
    )
    audit_record(actor=actor, action="territory_role.grant", target=grant, data={"role": role})
    return grant


@transaction.atomic
def territory_role_end(*, grant: TerritoryRole, actor: Person) -> TerritoryRole:
    """End a role today; the history is kept. A territory never loses its last admin."""
    require(actor, "people.grant_territory_role", grant.territory)
    if grant.until is not None:
        raise ValidationError(_("This role has already ended."))
    if grant.role == TerritoryRole.Role.ADMIN:
        # Lock the territory's admin rows: two admins ending each other's role at once would
        # otherwise both see one other admin left.
        admins = list(
            TerritoryRole.objects.select_for_update()
            .filter(territory=grant.territory, role=TerritoryRole.Role.ADMIN, until__isnull=True)
            .values_list("pk", flat=True)
        )
        if admins == [grant.pk]:
            raise ValidationError(
                _("This is the territory's last admin: invite another admin before ending it.")
            )
    grant.until = timezone.localdate()
    grant.save(update_fields=["until"])
    audit_record(actor=actor, action="territory_role.end", target=grant)
    return grant


STAFF_INVITATION_DAYS = 7


@transaction.atomic
def staff_invite(*, actor: Person, territory: Any, email: str, role: str) -> StaffInvitation:
    """Invite ``email`` to hold ``role`` on ``territory``; the link is mailed after commit."""
    require(actor, "people.grant_territory_role", territory)
    errors: dict[str, str] = {}
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Give a valid email address.")
    if role not in TerritoryRole.Role.values:
        errors["role"] = _("Choose a territory admin, a facilitator or a field agent.")
    if errors:
        raise ValidationError(errors)
    holds = TerritoryRole.objects.filter(
        person__email__iexact=email, territory=territory, role=role
    ).filter(active_q())
    if holds.exists():
        raise ValidationError(
            {"email": _("This address already holds this role on this territory.")}
        )
    key = secrets.token_urlsafe(32)
    invitation = StaffInvitation.objects.create(
        email=email,
        territory=territory,
        role=role,
        invited_by=actor,
        key_hash=_hash(key),
        expires_at=timezone.now() + datetime.timedelta(days=STAFF_INVITATION_DAYS),
    )
    url = settings.SITE_URL + reverse("people:invitation", args=[key])
    context = {
        "invitation": invitation,
        "role": invitation.get_role_display(),
        "inviter": actor.public_name,
        "url": url,
        "days": STAFF_INVITATION_DAYS,
    }
    _email("staff_invitation", context, email)
    audit_record(actor=actor, action="staff.invite", target=invitation, data={"role": role})
    return invitation


def staff_invitation_for_key(key: str) -> StaffInvitation:
    """Return the live invitation of ``key``; raise ValidationError saying why it is not."""
    invitation = (
        StaffInvitation.objects.select_related("territory").filter(key_hash=_hash(key)).first()
    )
    if invitation is None:
        raise ValidationError(_("This invitation link is not valid."))
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation was already used: sign in."))
    if invitation.expires_at <= timezone.now():
        raise ValidationError(
            _("This invitation has expired: ask the territory admin for a new one.")
        )
    return invitation


@transaction.atomic
def staff_invitation_accept(
    *, key: str, password: str, display_name: str = ""
) -> tuple[Person, TerritoryRole]:
    """Accept an invitation: the address is proven, the password set, the role granted.

    Whoever follows the link reads the invited mailbox, as with a password reset: an existing
    account of that address gets the new password; otherwise the account is created.
    """
    invitation = staff_invitation_for_key(key)
    # Claim the invitation first: a link followed twice at once grants once.
    if not StaffInvitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        accepted_at=timezone.now()
    ):
        raise ValidationError(_("This invitation was already used: sign in."))
    person = Person.objects.filter(email__iexact=invitation.email).first()
    if person is None:
        if not display_name.strip():
            raise ValidationError({"display_name": _("Give your name.")})
        person = Person.objects.create_user(
            invitation.email, None, display_name=display_name.strip()
        )
    elif person.deleted_at is not None:
        raise ValidationError(_("This invitation link is not valid."))
    person_set_password(person=person, actor=person, password=password, email_proven=True)
    grant, _created = TerritoryRole.objects.get_or_create(
        person=person, territory=invitation.territory, role=invitation.role, until__isnull=True
    )
    audit_record(actor=person, action="staff.accept", target=grant, data={"role": grant.role})
    return person, grant


def staff_invitations_erase(person: Person) -> None:
    """Delete the invitations sent to the person's address (it is personal data)."""
    StaffInvitation.objects.filter(email__iexact=person.email).delete()


class ExternalSignIn:
    """What a provider's sign-in leads to (see ``external_sign_in``)."""

    SIGNED_IN = "signed_in"  # a linked account, or one just created
    CONFIRM = "confirm"  # an account holds this address: its owner must confirm the link


@transaction.atomic
def external_sign_in(*, identity: Identity) -> tuple[str, Person]:
    """Return the account a provider's identity signs in to, creating it the first time.

    An account already linked to (provider, subject) signs in. Otherwise the address decides,
    and only when it is verified (by FranceConnect/ProConnect, or ``email_verified``): a new
    address gets a new account (no password; roles are never read from the provider); an
    address that has an account needs its owner's confirmation (``CONFIRM``) before linking.
    """
    link = (
        ExternalIdentity.objects.select_related("person")
        .filter(provider=identity.provider, subject=identity.subject)
        .first()
    )
    if link is not None:
        if not link.person.is_active or link.person.deleted_at:
            raise ValidationError(_("This account is closed."))
        link.last_used_at = timezone.now()
        link.save(update_fields=["last_used_at"])
        return ExternalSignIn.SIGNED_IN, link.person
    if not identity.email_verified:
        raise ValidationError(
            _(
                "The provider has not verified your email address, so Maillage can neither "
                "create an account nor link one with it. Verify it with the provider, or sign "
                "in with your password."
            )
        )
    existing = Person.objects.filter(email__iexact=identity.email).first()
    if existing is not None:
        if not existing.is_active or existing.deleted_at:
            raise ValidationError(_("This account is closed."))
        if existing.email_verified_at is None:
            raise ValidationError(
                _(
                    "An account with this address exists but its address is not verified yet: "
                    "follow the link mailed to it (or reset its password), sign in, then link "
                    "this provider from your account page."
                )
            )
        return ExternalSignIn.CONFIRM, existing
    person = Person.objects.create_user(identity.email, None, display_name=identity.display_name)
    try:
        with transaction.atomic():
            link = ExternalIdentity.objects.create(
                person=person,
                provider=identity.provider,
                subject=identity.subject,
                email=identity.email,
                last_used_at=timezone.now(),
            )
    except IntegrityError as error:  # the same sign-in finished twice at once
        raise ValidationError(_("This sign-in was already used: start again.")) from error
    audit_record(
        actor=person,
        action="person.create_external",
        target=person,
        data={"provider": identity.provider},
    )
    return ExternalSignIn.SIGNED_IN, person


@transaction.atomic
def external_identity_link(
    *, person: Person, actor: Person, identity: Identity
) -> ExternalIdentity:
    """Link a provider's identity to ``person``, who confirmed it (signed in or by password)."""
    require(actor, "people.change_person", person)
    current = ExternalIdentity.objects.filter(
        provider=identity.provider, subject=identity.subject
    ).first()
    if current is not None:
        if current.person_id == person.pk:
            return current
        raise ValidationError(
            _("This sign-in is already linked to another account: unlink it there first.")
        )
    link = ExternalIdentity.objects.create(
        person=person,
        provider=identity.provider,
        subject=identity.subject,
        email=identity.email,
        last_used_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="external_identity.link",
        target=link,
        data={"provider": identity.provider},
    )
    return link


@transaction.atomic
def external_identity_unlink(*, link: ExternalIdentity, actor: Person) -> None:
    """Remove a link; never the last way in of an account without a password."""
    require(actor, "people.change_person", link.person)
    person = Person.objects.select_for_update().get(pk=link.person_id)
    others = person.external_identities.exclude(pk=link.pk).count()
    if not person.has_usable_password() and others == 0:
        raise ValidationError(
            _(
                "This is your only way to sign in: set a password (through “Forgot your "
                "password?”) before removing it."
            )
        )
    audit_record(
        actor=actor,
        action="external_identity.unlink",
        target=link,
        data={"provider": link.provider},
    )
    link.delete()
