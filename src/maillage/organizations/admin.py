from django.contrib import admin

from maillage.organizations.models import Membership, Organization


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "is_mission_company"]
    list_filter = ["kind", "is_mission_company"]
    search_fields = ["name", "mission"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["territories"]
    inlines = [MembershipInline]
