"""Notification emails, sent the one way every capability shares.

- After the commit: a rolled-back write tells nobody anything.
- One message per address: recipients never see each other's email.
- Addresses ending in ``@invalid`` (erased accounts, see ``people.services``) get nothing.
- A mail server that fails does not turn a saved write into an error page: the write has been
  committed and cannot be undone, so the failure is logged (how many messages, never to whom) and
  the request goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.mail import EmailMessage, get_connection
from django.db import transaction

logger = logging.getLogger("maillage.mail")

# Erasing an account (``people.services.person_delete``) replaces its email by an address in
# this reserved domain (RFC 2606): nothing is ever sent there.
ERASED_SUFFIX = "@invalid"


def is_erased(address: str) -> bool:
    return address.strip().lower().endswith(ERASED_SUFFIX)


def personal_messages(subject: str, body: str, recipients: Iterable[str]) -> list[EmailMessage]:
    """Return one message per distinct, deliverable address, in the order given."""
    seen: set[str] = set()
    messages = []
    for email in recipients:
        key = (email or "").strip().lower()
        if not key or is_erased(key) or key in seen:
            continue
        seen.add(key)
        messages.append(EmailMessage(subject, body, to=[email.strip()]))
    return messages


def send_now(messages: list[EmailMessage]) -> int:
    """Send the messages over one connection; return how many left (failures are logged)."""
    messages = [m for m in messages if not any(is_erased(to) for to in m.to)]
    if not messages:
        return 0
    try:
        return int(get_connection().send_messages(messages) or 0)
    except Exception as error:  # noqa: BLE001 — SMTP, DNS and socket errors all end here
        logger.warning("mail: %d message(s) not sent: %s", len(messages), error.__class__.__name__)
        return 0


def send_on_commit(messages: list[EmailMessage]) -> None:
    """Send the messages once the current transaction commits (at once outside one)."""
    if messages:
        transaction.on_commit(lambda: send_now(messages))
