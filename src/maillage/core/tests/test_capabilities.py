"""The capability manifest: what each app declares is what every consumer gets, and no more."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse

from maillage.core import capabilities
from maillage.core.checks import check_declared_paths

REPO = Path(__file__).resolve().parents[4]


def test_every_capability_and_foundation_app_declares_itself_in_its_app_config() -> None:
    labels = [config.label for config in capabilities.configs()]
    assert labels[:4] == ["core", "territories", "people", "organizations"]
    assert set(capabilities.CAPABILITIES) <= set(labels)


def test_the_collector_hands_out_what_each_app_declares() -> None:
    from maillage.consultations.api import router as consultations_router
    from maillage.consultations.datasets import DATASETS as consultations_datasets
    from maillage.consultations.selectors import (
        contribution_export_for_person,
        territory_section,
    )
    from maillage.cowriting.routing import websocket_urlpatterns as cowriting_routes

    assert ("/consultations", consultations_router) in capabilities.api_routers()
    assert capabilities.UrlMount("territoires/", "maillage.territories.urls") in (
        capabilities.url_mounts()
    )
    assert all(route in capabilities.websocket_urlpatterns() for route in cowriting_routes)
    assert (30, territory_section) in capabilities.sections()
    assert ("consultations", contribution_export_for_person) in capabilities.data_exporters()
    assert {d.name for d in consultations_datasets} <= {d.name for d in capabilities.datasets()}
    assert "maillage.decisions.jobs" in capabilities.job_modules()
    assert "maillage.demo.consultations" in capabilities.demo_modules()
    from maillage.decisions.mesh import source as decisions_source

    assert decisions_source in capabilities.mesh_sources()
    assert [name for _, name in capabilities.nav_items()][:2] == [
        "consultations:index",
        "cowriting:index",
    ]


def test_territory_sections_come_in_the_order_their_apps_declare() -> None:
    orders = [order for order, _ in capabilities.sections()]
    assert orders == sorted(orders)


def test_the_observatory_hears_of_a_closed_campaign_through_its_declared_hook() -> None:
    from maillage.observatory.services import analysis_request_on_close

    assert capabilities.hooks("on_campaign_closed") == [analysis_request_on_close]


def test_the_command_line_offers_the_groups_the_capabilities_declare() -> None:
    assert capabilities.command_modules() == [
        "maillage.people.cli",
        "maillage.opinions.cli",
        "maillage.observatory.cli_themes",
        "maillage.observatory.cli_graph",
    ]


def test_every_declared_path_resolves() -> None:
    assert check_declared_paths() == []


def test_a_declared_path_that_does_not_resolve_fails_the_start_up_check(monkeypatch) -> None:
    config = apps.get_app_config("decisions")
    monkeypatch.setattr(config, "jobs", "maillage.decisions.no_such_module")
    monkeypatch.setattr(config, "sections", ((40, "maillage.decisions.selectors:no_such"),))
    (jobs_error, section_error) = check_declared_paths()
    assert jobs_error.id == "maillage.E001"
    assert "maillage.decisions: jobs = 'maillage.decisions.no_such_module'" in jobs_error.msg
    assert "maillage.decisions: sections = 'maillage.decisions.selectors:no_such'" in (
        section_error.msg
    )
    with pytest.raises(SystemCheckError, match="no_such_module"):
        call_command("check", tags=["capabilities"])


def test_a_resolve_of_a_missing_name_names_it() -> None:
    with pytest.raises(AttributeError, match="no_such_router"):
        capabilities.resolve("maillage.decisions.api:no_such_router")


def test_the_menu_shows_the_installed_capabilities(client) -> None:
    page = client.get(reverse("core:accessibility")).content.decode()
    assert f'href="{reverse("decisions:index")}"' in page


# What a process started with MAILLAGE_CAPABILITIES sees: every consumer, after Django set-up.
_REPORT = """
import json, django
django.setup()
from django.urls import get_resolver
from maillage.api.api import api
from maillage.core import capabilities
from maillage.core.jobs import jobs
from maillage.core.opendata import datasets
from maillage.routing import websocket_urlpatterns

def prefixes():
    return sorted({str(p.pattern) for p in get_resolver().url_patterns})

