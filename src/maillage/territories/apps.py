from maillage.core import capabilities


class TerritoriesConfig(capabilities.CapabilityConfig):
    name = "maillage.territories"
    label = "territories"
    urls = "maillage.territories.urls"
    url_prefix = "territoires/"
    api_router = ("/territories", "maillage.territories.api:router")
    datasets = "maillage.territories.datasets:DATASETS"
    permissions = "maillage.territories.permissions"
