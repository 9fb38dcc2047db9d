"""ASGI middleware for websockets: the session's user in the scope, ``send`` untouched."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from channels.auth import get_user
from channels.sessions import CookieMiddleware
from django.conf import settings


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
