"""The catalogue conforms to DCAT-AP 3.0.1 (official SHACL shapes and ranges, see dcat_ap/)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.utils import timezone
from pyshacl import validate
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, SH

from maillage.territories.models import Territory
from maillage.territories.services import territory_create

pytestmark = pytest.mark.django_db

SHAPES_DIR = Path(__file__).parent / "dcat_ap"
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
BASE = "http://testserver"


@pytest.fixture(scope="module")
def dcat_ap_shapes() -> Graph:
    shapes = Graph()
    for name in ("shapes.ttl", "range.ttl"):
        shapes.parse(SHAPES_DIR / name, format="turtle")
    return shapes


def _violations(data: Graph, shapes: Graph) -> list[str]:
    """Return one line per SHACL result: focus node, path, message."""
    conforms, report, _text = validate(data, shacl_graph=shapes, inference="none")
    lines = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        lines.append(f"{focus} {path}: {message}")
    assert conforms == (not lines)
    return lines


def _catalogue(client, suffix: str = "jsonld") -> Graph:
    response = client.get(f"/open-data/catalog.{suffix}")
    assert response.status_code == 200
    rdf_format = {"jsonld": "json-ld", "ttl": "turtle", "rdf": "xml"}[suffix]
    return Graph().parse(data=response.content.decode(), format=rdf_format)


def test_the_catalogue_has_no_dcat_ap_violation(client, personas, dcat_ap_shapes) -> None:
    graph = _catalogue(client)
    assert len(list(graph.subjects(RDF.type, DCAT.Dataset))) >= 3
    assert _violations(graph, dcat_ap_shapes) == []


def test_the_shapes_catch_a_format_written_as_a_literal(client, personas, dcat_ap_shapes) -> None:
    graph = _catalogue(client)
    distribution = URIRef(f"{BASE}/open-data/territories.csv")
    graph.set((distribution, DCTERMS.format, Literal("CSV")))
    violations = _violations(graph, dcat_ap_shapes)
    assert violations, "the fixture shapes must reject what the issue reported"
    assert all(line.startswith(f"{distribution} {DCTERMS.format}") for line in violations)


def test_turtle_and_rdf_xml_carry_the_same_catalogue_as_json_ld(client, personas) -> None:
    def named(graph: Graph) -> set:
        return {t for t in graph if not any(type(term).__name__ == "BNode" for term in t)}

    reference = named(_catalogue(client, "jsonld"))
    assert reference == named(_catalogue(client, "ttl"))
    assert reference == named(_catalogue(client, "rdf"))


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("text/turtle", "text/turtle"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/ld+json", "application/ld+json"),
        ("application/json", "application/ld+json"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", "application/ld+json"),
        ("application/rdf+xml;q=0.5, text/turtle", "text/turtle"),
        (None, "application/ld+json"),
    ],
)
def test_the_catalogue_is_served_in_the_format_accept_prefers(
    client, db, accept, media_type
) -> None:
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    response = client.get("/open-data/catalog", **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == f"{media_type}; charset=utf-8"
    assert "Accept" in response["Vary"].split(", ")


def test_a_suffix_chooses_the_format_whatever_accept_says(client, db) -> None:
    response = client.get("/open-data/catalog.ttl", HTTP_ACCEPT="application/ld+json")
    assert response["Content-Type"].startswith("text/turtle")
    assert "dcat:Catalog" in response.content.decode()


def test_an_unknown_suffix_answers_406_in_french_listing_the_formats(client, db) -> None:
    response = client.get("/open-data/catalog.xlsx")
    assert response.status_code == 406
    body = response.json()
    assert body["detail"].startswith("Le catalogue n'est pas disponible en .xlsx")
    assert body["formats"] == {
        ".jsonld": "application/ld+json",
        ".ttl": "text/turtle",
        ".rdf": "application/rdf+xml",
    }


def test_an_unacceptable_accept_header_answers_406_listing_the_formats(client, db) -> None:
    response = client.get(
        "/open-data/catalog", HTTP_ACCEPT="application/pdf", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 406
    assert response.json()["detail"] == (
        "The catalogue is not available as application/pdf; available formats: "
        ".jsonld (application/ld+json), .ttl (text/turtle), .rdf (application/rdf+xml)."
    )


def test_the_api_is_a_data_service_whose_description_is_the_openapi_document(client, db) -> None:
    graph = _catalogue(client)
    catalog = URIRef(f"{BASE}/open-data/catalog")
    service = graph.value(catalog, DCAT.service)
    assert (service, RDF.type, DCAT.DataService) in graph
    assert graph.value(service, DCAT.endpointURL) == URIRef(f"{BASE}/api/")
    description = str(graph.value(service, DCAT.endpointDescription))
    document = client.get(description.removeprefix(BASE)).json()
    assert document["openapi"].startswith("3.")


def test_a_root_territory_is_the_spatial_coverage_by_its_insee_iri_when_it_has_one(
    client, db
) -> None:
    territory_create(name="Ajaccio", kind="commune", official_code="2A004", slug="ajaccio")
    territory_create(name="Agglo", kind="intercommunality", official_code="246899999", slug="agglo")
    graph = _catalogue(client)
    dataset = URIRef(f"{BASE}/open-data/#territories")
    assert set(graph.objects(dataset, DCTERMS.spatial)) == {
        URIRef("http://id.insee.fr/geo/commune/2A004"),
        URIRef(f"{BASE}/territoires/agglo/"),
    }


@pytest.mark.parametrize(
    ("kind", "code", "iri"),
    [
        ("region", "44", "http://id.insee.fr/geo/region/44"),
        ("commune", "68224", "http://id.insee.fr/geo/commune/68224"),
        ("commune", "2b033", "http://id.insee.fr/geo/commune/2B033"),
        ("commune", "97411", "http://id.insee.fr/geo/commune/97411"),
        ("commune", "6822", None),
        ("commune", "68224 ", "http://id.insee.fr/geo/commune/68224"),
        ("commune", "2C033", None),
        ("region", "444", None),
        ("region", "", None),
        ("commune", "../../x", None),
        ("intercommunality", "246899999", None),
        ("neighbourhood", "68224", None),
    ],
)
def test_only_a_well_shaped_insee_code_gives_an_insee_iri(kind, code, iri) -> None:
    assert Territory(kind=kind, official_code=code).insee_iri == iri


def test_contact_frequency_period_and_publisher_come_from_settings(
    client, personas, settings
) -> None:
    settings.PUBLISHER_NAME = "Ville de Bramont"
    settings.PUBLISHER_URI = "https://www.bramont.example/"
    settings.CATALOG_CONTACT_NAME = "Service participation"
    settings.CATALOG_CONTACT_EMAIL = "participation@bramont.example"
    settings.CATALOG_FREQUENCY = "WEEKLY"
    settings.CATALOG_START = dt.date(2024, 1, 1)
    settings.CATALOG_END = dt.date(2026, 12, 31)
    graph = _catalogue(client)
    dataset = URIRef(f"{BASE}/open-data/#organizations")
    publisher = graph.value(dataset, DCTERMS.publisher)
    assert publisher == URIRef("https://www.bramont.example/")
    assert str(graph.value(publisher, Namespace("http://xmlns.com/foaf/0.1/").name)) == (
        "Ville de Bramont"
    )
    contact = graph.value(dataset, DCAT.contactPoint)
    assert str(graph.value(contact, VCARD.fn)) == "Service participation"
    assert graph.value(contact, VCARD.hasEmail) == URIRef("mailto:participation@bramont.example")
    assert graph.value(dataset, DCTERMS.accrualPeriodicity) == URIRef(
        "http://publications.europa.eu/resource/authority/frequency/WEEKLY"
    )
    period = graph.value(dataset, DCTERMS.temporal)
    assert graph.value(period, DCAT.startDate).toPython() == dt.date(2024, 1, 1)
    assert graph.value(period, DCAT.endDate).toPython() == dt.date(2026, 12, 31)


def test_without_settings_the_period_starts_with_the_first_territory(client, personas) -> None:
    graph = _catalogue(client)
    period = graph.value(URIRef(f"{BASE}/open-data/#territories"), DCTERMS.temporal)
    first = Territory.objects.order_by("created_at").first()
    assert graph.value(period, DCAT.startDate).toPython() == timezone.localdate(first.created_at)
    assert graph.value(period, DCAT.endDate) is None


def test_json_ld_is_compacted_with_the_vocabulary_prefixes(client, db) -> None:
    document = json.loads(client.get("/open-data/catalog.jsonld").content)
    assert document["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    types = {node.get("@type") for node in document["@graph"]}
    assert "dcat:Catalog" in types and "dcat:DataService" in types
