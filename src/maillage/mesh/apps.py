from django.utils.translation import gettext_lazy

from maillage.core import capabilities


class MeshConfig(capabilities.CapabilityConfig):
    name = "maillage.mesh"
    label = "mesh"
    verbose_name = gettext_lazy("Cooperation mesh")
    nav = (gettext_lazy("Mesh"), "mesh:index")
    urls = "maillage.mesh.urls"
    api_router = ("/mesh", "maillage.mesh.api:router")
    demo = "maillage.demo.mesh"
    sections = ((90, "maillage.mesh.selectors:territory_section"),)
    data_exporter = "maillage.mesh.selectors:consent_export_for_person"
    data_eraser = "maillage.mesh.services:person_erase"
    datasets = "maillage.mesh.datasets:DATASETS"
    permissions = "maillage.mesh.permissions"
