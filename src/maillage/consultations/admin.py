from django.contrib import admin

from maillage.consultations.models import Campaign, Contribution, Response


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "territory", "status", "starts_on", "ends_on"]
    list_filter = ["status"]
    search_fields = ["title"]
    filter_horizontal = ["sites", "team"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    list_display = ["id", "campaign", "site", "status", "source", "captured_at"]
    list_filter = ["status", "source", "campaign"]
    search_fields = ["text"]
    raw_id_fields = ["agent", "author", "site"]
    readonly_fields = ["client_uuid", "payload_hash"]


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["title", "campaign", "status", "updated_at"]
    list_filter = ["status"]
    filter_horizontal = ["contributions"]
