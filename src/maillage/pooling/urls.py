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
    path(
        "mutualisation/offres/<int:pk>/modifier/",
        views.listing_edit,
        {"kind": "offer"},
        name="offer_edit",
    ),
    path(
        "mutualisation/besoins/<int:pk>/modifier/",
        views.listing_edit,
        {"kind": "need"},
        name="need_edit",
    ),
    path(
        "mutualisation/offres/<int:pk>/retrait/",
        views.listing_withdraw,
        {"kind": "offer"},
        name="offer_withdraw",
    ),
    path(
        "mutualisation/besoins/<int:pk>/retrait/",
        views.listing_withdraw,
        {"kind": "need"},
        name="need_withdraw",
    ),
    path("mutualisation/echanges/nouveau/", views.exchange_create, name="exchange_create"),
    path(
        "mutualisation/echanges/<int:pk>/confirmer/",
        views.exchange_confirm,
        name="exchange_confirm",
    ),
    path(
        "mutualisation/echanges/<int:pk>/refuser/",
        views.exchange_decline,
        name="exchange_decline",
    ),
    path(
        "mutualisation/echanges/<int:pk>/avis/", views.exchange_feedback, name="exchange_feedback"
    ),
    path("mutualisation/organisations/<slug:slug>/", views.history, name="history"),
]
