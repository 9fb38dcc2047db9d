from django.utils.translation import gettext_lazy

from maillage.core import capabilities


class TerritoriesConfig(capabilities.CapabilityConfig):
    name = "maillage.territories"
    label = "territories"
    verbose_name = gettext_lazy("Territories")
    urls = "maillage.territories.urls"
    url_prefix = "territoires/"
    api_router = ("/territories", "maillage.territories.api:router")
    datasets = "maillage.territories.datasets:DATASETS"
    permissions = "maillage.territories.permissions"
