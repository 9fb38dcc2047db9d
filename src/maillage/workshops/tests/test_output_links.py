"""A workshop's output links go to this site's pages or to http(s) addresses, nowhere else."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from maillage.workshops.services import output_add

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "//evil.example/phish",
        "/\\evil.example/phish",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://files.example/x",
        "evil.example",
    ],
)
def test_an_output_link_to_another_host_in_disguise_or_another_scheme_is_refused(
    personas, workshop, url
):
    with pytest.raises(ValidationError) as error:
        output_add(workshop=workshop, actor=personas.org_admin, kind="document", label="L", url=url)
    assert "url" in error.value.message_dict
    assert not workshop.outputs.exists()


@pytest.mark.parametrize("url", ["/cowriting/1/", "https://pad.example.org/p/atelier"])
def test_a_page_of_the_site_or_a_web_address_is_accepted(personas, workshop, url):
    output = output_add(
        workshop=workshop, actor=personas.org_admin, kind="document", label="L", url=url
    )
    assert output.url == url
