"""Websockets: the session's user in the scope, the same-origin check, refusals, rate limits."""

from __future__ import annotations

import time
from importlib import import_module
from typing import Any
from urllib.parse import urlsplit

from channels.auth import get_user
from channels.sessions import CookieMiddleware
from django.conf import settings
from django.http.request import split_domain_port, validate_host

_DEFAULT_PORTS = {"http": 80, "https": 443}


class SessionUserMiddleware:
    """Put ``scope["session"]`` and ``scope["user"]`` from the session cookie.

    Channels' ``SessionMiddleware`` does the same, and also wraps ``send`` to save a modified
    session when a response starts or a websocket is accepted: every frame sent then pays
    that check (measured: a sixth of a worker's time while it fanned edits out to 250
    connections). No websocket here modifies the session, so ``send`` is passed through.
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.store = import_module(settings.SESSION_ENGINE).SessionStore

    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        key = scope["cookies"].get(settings.SESSION_COOKIE_NAME)
        scope = dict(scope, session=self.store(key))
        scope["user"] = await get_user(scope)
        return await self.inner(scope, receive, send)


def WebsocketAuthStack(inner: Any) -> Any:  # noqa: N802 - named like Channels' stacks
    """Cookies, then the session's user, then ``inner``."""
    return CookieMiddleware(SessionUserMiddleware(inner))


def _origin(url: str) -> tuple[str, str, int] | None:
    """Return (scheme, host, port) of an http(s) origin, the default port filled in."""
    try:
        parts = urlsplit(url.strip().lower())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname, port or _DEFAULT_PORTS[parts.scheme]


def _trusted(origin: tuple[str, str, int]) -> bool:
    """Return whether ``origin`` is SITE_URL's or one of CSRF_TRUSTED_ORIGINS (``*.`` allowed)."""
    scheme, host, port = origin
    for entry in [settings.SITE_URL, *settings.CSRF_TRUSTED_ORIGINS]:
        wildcard = "://*." in entry
        trusted = _origin(entry.replace("://*.", "://", 1))
        if trusted is None or trusted[0] != scheme or trusted[2] != port:
            continue
        if host == trusted[1] or (wildcard and host.endswith("." + trusted[1])):
            return True
    return False


def origin_allowed(scope: dict[str, Any]) -> bool:
    """Return whether the websocket's Origin is this site: same scheme, host AND port.

    The site is the address the browser connected to (its Host header, which must be one of
    ALLOWED_HOSTS, and the scheme: ``wss`` for HTTPS), SITE_URL, or an entry of
    CSRF_TRUSTED_ORIGINS. A page served by another port of the same host is another origin
    (another application, possibly hostile), as browsers themselves hold. No Origin: refused
    (browsers always send one; a script without one has no business here).
    """
    headers = dict(scope.get("headers", []))
    origin = _origin(headers.get(b"origin", b"").decode("latin-1"))
    if origin is None:
        return False
    if _trusted(origin):
        return True
    host = headers.get(b"host", b"").decode("latin-1").lower()
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    scheme = "https" if scope.get("scheme") in ("wss", "https") else "http"
    return origin == _origin(f"{scheme}://{host}")


async def refuse(scope: dict[str, Any], send: Any, code: int, reason: str) -> None:
    """Refuse a websocket before accepting it, saying why.

    A server with the ASGI ``websocket.http.response`` extension (uvicorn) answers HTTP 403
    with ``reason`` as its body, which a developer sees in the browser's network panel;
    otherwise the handshake is closed with ``code`` (``websocket.close`` before ``accept``
    is an HTTP 403 too).
    """
    if "websocket.http.response" in scope.get("extensions", {}):
        body = reason.encode()
        await send(
            {
                "type": "websocket.http.response.start",
                "status": 403,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "websocket.http.response.body", "body": body})
        return
    await send({"type": "websocket.close", "code": code, "reason": reason})


CLOSE_ORIGIN_REFUSED = 4403
ORIGIN_REFUSED_REASON = "origin refused: this websocket only serves pages of this site"


class SameOriginMiddleware:
    """Refuse every websocket whose Origin is not this site's (see ``origin_allowed``)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket" and not origin_allowed(scope):
            await receive()  # the connect message
            await refuse(scope, send, CLOSE_ORIGIN_REFUSED, ORIGIN_REFUSED_REASON)
            return None
        return await self.inner(scope, receive, send)


class TokenBucket:
    """A rate limit for one connection: ``rate`` tokens a second, at most ``burst`` saved.

    In memory, per connection: a frame costs one token, and checking costs a clock read, so
    it can run on every frame. (Limits shared across workers live in ``core.ratelimit``.)
    """

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.at = time.monotonic()

    def take(self, cost: float = 1.0) -> bool:
        """Return whether ``cost`` tokens were available (and take them)."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < cost:
            return False
        self.tokens -= cost
        return True
