from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class CowritingConfig(AppConfig):
    name = "maillage.cowriting"
    label = "cowriting"
    verbose_name = gettext_lazy("Co-writing")
    nav = (gettext_lazy("Co-writing"), "cowriting:index")

    def ready(self) -> None:
        from maillage.cowriting import datasets, permissions  # noqa: F401  registers rules and datasets
        from maillage.cowriting.selectors import person_cowriting_data
        from maillage.people.services import register_data_exporter

        register_data_exporter("cowriting", person_cowriting_data)
