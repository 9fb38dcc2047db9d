"""Writes on persons: registration, roles, API tokens, GDPR export and erasure."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from maillage.core.capabilities import data_erasers, data_exporters
from maillage.core.mail import ERASED_SUFFIX
from maillage.core.periods import active_q
from maillage.core.permissions import require
from maillage.core.services import audit_record
from maillage.core.websocket import person_access_changed
from maillage.people.models import ApiToken, Person, TerritoryRole


@transaction.atomic
def person_register(*, email: str, password: str, display_name: str, pseudonym: str = "") -> Person:
    """Create an account; the email must be new (case-insensitive)."""
    email = email.strip().lower()
    if Person.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "an account already uses this email address"})
    return Person.objects.create_user(
        email, password, display_name=display_name.strip(), pseudonym=pseudonym.strip()
    )


def person_update_profile(*, person: Person, actor: Any, **changes: Any) -> Person:
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


def person_export_data(*, person: Person, actor: Any) -> dict[str, Any]:
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
    }
    # Each app that holds personal data adds its section (see core.capabilities).
    for section, exporter in data_exporters():
        data[section] = exporter(person)
    return data


@transaction.atomic
def person_delete(*, person: Person, actor: Any) -> None:
    """Erase the account's personal data; contributions stay, shown as "deleted participant".

    The row is kept (anonymized) so that what the person co-wrote, proposed or voted keeps its
    integrity; everything that identifies them is overwritten.
    """
    require(actor, "people.delete_account", person)
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
    person.territory_roles.filter(active_q()).update(until=timezone.localdate())
    # Each app that holds personal data erases its part (see core.capabilities).
    for _, eraser in data_erasers():
        eraser(person)
    person_access_changed(person_id=person.pk)  # their open websockets close on commit
    audit_record(actor=None, action="person.delete", target=person)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, person: Person, actor: Any, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its clear key (shown once, never stored)."""
    require(actor, "people.create_token")
    if actor.pk != person.pk:
        require(actor, "people.change_person", person)
    key = "mlg_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(person=person, name=name, prefix=key[:10], key_hash=_hash(key))
    audit_record(actor=actor, action="api_token.create", target=token)
    return token, key


def api_token_authenticate(key: str) -> Person | None:
    """Return the active person owning ``key``, or None."""
    if not key or not key.startswith("mlg_"):
        return None
    token = (
        ApiToken.objects.select_related("person")
        .filter(key_hash=_hash(key), revoked_at__isnull=True, person__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.person


@transaction.atomic
def territory_role_grant(*, person: Person, territory: Any, role: str, actor: Any) -> TerritoryRole:
    """Give ``person`` a role on ``territory``; the actor must administer the territory."""
    require(actor, "people.grant_territory_role", territory)
    grant, _ = TerritoryRole.objects.get_or_create(
        person=person, territory=territory, role=role, until__isnull=True
    )
    audit_record(actor=actor, action="territory_role.grant", target=grant, data={"role": role})
    return grant


@transaction.atomic
def territory_role_end(*, grant: TerritoryRole, actor: Any) -> TerritoryRole:
    """End a role today; the history is kept."""
    require(actor, "people.grant_territory_role", grant.territory)
    grant.until = timezone.localdate()
    grant.save(update_fields=["until"])
    audit_record(actor=actor, action="territory_role.end", target=grant)
    return grant
