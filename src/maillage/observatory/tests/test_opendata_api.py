"""Open data and API of the observatory: no personal data, no unpublished text, per role."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from maillage.conftest import ROLES
from maillage.core.opendata import get_dataset
from maillage.observatory.models import AnalysisRun

pytestmark = pytest.mark.django_db

MANAGERS = {"facilitator", "territory_admin", "platform_admin"}


def test_open_data_rows_carry_no_personal_data_and_only_published_ids(
    analysed: Any, campaign: Any, personas: Any
) -> None:
    from maillage.consultations.models import Contribution

    hidden = analysed.themes.first().example_ids[0]
    Contribution.objects.filter(pk=hidden).update(status="hidden", hidden_reason="insult")
    published = set(Contribution.objects.filter(status="published").values_list("pk", flat=True))
    texts = list(Contribution.objects.values_list("text", flat=True))
    for name in ("observatory_themes", "observatory_theme_shares", "observatory_weak_signals"):
        rows = list(get_dataset(name).iter_rows())
        assert rows, name
        fields = [f.name for f in get_dataset(name).fields]
        assert all(list(row) == fields for row in rows)
        dump = json.dumps(rows, default=str)
        assert "@" not in dump and "facilitator" not in dump
        assert not any(text in dump for text in texts)
        for row in rows:
            ids = [int(i) for i in str(row.get("example_ids") or "").split(";") if i]
            assert set(ids) <= published
    theme_rows = list(get_dataset("observatory_themes").iter_rows())
    assert all(str(hidden) not in row["example_ids"].split(";") for row in theme_rows)


def test_small_groups_are_left_out_of_the_shares(analysed: Any) -> None:
    from maillage.observatory.models import ThemeShare

    ThemeShare.objects.filter(run=analysed, dimension="profile").update(total=3)
    rows = list(get_dataset("observatory_theme_shares").iter_rows())
    assert not [row for row in rows if row["dimension"] == "profile"]
    assert [row for row in rows if row["dimension"] == "site"]


def test_a_draft_campaign_analysis_is_not_open_data(analysed: Any, campaign: Any) -> None:
    from maillage.consultations.models import Campaign

    Campaign.objects.filter(pk=campaign.pk).update(status="draft")
    assert not list(get_dataset("observatory_themes").iter_rows())


def test_the_open_data_download_serves_the_themes(analysed: Any, client: Any) -> None:

    response = client.get(reverse("opendata:download", args=["observatory_themes", "csv"]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert analysed.themes.first().label in body


def test_the_api_gives_the_latest_analysis_and_its_signals(
    analysed: Any, campaign: Any, client: Any
) -> None:
    data = client.get(f"/api/observatory/campaigns/{campaign.slug}").json()
    assert data["latest"]["id"] == analysed.pk and data["latest"]["status"] == "done"
    assert len(data["themes"]) == analysed.themes.count()
    assert data["pending"] is None and data["failure"] is None
    signals = client.get(f"/api/observatory/campaigns/{campaign.slug}/signals").json()
    assert len(signals) == analysed.signals.count()
    period = analysed.periods[-1]
    some = client.get(
        f"/api/observatory/campaigns/{campaign.slug}/signals", {"period": period}
    ).json()
    assert {s["period"] for s in some} <= {period}
    assert client.get("/api/observatory/campaigns/nope").status_code == 404


def test_the_api_of_a_territory_without_analysis_is_empty(personas: Any, client: Any) -> None:
    data = client.get(f"/api/observatory/territories/{personas.commune.slug}").json()
    assert data == {"latest": None, "pending": None, "failure": None, "themes": []}
    assert client.get(f"/api/observatory/territories/{personas.commune.slug}/signals").json() == []


@pytest.mark.parametrize("role", ROLES)
def test_only_facilitators_and_admins_recompute_through_the_api(
    role: str, campaign: Any, client_as: Any
) -> None:
    response = client_as(role).post(
        f"/api/observatory/campaigns/{campaign.slug}", {}, content_type="application/json"
    )
    if role == "visitor":
        assert response.status_code == 401
    elif role in MANAGERS:
        assert response.status_code == 202
        assert response.json()["status"] in ("queued", "failed", "done")
    else:
        assert response.status_code == 403
    assert AnalysisRun.objects.exists() == (role in MANAGERS)


def test_the_api_refuses_one_theme_with_a_422(campaign: Any, client_as: Any) -> None:
    response = client_as("facilitator").post(
        f"/api/observatory/campaigns/{campaign.slug}",
        {"n_themes": 1},
        content_type="application/json",
    )
    assert response.status_code == 422
