from django.utils.translation import gettext_lazy

from maillage.core import capabilities


class JourneysConfig(capabilities.CapabilityConfig):
    """Journeys (itinérances) and the self-observation questionnaire (je, nous, dans)."""

    name = "maillage.journeys"
    label = "journeys"
    verbose_name = gettext_lazy("Journeys")
    nav = (gettext_lazy("Journeys"), "journeys:index")
    urls = "maillage.journeys.urls"
    api_router = ("/journeys", "maillage.journeys.api:router")
    demo = "maillage.demo.journeys"
    sections = ((70, "maillage.journeys.selectors:territory_section"),)
    data_exporter = "maillage.journeys.selectors:journeys_export_for_person"
    data_eraser = "maillage.journeys.services.erasure:person_erase"
    datasets = "maillage.journeys.datasets:DATASETS"
    mesh_source = "maillage.journeys.mesh:source"
    permissions = "maillage.journeys.permissions"
