from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from maillage.people.forms import AdminEmailAuthenticationForm
from maillage.people.models import ApiToken, Person, TerritoryRole

# The admin's sign-in refuses unverified addresses too; its attempts are limited by the same
# backend (people.backends.EmailBackend) as the site's.
admin.site.login_form = AdminEmailAuthenticationForm


class TerritoryRoleInline(admin.TabularInline):
    model = TerritoryRole
    extra = 0
    autocomplete_fields = ["territory"]


@admin.register(Person)
class PersonAdmin(UserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "pseudonym", "is_staff", "is_active"]
    search_fields = ["email", "display_name", "pseudonym"]
    inlines = [TerritoryRoleInline]
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


@admin.register(TerritoryRole)
class TerritoryRoleAdmin(admin.ModelAdmin):
    list_display = ["person", "role", "territory", "since", "until"]
    list_filter = ["role"]
    autocomplete_fields = ["person", "territory"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "person", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
