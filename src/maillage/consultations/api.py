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

import datetime as dt
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, File, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from maillage.consultations import selectors, services
from maillage.consultations.models import Campaign, Contribution
from maillage.consultations.photos import MAX_PHOTO_BYTES, PhotoTooLarge
from maillage.core.api_auth import AUTHENTICATED
from maillage.core.api_sync import ErrorOut, SyncOut, read_records, sync_answer, sync_body_schema
from maillage.core.http import AuthenticatedRequest
from maillage.core.pagination import BoundedLimitOffsetPagination
from maillage.core.sync import MAX_BATCH
from maillage.people.models import Person
from maillage.people.selectors import territory_member_search
from maillage.territories.models import Territory

router = Router(tags=["consultations"])


class ContributionRecordIn(Schema):
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


_SYNC_BODY = sync_body_schema(ContributionRecordIn, MAX_BATCH)


@router.post(
    "/sync",
    auth=AUTHENTICATED,
    response={200: SyncOut, 400: ErrorOut, 413: ErrorOut},
    openapi_extra=_SYNC_BODY,
    summary="Sync a batch of field contributions (idempotent by UUID)",
    url_name="consultations_sync",
)
def sync(request: AuthenticatedRequest):
    records = read_records(request, MAX_BATCH)
    if isinstance(records, Status):
        return records
    return sync_answer(services.contribution_sync_batch(actor=request.user, records=records))


@router.post(
    "/contributions/{uuid}/photo",
    auth=AUTHENTICATED,
    # 503: the file store is unavailable; nothing was saved, the client retries later.
    response={200: PhotoOut, 201: PhotoOut, 413: ErrorOut, 503: ErrorOut},
    summary="Attach the photo of a synced contribution (JPEG, PNG, WebP, GIF; 10 MB)",
    url_name="consultations_photo",
)
def photo_upload(request: AuthenticatedRequest, uuid: str, photo: File[UploadedFile]):
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


class CampaignResponseOut(Schema):
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


class CampaignListRequest(HttpRequest):
    """The request of a campaign's contribution list: the paginator keys its cached count by
    the campaign the view sets (so that moderation refreshes it)."""

    consultation_campaign_id: int


class CappedLimitOffsetPagination(BoundedLimitOffsetPagination):
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
        # Only contribution_list is paginated so, and it sets the campaign on its request.
        campaign_id = cast(CampaignListRequest, request).consultation_campaign_id
        count = selectors.capped_count(queryset, campaign_id)
        return {
            "items": selectors.contribution_public_items(queryset, campaign_id, offset, limit),
            "count": min(count, selectors.COUNT_CAP + 1),
            "count_is_capped": count > selectors.COUNT_CAP,
        }


@router.get("/campaigns", response=list[CampaignOut])
@paginate(BoundedLimitOffsetPagination)
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
    request: CampaignListRequest,
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
        key[len("answer_") :]: request.GET.get(key, "")
        for key in request.GET
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


@router.get("/campaigns/{slug}/responses", response=list[CampaignResponseOut])
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


# ---------------------------------------------------------------------------------------------
# The participation service's writes: create, edit, open, close and archive a campaign; its team


class ClosedQuestionIn(Schema):
    id: str = Field(..., description="lowercase letters, digits or _, e.g. q1")
    kind: str = Field(..., description="scale, single or multiple")
    label: str
    options: list[str] | None = Field(None, description="two or more, for single and multiple")
    min: int | None = Field(None, description="for a scale, 0 to 10 (default 1)")
    max: int | None = Field(None, description="for a scale, 0 to 10 (default 5)")


class CampaignIn(Schema):
    territory: str = Field(..., description="slug of the campaign's territory")
    title: str = Field(..., min_length=1, max_length=200)
    open_question: str = Field(..., min_length=1, max_length=300)
    description: str = ""
    starts_on: dt.date
    ends_on: dt.date
    closed_questions: list[ClosedQuestionIn] = []
    sites: list[int] = Field([], description="ids of public spaces inside the territory")
    team: list[int] = Field([], description="ids of members of the territory")
    facilitator: int | None = Field(None, description="id of a facilitator of the territory")


class CampaignPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    open_question: str | None = Field(None, min_length=1, max_length=300)
    description: str | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    closed_questions: list[ClosedQuestionIn] | None = None
    sites: list[int] | None = None
    team: list[int] | None = None
    facilitator: int | None = None


class TeamMemberOut(Schema):
    id: int
    name: str
    email: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return obj.public_name


class CampaignManageOut(Schema):
    slug: str
    title: str
    territory: str
    status: str
    open_question: str
    description: str
    starts_on: dt.date
    ends_on: dt.date
    closed_questions: list[QuestionOut]
    sites: list[int]
    team: list[TeamMemberOut]
    facilitator: int | None

    @staticmethod
    def resolve_territory(obj: Campaign) -> str:
        return obj.territory.slug

    @staticmethod
    def resolve_sites(obj: Campaign) -> list[int]:
        return sorted(obj.sites.values_list("pk", flat=True))

    @staticmethod
    def resolve_team(obj: Campaign) -> list:
        return list(obj.team.order_by("display_name"))

    @staticmethod
    def resolve_facilitator(obj: Campaign) -> int | None:
        return obj.facilitator_id


class TeamIn(Schema):
    person: int = Field(..., description="id of a member of the campaign's territory")


def _managed_campaign(request: HttpRequest, slug: str) -> Campaign:
    campaign = _public_campaign(request, slug)
    if not request.user.has_perm("consultations.change_campaign", campaign):
        raise PermissionDenied("consultations.change_campaign")
    return campaign


