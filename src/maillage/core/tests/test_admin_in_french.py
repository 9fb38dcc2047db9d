"""The Django admin speaks French: every section of the platform is named in French."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_every_admin_section_of_the_platform_is_named_in_french(client_as) -> None:
    page = client_as("platform_admin").get("/admin/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    ours = [c for c in apps.get_app_configs() if c.name.startswith("maillage.") and c.models_module]
    untranslated = []
    for config in ours:
        with translation.override("fr"):
            french = str(config.verbose_name)
        with translation.override("en"):
            english = str(config.verbose_name)
        if french == english and config.label != "core":  # "Maillage" is a name
            untranslated.append(config.label)
    assert untranslated == []
    for section in ("Organisations", "Personnes", "Territoires"):
        assert f">{section}<" in page
