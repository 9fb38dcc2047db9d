from django.urls import path

from maillage.opendata import views

app_name = "opendata"
urlpatterns = [
    path("", views.index, name="index"),
    path("catalog.jsonld", views.catalog, name="catalog"),
    path("<slug:name>.schema.json", views.schema, name="schema"),
    path("<slug:name>.<str:fmt>", views.download, name="download"),
]
