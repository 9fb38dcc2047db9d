"""The service worker shared by the capture pages that work offline (field capture, encounters).

Each capability serves the same script from its own URL prefix so that the worker's scope
covers its pages only (a worker controls the paths under the folder it is served from).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404


def _service_worker_source() -> Path | None:
    built = finders.find("dist/sw.js")
    if built:
        return Path(str(built))
    # Before the assets are bundled, the source works as is: it imports nothing.
    source = Path(settings.BASE_DIR).parents[1] / "frontend" / "src" / "sw.js"
    return source if source.is_file() else None


def service_worker_response(scope: str) -> FileResponse:
    """Return the service worker script, allowed to control the pages under ``scope``."""
    path = _service_worker_source()
    if path is None:
        raise Http404("the service worker is not built")
    response = FileResponse(path.open("rb"), content_type="text/javascript")
    response["Service-Worker-Allowed"] = scope
    response["Cache-Control"] = "no-cache"
    return response
