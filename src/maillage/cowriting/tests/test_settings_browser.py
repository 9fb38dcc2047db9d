"""From an empty platform, in French: a work is renamed and made public by one writer, named,
proposed, consented to by the other writer and published; a visitor then reads it.

The editor page is not visited: it needs the websocket server, which the browser test of the
editor runs (test_editor_browser.py); these steps are the back-office pages around it.
"""

from __future__ import annotations

import pytest

from maillage.core.tests.browser import chromium, logged_in_context
from maillage.core.tests.watched import check, watched_page
from maillage.cowriting import services
from maillage.cowriting.models import PublishedVersion
from maillage.cowriting.tests.conftest import Pen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser():
    with chromium() as instance:
        yield instance


def test_a_work_is_renamed_and_published(browser, live_server, personas):
    work = services.work_create(
        actor=personas.org_admin, title="Brouillon", organization=personas.organization
    )
    services.participant_invite(
        work=work, actor=personas.org_admin, person=personas.facilitator, role="writer"
    )
    Pen(work).write(personas.org_admin, lambda text: text.insert(0, "Nous avons marché."))
    base = f"{live_server.url}/co-ecriture/{work.pk}"

    writer = logged_in_context(browser, live_server, personas.org_admin)
    page, watch = watched_page(writer, live_server.url)
    page.goto(f"{base}/versions/")
    page.click("nav.breadcrumb >> text=Réglages")
    page.wait_for_url(f"**/co-ecriture/{work.pk}/reglages/")
    check(page, watch, "settings", shot="work-settings")
    page.fill("#id_title", "Récit de la traversée")
    page.check("#id_is_public")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("text=Les autres participants sont prévenus")
    assert page.input_value("#id_title") == "Récit de la traversée"
    check(page, watch, "renamed", shot="work-renamed")

    page.click("nav.breadcrumb >> text=Versions")
    page.fill("#id_name", "Première version")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("text=La version est enregistrée")
    check(page, watch, "version named")
    page.click("nav.breadcrumb >> text=Publication")
    page.select_option("#propose-version", label="Première version")
    page.click("text=Proposer à la publication")
    page.wait_for_selector("text=La version est proposée aux coauteurs")
    check(page, watch, "proposed", shot="work-proposed")
    writer.close()

    cowriter = logged_in_context(browser, live_server, personas.facilitator)
    page, watch = watched_page(cowriter, live_server.url)
    page.goto(f"{base}/publication/")
    page.check("input[name=decision][value=consent]")
    page.click("text=Enregistrer ma décision")
    page.wait_for_selector("text=Votre décision est enregistrée")
    check(page, watch, "consented", shot="work-published")
    cowriter.close()

    publication = PublishedVersion.objects.get()
    assert (publication.title, publication.text) == ("Récit de la traversée", "Nous avons marché.")
    visitor = browser.new_context(locale="fr-FR", bypass_csp=True)
    page, watch = watched_page(visitor, live_server.url)
    page.goto(f"{live_server.url}/co-ecriture/publications/")
    page.click("text=Récit de la traversée")
    page.wait_for_selector("text=Nous avons marché.")
    check(page, watch, "public publication")
    visitor.close()
