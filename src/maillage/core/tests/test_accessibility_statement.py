"""The accessibility statement follows RGAA's model: conformity, non-conformities, contact, and
the appeal to the Défenseur des droits; in French and in English."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import override_settings

from maillage.core.tests.test_settings import IMPORT_SETTINGS, _run

URL = "/accessibilite/"


@override_settings(CATALOG_CONTACT_EMAIL="accessibilite@bramont.fr", PUBLISHER_NAME="Bramont")
def test_the_french_statement_gives_its_state_the_contact_and_the_appeal_route(
    client: Any, db: Any
) -> None:
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Bramont s’engage à rendre ses sites internet accessibles" in html
    assert "<strong>partiellement conforme</strong>" in html
    assert "Non-conformités" in html
    assert 'href="mailto:accessibilite@bramont.fr"' in html
    assert "Voies de recours" in html
    assert 'href="https://formulaire.defenseurdesdroits.fr/"' in html
    assert 'href="https://www.defenseurdesdroits.fr/saisir/delegues"' in html
    assert "Libre réponse 71120<br>75342 Paris CEDEX 07" in html


def test_the_statement_gives_the_date_of_the_operators_last_review(client: Any, db: Any) -> None:
    with override_settings(ACCESSIBILITY_AUDIT_DATE=dt.date(2027, 3, 15)):
        html = client.get(URL, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "15 mars 2027" in html


def test_the_review_date_is_read_from_the_environment_as_an_iso_date() -> None:
    code = IMPORT_SETTINGS + "; print(maillage.settings.ACCESSIBILITY_AUDIT_DATE)"
    result = _run(code, {"DEBUG": "1", "MAILLAGE_ACCESSIBILITY_AUDIT_DATE": "2027-03-15"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2027-03-15"


@override_settings(CATALOG_CONTACT_EMAIL="")
def test_without_a_contact_address_the_statement_says_so_in_english(client: Any, db: Any) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": URL})
    html = client.get(URL).content.decode()
    assert "<strong>partially compliant</strong>" in html
    assert "has not given a contact address yet" in html
    assert "mailto:" not in html
    assert "Write a message to the Défenseur des droits" in html
