"""API of co-writing: the works a person may read, their text and who held the pen; publications.

Reads only: writing goes through the websocket (``/ws/cowriting/<id>/``), where every update
is attributed to the connection's user. A private work answers 404 to whoever may not read it,
as its page does. Without credentials a request sees public works and publications; with a
token or the session it also sees the works its person takes part in.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from maillage.core.api_auth import OPTIONAL
from maillage.core.pagination import BoundedLimitOffsetPagination
from maillage.cowriting import selectors
from maillage.cowriting.models import PublishedVersion, SharedWork
from maillage.cowriting.services import work_text

router = Router(tags=["cowriting"])


class WorkOut(Schema):
    id: int
    title: str
    vision: str
    organization: str | None
    is_public: bool
    participant_count: int
    created_at: dt.datetime
    url: str

    @staticmethod
    def resolve_organization(obj: SharedWork) -> str | None:
        return obj.organization.slug if obj.organization_id else None

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


@router.get("/works/{work_id}", response={200: WorkDetailOut, 404: dict}, auth=OPTIONAL)
def work_detail(request: HttpRequest, work_id: int):
    try:
        work = selectors.work_get(work_id)
    except SharedWork.DoesNotExist:
        raise Http404(f"no shared work {work_id}") from None
    if not request.user.has_perm("cowriting.view_work", work):
        raise Http404(f"no shared work {work_id}")
    participants = selectors.participants_of(work)
    work.participant_count = len(participants)
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
