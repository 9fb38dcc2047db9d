from django.urls import path

from maillage.organizations import views

app_name = "organizations"
urlpatterns = [
    path("", views.organization_list, name="list"),
    path("nouvelle/", views.organization_new, name="new"),
    path("<slug:slug>/", views.organization_detail, name="detail"),
    path("<slug:slug>/modifier/", views.organization_edit, name="edit"),
    path("<slug:slug>/membres/", views.organization_members, name="members"),
    path("<slug:slug>/membres/<int:pk>/fin/", views.membership_end, name="membership_end"),
    path("<slug:slug>/approuver/", views.organization_approve, name="approve"),
]
