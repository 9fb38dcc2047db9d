"""From an empty platform, in French and in English, through the pages only: a territory admin
sets up a steering committee of three institutions, a proposal goes through clarification,
reactions and a consent round with one objection that is integrated, and reaches the public
register.

Only the accounts and organizations exist beforehand (they have their own pages, tested
elsewhere). Every page must load without a console error or a failed same-origin request,
axe-core must find nothing on it, and in English no French interface text may show on it.
Links, buttons and messages are found by their addresses, ``data-*`` hooks and interface texts
in the page's language (gettext), never by French literals.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest

from maillage.core.tests.browser import LOCALES, Watcher, chromium, logged_in_context, say

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the people of the journey type: data, not interface text.
DATA = {
    "fr": {
        "committee": "Comité de pilotage de la friche",
        "purpose": "Co-piloter la reconversion de la friche.",
        "title": "Ouvrir la halle aux associations",
        "text": "La grande halle ouvre aux associations le samedi.",
        "question": "Qui assure la sécurité le samedi ?",
        "reply": "Le gardien de la friche, comme en semaine.",
        "reaction": "Bonne idée, la halle est vide le week-end.",
        "reason": "Le samedi matin est jour de marché.",
        "remedy": "Ouvrir à 14 h.",
        "amended": "La grande halle ouvre aux associations le samedi à partir de 14 h.",
        "note": "Après le marché du samedi matin.",
        "integration": "L'ouverture est repoussée à 14 h.",
        "after_two": "à partir de 14 h",
    },
    "en": {
        "committee": "Steering committee of the brownfield",
        "purpose": "Steer the conversion of the brownfield together.",
        "title": "Open the market hall to associations",
        "text": "The big hall opens to associations on Saturdays.",
        "question": "Who looks after safety on Saturdays?",
        "reply": "The site's caretaker, as on weekdays.",
        "reaction": "Good idea, the hall is empty at weekends.",
        "reason": "Saturday morning is market day.",
        "remedy": "Open at 2 pm.",
        "amended": "The big hall opens to associations on Saturdays from 2 pm.",
        "note": "After the Saturday morning market.",
        "integration": "The opening is moved to 2 pm.",
        "after_two": "from 2 pm",
    },
}
# The names of the people and organizations: data too.
NAMES = [
    "Anne Maire",
    "Paul Adjoint",
    "Bernard Maire",
    "Claire Recteur",
    "Commune de Hautecombe",
    "Commune de Riedwihr",
    "Université de Bramont",
]


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


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_steering_committee_takes_a_decision_by_consent_from_an_empty_platform(
    browser: Any, live_server: Any, personas: Any, language: str
) -> None:
    from maillage.decisions.models import Decision

    people = _people(personas)
    data = DATA[language]
    base = live_server.url
    problems: list[str] = []

    def watcher(context: Any, who: str) -> Watcher:
        watch = Watcher(context.new_page(), base, who)
        watch.language, watch.data = language, [*data.values(), *NAMES]
        return watch

    # 1. The territory admin creates the committee, its three delegations and a facilitator.
    context = logged_in_context(browser, live_server, personas.territory_admin, language)
    admin = watcher(context, "admin")
    admin.goto("/cercles/", "circles")
    admin.submit("a[href='/cercles/nouveau/']", "circle-new")
    page = admin.page
    page.fill("#id_name", data["committee"])
    page.select_option("#id_kind", "steering_committee")
    page.select_option("#id_owner", f"territory-{personas.commune.pk}")
    page.fill("#id_purpose", data["purpose"])
    admin.submit("form.form button[type=submit]", "committee")
    created = say(language, "The steering committee is created. Now add its delegations.")
    assert created in page.text_content("body")
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
        sits = say(language, "The delegation of %(name)s sits on the committee.", name=org.name)
        assert sits in page.text_content("body")
    admin.submit("a[href$='/membres/ajouter/']", "member-new")
    page.fill("#id_email", personas.facilitator.email)
    admin.submit("form.form button[type=submit]", "committee-complete")
    problems += admin.problems
    context.close()

    # 2. A delegate makes a proposal and asks the rotation for its facilitator.
    context = logged_in_context(browser, live_server, people["maire_a"], language)
    author = watcher(context, "author")
    author.goto(committee_url, "committee-as-delegate")
    author.submit("a[href$='/proposer/']", "propose")
    page = author.page
    page.fill("#id_title", data["title"])
    page.fill("#id_text", data["text"])
    author.submit("form.form button[type=submit]", "proposal")
    decision_url = urlparse(page.url).path
    author.submit("form[action$='/roles/'] button", "roles-chosen")
    problems += author.problems
    context.close()

    # 3. The facilitator, present, takes the turn if the rotation chose someone else, then
    # runs the clarifying and reactions rounds, recording what the delegates say.
    context = logged_in_context(browser, live_server, personas.facilitator, language)
    facilitator = watcher(context, "facilitator")
    facilitator.goto(decision_url, "decision-draft")
    page = facilitator.page
    decision = Decision.objects.get(title=data["title"])
    if decision.facilitator_id != personas.facilitator.pk:
        facilitator.submit("form[action*='/remplacer/'][data-role=facilitator] button", "took-over")
    next_round = page.locator("form[action$='/tours/ouvrir/']").inner_text()
    assert say(language, "Open a clarifying questions round") in next_round
    assert say(language, "Consent") not in next_round
    facilitator.submit("form[action$='/tours/ouvrir/'] button[type=submit]", "clarifying-open")
    page.select_option("#id_member", str(people["maire_b"].pk))
    page.fill("#id_text", data["question"])
    facilitator.submit("form[action$='/intervenir/'] button[type=submit]", "question")
    page.click("details summary")
    page.fill("textarea[name=reply]", data["reply"])
    facilitator.submit("form[action$='/repondre/'] button[type=submit]", "question-replied")
    facilitator.submit("form[action$='/cloturer/'] button", "clarifying-closed")
    assert say(language, "Open a reactions round") in page.text_content("main")
    facilitator.submit("form[action$='/tours/ouvrir/'] button[type=submit]", "reactions-open")
    page.select_option("#id_member", str(people["recteur"].pk))
    page.fill("#id_text", data["reaction"])
    facilitator.submit("form[action$='/intervenir/'] button[type=submit]")
    facilitator.submit("form[action$='/cloturer/'] button", "reactions-closed")

    # 4. The consent round: one objection, recorded with its reason and remedy.
    assert say(language, "Open the consent round") in page.text_content("main")
    facilitator.submit("form[action$='/tours/ouvrir/'] button[type=submit]", "consent-open")

    def answer(person: Any, kind: str, reason: str = "", remedy: str = "") -> None:
        page.select_option("#id_member", str(person.pk))
        page.check(f"input[name=kind][value={kind}]")
        page.fill("#id_reason", reason)
        page.fill("#id_acceptable_if", remedy)
        facilitator.submit("form[action$='/repondre/'] button[type=submit]")

    answer(people["maire_a"], "consent")
    answer(people["adjoint_a"], "objection", data["reason"], data["remedy"])
    answer(people["maire_b"], "consent")
    answer(people["recteur"], "consent")
    facilitator.check("consent-answers")
    facilitator.submit("form[action$='/cloturer/'] button", "objection-stands")
    main = page.text_content("main")
    assert (
        say(language, "Integrating objections") in main
        or say(language, "Integrate the objections (amend the proposal)") in main
    )
    table = page.locator("#delegations-title + p + .table-scroll").inner_text()
    assert say(language, "waiting") not in table

    # 5. The objection is integrated in a new version; the second consent round adopts it.
    facilitator.submit("a[href$='/amender/']", "amend")
    page.fill("#id_text", data["amended"])
    page.fill("#id_note", data["note"])
    page.fill("textarea[id^=id_integration_]", data["integration"])
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
            viewport={"width": width, "height": 900}, locale=LOCALES[language], bypass_csp=True
        )
        visitor = watcher(context, f"visitor-{width}")
        visitor.goto(f"/registre/{personas.commune.slug}/", f"register-{language}")
        assert data["title"] in visitor.page.text_content("main")
        visitor.goto(decision_url, f"decision-adopted-{language}")
        assert data["after_two"] in visitor.page.text_content("main")
        # The roles were filled: a visitor who may not see the names is told so, not "not chosen".
        assert say(language, "not yet chosen") not in visitor.page.text_content("main")
        problems += visitor.problems
        context.close()
    assert not problems, "\n".join(problems)
