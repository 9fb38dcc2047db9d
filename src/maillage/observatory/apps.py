from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class ObservatoryConfig(AppConfig):
    name = "maillage.observatory"
    label = "observatory"
    verbose_name = gettext_lazy("Observatory")

    def ready(self) -> None:
        from maillage.consultations.services import register_campaign_close_callback
        from maillage.observatory import datasets, permissions  # noqa: F401  registers rules and datasets
        from maillage.observatory.selectors import territory_section
        from maillage.observatory.services import analysis_request_on_close
        from maillage.territories.sections import register_section

        register_campaign_close_callback(analysis_request_on_close)
        register_section(territory_section, order=35)
