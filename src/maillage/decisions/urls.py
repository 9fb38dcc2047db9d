"""Decision pages, under French addresses."""

from django.urls import path

from maillage.decisions import views

app_name = "decisions"
urlpatterns = [
    path("cercles/", views.circle_list, name="index"),
    path("cercles/nouveau/", views.circle_create, name="circle_create"),
    path("cercles/<slug:slug>/", views.circle_detail, name="circle"),
    path("cercles/<slug:slug>/modifier/", views.circle_edit, name="circle_edit"),
    path("cercles/<slug:slug>/archiver/", views.circle_archive, name="circle_archive"),
    path("cercles/<slug:slug>/delegations/ajouter/", views.delegation_add, name="delegation_add"),
    path("cercles/<slug:slug>/membres/ajouter/", views.member_add, name="member_add"),
    path("membres-de-cercle/<int:pk>/fin/", views.member_end, name="member_end"),
    path("delegations/<int:pk>/modifier/", views.delegation_edit, name="delegation_edit"),
    path("delegations/<int:pk>/fin/", views.delegation_end, name="delegation_end"),
    path("cercles/<slug:slug>/rotation/", views.circle_rotation, name="rotation"),
    path("cercles/<slug:slug>/rotation/reunion/", views.meeting_roles, name="meeting_roles"),
    path("cercles/<slug:slug>/rotation/indisponible/", views.unavailability, name="unavailability"),
    path("cercles/<slug:slug>/proposer/", views.decision_propose, name="propose"),
    path("cercles/<slug:slug>/scrutins/nouveau/", views.poll_create, name="poll_create"),
    path("cercles/<slug:slug>/elections/nouvelle/", views.election_create, name="election_create"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision"),
    path("decisions/<int:pk>/amender/", views.decision_amend, name="amend"),
    path("decisions/<int:pk>/retirer/", views.decision_withdraw, name="withdraw"),
    path("decisions/<int:pk>/roles/", views.decision_assign_roles, name="assign_roles"),
    path("decisions/<int:pk>/tours/ouvrir/", views.round_open, name="round_open"),
    path("tours/<int:pk>/cloturer/", views.round_close, name="round_close"),
    path("tours/<int:pk>/repondre/", views.round_answer, name="answer"),
    path("tours/<int:pk>/intervenir/", views.round_note, name="note"),
    path("interventions/<int:pk>/repondre/", views.note_reply, name="note_reply"),
    path("tours-de-role/<int:pk>/passer/", views.turn_pass, name="turn_pass"),
    path("tours-de-role/<int:pk>/remplacer/", views.turn_take_over, name="turn_take_over"),
    path("scrutins/<int:pk>/", views.poll_detail, name="poll"),
    path("scrutins/<int:pk>/cloturer/", views.poll_close, name="poll_close"),
    path("elections/<int:pk>/", views.election_detail, name="election"),
    path("elections/<int:pk>/agir/", views.election_act, name="election_act"),
    path("registre/<slug:slug>/", views.register, name="register"),
    path("registre/<slug:slug>/flux.atom", views.feed, name="feed"),
]
