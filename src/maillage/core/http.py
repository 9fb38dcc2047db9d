"""Request types for views and endpoints that only a signed-in person reaches."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    # django-stubs' plugin reads `_User` as settings.AUTH_USER_MODEL (people.Person), so core
    # names the account type without importing the layer above it.
    from django.contrib.auth.models import _User


class AuthenticatedRequest(HttpRequest):
    """An HttpRequest whose user is signed in: for views behind ``login_required`` and API
    endpoints behind ``auth=AUTHENTICATED`` (only typing differs; Django builds the request)."""

    user: _User
