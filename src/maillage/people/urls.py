from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from maillage.people import views
from maillage.people.forms import ServicePasswordChangeForm, ServicePasswordForm

app_name = "people"
urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("connexion/oidc/<slug:slug>/", views.oidc_start, name="oidc_start"),
    path("connexion/oidc/<slug:slug>/retour/", views.oidc_callback, name="oidc_callback"),
    path("connexion/oidc/<slug:slug>/deconnecte/", views.oidc_logged_out, name="oidc_logged_out"),
    path("connexion/lier/", views.oidc_confirm, name="oidc_confirm"),
    path("compte/connexions/<int:pk>/retirer/", views.oidc_unlink, name="oidc_unlink"),
    path("inscription/", views.register, name="register"),
    path("compte/", views.account, name="account"),
    path("compte/mes-donnees.json", views.data_export, name="data_export"),
    path("compte/supprimer/", views.delete_account, name="delete"),
    path("compte/jetons/", views.token_create, name="token_create"),
    path("compte/jetons/<int:pk>/revoquer/", views.token_revoke, name="token_revoke"),
    path("compte/verifier/<uidb64>/<token>/", views.verify_email, name="verify_email"),
    path(
        "compte/mot-de-passe/",
        auth_views.PasswordChangeView.as_view(
            form_class=ServicePasswordChangeForm,
            template_name="people/password_change.html",
            success_url=reverse_lazy("people:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "compte/mot-de-passe/change/",
        auth_views.PasswordChangeDoneView.as_view(template_name="people/password_change_done.html"),
        name="password_change_done",
    ),
    path("personnes/<int:pk>/", views.profile, name="profile"),
    path("invitation/<str:key>/", views.invitation, name="invitation"),
    path(
        "mot-de-passe/",
        views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "mot-de-passe/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="people/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="people/password_reset_confirm.html",
            form_class=ServicePasswordForm,
            success_url=reverse_lazy("people:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/termine/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="people/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
