from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from maillage.core.websocket import person_access_changed
from maillage.people.forms import AdminEmailAuthenticationForm
from maillage.people.models import ApiToken, ExternalIdentity, Person, TerritoryRole

# The admin's sign-in refuses unverified addresses too; its attempts are limited by the same
# backend (people.backends.EmailBackend) as the site's.
admin.site.login_form = AdminEmailAuthenticationForm


class TerritoryRoleInline(admin.TabularInline):
    model = TerritoryRole
    extra = 0
    autocomplete_fields = ["territory"]


class ExternalIdentityInline(admin.TabularInline):
    """A person's sign-ins through identity services: seen and removed, never made, here."""

    model = ExternalIdentity
    extra = 0
    fields = ("provider", "email", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Person)
class PersonAdmin(UserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "pseudonym", "is_staff", "is_active"]
    search_fields = ["email", "display_name", "pseudonym"]
    inlines = [TerritoryRoleInline, ExternalIdentityInline]
    filter_horizontal = ["residence_territories", "work_territories", "groups", "user_permissions"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            "Profile",
            {
                "fields": (
                    "display_name",
                    "pseudonym",
                    "public_profile",
                    "bio",
                    "residence_territories",
                    "work_territories",
                )
            },
        ),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("email", "display_name", "password1", "password2")},
        ),
    )

    def save_model(self, request: Any, obj: Person, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            person_access_changed(person_id=obj.pk)  # their open websockets close on commit


@admin.register(TerritoryRole)
class TerritoryRoleAdmin(admin.ModelAdmin):
    list_display = ["person", "role", "territory", "since", "until"]
    list_filter = ["role"]
    autocomplete_fields = ["person", "territory"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "person", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
