from django.utils.translation import gettext_lazy

from maillage.core import capabilities


class ObservatoryConfig(capabilities.CapabilityConfig):
    name = "maillage.observatory"
    label = "observatory"
    verbose_name = gettext_lazy("Observatory")
    urls = "maillage.observatory.urls"
    api_router = ("/observatory", "maillage.observatory.api:router")
    jobs = "maillage.observatory.jobs"
    demo = "maillage.demo.observatory"
    commands = ("maillage.observatory.cli_themes", "maillage.observatory.cli_graph")
    sections = ((35, "maillage.observatory.selectors:territory_section"),)
    on_campaign_closed = "maillage.observatory.services:analysis_request_on_close"
    datasets = "maillage.observatory.datasets:DATASETS"
    permissions = "maillage.observatory.permissions"
