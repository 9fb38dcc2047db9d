"""Observatory pages, one's own place, exports and open data: who sees what, and bad input."""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET

import igraph as ig
import pytest

from maillage.conftest import ROLES
from maillage.core.opendata import get_dataset
from maillage.mesh.models import MeshConsent
from maillage.mesh.tests import factories as f
from maillage.mesh.visibility import pseudonym

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def mesh(personas):
    """Two organizations of the commune co-producing and pooling; one visible person, one not."""
    from maillage.pooling.models import Exchange

    university = f.organization("university", personas.commune, name="Université Test")
    visible = f.person("Valérie Visible")
    hidden = f.person("Henri Caché")
    f.member(visible, university)
    f.member(hidden, personas.organization)
    f.consent(visible)
    work = f.shared_work(personas.organization)
    f.pen(work, visible, 2)
    f.pen(work, hidden, 2)
    Exchange.objects.create(
        giver=university,
        receiver=personas.organization,
        what="prêt",
        happened_on=dt.date(2025, 6, 1),
        confirmed_at=dt.datetime(2025, 6, 2, tzinfo=dt.UTC),
    )
    return {"university": university, "visible": visible, "hidden": hidden}


def territory_url(personas, suffix: str = "") -> str:
    return f"/maillage/territoires/{personas.region.slug}/{suffix}"


def private_traces(person) -> list[str]:
    return [person.display_name, person.email, f"person:{person.pk}", pseudonym(person.pk)]


def test_a_person_without_consent_never_appears_in_pages_exports_or_open_data(
    client, personas, mesh
) -> None:
    hidden = mesh["hidden"]
    bodies = [
        client.get(territory_url(personas)).content.decode(),
        client.get(f"/maillage/organisations/{personas.organization.slug}/").content.decode(),
    ]
    for suffix in ("maillage.gexf", "maillage.graphml", "noeuds.csv", "liens.csv"):
        bodies.append(client.get(territory_url(personas, suffix)).content.decode())
    bodies.append(
        client.get(f"/api/mesh/territories/{personas.region.slug}/measures").content.decode()
    )
    for name in ("mesh_nodes", "mesh_edges"):
        bodies.append(repr(list(get_dataset(name).iter_rows())))
    for body in bodies:
        for trace in private_traces(hidden):
            assert trace not in body
    # Their co-writing counts for their organization instead.
    assert "Association Test" in bodies[0]


def test_a_consenting_person_is_named_on_the_page_but_only_pseudonymous_in_exports(
    client, personas, mesh
) -> None:
    visible = mesh["visible"]
    assert visible.display_name in client.get(territory_url(personas)).content.decode()
    nodes = client.get(territory_url(personas, "noeuds.csv")).content.decode()
    assert pseudonym(visible.pk) in nodes
    assert visible.display_name not in nodes
    rows = list(get_dataset("mesh_nodes").iter_rows())
    assert any(row["id"] == pseudonym(visible.pk) and row["label"] == "" for row in rows)


def test_withdrawing_consent_folds_the_person_into_their_organization(
    client, personas, mesh
) -> None:
    MeshConsent.objects.filter(person=mesh["visible"]).update(visible=False)
    body = client.get(territory_url(personas)).content.decode()
    assert mesh["visible"].display_name not in body
    assert "Université Test" in body


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_observatory_and_the_downloads(client_as, personas, mesh, role):
    client = client_as(role)
    assert client.get("/maillage/").status_code == 200
    assert client.get(territory_url(personas)).status_code == 200
    assert client.get(territory_url(personas, "maillage.gexf")).status_code == 200
    assert client.get(f"/maillage/organisations/{personas.organization.slug}/").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_only_a_logged_in_person_has_a_place_in_the_mesh(client_as, personas, role) -> None:
    response = client_as(role).get("/maillage/ma-place/")
    if role == "visitor":
        assert response.status_code == 302
        assert "/connexion/" in response["Location"]
    else:
        assert response.status_code == 200


def test_the_consent_toggle_changes_only_the_logged_in_persons_choice(client_as, personas):
    client = client_as("participant")
    response = client.post(
        "/maillage/ma-place/", {"visible": "on", "person": personas.org_admin.pk}
    )
    assert response.status_code == 302
    assert MeshConsent.objects.get(person=personas.participant).visible
    assert not MeshConsent.objects.filter(person=personas.org_admin).exists()
    client.post("/maillage/ma-place/", {})
    assert not MeshConsent.objects.get(person=personas.participant).visible


