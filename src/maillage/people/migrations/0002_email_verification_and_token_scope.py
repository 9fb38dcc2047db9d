import datetime

from django.db import migrations, models
from django.utils import timezone


def tokens_expire_in_90_days(apps, schema_editor):
    """Give the tokens created before expiry existed 90 days to be replaced."""
    ApiToken = apps.get_model("people", "ApiToken")
    ApiToken.objects.update(expires_at=timezone.now() + datetime.timedelta(days=90))


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [
        # Existing accounts were never verified: they verify on their next sign-in.
        migrations.AddField(
            model_name="person",
            name="email_verified_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="email verified at"
            ),
        ),
        # Tokens made before scopes could write: they keep doing so until they expire.
        migrations.AddField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(
                choices=[("read", "Read only"), ("write", "Read and write")],
                default="write",
                max_length=5,
                verbose_name="scope",
            ),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(
                choices=[("read", "Read only"), ("write", "Read and write")],
                default="read",
                max_length=5,
                verbose_name="scope",
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="expires at"),
        ),
        migrations.RunPython(tokens_expire_in_90_days, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expires at"),
        ),
    ]
