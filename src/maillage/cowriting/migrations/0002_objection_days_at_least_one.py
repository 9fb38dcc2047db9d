import django.core.validators
from django.db import migrations, models


def raise_zero_days(apps, schema_editor):
    """Give works saved with no day to object the one day the constraint asks."""
    SharedWork = apps.get_model("cowriting", "SharedWork")
    SharedWork.objects.filter(objection_days__lt=1).update(objection_days=1)


class Migration(migrations.Migration):
    dependencies = [
        ("cowriting", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="sharedwork",
            name="objection_days",
            field=models.PositiveSmallIntegerField(
                default=7,
                help_text="With the deadline rule: how long co-authors have to object.",
                validators=[
                    django.core.validators.MinValueValidator(
                        1, message="Co-authors need at least one day to object."
                    )
                ],
                verbose_name="days to object",
            ),
        ),
        migrations.RunPython(raise_zero_days, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="sharedwork",
            constraint=models.CheckConstraint(
                condition=models.Q(("objection_days__gte", 1)),
                name="shared_work_objection_days_at_least_one",
            ),
        ),
    ]
