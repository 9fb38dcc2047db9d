from django.utils.translation import gettext_lazy

from maillage.core import capabilities


class CowritingConfig(capabilities.CapabilityConfig):
    name = "maillage.cowriting"
    label = "cowriting"
    verbose_name = gettext_lazy("Co-writing")
    nav = (gettext_lazy("Co-writing"), "cowriting:index")
    urls = "maillage.cowriting.urls"
    home = ((40, "maillage.cowriting.home:last_published"),)
    api_router = ("/cowriting", "maillage.cowriting.api:router")
    websocket_urls = "maillage.cowriting.routing:websocket_urlpatterns"
    demo = "maillage.demo.cowriting"
    data_exporter = "maillage.cowriting.selectors:person_cowriting_data"
    data_eraser = "maillage.cowriting.services:person_erase"
    datasets = "maillage.cowriting.datasets:DATASETS"
    mesh_source = "maillage.cowriting.mesh:source"
    permissions = "maillage.cowriting.permissions"
