from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "maillage.organizations"
    label = "organizations"

    def ready(self) -> None:
        from maillage.organizations import datasets, permissions  # noqa: F401  registers rules and datasets
