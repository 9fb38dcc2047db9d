from django.urls import path

from maillage.mesh import views

app_name = "mesh"
urlpatterns = [
    path("maillage/", views.index, name="index"),
    path("maillage/ma-place/", views.place, name="place"),
    path("maillage/territoires/<slug:slug>/", views.territory, name="territory"),
    path(
        "maillage/territoires/<slug:slug>/maillage.gexf",
        views.download,
        {"fmt": "gexf"},
        name="gexf",
    ),
    path(
        "maillage/territoires/<slug:slug>/maillage.graphml",
        views.download,
        {"fmt": "graphml"},
        name="graphml",
    ),
    path(
        "maillage/territoires/<slug:slug>/noeuds.csv",
        views.download,
        {"fmt": "nodes"},
        name="nodes_csv",
    ),
    path(
        "maillage/territoires/<slug:slug>/liens.csv",
        views.download,
        {"fmt": "edges"},
        name="edges_csv",
    ),
    path("maillage/organisations/<slug:slug>/", views.organization, name="organization"),
]
