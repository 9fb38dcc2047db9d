"""The Content-Security-Policy is sent on every response: pages, API, its docs, static files."""

from __future__ import annotations

import pytest
from django.test import Client

from maillage.core.tests.browser import Watcher, chromium

CSP = "Content-Security-Policy"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/api/docs", "/api/openapi.json", "/api/territories"])
def test_pages_the_api_and_its_docs_carry_the_policy(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers[CSP]
    assert "frame-ancestors 'none'" in response.headers[CSP]


@pytest.mark.django_db
def test_static_files_served_by_whitenoise_carry_the_policy(settings, tmp_path):
    (tmp_path / "probe.css").write_text("body{}")
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    response = Client().get("/static/probe.css")  # a new client loads WhiteNoise on tmp_path
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers[CSP]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_api_docs_work_under_the_policy_without_a_console_error(live_server):
    with chromium() as browser:
        page = browser.new_page(locale="fr-FR")
        watcher = Watcher(page, live_server.url, "")
        response = page.goto(live_server.url + "/api/docs")
        assert response is not None and CSP.lower() in response.headers
        page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
        assert watcher.problems == []
