from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class MeshConfig(AppConfig):
    name = "maillage.mesh"
    label = "mesh"
    verbose_name = gettext_lazy("Cooperation mesh")
    nav = (gettext_lazy("Mesh"), "mesh:index")

    def ready(self) -> None:
        from maillage.mesh import datasets, permissions  # noqa: F401  registers rules and datasets
        from maillage.mesh.selectors import consent_export_for_person, territory_section
        from maillage.people.services import register_data_exporter
        from maillage.territories.sections import register_section

        register_data_exporter("mesh", consent_export_for_person)
        register_section(territory_section, order=90)