def _people(ids: list[int], field: str) -> list[Any]:
    found = {p.pk: p for p in Person.objects.filter(pk__in=ids, is_active=True)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError({field: f"no such person: {', '.join(map(str, missing))}"})
    return [found[i] for i in ids]


def _sites(ids: list[int]) -> list[Territory]:
    found = {t.pk: t for t in Territory.objects.filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError({"sites": f"no such place: {', '.join(map(str, missing))}"})
    return [found[i] for i in ids]


def _questions(questions: list[ClosedQuestionIn]) -> list[dict[str, Any]]:
    return [q.dict(exclude_none=True) for q in questions]


@router.post(
    "/campaigns",
    auth=AUTHENTICATED,
    response={201: CampaignManageOut},
    summary="Create a campaign (a draft) on a territory",
    url_name="consultations_campaign_create",
)
def campaign_create(request: AuthenticatedRequest, payload: CampaignIn):
    try:
        territory = Territory.objects.get(slug=payload.territory)
    except Territory.DoesNotExist:
        raise Http404(f"no territory {payload.territory!r}") from None
    facilitator = _people([payload.facilitator], "facilitator")[0] if payload.facilitator else None
    campaign = services.campaign_create(
        actor=request.user,
        territory=territory,
        title=payload.title,
        open_question=payload.open_question,
        description=payload.description,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        closed_questions=_questions(payload.closed_questions),
        sites=_sites(payload.sites),
        team=_people(payload.team, "team"),
        facilitator=facilitator,
    )
    return Status(201, campaign)


@router.get(
    "/campaigns/{slug}/manage",
    auth=AUTHENTICATED,
    response=CampaignManageOut,
    summary="Read a campaign as the people who run it do (drafts included)",
    url_name="consultations_campaign_manage",
)
def campaign_manage(request: AuthenticatedRequest, slug: str):
    return _managed_campaign(request, slug)


@router.patch(
    "/campaigns/{slug}",
    auth=AUTHENTICATED,
    response=CampaignManageOut,
    summary="Edit a campaign: texts, period, closed questions, sites, team, facilitator",
    url_name="consultations_campaign_update",
)
def campaign_update(request: AuthenticatedRequest, slug: str, payload: CampaignPatch):
    campaign = _managed_campaign(request, slug)
    changes = payload.dict(exclude_unset=True)
    if "closed_questions" in changes:
        changes["closed_questions"] = _questions(payload.closed_questions or [])
    if "sites" in changes:
        changes["sites"] = _sites(changes["sites"] or [])
    if "team" in changes:
        changes["team"] = _people(changes["team"] or [], "team")
    if "facilitator" in changes:
        ids = [changes["facilitator"]] if changes["facilitator"] else []
        changes["facilitator"] = _people(ids, "facilitator")[0] if ids else None
    return services.campaign_update(campaign=campaign, actor=request.user, **changes)


def _move(request: HttpRequest, slug: str, service: Any) -> Campaign:
    return service(campaign=_managed_campaign(request, slug), actor=request.user)


@router.post(
    "/campaigns/{slug}/open",
    auth=AUTHENTICATED,
    response=CampaignManageOut,
    summary="Open a draft (or reopen a closed) campaign; it needs a site",
    url_name="consultations_campaign_open",
)
def campaign_open(request: AuthenticatedRequest, slug: str):
    return _move(request, slug, services.campaign_open)


@router.post(
    "/campaigns/{slug}/close",
    auth=AUTHENTICATED,
    response=CampaignManageOut,
    summary="Close an open campaign; the observatory's analysis starts",
    url_name="consultations_campaign_close",
)
def campaign_close(request: AuthenticatedRequest, slug: str):
    return _move(request, slug, services.campaign_close)


@router.post(
    "/campaigns/{slug}/archive",
    auth=AUTHENTICATED,
    response=CampaignManageOut,
    summary="Archive a campaign that is over (or a draft given up)",
    url_name="consultations_campaign_archive",
)
def campaign_archive(request: AuthenticatedRequest, slug: str):
    return _move(request, slug, services.campaign_archive)


@router.get(
    "/campaigns/{slug}/team",
    auth=AUTHENTICATED,
    response=list[TeamMemberOut],
    summary="The campaign's team of field agents",
    url_name="consultations_team",
)
def team_list(request: AuthenticatedRequest, slug: str):
    return list(_managed_campaign(request, slug).team.order_by("display_name"))


@router.get(
    "/campaigns/{slug}/team/candidates",
    auth=AUTHENTICATED,
    response=list[TeamMemberOut],
    summary="Search the territory's members by name or email (2 characters or more, 20 at most)",
    url_name="consultations_team_candidates",
)
def team_candidates(request: AuthenticatedRequest, slug: str, q: str):
    campaign = _managed_campaign(request, slug)
    return territory_member_search(campaign.territory, q[:100])


@router.post(
    "/campaigns/{slug}/team",
    auth=AUTHENTICATED,
    response={201: list[TeamMemberOut]},
    summary="Add a member of the territory to the team",
    url_name="consultations_team_add",
)
def team_add(request: AuthenticatedRequest, slug: str, payload: TeamIn):
    campaign = _managed_campaign(request, slug)
    person = _people([payload.person], "person")[0]
    services.campaign_team_add(campaign=campaign, actor=request.user, person=person)
    return Status(201, list(campaign.team.order_by("display_name")))


@router.delete(
    "/campaigns/{slug}/team/{person_id}",
    auth=AUTHENTICATED,
    response=list[TeamMemberOut],
    summary="Take a person off the team (what they captured stays)",
    url_name="consultations_team_remove",
)
def team_remove(request: AuthenticatedRequest, slug: str, person_id: int):
    campaign = _managed_campaign(request, slug)
    person = _people([person_id], "person")[0]
    services.campaign_team_remove(campaign=campaign, actor=request.user, person=person)
    return list(campaign.team.order_by("display_name"))
