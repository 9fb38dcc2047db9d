from django.urls import path

from maillage.opinions import views

app_name = "opinions"
urlpatterns = [
    path("conversations/", views.conversation_list, name="index"),
    path("conversations/<slug:slug>/", views.conversation_detail, name="detail"),
    path("conversations/<slug:slug>/vote/", views.vote, name="vote"),
    path("conversations/<slug:slug>/passer/", views.skip, name="skip"),
    path("conversations/<slug:slug>/proposer/", views.submit_statement, name="submit"),
    path("conversations/<slug:slug>/moderation/", views.moderation, name="moderation"),
    path("conversations/<slug:slug>/rapport/", views.report, name="report"),
]
