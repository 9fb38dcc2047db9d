import django_tasks_db.admin
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks_db.models import DBTaskResult

from maillage.core.models import AuditEntry
from maillage.core.queue import error_line, task_retry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "actor", "target_type", "target_id"]
    list_filter = ["action"]
    readonly_fields = ["created_at", "actor", "action", "target_type", "target_id", "data"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The task queue's rows, for the platform admin: the failures with their error, and a retry.
# django_tasks_db registers a read-only admin; ours adds the error line and the retry action.
# (importing django_tasks_db.admin above registered it first.)
admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskAdmin(django_tasks_db.admin.DBTaskResultAdmin):
    # The library's admin declares its own eight columns; these six suit a platform admin.
    list_display = (  # type: ignore[assignment]
        "task_name",
        "status",
        "error",
        "enqueued_at",
        "finished_at",
        "worker",
    )
    actions = ["retry"]

    @admin.display(description=_("error"))
    def error(self, obj: DBTaskResult) -> str:
        return error_line(obj) if obj.traceback else ""

    @admin.display(description=_("worker"))
    def worker(self, obj: DBTaskResult) -> str:
        return ", ".join(obj.worker_ids)

    @admin.action(description=_("Enqueue the selected failed tasks again"))
    def retry(self, request, queryset):
        retried = 0
        for row in queryset:
            try:
                task_retry(actor=request.user, task_id=row.pk)
            except ValueError as error:
                self.message_user(request, str(error), messages.WARNING)
            except PermissionDenied:
                self.message_user(
                    request, _("Only a platform admin can retry a task."), messages.ERROR
                )
                return
            else:
                retried += 1
        if retried:
            self.message_user(
                request,
                ngettext(
                    "%(count)d task enqueued again.", "%(count)d tasks enqueued again.", retried
                )
                % {"count": retried},
            )
