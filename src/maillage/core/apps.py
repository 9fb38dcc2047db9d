from maillage.core import capabilities


class CoreConfig(capabilities.CapabilityConfig):
    name = "maillage.core"
    label = "core"
    verbose_name = "Maillage"
    urls = "maillage.core.urls"
    jobs = "maillage.core.queue_jobs"

    def ready(self) -> None:
        from maillage.core import checks  # noqa: F401  registers the start-up checks
