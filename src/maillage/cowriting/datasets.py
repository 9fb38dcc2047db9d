"""Open data: the published versions of shared works (Markdown + metadata)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from maillage.core.opendata import Dataset, Field
from maillage.cowriting.models import PublishedVersion
from maillage.people.models import Person


def _published_rows() -> Iterator[dict[str, Any]]:
    qs = PublishedVersion.objects.order_by("id").values(
        "id",
        "work_id",
        "title",
        "text",
        "published_at",
        "shares",
        "signatories",
        "work__organization__slug",
    )
    for row in qs.iterator(chunk_size=200):
        ids = [share["person_id"] for share in row["shares"] if share.get("person_id")]
        public = set(
            Person.objects.filter(
                pk__in=ids, public_profile=True, deleted_at__isnull=True
            ).values_list("pk", flat=True)
        )
        yield {
            "id": row["id"],
            "work_id": row["work_id"],
            "organization": row["work__organization__slug"] or "",
            "title": row["title"],
            "published_at": row["published_at"],
            "markdown": row["text"],
            "character_count": len(row["text"]),
            "coauthor_count": len(row["shares"]),
            "signatory_count": len(row["signatories"]),
            "authorship": [
                {
                    "coauthor": share["name"]
                    if share.get("person_id") in public
                    else f"co-author {rank}",
                    "surviving": share["surviving"],
                    "share": share["share"],
                }
                for rank, share in enumerate(row["shares"], start=1)
            ],
        }


DATASETS = (
    Dataset(
        name="cowriting-publications",
        title=_("Co-written works"),
        description=_(
            "Texts written together and published with the consent of every co-author: the "
            "Markdown text, the publication date and each co-author's share of the text."
        ),
        fields=(
            Field("id", "integer", _("Identifier"), required=True),
            Field("work_id", "integer", _("Shared work identifier"), required=True),
            Field("organization", "string", _("Slug of the owner organization (if any)")),
            Field("title", "string", _("Title"), required=True),
            Field("published_at", "datetime", _("Publication date"), required=True),
            Field("markdown", "string", _("The published text, in Markdown"), required=True),
            Field("character_count", "integer", _("Number of characters")),
            Field("coauthor_count", "integer", _("Number of co-authors")),
            Field("signatory_count", "integer", _("Number of explicit consents")),
            Field(
                "authorship",
                "array",
                _("Share of the surviving text per co-author; named only for public profiles"),
            ),
        ),
        rows=_published_rows,
        pseudonymization=_(
            "Co-authors are named only when they chose a public profile; others appear as "
            "'co-author N'. No email, no account identifier."
        ),
        keywords=("co-écriture", "récit", "publication"),
    ),
)
