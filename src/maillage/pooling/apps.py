from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class PoolingConfig(AppConfig):
    name = "maillage.pooling"
    label = "pooling"
    verbose_name = gettext_lazy("Pooling")
    nav = (gettext_lazy("Pooling"), "pooling:index")

    def ready(self) -> None:
        from maillage.people.services import register_data_exporter
        from maillage.pooling import datasets, permissions  # noqa: F401  registers rules and datasets
        from maillage.pooling.selectors import pooling_export_for_person, territory_section
        from maillage.territories.sections import register_section

        register_data_exporter("pooling", pooling_export_for_person)
        register_section(territory_section, order=60)
