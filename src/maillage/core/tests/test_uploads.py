"""Uploads: a body over the cap is refused before it is read; files are sized before reading."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from maillage.asgi import application

MB = 1024 * 1024
BOUNDARY = "----maillage-test-boundary"


def _multipart_chunks(field: str, name: str, size: int, chunk: int = 64 * 1024) -> Iterator[bytes]:
    """Yield a multipart body carrying one file of ``size`` bytes, made as it is sent."""
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; '
        f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    sent = 0
    while sent < size:
        part = min(chunk, size - sent)
        yield b"x" * part
        sent += part
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def _multipart_length(field: str, name: str, size: int) -> int:
    return sum(len(c) for c in _multipart_chunks(field, name, 0)) + size


class AsgiPost:
    """One POST driven through the real ASGI application, counting the body bytes it pulled."""

    def __init__(self, path: str, chunks: Iterator[bytes], headers: list[tuple[bytes, bytes]]):
        self.path = path
        self.chunks = chunks
        self.headers = headers
        self.pulled = 0
        self.sent: list[dict] = []

    def run(self) -> AsgiPost:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": self.path,
            "raw_path": self.path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"127.0.0.1"), *self.headers],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
        }
        pending = iter(self.chunks)
        nxt = next(pending, None)
        done = False

        async def receive() -> dict:
            nonlocal nxt, done
            if done:
                await asyncio.Event().wait()  # connected until Django cancels this
            body, nxt = nxt or b"", next(pending, None)
            self.pulled += len(body)
            done = nxt is None
            return {"type": "http.request", "body": body, "more_body": not done}

        async def send(message: dict) -> None:
            self.sent.append(message)

        asyncio.run(application(scope, receive, send))
        return self

    @property
    def status(self) -> int:
        return next(m["status"] for m in self.sent if m["type"] == "http.response.start")

    @property
    def body(self) -> str:
        return b"".join(
            m.get("body", b"") for m in self.sent if m["type"] == "http.response.body"
        ).decode()


def _multipart_headers(length: int | None) -> list[tuple[bytes, bytes]]:
    headers = [(b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode())]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    return headers


@pytest.fixture
def asgi_settings(settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    settings.MAX_REQUEST_BYTES = 25 * MB
    return settings


@pytest.mark.django_db(transaction=True)
def test_a_declared_fifty_megabyte_upload_is_refused_413_before_a_byte_is_read(asgi_settings):
    size = 50 * MB
    post = AsgiPost(
        "/api/journeys/any/route",
        _multipart_chunks("gpx", "big.gpx", size),
        [
            *_multipart_headers(_multipart_length("gpx", "big.gpx", size)),
            (b"accept-language", b"fr"),
        ],
    ).run()
    assert post.status == 413
    assert post.pulled == 0
    assert "trop volumineuse" in post.body and "25 Mo" in post.body


@pytest.mark.django_db(transaction=True)
def test_a_chunked_upload_without_length_is_cut_off_at_the_cap(asgi_settings):
    post = AsgiPost(
        "/journeys/any/gpx/",
        _multipart_chunks("gpx", "big.gpx", 50 * MB, chunk=MB),
        [*_multipart_headers(None), (b"accept-language", b"en")],
    ).run()
    assert post.status == 413
    assert post.pulled <= 26 * MB, "reading stopped at the first chunk past the cap"
    assert "too large" in post.body and "25 MB" in post.body
