"""Log in with an email address, case-insensitively; scripts authenticate with an API token."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend, ModelBackend

from maillage.core import ratelimit
from maillage.people.models import ExternalIdentity, Person
from maillage.people.services import api_token_authenticate


class EmailBackend(ModelBackend):
    """Every password check passes here (site and admin sign-in alike), hence the limits.

    Attempts are counted per account and per client address before the password is checked:
    past either limit even the right password is refused (RateLimitExceeded becomes a 429).
    """

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ):
        email = (username or kwargs.get("email") or "").strip().lower()
        if not email or password is None:
            return None
        if request is not None:
            ratelimit.hit("login_ip", ratelimit.client_ip(request))
        ratelimit.hit("login", email)
        person = Person.objects.filter(email__iexact=email).first()
        if person is None:
            Person().set_password(password)  # same work as a real check: no timing oracle
            return None
        if person.check_password(password) and self.user_can_authenticate(person):
            return person
        return None


class ApiTokenBackend(BaseBackend):
    """Authenticate ``authenticate(request, api_token=…)``: the person owning an active token."""

    def authenticate(self, request: Any, api_token: str | None = None, **kwargs: Any):
        if api_token is None:
            return None
        return api_token_authenticate(api_token)


class ExternalIdentityBackend(ModelBackend):
    """Sign in the person an OpenID Connect link points to, once the provider's answer is checked.

    ``people.oidc`` verifies the answer (Authlib); this backend only maps the link to its active
    account, so that the session records how the person signed in.
    """

    def authenticate(  # type: ignore[override]
        self, request: Any, external_identity: Any = None, **kwargs: Any
    ):
        if not isinstance(external_identity, ExternalIdentity):
            return None
        person = external_identity.person
        return person if self.user_can_authenticate(person) and not person.deleted_at else None
