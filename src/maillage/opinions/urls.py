from django.urls import path

from maillage.opinions import views

app_name = "opinions"
urlpatterns = [
    path("conversations/", views.conversation_list, name="index"),
    path("conversations/nouvelle/", views.conversation_create, name="create"),
    path("conversations/<slug:slug>/", views.conversation_detail, name="detail"),
    path("conversations/<slug:slug>/modifier/", views.conversation_edit, name="edit"),
    path(
        "conversations/<slug:slug>/ouverture/",
        views.conversation_open_or_close,
        name="open_or_close",
    ),
    path("conversations/<slug:slug>/vote/", views.vote, name="vote"),
    path("conversations/<slug:slug>/passer/", views.skip, name="skip"),
    path("conversations/<slug:slug>/proposer/", views.submit_statement, name="submit"),
    path("conversations/<slug:slug>/moderation/", views.moderation, name="moderation"),
    path("conversations/<slug:slug>/rapport/", views.report, name="report"),
]
