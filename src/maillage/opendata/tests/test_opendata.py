"""Open data: every dataset validates against its Table Schema; the catalogue is JSON-LD."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from django.db import connection
from frictionless import Resource, Schema, validate

from maillage.cli import main as cli_main
from maillage.core.opendata import datasets

pytestmark = pytest.mark.django_db


def _all_names() -> list[str]:
    return [dataset.name for dataset in datasets()]


def test_every_dataset_csv_validates_against_its_table_schema(client, personas, tmp_path) -> None:
    personas.participant.public_profile = True
    personas.participant.save()
    assert {"territories", "organizations", "memberships"} <= set(_all_names())
    for dataset in datasets():
        response = client.get(f"/open-data/{dataset.name}.csv")
        assert response.status_code == 200
        path = tmp_path / f"{dataset.name}.csv"
        path.write_bytes(b"".join(response.streaming_content))
        schema = Schema.from_descriptor(client.get(f"/open-data/{dataset.name}.schema.json").json())
        report = validate(Resource(path=path.name, basepath=str(tmp_path), schema=schema))
        assert report.valid, (
            dataset.name,
            report.flatten(["rowNumber", "fieldName", "type", "note"]),
        )


def test_territories_export_as_geojson_features(client, personas) -> None:
    response = client.get("/open-data/territories.geojson")
    collection = json.loads(b"".join(response.streaming_content))
    assert collection["type"] == "FeatureCollection"
    site = next(f for f in collection["features"] if f["properties"]["slug"] == personas.site.slug)
    assert site["geometry"]["type"] == "Polygon"


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_under_asgi_a_download_is_streamed_chunk_by_chunk_with_the_same_bytes(
    personas, async_client, client
) -> None:
    response = await async_client.get("/open-data/territories.csv")
    assert response.status_code == 200
    assert response.is_async, "a synchronous iterator would be read whole before sending"
    chunks = [chunk async for chunk in response.streaming_content]

    def wsgi_download() -> bytes:
        return b"".join(client.get("/open-data/territories.csv").streaming_content)

    assert b"".join(chunks) == await sync_to_async(wsgi_download)()
    assert b"".join(chunks).count(b"\r\n") > 1
    # The test client, unlike the ASGI handler, keeps the connection its sync thread opened for
    # the pulls; closing it lets the test database be dropped at the end of the session.
    await sync_to_async(lambda: connection.close())()


def test_memberships_name_only_persons_with_a_public_profile(client, personas) -> None:
    text = b"".join(client.get("/open-data/memberships.csv").streaming_content).decode()
    assert "orgadmin" not in text
    assert "@" not in text


def test_unknown_dataset_or_format_answers_404_with_the_valid_ones(client, db) -> None:
    response = client.get("/open-data/nothing.csv")
    assert response.status_code == 404
    assert "territories" in response.json()["datasets"]
    response = client.get("/open-data/organizations.geojson")
    assert response.status_code == 404
    assert "valid formats: csv, json" in response.json()["detail"]


def test_the_dcat_catalogue_parses_as_json_ld_and_lists_every_dataset(client, db) -> None:
    from rdflib import Graph, Namespace

    response = client.get("/open-data/catalog.jsonld")
    assert response["Content-Type"].startswith("application/ld+json")
    graph = Graph().parse(data=response.content.decode(), format="json-ld")
    dcat = Namespace("http://www.w3.org/ns/dcat#")
    rdf_type = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#").type
    found = {str(s).split("#")[-1] for s in graph.subjects(rdf_type, dcat.Dataset)}
    assert found == set(_all_names())
    assert len(list(graph.subjects(rdf_type, dcat.Distribution))) >= 2 * len(found)


def test_cli_export_streams_a_dataset_to_a_file(personas, tmp_path) -> None:
    out = tmp_path / "territories.csv"
    assert (
        cli_main(["export", "territories", "--format", "csv", "--output", str(out), "--quiet"]) == 0
    )
    lines = out.read_text().splitlines()
    assert lines[0].startswith("id,slug,name,kind")
    assert len(lines) == 1 + 5


def test_cli_export_of_an_unknown_dataset_exits_2_listing_valid_ones(db, capsys) -> None:
    assert cli_main(["export", "nothing"]) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1
    assert "valid datasets:" in error[0] and "territories" in error[0]


def test_cli_export_of_an_unknown_format_exits_2_listing_valid_ones(db, capsys) -> None:
    assert cli_main(["export", "territories", "--format", "xlsx"]) == 2
    assert "valid formats: csv, json, geojson" in capsys.readouterr().err
