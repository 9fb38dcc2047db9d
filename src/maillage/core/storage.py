"""Where uploaded files live, how they are served, and whether the file store answers.

The local disk (``MEDIA_ROOT``) is the default. With ``MAILLAGE_S3_BUCKET`` set, uploads go to a
private bucket of an S3-compatible store (``PrivateS3Storage``), so that every web host sees the
files of the others. No file has a public address in either case: a field's ``.url`` is
``MEDIA_URL`` + its name, which is the address of the permission-checked view of the app that
owns the file (there is no blanket ``/media/`` route). That view calls ``file_response`` once
the person is cleared: it streams the file, or, with ``MAILLAGE_MEDIA_REDIRECT``, redirects to
a signed URL of the object valid for ``MAILLAGE_MEDIA_URL_SECONDS``.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlparse

from boto3.exceptions import Boto3Error
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.utils.encoding import filepath_to_uri
from django.utils.translation import gettext as _
from storages.backends.s3 import S3Storage

logger = logging.getLogger(__name__)


class StorageUnavailable(Exception):
    """The file store cannot be reached or refuses the request (answered with 503)."""


# Clients may try again after this many seconds (Retry-After of the 503 answers).
RETRY_AFTER_SECONDS = 60


def storage_unavailable_message(*, with_photo: bool = False) -> str:
    """Return what a person reads when the file store fails (nothing was saved)."""
    if with_photo:
        return _(
            "Your contribution was not saved: photos cannot be stored at the moment. "
            "Try again in a few minutes, or send it without the photo."
        )
    return _("Files cannot be stored or read at the moment. Try again in a few minutes.")


def _reason(error: Exception) -> str:
    """Name a store failure for logs and readiness: the store's error code, never a key."""
    cause: BaseException | None = error
    # boto3 wraps the store's answer to an upload in an exception of its own.
    while cause is not None and not isinstance(cause, ClientError):
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, ClientError):
        return f"the store answered {cause.response.get('Error', {}).get('Code', 'an error')}"
    return f"{type(error).__name__}: {error}"


@contextmanager
def _store_failures(action: str) -> Iterator[None]:
    try:
        yield
    except (BotoCoreError, Boto3Error, ClientError) as error:
        raise StorageUnavailable(f"{action}: {_reason(error)}") from error


class PrivateS3Storage(S3Storage):
    """A private bucket: objects without ACL, reached by signed URLs or through our views.

    Failures of the store (wrong credentials, endpoint down, timeouts) raise
    StorageUnavailable, so that callers answer 503 with a message instead of a traceback.
    """

    def _open(self, name: str, mode: str = "rb") -> Any:
        with _store_failures("open"):
            return super()._open(name, mode)

    def _save(self, name: str, content: Any) -> str:
        with _store_failures("save"):
            return super()._save(name, content)

    def delete(self, name: str) -> None:
        with _store_failures("delete"):
            super().delete(name)

    def exists(self, name: str) -> bool:
        with _store_failures("exists"):
            return super().exists(name)

    def size(self, name: str) -> int:
        with _store_failures("size"):
            return super().size(name)

    def listdir(self, name: str) -> tuple[list[str], list[str]]:
        with _store_failures("listdir"):
            return super().listdir(name)

    def url(self, name: str, parameters: Any = None, expire: Any = None, http_method: Any = None):
        """Return the address of the permission-checked view, as FileSystemStorage does."""
        return settings.MEDIA_URL + filepath_to_uri(name).lstrip("/")

    def signed_url(self, name: str, *, expire: int) -> str:
        """Return a URL of the object that anyone holding it can GET for ``expire`` seconds."""
        with _store_failures("sign"):
            return super().url(name, expire=expire)


def random_file_name(extension: str) -> str:
    """Return a file name nobody can guess (128 random bits), e.g. ``k3J….jpg``."""
    return f"{secrets.token_urlsafe(16)}.{extension}"


@runtime_checkable
class SigningStorage(Protocol):
    """A store that signs time-limited URLs of its objects (``PrivateS3Storage``)."""

    def signed_url(self, name: str, *, expire: int) -> str: ...


def signing_storage(storage: Storage | None = None) -> SigningStorage | None:
    """Return the store when the views answer with redirects to its signed URLs, else None."""
    store = storage if storage is not None else default_storage
    return store if settings.MEDIA_REDIRECT and isinstance(store, SigningStorage) else None


def media_origin() -> str:
    """Return the origin images are redirected to ("" when files are streamed by the views)."""
    store = signing_storage()
    if store is None:
        return ""
    try:
        parsed = urlparse(store.signed_url("probe", expire=60))
    except StorageUnavailable:
        return ""
    return f"{parsed.scheme}://{parsed.netloc}"


def file_response(
    field_file: FieldFile, *, content_type: str, public: bool
) -> HttpResponseRedirect | FileResponse:
    """Serve a stored file to a person already cleared to see it.

    A public file may be kept by shared caches for an hour; any other is private and never
    stored. A redirect is never cached longer than its signed URL lives.
    """
    if not field_file.name:
        raise Http404("no such file")
    signing = signing_storage(field_file.storage)
    if signing is not None:
        url = signing.signed_url(field_file.name, expire=settings.MEDIA_URL_SECONDS)
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = "private, no-store"
        return response
    try:
        handle = field_file.storage.open(field_file.name, "rb")
    except FileNotFoundError:
        raise Http404("no such file") from None
    streamed = FileResponse(handle, content_type=content_type)
    streamed["Cache-Control"] = "public, max-age=3600" if public else "private, no-store"
    return streamed


@dataclass(frozen=True)
class StorageStatus:
    """What a probe of the file store found; ``detail`` names the failure (no secrets)."""

    ok: bool
    backend: str
    detail: str
    milliseconds: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "backend": self.backend,
            "detail": self.detail,
            "milliseconds": round(self.milliseconds, 1),
        }


def storage_check(storage: Storage | None = None) -> StorageStatus:
    """Write, read back and delete a tiny probe object; never raise (for readiness checks)."""
    store = storage if storage is not None else default_storage
    backend = "s3" if hasattr(store, "signed_url") else "local"
    payload = secrets.token_bytes(16)
    started = time.monotonic()
    detail = ""
    try:
        name = store.save(f"maillage-probe/{secrets.token_hex(8)}.bin", ContentFile(payload))
        try:
            with store.open(name, "rb") as handle:
                if handle.read() != payload:
                    detail = "the probe read back differs from what was written"
        finally:
            store.delete(name)
    except (StorageUnavailable, OSError) as error:
        detail = str(error) if isinstance(error, StorageUnavailable) else _reason(error)
    milliseconds = (time.monotonic() - started) * 1000
    if detail:
        logger.warning("file store probe failed (%s): %s", backend, detail)
    return StorageStatus(ok=not detail, backend=backend, detail=detail, milliseconds=milliseconds)


def discard_quietly(name: str, storage: Storage | None = None) -> None:
    """Delete a file nobody refers to; a store failure leaves an orphan, logged, not an error."""
    store = storage if storage is not None else default_storage
    try:
        store.delete(name)
    except (StorageUnavailable, OSError) as error:
        logger.warning("an unreferenced file could not be deleted: %s", error)
