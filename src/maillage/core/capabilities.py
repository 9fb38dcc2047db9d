"""The capability manifest: each app says in its AppConfig what it adds to the platform.

A capability (and each foundation app) subclasses :class:`CapabilityConfig` and fills in class
attributes naming its code by dotted path, ``"package.module"`` or ``"package.module:name"``.
Nothing is imported until a consumer asks, so loading the apps stays cheap and no import cycle
appears. The functions below are the one collector every consumer reads: the root URLs, the
API, the websocket routes, the periodic jobs, the demo, the ``maillage`` command, the menu, the
home page, the territory page, a person's data export and erasure, the open-data registry, the
cooperation mesh and the hooks between capabilities. No consumer looks a module up by name.

A capability left out of ``MAILLAGE_CAPABILITIES`` is not installed, hence contributes nothing.
A declared path that does not resolve fails the ``capabilities`` system check (``core.checks``,
run by ``maillage serve`` before it listens) with a message naming the app and the attribute.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import AppConfig, apps

# The capabilities built on the foundation, in the order they are installed and shown.
CAPABILITIES = (
    "consultations",
    "cowriting",
    "decisions",
    "opinions",
    "observatory",
    "pooling",
    "journeys",
    "workshops",
    "mesh",
)
# Attributes holding one dotted path each, and those holding a tuple of them.
_PATHS = (
    "urls",
    "websocket_urls",
    "jobs",
    "demo",
    "data_exporter",
    "data_eraser",
    "datasets",
    "mesh_source",
    "on_campaign_closed",
    "participation",
)
_PATH_TUPLES = ("commands", "readiness_checks")


def enabled_capabilities() -> list[str]:
    """Return the capabilities ``MAILLAGE_CAPABILITIES`` enables, in platform order.

    Read before Django is set up: by the settings, and by the ``maillage`` command, which lists
    its groups without a database.
    """
    from maillage.core.env import env_list

    wanted = env_list("MAILLAGE_CAPABILITIES", list(CAPABILITIES))
    return [name for name in CAPABILITIES if name in wanted]


class CapabilityConfig(AppConfig):
    """An app that declares what it adds; every attribute is optional.

    - ``urls``: module of ``urlpatterns``, mounted under ``url_prefix`` (pages are French);
    - ``api_router``: ``(prefix, "module:router")`` mounted in the API at ``/api<prefix>``;
    - ``websocket_urls``: ``"module:websocket_urlpatterns"``;
    - ``jobs``: module whose functions are decorated with ``core.jobs.job``;
    - ``demo``: module whose functions are decorated with ``maillage.demo.demo_step``;
    - ``commands``: modules with ``register(subparsers)`` adding a ``maillage`` command group
      (imported without Django: the analysis commands must start fast, without a database);
    - ``nav``: ``(label, url name)`` of the entry in the site menu;
    - ``sections``: ``((order, "module:provider"), …)`` sections of the territory page, see
      ``territories.sections``;
    - ``home``: ``((order, "module:provider"), …)`` blocks of the home page, what is happening
      now on the visitor's territory; a provider takes the territory and the ids of it and its
      descendants and returns None (nothing now) or ``{"title", "items", "more_url",
      "more_label"}``, each item ``{"label", "url", "detail", "when", "badge"}`` (see
      ``templates/site/home_block.html``);
    - ``data_exporter``: ``"module:function"`` returning what the app holds on a person, the
      section of their data export named after the app; ``data_eraser``: ``"module:function"``
      erasing or anonymizing it when the person deletes their account;
    - ``datasets``: ``"module:DATASETS"``, the app's open-data datasets;
    - ``mesh_source``: ``"module:source"``, an ``analysis.graph.sources.MeshSource``: the links
      the app gives the cooperation graph, the labels of its records, its loop stages;
    - ``on_campaign_closed``: ``"module:function"`` called with a campaign's id after a
      consultation campaign closes;
    - ``participation``: ``"module:function"`` returning, for a person, the section of their
      "my participation" page (``{"title", "template", "context"}``) or None when empty;
    - ``permissions``: module registering the app's ``rules``, imported when the app is ready;
    - ``readiness_checks``: ``("module:function", …)`` checks of what the app depends on, run by
      ``/readyz`` (see ``core.health``): each returns when its dependency answers, else raises.
    """

    urls: str = ""
    url_prefix: str = ""
    api_router: tuple[str, str] | None = None
    websocket_urls: str = ""
    jobs: str = ""
    demo: str = ""
    commands: tuple[str, ...] = ()
    readiness_checks: tuple[str, ...] = ()
    nav: tuple[Any, str] | None = None
    sections: tuple[tuple[int, str], ...] = ()
    home: tuple[tuple[int, str], ...] = ()
    data_exporter: str = ""
    data_eraser: str = ""
    datasets: str = ""
    mesh_source: str = ""
    on_campaign_closed: str = ""
    participation: str = ""
    permissions: str = ""

    def ready(self) -> None:
        # Rules are global to the ``rules`` registry: they must exist before the first request.
        if self.permissions:
            importlib.import_module(self.permissions)

    def declared_paths(self) -> Iterator[tuple[str, str]]:
        """Yield ``(attribute, dotted path)`` for every path this app declares."""
        for attribute in _PATHS:
            value = getattr(self, attribute)
            if value:
                yield attribute, value
        for attribute in _PATH_TUPLES:
            for value in getattr(self, attribute):
                yield attribute, value
        if self.api_router:
            yield "api_router", self.api_router[1]
        for _, path in self.sections:
            yield "sections", path
        for _, path in self.home:
            yield "home", path
        if self.permissions:
            yield "permissions", self.permissions

    def resolve(self, attribute: str) -> Any:
        """Return what the one-path ``attribute`` names (a module or an object in it)."""
        return resolve(getattr(self, attribute))


def resolve(path: str) -> Any:
    """Import ``"package.module"`` or ``"package.module:name"`` and return the module or object."""
    module_path, _, name = path.partition(":")
    module = importlib.import_module(module_path)
    return getattr(module, name) if name else module


def configs() -> list[CapabilityConfig]:
    """Return the installed apps that declare what they add, in ``INSTALLED_APPS`` order."""
    return [c for c in apps.get_app_configs() if isinstance(c, CapabilityConfig)]


def config_class(name: str) -> type[CapabilityConfig] | None:
    """Return the CapabilityConfig class of ``maillage.<name>`` without setting Django up."""
    module = importlib.import_module(f"maillage.{name}.apps")
    for value in vars(module).values():
        if (
            isinstance(value, type)
            and issubclass(value, CapabilityConfig)
            and getattr(value, "name", None) == f"maillage.{name}"
        ):
            return value
    return None


# ---------------------------------------------------------------- the collector


@dataclass(frozen=True)
class UrlMount:
    prefix: str
    module: str


def url_mounts() -> list[UrlMount]:
    """Return the page URLs each app mounts, in app order."""
    return [UrlMount(c.url_prefix, c.urls) for c in configs() if c.urls]


def api_routers() -> list[tuple[str, Any]]:
    """Return ``(prefix, router)`` of every app's API router."""
    return [(c.api_router[0], resolve(c.api_router[1])) for c in configs() if c.api_router]


