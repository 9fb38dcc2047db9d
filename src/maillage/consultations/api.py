"""API of field consultations: the agents' sync and photo uploads, and public reads.

Sync: ``POST /api/consultations/sync`` with ``{"records": [...]}`` (at most 500). Each record:
``uuid`` (made on the phone), ``campaign`` (slug), ``site`` (territory id), ``text``,
optional ``answers``, ``age_band``, ``relation``, ``consent``, ``captured_at``,
``contact_email``. The answer lists one result per record, in order: 201 created, 200 duplicate
(the same UUID and payload again: the existing row is kept), 409 conflict (the same UUID with
another payload), 422 invalid, 403 not on the campaign's team. Photos go afterwards, one
multipart upload per synced record: ``POST /api/consultations/contributions/{uuid}/photo``.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import File, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from maillage.consultations import selectors, services
from maillage.consultations.models import Campaign, Contribution
from maillage.consultations.photos import MAX_PHOTO_BYTES, PhotoTooLarge
from maillage.core.api_auth import AUTHENTICATED
from maillage.core.api_sync import ErrorOut, SyncOut, read_records, sync_answer, sync_body_schema
from maillage.core.sync import MAX_BATCH

router = Router(tags=["consultations"])


class RecordIn(Schema):
    uuid: str
    campaign: str
    site: int
    text: str
    answers: dict[str, Any] = {}
    age_band: str = ""
    relation: str = ""
    consent: bool = False
    captured_at: str | None = None
    contact_email: str = ""


class PhotoOut(Schema):
    uuid: str
    stored: bool
    url: str


_SYNC_BODY = sync_body_schema(RecordIn, MAX_BATCH)


@router.post(
    "/sync",
    auth=AUTHENTICATED,
    response={200: SyncOut, 400: ErrorOut, 413: ErrorOut},
    openapi_extra=_SYNC_BODY,
    summary="Sync a batch of field contributions (idempotent by UUID)",
    url_name="consultations_sync",
)
def sync(request: HttpRequest):
    records = read_records(request, MAX_BATCH)
    if isinstance(records, Status):
        return records
    return sync_answer(services.contribution_sync_batch(actor=request.user, records=records))


@router.post(
    "/contributions/{uuid}/photo",
    auth=AUTHENTICATED,
    response={200: PhotoOut, 201: PhotoOut, 413: ErrorOut},
    summary="Attach the photo of a synced contribution (JPEG, PNG, WebP, GIF; 10 MB)",
    url_name="consultations_photo",
)
def photo_upload(request: HttpRequest, uuid: str, photo: File[UploadedFile]):
    try:
        contribution, stored = services.contribution_attach_photo(
            actor=request.user, client_uuid=uuid, data=photo
        )
    except PhotoTooLarge as error:
        return Status(413, {"detail": str(error), "limit": MAX_PHOTO_BYTES})
    body = {"uuid": str(contribution.client_uuid), "stored": stored, "url": contribution.photo.url}
    return Status(201 if stored else 200, body)


# ---------------------------------------------------------------------------------------------
# Public reads


class QuestionOut(Schema):
    id: str
    kind: str
    label: str
    options: list[str] | None = None
    min: int | None = None
    max: int | None = None


class SiteOut(Schema):
    id: int
    slug: str
    name: str
    centroid_lon: float | None
    centroid_lat: float | None
    published_count: int


class CampaignOut(Schema):
    slug: str
    title: str
    territory: str
    open_question: str
    starts_on: str
    ends_on: str
    status: str
    published_count: int

    @staticmethod
    def resolve_territory(obj: Campaign) -> str:
        return obj.territory.slug

    @staticmethod
    def resolve_published_count(obj: Campaign) -> int:
        known = getattr(obj, "published_count", None)
        return known if known is not None else selectors.published_count(obj)

    @staticmethod
    def resolve_starts_on(obj: Campaign) -> str:
        return obj.starts_on.isoformat()

    @staticmethod
    def resolve_ends_on(obj: Campaign) -> str:
        return obj.ends_on.isoformat()


class CampaignDetailOut(CampaignOut):
    description: str
    closed_questions: list[QuestionOut]
    sites: list[SiteOut]

    @staticmethod
    def resolve_sites(obj: Campaign) -> list:
        return obj.sites_with_counts


class ContributionOut(Schema):
    """A published contribution, as ``selectors.contribution_public_items`` gives it."""

    id: int
    site_id: int
    site: str
    text: str
    answers: dict[str, Any]
    age_band: str
    relation: str
    source: str
    captured_on: str
    photo_url: str | None


class ResponseOut(Schema):
    id: int
    title: str
    status: str
    text: str
    reason: str
    link_url: str
    contribution_ids: list[int]


def _public_campaign(request: HttpRequest, slug: str) -> Campaign:
    try:
        campaign = selectors.campaign_get(slug)
    except Campaign.DoesNotExist:
        raise Http404(f"no campaign {slug!r}") from None
    if not request.user.has_perm("consultations.view_campaign", campaign):
        raise Http404(f"no campaign {slug!r}")
    return campaign


class CappedLimitOffsetPagination(LimitOffsetPagination):
    """Limit and offset, with the count capped and the offset bounded by ``COUNT_CAP``.

    ``count`` is exact up to the cap; past it, ``count`` is the cap plus one and
    ``count_is_capped`` is true. The full set is the open-data export.
    """

    class Output(Schema):
        items: list[Any]
        count: int
        count_is_capped: bool

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        offset = pagination.offset
        if offset >= selectors.COUNT_CAP:
            raise HttpError(
                400,
                f"offset is limited to {selectors.COUNT_CAP - 1}: narrow the list with the "
                "filters, or download every contribution from the open-data export",
            )
        limit = min(pagination.limit, self.max_limit, selectors.COUNT_CAP - offset)
        campaign_id = request.consultation_campaign_id
        count = selectors.capped_count(queryset, campaign_id)
        return {
            "items": selectors.contribution_public_items(queryset, campaign_id, offset, limit),
            "count": min(count, selectors.COUNT_CAP + 1),
            "count_is_capped": count > selectors.COUNT_CAP,
        }


@router.get("/campaigns", response=list[CampaignOut])
@paginate(LimitOffsetPagination)
def campaign_list(request: HttpRequest, territory: str | None = None, status: str | None = None):
    qs = selectors.campaign_public_list()
    if territory:
        qs = qs.filter(territory__slug=territory)
    if status:
        qs = qs.filter(status=status)
    return qs


@router.get("/campaigns/{slug}", response=CampaignDetailOut)
def campaign_detail(request: HttpRequest, slug: str):
    campaign = _public_campaign(request, slug)
    campaign.sites_with_counts = selectors.campaign_sites_with_counts(campaign)
    campaign.published_count = sum(s.published_count for s in campaign.sites_with_counts)
    return campaign


@router.get("/campaigns/{slug}/contributions", response=list[ContributionOut])
@paginate(CappedLimitOffsetPagination)
def contribution_list(
    request: HttpRequest,
    slug: str,
    q: str = "",
    site: int | None = None,
    age_band: str = "",
    relation: str = "",
):
    campaign = _public_campaign(request, slug)
    # The paginator keys its cached count by campaign, so that moderation refreshes it.
    request.consultation_campaign_id = campaign.pk
    answers = {
        key[len("answer_") :]: value
        for key, value in request.GET.items()
        if key.startswith("answer_")
    }
    return selectors.contribution_public_list(
        campaign,
        search=q[:100],
        site_id=site,
        age_band=age_band,
        relation=relation,
        answers=answers,
    )


@router.get("/campaigns/{slug}/sites.geojson", response=dict[str, Any])
def site_geojson(request: HttpRequest, slug: str):
    campaign = _public_campaign(request, slug)
    sites = selectors.campaign_sites_with_counts(campaign)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": site.pk,
                "geometry": site.geometry,
                "properties": {
                    "slug": site.slug,
                    "name": site.name,
                    "published_count": site.published_count,
                },
            }
            for site in sites
        ],
    }


@router.get("/campaigns/{slug}/responses", response=list[ResponseOut])
def response_list(request: HttpRequest, slug: str):
    campaign = _public_campaign(request, slug)
    responses = list(campaign.responses.order_by("id"))
    links = campaign.responses.model.contributions.through.objects.filter(
        response__campaign=campaign, contribution__status=Contribution.Status.PUBLISHED
    ).values_list("response_id", "contribution_id")
    linked: dict[int, list[int]] = {}
    for response_id, contribution_id in links:
        linked.setdefault(response_id, []).append(contribution_id)
    for response in responses:
        response.contribution_ids = sorted(linked.get(response.pk, []))
    return responses
