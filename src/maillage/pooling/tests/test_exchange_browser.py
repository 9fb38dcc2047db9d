"""From an empty platform, in French: two organizations record and confirm an exchange."""

from __future__ import annotations

import datetime as dt

import pytest

from maillage.core.tests.browser import chromium, logged_in_context
from maillage.core.tests.watched import check, watched_page
from maillage.pooling.models import Exchange

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser():
    with chromium() as instance:
        yield instance


def test_two_organizations_record_and_confirm_an_exchange(
    browser, live_server, personas, partner, partner_member
):
    base = live_server.url
    recorder = logged_in_context(browser, live_server, personas.org_admin)
    page, watch = watched_page(recorder, base)
    page.goto(f"{base}/mutualisation/echanges/nouveau/")
    check(page, watch, "exchange form", shot="exchange-form")
    # "Au nom de": the person's only organization is already the giver.
    assert page.input_value("#id_giver") == str(personas.organization.pk)
    page.select_option("#id_receiver", label="Fablab Test")
    page.fill("#id_what", "Prêt de la salle de réunion pour deux ateliers")
    page.fill("#id_happened_on", (dt.date.today() - dt.timedelta(days=2)).isoformat())
    page.fill("#id_duration_hours", "6")
    page.fill("#id_feedback", "Ravis de les accueillir")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("text=Il comptera dès que Fablab Test le confirmera")
    check(page, watch, "exchange recorded", shot="exchange-recorded")
    assert "En attente de la confirmation de Fablab Test" in page.text_content("main")
    exchange = Exchange.objects.get()
    assert not exchange.is_confirmed
    recorder.close()

    confirmer = logged_in_context(browser, live_server, partner_member)
    page, watch = watched_page(confirmer, base)
    page.goto(f"{base}/mutualisation/organisations/{partner.slug}/")
    check(page, watch, "awaiting confirmation", shot="exchange-pending")
    page.fill(f"#confirm-feedback-{exchange.pk}", "Salle parfaite, merci !")
    page.click("text=Confirmer cet échange")
    page.wait_for_selector("text=L'échange est confirmé")
    check(page, watch, "exchange confirmed", shot="exchange-confirmed")
    confirmer.close()

    exchange.refresh_from_db()
    assert exchange.is_confirmed
    assert exchange.receiver_feedback == "Salle parfaite, merci !"
    visitor = browser.new_context(locale="fr-FR", bypass_csp=True)
    page, watch = watched_page(visitor, base)
    page.goto(f"{base}/mutualisation/organisations/{personas.organization.slug}/")
    assert "Prêt de la salle de réunion" in page.text_content("main")
    check(page, watch, "public history")
    visitor.close()


def test_an_organization_edits_and_withdraws_its_offer(browser, live_server, personas):
    from maillage.pooling.models import Offer
    from maillage.pooling.tests.conftest import listing

    offer = listing("offer", personas.org_admin, personas.organization, personas.commune)
    context = logged_in_context(browser, live_server, personas.org_admin)
    page, watch = watched_page(context, live_server.url)
    page.goto(f"{live_server.url}{offer.get_absolute_url()}")
    check(page, watch, "offer page", shot="offer-manage")
    page.click("text=Modifier l'offre")
    page.wait_for_url(f"**/mutualisation/offres/{offer.pk}/modifier/")
    check(page, watch, "offer edit", shot="offer-edit")
    assert page.input_value("#id_available_from") == offer.available_from.isoformat()
    page.fill("#id_title", "Prêt de deux imprimantes 3D")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("h1:has-text('Prêt de deux imprimantes 3D')")
    page.click("text=Retirer de l'annuaire")
    page.wait_for_selector("text=Retiré : il n'apparaît plus dans l'annuaire.")
    check(page, watch, "offer withdrawn")
    assert not Offer.objects.get(pk=offer.pk).is_active
    context.close()


def test_the_offer_list_of_an_exchange_is_filtered_by_words_and_stays_a_plain_select_without_js(
    browser, live_server, personas, partner, partner_member
):
    from maillage.core.tests.browser import Watcher
    from maillage.pooling.tests.conftest import listing

    for title in ("Prêt d'une imprimante 3D", "Salle de réunion", "Découpeuse laser"):
        listing("offer", partner_member, partner, personas.commune, title=title)
    listing("offer", personas.org_admin, personas.organization, personas.commune, title="Vélos")
    path = "/mutualisation/echanges/nouveau/"

    context = logged_in_context(browser, live_server, personas.org_admin)
    page = context.new_page()
    watch = Watcher(page, live_server.url, "org-admin")
    watch.goto(path, "exchange-form-filter")
    page.fill("#id_offer-filter", "fablab decoupeuse")  # the organization's words, no accent
    options = page.locator("#id_offer option").all_inner_texts()
    assert options == ["—", "Découpeuse laser"]
    assert page.text_content("#id_offer-filter ~ p[role=status]") == "Dans la liste : 1"
    page.select_option("#id_offer", label="Découpeuse laser")
    page.fill("#id_offer-filter", "vélos")
    # The chosen offer stays in the list, whatever is typed next.
    assert sorted(page.locator("#id_offer option").all_inner_texts()) == [
        "Découpeuse laser",
        "Vélos",
        "—",
    ]
    page.fill("#id_offer-filter", "")
    assert page.locator("#id_offer option").count() == 5
    watch.check("exchange-form-filtered")
    context.close()
    assert not watch.problems, "\n".join(watch.problems)

    # Without JavaScript the page sends the plain select, every offer in its organization's group.
    from django.test import Client

    client = Client()
    client.force_login(personas.org_admin)
    html = client.get(path).content.decode()
    assert 'id="id_offer-filter"' not in html
    for title in ("Prêt d&#x27;une imprimante 3D", "Salle de réunion", "Découpeuse laser", "Vélos"):
        assert title in html
    assert '<optgroup label="Fablab Test">' in html
