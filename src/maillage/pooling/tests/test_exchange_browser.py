"""From an empty platform, in French and in English: two organizations record and confirm an
exchange; an organization edits and withdraws its offer.

Buttons and messages are found by their interface texts in the page's language (gettext),
never by French literals; in English, no French interface text may show on a page.
"""

from __future__ import annotations

import datetime as dt

import pytest

from maillage.core.tests.browser import LOCALES, chromium, logged_in_context, say
from maillage.core.tests.watched import check, watched_page
from maillage.pooling.models import Exchange

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the organizations type: data, not interface text.
DATA = {
    "fr": {
        "what": "Prêt de la salle de réunion pour deux ateliers",
        "feedback": "Ravis de les accueillir",
        "thanks": "Salle parfaite, merci !",
        "offer": "Prêt d'une imprimante 3D",
        "description": "Une imprimante 3D et de la formation pour s'en servir.",
        "new_title": "Prêt de deux imprimantes 3D",
    },
    "en": {
        "what": "Lending the meeting room for two workshops",
        "feedback": "Glad to host them",
        "thanks": "Perfect room, thank you!",
        "offer": "Lending a 3D printer",
        "description": "A 3D printer and the training to use it.",
        "new_title": "Lending two 3D printers",
    },
}


@pytest.fixture(scope="module")
def browser():
    with chromium() as instance:
        yield instance


@pytest.mark.parametrize("language", ["fr", "en"])
def test_two_organizations_record_and_confirm_an_exchange(
    browser, live_server, personas, partner, partner_member, language
):
    data = DATA[language]
    typed = list(data.values())
    base = live_server.url
    recorder = logged_in_context(browser, live_server, personas.org_admin, language)
    page, watch = watched_page(recorder, base, language, typed)
    page.goto(f"{base}/mutualisation/echanges/nouveau/")
    check(page, watch, "exchange form", shot=f"exchange-form-{language}")
    # "Au nom de": the person's only organization is already the giver.
    assert page.input_value("#id_giver") == str(personas.organization.pk)
    page.select_option("#id_receiver", label="Fablab Test")
    page.fill("#id_what", data["what"])
    page.fill("#id_happened_on", (dt.date.today() - dt.timedelta(days=2)).isoformat())
    page.fill("#id_duration_hours", "6")
    page.fill("#id_feedback", data["feedback"])
    page.click("form.form button[type=submit]")
    recorded = say(
        language,
        "The exchange is recorded. It counts once %(organization)s confirms it; its "
        "members are told by email.",
        organization="Fablab Test",
    )
    page.get_by_text(recorded).wait_for()
    check(page, watch, "exchange recorded", shot=f"exchange-recorded-{language}")
    awaiting = say(language, "Awaiting the confirmation of %(name)s.", name="Fablab Test")
    assert awaiting in page.text_content("main")
    exchange = Exchange.objects.get()
    assert not exchange.is_confirmed
    recorder.close()

    confirmer = logged_in_context(browser, live_server, partner_member, language)
    page, watch = watched_page(confirmer, base, language, typed)
    page.goto(f"{base}/mutualisation/organisations/{partner.slug}/")
    check(page, watch, "awaiting confirmation", shot=f"exchange-pending-{language}")
    page.fill(f"#confirm-feedback-{exchange.pk}", data["thanks"])
    page.get_by_role("button", name=say(language, "Confirm this exchange")).click()
    page.get_by_text(say(language, "The exchange is confirmed: it now counts for both.")).wait_for()
    check(page, watch, "exchange confirmed", shot=f"exchange-confirmed-{language}")
    confirmer.close()

    exchange.refresh_from_db()
    assert exchange.is_confirmed
    assert exchange.receiver_feedback == data["thanks"]
    visitor = browser.new_context(locale=LOCALES[language], bypass_csp=True)
    page, watch = watched_page(visitor, base, language, typed)
    page.goto(f"{base}/mutualisation/organisations/{personas.organization.slug}/")
    assert data["what"] in page.text_content("main")
    check(page, watch, "public history")
    visitor.close()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_an_organization_edits_and_withdraws_its_offer(browser, live_server, personas, language):
    from maillage.pooling.models import Offer
    from maillage.pooling.tests.conftest import listing

    data = DATA[language]
    offer = listing(
        "offer",
        personas.org_admin,
        personas.organization,
        personas.commune,
        title=data["offer"],
        description=data["description"],
    )
    context = logged_in_context(browser, live_server, personas.org_admin, language)
    page, watch = watched_page(context, live_server.url, language, list(data.values()))
    page.goto(f"{live_server.url}{offer.get_absolute_url()}")
    check(page, watch, "offer page", shot=f"offer-manage-{language}")
    page.get_by_role("link", name=say(language, "Edit the offer")).click()
    page.wait_for_url(f"**/mutualisation/offres/{offer.pk}/modifier/")
    check(page, watch, "offer edit", shot=f"offer-edit-{language}")
    assert page.input_value("#id_available_from") == offer.available_from.isoformat()
    page.fill("#id_title", data["new_title"])
    page.click("form.form button[type=submit]")
    page.wait_for_selector(f"h1:has-text('{data['new_title']}')")
    page.get_by_role("button", name=say(language, "Withdraw it")).click()
    page.get_by_text(say(language, "Withdrawn: it no longer appears in the directory.")).wait_for()
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
