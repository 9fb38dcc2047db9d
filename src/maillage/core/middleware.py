"""Security headers on every response, rate-limit errors turned into 429 answers, and URLs or
forms holding text no database can store refused with a 400."""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlparse

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from maillage.core.ratelimit import RateLimitExceeded
from maillage.core.storable import storable
from maillage.core.storage import (
    RETRY_AFTER_SECONDS,
    StorageUnavailable,
    media_origin,
    storage_unavailable_message,
)

logger = logging.getLogger(__name__)


def tile_source(url: str) -> str:
    """Return the CSP source that allows images from the tile URL ``url`` ("" for none).

    Leaflet fills ``{s}`` with a subdomain (a, b, c…), so a ``{s}`` host allows them all.
    """
    parsed = urlparse(url.replace("{s}", "*"))
    if not url or parsed.scheme not in {"http", "https"} or not parsed.netloc:
        return ""
    return f"{parsed.scheme}://{parsed.netloc}"


def _content_security_policy() -> str:
    source = tile_source(settings.MAP_TILE_URL)
    tile_origin = f" {source}" if source else ""
    # Photos redirected to signed URLs of the object store load from its origin.
    media = media_origin()
    if media:
        tile_origin += f" {media}"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            # Leaflet positions map panes with inline style attributes.
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self' data: blob:{tile_origin}",
            "connect-src 'self' ws: wss:",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeadersMiddleware:
    """Add CSP and Permissions-Policy to every response (pages, API, its docs, static files).

    Answer RateLimitExceeded with 429 and Retry-After.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csp = _content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault(
            "Permissions-Policy", "geolocation=(self), microphone=(self), camera=(self)"
        )
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OverflowError):
            # An id past 2^63 in a URL (SQLite cannot even bind it) names nothing that exists.
            raise Http404("no such id") from exception
        if isinstance(exception, StorageUnavailable):
            return storage_unavailable_response(request, exception)
        if not isinstance(exception, RateLimitExceeded):
            return None
        return rate_limited_response(request, exception)


def rate_limited_response(request: HttpRequest, error: RateLimitExceeded) -> HttpResponse:
    """Return a 429 naming when to retry, as JSON for the API and HTML for pages."""
    message = _("Too many attempts. Please try again in %(seconds)s seconds.") % {
        "seconds": error.retry_after
    }
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        response: HttpResponse = JsonResponse(
            {"detail": message, "retry_after": error.retry_after}, status=429
        )
    else:
        response = HttpResponse(
            render_to_string("429.html", {"message": message}, request=request), status=429
        )
    response["Retry-After"] = str(error.retry_after)
    return response


class UnstorableInputMiddleware:
    """Answer 400 to a URL, query string or form holding a NUL or a lone surrogate.

    No page or API has a use for them, and PostgreSQL refuses NUL in any query: left alone,
    ``?q=%00`` or a slug ``a%00b`` would reach a lookup and fail it with a 500. JSON bodies
    are checked by the API's parser, field by field (see ``maillage.api.api``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        message = _unstorable_part(request)
        if message is None:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=400)
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


def _unstorable_part(request: HttpRequest) -> str | None:
    """Return the message naming the part of ``request`` holding unstorable text, or None."""
    if not storable(request.path_info):
        return _(
            "The address holds a character that cannot be stored (a NUL or a lone "
            "surrogate): correct it and try again."
        )
    if any(not storable(k) or not all(storable(v) for v in vs) for k, vs in request.GET.lists()):
        return _(
            "The query string holds a character that cannot be stored (a NUL or a lone "
            "surrogate): correct it and try again."
        )
    form = request.method == "POST" and (
        request.content_type == "application/x-www-form-urlencoded"
    )
    if form and any(
        not storable(k) or not all(storable(v) for v in vs) for k, vs in request.POST.lists()
    ):
        return _(
            "The form holds a character that cannot be stored (a NUL or a lone surrogate): "
            "correct it and try again."
        )
    return None


def storage_unavailable_response(request: HttpRequest, error: StorageUnavailable) -> HttpResponse:
    """Return a 503 saying that files cannot be stored now; the log names the failure."""
    logger.warning("file store unavailable on %s: %s", request.path, error)
    message = storage_unavailable_message()
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        response: HttpResponse = JsonResponse(
            {"detail": message, "retry_after": RETRY_AFTER_SECONDS}, status=503
        )
    else:
        response = HttpResponse(
            render_to_string("503.html", {"message": message}, request=request), status=503
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
