"""From an empty platform, in French, through the pages only: a territory admin sets up a
steering committee of three institutions, a proposal goes through clarification, reactions
and a consent round with one objection that is integrated, and reaches the public register.

Only the accounts and organizations exist beforehand (they have their own pages, tested
elsewhere). Every page must load without a console error or a failed same-origin request,
and axe-core must find nothing on it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest

from maillage.core.tests.browser import Watcher, chromium, logged_in_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser():
    with chromium() as instance:
        yield instance


def _people(personas: Any) -> dict[str, Any]:
    from maillage.organizations.services import organization_create
    from maillage.people.models import Person

    people: dict[str, Any] = {
        key: Person.objects.create_user(f"{key}@example.org", "pw-not-used", display_name=name)
        for key, name in [
            ("maire_a", "Anne Maire"),
            ("adjoint_a", "Paul Adjoint"),
            ("maire_b", "Bernard Maire"),
            ("recteur", "Claire Recteur"),
        ]
    }
    people["organizations"] = [
        organization_create(name=name, kind=kind)
        for name, kind in [
            ("Commune de Hautecombe", "commune"),
            ("Commune de Riedwihr", "commune"),
            ("Université de Bramont", "university"),
        ]
    ]
    return people


def test_a_steering_committee_takes_a_decision_by_consent_from_an_empty_platform(
    browser: Any, live_server: Any, personas: Any
) -> None:
    from maillage.decisions.models import Decision

    people = _people(personas)
    base = live_server.url
    problems: list[str] = []

    # 1. The territory admin creates the committee, its three delegations and a facilitator.
    context = logged_in_context(browser, live_server, personas.territory_admin)
    admin = Watcher(context.new_page(), base, "admin")
    admin.goto("/cercles/", "circles")
    admin.submit("a[href='/cercles/nouveau/']", "circle-new")
    page = admin.page
    page.fill("#id_name", "Comité de pilotage de la friche")
    page.select_option("#id_kind", "steering_committee")
    page.select_option("#id_owner", f"territory-{personas.commune.pk}")
    page.fill("#id_purpose", "Co-piloter la reconversion de la friche.")
    admin.submit("form.form button[type=submit]", "committee")
    assert "Le comité de pilotage est créé" in page.content()
    committee_url = urlparse(page.url).path
    orgs = people["organizations"]
    for org, rule, emails, head in [
        (orgs[0], "unanimity", "maire_a@example.org\nadjoint_a@example.org", ""),
        (orgs[1], "majority", "maire_b@example.org", ""),
        (orgs[2], "head", "recteur@example.org", "recteur@example.org"),
    ]:
        admin.submit("a[href$='/delegations/ajouter/']", "delegation-new")
        page.select_option("#id_organization", str(org.pk))
        page.check(f"input[name=rule][value={rule}]")
        page.fill("#id_delegates", emails)
        page.fill("#id_head", head)
        admin.submit("form.form button[type=submit]", "committee-with-delegation")
        assert f"La délégation de {org.name} siège au comité" in page.content()
    admin.submit("a[href$='/membres/ajouter/']", "member-new")
    page.fill("#id_email", personas.facilitator.email)
    admin.submit("form.form button[type=submit]", "committee-complete")
    problems += admin.problems
    context.close()

    # 2. A delegate makes a proposal and asks the rotation for its facilitator.
    context = logged_in_context(browser, live_server, people["maire_a"])
    author = Watcher(context.new_page(), base, "author")
    author.goto(committee_url, "committee-as-delegate")
    author.submit("a[href$='/proposer/']", "propose")
    page = author.page
    page.fill("#id_title", "Ouvrir la halle aux associations")
    page.fill("#id_text", "La grande halle ouvre aux associations le samedi.")
    author.submit("form.form button[type=submit]", "proposal")
    decision_url = urlparse(page.url).path
    author.submit("form[action$='/roles/'] button", "roles-chosen")
    problems += author.problems
    context.close()

    # 3. The facilitator, present, takes the turn if the rotation chose someone else, then
    # runs the clarifying and reactions rounds, recording what the delegates say.
    context = logged_in_context(browser, live_server, personas.facilitator)
    facilitator = Watcher(context.new_page(), base, "facilitator")
    facilitator.goto(decision_url, "decision-draft")
    page = facilitator.page
    decision = Decision.objects.get(title="Ouvrir la halle aux associations")
    if decision.facilitator_id != personas.facilitator.pk:
        take_over = page.locator("form[action*='/remplacer/'] button", has_text="animat")
        with page.expect_navigation():
            take_over.first.click()
        facilitator.check("took-over")
    assert "Ouvrir un tour de clarification" in page.content()
    assert "Consentement" not in page.locator("form[action$='/tours/ouvrir/']").inner_text()
    facilitator.submit("form[action$='/tours/ouvrir/'] button[type=submit]", "clarifying-open")
    page.select_option("#id_member", str(people["maire_b"].pk))
    page.fill("#id_text", "Qui assure la sécurité le samedi ?")
    facilitator.submit("form[action$='/intervenir/'] button[type=submit]", "question")
    page.click("details summary")
    page.fill("textarea[name=reply]", "Le gardien de la friche, comme en semaine.")
    facilitator.submit("form[action$='/repondre/'] button[type=submit]", "question-replied")
    facilitator.submit("form[action$='/cloturer/'] button", "clarifying-closed")
    assert "Ouvrir un tour de réactions" in page.content()
    facilitator.submit("form[action$='/tours/ouvrir/'] button[type=submit]", "reactions-open")
    page.select_option("#id_member", str(people["recteur"].pk))
    page.fill("#id_text", "Bonne idée, la halle est vide le week-end.")
    facilitator.submit("form[action$='/intervenir/'] button[type=submit]")
    facilitator.submit("form[action$='/cloturer/'] button", "reactions-closed")

    # 4. The consent round: one objection, recorded with its reason and remedy.
    assert "Ouvrir le tour de consentement" in page.content()
    facilitator.submit("form[action$='/tours/ouvrir/'] button[type=submit]", "consent-open")

    def answer(person: Any, kind: str, reason: str = "", remedy: str = "") -> None:
        page.select_option("#id_member", str(person.pk))
        page.check(f"input[name=kind][value={kind}]")
        page.fill("#id_reason", reason)
        page.fill("#id_acceptable_if", remedy)
        facilitator.submit("form[action$='/repondre/'] button[type=submit]")

    answer(people["maire_a"], "consent")
    answer(
        people["adjoint_a"], "objection", "Le samedi matin est jour de marché.", "Ouvrir à 14 h."
    )
    answer(people["maire_b"], "consent")
    answer(people["recteur"], "consent")
    facilitator.check("consent-answers")
    facilitator.submit("form[action$='/cloturer/'] button", "objection-stands")
    html = page.content()
    assert "Intégration des objections" in html or "Intégrer les objections" in html
    table = page.locator("#delegations-title + p + .table-scroll").inner_text()
    assert "attente" not in table

    # 5. The objection is integrated in a new version; the second consent round adopts it.
    facilitator.submit("a[href$='/amender/']", "amend")
    page.fill("#id_text", "La grande halle ouvre aux associations le samedi à partir de 14 h.")
    page.fill("#id_note", "Après le marché du samedi matin.")
    page.fill("textarea[id^=id_integration_]", "L'ouverture est repoussée à 14 h.")
    facilitator.submit("form.form button[type=submit]", "amended")
    facilitator.submit("form[action$='/tours/ouvrir/'] button[type=submit]", "consent-again")
    for person in (people["maire_a"], people["adjoint_a"], people["maire_b"], people["recteur"]):
        answer(person, "consent")
    facilitator.submit("form[action$='/cloturer/'] button", "adopted")
    assert Decision.objects.get(pk=decision.pk).state == "adopted"
    problems += facilitator.problems
    context.close()

    # 6. Anyone reads it in the public register of the territory, on a phone and a desktop.
    for width in (390, 1280):
        context = browser.new_context(
            viewport={"width": width, "height": 900}, locale="fr-FR", bypass_csp=True
        )
        visitor = Watcher(context.new_page(), base, f"visitor-{width}")
        visitor.goto(f"/registre/{personas.commune.slug}/", "register")
        assert "Ouvrir la halle aux associations" in visitor.page.content()
        visitor.goto(decision_url, "decision-adopted")
        assert "à partir de 14 h" in visitor.page.content()
        problems += visitor.problems
        context.close()
    assert not problems, "\n".join(problems)
