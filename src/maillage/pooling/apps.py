from django.utils.translation import gettext_lazy

from maillage.core import capabilities


class PoolingConfig(capabilities.CapabilityConfig):
    name = "maillage.pooling"
    label = "pooling"
    verbose_name = gettext_lazy("Pooling")
    nav = (gettext_lazy("Pooling"), "pooling:index")
    urls = "maillage.pooling.urls"
    api_router = ("/pooling", "maillage.pooling.api:router")
    jobs = "maillage.pooling.jobs"
    demo = "maillage.demo.pooling"
    sections = ((60, "maillage.pooling.selectors:territory_section"),)
    data_exporter = "maillage.pooling.selectors:pooling_export_for_person"
    datasets = "maillage.pooling.datasets:DATASETS"
    mesh_source = "maillage.pooling.mesh:source"
    permissions = "maillage.pooling.permissions"
