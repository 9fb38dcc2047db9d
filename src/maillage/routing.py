"""Websocket routes; each real-time capability adds its consumers here."""

websocket_urlpatterns: list = []
