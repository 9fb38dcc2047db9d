"""Ship the default self-observation questionnaire (French and English) as data."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "self_observation_default.json"


def load(apps, schema_editor):
    Questionnaire = apps.get_model("journeys", "Questionnaire")
    Question = apps.get_model("journeys", "Question")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    questionnaire, created = Questionnaire.objects.get_or_create(
        slug=data["slug"],
        defaults={
            "title": data["title"],
            "description": data["description"],
            "scale_low": data["scale_low"],
            "scale_high": data["scale_high"],
            "low_label": data["low_label"],
            "high_label": data["high_label"],
        },
    )
    if created:
        Question.objects.bulk_create(
            Question(
                questionnaire=questionnaire,
                key=item["key"],
                position=position,
                dimension=item["dimension"],
                text_fr=item["fr"],
                text_en=item["en"],
            )
            for position, item in enumerate(data["questions"], start=1)
        )


def unload(apps, schema_editor):
    data = json.loads(DATA.read_text(encoding="utf-8"))
    apps.get_model("journeys", "Questionnaire").objects.filter(slug=data["slug"]).delete()


class Migration(migrations.Migration):
    dependencies = [("journeys", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
