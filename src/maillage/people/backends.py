"""Log in with an email address, case-insensitively."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from maillage.people.models import Person


class EmailBackend(ModelBackend):
    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ):
        email = (username or kwargs.get("email") or "").strip().lower()
        if not email or password is None:
            return None
        person = Person.objects.filter(email__iexact=email).first()
        if person is None:
            Person().set_password(password)  # same work as a real check: no timing oracle
            return None
        if person.check_password(password) and self.user_can_authenticate(person):
            return person
        return None
