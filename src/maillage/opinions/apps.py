from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpinionsConfig(AppConfig):
    name = "maillage.opinions"
    label = "opinions"
    verbose_name = _("Opinion mapping")
    nav = (_("Conversations"), "opinions:index")

    def ready(self) -> None:
        from maillage.opinions import datasets, permissions  # noqa: F401  registers rules and datasets
        from maillage.opinions.sections import conversations_section
        from maillage.territories.sections import register_section

        register_section(conversations_section, order=40)
