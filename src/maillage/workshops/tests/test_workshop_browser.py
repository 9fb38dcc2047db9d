"""From an empty platform, in French and in English: an organization creates, edits,
duplicates and cancels a workshop.

The buttons and messages are found by their interface texts in the page's language (gettext),
never by French literals; in English, no French interface text may show on a page.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from maillage.core.tests.browser import chromium, logged_in_context, say
from maillage.core.tests.watched import check, watched_page
from maillage.workshops.models import Workshop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the organization types: data, not interface text.
DATA = {
    "fr": {
        "title": "Réparer nos vélos ensemble",
        "theme": "Mobilité",
        "method": "Atelier participatif",
        "place": "Garage solidaire, 3 rue du Moulin",
        "new_place": "Salle des fêtes",
    },
    "en": {
        "title": "Fixing our bikes together",
        "theme": "Mobility",
        "method": "Hands-on workshop",
        "place": "Community garage, 3 Mill Street",
        "new_place": "Village hall",
    },
}


@pytest.fixture(scope="module")
def browser():
    with chromium() as instance:
        yield instance


@pytest.mark.parametrize("language", ["fr", "en"])
def test_an_organization_creates_edits_duplicates_and_cancels_a_workshop(
    browser, live_server, personas, language
):
    data = DATA[language]
    context = logged_in_context(browser, live_server, personas.org_admin, language)
    page, watch = watched_page(context, live_server.url, language, data=list(data.values()))
    start = timezone.localtime(timezone.now() + dt.timedelta(days=7)).replace(
        hour=18, minute=0, second=0, microsecond=0
    )

    page.goto(f"{live_server.url}/ateliers/")
    page.get_by_role("link", name=say(language, "Organize a workshop")).click()
    page.wait_for_url("**/ateliers/nouveau/")
    check(page, watch, "creation form", shot=f"workshop-create-{language}")
    # The only organization of the person is already chosen.
    assert page.eval_on_selector("#id_organizers", "el => el.selectedOptions.length") == 1
    page.fill("#id_title", data["title"])
    page.fill("#id_theme", data["theme"])
    page.fill("#id_method", data["method"])
    page.select_option("#id_territory", label="Commune Test")
    page.fill("#id_place", data["place"])
    page.fill("#id_starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_ends_at", (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_capacity", "12")
    page.click("form.form button[type=submit]")
    page.get_by_text(
        say(language, "The workshop is created; people can register on this page.")
    ).wait_for()
    check(page, watch, "workshop created", shot=f"workshop-detail-{language}")
    workshop = Workshop.objects.get()

    page.get_by_role("link", name=say(language, "Edit the workshop")).click()
    page.wait_for_url(f"**/ateliers/{workshop.slug}/modifier/")
    check(page, watch, "edit form", shot=f"workshop-edit-{language}")
    page.fill("#id_place", data["new_place"])
    page.fill("#id_capacity", "20")
    page.click("form.form button[type=submit]")
    page.get_by_text(say(language, "The workshop is updated.")).wait_for()
    assert data["new_place"] in page.text_content("main")
    check(page, watch, "workshop edited")

    page.get_by_text(say(language, "Duplicate for another date (a series)")).click()
    later = start + dt.timedelta(days=7)
    page.fill("#id_copy-starts_at", later.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name=say(language, "Duplicate"), exact=True).click()
    page.get_by_text(say(language, "The workshop is duplicated: here is the new date.")).wait_for()
    check(page, watch, "workshop duplicated")
    copy = Workshop.objects.exclude(pk=workshop.pk).get()
    assert (copy.place, copy.capacity) == (data["new_place"], 20)

    page.goto(f"{live_server.url}{workshop.get_absolute_url()}")
    page.get_by_role("button", name=say(language, "Cancel the workshop")).click()
    page.get_by_text(say(language, "This workshop is cancelled.")).first.wait_for()
    check(page, watch, "workshop cancelled", shot=f"workshop-cancelled-{language}")
    workshop.refresh_from_db()
    assert workshop.is_cancelled
    assert (workshop.place, workshop.capacity, workshop.sequence) == (data["new_place"], 20, 2)
    context.close()
