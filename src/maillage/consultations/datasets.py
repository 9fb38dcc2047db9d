"""Open data: campaigns, their sites with counts, pseudonymized contributions, responses.

Only public campaigns and published contributions are exported. A contribution carries no
name, email, IP address or account, and its coordinates are its site's centroid: the phone's
position is never stored. A photo's address is given only with the inhabitant's consent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from maillage.consultations.models import Campaign, Contribution, Response
from maillage.core.opendata import Dataset, Field

PUBLISHED = Contribution.Status.PUBLISHED
PUBLIC_CAMPAIGN = ~Q(campaign__status=Campaign.Status.DRAFT)


def _campaign_rows() -> Iterator[dict[str, Any]]:
    qs = (
        Campaign.objects.exclude(status=Campaign.Status.DRAFT)
        .annotate(
            published_contributions=Count(
                "contributions", filter=Q(contributions__status=PUBLISHED), distinct=True
            ),
            site_count=Count("sites", distinct=True),
        )
        .order_by("id")
        .values(
            "id",
            "slug",
            "title",
            "territory__slug",
            "open_question",
            "closed_questions",
            "starts_on",
            "ends_on",
            "status",
            "site_count",
            "published_contributions",
        )
    )
    for row in qs.iterator(chunk_size=500):
        row["territory"] = row.pop("territory__slug")
        yield row


def _site_rows() -> Iterator[dict[str, Any]]:
    through = Campaign.sites.through
    counts = {
        (row["campaign_id"], row["site_id"]): row["n"]
        for row in Contribution.objects.filter(status=PUBLISHED)
        .filter(PUBLIC_CAMPAIGN)
        .values("campaign_id", "site_id")
        .annotate(n=Count("id"))
    }
    qs = (
        through.objects.filter(PUBLIC_CAMPAIGN)
        .order_by("campaign_id", "territory_id")
        .values(
            "campaign_id",
            "campaign__slug",
            "territory_id",
            "territory__slug",
            "territory__name",
            "territory__centroid_lon",
            "territory__centroid_lat",
            "territory__geometry",
        )
    )
    for row in qs.iterator(chunk_size=1000):
        yield {
            "id": f"{row['campaign__slug']}/{row['territory__slug']}",
            "campaign": row["campaign__slug"],
            "site_id": row["territory_id"],
            "site": row["territory__slug"],
            "name": row["territory__name"],
            "published_contributions": counts.get((row["campaign_id"], row["territory_id"]), 0),
            "centroid_lon": row["territory__centroid_lon"],
            "centroid_lat": row["territory__centroid_lat"],
            "geometry": row["territory__geometry"],
        }


def _contribution_rows() -> Iterator[dict[str, Any]]:
    media = settings.SITE_URL + settings.MEDIA_URL
    qs = (
        Contribution.objects.filter(status=PUBLISHED, consent_publication=True)
        .filter(PUBLIC_CAMPAIGN)
        .order_by("id")
        .values_list(
            "id",
            "campaign__slug",
            "site_id",
            "site__slug",
            "site__centroid_lon",
            "site__centroid_lat",
            "text",
            "answers",
            "age_band",
            "relation",
            "source",
            "captured_at",
            "photo",
            "consent_publication",
        )
    )
    for (
        pk,
        campaign,
        site_id,
        site,
        lon,
        lat,
        text,
        answers,
        age_band,
        relation,
        source,
        captured_at,
        photo,
        consent,
    ) in qs.iterator(chunk_size=5000):
        yield {
            "id": pk,
            "campaign": campaign,
            "site_id": site_id,
            "site": site,
            "site_lon": lon,
            "site_lat": lat,
            "text": text,
            "answers": answers,
            "age_band": age_band,
            "relation": relation,
            "source": source,
            # The day is enough to study; the minute could help identify who spoke.
            "captured_on": captured_at.date(),
            "photo_url": media + photo if photo and consent else None,
        }


def _response_rows() -> Iterator[dict[str, Any]]:
    qs = (
        Response.objects.filter(PUBLIC_CAMPAIGN)
        .order_by("id")
        .values(
            "id",
            "campaign__slug",
            "title",
            "status",
            "text",
            "reason",
            "link_url",
            "created_at",
            "updated_at",
        )
    )
    links = Response.contributions.through
    batch: list[dict[str, Any]] = []

    def flush() -> Iterator[dict[str, Any]]:
        linked: dict[int, list[int]] = {}
        for response_id, contribution_id in (
            links.objects.filter(
                response_id__in=[r["id"] for r in batch], contribution__status=PUBLISHED
            )
            .order_by("contribution_id")
            .values_list("response_id", "contribution_id")
        ):
            linked.setdefault(response_id, []).append(contribution_id)
        for row in batch:
            row["campaign"] = row.pop("campaign__slug")
            row["contribution_ids"] = ";".join(map(str, linked.get(row["id"], [])))
            yield row

    for row in qs.iterator(chunk_size=500):
        batch.append(dict(row))  # a plain dict: the export adds columns to it
        if len(batch) == 500:
            yield from flush()
            batch = []
    yield from flush()


def _point(row: dict[str, Any]) -> dict | None:
    if row.get("site_lon") is None:
        return None
    return {"type": "Point", "coordinates": [row["site_lon"], row["site_lat"]]}


DATASETS = (
    Dataset(
        name="consultation_campaigns",
        title=_("Field consultations: campaigns"),
        description=_(
            "Consultations of inhabitants on public spaces: question asked, closed questions, "
            "period, status and number of published contributions."
        ),
        fields=(
            Field("id", "integer", _("Identifier"), required=True),
            Field("slug", "string", _("Stable short name"), required=True),
            Field("title", "string", _("Title"), required=True),
            Field("territory", "string", _("Slug of the territory"), required=True),
            Field("open_question", "string", _("Open question asked"), required=True),
            Field("closed_questions", "array", _("Closed questions (JSON)")),
            Field("starts_on", "date", _("Start date"), required=True),
            Field("ends_on", "date", _("End date"), required=True),
            Field(
                "status",
                "string",
                _("Status"),
                required=True,
                enum=tuple(v for v in Campaign.Status.values if v != "draft"),
            ),
            Field("site_count", "integer", _("Number of sites")),
            Field("published_contributions", "integer", _("Number of published contributions")),
        ),
        rows=_campaign_rows,
        pseudonymization=_("No personal data: campaigns only; drafts are not published."),
        keywords=("concertation", "participation", "espace public"),
    ),
    Dataset(
        name="consultation_sites",
        title=_("Field consultations: sites and their contributions"),
        description=_(
            "Each public space of each campaign, with its geometry and number of published "
            "contributions."
        ),
        fields=(
            Field("id", "string", _("Campaign slug / site slug"), required=True),
            Field("campaign", "string", _("Campaign slug"), required=True),
            Field("site_id", "integer", _("Territory identifier of the site"), required=True),
            Field("site", "string", _("Territory slug of the site"), required=True),
            Field("name", "string", _("Name of the site"), required=True),
            Field(
                "published_contributions", "integer", _("Published contributions"), required=True
            ),
            Field("centroid_lon", "number", _("Centroid longitude (WGS 84)")),
            Field("centroid_lat", "number", _("Centroid latitude (WGS 84)")),
            Field("geometry", "geojson", _("Geometry (GeoJSON)")),
        ),
        rows=_site_rows,
        pseudonymization=_("No personal data: places and counts only."),
        geometry=lambda row: row.get("geometry"),
        keywords=("concertation", "espace public", "carte"),
    ),
    Dataset(
        name="consultation_contributions",
        title=_("Field consultations: contributions (pseudonymized)"),
        description=_(
            "The published words of inhabitants, with their answers to the closed questions and "
            "their anonymous profile. Hidden, unmoderated and non-consented contributions are "
            "not included."
        ),
        fields=(
            Field("id", "integer", _("Identifier"), required=True),
            Field("campaign", "string", _("Campaign slug"), required=True),
            Field("site_id", "integer", _("Territory identifier of the site"), required=True),
            Field("site", "string", _("Territory slug of the site"), required=True),
            Field("site_lon", "number", _("Longitude of the site's centroid (not of the person)")),
            Field("site_lat", "number", _("Latitude of the site's centroid (not of the person)")),
            Field("text", "string", _("Words of the inhabitant, as moderated"), required=True),
            Field("answers", "object", _("Answers to the closed questions (JSON)")),
            Field("age_band", "string", _("Age band"), enum=("", *Contribution.AgeBand.values)),
            Field(
                "relation",
                "string",
                _("Relation to the place"),
                enum=("", *Contribution.Relation.values),
            ),
            Field(
                "source",
                "string",
                _("How it was collected"),
                required=True,
                enum=tuple(Contribution.Source.values),
            ),
            Field("captured_on", "date", _("Day of capture"), required=True),
            Field("photo_url", "string", _("Photo, only when the inhabitant consented")),
        ),
        rows=_contribution_rows,
        pseudonymization=_(
            "No name, email, IP address or account; coordinates are the site's centroid, never "
            "the phone's position; the capture time is reduced to the day; photos were stripped "
            "of their metadata and appear only with consent."
        ),
        geometry=_point,
        keywords=("concertation", "contribution", "habitants", "souhaits"),
    ),
    Dataset(
        name="consultation_responses",
        title=_("Field consultations: what became of the ideas"),
        description=_(
            "The responses given to contributions: status (received, under study, retained, "
            "done, not retained with its reason), explanation, link, and the published "
            "contributions answered."
        ),
        fields=(
            Field("id", "integer", _("Identifier"), required=True),
            Field("campaign", "string", _("Campaign slug"), required=True),
            Field("title", "string", _("Title"), required=True),
            Field(
                "status", "string", _("Status"), required=True, enum=tuple(Response.Status.values)
            ),
            Field("text", "string", _("Response")),
            Field("reason", "string", _("Reason when not retained")),
            Field("link_url", "string", _("Link to a decision, document or action")),
            Field(
                "contribution_ids", "string", _("Published contributions answered, ';'-separated")
            ),
            Field("created_at", "datetime", _("Created"), required=True),
            Field("updated_at", "datetime", _("Last change"), required=True),
        ),
        rows=_response_rows,
        pseudonymization=_("No personal data: the author of a response is not published."),
        keywords=("concertation", "suivi", "réponse"),
    ),
)
