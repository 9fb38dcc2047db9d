"""The open-data page, downloads and the DCAT-AP catalogue."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from maillage.core.exports import CONTENT_TYPES, stream
from maillage.core.opendata import UnknownDataset, datasets, get_dataset
from maillage.opendata.catalog import SERIALIZATIONS, dcat_catalog, serialize


def _unknown(error: UnknownDataset) -> JsonResponse:
    """Answer 404 with the message and the valid dataset names and formats."""
    valid = {d.name: list(d.formats) for d in datasets()}
    return JsonResponse({"detail": str(error), "datasets": valid}, status=404)


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "opendata/index.html", {"datasets": datasets()})


async def _pulled_from_thread(chunks: Iterator[str]) -> AsyncIterator[str]:
    """Yield ``chunks`` to the ASGI server, each pulled in the request's own sync thread.

    Given a synchronous iterator, Django's ASGI handler reads it whole into memory before
    sending a byte; this async wrapper keeps a million-row export streamed chunk by chunk.
    """
    pull = sync_to_async(lambda: next(chunks, None), thread_sensitive=True)
    while (chunk := await pull()) is not None:
        yield chunk


def download(request: HttpRequest, name: str, fmt: str) -> HttpResponse | StreamingHttpResponse:
    try:
        dataset = get_dataset(name, fmt)
    except UnknownDataset as error:
        return _unknown(error)
    chunks = stream(dataset, fmt)
    content = _pulled_from_thread(chunks) if isinstance(request, ASGIRequest) else chunks
    response = StreamingHttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{dataset.name}.{fmt}"'
    return response


def schema(request: HttpRequest, name: str) -> HttpResponse:
    try:
        dataset = get_dataset(name)
    except UnknownDataset as error:
        return _unknown(error)
    return JsonResponse(dataset.table_schema(), json_dumps_params={"ensure_ascii": False})


# Media types a client may ask for in Accept, and the serialization each gets; the first one
# answers */* and a missing Accept header.
NEGOTIATED = {media_type: suffix for suffix, (_format, media_type) in SERIALIZATIONS.items()}
NEGOTIATED["application/json"] = "jsonld"


def catalog(request: HttpRequest, suffix: str | None = None) -> HttpResponse:
    """Serve the DCAT-AP catalogue in the format of ``suffix``, else the one Accept prefers."""
    if suffix is None:
        preferred = request.get_preferred_type(list(NEGOTIATED))
        suffix = NEGOTIATED.get(preferred) if preferred else None
        wanted = request.headers.get("Accept", "")
    else:
        wanted = f".{suffix}"
    if suffix not in SERIALIZATIONS:
        formats = {f".{key}": media_type for key, (_f, media_type) in SERIALIZATIONS.items()}
        message = _("The catalogue is not available as %(wanted)s; available formats: %(formats)s.")
        listing = ", ".join(f"{key} ({media_type})" for key, media_type in formats.items())
        return JsonResponse(
            {"detail": message % {"wanted": wanted or "?", "formats": listing}, "formats": formats},
            status=406,
            json_dumps_params={"ensure_ascii": False},
        )
    body = serialize(dcat_catalog(request.build_absolute_uri("/")), suffix)
    response = HttpResponse(body, content_type=f"{SERIALIZATIONS[suffix][1]}; charset=utf-8")
    patch_vary_headers(response, ["Accept"])
    return response
