from django.urls import path

from maillage.consultations import staff_views, views

app_name = "consultations"
urlpatterns = [
    path("concertations/", views.campaign_index, name="index"),
    path("concertations/sw.js", views.service_worker, name="service_worker"),
    path("gestion/concertations/", staff_views.manage_index, name="manage_index"),
    path("gestion/concertations/nouvelle/", staff_views.campaign_new, name="new"),
    path("gestion/concertations/<slug:slug>/", staff_views.campaign_manage, name="manage"),
    path("gestion/concertations/<slug:slug>/modifier/", staff_views.campaign_edit, name="edit"),
    path(
        "gestion/concertations/<slug:slug>/questions/",
        staff_views.campaign_questions,
        name="manage_questions",
    ),
    path(
        "gestion/concertations/<slug:slug>/lieux/",
        staff_views.campaign_sites,
        name="manage_sites",
    ),
    path(
        "gestion/concertations/<slug:slug>/equipe/",
        staff_views.campaign_team,
        name="manage_team",
    ),
    path(
        "gestion/concertations/<slug:slug>/<str:move>/",
        staff_views.campaign_move,
        name="move",
    ),
    path("concertations/<slug:slug>/", views.campaign_detail, name="detail"),
    path("concertations/<slug:slug>/contribuer/", views.contribute, name="contribute"),
    path("concertations/<slug:slug>/merci/", views.thanks, name="thanks"),
    path("concertations/<slug:slug>/suites/", views.follow_up, name="follow_up"),
    path("concertations/<slug:slug>/terrain/", views.field_capture, name="field"),
    path(
        "concertations/<slug:slug>/terrain/manifest.webmanifest",
        views.field_manifest,
        name="manifest",
    ),
    path("concertations/<slug:slug>/moderation/", views.moderation, name="moderation"),
    path("concertations/<slug:slug>/moderation/<int:pk>/", views.moderate, name="moderate"),
    path("concertations/<slug:slug>/moderation/lot/", views.moderate_bulk, name="moderate_bulk"),
    path("concertations/<slug:slug>/moderation/<int:pk>/corriger/", views.redact, name="redact"),
    path("concertations/<slug:slug>/reponses/", views.responses_manage, name="responses_manage"),
    path(
        "concertations/<slug:slug>/reponses/<int:pk>/",
        views.response_update,
        name="response_update",
    ),
    path("concertations/<slug:slug>/import/", views.paper_import_view, name="import"),
]
