"""API of co-writing: the works a person may read, their text and who held the pen; publications.

The text is written through the websocket (``/ws/cowriting/<id>/``), where every update is
attributed to the connection's user. The work itself is changed here by its writers and the
owner organization's admins: ``PATCH /works/{id}`` renames it or changes its vision,
visibility (the other participants are told by email) or publication rule;
``POST /works/{id}/archive`` and ``/unarchive``. A private work answers 404 to whoever may not read it,
as its page does. Without credentials a request sees public works and publications; with a
token or the session it also sees the works its person takes part in.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from maillage.core.api_auth import AUTHENTICATED, OPTIONAL
from maillage.core.http import AuthenticatedRequest
from maillage.core.pagination import BoundedLimitOffsetPagination
from maillage.core.ratelimit import hit_person
from maillage.cowriting import selectors, services
from maillage.cowriting.models import PublishedVersion, SharedWork
from maillage.cowriting.services import work_text

router = Router(tags=["cowriting"])


class WorkOut(Schema):
    id: int
    title: str
    vision: str
    organization: str | None
    is_public: bool
    archived: bool
    participant_count: int
    created_at: dt.datetime
    url: str

    @staticmethod
    def resolve_archived(obj: SharedWork) -> bool:
        return obj.is_archived

    @staticmethod
    def resolve_organization(obj: SharedWork) -> str | None:
        return obj.organization.slug if obj.organization is not None else None

    @staticmethod
    def resolve_url(obj: SharedWork) -> str:
        return obj.get_absolute_url()


class ParticipantOut(Schema):
    name: str
    role: str
    objective: str


class ShareOut(Schema):
    name: str
    inserted: int
    surviving: int
    deleted: int
    share: float


class WorkDetailOut(WorkOut):
    text: str
    participants: list[ParticipantOut]
    authorship: list[ShareOut]

    @staticmethod
    def resolve_participants(obj: SharedWork) -> list[dict[str, str]]:
        # ``participants`` is the work's related manager: the rows were read by the view.
        return obj.participant_rows

    @staticmethod
    def resolve_participant_count(obj: SharedWork) -> int:
        return len(obj.participant_rows)


class WorkPatch(Schema):
    title: str | None = None
    vision: str | None = None
    is_public: bool | None = None
    publication_rule: str | None = None
    objection_days: int | None = None


class PublicationOut(Schema):
    id: int
    work: int
    title: str
    published_at: dt.datetime
    url: str

    @staticmethod
    def resolve_work(obj: PublishedVersion) -> int:
        return obj.work_id

    @staticmethod
    def resolve_url(obj: PublishedVersion) -> str:
        return obj.get_absolute_url()


class SignatoryOut(Schema):
    name: str
    decision: str


class PublicationDetailOut(PublicationOut):
    text: str
    shares: list[ShareOut]
    signatories: list[SignatoryOut]


@router.get("/works", response=list[WorkOut], auth=OPTIONAL)
@paginate(BoundedLimitOffsetPagination)
def work_list(request: HttpRequest):
    return selectors.work_list_visible(request.user).order_by("-created_at", "-id")


def _readable(request: HttpRequest, work_id: int) -> SharedWork:
    try:
        work = selectors.work_get(work_id)
    except SharedWork.DoesNotExist:
        raise Http404(f"no shared work {work_id}") from None
    if not request.user.has_perm("cowriting.view_work", work):
        raise Http404(f"no shared work {work_id}")
    return work


def _summary(work_id: int) -> SharedWork:
    return selectors.work_with_counts().get(pk=work_id)


@router.patch("/works/{work_id}", response=WorkOut, auth=AUTHENTICATED)
def work_update(request: AuthenticatedRequest, work_id: int, payload: WorkPatch):
    """Rename the work or change its vision, visibility or publication rule."""
    work = _readable(request, work_id)
    hit_person("write", request.user)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    services.work_update(work=work, actor=request.user, **changes)
    return _summary(work_id)


@router.post("/works/{work_id}/archive", response=WorkOut, auth=AUTHENTICATED)
def work_archive(request: AuthenticatedRequest, work_id: int):
    """Archive the work: kept and readable, nobody changes it (422 while a proposal is open)."""
    work = _readable(request, work_id)
    hit_person("write", request.user)
    services.work_update(work=work, actor=request.user, archived=True)
    return _summary(work_id)


@router.post("/works/{work_id}/unarchive", response=WorkOut, auth=AUTHENTICATED)
def work_unarchive(request: AuthenticatedRequest, work_id: int):
    """Bring an archived work back among the works in progress."""
    work = _readable(request, work_id)
    hit_person("write", request.user)
    services.work_update(work=work, actor=request.user, archived=False)
    return _summary(work_id)


@router.get("/works/{work_id}", response={200: WorkDetailOut, 404: dict}, auth=OPTIONAL)
def work_detail(request: HttpRequest, work_id: int):
    work = _readable(request, work_id)
    participants = selectors.participants_of(work)
    work.participant_rows = [
        {"name": p.person.public_name, "role": p.role, "objective": p.objective}
        for p in participants
    ]
    work.text = work_text(work=work)
    work.authorship = [row.as_public_dict() for row in selectors.work_authorship(work=work)]
    return work


@router.get("/published", response=list[PublicationOut])
@paginate(BoundedLimitOffsetPagination)
def publication_list(request: HttpRequest):
    return selectors.published_list()


@router.get("/published/{publication_id}", response={200: PublicationDetailOut, 404: dict})
def publication_detail(request: HttpRequest, publication_id: int):
    publication = selectors.published_list().filter(pk=publication_id).first()
    if publication is None:
        raise Http404(f"no publication {publication_id}")
    return publication
