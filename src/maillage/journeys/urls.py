from django.urls import path

from maillage.journeys import views

app_name = "journeys"
urlpatterns = [
    path("itinerances/", views.journey_index, name="index"),
    path("itinerances/sw.js", views.service_worker, name="service_worker"),
    path("itinerances/nouvelle/", views.journey_create, name="create"),
    path("itinerances/<slug:slug>/", views.journey_detail, name="detail"),
    path("itinerances/<slug:slug>/trace/", views.gpx_import, name="gpx_import"),
    path("itinerances/<slug:slug>/trace.gpx", views.gpx_export, name="gpx_export"),
    path("itinerances/<slug:slug>/etapes/", views.stage_add, name="stage_add"),
    path("itinerances/<slug:slug>/rencontres/nouvelle/", views.encounter_create, name="encounter"),
    path("itinerances/<slug:slug>/recit/", views.account_start, name="account_start"),
    path("auto-observation/", views.observation_index, name="observation"),
    path("auto-observation/questions/", views.questions_edit, name="questions"),
    path("auto-observation/tours/nouveau/", views.round_create, name="round_create"),
    path("auto-observation/tours/<int:pk>/", views.round_answer, name="round_answer"),
    path("auto-observation/tours/<int:pk>/cloture/", views.round_close, name="round_close"),
    path("auto-observation/collectifs/<slug:slug>/", views.collective_view, name="collective"),
]
