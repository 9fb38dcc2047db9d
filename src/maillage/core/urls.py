from django.urls import path

from maillage.core import views
from maillage.core.metrics import metrics_view

app_name = "core"
urlpatterns = [
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("healthz", views.health, name="health"),
    path("readyz", views.ready, name="ready"),
    path("metrics", metrics_view, name="metrics"),
]
