from maillage.core import capabilities


class OpendataConfig(capabilities.CapabilityConfig):
    """The open-data catalogue and downloads, built from every app's declared datasets."""

    name = "maillage.opendata"
    label = "opendata"
    urls = "maillage.opendata.urls"
    url_prefix = "open-data/"
    permissions = "maillage.opendata.permissions"
