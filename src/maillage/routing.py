"""Websocket routes: each capability's ``routing.py`` exposes ``websocket_urlpatterns``."""

import importlib
from importlib.util import find_spec

from django.conf import settings

websocket_urlpatterns: list = []
for _name in settings.CAPABILITY_APPS:
    if find_spec(f"maillage.{_name}.routing"):
        websocket_urlpatterns += importlib.import_module(
            f"maillage.{_name}.routing"
        ).websocket_urlpatterns
