from django.utils.translation import gettext_lazy

from maillage.core import capabilities


class DecisionsConfig(capabilities.CapabilityConfig):
    name = "maillage.decisions"
    label = "decisions"
    verbose_name = gettext_lazy("Decisions")
    nav = (gettext_lazy("Decisions"), "decisions:index")
    urls = "maillage.decisions.urls"
    api_router = ("/decisions", "maillage.decisions.api:router")
    jobs = "maillage.decisions.jobs"
    demo = "maillage.demo.decisions"
    sections = ((40, "maillage.decisions.selectors:territory_decisions_section"),)
    home = ((30, "maillage.decisions.home:decisions_in_progress"),)
    data_exporter = "maillage.decisions.selectors:person_decisions_data"
    datasets = "maillage.decisions.datasets:DATASETS"
    mesh_source = "maillage.decisions.mesh:source"
    permissions = "maillage.decisions.permissions"
