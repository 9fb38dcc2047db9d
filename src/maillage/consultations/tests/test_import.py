"""Paper import: dry run, errors by line, wrong encoding, missing columns, idempotency."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from maillage.consultations.imports import ImportFileError, paper_import
from maillage.consultations.models import Contribution

GOOD = (
    "site;text;consent;captured_at;age_band;relation;calm;uses\n"
    "Place Test;Plus de bancs à l'ombre;oui;2026-05-14;60_74;lives;4;Lire|Marcher\n"
    "Square Test;Une fontaine pour l'été;non;2026-05-14;;passes_by;;\n"
)


def test_a_dry_run_reports_and_records_nothing(personas, campaign):
    report = paper_import(
        campaign=campaign, actor=personas.facilitator, data=GOOD.encode(), dry_run=True
    )
    assert (report.total, report.valid, report.errors) == (2, 2, [])
    assert Contribution.objects.count() == 0


def test_an_import_records_valid_lines_once_even_when_sent_twice(personas, campaign):
    first = paper_import(
        campaign=campaign, actor=personas.facilitator, data=GOOD.encode(), dry_run=False
    )
    second = paper_import(
        campaign=campaign, actor=personas.facilitator, data=GOOD.encode(), dry_run=False
    )
    assert (first.created, second.created, second.duplicates) == (2, 0, 2)
    rows = Contribution.objects.order_by("id")
    assert [r.source for r in rows] == ["paper", "paper"]
    assert rows[0].answers == {"calm": 4, "uses": ["Lire", "Marcher"]}
    assert [r.status for r in rows] == ["pending", "private"]


def test_an_import_longer_than_one_statement_records_each_line_once(personas, campaign):
    # More lines than one INSERT takes (500): the rows go in several statements.
    lines = [f"Place Test;Idée {n};oui" for n in range(1201)]
    data = ("site;text;consent\n" + "\n".join(lines) + "\n").encode()
    first = paper_import(campaign=campaign, actor=personas.facilitator, data=data, dry_run=False)
    again = paper_import(campaign=campaign, actor=personas.facilitator, data=data, dry_run=False)
    assert (first.created, first.duplicates) == (1201, 0)
    assert (again.created, again.duplicates) == (0, 1201)
    texts = list(Contribution.objects.order_by("id").values_list("text", flat=True))
    assert texts == [f"Idée {n}" for n in range(1201)]  # in the file's order


def test_the_moderation_counts_include_an_import_at_once(
    personas, campaign, django_capture_on_commit_callbacks
):
    from maillage.consultations.selectors import moderation_counts

    assert moderation_counts(campaign)["pending"] == 0  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        paper_import(
            campaign=campaign, actor=personas.facilitator, data=GOOD.encode(), dry_run=False
        )
    counts = moderation_counts(campaign)
    assert (counts["pending"], counts["private"]) == (1, 1)


def test_errors_are_reported_by_line_and_good_lines_still_go_in(personas, campaign, outside_site):
    data = (
        "site,text,consent\n"
        "Place Test,Bien,oui\n"
        "Place Test,,oui\n"
        f"{outside_site.pk},Ailleurs,oui\n"
        "Inconnue,Texte,peut-être\n" + "Place Test," + "x" * 5001 + ",oui\n"
    )
    report = paper_import(
        campaign=campaign, actor=personas.facilitator, data=data.encode(), dry_run=False
    )
    by_line = {e.line: " ".join(e.messages) for e in report.errors}
    assert set(by_line) == {3, 4, 5, 6}
    assert "empty" in by_line[3]
    assert "not one of the sites" in by_line[4]
    assert "ni oui ni non" in by_line[5]  # in French, the default language
    assert "5000" in by_line[6]
    assert report.created == 1


def test_a_file_in_the_wrong_encoding_names_the_line_and_the_likely_encoding(personas, campaign):
    data = GOOD.encode("cp1252")
    with pytest.raises(ImportFileError) as error:
        paper_import(campaign=campaign, actor=personas.facilitator, data=data)
    assert "la ligne 2" in str(error.value)
    assert "UTF-8" in str(error.value)
    report = paper_import(
        campaign=campaign, actor=personas.facilitator, data=data, encoding="cp1252"
    )
    assert report.valid == 2


def test_missing_columns_list_the_expected_ones(personas, campaign):
    with pytest.raises(ImportFileError) as error:
        paper_import(campaign=campaign, actor=personas.facilitator, data=b"lieu;texte\nA;B\n")
    message = str(error.value)
    assert "colonnes manquantes : site, text, consent" in message
    assert (
        "site, text, consent, captured_at, age_band, relation, contact_email, calm, moment, uses"
        in message
    )


def test_the_import_page_is_for_facilitators_and_shows_the_report(client_as, campaign):
    url = f"/concertations/{campaign.slug}/import/"
    assert client_as("field_agent").get(url).status_code == 403
    client = client_as("facilitator")
    upload = SimpleUploadedFile("jour.csv", GOOD.encode("cp1252"), content_type="text/csv")
    response = client.post(url, {"file": upload, "encoding": "utf-8", "dry_run": "on"})
    assert "la ligne 2" in response.context["file_error"]
    upload = SimpleUploadedFile("jour.csv", GOOD.encode(), content_type="text/csv")
    response = client.post(url, {"file": upload, "encoding": "utf-8"})
    assert response.context["report"].created == 2


def test_the_import_page_reports_bad_lines_in_the_language_of_the_person(client_as, campaign):
    client = client_as("facilitator")
    url = f"/concertations/{campaign.slug}/import/"
    for language, expected in (("fr", "n'est ni oui ni non"), ("en", "is not yes or no")):
        upload = SimpleUploadedFile("papier.csv", b"site;text;consent\nPlace Test;Bien;peut-etre\n")
        response = client.post(
            url,
            {"file": upload, "encoding": "utf-8", "dry_run": "on"},
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert response.status_code == 200
        assert expected in response.content.decode().replace("&#x27;", "'")


def test_the_import_page_names_each_closed_question_column_with_its_question(client_as, campaign):
    page = client_as("facilitator").get(f"/concertations/{campaign.slug}/import/")
    html = page.content.decode()
    for question in campaign.closed_questions:
        assert f"<code>{question['id']}</code> — {question['label']}" in html