def test_your_place_shows_only_your_own_links(client_as, personas, mesh) -> None:
    from maillage.cowriting.models import SharedWork

    stranger_a, stranger_b = f.person("Stéphane Étranger"), f.person("Béatrice Inconnue")
    f.consent(stranger_a)
    private = SharedWork.objects.create(
        title="Privé", organization=personas.organization, is_public=False
    )
    f.pen(private, stranger_a, 1)
    f.pen(private, stranger_b, 1)
    mine = f.shared_work(personas.organization, public=False)
    f.pen(mine, personas.participant, 1)
    f.pen(mine, mesh["hidden"], 1)
    body = client_as("participant").get("/maillage/ma-place/").content.decode()
    assert "a member of Association Test" in body
    for trace in ("Stéphane Étranger", "Béatrice Inconnue", "Valérie Visible", "Henri Caché"):
        assert trace not in body


def test_links_of_private_records_stay_out_of_the_public_mesh(client, personas) -> None:
    a, b = f.person("Paul Privé"), f.person("Pauline Privée")
    f.consent(a)
    f.consent(b)
    f.member(a, personas.organization)
    work = f.shared_work(personas.organization, public=False)
    f.pen(work, a, 1)
    f.pen(work, b, 1)
    body = client.get(territory_url(personas)).content.decode()
    assert "Pauline Privée" not in body


def test_an_empty_window_gives_an_explained_empty_result(client, personas, mesh) -> None:
    response = client.get(territory_url(personas), {"start": "2031-01-01", "end": "2031-12-31"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nothing to measure here." in body
    assert 'id="mesh-network"' not in body
    api = client.get(
        f"/api/mesh/territories/{personas.region.slug}/measures", {"start": "2031-01-01"}
    ).json()
    assert api["measures"]["edges"] == 0
    assert api["measures"]["explanation"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "yesterday"}, "Enter a valid date."),
        ({"kind": "friendship"}, "Select a valid choice. friendship is not one of the available"),
        ({"sector": "aliens"}, "Select a valid choice. aliens is not one of the available"),
        ({"period": "week"}, "Select a valid choice. week is not one of the available"),
        ({"start": "2025-06-01", "end": "2025-01-01"}, "The period ends (2025-01-01) before"),
    ],
)
def test_bad_filters_are_a_400_naming_the_problem(client, personas, query, message) -> None:
    response = client.get(territory_url(personas), query)
    assert response.status_code == 400
    assert message in response.content.decode()
    download = client.get(territory_url(personas, "maillage.gexf"), query)
    assert download.status_code == 400


def test_filters_by_kind_keep_pooling_apart_from_co_production(client, personas, mesh) -> None:
    api = client.get(
        f"/api/mesh/territories/{personas.region.slug}/measures", {"kind": "pooling"}
    ).json()["measures"]
    assert api["edges_by_kind"]["pooling"] == 1
    assert api["edges_by_kind"]["co-production"] == 0


def test_the_graphml_and_gexf_exports_read_back_as_the_same_graph(client, personas, mesh, tmp_path):
    graphml = client.get(territory_url(personas, "maillage.graphml"))
    assert graphml.status_code == 200
    assert "attachment" in graphml["Content-Disposition"]
    (tmp_path / "mesh.graphml").write_bytes(graphml.content)
    g = ig.Graph.Read_GraphML(str(tmp_path / "mesh.graphml"))
    nodes = list(
        csv.DictReader(
            io.StringIO(client.get(territory_url(personas, "noeuds.csv")).content.decode())
        )
    )
    edges = list(
        csv.DictReader(
            io.StringIO(client.get(territory_url(personas, "liens.csv")).content.decode())
        )
    )
    assert g.vcount() == len(nodes)
    assert g.ecount() == len(edges)
    assert {"pooling", "co-production"} <= {row["kind"] for row in edges}
    content = client.get(territory_url(personas, "maillage.gexf")).content
    gexf = ET.fromstring(content)  # noqa: S314 -- our own output, not untrusted input
    ns = {"g": "http://gexf.net/1.3"}
    assert len(gexf.findall(".//g:node", ns)) == len(nodes)
    assert len(gexf.findall(".//g:edge", ns)) == len(edges)


def test_the_territory_page_links_to_its_mesh(client, personas) -> None:
    body = client.get(personas.commune.get_absolute_url()).content.decode()
    assert f"/maillage/territoires/{personas.commune.slug}/" in body


def test_the_network_legend_shows_the_colours_the_drawing_uses(client, personas, mesh) -> None:
    response = client.get(territory_url(personas))
    network = response.context["network"]
    legend = dict(response.context["sector_legend"])
    page = response.content.decode()
    university = next(n for n in network["nodes"] if n["label"] == "Université Test")
    assert university["colour"] == legend["Academic"]
    assert f'style="background: {university["colour"]}"' in page
    numbered = [n["number"] for n in network["nodes"] if n["number"]]
    assert numbered == list(range(1, len(numbered) + 1))
    assert '<ol class="mesh-numbered"' in page and "<li>Université Test</li>" in page
