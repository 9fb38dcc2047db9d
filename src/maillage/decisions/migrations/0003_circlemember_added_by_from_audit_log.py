"""Fill CircleMember.added_by from the audit log, which was the only place that said it."""

from django.db import migrations


def added_by_from_audit_log(apps, schema_editor):
    AuditEntry = apps.get_model("core", "AuditEntry")
    CircleMember = apps.get_model("decisions", "CircleMember")
    entries = AuditEntry.objects.filter(
        action="circle.member_add", target_type="decisions.circlemember", actor__isnull=False
    ).values_list("target_id", "actor_id")
    for target_id, actor_id in entries.iterator(chunk_size=2000):
        if target_id.isdigit():
            CircleMember.objects.filter(pk=int(target_id), added_by__isnull=True).update(
                added_by_id=actor_id
            )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_initial"),
        ("decisions", "0002_circlemember_added_by"),
    ]

    operations = [migrations.RunPython(added_by_from_audit_log, migrations.RunPython.noop)]
