from django.urls import path

from maillage.opendata import views

app_name = "opendata"
urlpatterns = [
    path("", views.index, name="index"),
    path("catalog", views.catalog, name="catalog"),
    path("catalog.<str:suffix>", views.catalog, name="catalog_as"),
    path("<slug:name>.schema.json", views.schema, name="schema"),
    path("<slug:name>.<str:fmt>", views.download, name="download"),
]
