from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "maillage.people"
    label = "people"

    def ready(self) -> None:
        from maillage.people import permissions  # noqa: F401  registers rules
