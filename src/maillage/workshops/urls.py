from django.urls import path

from maillage.workshops import views

app_name = "workshops"
urlpatterns = [
    path("ateliers/", views.workshop_index, name="index"),
    path("ateliers/nouveau/", views.workshop_create, name="create"),
    path("ateliers/territoire/<slug:slug>.ics", views.territory_ics, name="territory_ics"),
    path("ateliers/<slug:slug>/", views.workshop_detail, name="detail"),
    path("ateliers/<slug:slug>.ics", views.workshop_ics, name="ics"),
    path("ateliers/<slug:slug>/modifier/", views.workshop_edit, name="edit"),
    path("ateliers/<slug:slug>/annuler/", views.workshop_cancel, name="cancel"),
    path("ateliers/<slug:slug>/dupliquer/", views.workshop_duplicate, name="duplicate"),
    path("ateliers/<slug:slug>/presences/", views.attendance, name="attendance"),
    path("ateliers/<slug:slug>/productions/", views.output_add, name="output_add"),
    path(
        "ateliers/<slug:slug>/inscriptions/<int:pk>/annuler/",
        views.registration_cancel,
        name="registration_cancel",
    ),
]
