from django.urls import path

from maillage.cowriting import views

app_name = "cowriting"
urlpatterns = [
    path("co-ecriture/", views.work_list, name="index"),
    path("co-ecriture/nouveau/", views.work_new, name="new"),
    path("co-ecriture/<int:pk>/", views.work_detail, name="detail"),
    path("co-ecriture/<int:pk>/reglages/", views.work_settings, name="settings"),
    path("co-ecriture/<int:pk>/archive/", views.work_archive, name="archive"),
    path("co-ecriture/<int:pk>/participants/", views.participant_add, name="invite"),
    path("co-ecriture/<int:pk>/objectif/", views.objective_set, name="objective"),
    path("co-ecriture/<int:pk>/commentaires/", views.comment_add, name="comment"),
    path(
        "co-ecriture/<int:pk>/commentaires/<int:comment_pk>/resoudre/",
        views.comment_done,
        name="comment_resolve",
    ),
    path("co-ecriture/<int:pk>/auteurs/", views.work_authors, name="authors"),
    path("co-ecriture/<int:pk>/versions/", views.work_versions, name="versions"),
    path("co-ecriture/<int:pk>/publication/", views.work_publication, name="publication"),
    path("co-ecriture/publications/", views.published_list, name="published_list"),
    path("co-ecriture/publications/<int:pk>/", views.published_detail, name="published"),
    path(
        "co-ecriture/publications/<int:pk>/texte.md",
        views.published_markdown,
        name="published_markdown",
    ),
    path(
        "co-ecriture/publications/<int:pk>/texte.html",
        views.published_html,
        name="published_html",
    ),
]