def websocket_urlpatterns() -> list[Any]:
    """Return every app's websocket routes."""
    patterns: list[Any] = []
    for config in configs():
        if config.websocket_urls:
            patterns += config.resolve("websocket_urls")
    return patterns


def job_modules() -> list[str]:
    """Return the modules declaring periodic jobs, imported."""
    modules = [c.jobs for c in configs() if c.jobs]
    for module in modules:
        importlib.import_module(module)
    return modules


def demo_modules() -> list[str]:
    """Return the modules of the apps' demo steps, imported."""
    modules = [c.demo for c in configs() if c.demo]
    for module in modules:
        importlib.import_module(module)
    return modules


def command_modules() -> list[str]:
    """Return the modules adding ``maillage`` command groups, without setting Django up.

    The foundation's groups come first, then the enabled capabilities'.
    """
    modules: list[str] = []
    for name in ("territories", "people", "organizations", *enabled_capabilities()):
        config = config_class(name)
        if config is not None:
            modules += config.commands
    return modules


def nav_items() -> list[tuple[Any, str]]:
    """Return ``(label, url name)`` of every app's menu entry."""
    return [c.nav for c in configs() if c.nav]


def sections() -> list[tuple[int, Callable[..., Any]]]:
    """Return ``(order, provider)`` of every territory section, by increasing order."""
    found = [(order, resolve(path)) for c in configs() for order, path in c.sections]
    return sorted(found, key=lambda item: item[0])


def home_blocks() -> list[tuple[int, Callable[..., Any]]]:
    """Return ``(order, provider)`` of every home-page block, by increasing order."""
    found = [(order, resolve(path)) for c in configs() for order, path in c.home]
    return sorted(found, key=lambda item: item[0])


def data_exporters() -> list[tuple[str, Callable[[Any], Any]]]:
    """Return ``(section name, exporter)`` of every app holding personal data, by name."""
    found = [(c.label, c.resolve("data_exporter")) for c in configs() if c.data_exporter]
    return sorted(found, key=lambda item: item[0])


def data_erasers() -> list[tuple[str, Callable[[Any], None]]]:
    """Return ``(app label, eraser)`` of every app that erases personal data, by label."""
    found = [(c.label, c.resolve("data_eraser")) for c in configs() if c.data_eraser]
    return sorted(found, key=lambda item: item[0])


def participation_sections(person: Any) -> list[dict[str, Any]]:
    """Return the non-empty sections of ``person``'s "my participation" page, in app order."""
    found = (c.resolve("participation")(person) for c in configs() if c.participation)
    return [section for section in found if section]


def datasets() -> list[Any]:
    """Return every app's open-data datasets."""
    return [dataset for c in configs() if c.datasets for dataset in c.resolve("datasets")]


def mesh_sources() -> list[Any]:
    """Return the mesh source of every app that gives links to the cooperation graph."""
    return [c.resolve("mesh_source") for c in configs() if c.mesh_source]


def hooks(name: str) -> list[Callable[..., Any]]:
    """Return the functions the apps declare for the hook ``name`` (e.g. on_campaign_closed)."""
    return [c.resolve(name) for c in configs() if getattr(c, name, "")]
