"""Top-level URLs; each app owns its patterns. Page addresses are in French, the API in English."""

from importlib.util import find_spec

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog
from django.views.static import serve

from maillage.api.api import api

urlpatterns = [
    path(
        "favicon.ico", RedirectView.as_view(url=settings.STATIC_URL + "favicon.svg", permanent=True)
    ),
    path("", include("maillage.core.urls")),
    path("", include("maillage.people.urls")),
    path("territoires/", include("maillage.territories.urls")),
    path("organisations/", include("maillage.organizations.urls")),
    path("open-data/", include("maillage.opendata.urls")),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]

# Each capability mounts its pages at the root under its own French prefix (see its urls.py).
urlpatterns += [
    path("", include(f"maillage.{name}.urls"))
    for name in settings.CAPABILITY_APPS
    if find_spec(f"maillage.{name}.urls")
]

# Uploaded media are served by the app on the embedded default (one machine, no proxy).
urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
