from django.utils.translation import gettext_lazy

from maillage.core import capabilities


class OpinionsConfig(capabilities.CapabilityConfig):
    name = "maillage.opinions"
    label = "opinions"
    verbose_name = gettext_lazy("Opinion mapping")
    nav = (gettext_lazy("Conversations"), "opinions:index")
    urls = "maillage.opinions.urls"
    api_router = ("/opinions", "maillage.opinions.api:router")
    demo = "maillage.demo.opinions"
    commands = ("maillage.opinions.cli",)
    sections = ((40, "maillage.opinions.sections:conversations_section"),)
    home = ((15, "maillage.opinions.home:open_conversations"),)
    datasets = "maillage.opinions.datasets:DATASETS"
    participation = "maillage.opinions.selectors:participation_of"
    permissions = "maillage.opinions.permissions"
