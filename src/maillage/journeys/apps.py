from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class JourneysConfig(AppConfig):
    """Journeys (itinérances) and the self-observation questionnaire (je, nous, dans)."""

    name = "maillage.journeys"
    label = "journeys"
    verbose_name = gettext_lazy("Journeys")
    nav = (gettext_lazy("Journeys"), "journeys:index")

    def ready(self) -> None:
        from maillage.journeys import datasets, permissions  # noqa: F401  registers rules and datasets
        from maillage.journeys.selectors import journeys_export_for_person, territory_section
        from maillage.people.services import register_data_exporter
        from maillage.territories.sections import register_section

        register_data_exporter("journeys", journeys_export_for_person)
        register_section(territory_section, order=70)
