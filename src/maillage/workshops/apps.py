from django.utils.translation import gettext_lazy

from maillage.core import capabilities


class WorkshopsConfig(capabilities.CapabilityConfig):
    name = "maillage.workshops"
    label = "workshops"
    verbose_name = gettext_lazy("Workshops")
    nav = (gettext_lazy("Workshops"), "workshops:index")
    urls = "maillage.workshops.urls"
    api_router = ("/workshops", "maillage.workshops.api:router")
    jobs = "maillage.workshops.jobs"
    demo = "maillage.demo.workshops"
    sections = ((80, "maillage.workshops.selectors:territory_section"),)
    home = ((20, "maillage.workshops.home:next_workshops"),)
    data_exporter = "maillage.workshops.selectors:registrations_export_for_person"
    data_eraser = "maillage.workshops.services:person_erase"
    datasets = "maillage.workshops.datasets:DATASETS"
    mesh_source = "maillage.workshops.mesh:source"
    participation = "maillage.workshops.selectors:participation_of"
    permissions = "maillage.workshops.permissions"
