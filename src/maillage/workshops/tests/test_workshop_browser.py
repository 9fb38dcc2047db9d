"""From an empty platform, in French: an organization creates, edits, duplicates and cancels a
workshop."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from maillage.core.tests.browser import chromium, logged_in_context
from maillage.core.tests.watched import check, watched_page
from maillage.workshops.models import Workshop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser():
    with chromium() as instance:
        yield instance


def test_an_organization_creates_edits_duplicates_and_cancels_a_workshop(
    browser, live_server, personas
):
    context = logged_in_context(browser, live_server, personas.org_admin)
    page, watch = watched_page(context, live_server.url)
    start = timezone.localtime(timezone.now() + dt.timedelta(days=7)).replace(
        hour=18, minute=0, second=0, microsecond=0
    )

    page.goto(f"{live_server.url}/ateliers/")
    page.click("text=Organiser un atelier")
    page.wait_for_url("**/ateliers/nouveau/")
    check(page, watch, "creation form", shot="workshop-create")
    # The only organization of the person is already chosen.
    assert page.eval_on_selector("#id_organizers", "el => el.selectedOptions.length") == 1
    page.fill("#id_title", "Réparer nos vélos ensemble")
    page.fill("#id_theme", "Mobilité")
    page.fill("#id_method", "Atelier participatif")
    page.select_option("#id_territory", label="Commune Test")
    page.fill("#id_place", "Garage solidaire, 3 rue du Moulin")
    page.fill("#id_starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_ends_at", (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_capacity", "12")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("text=L'atelier est créé")
    check(page, watch, "workshop created", shot="workshop-detail")
    workshop = Workshop.objects.get()

    page.click("text=Modifier l'atelier")
    page.wait_for_url(f"**/ateliers/{workshop.slug}/modifier/")
    check(page, watch, "edit form", shot="workshop-edit")
    page.fill("#id_place", "Salle des fêtes")
    page.fill("#id_capacity", "20")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("text=L'atelier est modifié.")
    assert "Salle des fêtes" in page.text_content("main")
    check(page, watch, "workshop edited")

    page.click("text=Dupliquer à une autre date (une série)")
    later = start + dt.timedelta(days=7)
    page.fill("#id_copy-starts_at", later.strftime("%Y-%m-%dT%H:%M"))
    page.click("text=Dupliquer >> nth=-1")
    page.wait_for_selector("text=L'atelier est dupliqué")
    check(page, watch, "workshop duplicated")
    copy = Workshop.objects.exclude(pk=workshop.pk).get()
    assert (copy.place, copy.capacity) == ("Salle des fêtes", 20)

    page.goto(f"{live_server.url}{workshop.get_absolute_url()}")
    page.click("text=Annuler l'atelier")
    page.wait_for_selector("text=Cet atelier est annulé.")
    check(page, watch, "workshop cancelled", shot="workshop-cancelled")
    workshop.refresh_from_db()
    assert workshop.is_cancelled
    assert (workshop.place, workshop.capacity, workshop.sequence) == ("Salle des fêtes", 20, 2)
    context.close()
