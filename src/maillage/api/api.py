"""The REST API: one NinjaAPI; each app owns a router and declares it in its AppConfig.

django-ninja was chosen over DRF + drf-spectacular: the OpenAPI 3 schema comes from the same
type hints that validate input, with less ceremony per endpoint.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.parser import Parser

from maillage.core.capabilities import api_routers
from maillage.core.middleware import storage_unavailable_response
from maillage.core.ratelimit import RateLimitExceeded
from maillage.core.storable import UnstorableText, unstorable_field
from maillage.core.storage import StorageUnavailable


class StorableJsonParser(Parser):
    """Parse JSON bodies, refusing text no database can store before it reaches a query."""

    def parse_body(self, request: HttpRequest) -> dict:
        data = super().parse_body(request)
        field = unstorable_field(data)
        if field is not None:
            raise UnstorableText(field)
        return data


api = NinjaAPI(
    title="Maillage API",
    version="1.0",
    description=(
        "Public data of cooperative territories, and the writes of each capability. "
        "Reads of public data need no authentication; writes take a personal token "
        "(`Authorization: Bearer …`) or the browser session."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    parser=StorableJsonParser(),
)


def _validation_message(error: ValidationError) -> object:
    if hasattr(error, "message_dict"):
        return {field: [str(m) for m in msgs] for field, msgs in error.message_dict.items()}
    return [str(m) for m in error.messages]


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": _validation_message(error)}, status=422)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    # django-ninja turns every error of the body parser into "Cannot parse request body":
    # unstorable text gets its own message, naming the field.
    cause = error.__cause__
    detail = str(cause) if isinstance(cause, UnstorableText) else str(error)
    return api.create_response(request, {"detail": detail}, status=error.status_code)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": "You do not have permission to do this.", "permission": str(error)},
        status=403,
    )


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Authentication required: a Bearer token or a session."}, status=401
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(error) or "Not found."}, status=404)


@api.exception_handler(OverflowError)
def on_id_out_of_range(request: HttpRequest, error: OverflowError) -> HttpResponse:
    # An id past 2^63 (SQLite cannot even bind it) names nothing that exists.
    return api.create_response(request, {"detail": "Not found: no such id."}, status=404)


@api.exception_handler(RateLimitExceeded)
def on_rate_limited(request: HttpRequest, error: RateLimitExceeded) -> HttpResponse:
    response = api.create_response(
        request,
        {
            "detail": f"Too many requests: retry in {error.retry_after} s.",
            "retry_after": error.retry_after,
        },
        status=429,
    )
    response["Retry-After"] = str(error.retry_after)
    return response


@api.exception_handler(StorageUnavailable)
def on_storage_unavailable(request: HttpRequest, error: StorageUnavailable) -> HttpResponse:
    return storage_unavailable_response(request, error)


# Each app's router, as its AppConfig declares it (see core.capabilities).
for prefix, router in api_routers():
    api.add_router(prefix, router)
