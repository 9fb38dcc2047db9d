"""schemathesis over the OpenAPI schema, in process, anonymous and with a token.

Every operation gets a bounded number of generated requests (valid and invalid); each answer
must be no server error and must match the schema it documents. Examples are few so that the
suite stays fast; the seed is fixed so that a failure reproduces.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, seed
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

EXAMPLES = 4


@pytest.fixture
def hosts(settings):
    """Let the in-process calls in, and keep the test's database connection open."""
    settings.ALLOWED_HOSTS = ["localhost", "testserver", "127.0.0.1"]
    # As Django's test client does: a request's start and end would close the connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# Loaded once, in process (WSGI: the calls run in the test's thread and transaction).
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler())
BOUNDED = hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.django_db
@schema.parametrize()
@BOUNDED
@seed(21)
def test_anonymous_requests_get_no_server_error_and_match_the_schema(case, hosts):
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])


@pytest.fixture
def token(db):
    from maillage.people.models import Person
    from maillage.people.services import api_token_create

    person = Person.objects.create_user("schemathesis@example.org", "-", display_name="S")
    # A write token, so that the generated requests reach the writes' validation.
    return api_token_create(person=person, actor=person, name="schemathesis", scope="write")[1]


@pytest.mark.django_db
@schema.parametrize()
@BOUNDED
@seed(21)
def test_requests_with_a_token_get_no_server_error_and_match_the_schema(case, token, hosts):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
