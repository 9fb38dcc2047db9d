"""The DCAT-AP 3.0.1 catalogue of every registered dataset, as an RDF graph.

Every value the profile takes from a controlled vocabulary is an IRI of that vocabulary (EU
file types, IANA media types, EU languages and frequencies, INSEE places), and every resource
is typed as the profile's ranges require, so that the catalogue validates against the official
SHACL shapes and ranges without fetching any vocabulary (see tests/dcat_ap/).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, SKOS

from maillage.core.opendata import LICENCE_OUVERTE, Dataset, datasets
from maillage.territories.models import Territory
from maillage.territories.selectors import territory_oldest_record_date, territory_roots

EU = "http://publications.europa.eu/resource/authority/"
FILE_TYPE = Namespace(f"{EU}file-type/")
LANGUAGE = Namespace(f"{EU}language/")
FREQUENCY = Namespace(f"{EU}frequency/")
IANA = Namespace("https://www.iana.org/assignments/media-types/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")

# Our download formats: (EU file-type code, IANA media type).
DOWNLOAD_FORMATS = {
    "csv": ("CSV", "text/csv"),
    "json": ("JSON", "application/json"),
    "geojson": ("GEOJSON", "application/geo+json"),
}
# Serializations of the catalogue, by suffix: (rdflib format, media type).
SERIALIZATIONS = {
    "jsonld": ("json-ld", "application/ld+json"),
    "ttl": ("turtle", "text/turtle"),
    "rdf": ("xml", "application/rdf+xml"),
}
TABLE_SCHEMA = "https://specs.frictionlessdata.io/table-schema/"
OPENAPI = "https://spec.openapis.org/oas/v3.1.0"


def _both_languages(
    graph: Graph, subject: URIRef, predicate: URIRef, *texts: object, **params: object
) -> None:
    """Add ``texts`` (lazily translated, joined by a space) in French and in English."""
    for language in ("fr", "en"):
        with translation.override(language):
            text = " ".join(str(part) for part in texts)
            text = text % params if params else text
            graph.add((subject, predicate, Literal(text, lang=language)))


def _document(graph: Graph, iri: str, rdf_class: URIRef = FOAF.Document) -> URIRef:
    node = URIRef(iri)
    graph.add((node, RDF.type, rdf_class))
    return node


def _location(graph: Graph, territory: Territory, base: str) -> URIRef:
    """Add the territory as a dct:Location: INSEE's IRI where it has one, else its page."""
    node = URIRef(territory.insee_iri or f"{base}{territory.get_absolute_url()}")
    graph.add((node, RDF.type, DCTERMS.Location))
    graph.add((node, SKOS.prefLabel, Literal(territory.name, lang="fr")))
    if territory.bbox:
        west, south, east, north = (float(v) for v in territory.bbox)
        ring = f"{west} {south}, {east} {south}, {east} {north}, {west} {north}, {west} {south}"
        graph.add((node, DCAT.bbox, Literal(f"POLYGON(({ring}))", datatype=GSP.wktLiteral)))
    if territory.centroid_lon is not None and territory.centroid_lat is not None:
        point = f"POINT({territory.centroid_lon} {territory.centroid_lat})"
        graph.add((node, DCAT.centroid, Literal(point, datatype=GSP.wktLiteral)))
    return node


def _period(graph: Graph) -> BNode | None:
    """Return the period the data covers (settings, else since the first territory)."""
    start = settings.CATALOG_START or territory_oldest_record_date()
    if start is None:
        return None
    period = BNode("temporal")
    graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
    graph.add((period, DCAT.startDate, Literal(start.isoformat(), datatype=XSD.date)))
    end: date | None = settings.CATALOG_END
    if end is not None:
        graph.add((period, DCAT.endDate, Literal(end.isoformat(), datatype=XSD.date)))
    return period


def _publisher(graph: Graph, base: str) -> URIRef:
    publisher = URIRef(settings.PUBLISHER_URI or f"{base}/#publisher")
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, Literal(settings.PUBLISHER_NAME)))
    return publisher


def _contact_point(graph: Graph, base: str) -> URIRef:
    contact = URIRef(f"{base}/open-data/#contact")
    graph.add((contact, RDF.type, VCARD.Kind))
    graph.add((contact, VCARD.fn, Literal(settings.CATALOG_CONTACT_NAME)))
    if settings.CATALOG_CONTACT_EMAIL:
        graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{settings.CATALOG_CONTACT_EMAIL}")))
    graph.add((contact, VCARD.hasURL, URIRef(f"{base}/open-data/")))
    return contact


