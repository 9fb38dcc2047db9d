from django.contrib import admin

from maillage.opinions.models import Conversation, Statement


class StatementInline(admin.TabularInline):
    model = Statement
    extra = 0
    fields = ["text", "moderation", "is_meta", "is_seed"]


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["topic", "territory", "is_open", "created_at"]
    inlines = [StatementInline]
