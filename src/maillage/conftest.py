"""Shared fixtures: the personas of every role on a small territory."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

import pytest

from maillage.analysis.shared_data import shared_data_dir


def _django_active(request: Any) -> bool:
    # The Django-free analysis tests also run with ``-p no:django``.
    return request.config.pluginmanager.hasplugin("django")


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Skip, in the PostgreSQL run, the tests whose installs are SQLite whatever the run's engine.

    They would repeat the SQLite run's work to the byte; `make test` runs both.
    """
    import os

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    once = pytest.mark.skip(
        reason="its installs are SQLite whatever the engine: the SQLite run covers it"
    )
    for item in items:
        if item.get_closest_marker("own_sqlite"):
            item.add_marker(once)


@pytest.fixture(autouse=True)
def _fast_and_plain_settings(request: Any) -> None:
    if not _django_active(request):
        return
    settings = request.getfixturevalue("settings")
    settings.OPINIONS_RECOMPUTE_EAGER = True
    settings.OBSERVATORY_RECOMPUTE_EAGER = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _default_language(request: Any) -> Any:
    """Start each test in the default language: a request in English leaves it active."""
    if not _django_active(request):
        yield
        return
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_cache(request: Any) -> None:
    import contextlib

    if not _django_active(request):
        return
    from django.core.cache import cache

    # The database cache table does not exist in tests without database access.
    with contextlib.suppress(Exception):
        cache.clear()


@pytest.fixture
def shared_data():
    """Return the shared data folder or skip with the reason."""
    folder = shared_data_dir()
    if folder is None:
        pytest.skip("shared data absent: set MAILLAGE_SHARED_DATA to the shared/data folder")
    return folder


@dataclass
class Personas:
    region: Any
    commune: Any
    neighbourhood: Any
    site: Any
    other_commune: Any
    organization: Any
    visitor: Any
    participant: Any
    field_agent: Any
    facilitator: Any
    org_admin: Any
    territory_admin: Any
    platform_admin: Any

    def by_role(self, role: str) -> Any:
        return getattr(self, role)


ROLES = [
    "visitor",
    "participant",
    "field_agent",
    "facilitator",
    "org_admin",
    "territory_admin",
    "platform_admin",
]
PASSWORD = "correct horse battery staple"  # noqa: S105


@pytest.fixture
def personas(db: Any) -> Personas:
    """Return a small territory with one person per role."""
    from django.contrib.auth.models import AnonymousUser

    from maillage.organizations.models import Membership
    from maillage.organizations.services import organization_create
    from maillage.people.models import Person, TerritoryRole
    from maillage.territories.services import territory_create

    square = {
        "type": "Polygon",
        "coordinates": [[[7.3, 47.7], [7.4, 47.7], [7.4, 47.8], [7.3, 47.8], [7.3, 47.7]]],
    }
    region = territory_create(name="Région Test", kind="region")
    commune = territory_create(name="Commune Test", kind="commune", parent=region, geometry=square)
    neighbourhood = territory_create(name="Quartier Test", kind="neighbourhood", parent=commune)
    site = territory_create(
        name="Place Test",
        kind="site",
        parent=neighbourhood,
        geometry={
            "type": "Polygon",
            "coordinates": [
                [[7.35, 47.75], [7.351, 47.75], [7.351, 47.751], [7.35, 47.751], [7.35, 47.75]]
            ],
        },
    )
    other_commune = territory_create(name="Autre Commune", kind="commune", parent=region)

    def person(email: str, **extra: Any) -> Any:
        return Person.objects.create_user(
            email, PASSWORD, display_name=email.split("@")[0], **extra
        )

    participant = person("participant@example.org")
    field_agent = person("agent@example.org")
    facilitator = person("facilitator@example.org")
    org_admin = person("orgadmin@example.org")
    territory_admin = person("territoryadmin@example.org")
    platform_admin = person("platformadmin@example.org", is_staff=True, is_superuser=True)
    TerritoryRole.objects.create(person=field_agent, territory=commune, role="field_agent")
    TerritoryRole.objects.create(person=facilitator, territory=commune, role="facilitator")
    TerritoryRole.objects.create(person=territory_admin, territory=commune, role="admin")
    organization = organization_create(
        name="Association Test", kind="association", territories=[commune]
    )
    Membership.objects.create(person=org_admin, organization=organization, role="admin")
    return Personas(
        region=region,
        commune=commune,
        neighbourhood=neighbourhood,
        site=site,
        other_commune=other_commune,
        organization=organization,
        visitor=AnonymousUser(),
        participant=participant,
        field_agent=field_agent,
        facilitator=facilitator,
        org_admin=org_admin,
        territory_admin=territory_admin,
        platform_admin=platform_admin,
    )


@pytest.fixture
def client_as(client: Any, personas: Personas):
    """Return a function giving a test client logged in as a role ('visitor' stays anonymous)."""

    def login(role: str) -> Any:
        client.logout()
        if role != "visitor":
            client.force_login(
                personas.by_role(role), backend="maillage.people.backends.EmailBackend"
            )
        return client

    return login


@pytest.fixture(scope="session")
def s3_endpoint() -> Any:
    """Return the address of an S3-compatible server (moto's) on a free loopback port."""
    import logging
    import socket

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@dataclass
class S3Bucket:
    name: str
    endpoint: str
    client: Any

    def keys(self) -> list[str]:
        listing = self.client.list_objects_v2(Bucket=self.name)
        return [item["Key"] for item in listing.get("Contents", [])]

    @contextlib.contextmanager
    def refusing_every_key(self) -> Any:
        """Make the server check signatures: the keys Maillage holds are then unknown to it."""
        import urllib.request

        def reset(count: str) -> None:
            request = urllib.request.Request(  # noqa: S310 (loopback)
                f"{self.endpoint}/moto-api/reset-auth",
                data=count.encode(),
                method="POST",
                # A form content type would make the server read the body as a form, and lose it.
                headers={"Content-Type": "application/octet-stream"},
            )
            urllib.request.urlopen(request, timeout=10).close()  # noqa: S310 (loopback)

        reset("0")
        try:
            yield
        finally:
            reset("inf")


@pytest.fixture
def s3_bucket(s3_endpoint: str, settings: Any, monkeypatch: Any) -> S3Bucket:
    """Put the default storage on a new private bucket, configured as an operator would."""
    import secrets

    import boto3

    from maillage.core.env import s3_storage_options

    name = f"maillage-{secrets.token_hex(6)}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="operator",
        aws_secret_access_key="operator-secret",  # noqa: S106 (moto accepts any)
    )
    client.create_bucket(Bucket=name)
    for variable, value in {
        "MAILLAGE_S3_BUCKET": name,
        "MAILLAGE_S3_ENDPOINT_URL": s3_endpoint,
        "MAILLAGE_S3_REGION": "us-east-1",
        "MAILLAGE_S3_ACCESS_KEY_ID": "operator",
        "MAILLAGE_S3_SECRET_ACCESS_KEY": "operator-secret",
        "MAILLAGE_S3_ADDRESSING_STYLE": "path",
    }.items():
        monkeypatch.setenv(variable, value)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "maillage.core.storage.PrivateS3Storage",
            "OPTIONS": s3_storage_options(),
        },
    }
    return S3Bucket(name=name, endpoint=s3_endpoint, client=client)
