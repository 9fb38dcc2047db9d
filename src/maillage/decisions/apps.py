from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class DecisionsConfig(AppConfig):
    name = "maillage.decisions"
    label = "decisions"
    verbose_name = gettext_lazy("Decisions")
    nav = (gettext_lazy("Decisions"), "decisions:index")

    def ready(self) -> None:
        from maillage.decisions import datasets, permissions  # noqa: F401  registers rules and datasets
        from maillage.decisions.selectors import person_decisions_data, territory_decisions_section
        from maillage.people.services import register_data_exporter
        from maillage.territories.sections import register_section

        register_data_exporter("decisions", person_decisions_data)
        register_section(territory_decisions_section, order=40)
