"""Top-level URLs: each app mounts its own (declared in its AppConfig, see core.capabilities).

Page addresses are in French, the API in English.
"""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog

from maillage.api.api import api
from maillage.core.capabilities import url_mounts

urlpatterns = [
    path(
        "favicon.ico", RedirectView.as_view(url=settings.STATIC_URL + "favicon.svg", permanent=True)
    ),
    path("", include("maillage.site.urls")),
    *(path(mount.prefix, include(mount.module)) for mount in url_mounts()),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    # No blanket /media/ route: each app serves its uploads through a permission-checked view
    # (consultations: contribution photos), so hidden ones never leak by their address.
]
