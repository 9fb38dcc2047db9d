"""Websocket routes: those each app declares in its AppConfig (see core.capabilities)."""

from maillage.core.capabilities import websocket_urlpatterns as declared

websocket_urlpatterns: list = declared()
