"""From an empty platform, in French and in English: a work is renamed and made public by one
writer, named, proposed, consented to by the other writer and published; a visitor then reads it.

The editor page is not visited: it needs the websocket server, which the browser test of the
editor runs (test_editor_browser.py); these steps are the back-office pages around it. Links
and buttons are found by their addresses and by their interface texts in the page's language
(gettext); in English, no French interface text may show on a page.
"""

from __future__ import annotations

import pytest

from maillage.core.tests.browser import LOCALES, chromium, logged_in_context, say
from maillage.core.tests.watched import check, watched_page
from maillage.cowriting import services
from maillage.cowriting.models import PublishedVersion
from maillage.cowriting.tests.conftest import Pen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the writers type: data, not interface text.
DATA = {
    "fr": {
        "draft": "Brouillon",
        "title": "Récit de la traversée",
        "text": "Nous avons marché.",
        "version": "Première version",
    },
    "en": {
        "draft": "Draft",
        "title": "Story of the crossing",
        "text": "We walked.",
        "version": "First version",
    },
}


@pytest.fixture(scope="module")
def browser():
    with chromium() as instance:
        yield instance


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_work_is_renamed_and_published(browser, live_server, personas, language):
    data = DATA[language]
    typed = list(data.values())
    work = services.work_create(
        actor=personas.org_admin, title=data["draft"], organization=personas.organization
    )
    services.participant_invite(
        work=work, actor=personas.org_admin, person=personas.facilitator, role="writer"
    )
    Pen(work).write(personas.org_admin, lambda text: text.insert(0, data["text"]))
    base = f"{live_server.url}/co-ecriture/{work.pk}"

    writer = logged_in_context(browser, live_server, personas.org_admin, language)
    page, watch = watched_page(writer, live_server.url, language, typed)
    page.goto(f"{base}/versions/")
    page.click(f"nav.breadcrumb a[href='/co-ecriture/{work.pk}/reglages/']")
    page.wait_for_url(f"**/co-ecriture/{work.pk}/reglages/")
    check(page, watch, "settings", shot=f"work-settings-{language}")
    page.fill("#id_title", data["title"])
    page.check("#id_is_public")
    page.click("form.form button[type=submit]")
    page.get_by_text(
        say(language, "Saved. The other participants are told of the new visibility.")
    ).wait_for()
    assert page.input_value("#id_title") == data["title"]
    check(page, watch, "renamed", shot=f"work-renamed-{language}")

    page.click(f"nav.breadcrumb a[href='/co-ecriture/{work.pk}/versions/']")
    page.fill("#id_name", data["version"])
    page.click("form.form button[type=submit]")
    page.get_by_text(say(language, "The version is saved.")).wait_for()
    check(page, watch, "version named")
    page.click(f"nav.breadcrumb a[href='/co-ecriture/{work.pk}/publication/']")
    page.select_option("#propose-version", label=data["version"])
    page.get_by_role("button", name=say(language, "Propose for publication")).click()
    page.get_by_text(say(language, "The version is proposed to the co-authors.")).wait_for()
    check(page, watch, "proposed", shot=f"work-proposed-{language}")
    writer.close()

    cowriter = logged_in_context(browser, live_server, personas.facilitator, language)
    page, watch = watched_page(cowriter, live_server.url, language, typed)
    page.goto(f"{base}/publication/")
    page.check("input[name=decision][value=consent]")
    page.get_by_role("button", name=say(language, "Record my decision")).click()
    page.get_by_text(say(language, "Your decision is recorded.")).wait_for()
    check(page, watch, "consented", shot=f"work-published-{language}")
    cowriter.close()

    publication = PublishedVersion.objects.get()
    assert (publication.title, publication.text) == (data["title"], data["text"])
    visitor = browser.new_context(locale=LOCALES[language], bypass_csp=True)
    page, watch = watched_page(visitor, live_server.url, language, typed)
    page.goto(f"{live_server.url}/co-ecriture/publications/")
    page.get_by_role("link", name=data["title"]).first.click()
    page.get_by_text(data["text"]).first.wait_for()
    check(page, watch, "public publication")
    visitor.close()
