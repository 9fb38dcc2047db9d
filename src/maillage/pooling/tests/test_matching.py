"""Suggestions: the live top 10 for one need and the stored nightly recomputation."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from maillage.pooling.models import Offer, Suggestion
from maillage.pooling.services import (
    exchange_confirm,
    exchange_record,
    need_suggestions_live,
    suggestion_recompute_all,
)
from maillage.pooling.tests.conftest import listing


def _setup(personas, partner, outsider_org):
    admin = personas.platform_admin
    need = listing(
        "need",
        admin,
        personas.organization,
        personas.commune,
        category="equipment",
        title="Besoin d'une imprimante 3D",
        description="Imprimer des pièces de vélo.",
    )
    own = listing("offer", admin, personas.organization, personas.commune, title="Imprimante 3D")
    near = listing("offer", admin, partner, personas.commune, title="Imprimante 3D du fablab")
    far = listing(
        "offer", admin, outsider_org, personas.commune, category="skills", title="Comptabilité"
    )
    return need, own, near, far


def test_the_live_top_10_ranks_the_fitting_offer_first_and_never_the_needs_own(
    personas, partner, outsider_org
):
    need, own, near, far = _setup(personas, partner, outsider_org)
    suggestions = need_suggestions_live(need)
    ids = [s.offer.pk for s in suggestions]
    assert ids[0] == near.pk
    assert own.pk not in ids
    assert suggestions[0].terms.category == 1.0
    assert suggestions[0].terms.text > 0


def test_a_usual_partner_gets_a_smaller_bonus_than_a_new_one(
    personas, partner, partner_member, outsider_org
):
    need, _own, near, _far = _setup(personas, partner, outsider_org)
    before = need_suggestions_live(need)[0].terms.partner
    exchange = exchange_record(
        actor=personas.org_admin,
        giver=partner,
        receiver=personas.organization,
        what="Prêt",
        happened_on=dt.date(2026, 1, 1),
    )
    # Pending, the exchange does not make them usual partners yet.
    assert need_suggestions_live(need)[0].terms.partner == before
    exchange_confirm(exchange=exchange, actor=partner_member)
    after = next(s for s in need_suggestions_live(need) if s.offer.pk == near.pk).terms.partner
    assert after == before / 2


def test_the_nightly_recomputation_stores_ranked_suggestions_and_replaces_old_ones(
    personas, partner, outsider_org
):
    need, own, near, far = _setup(personas, partner, outsider_org)
    assert suggestion_recompute_all() == 2
    stored = list(Suggestion.objects.filter(need=need).order_by("rank"))
    assert [s.offer_id for s in stored] == [near.pk, far.pk]
    assert stored[0].score > stored[1].score
    assert [s.rank for s in stored] == [1, 2]
    assert abs(stored[0].computed_at - timezone.now()) < dt.timedelta(minutes=1)
    assert suggestion_recompute_all() == 2
    assert Suggestion.objects.count() == 2


def test_the_nightly_recomputation_clears_suggestions_once_no_offer_is_active(
    personas, partner, outsider_org
):
    _setup(personas, partner, outsider_org)
    assert suggestion_recompute_all() == 2
    Offer.objects.update(is_active=False)
    assert suggestion_recompute_all() == 0
    assert not Suggestion.objects.exists()


def test_the_need_page_and_api_show_the_top_suggestions(client, personas, partner, outsider_org):
    need, _own, near, _far = _setup(personas, partner, outsider_org)
    page = client.get(need.get_absolute_url())
    assert page.status_code == 200
    assert "Imprimante 3D du fablab" in page.content.decode()
    body = client.get(f"/api/pooling/needs/{need.pk}/suggestions").json()
    assert body[0]["offer"]["id"] == near.pk
    assert body[0]["rank"] == 1
