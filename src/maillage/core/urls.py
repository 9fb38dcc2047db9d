from django.urls import path

from maillage.core import views

app_name = "core"
urlpatterns = [
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("healthz", views.health, name="health"),
]
