from maillage.core import capabilities


class PeopleConfig(capabilities.CapabilityConfig):
    name = "maillage.people"
    label = "people"
    urls = "maillage.people.urls"
    api_router = ("/people", "maillage.people.api:router")
    commands = ("maillage.people.cli",)
    permissions = "maillage.people.permissions"
