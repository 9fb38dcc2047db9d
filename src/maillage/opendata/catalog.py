"""The DCAT-AP catalogue of every registered dataset, as JSON-LD."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone, translation

from maillage.core.opendata import datasets

MEDIA_TYPES = {"csv": "text/csv", "json": "application/json", "geojson": "application/geo+json"}
CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dct:issued": {"@type": "xsd:date"},
    "dct:modified": {"@type": "xsd:date"},
    "dcat:downloadURL": {"@type": "@id"},
    "dcat:accessURL": {"@type": "@id"},
    "dct:license": {"@type": "@id"},
    "dct:conformsTo": {"@type": "@id"},
    "dcat:landingPage": {"@type": "@id"},
}


def dcat_catalog(base_url: str) -> dict[str, Any]:
    """Return the catalogue; ``base_url`` is the site's root URL ending with '/'."""
    base = base_url.rstrip("/")
    today = timezone.localdate().isoformat()
    entries = []
    with translation.override("fr"):
        for dataset in datasets():
            distributions = [
                {
                    "@id": f"{base}/open-data/{dataset.name}.{fmt}",
                    "@type": "dcat:Distribution",
                    "dct:title": f"{dataset.title} ({fmt.upper()})",
                    "dcat:downloadURL": f"{base}/open-data/{dataset.name}.{fmt}",
                    "dcat:accessURL": f"{base}/open-data/",
                    "dcat:mediaType": MEDIA_TYPES[fmt],
                    "dct:format": fmt.upper(),
                    "dct:license": dataset.licence["path"],
                    "dct:conformsTo": f"{base}/open-data/{dataset.name}.schema.json",
                }
                for fmt in dataset.formats
            ]
            entries.append(
                {
                    "@id": f"{base}/open-data/#{dataset.name}",
                    "@type": "dcat:Dataset",
                    "dct:identifier": dataset.name,
                    "dct:title": str(dataset.title),
                    "dct:description": f"{dataset.description} {dataset.pseudonymization}",
                    "dcat:keyword": list(dataset.keywords),
                    "dct:license": dataset.licence["path"],
                    "dct:publisher": {"@type": "foaf:Agent", "foaf:name": settings.PUBLISHER_NAME},
                    "dct:modified": today,
                    "dct:language": "fr",
                    "dcat:landingPage": f"{base}/open-data/",
                    "dcat:distribution": distributions,
                }
            )
    return {
        "@context": CONTEXT,
        "@id": f"{base}/open-data/catalog.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": f"{settings.PUBLISHER_NAME} — données ouvertes",
        "dct:description": "Catalogue des jeux de données publiés par Maillage.",
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": settings.PUBLISHER_NAME},
        "dct:license": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
        "dct:language": "fr",
        "dct:modified": today,
        "dcat:dataset": entries,
    }
