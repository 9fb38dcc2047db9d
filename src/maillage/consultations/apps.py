from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class ConsultationsConfig(AppConfig):
    name = "maillage.consultations"
    label = "consultations"
    verbose_name = gettext_lazy("Field consultations")
    nav = (gettext_lazy("Consultations"), "consultations:index")

    def ready(self) -> None:
        from maillage.consultations import datasets, permissions  # noqa: F401  registers rules and datasets
        from maillage.consultations.selectors import (
            contribution_export_for_person,
            territory_section,
        )
        from maillage.people.services import register_data_exporter
        from maillage.territories.sections import register_section

        register_data_exporter("consultations", contribution_export_for_person)
        register_section(territory_section, order=30)
