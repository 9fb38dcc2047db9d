from maillage.core import capabilities


class CoreConfig(capabilities.CapabilityConfig):
    name = "maillage.core"
    label = "core"
    verbose_name = "Maillage"
    urls = "maillage.core.urls"
    jobs = "maillage.core.queue_jobs"
    readiness_checks = (
        "maillage.core.health:database",
        "maillage.core.health:cache",
        "maillage.core.health:channel_layer",
        "maillage.core.health:storage",
        "maillage.core.health:queue",
    )

    def ready(self) -> None:
        from maillage.core import checks  # noqa: F401  registers the start-up checks
