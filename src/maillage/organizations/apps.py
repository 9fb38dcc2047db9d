from django.utils.translation import gettext_lazy

from maillage.core import capabilities


class OrganizationsConfig(capabilities.CapabilityConfig):
    name = "maillage.organizations"
    label = "organizations"
    verbose_name = gettext_lazy("Organizations")
    urls = "maillage.organizations.urls"
    url_prefix = "organisations/"
    api_router = ("/organizations", "maillage.organizations.api:router")
    datasets = "maillage.organizations.datasets:DATASETS"
    data_eraser = "maillage.organizations.services:memberships_end_for_erasure"
    mesh_source = "maillage.organizations.mesh:source"
    permissions = "maillage.organizations.permissions"
