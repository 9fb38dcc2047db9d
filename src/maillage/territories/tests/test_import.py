"""A participation service imports its communes, neighbourhoods or places from a GeoJSON file:
a dry run reports, the import records all or nothing, and a bad file is refused naming the
feature that fails."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from maillage.core.models import AuditEntry
from maillage.territories.models import Territory


def _square(lon: float, lat: float, size: float = 0.01) -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def _feature(name: str, code: str, geometry: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"nom": name, "code": code}, "geometry": geometry}


def _file(*features: dict[str, Any], raw: bytes | None = None) -> SimpleUploadedFile:
    data = (
        raw
        if raw is not None
        else json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()
    )
    return SimpleUploadedFile("areas.geojson", data, content_type="application/geo+json")


QUARTIERS = (
    _feature("Quartier Nord", "N1", _square(7.31, 47.71)),
    _feature("Quartier Sud", "S1", _square(7.31, 47.72)),
)


def _post(client: Any, parent: Any, upload: Any, **changes: Any) -> Any:
    data = {
        "parent": parent.pk if parent else "",
        "kind": "neighbourhood",
        "file": upload,
        "name_property": "nom",
        "code_property": "code",
        "dry_run": "",
    }
    data.update(changes)
    return client.post(reverse("territories:import"), data)


def test_dry_run_reports_and_records_nothing(client_as: Any, personas: Any) -> None:
    response = _post(
        client_as("territory_admin"), personas.commune, _file(*QUARTIERS), dry_run="on"
    )
    assert response.status_code == 200
    report = response.context["report"]
    assert report.dry_run and report.created == ["Quartier Nord", "Quartier Sud"]
    assert "2 lieux seraient créés" in response.content.decode()
    assert not Territory.objects.filter(name__startswith="Quartier N").exists()


def test_import_creates_then_updates_by_code(client_as: Any, personas: Any) -> None:
    client = client_as("territory_admin")
    response = _post(client, personas.commune, _file(*QUARTIERS))
    assert response.context["report"].created == ["Quartier Nord", "Quartier Sud"]
    north = Territory.objects.get(official_code="N1")
    assert north.parent == personas.commune and north.kind == "neighbourhood"
    assert north.centroid_lon == pytest.approx(7.315)
    renamed = _feature("Quartier Nord-Est", "N1", _square(7.32, 47.71))
    response = _post(client, personas.commune, _file(renamed, QUARTIERS[1]))
    report = response.context["report"]
    assert report.created == [] and report.updated == ["Quartier Nord-Est", "Quartier Sud"]
    north.refresh_from_db()
    assert north.name == "Quartier Nord-Est" and north.centroid_lon == pytest.approx(7.325)
    assert AuditEntry.objects.filter(action="territory.import").count() == 2


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (_file(raw=b"<kml>not json</kml>"), "Ce fichier n’est pas du GeoJSON"),
        (_file(raw=b'{"type": "Feature"}'), "FeatureCollection"),
        (_file(), "Le fichier n’a aucun objet"),
        (
            _file(
                QUARTIERS[0],
                _feature(
                    "Rue Haute",
                    "R1",
                    {"type": "LineString", "coordinates": [[7.3, 47.7], [7.31, 47.7]]},
                ),
            ),
            "l’objet 2 (Rue Haute) est un LineString",
        ),
        (
            _file(
                QUARTIERS[0],
                _feature(
                    "Cassé", "C1", {"type": "Polygon", "coordinates": [[[7.3, 47.7], [7.4, 47.7]]]}
                ),
            ),
            "La géométrie de l’objet 2 (Cassé) est invalide",
        ),
        (
            _file(
                QUARTIERS[0],
                {"type": "Feature", "properties": {"name": "X"}, "geometry": _square(7.3, 47.7)},
            ),
            "L’objet 2 n’a pas de propriété « nom »",
        ),
        (_file(QUARTIERS[0], QUARTIERS[0]), "le même code N1"),
    ],
)
def test_bad_file_is_refused_naming_the_feature_and_nothing_is_imported(
    client_as: Any, personas: Any, upload: Any, message: str
) -> None:
    before = Territory.objects.count()
    response = _post(client_as("territory_admin"), personas.commune, upload)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert Territory.objects.count() == before


def test_bad_file_is_refused_in_english_too(client_as: Any, personas: Any) -> None:
    response = client_as("territory_admin").post(
        reverse("territories:import"),
        {
            "parent": personas.commune.pk,
            "kind": "neighbourhood",
            "file": _file(),
            "name_property": "nom",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "The file has no features: nothing to import." in response.content.decode()


def test_a_wider_kind_cannot_be_imported_inside(client_as: Any, personas: Any) -> None:
    response = _post(
        client_as("territory_admin"), personas.commune, _file(*QUARTIERS), kind="region"
    )
    assert response.status_code == 400
    assert not Territory.objects.filter(official_code="N1").exists()


@pytest.mark.parametrize(
    "role", ["visitor", "participant", "field_agent", "facilitator", "org_admin"]
)
def test_only_territory_admins_import(client_as: Any, personas: Any, role: str) -> None:
    response = _post(client_as(role), personas.commune, _file(*QUARTIERS))
    assert response.status_code in (302, 403)
    assert not Territory.objects.filter(official_code="N1").exists()


def test_territory_admin_cannot_import_into_another_territory(
    client_as: Any, personas: Any
) -> None:
    response = _post(client_as("territory_admin"), personas.other_commune, _file(*QUARTIERS))
    assert response.status_code == 400
    assert not Territory.objects.filter(official_code="N1").exists()


def test_only_the_platform_admin_imports_at_the_top(client_as: Any, personas: Any) -> None:
    upload = _file(_feature("Haut-Rhin", "68", _square(7.0, 47.5, 0.5)))
    assert _post(client_as("territory_admin"), None, upload, kind="region").status_code == 400
    upload.seek(0)
    response = _post(client_as("platform_admin"), None, upload, kind="region")
    assert response.status_code == 200
    assert Territory.objects.get(official_code="68").parent is None


def test_the_communes_of_haut_rhin_are_imported_by_the_command(
    personas: Any, shared_data: Any
) -> None:
    path = shared_data / "geo" / "communes-68-haut-rhin.geojson"
    out = StringIO()
    call_command(
        "territories_import",
        str(path),
        kind="commune",
        parent=personas.region.slug,
        actor=personas.platform_admin.email,
        verbosity=0,
        stdout=out,
    )
    assert "366 were created" in out.getvalue()
    mulhouse = Territory.objects.get(official_code="68224")
    assert mulhouse.name == "Mulhouse" and mulhouse.parent == personas.region
    assert 7.2 < mulhouse.centroid_lon < 7.4 and 47.7 < mulhouse.centroid_lat < 47.8
    again = StringIO()
    call_command(
        "territories_import",
        str(path),
        kind="commune",
        parent=personas.region.slug,
        actor=personas.platform_admin.email,
        verbosity=0,
        stdout=again,
        dry_run=True,
    )
    assert "0 would be created, 366 would be updated" in again.getvalue()


def test_the_command_refuses_a_person_who_may_not_import(personas: Any, shared_data: Any) -> None:
    path = shared_data / "geo" / "communes-68-haut-rhin.geojson"
    with pytest.raises(CommandError, match="may not import"):
        call_command(
            "territories_import",
            str(path),
            kind="commune",
            parent=personas.region.slug,
            actor=personas.participant.email,
            verbosity=0,
        )