print(json.dumps({
    "apps": [c.label for c in capabilities.configs()],
    "urls": prefixes(),
    # mount points only (a router nested in an app's router shows as "territories/")
    "api": sorted(prefix for prefix, _ in api._routers if prefix.startswith("/")),
    "websockets": len(websocket_urlpatterns),
    "nav": [name for _, name in capabilities.nav_items()],
    "jobs": [job.name for job in jobs()],
    "datasets": [dataset.name for dataset in datasets()],
    "sections": len(capabilities.sections()),
    "exporters": [name for name, _ in capabilities.data_exporters()],
    "mesh": [c.label for c in capabilities.configs() if c.mesh_source],
    "mesh_sources": len(capabilities.mesh_sources()),
    "hooks": len(capabilities.hooks("on_campaign_closed")),
    "demo": capabilities.demo_modules(),
    "commands": capabilities.command_modules(),
}))
"""


def _report(enabled: str) -> dict:
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "MAILLAGE_CAPABILITIES": enabled,
        "DJANGO_SETTINGS_MODULE": "maillage.test_settings",
        "DEBUG": "1",
    }
    done = subprocess.run(
        [sys.executable, "-c", _REPORT],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_the_foundation_alone_contributes_no_capability_anywhere() -> None:
    report = _report("none")
    assert report["apps"] == ["core", "territories", "people", "organizations", "opendata"]
    assert "consultations/" not in report["urls"]
    assert report["api"] == ["/organizations", "/people", "/territories"]
    assert report["websockets"] == 0
    assert report["nav"] == []
    # The foundation's own jobs: the task queue's maintenance.
    assert report["jobs"] == ["queue-prune", "queue-recover"]
    assert report["datasets"] == ["memberships", "organizations", "territories"]
    assert report["sections"] == 0
    assert report["exporters"] == []
    assert report["mesh"] == ["organizations"]
    assert report["mesh_sources"] == 1
    assert report["hooks"] == 0
    assert report["demo"] == []
    assert report["commands"] == ["maillage.people.cli"]


@pytest.mark.slow
def test_one_capability_switched_on_contributes_only_its_own() -> None:
    report = _report("decisions")
    assert report["apps"][-1] == "decisions"
    assert report["api"] == ["/decisions", "/organizations", "/people", "/territories"]
    assert report["nav"] == ["decisions:index"]
    assert report["jobs"] == [
        "decisions-close-rounds",
        "decisions-reminders",
        "queue-prune",
        "queue-recover",
    ]
    assert report["datasets"] == [
        "decisions-register",
        "majority-judgment-results",
        "memberships",
        "organizations",
        "territories",
    ]
    assert report["exporters"] == ["decisions"]
    assert report["mesh"] == ["organizations", "decisions"]
    assert report["hooks"] == 0
    assert report["demo"] == ["maillage.demo.decisions"]
    assert report["commands"] == ["maillage.people.cli"]


def test_the_analysis_commands_start_without_django_models() -> None:
    code = (
        "import sys; from maillage.cli import build_parser; build_parser(); "
        "sys.exit(any(m.startswith(('django.db', 'django.contrib')) for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, check=False, timeout=120)
    assert done.returncode == 0


erased: list[int] = []


def erase_for_test(person) -> None:
    erased.append(person.pk)


@pytest.mark.django_db
def test_erasing_an_account_runs_every_declared_eraser(personas, monkeypatch) -> None:
    from maillage.people.services import person_delete

    monkeypatch.setattr(
        apps.get_app_config("pooling"),
        "data_eraser",
        "maillage.core.tests.test_capabilities:erase_for_test",
    )
    member = personas.organization.memberships.get(person=personas.org_admin)
    person_delete(person=personas.org_admin, actor=personas.org_admin)
    assert erased == [personas.org_admin.pk]
    member.refresh_from_db()
    assert member.until is not None  # the organizations app's own eraser ended it


def test_serve_stops_before_listening_when_a_declared_path_does_not_resolve(
    monkeypatch, capsys
) -> None:
    from maillage.cli import main

    def listen(*args, **kwargs) -> None:
        raise AssertionError("serve went on to listen")

    monkeypatch.setattr("uvicorn.run", listen)
    monkeypatch.setattr(apps.get_app_config("pooling"), "jobs", "maillage.pooling.no_such_jobs")
    assert main(["serve", "--no-migrate", "--no-jobs"]) == 2
    assert "maillage.pooling: jobs = 'maillage.pooling.no_such_jobs'" in capsys.readouterr().err
