"""API authentication: a bearer token for scripts, or the browser session (with CSRF).

A token is checked by the authentication backends (``people.backends.ApiTokenBackend`` knows
the tokens), so that every app's API can require authentication without importing people.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class TokenAuth(HttpBearer):
    openapi_description = (
        "Personal API token (create one on your account page): `Authorization: Bearer mlg_…`. "
        "A token expires; a read token answers 403 to any write."
    )

    def authenticate(self, request: Any, token: str) -> Any:
        person = authenticate(request, api_token=token)
        if person is None:
            return None
        if getattr(person, "api_token_scope", "read") != "write" and (
            request.method not in SAFE_METHODS
        ):
            raise HttpError(403, _("This API token can only read: create a read-and-write one."))
        request.user = person
        return person


# Every endpoint that writes accepts either; reads of public data need neither.
AUTHENTICATED = [TokenAuth(), SessionAuth(csrf=True)]


def _anonymous_without_token(request: Any) -> Any:
    """Let a request without credentials through as the visitor it is; a bad token stays 401."""
    if request.headers.get("Authorization"):
        return None
    return request.user


# Reads whose answer depends on who asks: the visitor sees public data, a member also theirs.
OPTIONAL = [TokenAuth(), SessionAuth(csrf=True), _anonymous_without_token]
