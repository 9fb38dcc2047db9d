from django.utils.translation import gettext_lazy

from maillage.core import capabilities


class PeopleConfig(capabilities.CapabilityConfig):
    name = "maillage.people"
    label = "people"
    verbose_name = gettext_lazy("People")
    urls = "maillage.people.urls"
    api_router = ("/people", "maillage.people.api:router")
    commands = ("maillage.people.cli",)
    permissions = "maillage.people.permissions"
