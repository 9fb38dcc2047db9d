from django.urls import path

from maillage.observatory import views

app_name = "observatory"
urlpatterns = [
    path("observatoire/concertations/<slug:slug>/", views.campaign_observatory, name="campaign"),
    path(
        "observatoire/concertations/<slug:slug>/recalculer/",
        views.campaign_recompute,
        name="campaign_recompute",
    ),
    path(
        "observatoire/concertations/<slug:slug>/rapport/",
        views.campaign_report,
        name="campaign_report",
    ),
    path("observatoire/territoires/<slug:slug>/", views.territory_observatory, name="territory"),
    path(
        "observatoire/territoires/<slug:slug>/recalculer/",
        views.territory_recompute,
        name="territory_recompute",
    ),
    path("observatoire/signaux/<int:pk>/", views.signal_detail, name="signal"),
]
