"""Websocket routes of co-writing (picked up by maillage.routing)."""

from django.urls import path

from maillage.cowriting.consumers import CowritingConsumer

websocket_urlpatterns = [
    path("ws/cowriting/<int:work_id>/", CowritingConsumer.as_asgi()),
]
