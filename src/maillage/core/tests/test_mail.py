"""Notification emails: one per address, after the commit, and a failing server loses no write."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from maillage.core.mail import personal_messages, send_now, send_on_commit


class BrokenBackend(BaseEmailBackend):
    """A mail server that refuses every connection."""

    def send_messages(self, email_messages: Any) -> int:
        raise ConnectionRefusedError("mail server down")


def test_each_address_gets_its_own_message_once_and_erased_accounts_get_none() -> None:
    messages = personal_messages(
        "Sujet",
        "Corps",
        ["a@example.org", "", "B@example.org", "a@example.org", "deleted-7-ab@invalid", " c@x.fr "],
    )
    assert [m.to for m in messages] == [["a@example.org"], ["B@example.org"], ["c@x.fr"]]
    assert {m.subject for m in messages} == {"Sujet"}


@pytest.mark.django_db(transaction=True)
def test_messages_leave_after_the_commit_and_never_after_a_rollback(mailoutbox: Any) -> None:
    with transaction.atomic():
        send_on_commit(personal_messages("Oui", "…", ["a@example.org"]))
        assert not mailoutbox
    assert [m.subject for m in mailoutbox] == ["Oui"]
    with pytest.raises(RuntimeError), transaction.atomic():
        send_on_commit(personal_messages("Non", "…", ["b@example.org"]))
        raise RuntimeError("the write fails")
    assert [m.subject for m in mailoutbox] == ["Oui"]


def test_a_failing_mail_server_is_logged_without_addresses_and_raises_nothing(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.BrokenBackend"
    with caplog.at_level(logging.WARNING, logger="maillage.mail"):
        sent = send_now(personal_messages("Sujet", "Corps", ["a@example.org", "b@example.org"]))
    assert sent == 0
    assert "2 message(s) not sent: ConnectionRefusedError" in caplog.text
    assert "example.org" not in caplog.text
