from django.urls import path

from maillage.pooling import views

app_name = "pooling"
urlpatterns = [
    path("mutualisation/", views.directory, name="index"),
    path("mutualisation/offres/<int:pk>/", views.offer_detail, name="offer"),
    path("mutualisation/besoins/<int:pk>/", views.need_detail, name="need"),
    path(
        "mutualisation/offres/nouvelle/",
        views.listing_create,
        {"kind": "offer"},
        name="offer_create",
    ),
    path(
        "mutualisation/besoins/nouveau/", views.listing_create, {"kind": "need"}, name="need_create"
    ),
    path("mutualisation/echanges/nouveau/", views.exchange_create, name="exchange_create"),
    path("mutualisation/organisations/<slug:slug>/", views.history, name="history"),
]
