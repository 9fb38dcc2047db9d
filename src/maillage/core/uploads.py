"""Uploads: a cap on every request body, and files sized before they are read.

``RequestBodyLimitASGI`` wraps the HTTP application of ``maillage.asgi``: a request whose
declared ``Content-Length`` is over ``MAX_REQUEST_BYTES`` is answered 413 before a byte of its
body is read; a body sent without a length (chunked) is counted as it arrives and refused the
moment it passes the cap, so no request ever makes the server hold more than the cap. Django
then spools any body over ``FILE_UPLOAD_MAX_MEMORY_SIZE`` to disk, and the services take an
``Upload`` (bytes, or the uploaded file itself) so that they check permission and the file's
declared size before reading it into memory.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.files import File
from django.utils import translation
from django.utils.translation import gettext as _

# What Django's ASGIHandler declares: a dict scope, messages it only reads.
Scope = dict[str, Any]
Message = Mapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

Upload = bytes | File


def upload_size(upload: Upload) -> int:
    """Return the size of ``upload`` without reading it (a file's declared size)."""
    return len(upload) if isinstance(upload, bytes) else int(upload.size or 0)


def upload_read(upload: Upload) -> bytes:
    """Return the content of ``upload``; call it once permission and size are checked."""
    if isinstance(upload, bytes):
        return upload
    upload.seek(0)
    return upload.read()


def _language(scope: Scope) -> str:
    header = next((v for k, v in scope.get("headers", []) if k == b"accept-language"), b"")
    for part in header.decode("latin-1").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in {lang for lang, _name in settings.LANGUAGES}:
            return code
    return settings.LANGUAGE_CODE


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    with translation.override(_language(scope)):
        message = _("The request is too large: at most %(limit)s MB can be sent at once.") % {
            "limit": f"{limit / 2**20:g}"
        }
    if scope.get("path", "").startswith("/api/"):
        body = json.dumps({"detail": message, "limit": limit}).encode()
        content_type = b"application/json"
    else:
        body = message.encode()
        content_type = b"text/plain; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestBodyLimitASGI:
    """Answer 413 to any HTTP request whose body is over ``settings.MAX_REQUEST_BYTES``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = settings.MAX_REQUEST_BYTES
        declared = next((v for k, v in scope.get("headers", []) if k == b"content-length"), None)
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse(scope, send, limit)
            return
        received = 0
        refused = False

        async def counted_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Django reads a disconnect as an aborted request and answers nothing.
                    refused = True
                    await _refuse(scope, send, limit)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, counted_receive, guarded_send)
