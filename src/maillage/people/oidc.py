"""Sign-in through OpenID Connect providers (FranceConnect, ProConnect, a city's Keycloak…).

Authlib does the protocol: discovery, state and nonce kept in the session, PKCE, the code
exchange, the ID token's signature (provider's JWKS), issuer, audience, expiry and nonce. This
module only picks the providers from settings, asks FranceConnect for ``acr_values=eidas1`` and
checks it comes back, reads the signed userinfo FranceConnect and ProConnect answer with (a JWT,
verified with joserfc and the provider's keys), and turns every failure into a message a person
understands.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

# Providers that only hand out addresses they have verified: FranceConnect's identity
# providers (tax, health insurance, La Poste…) and ProConnect's (the agent's administration)
# hold the address of the account. Any other provider must say ``email_verified: true``.
EMAIL_VERIFYING_KINDS = ("franceconnect", "proconnect")
# FranceConnect's levels of assurance (eIDAS); Maillage asks for the lowest.
FRANCECONNECT_ACR = ("eidas1", "eidas2", "eidas3")


@dataclass(frozen=True)
class Provider:
    slug: str
    kind: str  # "franceconnect", "proconnect" or "oidc"
    name: str
    discovery_url: str
    client_id: str
    client_secret: str
    scopes: str

    @property
    def verifies_email(self) -> bool:
        return self.kind in EMAIL_VERIFYING_KINDS


@dataclass(frozen=True)
class Identity:
    """What a provider vouched for, after every check."""

    provider: str
    subject: str
    email: str
    email_verified: bool
    display_name: str
    id_token: str


class SignInError(Exception):
    """A sign-in that did not go through; ``message`` is for the person, ``status`` for HTTP."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def providers() -> list[Provider]:
    return [Provider(**p) for p in getattr(settings, "OIDC_PROVIDERS", [])]


def provider(slug: str) -> Provider | None:
    return next((p for p in providers() if p.slug == slug), None)


@functools.lru_cache(maxsize=32)
def _client(p: Provider, timeout: int) -> DjangoOAuth2App:
    """One Authlib client per provider and process: its discovery document and keys are kept."""
    client_kwargs: dict[str, Any] = {"scope": p.scopes, "default_timeout": timeout}
    if p.kind == "oidc":
        client_kwargs["code_challenge_method"] = "S256"  # Keycloak and the like support PKCE
    return OAuth().register(
        p.slug,
        client_id=p.client_id,
        client_secret=p.client_secret,
        server_metadata_url=p.discovery_url,
        client_kwargs=client_kwargs,
    )


def client(p: Provider) -> DjangoOAuth2App:
    return _client(p, settings.OIDC_TIMEOUT)


def _down(p: Provider) -> SignInError:
    return SignInError(
        _(
            "%(provider)s does not answer at the moment. Try again later, or sign in with "
            "your email address and password."
        )
        % {"provider": p.name},
        status=503,
    )


def callback_url(p: Provider) -> str:
    return settings.SITE_URL + reverse("people:oidc_callback", args=[p.slug])


def logout_return_url(p: Provider) -> str:
    return settings.SITE_URL + reverse("people:oidc_logged_out", args=[p.slug])


def authorize_redirect(request: HttpRequest, p: Provider) -> HttpResponse:
    """Send the person to the provider; raise SignInError when it does not answer."""
    # Long state and nonce (FranceConnect sets a minimum length; 32 suits every provider).
    extra = {"state": generate_token(32), "nonce": generate_token(32)}
    if p.kind == "franceconnect":
        extra["acr_values"] = "eidas1"
    try:
        return client(p).authorize_redirect(request, callback_url(p), **extra)
    except (requests.RequestException, ValueError, RuntimeError) as error:
        # ValueError: a discovery document that is not JSON; RuntimeError: no endpoint in it.
        raise _down(p) from error


def _claims_options(p: Provider, metadata: dict[str, Any]) -> dict[str, Any]:
    options: dict[str, Any] = {"iss": {"essential": True, "values": [metadata.get("issuer")]}}
    if p.kind == "franceconnect":
        options["acr"] = {"essential": True, "values": list(FRANCECONNECT_ACR)}
    return options


