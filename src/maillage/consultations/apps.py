from django.utils.translation import gettext_lazy

from maillage.core import capabilities


class ConsultationsConfig(capabilities.CapabilityConfig):
    name = "maillage.consultations"
    label = "consultations"
    verbose_name = gettext_lazy("Field consultations")
    nav = (gettext_lazy("Consultations"), "consultations:index")
    urls = "maillage.consultations.urls"
    api_router = ("/consultations", "maillage.consultations.api:router")
    demo = "maillage.demo.consultations"
    sections = ((30, "maillage.consultations.selectors:territory_section"),)
    home = (
        (10, "maillage.consultations.home:open_campaigns"),
        (50, "maillage.consultations.home:latest_responses"),
    )
    data_exporter = "maillage.consultations.selectors:contribution_export_for_person"
    data_eraser = "maillage.consultations.services.erasure:person_erase"
    datasets = "maillage.consultations.datasets:DATASETS"
    mesh_source = "maillage.consultations.mesh:source"
    participation = "maillage.consultations.selectors:participation_of"
    permissions = "maillage.consultations.permissions"
