from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class WorkshopsConfig(AppConfig):
    name = "maillage.workshops"
    label = "workshops"
    verbose_name = gettext_lazy("Workshops")
    nav = (gettext_lazy("Workshops"), "workshops:index")

    def ready(self) -> None:
        from maillage.people.services import register_data_exporter
        from maillage.territories.sections import register_section
        from maillage.workshops import datasets, permissions  # noqa: F401  registers rules and datasets
        from maillage.workshops.selectors import registrations_export_for_person, territory_section

        register_data_exporter("workshops", registrations_export_for_person)
        register_section(territory_section, order=80)
