from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "maillage.territories"
    label = "territories"

    def ready(self) -> None:
        from maillage.territories import datasets, permissions  # noqa: F401  registers rules and datasets
