from django.urls import path

from maillage.territories import team, views

app_name = "territories"
urlpatterns = [
    path("", views.territory_list, name="list"),
    path("importer/", views.territory_import_view, name="import"),
    path("<slug:slug>/", views.territory_detail, name="detail"),
    path("<slug:slug>/nouveau-lieu/", views.place_new, name="place_new"),
    path("<slug:slug>/modifier/", views.place_edit, name="place_edit"),
    path("<slug:slug>/equipe/", team.team, name="team"),
    path("equipe/roles/<int:pk>/fin/", team.role_end, name="role_end"),
]