def _add_dataset(graph: Graph, dataset: Dataset, base: str, shared: dict[str, Any]) -> URIRef:
    node = URIRef(f"{base}/open-data/#{dataset.name}")
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCTERMS.identifier, Literal(dataset.name)))
    _both_languages(graph, node, DCTERMS.title, dataset.title)
    _both_languages(graph, node, DCTERMS.description, dataset.description, dataset.pseudonymization)
    for keyword in dataset.keywords:
        graph.add((node, DCAT.keyword, Literal(keyword, lang="fr")))
    graph.add((node, DCTERMS.publisher, shared["publisher"]))
    graph.add((node, DCAT.contactPoint, shared["contact"]))
    graph.add((node, DCTERMS.language, shared["language"]))
    graph.add((node, DCTERMS.modified, shared["today"]))
    graph.add((node, DCTERMS.accrualPeriodicity, shared["frequency"]))
    graph.add((node, DCAT.landingPage, shared["landing_page"]))
    for location in shared["spatial"]:
        graph.add((node, DCTERMS.spatial, location))
    if shared["temporal"] is not None:
        graph.add((node, DCTERMS.temporal, shared["temporal"]))

    licence = _document(graph, dataset.licence["path"], DCTERMS.LicenseDocument)
    graph.add((licence, DCTERMS.title, Literal(dataset.licence["title"])))
    schema = _document(graph, f"{base}/open-data/{dataset.name}.schema.json", DCTERMS.Standard)
    graph.add((schema, DCTERMS.conformsTo, shared["table_schema"]))
    for fmt in dataset.formats:
        file_type, media_type = DOWNLOAD_FORMATS[fmt]
        url = f"{base}/open-data/{dataset.name}.{fmt}"
        distribution = URIRef(url)
        graph.add((node, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        _both_languages(graph, distribution, DCTERMS.title, dataset.title)
        graph.add((distribution, DCAT.downloadURL, URIRef(url)))
        graph.add((distribution, DCAT.accessURL, shared["landing_page"]))
        file_type_iri = _document(graph, FILE_TYPE[file_type], DCTERMS.MediaTypeOrExtent)
        graph.add((distribution, DCTERMS.format, file_type_iri))
        graph.add(
            (distribution, DCAT.mediaType, _document(graph, IANA[media_type], DCTERMS.MediaType))
        )
        graph.add((distribution, DCTERMS.license, licence))
        graph.add((distribution, DCTERMS.conformsTo, schema))
        graph.add((distribution, DCTERMS.modified, shared["today"]))
    return node


def _add_api(graph: Graph, base: str, shared: dict[str, Any]) -> URIRef:
    """Describe the REST API as a dcat:DataService with its OpenAPI document."""
    endpoint = f"{base}/api/"
    service = URIRef(f"{endpoint}#service")
    graph.add((service, RDF.type, DCAT.DataService))
    graph.add((service, DCTERMS.title, Literal("Maillage API")))
    _both_languages(graph, service, DCTERMS.description, shared["api_description"])
    graph.add((service, DCAT.endpointURL, URIRef(endpoint)))
    graph.add((service, DCAT.endpointDescription, URIRef(f"{base}{reverse('api:openapi-json')}")))
    graph.add((service, DCAT.landingPage, _document(graph, f"{base}{reverse('api:openapi-view')}")))
    graph.add((service, DCTERMS.conformsTo, _document(graph, OPENAPI, DCTERMS.Standard)))
    graph.add((service, DCTERMS.publisher, shared["publisher"]))
    graph.add((service, DCAT.contactPoint, shared["contact"]))
    graph.add((service, DCTERMS.license, shared["licence"]))
    return service


def dcat_catalog(base_url: str) -> Graph:
    """Return the catalogue graph; ``base_url`` is the site's root URL."""
    base = base_url.rstrip("/")
    graph = Graph(bind_namespaces="core")
    for prefix, namespace in (
        ("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("vcard", VCARD), ("skos", SKOS),
        ("gsp", GSP),
    ):  # fmt: skip
        graph.bind(prefix, namespace)

    language = _document(graph, LANGUAGE.FRA, DCTERMS.LinguisticSystem)
    frequency = URIRef(FREQUENCY[settings.CATALOG_FREQUENCY])
    graph.add((frequency, RDF.type, DCTERMS.Frequency))
    table_schema = _document(graph, TABLE_SCHEMA, DCTERMS.Standard)
    licence = _document(graph, LICENCE_OUVERTE["path"], DCTERMS.LicenseDocument)
    graph.add((licence, DCTERMS.title, Literal(LICENCE_OUVERTE["title"])))
    shared = {
        "publisher": _publisher(graph, base),
        "contact": _contact_point(graph, base),
        "language": language,
        "frequency": frequency,
        "today": Literal(timezone.localdate().isoformat(), datatype=XSD.date),
        "landing_page": _document(graph, f"{base}/open-data/"),
        "spatial": [_location(graph, territory, base) for territory in territory_roots()],
        "temporal": _period(graph),
        "table_schema": table_schema,
        "licence": licence,
        "api_description": _(
            "Public data of the territories, organizations and every capability, and their "
            "writes for authenticated people, described by an OpenAPI 3 document."
        ),
    }

    catalog = URIRef(f"{base}/open-data/catalog")
    graph.add((catalog, RDF.type, DCAT.Catalog))
    title = _("%(publisher)s — open data")
    _both_languages(graph, catalog, DCTERMS.title, title, publisher=settings.PUBLISHER_NAME)
    _both_languages(
        graph, catalog, DCTERMS.description, _("The datasets published by Maillage, and its API.")
    )
    graph.add((catalog, DCTERMS.publisher, shared["publisher"]))
    graph.add((catalog, DCAT.contactPoint, shared["contact"]))
    graph.add((catalog, DCTERMS.license, licence))
    graph.add((catalog, DCTERMS.language, language))
    graph.add((catalog, DCTERMS.modified, shared["today"]))
    graph.add((catalog, FOAF.homepage, _document(graph, f"{base}/")))
    for location in shared["spatial"]:
        graph.add((catalog, DCTERMS.spatial, location))
    for dataset in datasets():
        graph.add((catalog, DCAT.dataset, _add_dataset(graph, dataset, base, shared)))
    graph.add((catalog, DCAT.service, _add_api(graph, base, shared)))
    return graph


def serialize(graph: Graph, suffix: str) -> str:
    """Return the graph in the serialization named by ``suffix`` (a key of SERIALIZATIONS)."""
    rdflib_format, _media_type = SERIALIZATIONS[suffix]
    if rdflib_format == "json-ld":
        context = {prefix: str(namespace) for prefix, namespace in graph.namespaces() if prefix}
        return graph.serialize(format="json-ld", context=context, auto_compact=True, indent=2)
    return graph.serialize(format=rdflib_format)
