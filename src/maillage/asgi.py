"""ASGI entry point: HTTP through Django, websockets through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from maillage.core.timing import ServerTimingASGI  # noqa: E402
from maillage.core.uploads import RequestBodyLimitASGI  # noqa: E402
from maillage.core.websocket import SameOriginMiddleware, WebsocketAuthStack  # noqa: E402
from maillage.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": ServerTimingASGI(RequestBodyLimitASGI(django_asgi_app)),
        "websocket": SameOriginMiddleware(WebsocketAuthStack(URLRouter(websocket_urlpatterns))),
    }
)


def serving_application() -> ProtocolTypeRouter:
    """Return the application for ``maillage serve``, whose every worker process calls this
    once: the start-up's lazy parts are loaded and its objects kept out of the garbage
    collector's full walks (``core.warmup``)."""
    from maillage.core.warmup import prepare_for_serving

    prepare_for_serving()
    return application