def _userinfo(p: Provider, token: dict[str, Any], metadata: dict[str, Any]) -> dict[str, Any]:
    """Return the userinfo claims, plain JSON or a JWT signed with the provider's keys."""
    oauth = client(p)
    response = oauth.get(metadata["userinfo_endpoint"], token=token)
    response.raise_for_status()
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    if content_type != "application/jwt":
        return dict(response.json())
    keys = KeySet.import_key_set(oauth.fetch_jwk_set())
    algorithms = metadata.get("userinfo_signing_alg_values_supported") or metadata.get(
        "id_token_signing_alg_values_supported"
    )
    decoded = jwt.decode(response.text, keys, algorithms=algorithms)
    jwt.JWTClaimsRegistry(
        iss={"value": str(metadata.get("issuer"))}, aud={"value": p.client_id}
    ).validate(decoded.claims)
    return dict(decoded.claims)


def _display_name(claims: dict[str, Any], email: str) -> str:
    given = str(claims.get("given_name") or "").strip()
    family = str(claims.get("usual_name") or claims.get("family_name") or "").strip()
    name = " ".join(part for part in (given, family) if part)
    name = name or str(claims.get("name") or claims.get("preferred_username") or "").strip()
    return (name or email.partition("@")[0])[:120]


def complete(request: HttpRequest, p: Provider) -> Identity:
    """Finish the provider's callback: every check, or SignInError saying what went wrong."""
    oauth = client(p)
    try:
        metadata = oauth.load_server_metadata()
        token = oauth.authorize_access_token(request, claims_options=_claims_options(p, metadata))
        claims = token.get("userinfo")
        if not claims or not token.get("id_token"):
            raise SignInError(_("%(provider)s sent no identity token.") % {"provider": p.name})
        claims = dict(claims)
        if metadata.get("userinfo_endpoint"):
            info = _userinfo(p, token, metadata)
            if info.get("sub") != claims.get("sub"):
                raise SignInError(
                    _("%(provider)s's answers do not match: start again.") % {"provider": p.name}
                )
            claims = {**info, **claims}  # the ID token's checked claims win
    except MismatchingStateError as error:
        raise SignInError(
            _("This sign-in was not started here or has expired: start again.")
        ) from error
    except OAuthError as error:
        # The provider refused: a code used twice or too late, a cancelled sign-in…
        raise SignInError(
            _("%(provider)s refused the sign-in (%(reason)s): start again.")
            % {"provider": p.name, "reason": error.error}
        ) from error
    except JoseError as error:
        # Bad signature, another issuer or audience, expired token, missing or wrong nonce.
        raise SignInError(
            _("%(provider)s's answer could not be verified (%(reason)s): start again.")
            % {"provider": p.name, "reason": error.description or error.error}
        ) from error
    except (requests.RequestException, ValueError) as error:
        raise _down(p) from error
    email = str(claims.get("email") or "").strip().lower()
    if not email or "@" not in email:
        raise SignInError(
            _("%(provider)s did not give an email address: Maillage needs one to sign you in.")
            % {"provider": p.name}
        )
    return Identity(
        provider=p.slug,
        subject=str(claims["sub"]),
        email=email,
        email_verified=p.verifies_email or claims.get("email_verified") is True,
        display_name=_display_name(claims, email),
        id_token=token["id_token"],
    )


def logout_redirect(request: HttpRequest, p: Provider, id_token: str) -> HttpResponse | None:
    """Redirect to the provider's end-session endpoint, or None when it has none or is down."""
    try:
        return client(p).logout_redirect(
            request, post_logout_redirect_uri=logout_return_url(p), id_token_hint=id_token
        )
    except (requests.RequestException, ValueError, RuntimeError):
        return None


def logout_complete(request: HttpRequest, p: Provider) -> bool:
    """Check the provider's return from its end-session endpoint (its ``state``)."""
    try:
        client(p).validate_logout_response(request)
    except OAuthError:
        return False
    return True
